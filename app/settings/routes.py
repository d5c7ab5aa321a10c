"""Registers the settings page and its JSON API."""

from flask import Flask

# automations_api and previews_api add their routes to api.bp.
from app.settings import api, automations_api, page, previews_api  # noqa: F401


def init_app(app: Flask) -> None:
    app.register_blueprint(page.bp)
    app.register_blueprint(api.bp)
