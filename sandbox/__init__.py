"""A sandbox Shopify store: a small Flask app that speaks Shopify's protocol, for tests and the demo.

Production code never imports it. A shop `demo-shop.myshopify.com` lives under
`{base_url}/demo-shop.myshopify.com`, so the app runs with `SHOPIFY_STORE_URL={base_url}/{shop}`
and calls the usual `/admin/oauth/authorize`, `/admin/oauth/access_token` and
`/admin/api/{version}/graphql.json` there. Pages for a person: `{base_url}/` (the shops),
`{store}/` (a storefront) and `{store}/admin` (an inspector of what the app did).

Start one::

    app = create_sandbox(api_key, api_secret, app_url, seed=0, scale=1.0, now=clock)
    running = server.serve(app)            # .base_url, .port, .shutdown()
    store = app.extensions["sandbox"]      # a Store
    shop = store.shop("demo-shop.myshopify.com")

`app_toml` (a path to the app's shopify.app.toml) makes the sandbox hold the app's configuration
as Shopify does after `shopify app deploy`: managed installation with its scopes (the admin's
"Open Comeback" installs the app and opens it with a session token, which the app exchanges at
the token endpoint), optional scopes granted later from `{store}/admin/oauth/request_scopes`
(then `app/scopes_update`), and its webhook subscriptions delivered to every installed shop
(`include_fields`, `metafield_namespaces`); see sandbox/app_config.py. Without it, only the
authorization code grant and subscriptions made through the API.

or standalone: `python -m sandbox --port 5001 --app-url http://127.0.0.1:5000 --api-key K --api-secret S`.

Seed: `demo-shop.myshopify.com` (English, USD, America/New_York) and `cua-hang-viet.myshopify.com`
(Vietnamese, VND, Asia/Ho_Chi_Minh), each ~24 products, ~300/220 customers and ~2,000/1,400 orders
over two years before `now()`; `scale` multiplies customers and orders (scale=50: 100,000 orders).

The shop, for tests (webhooks go out before the call returns; from pages, in the background)::

    shop.create_customer(email, first_name="", last_name="", locale=None, marketing_state="NOT_SUBSCRIBED", at=None)
    shop.update_customer(customer, at=None, **fields)
    shop.set_consent(customer, state, at=None, opt_in_level=None)
    shop.start_checkout(email, items, accepts_marketing=False, locale=None, first_name="", last_name="",
                        updated_at=None, notify=True) -> Checkout  # items: [(handle | product/variant id | gid, qty)]
    shop.update_checkout(token, at=None, items=None, notify=True, **fields)
    shop.complete_checkout(token, at=None, notify=True) -> Order
    shop.place_order(customer, items, created_at=None, checkout_token=None, discount_codes=(),
                     accepts_marketing=False, locale=None, email=None, financial_status="PAID", notify=True) -> Order
    # notify=False (also on create_customer): the change is made but no webhook goes out, a missed delivery
    shop.update_order(order, at=None, **fields); shop.cancel_order(order, at=None)
    shop.update_product(product, at=None, inventory=None, **fields)
    shop.deliver(topic, payload, duplicate=False) -> [Delivery]   # any body, signed and logged
    shop.redeliver(webhook_id); shop.hold_webhooks(); shop.release_webhooks(reverse=False, order=None)
    shop.uninstall(); shop.send_compliance("customers/redact", customer)
    shop.customer(id | gid | email); shop.product(id | gid | handle)
    shop.customers / orders / products / checkouts      # the data, by id (checkouts by token)
    shop.deliveries, shop.api_calls, shop.discount_codes, shop.consent_changes, shop.bulk_operations,
    shop.subscriptions, shop.installed_scope, shop.bucket (maximum, restore_rate)
    shop.faults["access_token"] = "500" | "timeout" | "bad_scope"      # "kind:N" = the next N times only
    shop.faults["graphql"] = "500" | "timeout" | "throttle:3"
    shop.faults["discount"] = "user_errors";  shop.faults["bulk"] = "failed"

The store: `store.app_url`, `store.base_url`, `store.now`, `store.transport` (`(url, body, headers) ->
status`, swap in a test client), `store.fault_sleep`, `store.bulk_delay`, `store.refresh_grace`,
`store.wait_idle()` (bulk runs and background deliveries).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from . import bulk, graphql_api, inspector, oauth, pages
from .seed import seed_store
from .store import Store, utcnow

__all__ = ["create_sandbox", "Store"]


def create_sandbox(
    api_key: str,
    api_secret: str,
    app_url: str,
    seed: int = 0,
    scale: float = 1.0,
    now=utcnow,
    base_url: str = "http://127.0.0.1:5001",
    app_toml=None,
) -> Flask:
    app = Flask(__name__, static_url_path="/assets")
    store = Store(api_key, api_secret, app_url, now=now, base_url=base_url, app_toml=app_toml)
    seed_store(store, seed=seed, scale=scale)
    app.extensions["sandbox"] = store
    app.jinja_env.filters["money"] = money
    for bp in (pages.site, pages.storefront, inspector.bp, oauth.bp, graphql_api.bp, bulk.files):
        app.register_blueprint(bp)
    return app


def money(amount: Decimal, shop) -> str:
    if shop.currency == "VND":
        return f"{amount:,.0f}".replace(",", ".") + "₫"
    return f"${amount:,.2f}"
