"""Results, activity, import progress and data requests as the merchant reads them."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from app import jobs
from app.customers.models import DataRequest, Order
from app.extensions import db
from app.jobs import kinds
from app.records.models import EmailEvent, Send

NOW = datetime(2026, 11, 20, 12, 0)


@pytest.fixture
def headers(shop, mint):
    """Minted when called, so that inside a time-travelling test the token is valid at that time."""
    return lambda: {"Authorization": f"Bearer {mint(shop.domain)}"}


@pytest.fixture
def add_send(shop):
    def add(automation="abandoned_cart", state="sent", at=NOW - timedelta(days=1), reason=None, email="an@example.com"):
        send = Send(
            shop_id=shop.id,
            automation=automation,
            recipient=email,
            trigger_ref=f"t:{email}:{at}",
            due_at=at,
            state=state,
            reason=reason,
            sent_at=at if state == "sent" else None,
            created_at=at,
        )
        db.session.add(send)
        db.session.commit()
        return send

    return add


def _event(send, kind):
    db.session.add(EmailEvent(shop_id=send.shop_id, send_id=send.id, kind=kind, at=send.sent_at + timedelta(hours=1)))


def _order(send, number, total, cancelled=False):
    db.session.add(
        Order(
            shop_id=send.shop_id,
            id=number,
            placed_at=send.sent_at + timedelta(hours=2),
            total=Decimal(total),
            attributed_send_id=send.id,
            cancelled_at=send.sent_at + timedelta(hours=3) if cancelled else None,
        )
    )


@time_machine.travel(NOW, tick=False)
def test_results_count_each_email_once_per_kind_of_event(client, headers, add_send):
    first, second = add_send(email="a@example.com"), add_send(email="b@example.com")
    add_send(email="old@example.com", at=NOW - timedelta(days=31))  # outside the window
    add_send(automation="winback", email="c@example.com")
    add_send(email="skip@example.com", state="skipped", reason="ordered")
    for kind in ("open", "open", "click"):  # opened twice: still one opened email
        _event(first, kind)
    _event(second, "open")
    _order(first, 1001, "40.00")
    _order(second, 1002, "15.50")
    _order(second, 1003, "99.00", cancelled=True)
    db.session.commit()

    body = client.get("/api/results", headers=headers()).json
    rows = {row["key"]: row for row in body["automations"]}
    assert rows["abandoned_cart"] == {
        "key": "abandoned_cart",
        "sent": 2,
        "opened": 2,
        "clicked": 1,
        "orders": 2,
        "revenue": "55.50",
    }
    assert rows["winback"]["sent"] == 1 and rows["winback"]["revenue"] == "0"
    assert body["days"] == 30 and len(body["daily"]) == 30
    assert body["daily"][-2] == {"day": "2026-11-19", "sent": 3}


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_results_with_money_in_the_shop_currency_and_a_chart(client, shop, mint, add_send):
    send = add_send()
    _order(send, 1001, "1234.50")
    db.session.commit()
    token = mint(shop.domain)
    english = client.get(f"/app?shop={shop.domain}&id_token={token}").get_data(as_text=True)
    assert "$1,234.50" in english
    assert '<svg class="chart"' in english and "2026-11-19: 1" in english
    vietnamese = client.get(f"/app?shop={shop.domain}&id_token={token}&locale=vi").get_data(as_text=True)
    assert "1.234,50\xa0US$" in vietnamese


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "state, reason, english, vietnamese",
    [
        ("skipped", "ordered", "skipped: the customer ordered", "bỏ qua: khách hàng đã đặt hàng"),
        ("planned", "quiet_hours", "deferred: quiet hours", "hoãn lại: giờ yên lặng"),
        ("planned", None, "scheduled for 2026-11-19 12:00 UTC", "dự kiến gửi lúc 2026-11-19 12:00 UTC"),
        ("sent", None, "sent", "đã gửi"),
        ("skipped", "some_new_code", "skipped: some new code", "bỏ qua: some new code"),
    ],
)
def test_activity_says_what_happened_in_plain_words(client, headers, add_send, state, reason, english, vietnamese):
    add_send(state=state, reason=reason)
    entry = client.get("/api/activity", headers=headers()).json["activity"][0]
    assert entry["text"] == english and entry["state"] == state and entry["recipient"] == "an@example.com"
    assert client.get("/api/activity?locale=vi", headers=headers()).json["activity"][0]["text"] == vietnamese


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "automation, english",
    [
        ("abandoned_cart", "skipped: the customer ordered"),
        ("repeat_purchase", "skipped: the customer ordered again, which ends this journey"),
        ("replenishment", "skipped: none of the products can be shown any more"),
    ],
)
def test_a_reason_reads_in_the_words_of_the_automation_that_gave_it(client, headers, add_send, automation, english):
    """Two automations may use one reason code with different words; each send shows its own."""
    add_send(
        automation=automation, state="skipped", reason="ordered" if automation != "replenishment" else "no_products"
    )
    assert client.get("/api/activity", headers=headers()).json["activity"][0]["text"] == english


def test_import_progress_follows_the_history_job(client, auth, shop):
    assert client.get("/api/import", headers=auth).json["state"] == "none"
    job = jobs.enqueue(shop.id, kinds.IMPORT_HISTORY, unique_key="install")
    job.state, job.data = "running", {"done": 250, "total": 1000, "phase": "orders"}
    db.session.commit()
    progress = client.get("/api/import", headers=auth).json
    assert progress == {"state": "running", "done": 250, "total": 1000, "phase": "orders", "percent": 25, "error": None}
    job.state = "done"
    db.session.commit()
    assert client.get("/api/import", headers=auth).json["percent"] == 100


def test_the_page_draws_a_progress_bar_while_the_import_runs(client, shop, mint):
    job = jobs.enqueue(shop.id, kinds.IMPORT_HISTORY, unique_key="install")
    job.state, job.data = "running", {"done": 30, "total": 120, "phase": "orders"}
    db.session.commit()
    html = client.get(f"/app?shop={shop.domain}&id_token={mint(shop.domain)}").get_data(as_text=True)
    assert 'role="progressbar"' in html and 'aria-valuenow="25"' in html and "30 of 120" in html


def test_data_requests_are_listed_and_downloadable_by_their_shop_only(client, auth, make_shop, mint, shop):
    request = DataRequest(
        shop_id=shop.id,
        customer_id=77,
        email="buyer@example.com",
        payload={"customer": {"email": "buyer@example.com"}, "orders": [{"id": 1}]},
    )
    db.session.add(request)
    db.session.commit()
    listed = client.get("/api/data-requests", headers=auth).json["data_requests"]
    assert [row["id"] for row in listed] == [str(request.id)] and listed[0]["email"] == "buyer@example.com"
    download = client.get(listed[0]["download"], headers=auth)
    assert download.status_code == 200 and download.json["orders"] == [{"id": 1}]
    assert "attachment" in download.headers["Content-Disposition"]

    other = make_shop("other.myshopify.com")
    foreign = {"Authorization": f"Bearer {mint(other.domain)}"}
    assert client.get("/api/data-requests", headers=foreign).json["data_requests"] == []
    assert client.get(listed[0]["download"], headers=foreign).status_code == 404
    for missing in ("123", "99999999999999999999", "abc", "-1"):
        assert client.get(f"/api/data-requests/{missing}.json", headers=auth).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_activity_times_are_in_the_shops_time_zone_and_say_which(client, shop, mint, add_send):
    shop.timezone = "Asia/Ho_Chi_Minh"
    db.session.commit()
    add_send(state="sent", at=datetime(2026, 11, 19, 15, 30))
    add_send(state="planned", at=datetime(2026, 11, 20, 20, 0), email="binh@example.com")
    html = client.get(f"/app?shop={shop.domain}&id_token={mint(shop.domain)}").get_data(as_text=True)
    assert "2026-11-19 22:30 +07" in html  # 15:30 UTC, as the shop in Vietnam reads it
    assert "scheduled for 2026-11-21 03:00 +07" in html
    assert "UTC" not in html.split('id="activity"')[1].split("</ul>")[0]
