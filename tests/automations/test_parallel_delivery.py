"""Parallel delivery: MAIL_CONCURRENCY connections per worker, exactly once, caps exact across connections."""

import asyncio
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from app import clock
from app.automations import engine, planning
from app.extensions import db
from tests.automations.test_concurrency import plan_carts
from tests.support.postgres import free_port
from tests.support.smtp import Inbox


class CountingInbox(Inbox):
    """Answers each message after `delay` seconds and notes how many sessions were busy at once;
    drops the connection in the middle of the message to `drop_for`."""

    def __init__(self, delay: float = 0.02, drop_for: str | None = None):
        super().__init__()
        self.delay, self.drop_for = delay, drop_for
        self.busy = self.most_busy = 0

    async def handle_DATA(self, server, session, envelope):
        if self.drop_for and self.drop_for in envelope.rcpt_tos:
            server.transport.close()
            return "421 gone"
        self.busy += 1
        self.most_busy = max(self.most_busy, self.busy)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.busy -= 1
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def app_config():
    return {"MAIL_CONCURRENCY": 4}


def _sink(app, inbox):
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_kwargs={"decode_data": False})
    controller.start()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
    return controller


def test_a_batch_goes_out_over_several_connections_each_email_once(app, shop, enable, add_checkout, sends):
    inbox = CountingInbox()
    controller = _sink(app, inbox)
    try:
        now = clock.now()
        plan_carts(shop, enable, add_checkout, 120, now)
        counts = engine.run_once(now)
    finally:
        controller.stop()
    recipients = [str(m["To"]) for m in inbox.messages]
    assert counts["sent"] == 120 and len(recipients) == len(set(recipients)) == 120
    assert inbox.most_busy > 1, "the connections never worked side by side"
    assert {s.state for s in sends()} == {"sent"}


def test_the_frequency_cap_is_exact_across_connections(app, shop, enable, add_checkout, sends):
    inbox = CountingInbox(delay=0)
    controller = _sink(app, inbox)
    try:
        now = clock.now()
        shop.settings = {"quiet_hours": {"enabled": False}}
        db.session.commit()
        enable(shop, "abandoned_cart")
        for number in range(60):  # one address behind many carts, among others
            email = "same@example.com" if number % 3 == 0 else f"buyer{number}@example.com"
            add_checkout(shop, token=f"t{number:03d}", email=email, updated_at=now - timedelta(hours=25))
        planning.plan(now)
        engine.run_once(now)
    finally:
        controller.stop()
    to_same = [m for m in inbox.messages if str(m["To"]) == "same@example.com"]
    assert len(to_same) == 2  # the shop's cap: 2 a week
    assert len(inbox.messages) == 40 + 2


def test_a_broken_connection_makes_only_its_own_emails_unknown(app, shop, enable, add_checkout, sends):
    inbox = CountingInbox(drop_for="buyer007@example.com")
    controller = _sink(app, inbox)
    try:
        now = clock.now()
        plan_carts(shop, enable, add_checkout, 80, now)
        engine.run_once(now)
    finally:
        controller.stop()
    states = {s.recipient: s.state for s in sends()}
    unknown = [r for r, state in states.items() if state == "unknown"]
    assert "buyer007@example.com" in unknown and len(unknown) <= engine.SEND_CHUNK
    assert sum(state == "sent" for state in states.values()) == 80 - len(unknown)
    recipients = [str(m["To"]) for m in inbox.messages]
    assert len(recipients) == len(set(recipients)) == 80 - len(unknown)
