"""The Admin GraphQL endpoint: Shopify's field names and errors, cost and throttling, paging, mutations."""

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from sandbox.throttle import Bucket
from tests.sandbox.helpers import install

SHOP_QUERY = """{ shop { id name email contactEmail currencyCode ianaTimezone primaryDomain { host url }
  billingAddress { address1 address2 city province zip country countryCodeV2 } myshopifyDomain }
  shopLocales { locale primary published } }"""


def test_shop_and_locales(gql):
    data = gql(SHOP_QUERY)["data"]
    assert data["shop"]["id"].startswith("gid://shopify/Shop/")
    assert (data["shop"]["currencyCode"], data["shop"]["ianaTimezone"]) == ("USD", "America/New_York")
    assert data["shop"]["billingAddress"]["countryCodeV2"] == "US"
    assert {"locale": "en", "primary": True, "published": True} in data["shopLocales"]


def test_vietnamese_shop(client, store, gql):
    token = install(client, store, domain="cua-hang-viet.myshopify.com")["access_token"]
    data = gql(SHOP_QUERY, access_token=token, domain="cua-hang-viet.myshopify.com")["data"]
    assert (data["shop"]["currencyCode"], data["shop"]["ianaTimezone"]) == ("VND", "Asia/Ho_Chi_Minh")
    assert [loc["locale"] for loc in data["shopLocales"] if loc["primary"]] == ["vi"]


def test_every_answer_carries_its_cost(gql):
    cost = gql("{ shop { name } }")["extensions"]["cost"]
    assert cost["requestedQueryCost"] == cost["actualQueryCost"] == 1
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0
    assert cost["throttleStatus"]["restoreRate"] == 100.0


@pytest.mark.parametrize(
    "query, code, message",
    [
        ("{ shop { name planDisplayName } }", "undefinedField", "Field 'planDisplayName' doesn't exist on type 'Shop'"),
        ("{ customer { id } }", "missingRequiredArguments", "Field 'customer' is missing required arguments: id"),
        ("{ shop(id: 1) { name } }", "argumentNotAccepted", "Field 'shop' doesn't accept argument 'id'"),
        ("{ shop }", "selectionMismatch", "Field must have selections"),
    ],
)
def test_invalid_queries_fail_like_shopify(gql, query, code, message):
    answer = gql(query)
    assert gql.status == 200 and "data" not in answer
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == code
    assert error["message"].startswith(message)
    assert "cost" in answer["extensions"]


def test_unknown_token_is_a_401(gql):
    answer = gql("{ shop { name } }", access_token="shpat_nope")
    assert gql.status == 401
    assert answer == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_missing_scope_is_access_denied(gql, shop):
    customer = next(iter(shop.customers.values()))
    answer = gql(
        """mutation($id: ID!) { customerEmailMarketingConsentUpdate(input: {customerId: $id,
        emailMarketingConsent: {marketingState: UNSUBSCRIBED}}) { userErrors { message } } }""",
        {"id": f"gid://shopify/Customer/{customer.id}"},
    )
    assert answer["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


def test_orders_older_than_60_days_need_read_all_orders(client, store, shop, gql):
    token = install(client, store, scope="read_orders")["access_token"]
    query = "{ orders(first: 250, sortKey: CREATED_AT) { nodes { createdAt } } }"
    dates = [n["createdAt"] for n in gql(query, access_token=token)["data"]["orders"]["nodes"]]
    oldest = (store.now() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert dates and min(dates) >= oldest


def test_paging_customers_visits_each_once(gql, shop):
    seen, after = [], None
    while True:
        page = gql(
            """query($after: String) { customers(first: 80, after: $after, sortKey: UPDATED_AT) {
            edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }""",
            {"after": after},
        )
        conn = page["data"]["customers"]
        seen += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == len(shop.customers)


def test_orders_filtered_by_updated_at(gql, shop, store):
    since = store.now() - timedelta(days=7)
    query = """query($q: String) { orders(first: 50, query: $q) { nodes { id updatedAt customer { id }
        totalPriceSet { shopMoney { amount currencyCode } } lineItems(first: 3) { nodes { title quantity
        originalUnitPriceSet { shopMoney { amount } } } } } } }"""
    nodes = gql(query, {"q": f"updated_at:>'{since.isoformat()}'"})["data"]["orders"]["nodes"]
    assert len(nodes) == sum(1 for o in shop.orders.values() if o.updated_at > since) > 0
    assert all(n["totalPriceSet"]["shopMoney"]["currencyCode"] == "USD" for n in nodes)


def test_customer_fields_and_consent(gql, shop):
    c = next(c for c in shop.customers.values() if c.orders and c.marketing_state == "SUBSCRIBED")
    node = gql(
        """query($id: ID!) { customer(id: $id) { id email firstName lastName locale createdAt updatedAt
        numberOfOrders amountSpent { amount currencyCode } defaultEmailAddress { emailAddress marketingState
        marketingOptInLevel marketingUpdatedAt } } }""",
        {"id": f"gid://shopify/Customer/{c.id}"},
    )["data"]["customer"]
    assert node["numberOfOrders"] == str(len(c.orders))
    assert node["defaultEmailAddress"]["marketingState"] == "SUBSCRIBED"
    assert node["amountSpent"]["amount"].replace(".", "").isdigit()


def test_products_with_media_and_variants(gql):
    nodes = gql("""{ products(first: 50) { nodes { id handle status onlineStoreUrl totalInventory
        featuredMedia { preview { image { url altText } } } featuredImage { url }
        priceRangeV2 { minVariantPrice { amount currencyCode } } variants(first: 5) { nodes { id price } } } } }""")[
        "data"
    ]["products"]["nodes"]
    assert {n["status"] for n in nodes} == {"ACTIVE", "DRAFT", "ARCHIVED"}
    assert all(n["onlineStoreUrl"] is None for n in nodes if n["status"] != "ACTIVE")
    assert any(n["totalInventory"] == 0 for n in nodes)
    assert all(n["featuredImage"]["url"].endswith(f"/static/img/{n['handle']}.svg") for n in nodes)


def test_connections_need_first_or_last(gql):
    assert gql("{ orders { nodes { id } } }")["errors"][0]["message"] == "you must provide one of first or last"


def test_too_costly_queries_are_refused(gql):
    answer = gql("{ orders(first: 250) { nodes { id lineItems(first: 50) { nodes { id } } } } }")
    assert answer["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_throttled_when_the_bucket_is_empty(gql, shop):
    shop.bucket = Bucket(maximum=30.0, restore_rate=1.0)
    query = "{ customers(first: 10) { nodes { id amountSpent { amount } } } }"  # costs 2 + 10 * 2 = 22
    assert "data" in gql(query)
    answer = gql(query)
    assert answer["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    status = answer["extensions"]["cost"]["throttleStatus"]
    assert status["maximumAvailable"] == 30.0 and status["currentlyAvailable"] < 22


def test_throttle_fault_for_the_next_calls(gql, shop):
    shop.faults["graphql"] = "throttle:2"
    codes = [gql("{ shop { name } }").get("errors", [{}])[0].get("extensions", {}).get("code") for _ in range(3)]
    assert codes == ["THROTTLED", "THROTTLED", None]


def test_server_error_fault(gql, shop):
    shop.faults["graphql"] = "500"
    gql("{ shop { name } }")
    assert gql.status == 500


SUBSCRIBE = """mutation($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri } userErrors { field message } } }"""


def test_webhook_subscriptions(gql, shop, store):
    uri = f"{store.app_url}/webhooks/shopify"
    created = gql(SUBSCRIBE, {"topic": "ORDERS_CREATE", "uri": uri})["data"]["webhookSubscriptionCreate"]
    assert created["userErrors"] == [] and created["webhookSubscription"]["topic"] == "ORDERS_CREATE"
    again = gql(SUBSCRIBE, {"topic": "ORDERS_CREATE", "uri": uri})["data"]["webhookSubscriptionCreate"]
    assert again["userErrors"][0]["message"] == "Address for this topic has already been taken"
    legacy = gql(
        """mutation { webhookSubscriptionCreate(topic: APP_UNINSTALLED, webhookSubscription:
        {callbackUrl: "%s", format: JSON}) { userErrors { message } } }"""
        % uri
    )
    assert legacy["data"]["webhookSubscriptionCreate"]["userErrors"] == []
    listed = gql("{ webhookSubscriptions(first: 10) { nodes { topic uri } } }")["data"]["webhookSubscriptions"]["nodes"]
    assert {n["topic"] for n in listed} == {"ORDERS_CREATE", "APP_UNINSTALLED"}


DISCOUNT = """mutation($input: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $input) {
  codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title codes(first: 1) { nodes { code } } } } }
  userErrors { field code message } } }"""


def discount_input(customer_id, code="COMEBACK-7QX2"):
    return {
        "title": "Win-back 10%",
        "code": code,
        "startsAt": "2026-06-15T12:00:00Z",
        "endsAt": "2026-07-15T12:00:00Z",
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
        "context": {"customers": {"add": [f"gid://shopify/Customer/{customer_id}"]}},
        "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}},
    }


def test_discount_codes(gql, shop):
    customer = next(iter(shop.customers.values()))
    made = gql(DISCOUNT, {"input": discount_input(customer.id)})["data"]["discountCodeBasicCreate"]
    assert made["userErrors"] == []
    assert made["codeDiscountNode"]["codeDiscount"]["codes"]["nodes"] == [{"code": "COMEBACK-7QX2"}]
    (recorded,) = shop.discount_codes
    assert (recorded.customer_ids, recorded.percentage, recorded.usage_limit) == ([customer.id], 0.1, 1)
    taken = gql(DISCOUNT, {"input": discount_input(customer.id)})["data"]["discountCodeBasicCreate"]
    assert taken["userErrors"][0]["code"] == "TAKEN"
    shop.faults["discount"] = "user_errors:1"
    failed = gql(DISCOUNT, {"input": discount_input(customer.id, "OTHER")})["data"]["discountCodeBasicCreate"]
    assert failed["codeDiscountNode"] is None and failed["userErrors"]


def test_older_customer_selection_input(gql, shop):
    given = discount_input(next(iter(shop.customers)))
    given["customerSelection"] = given.pop("context")
    assert gql(DISCOUNT, {"input": given})["data"]["discountCodeBasicCreate"]["userErrors"] == []


def test_consent_update_sends_its_webhook(client, store, shop, receiver):
    token = install(client, store, scope="read_customers,write_customers")["access_token"]
    store.shop(shop.domain).subscriptions.clear()
    r = client.post(
        f"/{shop.domain}/admin/api/2026-10/graphql.json",
        headers={"X-Shopify-Access-Token": token},
        json={
            "query": SUBSCRIBE,
            "variables": {
                "topic": "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE",
                "uri": f"{receiver.url}/webhooks/shopify",
            },
        },
    )
    assert r.json["data"]["webhookSubscriptionCreate"]["userErrors"] == []
    customer = next(c for c in shop.customers.values() if c.marketing_state == "SUBSCRIBED")
    r = client.post(
        f"/{shop.domain}/admin/api/2026-10/graphql.json",
        headers={"X-Shopify-Access-Token": token},
        json={
            "query": """mutation($id: ID!) { customerEmailMarketingConsentUpdate(input: {customerId: $id,
                          emailMarketingConsent: {marketingState: UNSUBSCRIBED, marketingOptInLevel: SINGLE_OPT_IN}})
                          { customer { id defaultEmailAddress { marketingState } } userErrors { field message } } }""",
            "variables": {"id": f"gid://shopify/Customer/{customer.id}"},
        },
    )
    payload = r.json["data"]["customerEmailMarketingConsentUpdate"]
    assert payload["customer"]["defaultEmailAddress"]["marketingState"] == "UNSUBSCRIBED"
    store.wait_idle()
    assert receiver.topics() == ["customers_email_marketing_consent/update"]
    assert shop.consent_changes[-1].source == "api"


CHECKOUTS = """query($q: String, $after: String) { abandonedCheckouts(first: 2, after: $after, query: $q) {
  nodes { id name abandonedCheckoutUrl createdAt updatedAt completedAt customer { email } discountCodes
    totalPriceSet { shopMoney { amount currencyCode } } subtotalPriceSet { shopMoney { amount } } }
  pageInfo { hasNextPage endCursor } } }"""


def checkouts(gql, q=None, after=None) -> dict:
    return gql(CHECKOUTS, {"q": q, "after": after})["data"]["abandonedCheckouts"]


def test_abandoned_checkouts_updated_since_include_silent_changes(gql, shop, clock, receiver):
    gql(SUBSCRIBE, {"topic": "CHECKOUTS_UPDATE", "uri": f"{receiver.url}/webhooks/shopify"})
    since = clock() - timedelta(hours=2)
    old = shop.start_checkout(
        "old@example.com", [("japanese-sencha", 1)], updated_at=since - timedelta(days=1), notify=False
    )
    missed = shop.start_checkout("missed@example.com", [("stoneware-mug", 1)], updated_at=since, notify=False)
    shop.update_checkout(old.token, at=clock(), items=[("japanese-sencha", 3)], notify=False)
    assert receiver.calls == [] and shop.deliveries == []
    after = checkouts(gql, f"updated_at:>'{since.isoformat()}'")["nodes"]
    assert [(n["name"], n["updatedAt"]) for n in after] == [(old.name, "2026-06-15T12:00:00Z")]
    assert after[0]["createdAt"] == "2026-06-14T10:00:00Z" and after[0]["customer"]["email"] == "old@example.com"
    since_on = checkouts(gql, f"updated_at:>='{since.isoformat()}'")["nodes"]
    assert {n["name"] for n in since_on} == {old.name, missed.name}
    assert all(n["completedAt"] is None and n["discountCodes"] == [] for n in since_on)


def test_paging_abandoned_checkouts_visits_each_once(gql, shop):
    made = [shop.start_checkout(f"buyer{i}@example.com", [("cold-brew-pouches", 1)]) for i in range(5)]
    seen, after = [], None
    while True:
        page = checkouts(gql, after=after)
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"gid://shopify/AbandonedCheckout/{c.id}" for c in sorted(made, key=lambda c: c.id)]


def test_abandoned_checkout_line_items_and_totals(gql, shop):
    shop.start_checkout("lines@example.com", [("stoneware-mug", 2), ("house-espresso-blend", 1)])
    (node,) = gql("""{ abandonedCheckouts(first: 5) { nodes { totalPriceSet { shopMoney { amount } }
        lineItems(first: 5) { nodes { id title variantTitle quantity product { handle } variant { id price }
        originalUnitPriceSet { shopMoney { amount currencyCode } } } } } } }""")["data"]["abandonedCheckouts"]["nodes"]
    mug, espresso = node["lineItems"]["nodes"]
    sand, small = (shop.product(h).variants[0] for h in ("stoneware-mug", "house-espresso-blend"))
    assert mug["id"].startswith("gid://shopify/AbandonedCheckoutLineItem/")
    assert (mug["title"], mug["variantTitle"], mug["quantity"]) == ("Stoneware Mug", "Sand", 2)
    assert (espresso["product"]["handle"], espresso["variantTitle"]) == ("house-espresso-blend", "250g")
    assert espresso["variant"]["id"] == f"gid://shopify/ProductVariant/{small.id}"
    assert Decimal(mug["originalUnitPriceSet"]["shopMoney"]["amount"]) == sand.price
    assert Decimal(node["totalPriceSet"]["shopMoney"]["amount"]) == 2 * sand.price + small.price


def test_abandoned_checkout_matches_its_webhook(gql, shop, receiver):
    gql(SUBSCRIBE, {"topic": "CHECKOUTS_UPDATE", "uri": f"{receiver.url}/webhooks/shopify"})
    shop.start_checkout("same@example.com", [("japanese-sencha", 1)])
    body = json.loads(receiver.calls[-1]["body"])
    (node,) = checkouts(gql)["nodes"]
    assert node["abandonedCheckoutUrl"] == body["abandoned_checkout_url"]
    assert node["name"] == body["name"]
    assert datetime.fromisoformat(node["updatedAt"]) == datetime.fromisoformat(body["updated_at"])


def test_completed_checkout_is_listed_with_completed_at(gql, shop, clock):
    c = shop.start_checkout("paid@example.com", [("japanese-sencha", 1)], updated_at=clock() - timedelta(hours=3))
    shop.complete_checkout(c.token, notify=False)
    (node,) = checkouts(gql)["nodes"]
    assert node["completedAt"] == node["updatedAt"] == "2026-06-15T12:00:00Z"
    found = gql(
        """query($id: ID!) { node(id: $id) { ... on AbandonedCheckout { name completedAt } } }""", {"id": node["id"]}
    )["data"]["node"]
    assert found == {"name": c.name, "completedAt": "2026-06-15T12:00:00Z"}


def test_abandoned_checkouts_need_read_orders(client, store, gql):
    token = install(client, store, scope="read_customers")["access_token"]
    (error,) = gql("{ abandonedCheckouts(first: 5) { nodes { id } } }", access_token=token)["errors"]
    assert error["message"] == (
        "Access denied for abandonedCheckouts field. Required access: `read_orders` access scope."
    )
    assert error["extensions"]["code"] == "ACCESS_DENIED"


def test_abandoned_checkouts_have_shopifys_sort_keys_only(gql):
    answer = gql("{ abandonedCheckouts(first: 5, sortKey: UPDATED_AT) { nodes { id } } }")
    assert "data" not in answer and answer["errors"][0]["extensions"]["code"] == "argumentLiteralsIncompatible"


FREE_SHIPPING = """mutation($input: DiscountCodeFreeShippingInput!) {
  discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
    codeDiscountNode { id codeDiscount { __typename ... on DiscountCodeFreeShipping { title summary
      codes(first: 1) { nodes { code } } } } }
    userErrors { field code message } } }"""


def free_shipping_input(customer_id, code="COMEBACK-SHIP", destination=None):
    given = discount_input(customer_id, code)
    given.pop("customerGets")
    given["destination"] = destination or {"all": True}
    return given


def test_free_shipping_codes(gql, shop):
    customer = next(iter(shop.customers.values()))
    made = gql(FREE_SHIPPING, {"input": free_shipping_input(customer.id)})["data"]["discountCodeFreeShippingCreate"]
    assert made["userErrors"] == []
    node = made["codeDiscountNode"]["codeDiscount"]
    assert node["__typename"] == "DiscountCodeFreeShipping"
    assert node["summary"] == "Free shipping on all products • For all countries"
    assert node["codes"]["nodes"] == [{"code": "COMEBACK-SHIP"}]
    (recorded,) = shop.discount_codes
    assert recorded.free_shipping and recorded.percentage is None
    assert (recorded.customer_ids, recorded.usage_limit) == ([customer.id], 1)

    # One code namespace for every kind of discount, as in Shopify.
    taken = gql(DISCOUNT, {"input": discount_input(customer.id, "COMEBACK-SHIP")})["data"]["discountCodeBasicCreate"]
    assert taken["userErrors"][0]["code"] == "TAKEN"
    both = free_shipping_input(customer.id, "OTHER", {"all": True, "countries": {"add": ["VN"]}})
    refused = gql(FREE_SHIPPING, {"input": both})["data"]["discountCodeFreeShippingCreate"]
    assert refused["userErrors"][0]["field"] == ["freeShippingCodeDiscount", "destination"]
    stranger = gql(FREE_SHIPPING, {"input": free_shipping_input(999999, "THIRD")})["data"]
    assert stranger["discountCodeFreeShippingCreate"]["userErrors"][0]["code"] == "INVALID"
