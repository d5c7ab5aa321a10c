"""The app's own `shopify.app.toml`, as Shopify reads it after `shopify app deploy`.

What it declares Shopify does without asking the app: it installs with `scopes`, lets the
merchant grant `optional_scopes` later, and delivers every declared webhook topic to every
installed shop. The app reads the same file so that it never subscribes per shop to a
topic the file already declares (each subscription gets its own delivery of every event).
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The file at the top of the repository, next to the Procfile.
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shopify.app.toml"


@dataclass(frozen=True)
class AppConfig:
    scopes: tuple[str, ...]
    optional_scopes: tuple[str, ...]
    #: Topics Shopify delivers for every install (compliance topics apart).
    topics: frozenset[str]
    compliance_topics: frozenset[str]
    api_version: str | None


def _scopes(value) -> tuple[str, ...]:
    """`scopes` is a comma-separated string; `optional_scopes` a list (Shopify takes both forms)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return tuple(s.strip() for s in items if isinstance(s, str) and s.strip())


@cache
def load(path: str | Path = DEFAULT_PATH) -> AppConfig:
    with open(path, "rb") as file:
        data = tomllib.load(file)
    access = data.get("access_scopes") or {}
    webhooks = data.get("webhooks") or {}
    topics: set[str] = set()
    compliance: set[str] = set()
    for subscription in webhooks.get("subscriptions") or []:
        topics.update(subscription.get("topics") or [])
        compliance.update(subscription.get("compliance_topics") or [])
    return AppConfig(
        scopes=_scopes(access.get("scopes")),
        optional_scopes=_scopes(access.get("optional_scopes")),
        topics=frozenset(topics),
        compliance_topics=frozenset(compliance),
        api_version=webhooks.get("api_version"),
    )


def current(config) -> AppConfig:
    """The toml the running app was configured with (`SHOPIFY_APP_TOML`, default the repository's)."""
    return load(str(config.get("SHOPIFY_APP_TOML") or DEFAULT_PATH))
