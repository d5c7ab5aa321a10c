"""Fixtures for the settings page: an installed shop and session tokens signed like Shopify's."""
import time
import warnings

import jwt
import pytest

from tests.conftest import API_KEY, API_SECRET


@pytest.fixture
def shop(make_shop):
    return make_shop()


@pytest.fixture
def mint():
    """`mint(domain, **claims)`: a session token as the admin would send it; claims override."""
    def make(domain: str = "demo-shop.myshopify.com", secret: str = API_SECRET, **claims) -> str:
        now = int(time.time())
        payload = {"iss": f"https://{domain}/admin", "dest": f"https://{domain}", "aud": API_KEY,
                   "sub": "42", "exp": now + 60, "nbf": now - 1, "iat": now - 1,
                   "jti": "00000000-0000-0000-0000-000000000000", "sid": "session", **claims}
        with warnings.catch_warnings():  # the test secret is short; Shopify's are not
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256")
    return make


@pytest.fixture
def auth(shop, mint):
    """Headers of a valid API call for `shop`."""
    return {"Authorization": f"Bearer {mint(shop.domain)}"}
