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
