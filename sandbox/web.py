"""What every blueprint needs: the store of the running app and the shop named in the URL."""

from flask import abort, current_app, g


def store():
    return current_app.extensions["sandbox"]


def load_shop(endpoint, values):
    """`url_value_preprocessor` for routes under `/<shop>`: puts the shop in `g.shop` or answers 404."""
    domain = (values or {}).pop("shop", None)
    shop = store().shops.get(domain)
    if shop is None:
        abort(404, f"No shop {domain} in this sandbox.")
    g.shop = shop
