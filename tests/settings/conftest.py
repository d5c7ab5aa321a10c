"""Fixtures for the settings page: an installed shop and session tokens signed like Shopify's."""

import pytest

from tests.settings.tokens import session_token


@pytest.fixture
def shop(make_shop):
    return make_shop()


@pytest.fixture
def mint():
    """`mint(domain, secret=..., **claims)`: a session token as the admin would send it."""
    return session_token


@pytest.fixture
def auth(shop, mint):
    """Headers of a valid API call for `shop`."""
    return {"Authorization": f"Bearer {mint(shop.domain)}"}
