"""The merchant's view: the settings page in Chromium, served over HTTP, talking to its API."""

import time

import pytest
from playwright.sync_api import expect

from app import jobs
from app.automations import settings as automation_settings
from app.extensions import db
from app.jobs import kinds
from app.shops import settings as shop_settings
from app.worker import tick
from tests.browser.conftest import offline
from tests.settings.tokens import session_token

pytestmark = pytest.mark.browser


@pytest.fixture
def open_app(page, live_app):
    """Open /app for `shop` the way the admin does: shop, host, locale and a session token."""

    def open_page(shop, locale="en", **claims):
        token = session_token(shop.domain, lifetime=600, **claims)
        page.goto(f"{live_app}/app?shop={shop.domain}&host=c2FuZGJveA&locale={locale}&id_token={token}")
        return page

    return open_page


def _fresh(shop):
    db.session.expire_all()
    return shop


def test_switch_on_tune_and_switch_language(make_shop, open_app, shot):
    shop = make_shop()
    page = open_app(shop)
    cart = page.locator('[data-key="abandoned_cart"]')
    switch = cart.get_by_role("switch")
    expect(switch).to_have_attribute("aria-checked", "false")
    shot(page, "1-opened")
    # The page loads nothing from elsewhere but Shopify's App Bridge; here (no internet) it fails
    # to load, and the page works on the id_token it was opened with.
    assert {r.url for r in page.outside_requests if r.frame == page.main_frame} == {
        "https://cdn.shopify.com/shopifycloud/app-bridge.js"
    }

    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(cart.locator("[data-status]")).to_have_text("Saved")
    assert automation_settings.values(_fresh(shop), "abandoned_cart")["enabled"] is True

    delay = cart.get_by_label("Send after (hours)")
    delay.fill("6")
    delay.press("Tab")
    expect(cart.locator("[data-status]")).to_have_text("Saved")
    assert automation_settings.values(_fresh(shop), "abandoned_cart")["delay_hours"] == 6

    delay.fill("500")
    delay.press("Tab")
    expect(cart.locator("[data-status]")).to_contain_text("between 1 and 72")
    expect(delay).to_have_attribute("aria-invalid", "true")
    assert automation_settings.values(_fresh(shop), "abandoned_cart")["delay_hours"] == 6
    shot(page, "2-tuned")

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Tự động hóa")).to_be_visible()
    expect(page.locator('[data-key="abandoned_cart"]').get_by_label("Gửi sau (giờ)")).to_have_value("6")
    shot(page, "3-vietnamese")


def test_the_preview_follows_the_subject_and_a_test_email_arrives(make_shop, open_app, smtp, shot):
    shop = make_shop()
    page = open_app(shop)
    cart = page.locator('[data-key="abandoned_cart"]')
    subject = cart.locator("[data-preview-subject]")
    expect(subject).to_have_text("You left something in your cart")
    expect(cart.frame_locator("[data-preview-frame]").locator("body")).to_contain_text("Demo Shop")

    field = cart.get_by_label("EN", exact=True).first
    field.fill("Still thinking it over?")
    field.press("Enter")
    expect(subject).to_have_text("Still thinking it over?")
    cart.get_by_role("button", name="VI", exact=True).click()
    expect(subject).to_have_text("Bạn còn sản phẩm trong giỏ hàng")
    shot(page, "preview-vi")

    cart.get_by_role("button", name="Send me a test").click()
    expect(cart.locator("[data-status]")).to_have_text("A test email is on its way to owner@demo-shop.test.")
    assert smtp.inbox.messages == []
    tick()  # the worker's pass, in-process: it runs the queued send_test job
    [message] = smtp.inbox.to("owner@demo-shop.test")
    assert str(message["Subject"]).endswith("Bạn còn sản phẩm trong giỏ hàng")


def test_keyboard_alone_switches_an_automation(make_shop, open_app):
    shop = make_shop()
    page = open_app(shop)
    switch = page.locator('[data-key="winback"]').get_by_role("switch")
    switch.focus()
    page.keyboard.press("Space")
    expect(switch).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Enter")
    expect(switch).to_have_attribute("aria-checked", "false")


def test_shop_settings_are_saved_whole_or_refused_with_the_reason(make_shop, open_app):
    shop = make_shop()
    page = open_app(shop)
    form = page.locator("[data-form=settings]")
    form.get_by_label("Sender name").fill("Linh's Tea")
    form.get_by_label("Reply-to address").fill("not an address")
    form.get_by_role("button", name="Save settings").click()
    expect(form.locator("[data-status]")).to_contain_text("reply_to must be an email address")
    assert shop_settings.effective(_fresh(shop))["sender_name"] is None

    form.get_by_label("Reply-to address").fill("hello@linhtea.vn")
    form.get_by_role("button", name="Save settings").click()
    expect(form.locator("[data-status]")).to_have_text("Saved")
    saved = shop_settings.effective(_fresh(shop))
    assert saved["sender_name"] == "Linh's Tea" and saved["reply_to"] == "hello@linhtea.vn"


def test_the_import_progress_bar_follows_the_job(make_shop, open_app, shot):
    shop = make_shop()
    job = jobs.enqueue(shop.id, kinds.IMPORT_HISTORY, unique_key="install")
    job.state, job.data = "running", {"done": 300, "total": 1200, "phase": "orders"}
    db.session.commit()
    page = open_app(shop)
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "25")
    expect(page.locator("[data-import-text]")).to_contain_text("300 of 1,200")
    shot(page, "running")

    job.data = {"done": 900, "total": 1200, "phase": "orders"}
    db.session.commit()
    expect(bar).to_have_attribute("aria-valuenow", "75")
    job.state = "done"
    db.session.commit()
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("[data-import-text]")).to_have_text("Order history imported.")


def test_an_expired_session_offers_to_reopen_and_changes_nothing(make_shop, page, live_app):
    shop = make_shop()
    # Still inside the server's 10 s leeway, so the page loads; the page itself sees it has expired.
    token = session_token(shop.domain, exp=int(time.time()) - 8)
    page.goto(f"{live_app}/app?shop={shop.domain}&host=c2FuZGJveA&id_token={token}")
    page.locator('[data-key="winback"]').get_by_role("switch").click()
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Your session has expired.")
    expect(banner.get_by_role("link", name="Reopen Comeback")).to_have_attribute(
        "href", f"https://{shop.domain}/admin/apps/test-api-key?locale=en"
    )
    assert automation_settings.values(_fresh(shop), "winback")["enabled"] is False


def test_usable_on_a_phone(make_shop, browser, live_app, shot):
    shop = make_shop()
    shop.locale = "vi"  # no locale in the URL: the shop's language decides
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    offline(context)
    page = context.new_page()
    page.goto(f"{live_app}/app?shop={shop.domain}&host=c2FuZGJveA&id_token={session_token(shop.domain)}")
    expect(page.get_by_role("heading", name="Tự động hóa")).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The Results table shows every column, Revenue included, without sideways scrolling.
    wrap = page.locator("#results-title + .table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    page.locator('[data-key="abandoned_cart"]').get_by_role("switch").tap()
    expect(page.locator('[data-key="abandoned_cart"]').get_by_role("switch")).to_have_attribute("aria-checked", "true")
    shot(page, "phone")
    context.close()


def test_the_merchant_sees_learned_usage_periods_and_corrects_one(make_shop, open_app, shot):
    from datetime import datetime
    from decimal import Decimal

    from app.customers.models import Customer, Order, OrderLine, Product
    from app.lifecycle import usage

    shop = make_shop()
    db.session.add(Product(shop_id=shop.id, id=7, title="Cà phê rang xay", price=Decimal("15")))
    for n in range(1, 6):  # five customers bought it again after 30 days: a learned period of 30 days
        db.session.add(Customer(shop_id=shop.id, id=n, email=f"c{n}@example.com"))
        for order, placed in ((n * 10, datetime(2026, 1, 1)), (n * 10 + 1, datetime(2026, 1, 31))):
            db.session.add(Order(shop_id=shop.id, id=order, customer_id=n, placed_at=placed, total=Decimal("15")))
            db.session.add(OrderLine(shop_id=shop.id, order_id=order, position=0, product_id=7, quantity=1))
    db.session.commit()
    usage.forget(shop.id)

    page = open_app(shop, locale="vi")
    card = page.locator('[data-key="replenishment"]')
    row = card.locator('tr[data-product="7"]')
    expect(row.locator("th")).to_contain_text("Cà phê rang xay")
    expect(row.locator("[data-suggested]")).to_have_text("30 ngày")
    expect(row.locator("[data-value]")).to_have_text("–")
    periods = card.locator('textarea[name="products"]')
    periods.fill("7: 21")
    periods.press("Tab")
    expect(card.locator("[data-status]")).to_have_text("Đã lưu")
    expect(row.locator("[data-value]")).to_have_text("21 ngày")
    shot(page, "learned-periods")
    periods.fill("7: 21\n999: 30")
    periods.press("Tab")
    expect(card.locator("[data-status]")).to_contain_text("cửa hàng không có sản phẩm mã 999")
    assert automation_settings.as_json(_fresh(shop), "replenishment")["products"] == {"7": 21}
