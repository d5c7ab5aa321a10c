"""Pooled database connections the server hung up on are replaced before use (extensions.py)."""

import time

import pytest
from sqlalchemy import func, select, text

from app.customers.models import Order
from app.extensions import db

pytestmark = pytest.mark.postgres


def _hang_up_on_everyone_else():
    """What a PostgreSQL restart or an idle timeout does to the app's pooled connections."""
    import psycopg

    url = db.engine.url
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as admin:
        ended = admin.execute(f"SELECT count(pg_terminate_backend(pid)) {others}").fetchone()[0]
        assert ended >= 1  # the app's pooled connection was there
        # pg_terminate_backend only signals: wait until the backends have really gone (and hung up).
        deadline = time.monotonic() + 10
        while admin.execute(f"SELECT count(*) {others}").fetchone()[0]:
            assert time.monotonic() < deadline, "the terminated backends did not exit"
            time.sleep(0.01)  # polling the real server, not waiting for a schedule


def test_a_delivery_after_the_server_dropped_the_pooled_connection_is_accepted(shop, deliver, sample):
    first = sample("orders/create")
    assert deliver("orders/create", first).status_code == 200
    db.session.remove()  # back to the pool, as at the end of a request
    _hang_up_on_everyone_else()

    second = sample("orders/create")
    second["id"] += 1
    response = deliver("orders/create", second)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "accepted"
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2


def test_a_healthy_pooled_connection_is_kept(app):
    """The check must not mistake a live connection for a dead one (a new connection per request is slow)."""
    with db.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == pid
