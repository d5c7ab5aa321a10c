"""The lifecycle tests stand on the engine tests' factories (shop, customers, orders, products, clock)."""

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
from tests.mail.conftest import make_send, us_shop, vn_shop  # noqa: E402, F401 - fixtures of the email tests
