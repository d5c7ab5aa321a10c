"""How an answer page looks like the shop's emails: its name, logo and accent colour.

Shop settings are merchant input: a colour that is not a plain hex colour and a logo that is not
an https URL are left out rather than written into the page's CSS or HTML.
"""

import re

from app.shops.settings import DEFAULTS, effective

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def branding(shop) -> dict:
    settings = effective(shop)
    accent = settings.get("accent_color") or ""
    logo = settings.get("logo_url") or ""
    return {
        "shop_name": shop.name or shop.domain,
        "accent": accent if HEX.match(accent) else DEFAULTS["accent_color"],
        "logo_url": logo if logo.startswith("https://") and len(logo) <= 2000 else None,
    }
