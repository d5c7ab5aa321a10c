"""Registers the settings page and its JSON API (routes of every api module join one blueprint)."""
from flask import Flask

from app.settings import api, automations_api, page  # noqa: F401 - automations_api adds routes to api.bp


def init_app(app: Flask) -> None:
    app.register_blueprint(page.bp)
    app.register_blueprint(api.bp)
