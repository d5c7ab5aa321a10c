"""The store's token endpoint: an authorization code, a session token or a refresh token traded
for an access token. Below both install and token refresh, so neither imports the other."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from flask import current_app

from app import clock
from app.shops.domains import store_url


class InstallError(Exception):
    """The store did not give us a usable token; the message is shown to the merchant."""


class TokenRefused(InstallError):
    """The store's token endpoint said no (a bad code or session token), as opposed to not answering."""


#: Token exchange (Shopify-managed installation): the admin's session token for an expiring offline token.
TOKEN_EXCHANGE = {
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
    "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
    "expiring": 1,
}


@dataclass
class Grant:
    access_token: str
    scopes: list[str]
    refresh_token: str | None = None
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None

    @classmethod
    def from_response(cls, body: dict) -> "Grant":
        now = clock.now()

        def later(seconds):
            return now + timedelta(seconds=int(seconds)) if seconds else None

        return cls(
            access_token=body["access_token"],
            scopes=[s.strip() for s in (body.get("scope") or "").split(",") if s.strip()],
            refresh_token=body.get("refresh_token"),
            expires_at=later(body.get("expires_in")),
            refresh_expires_at=later(body.get("refresh_token_expires_in")),
        )


def token_request(shop_domain: str, fields: dict) -> Grant:
    """POST to the store's token endpoint (code, session token or refresh); InstallError on any failure,
    TokenRefused when the store said no."""
    config = current_app.config
    body = {"client_id": config["SHOPIFY_API_KEY"], "client_secret": config["SHOPIFY_API_SECRET"], **fields}
    try:
        response = requests.post(
            f"{store_url(config, shop_domain)}/admin/oauth/access_token",
            json=body,
            headers={"Accept": "application/json"},
            timeout=config["HTTP_TIMEOUT"],
        )
    except requests.Timeout:
        raise InstallError("The store did not answer in time; please try installing again.") from None
    except requests.RequestException:
        raise InstallError("Could not reach the store; please try installing again.") from None
    if response.status_code in (400, 401, 403):
        raise TokenRefused(f"The store refused the install (HTTP {response.status_code}); please try again.")
    if response.status_code != 200:
        raise InstallError(f"The store refused the install (HTTP {response.status_code}); please try again.")
    try:
        return Grant.from_response(response.json())
    except (ValueError, KeyError, TypeError):
        raise InstallError("The store's answer had no access token; please try again.") from None
