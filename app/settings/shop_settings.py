"""Validating the merchant's shop-wide settings (sender, branding, caps) before they are stored.

Defaults live in `app.shops.settings`; the shop row keeps only what the merchant changed.
A change is checked whole and applied whole: one bad field and nothing is stored.
"""

import re

from app import clock
from app.automations import queue
from app.extensions import db
from app.mail.compliance import PROFILES as COMPLIANCE
from app.shops import settings as shop_defaults
from app.text import UNSAFE

EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
#: Compliance profiles the mail package knows; None picks one from the shop's country.
PROFILES = tuple(COMPLIANCE)


class SettingsError(ValueError):
    """A change the merchant asked for is not valid; the message says which field and why."""


def _text(name, value, limit):
    if value is None:
        return None
    if not isinstance(value, str):
        raise SettingsError(f"{name} must be text")
    # Sender name and reply-to end up in mail headers: a line break would inject headers,
    # and other control characters (NUL, escape, NEL, line separators) have no place in them.
    if UNSAFE.search(value):
        raise SettingsError(f"{name} must be on one line, without control characters")
    value = value.strip()
    if len(value) > limit:
        raise SettingsError(f"{name} must be at most {limit} characters")
    return value or None


def _sender_name(value):
    return _text("sender_name", value, 100)


def _reply_to(value):
    value = _text("reply_to", value, 320)
    if value is not None and not EMAIL.match(value):
        raise SettingsError("reply_to must be an email address")
    return value


def _notification_email(value):
    value = _text("notification_email", value, 320)
    if value is not None and not EMAIL.match(value):
        raise SettingsError("notification_email must be an email address")
    return value


def _logo_url(value):
    value = _text("logo_url", value, 2000)
    # Mail clients block plain-http images and a page inside the admin may not load them.
    if value is not None and not value.startswith("https://"):
        raise SettingsError("logo_url must be an https:// address")
    return value


def _accent_color(value):
    if not isinstance(value, str) or not COLOR.match(value):
        raise SettingsError("accent_color must be a colour like #008060")
    return value.lower()


def _whole(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}")
    return value


def _object(name, value, parsers, current):
    if not isinstance(value, dict):
        raise SettingsError(f"{name} must be an object")
    unknown = sorted(set(value) - set(parsers))
    if unknown:
        raise SettingsError(f"{name} has no field {unknown[0]!r}")
    return {**current, **{key: parsers[key](f"{name}.{key}", item) for key, item in value.items()}}


def _bool(name, value):
    if not isinstance(value, bool):
        raise SettingsError(f"{name} must be true or false")
    return value


def _clock(name, value):
    if not isinstance(value, str) or not CLOCK.match(value):
        raise SettingsError(f"{name} must be a time like 21:00")
    return value


def _frequency_cap(value, current):
    return _object(
        "frequency_cap",
        value,
        {
            "count": lambda n, v: _whole(n, v, 1, 20),
            "days": lambda n, v: _whole(n, v, 1, 30),
        },
        current,
    )


def _quiet_hours(value, current):
    merged = _object("quiet_hours", value, {"enabled": _bool, "start": _clock, "end": _clock}, current)
    if merged["start"] == merged["end"]:
        raise SettingsError("quiet_hours.start and quiet_hours.end must differ")
    return merged


def _compliance_profile(value):
    if value is not None and value not in PROFILES:
        raise SettingsError("compliance_profile must be one of " + ", ".join(PROFILES) + " or null")
    return value


def _attribution_days(value):
    return _whole("attribution_days", value, 1, 30)


FLAT = {
    "sender_name": _sender_name,
    "reply_to": _reply_to,
    "notification_email": _notification_email,
    "logo_url": _logo_url,
    "accent_color": _accent_color,
    "compliance_profile": _compliance_profile,
    "attribution_days": _attribution_days,
}
NESTED = {"frequency_cap": _frequency_cap, "quiet_hours": _quiet_hours}


def update(shop, changes) -> dict:
    """Apply `changes` (a partial settings object) if every field is valid; returns the effective settings."""
    if not isinstance(changes, dict):
        raise SettingsError("the body must be a JSON object of settings")
    unknown = sorted(set(changes) - set(FLAT) - set(NESTED))
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r}")
    effective = shop_defaults.effective(shop)
    stored = dict(shop.settings or {})
    for key, value in changes.items():
        stored[key] = FLAT[key](value) if key in FLAT else NESTED[key](value, effective[key])
    # A value equal to its default is not kept: the shop then follows the default if it changes.
    # (A new dict, so SQLAlchemy sees the JSON column change.)
    shop.settings = {key: value for key, value in stored.items() if value != shop_defaults.DEFAULTS.get(key)}
    # Quiet hours switched off (or a cap raised): what they deferred goes at the next tick, not at 08:00.
    queue.redecide(shop.id, clock.now(), queue.SHOP_DEFERRALS)
    db.session.commit()
    return shop_defaults.effective(shop)
