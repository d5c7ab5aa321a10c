"""Checks on what Shopify sends us: the signed install query and its freshness."""

import hashlib
import hmac
import time

from app.security import same

MAX_AGE_SECONDS = 24 * 3600
#: Clocks disagree a little; a timestamp from the near future is not an attack.
FUTURE_SKEW_SECONDS = 300


def query_signature(params: dict[str, str], secret: str) -> str:
    """Hex HMAC-SHA256 of the sorted `k=v&...` query without `hmac`, as Shopify computes it."""
    message = "&".join(f"{key}={params[key]}" for key in sorted(params) if key not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def valid_query(params: dict[str, str], secret: str) -> bool:
    given = params.get("hmac") or ""
    return bool(given) and same(query_signature(params, secret), given.lower())


def fresh(timestamp: str | None, now: float | None = None) -> bool:
    try:
        stamp = int(timestamp or "")
    except ValueError:
        return False
    now = time.time() if now is None else now
    return now - MAX_AGE_SECONDS <= stamp <= now + FUTURE_SKEW_SECONDS
