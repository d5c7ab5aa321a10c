"""Installing Comeback into a store: the happy path and every way it can fail."""

import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import Job
from app.shops.models import Shop
from tests.support.install import signed_query

SHOP = "demo-shop.myshopify.com"


def shop_count():
    return db.session.scalar(select(func.count()).select_from(Shop))


def test_install_stores_encrypted_token_and_reads_the_shop_and_subscribes_to_nothing_per_shop(app, install, sandbox):
    answer = install(SHOP)

    assert answer.status_code == 302
    assert answer.location.startswith(f"/app?shop={SHOP}&host=")
    shop = db.session.scalar(select(Shop).where(Shop.domain == SHOP))
    store_shop = sandbox.shop(SHOP)
    live_token = next(t for t, g in sandbox.grants.items() if g.shop == SHOP)
    assert shop.access_token == live_token
    assert live_token not in shop.access_token_enc  # encrypted at rest
    assert shop.refresh_token and shop.token_expires_at is not None
    assert shop.name == store_shop.name and shop.timezone == "America/New_York" and shop.currency == "USD"
    assert shop.country_code == "US" and shop.address.get("city")
    # Every topic is declared in shopify.app.toml: a per-shop subscription would deliver each event twice.
    assert store_shop.subscriptions == []
    assert not [c for c in store_shop.api_calls if "webhookSubscriptionCreate" in c.operation]
    kinds = set(db.session.scalars(select(Job.kind).where(Job.shop_id == shop.id)))
    assert {"import_history", "reconcile", "refresh_token"} <= kinds


def test_vietnamese_shop_gets_vietnamese_as_its_language(install):
    install("cua-hang-viet.myshopify.com")
    shop = db.session.scalar(select(Shop).where(Shop.domain == "cua-hang-viet.myshopify.com"))
    assert shop.locale == "vi" and shop.timezone == "Asia/Ho_Chi_Minh" and shop.currency == "VND"


def test_reinstall_replaces_the_token_and_keeps_settings(install, sandbox):
    install(SHOP)
    shop = db.session.scalar(select(Shop).where(Shop.domain == SHOP))
    shop.settings = {"sender_name": "Hoa"}
    first_token = shop.access_token
    db.session.commit()

    assert install(SHOP).status_code == 302
    db.session.expire_all()
    shop = db.session.scalar(select(Shop).where(Shop.domain == SHOP))
    assert shop.access_token != first_token
    assert shop.settings == {"sender_name": "Hoa"}
    assert shop_count() == 1


def test_install_redirects_to_the_store_consent_page(app, client, sandbox):
    answer = client.get("/auth/install?" + signed_query({"shop": SHOP}, app.config["SHOPIFY_API_SECRET"]))
    target = urlsplit(answer.location)
    query = dict(parse_qsl(target.query))
    assert answer.status_code == 302
    assert target.path.endswith(f"/{SHOP}/admin/oauth/authorize")
    assert query["client_id"] == app.config["SHOPIFY_API_KEY"]
    assert query["scope"] == ",".join(app.config["SHOPIFY_SCOPES"])
    assert query["redirect_uri"] == app.config["APP_URL"] + "/auth/callback"
    assert query["state"] and "comeback_oauth_state" in answer.headers["Set-Cookie"]


def test_the_app_url_with_a_signed_query_starts_the_install(app, client, sandbox):
    answer = client.get(
        "/?" + signed_query({"shop": SHOP, "host": "abc", "embedded": "1"}, app.config["SHOPIFY_API_SECRET"])
    )
    assert answer.status_code == 302 and "/admin/oauth/authorize" in answer.location


def test_the_app_url_opens_the_settings_page_once_installed(app, client, install):
    install(SHOP)
    answer = client.get("/?" + signed_query({"shop": SHOP, "host": "abc"}, app.config["SHOPIFY_API_SECRET"]))
    assert answer.status_code == 302 and answer.location.startswith(f"/app?shop={SHOP}")


@pytest.mark.parametrize(
    "tamper, status",
    [
        (lambda q: {**q, "hmac": "0" * 64}, 401),
        (lambda q: {**q, "shop": "evil.example.com"}, 401),  # changing any field breaks the signature
        (lambda q: {k: v for k, v in q.items() if k != "hmac"}, 401),
    ],
)
def test_install_link_with_a_bad_signature_is_refused(app, client, tamper, status):
    query = dict(parse_qsl(signed_query({"shop": SHOP}, app.config["SHOPIFY_API_SECRET"])))
    answer = client.get("/auth/install", query_string=tamper(query))
    assert answer.status_code == status
    assert "Location" not in answer.headers  # not sent on to the store's consent page
    assert "comeback_oauth_state" not in answer.headers.get("Set-Cookie", "")


def test_stale_install_link_is_refused(app, client):
    query = signed_query(
        {"shop": SHOP, "timestamp": str(int(time.time()) - 25 * 3600)}, app.config["SHOPIFY_API_SECRET"]
    )
    answer = client.get("/auth/install?" + query)
    assert answer.status_code == 401 and b"expired" in answer.data


@pytest.mark.parametrize(
    "domain",
    [
        "evil.example.com",
        "shop.myshopify.com.evil.com",
        "-x.myshopify.com",
        "UPPER.myshopify.com",
        "a.myshopify.com/../x",
    ],
)
def test_foreign_shop_domain_is_refused_even_when_signed(app, client, domain):
    answer = client.get("/auth/install?" + signed_query({"shop": domain}, app.config["SHOPIFY_API_SECRET"]))
    assert answer.status_code == 400
    assert "Location" not in answer.headers  # not sent on to the store's consent page
    assert "comeback_oauth_state" not in answer.headers.get("Set-Cookie", "")


def _callback_query(app, client, sandbox, domain=SHOP):
    """Start an install and approve it in the store; returns the callback query dict."""
    import requests

    start = client.get("/auth/install?" + signed_query({"shop": domain}, app.config["SHOPIFY_API_SECRET"]))
    approve = requests.post(
        start.location.split("?")[0],
        data=dict(parse_qsl(urlsplit(start.location).query)),
        allow_redirects=False,
        timeout=10,
    )
    return dict(parse_qsl(urlsplit(approve.headers["Location"]).query))


def test_callback_with_a_wrong_state_is_refused(app, client, sandbox):
    query = _callback_query(app, client, sandbox)
    query["state"] = "not-the-nonce"
    resigned = signed_query({k: v for k, v in query.items() if k != "hmac"}, app.config["SHOPIFY_API_SECRET"])
    answer = client.get("/auth/callback?" + resigned)
    assert answer.status_code == 401
    assert shop_count() == 0


def test_callback_without_the_state_cookie_is_refused(app, client, sandbox):
    query = _callback_query(app, client, sandbox)
    client.delete_cookie("comeback_oauth_state")
    answer = client.get("/auth/callback", query_string=query)
    assert answer.status_code == 401
    assert shop_count() == 0


def test_callback_with_a_forged_hmac_is_refused(app, client, sandbox):
    query = _callback_query(app, client, sandbox)
    query["code"] = "stolen-code"
    answer = client.get("/auth/callback", query_string=query)
    assert answer.status_code == 401
    assert shop_count() == 0


def test_downgraded_scope_is_refused_and_nothing_stored(install):
    answer = install(SHOP, scope_override="read_orders,read_customers")
    assert answer.status_code == 400
    assert b"read_products" in answer.data
    assert shop_count() == 0


@pytest.mark.parametrize("fault", ["500", "bad_scope"])
def test_token_endpoint_failure_leaves_nothing_stored(install, sandbox, fault):
    sandbox.shop(SHOP).faults["access_token"] = fault
    answer = install(SHOP)
    assert answer.status_code == 400
    assert shop_count() == 0


def test_token_endpoint_timeout_leaves_nothing_stored(app, install, sandbox):
    app.config["HTTP_TIMEOUT"] = 1
    sandbox.fault_sleep = 2.5
    sandbox.shop(SHOP).faults["access_token"] = "timeout"
    answer = install(SHOP)
    assert answer.status_code == 400 and b"in time" in answer.data
    assert shop_count() == 0


def test_code_cannot_be_used_twice(app, client, sandbox):
    query = _callback_query(app, client, sandbox)
    assert client.get("/auth/callback", query_string=query).status_code == 302
    # The cookie is gone after a successful install, so a replay is refused before the store is asked.
    assert client.get("/auth/callback", query_string=query).status_code == 401


def test_customer_topics_are_declared_with_the_birthday_namespace(install, sandbox):
    """So each customers/create and customers/update body carries the `facts.birth_date` metafield:
    the toml asks for the namespace, and nothing is subscribed per shop (it would arrive twice)."""
    install(SHOP)
    declared = sandbox.app_config
    for topic in ("customers/create", "customers/update"):
        assert [s.metafield_namespaces for s in declared.subscriptions_for(topic)] == [("facts",)]
    assert [s.metafield_namespaces for s in declared.subscriptions_for("orders/create")] == [()]
    assert sandbox.shop(SHOP).subscriptions == []
