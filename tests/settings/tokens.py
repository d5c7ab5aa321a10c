"""Session tokens signed the way the Shopify admin signs them, for the settings tests."""

import time
import warnings

import jwt

from tests.conftest import API_KEY, API_SECRET


def session_token(domain: str, secret: str = API_SECRET, lifetime: int = 60, **claims) -> str:
    """A token for `domain`; `claims` override the defaults (None removes a claim)."""
    now = int(time.time())
    payload = {
        "iss": f"https://{domain}/admin",
        "dest": f"https://{domain}",
        "aud": API_KEY,
        "sub": "42",
        "exp": now + lifetime,
        "nbf": now - 1,
        "iat": now - 1,
        "jti": "00000000-0000-0000-0000-000000000000",
        "sid": "session",
        **claims,
    }
    with warnings.catch_warnings():  # the test secret is short; Shopify's are not
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256")
