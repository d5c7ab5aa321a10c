"""Pages for a person: the shop list, the storefront's checkout and consent forms, the inspector."""

from tests.sandbox.helpers import DEMO, install


def test_index_lists_both_shops(client):
    page = client.get("/").get_data(as_text=True)
    assert DEMO in page and "cua-hang-viet.myshopify.com" in page


def test_storefront_checkout_flow(client, shop, store):
    variant = next(p for p in shop.products.values() if p.status == "ACTIVE" and p.total_inventory).variants[0]
    assert client.get(f"/{DEMO}/").status_code == 200
    r = client.post(
        f"/{DEMO}/checkouts",
        data={"email": "page@example.com", "first_name": "Page", f"qty_{variant.id}": "2", "accepts_marketing": "1"},
    )
    assert r.status_code == 302
    (checkout,) = [c for c in shop.checkouts.values() if c.email == "page@example.com"]
    assert checkout.buyer_accepts_marketing and checkout.line_items[0].quantity == 2
    assert "Complete order" in client.get(r.headers["Location"]).get_data(as_text=True)
    client.post(f"/{DEMO}/checkouts/{checkout.token}/complete")
    store.wait_idle()
    assert checkout.completed_at and checkout.order.checkout_token == checkout.token


def test_storefront_customer_and_consent(client, shop):
    client.post(f"/{DEMO}/customers", data={"email": "new@example.com", "marketing_state": "SUBSCRIBED"})
    customer = shop.customer("new@example.com")
    client.post(f"/{DEMO}/customers/{customer.id}/consent", data={"marketing_state": "UNSUBSCRIBED"})
    assert customer.marketing_state == "UNSUBSCRIBED"
    assert shop.consent_changes[-1].source == "storefront"


def test_inspector_shows_what_the_app_did(client, store, shop, gql):
    gql("{ shop { name } }")
    page = client.get(f"/{DEMO}/admin").get_data(as_text=True)
    assert "query {shop}" in page and "access_token" in page
    r = client.post(f"/{DEMO}/admin/uninstall")
    assert r.status_code == 302 and shop.installed_scope is None


def test_inspector_sends_compliance_requests(client, shop, receiver, store):
    install(client, store)
    customer = next(iter(shop.customers.values()))
    client.post(f"/{DEMO}/admin/compliance", data={"topic": "customers/redact", "email": customer.email})
    store.wait_idle()
    assert receiver.topics() == ["customers/redact"]


def test_a_checkout_can_be_started_in_the_past_for_the_demo(client, shop, store):
    variant = next(p for p in shop.products.values() if p.status == "ACTIVE" and p.total_inventory).variants[0]
    client.post(f"/{DEMO}/checkouts", data={"email": "late@example.com", f"qty_{variant.id}": "1", "hours_ago": "25"})
    (checkout,) = [c for c in shop.checkouts.values() if c.email == "late@example.com"]
    hours = (store.now() - checkout.updated_at).total_seconds() / 3600
    assert 24.9 < hours < 25.1
