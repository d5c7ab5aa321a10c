"""The store's facts as Shopify serves them: the birthday metafield (read, `metafieldsSet`, in
webhook bodies for subscriptions with `metafieldNamespaces`), product descriptions cut with
`truncateAt`, fulfilments, and the consent a ticked checkout box stamps."""

import json

import pytest

from tests.sandbox.helpers import install

WRITE = "read_orders,read_all_orders,read_customers,write_customers,read_products"
SET = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
  metafields { id namespace key value type updatedAt } userErrors { field message code elementIndex } } }"""
SUBSCRIBE = """mutation($topic: WebhookSubscriptionTopic!, $uri: String!, $ns: [String!]) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON, metafieldNamespaces: $ns}) {
    webhookSubscription { id metafieldNamespaces } userErrors { field message } } }"""


@pytest.fixture
def writer(client, store):
    """A GraphQL poster holding a token with `write_customers`."""
    token = install(client, store, scope=WRITE)["access_token"]

    def post(query, variables=None):
        return client.post(
            f"/{store.shop('demo-shop.myshopify.com').domain}/admin/api/2026-10/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
        ).json

    return post


def birthday(customer_id, value="1991-07-30", **extra):
    return {"ownerId": f"gid://shopify/Customer/{customer_id}", "namespace": "facts", "key": "birth_date", **extra} | {
        "value": value
    }


def test_customers_carry_the_birthday_metafield(gql, shop):
    person = next(c for c in shop.customers.values() if ("facts", "birth_date") in c.metafields)
    query = """query($id: ID!) { customer(id: $id) {
      metafield(namespace: "facts", key: "birth_date") { namespace key value type updatedAt } } }"""
    found = gql(query, {"id": f"gid://shopify/Customer/{person.id}"})["data"]["customer"]["metafield"]
    assert found["type"] == "date" and found["value"] == person.metafields[("facts", "birth_date")].value
    other = next(c for c in shop.customers.values() if not c.metafields)
    assert gql(query, {"id": f"gid://shopify/Customer/{other.id}"})["data"]["customer"]["metafield"] is None


def test_product_description_is_plain_text_cut_at_a_word(gql, shop):
    product = next(iter(shop.products.values()))
    query = """query($id: ID!) { product(id: $id) { productType tags handle description whole: description
      short: description(truncateAt: 20) } }"""
    found = gql(query, {"id": f"gid://shopify/Product/{product.id}"})["data"]["product"]
    assert (found["productType"], found["tags"], found["handle"]) == (
        product.product_type,
        product.tags,
        product.handle,
    )
    assert "<" not in found["description"] and found["description"].startswith(product.title)
    assert len(found["short"]) <= 21 and found["short"].endswith("…")


def test_orders_list_their_fulfilments(gql, shop):
    order = next(o for o in shop.orders.values() if not o.fulfillments)
    shop.fulfill_order(order)
    query = """query($id: ID!) { order(id: $id) { processedAt displayFulfillmentStatus
      fulfillments { id name status createdAt } } }"""
    found = gql(query, {"id": f"gid://shopify/Order/{order.id}"})["data"]["order"]
    assert found["displayFulfillmentStatus"] == "FULFILLED"
    assert [f["status"] for f in found["fulfillments"]] == ["SUCCESS"]


def test_metafields_set_writes_the_birthday_and_sends_customers_update(writer, shop, receiver):
    uri = f"{receiver.url}/webhooks/shopify"
    made = writer(SUBSCRIBE, {"topic": "CUSTOMERS_UPDATE", "uri": uri, "ns": ["facts"]})
    assert made["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["metafieldNamespaces"] == ["facts"]
    person = next(c for c in shop.customers.values() if not c.metafields)

    answer = writer(SET, {"m": [birthday(person.id)]})["data"]["metafieldsSet"]

    assert answer["userErrors"] == []
    assert [(m["key"], m["value"], m["type"]) for m in answer["metafields"]] == [("birth_date", "1991-07-30", "date")]
    assert person.metafields[("facts", "birth_date")].value == "1991-07-30"
    shop.store.wait_idle()
    body = json.loads(next(c for c in receiver.calls if c["headers"]["X-Shopify-Topic"] == "customers/update")["body"])
    assert body["id"] == person.id
    assert [(m["namespace"], m["key"], m["value"]) for m in body["metafields"]] == [
        ("facts", "birth_date", "1991-07-30")
    ]


def test_subscriptions_without_namespaces_get_no_metafields(gql, shop, receiver):
    gql(SUBSCRIBE, {"topic": "CUSTOMERS_UPDATE", "uri": f"{receiver.url}/webhooks/shopify", "ns": None})
    person = next(c for c in shop.customers.values() if c.metafields)
    shop.update_customer(person, first_name="Renamed")
    body = json.loads(receiver.calls[-1]["body"])
    assert body["first_name"] == "Renamed" and "metafields" not in body


@pytest.mark.parametrize(
    "given, code, field",
    [
        (dict(value="1991-02-30"), "INVALID_VALUE", "value"),
        (dict(value="--02-14"), "INVALID_VALUE", "value"),
        (dict(type="single_line_text_field"), "INVALID_TYPE", "type"),
        (dict(ownerId="gid://shopify/Customer/1"), "INVALID", "ownerId"),
    ],
)
def test_metafields_set_refuses_what_shopify_refuses_and_writes_nothing(writer, shop, given, code, field):
    person = next(c for c in shop.customers.values() if not c.metafields)
    good = birthday(next(c for c in shop.customers.values() if not c.metafields and c is not person).id)
    answer = writer(SET, {"m": [good, {**birthday(person.id), **given}]})["data"]["metafieldsSet"]
    assert [(e["code"], e["field"][-1], e["elementIndex"]) for e in answer["userErrors"]] == [(code, field, 1)]
    assert not person.metafields and answer["metafields"] == []


def test_metafields_set_needs_write_customers(gql, shop):
    person = next(iter(shop.customers.values()))
    answer = gql(SET, {"m": [birthday(person.id)]})
    assert answer["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


def test_a_ticked_checkout_box_subscribes_the_customer_at_the_orders_second(shop, clock):
    checkout = shop.start_checkout(
        "tick@example.com", [(next(iter(shop.products.values())), 1)], accepts_marketing=True
    )
    customer = checkout.customer
    assert customer.marketing_state == "NOT_SUBSCRIBED"
    clock.advance(minutes=3)
    order = shop.complete_checkout(checkout.token)
    assert customer.marketing_state == "SUBSCRIBED" and customer.opt_in_level == "SINGLE_OPT_IN"
    assert customer.consent_updated_at == order.created_at
    assert shop.consent_changes[-1].source == "checkout"
