"""Turning a planned send into a complete email message, ready for the mailer.

Everything a recipient sees that is not the automation's own copy is added here:
the shop's branding, the footer with its postal address, the visible unsubscribe
link and the RFC 8058 headers, the open pixel and signed click redirects, and the
subject prefix the market's law asks for.
"""

import email.policy
import re
import secrets
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app

from app import clock
from app.mail import compliance, placeholders, rendering, tokens, verp
from app.mail.mime import BadAddress, address, address_header, alternative, header_value
from app.shops.domains import storefront_url
from app.shops.settings import DEFAULTS, effective
from app.text import one_line

#: Long headers stay on one line (a folded or encoded List-Unsubscribe URL breaks one-click
#: clients); bodies are 7-bit safe, so no server needs 8BITMIME.
POLICY = email.policy.default.clone(max_line_length=998, cte_type="7bit")
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
ADDRESS_FIELDS = ("address1", "address2", "city", "province", "zip", "country")


def compose(shop, send, *, template: str, context: dict, subject, marketing: bool = True) -> EmailMessage:
    """The email for `send` (an `automations.models.Send`, saved or not) from `templates/emails/<template>/`.

    `subject` is a merchant text (or `{"en": ..., "vi": ...}`): plain text with placeholders.
    Non-marketing mail (an opt-out confirmation) gets no tracking, unsubscribe or prefix.
    """
    lang = rendering.language(send.locale, shop.locale)
    settings = effective(shop)
    rules = compliance.rules(shop)
    app_url = current_app.config["APP_URL"]
    shop_name = shop.name or shop.domain
    shop_url = storefront_url(current_app.config, shop)
    page = {
        "first_name": None,
        "discount": None,
        "shop_url": shop_url,
        **context,
        "shop_name": shop_name,
        "logo_url": settings.get("logo_url"),
        "accent_color": colour(settings.get("accent_color")),
        "address_lines": postal_address(shop),
        "timezone": shop.timezone or "UTC",
        "currency": context.get("currency") or shop.currency,
        "marketing": marketing,
        "unsubscribe_url": None,
        "open_pixel_url": None,
        "track": _untracked,
    }
    if marketing:
        page["unsubscribe_url"] = f"{app_url}/u/{tokens.unsubscribe(shop, send.id, send.recipient, lang)}"
        if send.id is not None:
            page["track"] = _tracker(app_url, shop, send.id)
            page["open_pixel_url"] = f"{app_url}/o/{tokens.opened(shop, send.id)}.gif"
    title = render_subject(subject, lang, page)
    if marketing and rules.subject_prefix and not title.startswith(rules.subject_prefix.strip()):
        title = rules.subject_prefix + title
    page["subject"] = title
    html, text = rendering.render(template, lang, page)

    sender_name, sender_address = parseaddr(current_app.config["MAIL_FROM"])
    display_name = settings.get("sender_name") or shop_name or sender_name
    # Every value below may come from a store, a customer or a merchant: each goes through
    # `header_value` or `address`, so no CR/LF reaches a header and no recipient can be added.
    recipient = address(send.recipient)
    headers = [
        ("From", address_header(display_name, sender_address)),
        ("To", recipient),
        ("Subject", header_value(title)),
        ("Date", format_datetime(clock.now().replace(tzinfo=UTC))),
        ("Message-ID", f"<{send.id or 0}.{secrets.token_hex(8)}@{sender_address.rpartition('@')[2]}>"),
    ]
    reply_to = settings.get("reply_to") or shop.email
    try:
        headers.append(("Reply-To", address_header(None, reply_to)))
    except BadAddress:
        pass  # no usable reply address: replies go to From
    if marketing:
        headers.append(("List-Unsubscribe", f"<{page['unsubscribe_url']}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    # Lets the mailer record a hard bounce for the right shop (and an asynchronous
    # bounce report, which quotes the original headers, be matched later).
    headers.append(("X-Comeback-Send", f"{shop.id}.{send.id or 0}"))
    message = alternative(POLICY, headers, text, html)
    # The envelope is taken from the send, never re-read from the headers.
    message.envelope_to = recipient
    bounce_domain = current_app.config.get("BOUNCE_DOMAIN")
    if bounce_domain and send.id is not None:  # VERP: bounces and complaints name this send
        message.envelope_from = verp.address(shop, send.id, bounce_domain)
    return message


def render_subject(subject, lang: str, context: dict) -> str:
    """The merchant's subject with its placeholders filled in, on one line."""
    if isinstance(subject, dict):
        subject = subject.get(lang) or subject.get("en") or ""
    return one_line(placeholders.fill(str(subject), context))


def postal_address(shop) -> list[str]:
    """The shop's address as footer lines: street; city, province and postcode; country."""
    address = shop.address or {}
    parts = [str(address.get(key) or "").strip() for key in ADDRESS_FIELDS]
    street = ", ".join(p for p in parts[:2] if p)
    town = " ".join(p for p in (", ".join(p for p in parts[2:4] if p), parts[4]) if p)
    return [line for line in (street, town, parts[5]) if line]


def colour(value) -> str:
    # The accent colour lands in CSS: anything but a plain hex colour could inject styles.
    return value if isinstance(value, str) and HEX_COLOUR.fullmatch(value) else DEFAULTS["accent_color"]


def _tracker(app_url: str, shop, send_id: int):
    def track(url) -> str:
        if not url:
            return ""
        return f"{app_url}/t/{tokens.click(shop, send_id, str(url))}"

    return track


def _untracked(url) -> str:
    return str(url or "")
