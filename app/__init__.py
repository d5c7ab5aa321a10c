"""Comeback: retention emails for hosted stores. `create_app()` builds the web app."""

import os
import sys

from flask import Flask

from app import config as app_config
from app.extensions import db, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(__file__), os.pardir, "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(app_config.from_environ(os.environ, app.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    # Dead pooled connections are replaced at checkout without a round trip (extensions.py);
    # recycling bounds the age of a connection a silent network drop may have cut.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_recycle": 1800}
    if _demo_mode():
        from app.demo import DEMO_CONFIG

        app.config.update({k: v for k, v in DEMO_CONFIG.items() if not os.environ.get(k)})
    if test_config:
        app.config.update(test_config)
    if not (app.testing or app.config.get("DEMO")):
        app_config.check_required(app.config)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), os.pardir, "migrations"))
    _import_models()
    _import_job_handlers()

    from app import cli, pages
    from app.answers import routes as answer_routes
    from app.mail import links
    from app.measures import routes as measures_routes
    from app.settings import routes as settings_routes
    from app.shops import oauth
    from app.webhooks import routes as webhook_routes

    pages.init_app(app)
    oauth.init_app(app)
    webhook_routes.init_app(app)
    settings_routes.init_app(app)
    measures_routes.init_app(app)
    links.init_app(app)
    answer_routes.init_app(app)
    cli.init_app(app)
    return app


def _demo_mode() -> bool:
    """`flask demo` (or COMEBACK_DEMO=1) runs on embedded defaults instead of required secrets."""
    return os.environ.get("COMEBACK_DEMO") == "1" or "demo" in sys.argv[1:]  # also `flask demo --port N`


def _import_models() -> None:
    """Every model module, so metadata (create_all, Alembic) sees every table."""
    from app.answers import models as _n  # noqa: F401
    from app.automations import models as _a  # noqa: F401
    from app.customers import days as _cd  # noqa: F401
    from app.customers import models as _c  # noqa: F401
    from app.discounts import models as _d  # noqa: F401
    from app.jobs import models as _j  # noqa: F401
    from app.predictions import models as _p  # noqa: F401
    from app.records import models as _r  # noqa: F401
    from app.shops import models as _s  # noqa: F401
    from app.webhooks import models as _w  # noqa: F401


def _import_job_handlers() -> None:
    """Modules whose `@jobs.handler` registrations the worker needs."""
    from app.answers import jobs as _n  # noqa: F401
    from app.history import jobs as _h  # noqa: F401
    from app.mail import jobs as _m  # noqa: F401
    from app.marketing import jobs as _k  # noqa: F401
    from app.predictions import jobs as _pj  # noqa: F401
    from app.settings import jobs as _t  # noqa: F401
    from app.shops import jobs as _s  # noqa: F401
    from app.webhooks import jobs as _w  # noqa: F401
