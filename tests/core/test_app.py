import pytest
from sqlalchemy import inspect

from app import create_app
from app.config import ConfigError, database_url
from app.extensions import db


def test_schema_has_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert {"shops", "customers", "orders", "checkouts", "sends", "jobs", "webhook_receipts"} <= tables


def test_required_secrets_fail_fast(monkeypatch):
    for key in ("SECRET_KEY", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "COMEBACK_DEMO"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_heroku_database_urls_mean_psycopg3(raw, expected):
    assert database_url(raw, "/tmp") == expected


def test_junk_settings_are_refused(monkeypatch):
    monkeypatch.setenv("TICK_SECONDS", "soon")
    with pytest.raises(ConfigError, match="TICK_SECONDS"):
        create_app({"TESTING": True})


@pytest.mark.parametrize("raw", [None, "", 5, "yesterday", "9999-12-31T23:59:59-05:00", "2026-02-30T00:00:00Z"])
def test_unusable_timestamps_from_store_data_count_as_absent(raw):
    from app.clock import parse_iso

    assert parse_iso(raw) is None


def test_timestamps_are_stored_as_naive_utc():
    from datetime import datetime

    from app.clock import parse_iso

    assert parse_iso("2026-01-02T03:04:05-05:00") == datetime(2026, 1, 2, 8, 4, 5)
