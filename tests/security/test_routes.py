"""Routes answer hostile input with a 4xx (or 503 when the database is away), never a 500."""

import json
import os
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import create_app
from app.config import ConfigError
from app.customers.models import DataRequest, Order
from app.extensions import db
from app.mail import tokens
from app.webhooks.models import WebhookInbox
from tests.conftest import API_KEY, API_SECRET, SECRET_KEY
from tests.webhooks.conftest import SHOP, sign

DEEP = ("[" * 100_000 + "]" * 100_000).encode()


def _post(client, topic, raw: bytes, domain=SHOP):
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(raw),
        "X-Shopify-Shop-Domain": domain,
        "X-Shopify-Webhook-Id": f"wh-{hash(raw)}",
        "Content-Type": "application/json",
    }
    return client.post("/webhooks/shopify", data=raw, headers=headers)


@pytest.fixture
def webhook_shop(make_shop):
    return make_shop(SHOP, platform_id=690933842)


@pytest.mark.parametrize("number", ["1e400", "Infinity", "-Infinity", "NaN", "1.5"])
def test_ids_that_are_not_whole_numbers_are_a_400(client, webhook_shop, number):
    raw = ('{"id": %s, "created_at": "2026-11-01T10:00:00Z", "email": "a@example.com"}' % number).encode()
    assert _post(client, "orders/create", raw).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(WebhookInbox)) == 0


def test_deeply_nested_json_is_a_400_on_webhooks_and_the_api(client, webhook_shop, mint):
    assert _post(client, "orders/create", b'{"a": ' + DEEP + b"}").status_code == 400
    auth = {"Authorization": f"Bearer {mint(SHOP)}", "Content-Type": "application/json"}
    for path in ("/api/settings", "/api/automations/abandoned_cart"):
        assert client.patch(path, data=b'{"a": ' + DEEP + b"}", headers=auth).status_code == 400


def test_a_lone_surrogate_is_refused_at_the_door(client, webhook_shop):
    request = {"shop_id": 690933842, "shop_domain": SHOP, "customer": {"id": 1, "email": "a\\ud800@example.com"}}
    raw = json.dumps(request).replace("\\\\ud800", "\\ud800").encode()
    assert _post(client, "customers/data_request", raw).status_code == 400
    order = (
        b'{"id": 7, "created_at": "2026-11-01T10:00:00Z", "email": "b@example.com",'
        b' "line_items": [{"title": "Bad \\udc00", "quantity": 1}]}'
    )
    assert _post(client, "orders/create", order).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(WebhookInbox)) == 0
    emoji = '{"id": 8, "created_at": "2026-11-01T10:00:00Z", "email": "c@example.com", "note": "\\ud83d\\ude00"}'
    assert _post(client, "orders/create", emoji.encode()).status_code == 200


def test_a_compliance_body_must_name_the_headers_shop(client, webhook_shop, make_shop):
    make_shop("victim.myshopify.com")
    for body in (
        {"shop_id": 1, "shop_domain": "victim.myshopify.com", "customer": {"id": 1}},
        {"shop_id": 12345, "shop_domain": SHOP, "customer": {"id": 1}},
    ):
        raw = json.dumps(body).encode()
        assert _post(client, "customers/data_request", raw).status_code == 400
        assert _post(client, "customers/redact", raw).status_code == 400
    fine = json.dumps({"shop_id": 690933842, "shop_domain": SHOP, "customer": {"id": 1}}).encode()
    assert _post(client, "customers/data_request", fine).status_code == 200


def test_a_session_token_whose_dest_is_not_text_is_a_401(client, webhook_shop, mint):
    for dest in (["https://demo-shop.myshopify.com"], 5, {"a": 1}):
        response = client.get("/api/settings", headers={"Authorization": f"Bearer {mint(SHOP, dest=dest)}"})
        assert response.status_code == 401


def test_a_click_target_with_a_line_break_is_a_400(client, webhook_shop):
    for url in ("https://shop.example/a\r\nSet-Cookie: x=1", "https://shop.example/\x00", "https://a.example/\u2028"):
        token = tokens.click(webhook_shop, 1, url)
        assert client.get(f"/t/{token}").status_code == 400


@pytest.fixture
def unavailable_app(tmp_path):
    """The app on a database that cannot be opened (a directory that is not there)."""
    url = f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "SHOPIFY_API_KEY": API_KEY,
            "SHOPIFY_API_SECRET": API_SECRET,
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    with app.app_context():
        yield app


def test_the_webhook_route_answers_503_when_the_database_is_away(unavailable_app):
    raw = b'{"id": 1, "created_at": "2026-11-01T10:00:00Z"}'
    assert _post(unavailable_app.test_client(), "orders/create", raw).status_code == 503
    redact = json.dumps({"shop_id": 1, "shop_domain": SHOP}).encode()
    assert _post(unavailable_app.test_client(), "shop/redact", redact).status_code == 503


def test_an_unsubscribe_while_the_database_is_away_is_a_503_so_the_client_retries(unavailable_app):
    token = tokens.unsubscribe(SimpleNamespace(id=1, domain=SHOP), 5, "lan@example.com", "vi")
    client = unavailable_app.test_client()
    response = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "thử lại" in response.get_data(as_text=True)
    assert client.get(f"/u/{token}").status_code == 503


def test_unsubscribe_tokens_do_not_show_the_address(webhook_shop):
    import base64

    token = tokens.unsubscribe(webhook_shop, 5, "lan@example.com", "en")
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4) + "==")
    assert b"lan@example.com" not in decoded and "lan" not in token
    assert tokens.read_unsubscribe(token).email == "lan@example.com"


def test_a_redacted_shops_id_is_never_reused_and_its_links_act_on_nothing(client, make_shop):
    from app.customers.consent import suppression_reason
    from app.customers.redaction import redact_shop

    old = make_shop("old-shop.myshopify.com")
    old_id, token = old.id, tokens.unsubscribe(old, None, "lan@example.com", "en")
    redact_shop(old_id)
    db.session.commit()
    new = make_shop("new-shop.myshopify.com")
    assert new.id != old_id
    # Even a shop that somehow got the old id (a restored backup) is out of the link's reach.
    db.session.delete(new)
    db.session.commit()
    impostor = make_shop("new-shop.myshopify.com", id=old_id)
    client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert suppression_reason(impostor.id, "lan@example.com") is None


@pytest.mark.parametrize(
    "argv, command",
    [
        (["/srv/.venv/bin/flask", "--app", "app", "demo", "--port", "5001"], "demo"),
        (["flask", "-A", "app", "worker"], "worker"),
        (["/srv/.venv/bin/gunicorn", "-n", "demo", "app:create_app()"], None),
        (["flask", "--app", "demo", "worker"], "worker"),
    ],
)
def test_only_the_demo_command_means_demo(argv, command):
    from app import flask_command

    assert flask_command(argv) == command


def test_gunicorn_named_demo_still_needs_its_secrets(monkeypatch):
    monkeypatch.setattr("sys.argv", ["gunicorn", "-n", "demo", "app:create_app()"])
    for key in ("SECRET_KEY", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "COMEBACK_DEMO"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ConfigError):
        create_app()


@pytest.mark.skipif(os.environ.get("TEST_DATABASE") == "postgres", reason="SQLite files only")
def test_redacted_data_leaves_no_trace_in_the_sqlite_files(app, client, webhook_shop, database_url):
    from tests.webhooks.conftest import drain

    marker = "zebra-quokka-7731@example.com"
    order = {"id": 77, "created_at": "2026-11-01T10:00:00Z", "email": marker, "customer": {"id": 5, "email": marker}}
    assert _post(client, "orders/create", json.dumps(order).encode()).status_code == 200
    drain()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    redact = {
        "shop_id": 690933842,
        "shop_domain": SHOP,
        "customer": {"id": 5, "email": marker},
        "orders_to_redact": [77],
    }
    assert _post(client, "customers/redact", json.dumps(redact).encode()).status_code == 200
    drain()
    path = database_url.removeprefix("sqlite:///")
    for name in (path, path + "-wal"):
        if os.path.exists(name):
            with open(name, "rb") as file:
                assert marker.encode() not in file.read(), name
