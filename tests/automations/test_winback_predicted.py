"""Win-back with `timing` "predicted": each lapse is due when the customer's p_alive falls below
`p_alive_below` (never sooner than 30 days after the last order), by the shop's fitted model.

The model is set by hand (r 3, α 10, a 1, b 2), so every due moment below is the BG/NBD's closed
form written out: p_alive = 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) falls to p at
T* = (α + t_x) · ((1/p − 1) · (b + x − 1) / a)^(1/(r+x)) − α weeks after the first purchase day's
midnight (the shop's time zone, UTC here). x = purchase days after the first, t_x in weeks.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.automations import settings
from app.automations.engine import run_once
from app.customers.orders import store_orders
from app.customers.records import OrderRecord
from app.extensions import db
from app.predictions.models import PurchaseModel
from tests.automations.conftest import NOW
from tests.automations.test_winback import stock_shop
from tests.settings.tokens import session_token

R, ALPHA, A, B = 3.0, 10.0, 1.0, 2.0
P = 0.3


def t_star(x: int, t_x: float) -> float:
    return (ALPHA + t_x) * ((1 / P - 1) * (B + x - 1) / A) ** (1 / (R + x)) - ALPHA


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def model(shop):
    def fit():
        db.session.merge(
            PurchaseModel(
                shop_id=shop.id, fitted_at=NOW, customers=500, repeat_customers=90, r=R, alpha=ALPHA, a=A, b=B
            )
        )
        db.session.commit()

    return fit


@pytest.fixture
def buyer(shop, add_customer):
    """`buyer(id, [moments])`: a subscribed customer whose orders go through the real write path."""
    ids = iter(range(1, 1000))

    def add(customer_id: int, moments: list[datetime]):
        add_customer(shop, id=customer_id, email=f"c{customer_id}@example.com")
        store_orders(
            shop.id,
            [
                OrderRecord(
                    id=next(ids),
                    updated_at=moment,
                    placed_at=moment,
                    customer_id=customer_id,
                    email=f"c{customer_id}@example.com",
                    total=Decimal("20.00"),
                )
                for moment in moments
            ],
        )
        db.session.commit()

    return add


@pytest.fixture
def tick(shop, add_product, add_order, at):
    """Run the engine at a moment, with fresh orders by others making the bestsellers."""
    stocked = []

    def run(moment: datetime):
        stock_shop(shop, add_product, add_order, now=moment, products=not stocked)
        stocked.append(moment)
        with at(moment):
            return run_once(moment)

    return run


def lapse_of(sends, customer_id):
    return [s for s in sends() if s.customer_id == customer_id and s.automation == "winback"]


def test_each_customer_is_chased_at_their_own_rhythm(shop, enable, model, buyer, tick, sends, smtp):
    model()
    # Weekly: six orders a week apart, the last 20 days before NOW. x = 5, t_x = 5 weeks:
    # T* = 15 · (7/3 · 6)^(1/8) − 10 = 15 · 14^0.125 − 10 = 10.856 weeks from the first day,
    # 5.856 weeks = 41.0 days after the last order: long before the 180 days of `after_days`.
    weekly_first = NOW - timedelta(days=55)
    buyer(1, [weekly_first + timedelta(weeks=k) for k in range(6)])
    weekly_due = midnight(weekly_first) + timedelta(weeks=t_star(5, 5.0))
    assert 40 < (weekly_due - (weekly_first + timedelta(weeks=5))).days + 1 <= 42
    # Yearly: three orders 52 weeks apart, the last 170 days before NOW. x = 2, t_x = 104 weeks:
    # T* = 114 · (7/3 · 3)^(1/5) − 10 = 114 · 7^0.2 − 10 = 158.2 weeks, 54.2 weeks = 379.7 days after the
    # last order: by days (180) it would be due in 10 days, by its rhythm not for another 210.
    yearly_first = NOW - timedelta(days=170, weeks=104)
    buyer(2, [yearly_first + timedelta(weeks=52 * k) for k in range(3)])
    yearly_due = midnight(yearly_first) + timedelta(weeks=t_star(2, 104.0))
    # Daily: ten days in a row, the last 10 days before NOW. x = 9, t_x = 9/7 weeks: T* − t_x = 3.4 weeks
    # = 23.7 days, under the 30-day floor: due 30 days after the last order.
    daily_first = NOW - timedelta(days=19)
    buyer(3, [daily_first + timedelta(days=k) for k in range(10)])
    assert (t_star(9, 9 / 7) - 9 / 7) * 7 < 30
    daily_due = NOW - timedelta(days=10) + timedelta(days=30)
    # One order only: the model keeps p_alive at 1, so `after_days` decides: 170 + 10 = 180 days.
    buyer(4, [NOW - timedelta(days=170)])
    one_time_due = NOW + timedelta(days=10)

    enable(shop, "winback", timing="predicted")
    tick(NOW)
    assert not [s for s in sends() if s.automation == "winback"]

    tick(one_time_due - timedelta(minutes=1))
    assert not lapse_of(sends, 4)
    tick(one_time_due + timedelta(minutes=1))
    [one_time] = lapse_of(sends, 4)
    assert one_time.state == "sent" and one_time.due_at == one_time_due
    assert not lapse_of(sends, 2)  # the yearly buyer is not chased at 180 days

    tick(daily_due - timedelta(minutes=1))
    assert not lapse_of(sends, 3)
    tick(daily_due + timedelta(minutes=1))
    [daily] = lapse_of(sends, 3)
    assert daily.state == "sent" and daily.due_at == daily_due

    tick(weekly_due - timedelta(minutes=1))
    assert not lapse_of(sends, 1)
    tick(weekly_due + timedelta(hours=1))
    [weekly] = lapse_of(sends, 1)
    assert abs(weekly.became_due_at - weekly_due) < timedelta(seconds=1)
    tick(weekly_due.replace(hour=12) + timedelta(days=1))  # past any quiet hours
    assert lapse_of(sends, 1)[0].state == "sent"

    tick(yearly_due - timedelta(minutes=1))
    assert not lapse_of(sends, 2)
    tick(yearly_due + timedelta(hours=1))
    [yearly] = lapse_of(sends, 2)
    assert abs(yearly.became_due_at - yearly_due) < timedelta(seconds=1)
    assert 379 <= (yearly.became_due_at - (NOW - timedelta(days=170))).days <= 380
    tick(yearly_due.replace(hour=12) + timedelta(days=1))
    assert lapse_of(sends, 2)[0].state == "sent"
    assert sorted(m["To"] for m in smtp.inbox.messages) == [f"c{n}@example.com" for n in (1, 2, 3, 4)]


def test_by_days_the_same_customers_are_due_after_days(shop, enable, model, buyer, tick, sends, smtp):
    model()
    weekly_first = NOW - timedelta(days=55)
    buyer(1, [weekly_first + timedelta(weeks=k) for k in range(6)])
    enable(shop, "winback", after_days=60)  # timing "days" is the default
    tick(NOW + timedelta(days=21, hours=2))  # the predicted moment (41 days after the last order) is past
    assert not lapse_of(sends, 1)
    tick(NOW + timedelta(days=40, minutes=1))
    [send] = lapse_of(sends, 1)
    assert send.due_at == NOW + timedelta(days=40) and send.state == "sent"


def test_without_a_fitted_model_predicted_timing_goes_by_days(shop, enable, buyer, tick, sends, smtp):
    weekly_first = NOW - timedelta(days=55)
    buyer(1, [weekly_first + timedelta(weeks=k) for k in range(6)])
    enable(shop, "winback", timing="predicted", after_days=60)
    tick(NOW + timedelta(days=21, hours=2))
    assert not lapse_of(sends, 1)
    tick(NOW + timedelta(days=40, minutes=1))
    [send] = lapse_of(sends, 1)
    assert send.due_at == NOW + timedelta(days=40) and send.state == "sent"


def test_a_new_order_ends_the_predicted_lapse_and_starts_another(shop, enable, model, buyer, tick, sends, smtp):
    model()
    weekly_first = NOW - timedelta(days=55)
    buyer(1, [weekly_first + timedelta(weeks=k) for k in range(6)])
    enable(shop, "winback", timing="predicted")
    tick(NOW)
    # The customer buys again on day 10 (x = 6, t_x = 65 days): the old moment passes unplanned.
    comeback = NOW + timedelta(days=10)
    store_orders(
        shop.id,
        [
            OrderRecord(
                id=500, updated_at=comeback, placed_at=comeback, customer_id=1, email="c1@example.com", total=Decimal(9)
            )
        ],
    )
    db.session.commit()
    old_due = midnight(weekly_first) + timedelta(weeks=t_star(5, 5.0))
    tick(old_due + timedelta(hours=1))
    assert not lapse_of(sends, 1)
    new_due = midnight(weekly_first) + timedelta(weeks=t_star(6, 65 / 7))
    assert new_due > old_due
    tick(new_due + timedelta(hours=1))
    [send] = lapse_of(sends, 1)
    assert send.trigger_ref == "lapse:500" and abs(send.became_due_at - new_due) < timedelta(seconds=1)


@pytest.mark.parametrize(
    "changes",
    [
        {"timing": "soon"},
        {"timing": None},
        {"p_alive_below": 0},
        {"p_alive_below": 1},
        {"p_alive_below": 1.5},
        {"p_alive_below": "0.3"},
        {"p_alive_below": True},
    ],
)
def test_a_bad_timing_setting_is_a_400_in_the_merchants_language(client, shop, changes):
    headers = {"Authorization": f"Bearer {session_token(shop.domain)}"}
    response = client.patch("/api/automations/winback?locale=vi", json=changes, headers=headers)
    assert response.status_code == 400
    assert list(changes)[0] in response.json["error"]
    assert "phải" in response.json["error"]
    listed = {a["key"]: a for a in client.get("/api/automations", headers=headers).json["automations"]}
    assert (listed["winback"]["timing"], listed["winback"]["p_alive_below"]) == ("days", 0.3)


def test_timing_settings_are_kept(client, shop):
    headers = {"Authorization": f"Bearer {session_token(shop.domain)}"}
    response = client.patch(
        "/api/automations/winback", json={"timing": "predicted", "p_alive_below": 0.25}, headers=headers
    )
    assert response.status_code == 200
    assert (response.json["timing"], response.json["p_alive_below"]) == ("predicted", 0.25)
    assert settings.values(shop, "winback")["timing"] == "predicted"


@pytest.mark.parametrize(
    ("locale", "chosen", "explained"),
    [
        (
            "en",
            "Predicted: when the customer has probably stopped buying",
            "a weekly buyer is written to after a few weeks",
        ),
        ("vi", "Theo dự đoán: khi khách có vẻ đã thôi mua", "khách mua hằng tuần sẽ nhận email sau vài tuần"),
    ],
)
def test_the_card_offers_the_timing_and_explains_it_in_plain_words(client, shop, locale, chosen, explained):
    settings.update(shop, "winback", {"timing": "predicted"})
    html = client.get(f"/app?shop={shop.domain}&host=x&locale={locale}&id_token={session_token(shop.domain)}").get_data(
        as_text=True
    )
    card = html[html.index('data-key="winback"') :]
    assert f'<option value="predicted" selected>{chosen}</option>' in card
    assert explained in card and "30" in card
    assert 'name="p_alive_below" data-type="fraction"' in card and 'value="0.3"' in card
