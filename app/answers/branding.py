"""How an answer page looks like the shop's emails: its name, logo and accent colour.

Shop settings are merchant input: a colour that is not a plain hex colour and a logo that is not
an https URL are left out rather than written into the page's CSS or HTML.
"""

from app.mail.compose import colour
from app.shops.settings import effective


def branding(shop) -> dict:
    settings = effective(shop)
    logo = settings.get("logo_url") or ""
    return {
        "shop_name": shop.name or shop.domain,
        "accent": colour(settings.get("accent_color")),  # the emails' own check
        "logo_url": logo if logo.startswith("https://") and len(logo) <= 2000 else None,
    }
