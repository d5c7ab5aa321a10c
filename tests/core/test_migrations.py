"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and PostgreSQL."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import SECRET_KEY


@pytest.fixture
def empty_database_url(request, tmp_path):
    if os.environ.get("TEST_DATABASE") == "postgres":
        return request.getfixturevalue("postgres").create_database("comeback_migrations")
    return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(empty_database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert differences == []
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(db.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_cli_upgrade_runs(empty_database_url, monkeypatch):
    """The Procfile's release command, as the platform runs it."""
    from click.testing import CliRunner
    from flask.cli import ScriptInfo, cli

    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("SHOPIFY_API_KEY", "k")
    monkeypatch.setenv("SHOPIFY_API_SECRET", "s")
    app = create_app()
    result = CliRunner().invoke(cli, ["db", "upgrade"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "sends" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


@pytest.mark.skipif(os.environ.get("TEST_DATABASE") == "postgres", reason="SQLite rebuilds tables")
def test_upgrading_an_existing_sqlite_database_keeps_every_shops_rows(tmp_path):
    """The `mailhard` revision rebuilds `shops` (AUTOINCREMENT) on a database at `measures`, with
    rows in the tables the earlier revisions added: no cascade may delete what shops own."""
    from sqlalchemy import text

    app = create_app(
        {"TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}"}
    )
    owned = ("suppressions", "customers", "orders", "answers", "customer_days", "shop_days")
    with app.app_context():
        upgrade(revision="measures")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO shops (id, domain, currency, timezone, locale, address, scopes, settings, created_at,"
                " updated_at) VALUES (1, 'a.myshopify.com', 'USD', 'UTC', 'en', '{}', '', '{}', '2026-01-01',"
                " '2026-01-01')",
                "INSERT INTO suppressions VALUES (1, 'x@example.com', 'unsubscribed', '2026-01-01')",
                "INSERT INTO customers (shop_id, id, email, consent_state, orders_count, total_spent, created_at,"
                " birth_date) VALUES (1, 7, 'x@example.com', 'subscribed', 1, 10, '2026-01-01', '1990-05-01')",
                "INSERT INTO orders (shop_id, id, customer_id, total, currency, discount_codes, placed_at, test,"
                " paid_at) VALUES (1, 9, 7, 10, 'USD', '[]', '2026-01-01', 0, '2026-01-01')",
                "INSERT INTO answers (shop_id, send_id, customer_id, question, answer, answered_at)"
                " VALUES (1, 3, 7, 'nps', '9', '2026-01-02')",
                "INSERT INTO customer_days (shop_id, customer_id, day, orders, revenue) VALUES (1, 7, '2026-01-01', 1, 10)",
                "INSERT INTO shop_days (shop_id, day, orders, revenue) VALUES (1, '2026-01-01', 1, 10)",
            ):
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            for table in owned:
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1, table
            assert conn.execute(text("SELECT birth_date FROM customers")).scalar() == "1990-05-01"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            schema = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'shops'")).scalar()
            assert "AUTOINCREMENT" in schema
        db.engine.dispose()
