"""The sandbox store with its seeded history, imported into the app, at a fixed moment."""

import pytest
import time_machine

from tests.history.conftest import run_import, sandbox, shop, store_shop  # noqa: F401 - fixtures

#: A weekday at noon in New York: the demo shop's sending hours are open.
MOMENT = "2026-06-10T16:00:00+00:00"


@pytest.fixture
def clock():
    with time_machine.travel(MOMENT, tick=True):
        yield


@pytest.fixture
def scale():
    return 0.25


@pytest.fixture
def app_config(clock, sandbox):  # noqa: F811 - the clock first, so the store is seeded at MOMENT
    return {"SHOPIFY_STORE_URL": sandbox.base_url + "/{shop}"}
