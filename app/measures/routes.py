"""Registers the measures API and the retention page."""

from flask import Flask

from app.measures import api


def init_app(app: Flask) -> None:
    app.register_blueprint(api.bp)
