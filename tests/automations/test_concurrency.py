"""Exactly once under concurrency and crashes: two workers at once, and kill -9 mid-batch."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from app import clock
from app.automations import engine, planning
from app.extensions import db
from tests.conftest import API_KEY, API_SECRET, SECRET_KEY
from tests.support.postgres import free_port
from tests.support.smtp import Inbox

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class SlowInbox(Inbox):
    """Accepts each message only after `delay` seconds, so a worker can be caught mid-batch."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(app):
    inbox = SlowInbox(delay=0.3)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_kwargs={"decode_data": False})
    controller.start()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
    yield inbox
    controller.stop()


def plan_carts(shop, enable, add_checkout, count: int, now):
    # Quiet hours off: these tests run on the real clock, whatever hour it is.
    shop.settings = {"quiet_hours": {"enabled": False}}
    db.session.commit()
    enable(shop, "abandoned_cart")
    for number in range(count):
        add_checkout(
            shop, token=f"t{number:03d}", email=f"buyer{number:03d}@example.com", updated_at=now - timedelta(hours=25)
        )
    assert planning.plan(now)["planned"] == count


@pytest.mark.postgres
def test_two_workers_at_once_send_each_email_once(app, shop, enable, add_checkout, smtp, sends):
    # Batches of 50 (two connections each): 120 emails are more than one claim, so both workers get a share.
    app.config["MAIL_CONCURRENCY"] = 2
    now = clock.now()
    plan_carts(shop, enable, add_checkout, 120, now)
    start, results, errors = threading.Barrier(2), [], []

    def worker():
        with app.app_context():
            try:
                start.wait()
                results.append(engine.run_once(now))
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [] and len(results) == 2
    recipients = [str(m["To"]) for m in smtp.inbox.messages]
    assert len(recipients) == len(set(recipients)) == 120
    assert sum(r.get("sent", 0) for r in results) == 120
    # Both took a share: the claims really ran side by side.
    assert all(r.get("sent", 0) > 0 for r in results)
    assert {s.state for s in sends()} == {"sent"}


def test_kill_9_mid_batch_then_restart_sends_nothing_twice(
    app, shop, enable, add_checkout, slow_smtp, sends, database_url, at
):
    now = clock.now()
    plan_carts(shop, enable, add_checkout, 12, now)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": API_SECRET,
        "MAIL_URL": app.config["MAIL_URL"],
        "APP_URL": app.config["APP_URL"],
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "tick"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(slow_smtp.messages) < 3:
            assert worker.poll() is None, worker.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker never got going"
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()
    time.sleep(0.5)  # let the server finish the message it was reading when the worker died
    before = {s.state for s in sends()}
    assert "sending" in before or "claimed" in before

    # The restarted worker, once the dead one's leases have run out.
    later = now + timedelta(minutes=11)
    with at(later):
        counts = engine.run_once(later)
    rows = sends()
    arrived = [str(m["To"]) for m in slow_smtp.messages]
    assert len(arrived) == len(set(arrived)), "an email was sent twice"
    unknown = [s for s in rows if s.state == "unknown"]
    # At most the chunks in flight: one per connection.
    assert counts.get("unknown", 0) == len(unknown) <= engine.SEND_CHUNK * app.config["MAIL_CONCURRENCY"]
    assert {s.state for s in rows} <= {"sent", "unknown"}
    # Everything not lost in the crash went out; what was lost is recorded, not retried.
    assert {s.recipient for s in rows if s.state == "sent"} <= set(arrived)
    assert len(arrived) >= len(rows) - len(unknown)
