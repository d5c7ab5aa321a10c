"""Fuzzing the endpoint: random bodies and headers never give a 500, and nothing is stored unsigned."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.customers.models import Checkout, Customer, Order
from app.extensions import db
from app.webhooks.handlers import TOPICS
from app.webhooks.models import WebhookInbox, WebhookReceipt
from tests.webhooks.conftest import SHOP, drain, sign

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
# Bodies shaped like the real ones often enough to reach deep into the handlers.
order_like = st.fixed_dictionaries(
    {
        "id": json_values | st.integers(1, 10**12),
        "created_at": st.sampled_from(["2026-11-01T10:00:00Z", "yesterday", None, 5]),
        "token": json_values | st.text(max_size=70),
        "line_items": st.lists(
            st.dictionaries(st.sampled_from(["product_id", "quantity", "price", "title"]), json_values), max_size=3
        ),
        "customer": json_values | st.fixed_dictionaries({"id": json_values}),
        "email_marketing_consent": json_values,
        "customer_id": json_values,
    }
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    order_like.map(lambda v: json.dumps(v).encode()),
)
# shop/redact and app/uninstalled would end the shop for every later example; they have their own tests.
fuzzed_topics = sorted(set(TOPICS) - {"shop/redact", "app/uninstalled"})
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)


def stored() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (WebhookReceipt, WebhookInbox, Order, Checkout, Customer)
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=bodies,
    topic=st.sampled_from(fuzzed_topics) | header_text,
    signed=st.booleans(),
    hmac_header=header_text,
    domain=st.sampled_from([SHOP, "other.myshopify.com"]) | header_text,
    webhook_id=header_text,
)
def test_random_deliveries_never_500_and_unsigned_ones_store_nothing(
    shop, client, body, topic, signed, hmac_header, domain, webhook_id
):
    before = stored()
    response = client.post(
        "/webhooks/shopify",
        data=body,
        headers={
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": domain,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Hmac-Sha256": sign(body) if signed else hmac_header,
        },
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    drain()  # what was accepted must also apply without error
    if not signed:
        assert response.status_code == 401 and stored() == before
    elif response.status_code != 200:
        assert stored() == before
