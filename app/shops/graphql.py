"""The Admin GraphQL client every feature uses.

Cost-aware: Shopify answers every call with its leaky-bucket state
(`extensions.cost.throttleStatus`); when a call is THROTTLED we wait exactly as
long as the bucket needs to refill instead of guessing. Connection errors and
5xx are retried with growing delays; `userErrors` become a clear exception.
"""

import logging
import time
from dataclasses import dataclass

import requests
from flask import current_app

from app.shops.domains import store_url
from app.shops.errors import AuthError, GraphQLError, UserErrors
from app.shops.tokens import fresh_access_token

log = logging.getLogger(__name__)


@dataclass
class Client:
    shop_domain: str
    access_token: str
    attempts: int = 5
    #: Injected so tests can wait on a fake clock; production sleeps for real.
    sleep: callable = time.sleep

    @classmethod
    def for_shop(cls, shop) -> "Client":
        return cls(shop.domain, fresh_access_token(shop))

    @property
    def endpoint(self) -> str:
        config = current_app.config
        return f"{store_url(config, self.shop_domain)}/admin/api/{config['SHOPIFY_API_VERSION']}/graphql.json"

    def execute(self, query: str, variables: dict | None = None) -> dict:
        """Run a query or mutation and return its `data`."""
        for attempt in range(1, self.attempts + 1):
            try:
                response = requests.post(
                    self.endpoint,
                    json={"query": query, "variables": variables or {}},
                    headers={"X-Shopify-Access-Token": self.access_token, "Accept": "application/json"},
                    timeout=current_app.config["HTTP_TIMEOUT"],
                )
            except requests.RequestException as error:
                self._retry_or_raise(attempt, f"connection error: {error}")
                continue
            if response.status_code in (401, 403):
                raise AuthError(f"the store refused our token ({response.status_code})")
            if response.status_code == 429 or response.status_code >= 500:
                self._retry_or_raise(
                    attempt, f"HTTP {response.status_code}", float(response.headers.get("Retry-After") or 0)
                )
                continue
            try:
                body = response.json()
            except ValueError:
                raise GraphQLError(f"not JSON (HTTP {response.status_code})") from None
            errors = body.get("errors")
            if errors and _throttled(errors):
                self._retry_or_raise(attempt, "throttled", _refill_seconds(body))
                continue
            if errors:
                messages = errors if isinstance(errors, str) else "; ".join(e.get("message", "?") for e in errors)
                raise GraphQLError(f"GraphQL errors: {messages}")
            return body.get("data") or {}
        raise GraphQLError("unreachable")

    def mutate(self, query: str, variables: dict, field: str) -> dict:
        """Run a mutation and return its payload `data[field]`, raising UserErrors if it has any."""
        payload = self.execute(query, variables).get(field) or {}
        if payload.get("userErrors"):
            raise UserErrors(payload["userErrors"])
        return payload

    def _retry_or_raise(self, attempt: int, why: str, wait: float = 0.0) -> None:
        if attempt >= self.attempts:
            raise GraphQLError(f"{self.shop_domain}: giving up after {attempt} attempts ({why})")
        delay = max(wait, 0.5 * 2 ** (attempt - 1))
        log.info("%s: %s, retrying in %.1fs", self.shop_domain, why, delay)
        self.sleep(delay)


def _throttled(errors) -> bool:
    return isinstance(errors, list) and any(
        (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors if isinstance(e, dict)
    )


def _refill_seconds(body: dict) -> float:
    """How long until the bucket holds what this query asked for, from the store's own figures."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        needed = float(cost.get("requestedQueryCost") or 50) - float(status.get("currentlyAvailable") or 0)
        return max(needed, 0) / float(status.get("restoreRate") or 50)
    except (TypeError, ValueError):
        return 1.0


def gid(kind: str, numeric_id: int | str) -> str:
    return f"gid://shopify/{kind}/{numeric_id}"


def numeric_id(global_id: str | int | None) -> int | None:
    """`gid://shopify/Customer/123` -> 123 (plain numbers pass through)."""
    if global_id is None:
        return None
    try:
        return int(str(global_id).rsplit("/", 1)[-1].split("?")[0])
    except ValueError:
        return None
