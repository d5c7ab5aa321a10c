"""Shop-wide settings: defaults, and the typed view the engine and emails read."""

from copy import deepcopy

DEFAULTS = {
    "sender_name": None,  # None: the shop's name
    "reply_to": None,  # None: the shop's email
    "notification_email": None,  # where notices to the shop go (survey answers); None: the shop's email
    "logo_url": None,
    "accent_color": "#008060",
    "frequency_cap": {"count": 2, "days": 7},
    "quiet_hours": {"enabled": True, "start": "21:00", "end": "08:00"},
    "compliance_profile": None,  # None: chosen from the shop's country (see mail.compliance)
    "attribution_days": 5,
}


def effective(shop) -> dict:
    """The shop's settings with defaults filled in for everything it never set."""
    merged = deepcopy(DEFAULTS)
    for key, value in (shop.settings or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def notification_address(shop) -> str | None:
    """Where the app writes to the merchant: the address they chose, else the shop's own email."""
    return effective(shop).get("notification_email") or shop.email or None
