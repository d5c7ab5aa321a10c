"""The retention tab and the CSV downloads, as the merchant gets them."""

import csv
import io
from datetime import datetime

import pytest
import time_machine

from app.measures.automations import HELD_OUT
from tests.measures.conftest import local
from tests.measures.test_automations import send

NOW = datetime(2026, 11, 20, 5, 0)


@pytest.fixture(autouse=True)
def clock_at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_tab_shows_figures_changes_charts_and_segments(client, auth, order):
    order(1, local(2026, 9, 1), "20.00")
    order(1, local(2026, 11, 3), "30.00")
    order(2, local(2026, 11, 5), "50.00")
    page = client.get("/api/retention?days=30", headers=auth())
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Oct 22 - Nov 20: two orders, 80.00; the 30 days before had none: no change can be given.
    assert "$80.00" in html and "No comparison with the previous period." in html
    assert html.count("<svg") == 2  # last-order windows and cohorts
    assert 'data-segment="at_risk"' in html and "Not enough data yet" in html
    # B = 1 (customer 1, Sep 1), E = 2, N = 1 (customer 2): retention (2 - 1) / 1 x 100 = 100 %
    assert "100 %" in html.split('data-figure="retention_rate"')[1].split("</div>")[0]


def test_the_tab_in_vietnamese(client, auth):
    html = client.get("/api/retention?locale=vi", headers=auth()).get_data(as_text=True)
    assert "Tỷ lệ giữ chân khách" in html and "Chưa đủ dữ liệu" in html


def test_a_reversed_period_is_refused(client, auth):
    response = client.get("/api/retention?from=2026-11-01&to=2026-10-01", headers=auth())
    assert response.status_code == 400


def test_figures_csv(client, auth, order):
    order(1, local(2026, 11, 3), "30.00")
    response = client.get("/api/metrics.csv?from=2026-11-01&to=2026-11-20", headers=auth())
    rows = dict(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert (rows["orders"], rows["revenue"], rows["customers_new"]) == ("1", "30.00", "1")


def test_segment_csv_lists_the_customers(client, auth, shop, order):
    from app.customers.models import Customer
    from app.extensions import db

    order(1, local(2026, 6, 1), "20.00")  # 172 days before Nov 20: at risk
    order(2, local(2026, 11, 1), "10.00")
    db.session.get(Customer, (shop.id, 1)).first_name = "=HYPERLINK(1)"
    db.session.commit()
    response = client.get("/api/segments/at_risk.csv", headers=auth())
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["email", "first_name", "orders", "spent", "last_order", "p_alive"],
        ["c1@example.com", "'=HYPERLINK(1)", "1", "20.00", "2026-06-01", ""],
    ]
    assert client.get("/api/segments/nobody.csv", headers=auth()).status_code == 404


def _holdout(shop, order, emailed_bought=12, held_bought=4):
    # Winback on 5 Nov: 40 customers emailed, 40 held out; within the 5-day window 12 of the emailed and 4 of
    # the held out buy, 25.00 each.
    for customer in range(1, 81):
        state = "sent" if customer <= 40 else HELD_OUT
        send(shop, customer, local(2026, 11, 5), state=state)
    for customer in [*range(1, 1 + emailed_bought), *range(41, 41 + held_bought)]:
        order(customer, local(2026, 11, 6), "25.00")


def test_the_tab_states_the_holdout_lift_and_how_sure_it_is(client, auth, shop, order):
    _holdout(shop, order)
    # 12/40 = 30 % against 4/40 = 10 %: a lift of 20 points. Pooled p = 16/80 = 0.2, standard error
    # sqrt(0.2 * 0.8 * (1/40 + 1/40)) = 0.0894, z = 0.2 / 0.0894 = 2.24, two-sided p = 0.025 < 0.05.
    # Revenue per customer: 12 * 25.00 / 40 = 7.50 emailed, 4 * 25.00 / 40 = 2.50 held out.
    html = client.get("/api/retention?from=2026-11-01&to=2026-11-20", headers=auth()).get_data(as_text=True)
    statement = " ".join(html.split('data-holdout="winback"')[1].split("</tr>")[0].split())
    assert "30 % of emailed customers bought, against 10 % of those held out." in statement
    assert "Lift: +20 percentage points. Revenue per customer: $7.50 emailed, $2.50 held out." in statement
    assert "very unlikely to be chance: the emails bring extra orders" in statement
    vi = client.get("/api/retention?from=2026-11-01&to=2026-11-20&locale=vi", headers=auth()).get_data(as_text=True)
    statement = " ".join(vi.split('data-holdout="winback"')[1].split("</tr>")[0].split())
    assert "Chênh lệch: +20 điểm phần trăm." in statement and "email thật sự mang về thêm đơn hàng" in statement


def test_a_small_difference_is_called_possible_chance(client, auth, shop, order):
    _holdout(shop, order, emailed_bought=5, held_bought=4)
    # 5/40 = 12.5 % against 4/40 = 10 %: z = 0.025 / 0.0703 = 0.36, p = 0.72: could be chance.
    html = client.get("/api/retention?from=2026-11-01&to=2026-11-20", headers=auth()).get_data(as_text=True)
    statement = " ".join(html.split('data-holdout="winback"')[1].split("</tr>")[0].split())
    assert "Lift: +2.5 percentage points." in statement and "could still be chance" in statement
