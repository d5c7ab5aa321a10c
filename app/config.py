"""Configuration from the environment, parsed and checked once at start-up.

Every setting has one typed parser; junk values stop the app at start rather than
surfacing as odd behaviour later. Secrets come only from the environment: outside
`demo` and tests a missing secret is an error, never a silent fallback.
"""

import os
from urllib.parse import urlsplit

REQUIRED = ("SECRET_KEY", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET")

DEFAULT_SCOPES = "read_orders,read_all_orders,read_customers,read_products,write_discounts"


class ConfigError(RuntimeError):
    """A setting is missing or malformed."""


def database_url(raw: str | None, instance_path: str) -> str:
    """Normalise Heroku-style URLs: `postgres://` and `postgresql://` both mean psycopg 3."""
    if not raw:
        return f"sqlite:///{os.path.join(instance_path, 'comeback.sqlite3')}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _mail_url(value: str) -> str:
    if value != "demo" and urlsplit(value).scheme not in ("smtp", "smtps"):
        raise ConfigError(f"MAIL_URL must be smtp://… or smtps://…, got {value!r}")
    return value


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name} must be positive, got {number}")
    return number


def _host_port(name: str, value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name} must be host:port, got {value!r}")
    return host.strip("[]"), int(port)


def _dkim(get) -> dict:
    values = {name: (get(name) or "").strip() or None for name in ("DKIM_PRIVATE_KEY", "DKIM_SELECTOR", "DKIM_DOMAIN")}
    given = [name for name, value in values.items() if value]
    if given and len(given) != len(values):
        missing = ", ".join(name for name in values if name not in given)
        raise ConfigError(f"DKIM needs all three settings; missing: {missing}")
    return values


def _domain(name: str, value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()
    if "." not in value or not all(part and part.replace("-", "").isalnum() for part in value.split(".")):
        raise ConfigError(f"{name} must be a domain name, got {value!r}")
    return value


def from_environ(environ: os._Environ | dict, instance_path: str) -> dict:
    """The Flask config keys this app uses, read from `environ`."""
    get = environ.get
    store_url = get("SHOPIFY_STORE_URL") or "https://{shop}"
    if "{shop}" not in store_url:
        raise ConfigError("SHOPIFY_STORE_URL must contain {shop}")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(get("DATABASE_URL"), instance_path),
        "SECRET_KEY": get("SECRET_KEY"),
        "APP_URL": _url("APP_URL", get("APP_URL") or "http://127.0.0.1:5000"),
        "SHOPIFY_API_KEY": get("SHOPIFY_API_KEY"),
        "SHOPIFY_API_SECRET": get("SHOPIFY_API_SECRET"),
        "SHOPIFY_SCOPES": [s.strip() for s in (get("SHOPIFY_SCOPES") or DEFAULT_SCOPES).split(",") if s.strip()],
        "SHOPIFY_API_VERSION": get("SHOPIFY_API_VERSION") or "2026-10",
        "SHOPIFY_STORE_URL": store_url.rstrip("/"),
        "MAIL_URL": _mail_url(get("MAIL_URL") or "smtp://localhost:25"),
        "MAIL_FROM": get("MAIL_FROM") or "Comeback <no-reply@localhost>",
        "TICK_SECONDS": _positive_int("TICK_SECONDS", get("TICK_SECONDS") or "60"),
        "HTTP_TIMEOUT": _positive_int("HTTP_TIMEOUT", get("HTTP_TIMEOUT") or "10"),
        "HISTORY_DAYS": _positive_int("HISTORY_DAYS", get("HISTORY_DAYS") or "730"),
        "MAIL_CONCURRENCY": _positive_int("MAIL_CONCURRENCY", get("MAIL_CONCURRENCY") or "8"),
        **_dkim(get),
        "BOUNCE_DOMAIN": _domain("BOUNCE_DOMAIN", get("BOUNCE_DOMAIN")),
        "INBOUND_SMTP": _host_port("INBOUND_SMTP", get("INBOUND_SMTP") or "127.0.0.1:2525"),
    }


def check_required(config: dict) -> None:
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise ConfigError("missing required settings: " + ", ".join(missing))
