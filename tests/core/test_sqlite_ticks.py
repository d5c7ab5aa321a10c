"""SQLite: two ticks never run at once (the second waits for the first); PostgreSQL runs them in parallel."""

import os
import threading

import pytest

from app.worker import serialised, tick

pytestmark = pytest.mark.skipif(os.environ.get("TEST_DATABASE") == "postgres", reason="SQLite only")


def test_a_second_tick_waits_for_the_first(app):
    finished = threading.Event()

    def second():
        with app.app_context():
            tick()
        finished.set()

    with serialised():  # the first tick, as another process would hold it
        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive() and not finished.is_set()  # waiting, not running alongside
    thread.join(timeout=30)
    assert finished.is_set()
