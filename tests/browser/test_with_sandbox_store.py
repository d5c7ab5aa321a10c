"""The whole path in a browser: install into the sandbox store, open the app from the store's admin,
watch the history import, preview with the shop's real products, and get the test email."""

import re

import pytest
from playwright.sync_api import expect

from app import clock, jobs
from app.extensions import db
from app.shops.models import Shop
from app.worker import tick

pytestmark = pytest.mark.browser

DOMAIN = "demo-shop.myshopify.com"


def test_from_install_to_a_test_email(install, sandbox, live_app, page, smtp, shot):
    assert install(DOMAIN).status_code == 302
    shop_id, owner = db.session.execute(db.select(Shop.id, Shop.email).where(Shop.domain == DOMAIN)).one()
    # The shop is in New York and ticks run on the real clock: without this, its quiet hours
    # (21:00-08:00) would defer the win-back emails whenever the suite runs between 02:00 and 13:00 UTC.
    db.session.get(Shop, shop_id).settings = {"quiet_hours": {"enabled": False}}
    db.session.commit()

    # The merchant opens the app in the store admin: the store signs the App URL and adds an id_token.
    page.goto(f"{sandbox.base_url}/{DOMAIN}/open-app")
    expect(page).to_have_url(re.compile(r"/app\?.*id_token="))
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
    assert customers, "the seeded shop has lapsed subscribers: switching win-back on must mail some"
    page.goto(f"{sandbox.base_url}/{DOMAIN}/open-app")
    expect(page.locator('[data-results="winback"] td').first).to_have_text(str(len(customers)))
    expect(page.locator("#activity li").first).to_contain_text("sent")
    expect(page.locator("svg.chart")).to_be_visible()
    shot(page, "3-results")
