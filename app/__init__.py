"""Comeback: retention emails for hosted stores. `create_app()` builds the web app."""

import os
import sys

from flask import Flask

from app import config as app_config
from app.extensions import db, migrate
from app.mail import dkim_signing


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
    _check_dkim(app)

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


def _check_dkim(app: Flask) -> None:
    """A DKIM key that cannot sign stops the app at start, not at the first email."""
    try:
        dkim_signing.from_config(app.config)
    except dkim_signing.DKIMConfigError as error:
        raise app_config.ConfigError(str(error)) from None


def _demo_mode() -> bool:
    """`flask demo` (or COMEBACK_DEMO=1) runs on embedded defaults instead of required secrets."""
    return os.environ.get("COMEBACK_DEMO") == "1" or flask_command(sys.argv) == "demo"


#: Options of the `flask` command that take a value (`flask --app app demo`).
_FLASK_VALUE_OPTIONS = {"--app", "-A", "--env-file", "-e"}


def flask_command(argv: list[str]) -> str | None:
    """The Flask CLI command `argv` runs (`flask --app app demo --port 5001` -> "demo"), or None
    when the program is not the `flask` CLI: `gunicorn -n demo` must never mean demo mode."""
    if not argv:
        return None
    program = argv[0].replace("\\", "/")
    if os.path.basename(program) != "flask" and not program.endswith("flask/__main__.py"):
        return None
    words = iter(argv[1:])
    for word in words:
        if word in _FLASK_VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


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
    """Every job handler, and the periodic jobs' intervals: the list in `app.schedule`."""
    from app import schedule as _schedule  # noqa: F401
