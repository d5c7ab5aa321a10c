"""The sandbox holding the app's shopify.app.toml: managed installation, token exchange,
optional scopes, toml subscriptions (include_fields, metafield_namespaces), marketing activities."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox import create_sandbox
from sandbox.oauth import session_token
from sandbox.server import serve
from tests.sandbox.helpers import API_KEY, API_SECRET, DEMO, SCOPES

TOML = Path(__file__).resolve().parents[2] / "shopify.app.toml"
EXCHANGE = {
    "client_id": API_KEY,
    "client_secret": API_SECRET,
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
    "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
    "expiring": 1,
}


@pytest.fixture
def sandbox(receiver, clock):
    app = create_sandbox(API_KEY, API_SECRET, receiver.url, seed=7, now=clock, app_toml=TOML)
    running = serve(app)
    yield app
    running.shutdown()
    app.extensions["sandbox"].wait_idle()
    app.extensions["sandbox"].close()


def managed_install(client, shop) -> str:
    """Open the app from the admin (Shopify installs it); returns the session token it carries."""
    r = client.get(f"/{shop.domain}/open-app")
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    return query["id_token"][0]


def exchange(client, token: str, domain: str = DEMO):
    return client.post(f"/{domain}/admin/oauth/access_token", json={**EXCHANGE, "subject_token": token})


def test_opening_the_app_installs_it_with_the_toml_scopes_and_the_token_exchanges(client, shop):
    token = managed_install(client, shop)
    assert shop.installed_scope == SCOPES
    r = exchange(client, token)
    assert r.status_code == 200
    assert r.json["scope"] == SCOPES and r.json["expires_in"] == 3600 and r.json["refresh_token"]


def test_install_code_leaves_the_install_to_the_app(client, shop):
    r = client.get(f"/{shop.domain}/open-app?install=code")
    assert "id_token" not in r.headers["Location"] and shop.installed_scope is None


@pytest.mark.parametrize("case", ["forged", "not installed", "other shop", "wrong type"])
def test_token_exchange_refuses_what_shopify_refuses(sandbox, client, shop, store, case):
    with sandbox.app_context():
        token = managed_install(client, shop) if case != "not installed" else session_token(shop)
    body = {**EXCHANGE, "subject_token": token}
    if case == "forged":
        body["subject_token"] = token[:-4] + "AAAA"
    if case == "wrong type":
        body["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token"
    domain = "cua-hang-viet.myshopify.com" if case == "other shop" else DEMO
    if case == "other shop":
        store.shop(domain).installed_scope = SCOPES
    r = client.post(f"/{domain}/admin/oauth/access_token", json=body)
    assert r.status_code == 400 and r.json["error"] in ("invalid_subject_token", "invalid_request")
    assert not [g for g in store.grants.values() if g.shop == domain]


def test_toml_subscriptions_deliver_trimmed_bodies_once_per_event(client, shop, receiver, store):
    managed_install(client, shop)
    buyer = shop.create_customer("an@example.com", first_name="An")
    buyer.seed_metafield("facts", "birth_date", "1990-04-02", "date", buyer.created_at)
    buyer.seed_metafield("loyalty", "tier", "gold", "single_line_text_field", buyer.created_at)
    shop.update_customer(buyer, phone="+1 555 0100")
    shop.place_order(buyer, [(next(iter(shop.products.values())), 1)])
    store.wait_idle()

    assert receiver.topics().count("orders/create") == 1
    order = next(json.loads(c["body"]) for c in receiver.calls if c["headers"]["X-Shopify-Topic"] == "orders/create")
    assert "shipping_address" not in order and "phone" not in order and "payment_gateway_names" not in order
    assert set(order["customer"]) <= {"id", "email", "first_name"}
    assert set(order["line_items"][0]) <= {
        "product_id",
        "variant_id",
        "quantity",
        "current_quantity",
        "title",
        "name",
        "variant_title",
        "price",
    }
    update = next(
        json.loads(c["body"]) for c in receiver.calls if c["headers"]["X-Shopify-Topic"] == "customers/update"
    )
    assert "phone" not in update and "addresses" not in update
    assert [(m["namespace"], m["key"], m["value"]) for m in update["metafields"]] == [
        ("facts", "birth_date", "1990-04-02")
    ]
    assert all(c["headers"]["X-Shopify-API-Version"] == "2026-10" for c in receiver.calls)


def test_no_toml_deliveries_before_the_app_is_installed(shop, receiver, store):
    shop.create_customer("nobody@example.com")
    store.wait_idle()
    assert receiver.calls == []


def test_granting_an_optional_scope_updates_live_tokens_and_sends_scopes_update(client, shop, receiver, store):
    access = exchange(client, managed_install(client, shop)).json["access_token"]
    query = {"client_id": API_KEY, "scope": "write_customers"}
    assert client.get(f"/{DEMO}/admin/oauth/request_scopes", query_string=query).status_code == 200
    r = client.post(f"/{DEMO}/admin/oauth/request_scopes", query_string=query, data={"decision": "grant"})
    assert r.status_code == 302 and "id_token=" in r.headers["Location"]
    store.wait_idle()

    assert "write_customers" in store.grants[access].scope.split(",")
    update = next(
        json.loads(c["body"]) for c in receiver.calls if c["headers"]["X-Shopify-Topic"] == "app/scopes_update"
    )
    assert "write_customers" in update["current"] and "write_customers" not in update["previous"]


def test_only_the_toml_optional_scopes_can_be_requested(client, shop):
    managed_install(client, shop)
    r = client.get(f"/{DEMO}/admin/oauth/request_scopes", query_string={"client_id": API_KEY, "scope": "write_orders"})
    assert r.status_code == 400


def test_marketing_activity_and_engagement_need_write_marketing_events(client, shop, store):
    access = exchange(client, managed_install(client, shop)).json["access_token"]

    def gql(query, variables):
        return client.post(
            f"/{DEMO}/admin/api/2026-10/graphql.json",
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": access},
        ).json

    upsert = """mutation Up($input: MarketingActivityUpsertExternalInput!) {
      marketingActivityUpsertExternal(input: $input) { marketingActivity { id title tactic } userErrors { field message } } }"""
    activity = {
        "remoteId": "comeback-winback",
        "title": "Win-back",
        "status": "ACTIVE",
        "remoteUrl": "https://comeback.example.com/app",
        "tactic": "NEWSLETTER",
        "marketingChannelType": "EMAIL",
        "utm": {"campaign": "comeback-winback", "source": "comeback", "medium": "email"},
    }
    denied = gql(upsert, {"input": activity})
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"

    client.post(
        f"/{DEMO}/admin/oauth/request_scopes",
        query_string={"client_id": API_KEY, "scope": "write_marketing_events"},
        data={"decision": "grant"},
    )
    made = gql(upsert, {"input": activity})["data"]["marketingActivityUpsertExternal"]
    assert made["userErrors"] == [] and made["marketingActivity"]["title"] == "Win-back"
    again = gql(upsert, {"input": {**activity, "title": "Win-back (bestsellers)"}})["data"]
    assert again["marketingActivityUpsertExternal"]["marketingActivity"]["id"] == made["marketingActivity"]["id"]

    engage = """mutation E($remoteId: String, $e: MarketingEngagementInput!) {
      marketingEngagementCreate(remoteId: $remoteId, marketingEngagement: $e) {
        marketingEngagement { occurredOn sendsCount orders sales { amount currencyCode } } userErrors { message } } }"""
    day = {
        "occurredOn": "2026-06-14",
        "utcOffset": "-04:00",
        "sendsCount": 12,
        "uniqueViewsCount": 5,
        "uniqueClicksCount": 2,
        "orders": "1",
        "sales": {"amount": "40.00", "currencyCode": "USD"},
    }
    result = gql(engage, {"remoteId": "comeback-winback", "e": day})["data"]["marketingEngagementCreate"]
    assert result["userErrors"] == [] and result["marketingEngagement"]["sendsCount"] == 12
    assert shop.marketing_activities["comeback-winback"]["engagements"]["2026-06-14"]["uniqueClicksCount"] == 2
    missing = gql(engage, {"remoteId": "nope", "e": day})["data"]["marketingEngagementCreate"]
    assert missing["userErrors"] and missing["marketingEngagement"] is None
