"""Registers the measures API and the retention page."""

from flask import Flask

from app.measures import api, page  # noqa: F401 - page adds the retention tab's routes to api.bp


def init_app(app: Flask) -> None:
    app.register_blueprint(api.bp)
