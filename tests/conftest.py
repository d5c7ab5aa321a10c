"""Shared fixtures: the app on a fresh database per test, a real SMTP inbox, PostgreSQL.

`TEST_DATABASE=postgres` runs the suite on a real PostgreSQL started here; the default is SQLite.
"""

import os

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.support.postgres import PostgresServer, free_port
from tests.support.smtp import SMTPServer

API_KEY = "test-api-key"
API_SECRET = "test-api-secret"
SECRET_KEY = "test-secret-key-not-for-production"


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE', 'sqlite')}"


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests need PostgreSQL's concurrency; the SQLite run leaves them out
    (they run in the PostgreSQL half of `make test`)."""
    if os.environ.get("TEST_DATABASE") == "postgres":
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def postgres():
    """The session's PostgreSQL server (started on first use)."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _pg_schema(request):
    """On PostgreSQL: one database with the schema, emptied between tests (much faster than recreating)."""
    if os.environ.get("TEST_DATABASE") != "postgres":
        return None
    server = request.getfixturevalue("postgres")
    url = server.create_database("comeback_test")
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


@pytest.fixture
def database_url(_pg_schema, tmp_path):
    if _pg_schema is None:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return _pg_schema


@pytest.fixture
def app_port():
    """The port the app would be served on; APP_URL points at it so links and callbacks are real."""
    return free_port()


@pytest.fixture
def app_config(database_url, app_port):
    """Extra config for the `app` fixture; override in a test module to add settings."""
    return {}


@pytest.fixture
def app(database_url, app_port, app_config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "SHOPIFY_API_KEY": API_KEY,
            "SHOPIFY_API_SECRET": API_SECRET,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "APP_URL": f"http://127.0.0.1:{app_port}",
            # Nothing listens here: a test that sends mail must ask for the `smtp` fixture.
            "MAIL_URL": f"smtp://127.0.0.1:{free_port()}",
            "HTTP_TIMEOUT": 5,
            **app_config,
        }
    )
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
        yield app
        db.session.remove()
        if not database_url.startswith("sqlite"):
            tables = ", ".join(f'"{t.name}"' for t in reversed(db.metadata.sorted_tables))
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def smtp(app):
    """A real SMTP server; the app's MAIL_URL points at it. `smtp.inbox.messages` holds what arrived."""
    server = SMTPServer()
    app.config["MAIL_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def make_shop(app):
    """Factory for an installed shop (token "test-token"); pass fields to override."""
    from app import clock
    from app.shops.models import Shop

    def make(domain: str = "demo-shop.myshopify.com", **fields) -> Shop:
        shop = Shop(
            domain=domain,
            name=fields.pop("name", "Demo Shop"),
            email="owner@demo-shop.test",
            currency="USD",
            timezone="UTC",
            locale="en",
            installed_at=clock.now(),
            scopes=",".join(app.config["SHOPIFY_SCOPES"]),
            **fields,
        )
        shop.set_tokens("test-token", None, None, None)
        db.session.add(shop)
        db.session.commit()
        return shop

    return make


@pytest.fixture
def live_app(app, app_port):
    """The app served over real HTTP on APP_URL, so the sandbox store can deliver webhooks to it."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["APP_URL"]
    server.shutdown()


@pytest.fixture
def sandbox(app):
    """The sandbox store over real HTTP; the app's SHOPIFY_STORE_URL points at it. It holds the
    app's shopify.app.toml, as Shopify does after `shopify app deploy`."""
    from app.shops.app_config import DEFAULT_PATH
    from sandbox import create_sandbox
    from sandbox.server import serve

    store_app = create_sandbox(API_KEY, API_SECRET, app.config["APP_URL"], app_toml=DEFAULT_PATH)
    server = serve(store_app)
    app.config["SHOPIFY_STORE_URL"] = server.base_url + "/{shop}"
    yield store_app.extensions["sandbox"]
    server.shutdown()


@pytest.fixture
def install(app, client, sandbox):
    """Run the whole OAuth install of `domain` into the app, through the sandbox's consent page."""
    from tests.support.install import run_install

    def do(domain: str = "demo-shop.myshopify.com", **kwargs):
        return run_install(app, client, sandbox, domain, **kwargs)

    return do
