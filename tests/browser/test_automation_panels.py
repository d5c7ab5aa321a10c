"""What an automation adds to its own card, in Chromium: win-back's timing choice and the feedback
survey's NPS block (on a phone too)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import clock
from app.answers import store
from app.automations import settings as automation_settings
from app.extensions import db
from tests.browser.conftest import offline
from tests.settings.tokens import session_token

pytestmark = pytest.mark.browser


def _open(page, live_app, shop, locale="en"):
    token = session_token(shop.domain, lifetime=600)
    page.goto(f"{live_app}/app?shop={shop.domain}&host=c2FuZGJveA&locale={locale}&id_token={token}")


def _values(shop, key):
    db.session.expire_all()
    return automation_settings.values(shop, key)


def test_winback_timing_is_chosen_and_a_bad_threshold_refused(make_shop, page, live_app, shot):
    shop = make_shop()
    _open(page, live_app, shop)
    winback = page.locator('[data-key="winback"]')
    timing = winback.get_by_label("When to send")
    expect(timing).to_have_value("days")
    timing.select_option("predicted")
    expect(winback.locator("[data-status]")).to_have_text("Saved")
    assert _values(shop, "winback")["timing"] == "predicted"

    threshold = winback.get_by_label("Predicted: send once the chance they still buy falls below (0–1)")
    expect(threshold).to_have_value("0.3")
    threshold.fill("1.5")
    threshold.press("Tab")
    expect(winback.locator("[data-status]")).to_contain_text("between 0 and 1")
    expect(threshold).to_have_attribute("aria-invalid", "true")
    threshold.fill("0.25")
    threshold.press("Tab")
    expect(winback.locator("[data-status]")).to_have_text("Saved")
    assert _values(shop, "winback")["p_alive_below"] == 0.25
    shot(page, "winback-timing")


def test_the_nps_block_on_a_phone_in_vietnamese(make_shop, browser, live_app, shot):
    shop = make_shop()
    now = clock.now()
    for send_id, (score, comment) in enumerate(((10, "Trà ngon lắm"), (9, None), (2, "Giao hàng chậm")), start=1):
        store.record(shop.id, send_id, None, "nps", str(score), comment, at=now - timedelta(days=send_id))
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    offline(context)
    page = context.new_page()
    _open(page, live_app, shop, "vi")
    block = page.locator('[data-key="feedback"] [data-nps]')
    expect(block.get_by_role("heading", name="Khách hàng nói gì về shop (NPS)")).to_be_visible()
    # 2 promoters, 1 detractor of 3: 67 % − 33 % = +33,3 (Vietnamese decimal comma).
    expect(block.locator('[data-nps-days="30"] [data-nps-score]')).to_have_text("+33,3")
    expect(block.locator("[data-nps-comments]")).to_contain_text("Giao hàng chậm")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    block.scroll_into_view_if_needed()
    shot(page, "nps-phone")
    context.close()
