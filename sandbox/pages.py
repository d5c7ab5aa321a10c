"""Pages for a person: the list of shops, each shop's storefront, and the product pictures.

The storefront does what a buyer or merchant would: start and complete checkouts, sign up,
change consent, and open the app from the admin. Its webhooks go out in the background.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from . import catalog
from .oauth import app_url_for, managed_install
from .web import load_shop, store

site = Blueprint("site", __name__)
storefront = Blueprint("storefront", __name__, url_prefix="/<shop>")
storefront.url_value_preprocessor(load_shop)

CONSENT_STATES = ("SUBSCRIBED", "NOT_SUBSCRIBED", "PENDING", "UNSUBSCRIBED")


@site.get("/")
def index():
    return render_template("index.html", shops=store().shops.values())


@site.get("/static/img/<handle>.svg")
def picture(handle: str):
    for shop in store().shops.values():
        for p in shop.products.values():
            if p.handle == handle:
                svg = catalog.svg(p.title, p.tags[0] if p.tags else "tools")
                return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
    abort(404)


def _back(message: str):
    return redirect(url_for("storefront.home", shop=g.shop.domain, msg=message))


@storefront.get("/")
def home():
    shop = g.shop
    with store().lock:
        products = [p for p in shop.products.values() if p.status == "ACTIVE" and p.published]
        customers = sorted(shop.customers.values(), key=lambda c: c.updated_at, reverse=True)[:15]
        checkouts = sorted(
            (c for c in shop.checkouts.values() if not c.completed_at), key=lambda c: c.updated_at, reverse=True
        )[:10]
    return render_template(
        "storefront.html",
        shop=shop,
        products=products,
        customers=customers,
        checkouts=checkouts,
        states=CONSENT_STATES,
        msg=request.args.get("msg"),
    )


@storefront.get("/products/<handle>")
def product(handle: str):
    p = next((p for p in g.shop.products.values() if p.handle == handle and p.published), None)
    if p is None:
        abort(404)
    return render_template("product.html", shop=g.shop, product=p)


@storefront.post("/checkouts")
def start_checkout():
    form = request.form
    items = [
        (int(key[4:]), int(qty))
        for key, qty in form.items()
        if key.startswith("qty_") and qty.isdigit() and int(qty) > 0
    ]
    if not items or not form.get("email"):
        return _back("Pick at least one product and enter an email.")
    # "Started 25 hours ago" lets a person see an abandoned-cart email in the demo without waiting a day.
    hours_ago = int(form.get("hours_ago", "0")) if form.get("hours_ago", "0").isdigit() else 0
    c = g.shop.start_checkout(
        form["email"].strip(),
        items,
        accepts_marketing=bool(form.get("accepts_marketing")),
        locale=form.get("locale") or None,
        first_name=form.get("first_name", ""),
        last_name=form.get("last_name", ""),
        updated_at=store().now() - timedelta(hours=min(hours_ago, 24 * 30)),
    )
    return redirect(url_for("storefront.checkout", shop=g.shop.domain, token=c.token))


@storefront.get("/checkouts/<token>")
@storefront.get("/checkouts/<token>/recover")
def checkout(token: str):
    c = g.shop.checkouts.get(token)
    if c is None:
        abort(404)
    return render_template("checkout.html", shop=g.shop, checkout=c)


@storefront.post("/checkouts/<token>/complete")
def complete_checkout(token: str):
    if token not in g.shop.checkouts or g.shop.checkouts[token].completed_at:
        return _back("That checkout is gone or already completed.")
    order = g.shop.complete_checkout(token)
    return _back(f"Order {order.name} placed for {order.email}.")


@storefront.post("/customers")
def create_customer():
    form = request.form
    email = form.get("email", "").strip()
    if not email or email.lower() in g.shop.by_email:
        return _back("Enter an email that is not a customer yet.")
    c = g.shop.create_customer(
        email,
        form.get("first_name", ""),
        form.get("last_name", ""),
        form.get("locale") or None,
        form.get("marketing_state", "NOT_SUBSCRIBED"),
    )
    return _back(f"Customer {c.email} created.")


@storefront.post("/customers/<int:customer_id>/consent")
def change_consent(customer_id: int):
    state = request.form.get("marketing_state", "")
    if customer_id not in g.shop.customers or state not in CONSENT_STATES:
        abort(400)
    c = g.shop.set_consent(customer_id, state, source="storefront")
    return _back(f"{c.email} is now {state.lower().replace('_', ' ')}.")


@storefront.get("/open-app")
@storefront.get("/admin/apps/<api_key>")  # Shopify's own link to an app in the admin
def open_app(api_key=None):
    """What clicking the app in the Shopify admin does: load the App URL with a signed query.

    With the app's toml (managed installation) the store installs the app first and the App URL
    gets a session token; `?install=code` (or `use_legacy_install_flow`) leaves the install to
    the app, which starts the authorization code grant."""
    config = store().app_config
    if config is not None and not config.legacy_install and request.args.get("install") != "code":
        managed_install(g.shop)
    return redirect(app_url_for(g.shop))
