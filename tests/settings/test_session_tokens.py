"""Only a session token the store admin signed for this app and an installed shop opens the API."""

import time

import pytest

from app.extensions import db

RETRY = "X-Shopify-Retry-Invalid-Session-Request"


def _get(client, token, path="/api/settings"):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_valid_token_opens_the_api(client, shop, mint):
    response = _get(client, mint(shop.domain))
    assert response.status_code == 200
    assert response.json["frequency_cap"] == {"count": 2, "days": 7}


def _claims():
    now = int(time.time())
    return {
        "expired": {"exp": now - 11, "nbf": now - 100},
        "not yet valid": {"nbf": now + 30},
        "other app": {"aud": "someone-elses-api-key"},
        "iss of another shop": {"iss": "https://other-shop.myshopify.com/admin"},
        "dest not a shop": {"dest": "https://evil.example.com", "iss": "https://evil.example.com/admin"},
        "no exp": {"exp": None},
        "no dest": {"dest": None},
    }


@pytest.mark.parametrize("case", list(_claims()))
def test_bad_claims_are_refused_with_the_retry_header(client, shop, mint, case):
    response = _get(client, mint(shop.domain, **_claims()[case]))
    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert "error" in response.json


def test_clock_skew_within_ten_seconds_is_tolerated(client, shop, mint):
    now = int(time.time())
    assert _get(client, mint(shop.domain, exp=now - 5)).status_code == 200
    assert _get(client, mint(shop.domain, nbf=now + 5)).status_code == 200


def test_a_token_signed_with_another_secret_is_refused(client, shop, mint):
    response = _get(client, mint(shop.domain, secret="not-the-app-secret-at-all-0123456789"))
    assert response.status_code == 401 and response.headers[RETRY] == "1"


def test_unsigned_tokens_are_refused(client, shop, mint):
    header, payload, _ = mint(shop.domain).split(".")
    none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    for token in (f"{none_header}.{payload}.", f"{header}.{payload}.", "garbage", ""):
        response = _get(client, token)
        assert response.status_code == 401 and response.headers[RETRY] == "1"


@pytest.mark.parametrize("header", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer   "])
def test_no_bearer_token_is_a_401(client, shop, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/automations", headers=headers)
    assert response.status_code == 401 and response.headers[RETRY] == "1"


def test_a_token_for_a_shop_that_is_not_installed_is_refused(client, shop, mint):
    assert _get(client, mint("stranger.myshopify.com")).status_code == 401


def test_a_token_stops_working_once_the_shop_uninstalls(client, shop, mint):
    from app import clock

    shop.uninstalled_at = clock.now()
    shop.forget_tokens()
    db.session.commit()
    assert _get(client, mint(shop.domain)).status_code == 401


def test_a_shop_token_sees_only_its_own_shop(client, make_shop, mint):
    """A token of one installed shop never reads or changes another shop's settings."""
    mine, theirs = make_shop("mine.myshopify.com"), make_shop("theirs.myshopify.com")
    response = client.patch(
        "/api/settings", json={"sender_name": "Mine"}, headers={"Authorization": f"Bearer {mint(mine.domain)}"}
    )
    assert response.status_code == 200
    assert _get(client, mint(theirs.domain)).json["sender_name"] is None
    # A stale `shop` parameter naming the other shop is refused rather than ignored.
    foreign = client.get(
        f"/api/settings?shop={theirs.domain}", headers={"Authorization": f"Bearer {mint(mine.domain)}"}
    )
    assert foreign.status_code == 401


def test_cookies_alone_do_not_authenticate(client, shop, mint):
    """The API reads no cookie: a cross-site request cannot ride on the merchant's browser session."""
    client.set_cookie("session", mint(shop.domain))
    assert client.patch("/api/settings", json={"sender_name": "Forged"}).status_code == 401
    db.session.refresh(shop)
    assert "sender_name" not in (shop.settings or {})
