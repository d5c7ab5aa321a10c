"""Every email in both languages: snapshots, headers, well-formed HTML, links that lead where they say."""

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine

from app.mail.compose import compose
from tests.mail.conftest import cart_context, winback_context

SNAPSHOTS = Path(__file__).parent / "snapshots"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

EMAILS = {
    "abandoned_cart": (
        cart_context,
        {"en": "{{ first_name }}, your cart is waiting", "vi": "{{ first_name }} ơi, giỏ hàng đang chờ bạn"},
    ),
    "winback": (winback_context, {"en": "We miss you, {{ first_name }}", "vi": "Lâu rồi không gặp, {{ first_name }}"}),
}


@pytest.fixture
def app_config():
    # A fixed APP_URL keeps the signed links, and so the snapshots, the same on every run.
    return {"APP_URL": "https://comeback.test"}


def _compose(shop, send, template, **options):
    context_for, subject = EMAILS[template]
    return compose(shop, send, template=template, context=context_for(shop.currency, **options), subject=subject)


class _Checker(HTMLParser):
    """Fails on mis-nested or unclosed elements; collects every link and image."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.links, self.images = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag == "img":
            self.images.append(attrs.get("src"))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def _parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


@pytest.mark.parametrize("template, reminder", [("abandoned_cart", 1), ("abandoned_cart", 2), ("winback", 1)])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_snapshots(template, lang, reminder, vn_shop, us_shop, make_send):
    shop = vn_shop if lang == "vi" else us_shop
    send = make_send(shop, automation=template)
    context_for, subject = EMAILS[template]
    context = {**context_for(shop.currency), "reminder": reminder}
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        message = compose(shop, send, template=template, context=context, subject=subject)
    name = f"{template}{'_2' if reminder == 2 else ''}.{lang}"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    _match(f"{name}.html", html)
    _match(f"{name}.txt", f"Subject: {message['Subject']}\n\n{text}")


def _match(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}: run with UPDATE_SNAPSHOTS=1 and review the diff"
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed: UPDATE_SNAPSHOTS=1 to accept"


@pytest.mark.parametrize("template", EMAILS)
def test_language_follows_the_customer_then_the_shop(template, us_shop, make_send):
    english = _compose(us_shop, make_send(us_shop, send_id=1), template)
    vietnamese = _compose(us_shop, make_send(us_shop, "b@example.com", send_id=2, locale="vi-VN"), template)
    assert 'lang="en"' in english.get_body(("html",)).get_content()
    assert 'lang="vi"' in vietnamese.get_body(("html",)).get_content()
    assert "Hủy đăng ký" in vietnamese.get_body(("plain",)).get_content()


def test_money_and_dates_follow_the_language(vn_shop, us_shop, make_send):
    vi_text = _compose(vn_shop, make_send(vn_shop), "abandoned_cart").get_body(("plain",)).get_content()
    en_text = _compose(us_shop, make_send(us_shop), "abandoned_cart").get_body(("plain",)).get_content()
    assert "250.000 ₫" in vi_text and "Tổng cộng: 750.000 ₫" in vi_text
    # As a Vietnamese shop writes a date mid-sentence: "ngày 9 tháng 3 năm 2026", not "9 tháng 3, 2026".
    assert "có hiệu lực đến hết ngày 9 tháng 3 năm 2026." in vi_text
    assert "$25.00" in en_text and "Total: $75.00" in en_text and "March 9, 2026" in en_text


def test_headers(us_shop, make_send, app):
    us_shop.settings = {"sender_name": "Hà from Acme", "reply_to": "help@acme.example"}
    send = make_send(us_shop)
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        message = _compose(us_shop, send, "abandoned_cart")
    assert message["From"].addresses[0].display_name == "Hà from Acme"
    assert message["From"].addresses[0].addr_spec == "no-reply@localhost"
    assert message["To"] == "lan@example.com"
    assert message["Reply-To"] == "help@acme.example"
    assert message["Subject"] == "Lan, your cart is waiting"
    assert message["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000"
    assert re.fullmatch(r"<1001\.[0-9a-f]{16}@localhost>", message["Message-ID"])
    assert re.fullmatch(r"<https://comeback\.test/u/[\w.-]+>", message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())
    raw = message.as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\n"))
    assert "List-Unsubscribe: <https://comeback.test/u/" in raw.decode("ascii")


def test_branding_reaches_the_email(us_shop, make_send):
    us_shop.settings = {"logo_url": "https://cdn.example/logo.png", "accent_color": "#ff5500"}
    html = _compose(us_shop, make_send(us_shop), "winback").get_body(("html",)).get_content()
    assert 'src="https://cdn.example/logo.png"' in html
    assert "#ff5500" in html
    assert "1 Main Street" in html and "Springfield, IL 62701" in html


def test_hostile_store_data_is_escaped(us_shop, make_send):
    us_shop.settings = {"accent_color": "red;}</style><script>x()</script>"}
    context = cart_context()
    context["first_name"] = "<script>alert(1)</script>"
    context["items"][0]["title"] = '"><img src=x onerror=alert(1)>'
    message = compose(us_shop, make_send(us_shop), template="abandoned_cart", context=context, subject="Hi")
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    _parse(html)


@pytest.mark.parametrize("template", EMAILS)
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_html_is_well_formed_and_every_link_leads_where_it_should(template, lang, vn_shop, us_shop, make_send, client):
    shop = vn_shop if lang == "vi" else us_shop
    message = _compose(shop, make_send(shop, automation=template), template)
    checker = _parse(message.get_body(("html",)).get_content())
    context = EMAILS[template][0](shop.currency)
    expected = {context.get("shop_url") or f"https://{shop.primary_domain}"} | {
        item["url"] for item in context.get("items", context.get("products", []))
    }
    expected.add(context.get("recovery_url") or context["shop_url"])
    unsubscribe_url = message["List-Unsubscribe"].strip("<>")
    targets = set()
    for href in checker.links:
        if href == unsubscribe_url:
            continue
        assert href.startswith("https://comeback.test/t/"), href
        answer = client.get(urlsplit(href).path)
        assert answer.status_code == 302
        targets.add(answer.location)
    assert targets == expected
    assert unsubscribe_url in checker.links
    pixel = [src for src in checker.images if src.startswith("https://comeback.test/o/")]
    assert len(pixel) == 1 and client.get(urlsplit(pixel[0]).path).mimetype == "image/gif"
