"""The /app page: framed only by the shop's admin, shop data only for a verified token, both languages."""

import pytest

from app import clock
from app.extensions import db

RETRY = "X-Shopify-Retry-Invalid-Session-Request"


def _open(client, domain, **params):
    query = "&".join(
        f"{k}={v}" for k, v in {"shop": domain, "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw", **params}.items()
    )
    return client.get(f"/app?{query}")


def test_the_page_shows_the_automations_for_a_verified_token(client, shop, mint):
    response = _open(client, shop.domain, id_token=mint(shop.domain))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Abandoned cart" in html and 'data-key="winback"' in html
    assert 'role="switch"' in html and 'aria-checked="false"' in html
    assert (
        response.headers["Content-Security-Policy"]
        == f"frame-ancestors https://{shop.domain} https://admin.shopify.com;"
    )


def test_production_pages_load_app_bridge_with_the_api_key(client, shop, mint):
    html = _open(client, shop.domain, id_token=mint(shop.domain)).get_data(as_text=True)
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>' in html
    assert '<meta name="shopify-api-key" content="test-api-key">' in html


def test_a_sandbox_store_gets_the_plain_fallback(app, client, shop, mint):
    app.config["SHOPIFY_STORE_URL"] = "http://127.0.0.1:9/{shop}"
    html = _open(client, shop.domain, id_token=mint(shop.domain)).get_data(as_text=True)
    assert "app-bridge.js" not in html
    assert f"http://127.0.0.1:9/{shop.domain}/admin/apps/test-api-key" in html


def test_without_a_token_no_shop_data_is_shown(client, shop):
    response = _open(client, shop.domain)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Open Comeback from your store admin" in html
    assert "owner@demo-shop.test" not in html and 'data-key="abandoned_cart"' not in html


@pytest.mark.parametrize("token_for", ["expired", "other-shop", "bad-signature"])
def test_an_invalid_id_token_is_a_401_with_the_retry_header(client, make_shop, mint, token_for):
    shop = make_shop()
    make_shop("other-shop.myshopify.com")
    token = {
        "expired": lambda: mint(shop.domain, exp=1, nbf=0),
        "other-shop": lambda: mint("other-shop.myshopify.com"),
        "bad-signature": lambda: mint(shop.domain, secret="wrong-secret-wrong-secret-wrong-secret"),
    }[token_for]()
    response = _open(client, shop.domain, id_token=token)
    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert 'data-key="abandoned_cart"' not in response.get_data(as_text=True)


def test_a_shop_that_is_not_installed_gets_an_install_link_to_its_own_store(client):
    response = _open(client, "newcomer.myshopify.com")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="https://newcomer.myshopify.com/admin/apps/test-api-key?locale=en"' in html
    assert response.headers["Content-Security-Policy"].startswith("frame-ancestors https://newcomer.myshopify.com ")


def test_an_uninstalled_shop_whose_token_cannot_be_exchanged_is_offered_the_install_again(client, shop, mint):
    shop.uninstalled_at = clock.now()
    shop.forget_tokens()
    db.session.commit()
    # The store (https://demo-shop.myshopify.com here) cannot be reached for the token exchange.
    response = _open(client, shop.domain, id_token=mint(shop.domain))
    assert response.status_code == 502
    assert "Install Comeback" in response.get_data(as_text=True)


@pytest.mark.parametrize("domain", ["", "evil.com", "evil.com%2F.myshopify.com", "a.myshopify.com.evil.com"])
def test_anything_but_a_shop_domain_is_a_400_not_a_redirect(client, domain):
    response = _open(client, domain)
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_vietnamese_by_the_admin_locale_or_the_shop_locale(client, make_shop, mint):
    shop = make_shop()
    html = _open(client, shop.domain, id_token=mint(shop.domain), locale="vi-VN").get_data(as_text=True)
    assert '<html lang="vi">' in html and "Giỏ hàng bị bỏ quên" in html and "Gửi thử cho tôi" in html
    shop.locale = "vi"
    db.session.commit()
    assert "Tự động hóa" in _open(client, shop.domain, id_token=mint(shop.domain)).get_data(as_text=True)
    english = _open(client, shop.domain, id_token=mint(shop.domain), locale="en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Send me a test" in english


def test_the_language_switch_redraws_the_content_through_the_api(client, shop, auth):
    response = client.get("/api/page?locale=vi", headers=auth)
    assert response.status_code == 200 and "Kết quả 30 ngày qua" in response.get_data(as_text=True)
    assert client.get("/api/page?locale=vi").status_code == 401


def test_saved_settings_show_on_the_page(client, shop, auth, mint):
    client.patch("/api/automations/abandoned_cart", headers=auth, json={"enabled": True, "delay_hours": 6})
    client.patch("/api/settings", headers=auth, json={"sender_name": "Trà Linh"})
    html = _open(client, shop.domain, id_token=mint(shop.domain)).get_data(as_text=True)
    assert 'aria-checked="true"' in html and 'value="6"' in html and 'value="Trà Linh"' in html


@pytest.mark.parametrize("asset", ["settings.js", "settings.css"])
def test_static_assets_are_served_locally(client, asset):
    with client.get(f"/settings/static/{asset}") as response:
        assert response.status_code == 200
