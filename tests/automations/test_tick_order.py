"""The worker's tick applies every webhook that arrived before it began before deciding any email."""

import json
from datetime import timedelta
from pathlib import Path

from app import jobs
from app.jobs import kinds
from app.webhooks.handlers import Delivery
from app.webhooks.inbox import accept
from app.worker import tick
from tests.automations.conftest import NOW

PAYLOADS = Path(__file__).parents[1] / "payloads"


def test_an_order_still_in_the_inbox_cancels_its_cart_email_however_busy_the_queue(
    shop, make_shop, enable, add_checkout, smtp, sends, at
):
    """Was: the inbox was one job among at most 20 per tick; with 20 busy shops ahead of it, the
    cart email went to a buyer whose order was still waiting in the inbox."""
    enable(shop, "abandoned_cart")
    add_checkout(shop, token="tok1", email="ann@example.com", updated_at=NOW - timedelta(hours=30))
    with at(NOW - timedelta(minutes=5)):
        for n in range(25):  # other shops' jobs, due earlier
            jobs.enqueue(make_shop(f"busy-{n}.myshopify.com").id, kinds.APPLY_WEBHOOKS, unique_key="inbox")
    order = json.loads((PAYLOADS / "orders__create.json").read_text())
    order.update(checkout_token="tok1", email="ann@example.com", updated_at="2026-06-10T11:58:00Z")
    with at(NOW - timedelta(minutes=1)):
        delivery = Delivery(topic="orders/create", webhook_id="w-1", event_id=None, triggered_at=NOW)
        assert accept(shop.id, delivery, json.dumps(order))
    with at(NOW):
        tick()
    assert smtp.inbox.messages == []
    assert [(s.state, s.reason) for s in sends()] in ([], [("skipped", "ordered")])
