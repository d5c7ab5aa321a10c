"""The page inside the Shopify admin (a stand-in `shopify` global where App Bridge's script would
be) and outside it (its own tabs, save bar and toasts), in Chromium."""

import json

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.shops import settings as shop_settings
from tests.settings.tokens import session_token

pytestmark = pytest.mark.browser

APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js"

#: What App Bridge puts on `window.shopify`, recording each call. idToken answers a token the test signed.
STAND_IN = """
window.__calls = [];
function record(name) { return function () {
  window.__calls.push([name].concat(Array.prototype.slice.call(arguments)));
}; }
window.shopify = {
  idToken: function () { window.__calls.push(["idToken"]); return Promise.resolve(TOKEN); },
  toast: { show: record("toast.show") },
  saveBar: { show: record("saveBar.show"), hide: record("saveBar.hide") },
  scopes: { request: function (scopes) {
    window.__calls.push(["scopes.request", scopes]);
    return Promise.resolve({ result: "granted-all", detail: { granted: scopes, required: [], optional: scopes } });
  } }
};
"""


def fresh(shop):
    db.session.expire_all()
    return shop


def calls(page, name):
    return [c[1:] for c in page.evaluate("window.__calls") if c[0] == name]


@pytest.fixture
def admin_page(page, live_app):
    """The page as the admin frames it: App Bridge's script is the stand-in."""

    def open_page(shop, path="/app"):
        token = session_token(shop.domain, lifetime=600)
        script = f"var TOKEN = {json.dumps(token)};" + STAND_IN
        page.route(APP_BRIDGE, lambda route: route.fulfill(body=script, content_type="text/javascript"))
        page.goto(f"{live_app}{path}?shop={shop.domain}&host=c2FuZGJveA&locale=en&embedded=1&id_token={token}")
        return page

    return open_page


def test_inside_the_admin_app_bridge_draws_the_chrome(make_shop, admin_page):
    shop = make_shop()
    page = admin_page(shop)

    assert page.evaluate("document.documentElement.classList.contains('in-admin')")
    expect(page.locator(".tabs")).to_be_hidden()  # the admin's navigation menu instead
    nav = page.locator("s-app-nav s-link")
    assert nav.evaluate_all("links => links.map(l => [l.textContent, l.getAttribute('href')])") == [
        ["Automations", "/app"],
        ["Automations", "/app"],
        ["Retention", "/app/retention"],
        ["Settings", "/app/settings"],
    ]

    switch = page.locator('[data-key="abandoned_cart"]').get_by_role("switch")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    page.wait_for_function("window.__calls.some(c => c[0] === 'toast.show')")
    assert calls(page, "toast.show")[-1] == ["Saved", {"isError": False}]
    assert calls(page, "idToken")  # every API call asks App Bridge for a fresh session token


def test_the_contextual_save_bar_saves_and_discards_the_settings_form(make_shop, admin_page):
    shop = make_shop()
    page = admin_page(shop)
    form = page.locator("[data-form=settings]")

    form.get_by_label("Sender name").fill("Linh's Tea")
    assert calls(page, "saveBar.show") == [["settings-save-bar"]]
    expect(page.locator("#savebar")).to_be_hidden()  # the admin's bar, not the page's
    page.locator("ui-save-bar [variant=primary]").dispatch_event("click")  # the admin's Save
    page.wait_for_function("window.__calls.some(c => c[0] === 'saveBar.hide')")
    assert shop_settings.effective(fresh(shop))["sender_name"] == "Linh's Tea"
    assert ["Saved", {"isError": False}] in calls(page, "toast.show")

    form.get_by_label("Sender name").fill("Someone else")
    page.locator("ui-save-bar button:not([variant])").dispatch_event("click")  # the admin's Discard
    expect(form.get_by_label("Sender name")).to_have_value("Linh's Tea")  # back to what is stored

    form.get_by_label("Reply-to address").fill("not an address")
    page.locator("ui-save-bar [variant=primary]").dispatch_event("click")
    page.wait_for_function("window.__calls.some(c => c[0] === 'toast.show' && c[2].isError)")
    assert shop_settings.effective(fresh(shop))["reply_to"] is None


def test_an_optional_scope_is_asked_through_app_bridge(make_shop, admin_page):
    shop = make_shop()
    page = admin_page(shop)
    access = page.locator("#access")
    expect(access.locator('[data-scope="write_customers"] [data-scope-missing]')).to_contain_text(
        "unsubscribes and birthdays are kept in Comeback only"
    )
    access.locator('[data-scope="write_customers"]').get_by_role("link", name="Allow").click()
    page.wait_for_function("window.__calls.some(c => c[0] === 'scopes.request')")
    assert calls(page, "scopes.request") == [[["write_customers"]]]
    assert page.url.startswith("http://127.0.0.1")  # stayed in the app: App Bridge shows the grant modal


def test_the_settings_entry_opens_the_page_at_the_settings(make_shop, admin_page):
    shop = make_shop()
    page = admin_page(shop, path="/app/settings")
    expect(page.locator("#settings")).to_be_in_viewport()


def test_outside_the_admin_the_page_has_its_own_tabs_save_bar_and_toasts(app, make_shop, page, live_app):
    app.config["SHOPIFY_STORE_URL"] = "http://127.0.0.1:9/{shop}"  # a sandbox store: no App Bridge
    shop = make_shop()
    page.goto(f"{live_app}/app?shop={shop.domain}&host=c2FuZGJveA&locale=vi&id_token={session_token(shop.domain)}")

    tabs = page.locator(".tabs")
    expect(tabs).to_be_visible()
    expect(tabs.get_by_role("link", name="Tự động hóa")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Cài đặt")).to_be_visible()
    expect(tabs.get_by_role("link", name="Giữ chân khách")).to_be_visible()

    form = page.locator("[data-form=settings]")
    form.get_by_label("Tên người gửi").fill("Trà Linh")
    bar = page.locator("#savebar")
    expect(bar).to_be_visible()
    bar.get_by_role("button", name="Bỏ thay đổi").click()
    expect(bar).to_be_hidden()
    expect(form.get_by_label("Tên người gửi")).to_have_value("")

    form.get_by_label("Tên người gửi").fill("Trà Linh")
    bar.get_by_role("button", name="Lưu cài đặt").click()
    expect(page.locator("#toast")).to_have_text("Đã lưu")
    expect(bar).to_be_hidden()
    assert shop_settings.effective(fresh(shop))["sender_name"] == "Trà Linh"

    allow = page.locator('#access [data-scope="write_marketing_events"]').get_by_role("link", name="Cho phép")
    assert "/admin/oauth/request_scopes?client_id=test-api-key&scope=write_marketing_events" in allow.get_attribute(
        "href"
    )


def test_the_retention_entry_opens_the_page_on_its_retention_panel(make_shop, page, live_app):
    shop = make_shop()
    page.goto(
        f"{live_app}/app/retention?shop={shop.domain}&host=c2FuZGJveA&locale=en&id_token={session_token(shop.domain)}"
    )
    expect(page.locator(".tabs").get_by_role("link", name="Retention")).to_have_attribute("aria-current", "page")
    expect(page.locator("#retention")).to_be_visible()
    expect(page.locator("#retention [data-figure]").first).to_be_visible()
    expect(page.locator('[data-panel="automations"]')).to_be_hidden()
