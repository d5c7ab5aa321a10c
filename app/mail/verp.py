"""VERP envelope senders: `bounce+<token>@{BOUNCE_DOMAIN}`, the token naming the shop and the send.

A bounce or complaint comes back to the envelope sender, so the address alone says which
email it is about. The token is short enough for a local part (at most 64 characters),
lower case (some servers fold case), and signed with a key derived from SECRET_KEY over the
shop's domain too: a forged or guessed address acts on nothing.

    bounce+<shop id, hex>-<send id, hex>-<16 characters of HMAC>@bounces.example.com
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from flask import current_app

from app import security

LOCAL = re.compile(r"bounce\+([0-9a-f]{1,16})-([0-9a-f]{1,16})-([a-z2-7]{16})")


@dataclass(frozen=True)
class Origin:
    shop_id: int
    send_id: int
    mac: str


def address(shop, send_id: int, domain: str) -> str:
    return f"bounce+{shop.id:x}-{send_id:x}-{_mac(shop.id, shop.domain, send_id)}@{domain}"


def parse(recipient: str, domain: str) -> Origin | None:
    """The token of a bounce address of ours, unchecked; None for any other address."""
    local, _, host = recipient.strip().strip("<>").lower().rpartition("@")
    match = LOCAL.fullmatch(local)
    if match is None or host != domain.lower():
        return None
    return Origin(int(match.group(1), 16), int(match.group(2), 16), match.group(3))


def genuine(origin: Origin, shop) -> bool:
    """Whether we made this token for this shop (constant-time)."""
    return security.same(_mac(origin.shop_id, shop.domain, origin.send_id), origin.mac)


def _mac(shop_id: int, domain: str, send_id: int) -> str:
    key = security.hmac_sha256(current_app.config["SECRET_KEY"], b"comeback/verp")
    digest = hmac.new(key, f"{shop_id}:{domain}:{send_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()
