"""The lifecycle tests stand on the engine tests' factories (shop, customers, orders, products, clock)."""

import pytest

from app.automations.engine import run_once
from tests.automations.conftest import (  # noqa: F401 - fixtures
    NOW,
    add_customer,
    add_order,
    add_product,
    at,
    change,
    enable,
    sends,
    shop,
)
from tests.mail.conftest import make_send, us_shop, vn_shop  # noqa: F401 - fixtures of the email tests


@pytest.fixture
def tick(at):  # noqa: F811 - the imported fixture
    """`tick(moment)`: one engine pass with the clock at `moment`; returns its counts."""

    def run(moment):
        with at(moment):
            return run_once(moment)

    return run


@pytest.fixture
def texts(smtp):
    """The plain-text bodies of the emails received so far, by recipient."""

    def read(recipient=None):
        return [
            m.get_body(("plain",)).get_content()
            for m in smtp.inbox.messages
            if recipient is None or m["To"] == recipient
        ]

    return read
