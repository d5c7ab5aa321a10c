"""A shop's settings for one automation: the API object, validated updates, the form description.

Only values that differ from the automation's defaults are stored, so improving a
default later reaches every shop that never touched it.
"""

from copy import deepcopy

from app import clock
from app.automations import queue
from app.automations.fields import FieldError
from app.automations.models import AutomationSetting
from app.automations.registry import AUTOMATIONS
from app.extensions import db


class SettingsError(ValueError):
    """An update was refused (unknown field, invalid value); nothing was changed.
    `say(locale)` gives the message in the merchant's language."""

    def __init__(self, en: str, vi: str | None = None):
        super().__init__(en)
        self.words = {"en": en, "vi": vi or en}

    def say(self, locale: str) -> str:
        return self.words.get(locale) or self.words["en"]


class UnknownAutomation(SettingsError):
    """No automation has this key (the API answers 404 or 400)."""


def fields(key: str, shop=None) -> list[dict]:
    """What the settings page needs to draw the form: name, type, default, label {en, vi}, and per type
    min/max (int, text, subjects, numbers, product_numbers), length (numbers), placeholders (texts).
    With `shop`, what that shop's data adds (product_numbers: `rows`, each product's suggested figure
    beside the merchant's)."""
    automation = _automation(key)
    current = values(shop, key) if shop is not None else {}
    return [field.as_json(shop, current.get(field.name)) for field in automation.all_fields()]


def steps(key: str) -> list[dict]:
    """The journey's steps for the page and the preview: name and label {en, vi}, in order."""
    return [
        {"name": step.name, "label": step.label or {"en": step.name, "vi": step.name}, "notice": step.notice}
        for step in _automation(key).steps
    ]


def values(shop, key: str) -> dict:
    """Every setting of the automation for this shop, defaults filled in."""
    automation = _automation(key)
    row = db.session.get(AutomationSetting, (shop.id, key))
    stored = row.values if row is not None else {}
    merged = {field.name: deepcopy(stored.get(field.name, field.default)) for field in automation.all_fields()}
    for field in automation.all_fields():
        # A language added to the defaults later still gets a text.
        if field.type == "text":
            merged[field.name] = {**field.default, **merged[field.name]}
        elif field.type == "subjects" and len(merged[field.name]) == len(field.default):
            merged[field.name] = [{**d, **m} for d, m in zip(field.default, merged[field.name], strict=True)]
        elif field.type == "subjects":  # the journey gained or lost a step since: its defaults
            merged[field.name] = deepcopy(field.default)
    merged["enabled"] = bool(row and row.enabled)
    return merged


def as_json(shop, key: str) -> dict:
    """The API object: {"key", "enabled", "subject": {"en", "vi"}, "discount_percent", ...}."""
    return {"key": key, **values(shop, key)}


def update(shop, key: str, changes: dict) -> dict:
    """Apply `changes` all-or-nothing and commit; returns the new API object."""
    automation = _automation(key)
    if not isinstance(changes, dict):
        raise SettingsError("expected a JSON object of settings", "cần một đối tượng JSON các thiết lập")
    by_name = {field.name: field for field in automation.all_fields()}
    unknown = sorted(set(changes) - set(by_name))
    if unknown:  # a list: an unknown "" must be refused too (as a joined string it was falsy)
        named = ", ".join(repr(name) for name in unknown)
        raise SettingsError(f"unknown setting: {named}", f"không có thiết lập: {named}")
    current = values(shop, key)
    new = dict(current)
    try:
        for name, value in changes.items():
            new[name] = by_name[name].clean(value, current[name], shop)
        automation.validate(shop, new)
    except FieldError as error:
        raise SettingsError(error.words["en"], error.words["vi"]) from None

    row = db.session.get(AutomationSetting, (shop.id, key))
    if row is None:
        row = AutomationSetting(shop_id=shop.id, key=key, enabled=False, values={})
        db.session.add(row)
    row.enabled = new["enabled"]
    row.values = {name: value for name, value in new.items() if name != "enabled" and value != by_name[name].default}
    # What this automation's own settings deferred (e.g. spacing, a wait) is decided anew at the next tick.
    queue.redecide(shop.id, clock.now(), automation.deferrals, automation=key)
    db.session.commit()
    return as_json(shop, key)


def _automation(key: str):
    try:
        return AUTOMATIONS[key]
    except KeyError:
        raise UnknownAutomation(f"unknown automation: {key}", f"không có tự động hóa: {key}") from None
