"""Shop domain validation: the only shops we ever talk to are `*.myshopify.com`."""

import re

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")


def valid_shop(shop: str | None) -> bool:
    return bool(shop) and len(shop) <= 255 and SHOP_DOMAIN.fullmatch(shop) is not None


def store_url(config: dict, shop: str) -> str:
    return config["SHOPIFY_STORE_URL"].replace("{shop}", shop)


#: SHOPIFY_STORE_URL's default: the real Shopify, whose storefront is the shop's primary domain.
SHOPIFY = "https://{shop}"


def storefront_url(config: dict, shop) -> str:
    """Where customers shop (links in emails). With Shopify it is the primary domain over https; a
    stand-in store (the sandbox of `make demo` and the tests) serves its storefront under its own
    base URL, often plain http, so a link built from the domain would be a TLS error there."""
    if config["SHOPIFY_STORE_URL"] != SHOPIFY:
        return store_url(config, shop.domain)
    return f"https://{shop.primary_domain or shop.domain}"
