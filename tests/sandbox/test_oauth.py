"""The install dance: consent page, signed callback, token exchange and refresh, fault switches."""

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from app.shops.verify import valid_query
from tests.sandbox.helpers import API_KEY, API_SECRET, DEMO, SCOPES, install


def authorize_query(store, **changes):
    query = {
        "client_id": API_KEY,
        "scope": SCOPES,
        "redirect_uri": f"{store.app_url}/auth/callback",
        "state": "nonce-1",
    }
    return {**query, **changes}


def callback_params(response) -> dict:
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_consent_page_names_the_shop_and_scopes(client, store):
    r = client.get(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Install Comeback into Demo Shop?" in page
    assert all(scope in page for scope in SCOPES.split(","))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"client_id": "someone-else"}, "Invalid API key"),
        ({"redirect_uri": "https://evil.example/auth/callback"}, "redirect_uri is not whitelisted"),
        ({"scope": "read_orders,read_everything"}, "invalid_scope"),
    ],
)
def test_bad_authorize_requests_get_an_error_page(client, store, change, message):
    r = client.get(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store, **change))
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)


def test_install_redirects_with_a_real_hmac(client, store):
    params = callback_params(client.post(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store)))
    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    expected = hmac.new(API_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(params["hmac"], expected)
    assert base64.b64decode(params["host"] + "==").decode() == "admin.shopify.com/store/demo-shop"
    assert (params["shop"], params["state"]) == (DEMO, "nonce-1")
    assert int(params["timestamp"]) == int(store.now().timestamp())


def test_an_installed_app_is_sent_straight_back(client, store):
    install(client, store)
    r = client.get(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store))
    assert "code" in callback_params(r)


def test_expiring_token_exchange_and_single_use_code(client, store):
    params = callback_params(client.post(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store)))
    body = {"client_id": API_KEY, "client_secret": API_SECRET, "code": params["code"], "expiring": 1}
    r = client.post(f"/{DEMO}/admin/oauth/access_token", json=body)
    assert r.status_code == 200
    assert set(r.json) == {"access_token", "scope", "expires_in", "refresh_token", "refresh_token_expires_in"}
    assert (r.json["scope"], r.json["expires_in"], r.json["refresh_token_expires_in"]) == (SCOPES, 3600, 7776000)
    again = client.post(f"/{DEMO}/admin/oauth/access_token", json=body)
    assert again.status_code == 400
    assert again.json["error"] == "invalid_request"


def test_offline_token_without_expiry_from_a_form_body(client, store):
    params = callback_params(client.post(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store)))
    r = client.post(
        f"/{DEMO}/admin/oauth/access_token",
        data={"client_id": API_KEY, "client_secret": API_SECRET, "code": params["code"]},
    )
    assert set(r.json) == {"access_token", "scope"}


def test_wrong_secret_and_stale_code_are_refused(client, store, clock):
    params = callback_params(client.post(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store)))
    body = {"client_id": API_KEY, "client_secret": "wrong", "code": params["code"]}
    assert client.post(f"/{DEMO}/admin/oauth/access_token", json=body).status_code == 400
    clock.advance(minutes=11)
    r = client.post(f"/{DEMO}/admin/oauth/access_token", json={**body, "client_secret": API_SECRET})
    assert (r.status_code, r.json["error"]) == (400, "invalid_request")


def test_refresh_rotates_the_pair(client, store, clock, gql):
    first = install(client, store)
    body = {
        "client_id": API_KEY,
        "client_secret": API_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
    }
    second = client.post(f"/{DEMO}/admin/oauth/access_token", json=body).json
    assert second["access_token"] != first["access_token"] and second["refresh_token"] != first["refresh_token"]
    assert gql("{ shop { name } }", access_token=first["access_token"])["data"]  # still valid a short while
    assert client.post(f"/{DEMO}/admin/oauth/access_token", json=body).status_code == 400  # old refresh revoked
    clock.advance(seconds=store.refresh_grace + 1)
    gql("{ shop { name } }", access_token=first["access_token"])
    assert gql.status == 401
    clock.advance(seconds=3600)
    assert gql("{ shop { name } }", access_token=second["access_token"])["errors"].startswith("[API] Invalid")


def test_the_merchant_can_edit_the_scope(client, store):
    query = authorize_query(store, scope_override="read_orders,read_customers")
    params = callback_params(client.post(f"/{DEMO}/admin/oauth/authorize", query_string=query))
    r = client.post(
        f"/{DEMO}/admin/oauth/access_token",
        json={"client_id": API_KEY, "client_secret": API_SECRET, "code": params["code"]},
    )
    assert r.json["scope"] == "read_orders,read_customers"


def test_write_scope_implies_read(client, store):
    assert install(client, store, scope="read_products,write_products")["scope"] == "write_products"


@pytest.mark.parametrize("fault, status", [("500", 500), ("timeout", 504)])
def test_access_token_faults(client, store, shop, fault, status):
    store.fault_sleep = 0.05
    shop.faults["access_token"] = fault
    params = callback_params(client.post(f"/{DEMO}/admin/oauth/authorize", query_string=authorize_query(store)))
    body = {"client_id": API_KEY, "client_secret": API_SECRET, "code": params["code"]}
    assert client.post(f"/{DEMO}/admin/oauth/access_token", json=body).status_code == status


def test_bad_scope_fault_grants_less_than_asked(client, store, shop):
    shop.faults["access_token"] = "bad_scope:1"
    assert install(client, store)["scope"] == "read_orders,read_all_orders,read_customers,read_products"
    assert "access_token" not in shop.faults


def test_open_app_link_is_signed_like_the_admin(client, store):
    install(client, store)
    r = client.get(f"/{DEMO}/open-app")
    url = urlsplit(r.headers["Location"])
    assert f"{url.scheme}://{url.netloc}" == store.app_url
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    # Checked by the app's own verifier: the sandbox must sign exactly as Shopify does.
    assert valid_query(params, API_SECRET)
    assert params["embedded"] == "1" and params["shop"] == DEMO
    claims = jwt.decode(
        params["id_token"],
        API_SECRET,
        algorithms=["HS256"],
        audience=API_KEY,
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
    )
    assert claims["dest"] == f"https://{DEMO}"
