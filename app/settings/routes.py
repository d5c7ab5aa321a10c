"""Registers the settings page, its JSON API and the "send_test" job handler."""
from flask import Flask

# automations_api and previews_api add their routes to api.bp; jobs registers its handler.
from app.settings import api, automations_api, jobs, page, previews_api  # noqa: F401


def init_app(app: Flask) -> None:
    app.register_blueprint(page.bp)
    app.register_blueprint(api.bp)
