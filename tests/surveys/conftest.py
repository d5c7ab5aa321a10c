from tests.automations.conftest import (  # noqa: F401 - the engine's factories, shared
    add_customer,
    add_order,
    add_product,
    at,
    change,
    enable,
    sends,
    shop,
)
