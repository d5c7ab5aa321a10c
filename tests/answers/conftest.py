"""An installed shop, a customer and the emails that asked them something."""

from datetime import datetime

import pytest

from app.customers.models import Customer
from app.extensions import db
from app.records.models import Send

CUSTOMER = 4242
EMAIL = "lan@example.com"


@pytest.fixture
def shop(make_shop):
    return make_shop(
        "answers-shop.myshopify.com",
        name="Cà Phê Lan",
        settings={"logo_url": "https://cdn.example.com/logo.png", "accent_color": "#b5451b"},
    )


@pytest.fixture
def customer(shop):
    person = Customer(shop_id=shop.id, id=CUSTOMER, email=EMAIL, first_name="Lan", locale="vi")
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def make_send(shop, customer):
    def make(automation="we_miss_you", locale="vi", trigger="lapse:1") -> Send:
        send = Send(
            shop_id=shop.id,
            automation=automation,
            recipient=EMAIL,
            customer_id=CUSTOMER,
            trigger_ref=trigger,
            due_at=datetime(2026, 11, 1),
            state="sent",
            locale=locale,
        )
        db.session.add(send)
        db.session.commit()
        return send

    return make
