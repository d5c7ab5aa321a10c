"""The automations the app offers: every module in `app/automations/library/` that defines
`AUTOMATION`, listed by priority (highest first), then key.

Adding an automation is adding its module there; the engine, settings API, page and preview
read only this mapping.
"""

import importlib
import pkgutil
from datetime import timedelta

from app.automations import library
from app.automations.base import COMMON_WORDS, Automation


def _discover() -> dict[str, Automation]:
    found = []
    for module in pkgutil.iter_modules(library.__path__):
        automation = getattr(importlib.import_module(f"{library.__name__}.{module.name}"), "AUTOMATION", None)
        if automation is not None:
            found.append(automation)
    found.sort(key=lambda a: (-a.priority, a.key))
    keys = [a.key for a in found]
    if len(set(keys)) != len(keys):
        raise RuntimeError(f"two automations share a key: {keys}")
    for automation in found:
        names = [step.name for step in automation.steps]
        if not names or len(set(names)) != len(names) or any(":" in name for name in names):
            raise RuntimeError(f"{automation.key}: steps need unique names without ':'")
    return {a.key: a for a in found}


AUTOMATIONS: dict[str, Automation] = _discover()


def spacing(key: str) -> dict[str, timedelta]:
    """Other automation → the window within which this one sends nothing to the same address.
    Declared by either side (`excludes`), applied both ways."""
    windows = dict(AUTOMATIONS[key].excludes)
    for other in AUTOMATIONS.values():
        if key in other.excludes:
            windows[other.key] = max(windows.get(other.key, timedelta(0)), other.excludes[key])
    return windows


def reason_words(locale: str) -> dict[str, str]:
    """Every automation's words for its reason codes, and the engine's own, in `locale`."""
    merged = {}
    for automation in AUTOMATIONS.values():
        merged.update(automation.words.get(locale, {}))
    merged.update(COMMON_WORDS.get(locale, {}))
    return merged
