"""/api/metrics, /api/customers/<id> and /api/predictions/model over HTTP, bad input included."""

from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
import time_machine

from app import jobs
from app.answers import store as answers
from app.customers import days
from app.customers.models import Customer, Order
from app.extensions import db
from app.predictions import bgnbd
from app.predictions.jobs import schedule
from tests.measures.conftest import local

NOW = datetime(2026, 11, 20, 5, 0)  # noon in Ho Chi Minh City


@pytest.fixture(autouse=True)
def clock_at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_metrics_for_a_period(client, auth, order):
    order(1, local(2026, 10, 5), "40.00")
    response = client.get("/api/metrics?from=2026-10-01&to=2026-10-31", headers=auth())
    assert response.status_code == 200
    body = response.json
    assert (body["from"], body["to"], body["orders"], body["revenue"]) == ("2026-10-01", "2026-10-31", 1, "40.00")
    assert set(body["automations"]) >= {"abandoned_cart", "winback"}
    assert body["automations"]["winback"]["holdout"]["confidence"] == "not_enough_data"


def test_metrics_without_dates_is_the_last_30_days(client, auth):
    body = client.get("/api/metrics", headers=auth()).json
    assert (body["from"], body["to"]) == ("2026-10-22", "2026-11-20")


@pytest.mark.parametrize(
    "query, words",
    [
        ("from=2026-10-01", "both"),
        ("from=2026-13-01&to=2026-10-31", "YYYY-MM-DD"),
        ("from=20261001&to=20261031", "YYYY-MM-DD"),
        ("from=2026-10-31&to=2026-10-01", "ends before it starts"),
        ("from=2023-01-01&to=2026-10-31", "3 years"),
    ],
)
def test_bad_periods_are_refused_with_a_message(client, auth, query, words):
    response = client.get(f"/api/metrics?{query}", headers=auth())
    assert response.status_code == 400
    assert words in response.json["error"]


def test_messages_in_vietnamese(client, auth):
    response = client.get("/api/metrics?from=2026-10-31&to=2026-10-01&locale=vi", headers=auth())
    assert response.json["error"] == "Ngày kết thúc đang trước ngày bắt đầu."


def test_metrics_need_a_session(client):
    assert client.get("/api/metrics").status_code == 401


def test_unknown_or_malformed_customer_is_404(client, auth):
    assert client.get("/api/customers/404", headers=auth()).status_code == 404
    assert client.get("/api/customers/abc", headers=auth()).status_code == 404
    assert client.get(f"/api/customers/{2**64}", headers=auth()).status_code == 404


def test_a_customer_before_any_model(client, auth, order):
    order(1, local(2026, 9, 1), "25.00")
    order(1, local(2026, 11, 3), "30.00")
    order(1, local(2026, 11, 4), "99.00", test=True)
    body = client.get("/api/customers/1", headers=auth()).json
    # Two live orders (the test order is left out): 25.00 + 30.00; last order 17 days ago.
    assert (body["orders"], body["spent"]) == (2, "55.00")
    assert body["first_order_at"] == "2026-09-01T05:00:00Z"
    assert body["last_order_at"] == "2026-11-03T05:00:00Z"
    assert body["segments"] == ["repeat"]
    assert (body["p_alive"], body["expected_orders_365d"], body["predicted_clv_365d"]) == (None, None, None)


def test_no_model_until_enough_data(client, auth, shop, order):
    order(1, local(2026, 9, 1))
    schedule(shop.id)
    db.session.commit()
    jobs.run_due()
    assert client.get("/api/predictions/model", headers=auth()).status_code == 404


def _simulated_shop(shop, customers=400):
    """Orders drawn from a known BG/NBD over 52 weeks ending now, written straight to the table."""
    truth = bgnbd.Params(0.5, 4.0, 0.8, 2.5, 0.0)
    x, t_x, _ = bgnbd.simulate(truth, customers, 52.0, seed=3)
    start = NOW - timedelta(weeks=52)
    rng = np.random.default_rng(3)
    rows, next_id = [], 1
    for customer in range(customers):
        db.session.add(Customer(shop_id=shop.id, id=customer + 1, email=f"c{customer + 1}@example.com"))
        repeats = int(x[customer])
        between = sorted(rng.uniform(0, t_x[customer], max(repeats - 1, 0)))
        moments = [0.0, *between, t_x[customer]] if repeats else [0.0]
        for weeks in moments:
            rows.append(
                Order(
                    shop_id=shop.id,
                    id=next_id,
                    customer_id=customer + 1,
                    placed_at=start + timedelta(weeks=float(weeks)),
                    total=Decimal("20.00") + next_id % 7,
                )
            )
            next_id += 1
    db.session.add_all(rows)
    db.session.flush()
    days.rebuild(shop.id)
    db.session.commit()


def test_the_worker_fits_the_model_and_customers_get_predictions(client, auth, shop):
    _simulated_shop(shop)
    schedule(shop.id)
    db.session.commit()
    jobs.run_due()
    model = client.get("/api/predictions/model", headers=auth()).json
    assert model["model"] == "bgnbd" and model["customers"] == 400
    assert model["fitted_at"] == "2026-11-20T05:00:00Z"
    assert 0.2 < model["r"] < 1.2 and model["spend"]["q"] > 1
    body = client.get("/api/customers/1", headers=auth()).json
    assert 0 < body["p_alive"] <= 1 and body["expected_orders_365d"] > 0
    assert Decimal(body["predicted_clv_365d"]) > 0
    # And again the next day, by itself.
    job = jobs.latest(shop.id, "fit_purchase_model")
    assert job.state == "queued" and job.run_at == NOW + timedelta(days=1)


def test_predicted_lapse_due(shop):
    from app.predictions import predicted_lapse_due
    from app.predictions.models import PurchaseModel

    # No model yet: nobody is due by prediction.
    assert predicted_lapse_due(shop, [1], 0.3) == {1: None}
    db.session.add(
        PurchaseModel(shop_id=shop.id, fitted_at=NOW, customers=500, r=0.25, alpha=4.0, a=0.8, b=2.5, log_likelihood=0)
    )
    for customer, weeks in ((1, (0, 1, 2, 3, 4, 5)), (2, (0, 30)), (3, (0,))):
        db.session.add(Customer(shop_id=shop.id, id=customer, email=f"c{customer}@example.com"))
        for i, week in enumerate(weeks):
            db.session.add(
                Order(
                    shop_id=shop.id,
                    id=customer * 100 + i,
                    customer_id=customer,
                    placed_at=local(2026, 1, 5) + timedelta(weeks=week),
                )
            )
    db.session.flush()
    from app.customers.orders import refresh_stats

    refresh_stats(shop.id, [1, 2, 3])
    days.rebuild(shop.id)
    due = predicted_lapse_due(shop, [1, 2, 3], 0.3)
    # Weekly buyer (x=5, t_x=5 weeks): p_alive = 0.3 when 0.8/6.5 * ((4+T)/9)^5.25 = 7/3,
    # T = 9 * (7/3 * 6.5/0.8)^(1/5.25) - 4 = 9 * 18.958^0.19048 - 4 = 9 * 1.7512 - 4 = 11.76 weeks after the first
    # order, 6.76 weeks after the last: later than the 30-day floor.
    first = datetime(2026, 1, 4, 17, 0)  # Jan 5 local midnight in UTC
    assert due[1] == pytest.approx(first + timedelta(weeks=11.761), abs=timedelta(hours=2))
    # The rarer buyer (x=1, t_x=30): T = 34 * (7/3 * 2.5/0.8)^(1/1.25) - 4 = 34 * 7.2917^0.8 - 4 = 34 * 4.9007 - 4
    # = 162.6 weeks: over two years after the last order.
    assert due[2] > first + timedelta(weeks=150)
    # Never bought twice: the model keeps them alive; the caller decides by days.
    assert due[3] is None


def test_feedback_nps_of_the_period_in_the_shops_days(client, shop, auth, make_shop):
    # October, Ho Chi Minh City days (UTC+7). Answers given in it: 10, 9, 8, 3, 6 →
    # promoters 2/5 = 40 %, detractors 2/5 = 40 %, NPS 40 − 40 = 0.0. Three more lie outside:
    # 10 at 23:30 on 30 Sep local, 0 at 00:30 on 1 Nov local, and a 10 to another shop's survey.
    # Then a 9 on 31 Oct at 23:30 local (16:30 UTC, inside): promoters 3/6, detractors 2/6 → 16.7.
    given = [
        (10, local(2026, 10, 1, 0, 30)),
        (9, local(2026, 10, 2)),
        (8, local(2026, 10, 3)),
        (3, local(2026, 10, 4)),
        (6, local(2026, 10, 5)),
        (10, local(2026, 9, 30, 23, 30)),
        (0, local(2026, 11, 1, 0, 30)),
    ]
    for send_id, (score, moment) in enumerate(given, start=1):
        answers.record(shop.id, send_id, None, "nps", str(score), at=moment)
    answers.record(shop.id, 99, None, "reason", "price", at=local(2026, 10, 6))  # we_miss_you's, not NPS
    answers.record(make_shop("other.myshopify.com").id, 1, None, "nps", "10", at=local(2026, 10, 6))
    db.session.commit()

    def nps():
        body = client.get("/api/metrics?from=2026-10-01&to=2026-10-31", headers=auth()).json
        assert "nps" not in body["automations"]["winback"]
        return body["automations"]["feedback"]["nps"]

    assert nps() == 0.0
    answers.record(shop.id, 8, None, "nps", "9", at=local(2026, 10, 31, 23, 30))
    db.session.commit()
    assert nps() == 16.7
    empty = client.get("/api/metrics?from=2026-08-01&to=2026-08-31", headers=auth()).json
    assert empty["automations"]["feedback"]["nps"] is None
