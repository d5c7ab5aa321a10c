"""Shop domain validation: the only shops we ever talk to are `*.myshopify.com`."""

import re

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")


def valid_shop(shop: str | None) -> bool:
    return bool(shop) and len(shop) <= 255 and SHOP_DOMAIN.fullmatch(shop) is not None


def store_url(config: dict, shop: str) -> str:
    return config["SHOPIFY_STORE_URL"].replace("{shop}", shop)
