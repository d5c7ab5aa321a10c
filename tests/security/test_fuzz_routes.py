"""A bounded fuzz of the webhook and API routes (5,000 cases in all): never a 5xx."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.webhooks.handlers import TOPICS
from tests.webhooks.conftest import SHOP, sign

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["{{ 'a'*9 }}", "\ud800", "a\r\nBcc: x@y.z", "1e400", "gid://shopify/Order/1"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
raw_bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b'{"id": 1e400}', b'{"id": Infinity}', b"[" * 5000 + b"]" * 5000, b'{"a": "\\ud800"}']),
)
# shop/redact and app/uninstalled end the shop for every later example; they have their own tests.
topics = sorted(set(TOPICS) - {"shop/redact", "app/uninstalled"})
paths = st.sampled_from(
    [
        ("PATCH", "/api/settings"),
        ("PATCH", "/api/automations/abandoned_cart"),
        ("PATCH", "/api/automations/winback"),
        ("GET", "/api/automations/abandoned_cart/fields"),
        ("GET", "/api/activity"),
    ]
)
FUZZ = settings(max_examples=2500, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(body=raw_bodies, topic=st.sampled_from(topics))
def test_webhooks_never_5xx(client, shop, body, topic):
    headers = {"X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": sign(body), "X-Shopify-Shop-Domain": SHOP}
    assert client.post("/webhooks/shopify", data=body, headers=headers).status_code < 500


@FUZZ
@given(body=raw_bodies, route=paths, text=st.text(max_size=30))
def test_api_never_5xx(client, auth, body, route, text):
    method, path = route
    response = client.open(path, method=method, data=body, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code < 500
    assert client.get(f"/api/data-requests/{text}.json".replace("#", ""), headers=auth).status_code < 500
