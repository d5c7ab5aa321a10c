"""The whole path in a browser: install into the sandbox store, open the app from the store's admin,
watch the history import, preview with the shop's real products, and get the test email."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from app import clock, jobs
from app.extensions import db
from app.shops.models import Shop
from app.worker import tick

pytestmark = pytest.mark.browser

DOMAIN = "demo-shop.myshopify.com"


@pytest.fixture
def new_york_morning():
    """The next 16:00 UTC (11:00 or 12:00 in New York), with the clock running on from there.

    The shop is in New York: its quiet hours (21:00-08:00) and the US send window would hold the
    win-back emails back whenever the suite ran at night there. Travelling forward (never back)
    keeps every seeded date in the past and the store's session tokens valid for the app."""
    now = datetime.now(UTC)
    moment = now.replace(hour=16, minute=0, second=0, microsecond=0)
    if moment < now:
        moment += timedelta(days=1)
    with time_machine.travel(moment, tick=True):
        yield


def test_from_install_to_a_test_email(new_york_morning, install, sandbox, live_app, page, smtp, shot):
    # The seeded history is random around "now", so whether some subscriber's lapse falls due within
    # the catch-up week depends on the date; this one's always does (its last order is 182 days old).
    store = sandbox.shop(DOMAIN)
    lapsed = store.create_customer("lapsed@example.com", "Lan", marketing_state="SUBSCRIBED", notify=False)
    store.place_order(
        lapsed, [(next(iter(store.products.values())), 1)], created_at=sandbox.now() - timedelta(days=182), notify=False
    )
    assert install(DOMAIN).status_code == 302
    shop_id, owner = db.session.execute(db.select(Shop.id, Shop.email).where(Shop.domain == DOMAIN)).one()

    # The merchant opens the app in the store admin: the store signs the App URL and adds an id_token.
    page.goto(f"{sandbox.base_url}/{DOMAIN}/open-app")
    # Managed installation: the app load is answered where it lands (the App URL), no redirect.
    expect(page).to_have_url(re.compile(r"/(app)?\?.*id_token="))
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    shot(page, "1-opened")

    for _ in range(100):  # the worker's passes; the page polls the import's progress meanwhile
        tick()
        sandbox.wait_idle()
        job = jobs.latest(shop_id, "import_history")
        if job.state == "done":
            break
        job.run_at = clock.now()  # the bulk operation has finished: no need to wait for the next poll
        db.session.commit()
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("[data-import-text]")).to_have_text("Order history imported.")

    winback = page.locator('[data-key="winback"]')
    winback.get_by_role("button", name="EN", exact=True).click()  # redraw the preview, now with imported data
    titles = {product.title for product in sandbox.shop(DOMAIN).products.values()}
    frame_text = winback.frame_locator("[data-preview-frame]").locator("body")
    expect(frame_text).to_contain_text(re.compile("|".join(re.escape(t) for t in titles)))
    winback.get_by_role("switch").click()
    expect(winback.get_by_role("switch")).to_have_attribute("aria-checked", "true")
    shot(page, "2-imported")

    winback.get_by_role("button", name="Send me a test").click()
    expect(winback.locator("[data-status]")).to_have_text(f"A test email is on its way to {owner}.")
    tick()  # also the first real win-back emails: the automation is on now
    [message] = smtp.inbox.to(owner)
    assert "bestsellers" in str(message["Subject"])

    # Reopened from the admin: the results and the activity list show the win-back emails just sent.
    customers = [m for m in smtp.inbox.messages if m is not message]
    assert smtp.inbox.to("lapsed@example.com"), "switching win-back on mails the lapsed subscriber"
    page.goto(f"{sandbox.base_url}/{DOMAIN}/open-app")
    expect(page.locator('[data-results="winback"] td').first).to_have_text(str(len(customers)))
    expect(page.locator("#activity li").first).to_contain_text("sent")
    expect(page.locator("svg.chart")).to_be_visible()
    shot(page, "3-results")
