"""The app's `shopify.app.toml` as Shopify holds it after `shopify app deploy`.

With it the sandbox behaves as Shopify does for an app configured this way: it installs the
app itself with `[access_scopes] scopes` (Shopify-managed installation, unless
`use_legacy_install_flow = true`), lets the merchant grant `optional_scopes` later, and
delivers every `[[webhooks.subscriptions]]` to every shop that has the app installed, each
subscription its own delivery, trimmed by `include_fields` and given the metafields of its
`metafield_namespaces`.

The toml's URLs name the production host; like `shopify app dev` with a tunnel, the sandbox
points them at the app it talks to: an address on the toml's `application_url` host (or a
relative one) is served from `store.app_url`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class TomlSubscription:
    topics: tuple[str, ...]
    uri: str
    api_version: str
    include_fields: tuple[str, ...] = ()
    metafield_namespaces: tuple[str, ...] = ()
    compliance: bool = False


@dataclass(frozen=True)
class AppToml:
    scopes: str
    optional_scopes: tuple[str, ...]
    subscriptions: tuple[TomlSubscription, ...]
    legacy_install: bool

    @classmethod
    def load(cls, path: str | Path, app_url: str) -> AppToml:
        with open(path, "rb") as file:
            data = tomllib.load(file)
        base = (data.get("application_url") or "").rstrip("/")
        access = data.get("access_scopes") or {}
        webhooks = data.get("webhooks") or {}
        version = webhooks.get("api_version") or "2026-10"
        subscriptions = []
        for sub in webhooks.get("subscriptions") or []:
            uri = _rebase(sub.get("uri") or "", base, app_url)
            common = {
                "uri": uri,
                "api_version": version,
                "include_fields": tuple(sub.get("include_fields") or ()),
                "metafield_namespaces": tuple(sub.get("metafield_namespaces") or ()),
            }
            if sub.get("topics"):
                subscriptions.append(TomlSubscription(topics=tuple(sub["topics"]), **common))
            if sub.get("compliance_topics"):
                subscriptions.append(
                    TomlSubscription(topics=tuple(sub["compliance_topics"]), compliance=True, **common)
                )
        optional = access.get("optional_scopes") or []
        return cls(
            scopes=",".join(s.strip() for s in (access.get("scopes") or "").split(",") if s.strip()),
            optional_scopes=tuple(optional.split(",") if isinstance(optional, str) else optional),
            subscriptions=tuple(subscriptions),
            legacy_install=bool(access.get("use_legacy_install_flow")),
        )

    def subscriptions_for(self, topic: str) -> list[TomlSubscription]:
        return [s for s in self.subscriptions if topic in s.topics]


def _rebase(uri: str, base: str, app_url: str) -> str:
    """The toml's address as the app under test serves it."""
    app_url = app_url.rstrip("/")
    if uri.startswith("/"):
        return app_url + uri
    parts, home = urlsplit(uri), urlsplit(base)
    if base and (parts.scheme, parts.netloc) == (home.scheme, home.netloc):
        return app_url + (parts.path or "") + (f"?{parts.query}" if parts.query else "")
    return uri


def trim(payload: dict, sub: TomlSubscription) -> dict:
    """The body one subscription receives: only its `include_fields` (dotted names reach into
    objects and lists of objects). Its metafields were added before (see Deliverer.emit)."""
    if not sub.include_fields:
        return payload
    return _pick(payload, [f.split(".") for f in sub.include_fields])


def _pick(value, paths: list[list[str]]):
    if isinstance(value, list):
        return [_pick(item, paths) for item in value]
    if not isinstance(value, dict):
        return value
    kept: dict = {}
    for key in dict.fromkeys(path[0] for path in paths):
        if key not in value:
            continue
        deeper = [path[1:] for path in paths if path[0] == key]
        whole = any(not rest for rest in deeper)
        kept[key] = value[key] if whole else _pick(value[key], [rest for rest in deeper if rest])
    return kept
