"""Merchant-written texts are data: plain text with the fixed placeholders, never a template."""

import time

import pytest

from app.automations import settings as automation_settings
from app.automations.models import AutomationSetting
from app.extensions import db
from app.mail.compose import compose
from tests.mail.conftest import cart_context


@pytest.mark.parametrize(
    "subject",
    [
        "{{ 'a'*30000000 }}",
        "{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}{% endfor %}",
        "{{ track('https://evil.example') }}",
        "Hi {{ first_name|upper }}",
        "{{ last_name }}",
        "{# a comment #} Hello",
        "Hi {{first_name}} {{ shop_name }} {{ unsubscribe_url }}",
        "Hello\r\nBcc: victim@example.com",
    ],
)
def test_template_code_in_a_subject_is_a_400_and_changes_nothing(client, auth, subject):
    before = client.get("/api/automations/abandoned_cart", headers=auth).json
    started = time.monotonic()
    response = client.patch("/api/automations/abandoned_cart", headers=auth, json={"subject": {"en": subject}})
    assert response.status_code == 400 and response.json["error"]
    assert time.monotonic() - started < 1
    assert client.get("/api/automations/abandoned_cart", headers=auth).json == before


def test_the_fixed_placeholders_are_named_and_accepted(client, auth):
    fields = client.get("/api/automations/abandoned_cart/fields", headers=auth).json
    assert {"{{ first_name }}", "{{ shop_name }}"} <= set(fields["placeholders"])
    response = client.patch(
        "/api/automations/abandoned_cart",
        headers=auth,
        json={"subject": {"en": "{{first_name}}, {{ shop_name }} kept your cart", "vi": "Chào {{ first_name }}"}},
    )
    assert response.status_code == 200
    assert response.json["subject"]["en"] == "{{first_name}}, {{ shop_name }} kept your cart"


def _subject(shop, send, subject, first_name=None) -> str:
    context = {**cart_context(), "first_name": first_name}
    message = compose(shop, send, template="abandoned_cart", context=context, subject=subject)
    return str(message["Subject"])


def test_placeholders_are_filled_and_a_missing_first_name_is_nothing(us_shop, make_send):
    send = make_send(us_shop)
    assert _subject(us_shop, send, "{{ first_name }}, {{shop_name}} kept it") == ", Acme Goods kept it"
    assert _subject(us_shop, send, "Hi {{ first_name }}!", first_name="Lan") == "Hi Lan!"


def test_a_template_stored_before_the_rule_is_sent_as_written_and_never_run(us_shop, make_send, app):
    """A subject saved by an older version is not re-validated: it must not run either."""
    db.session.add(
        AutomationSetting(
            shop_id=us_shop.id, key="abandoned_cart", enabled=True, values={"subject": {"en": "{{ 'a'*30000000 }}"}}
        )
    )
    db.session.commit()
    subject = automation_settings.values(us_shop, "abandoned_cart")["subject"]
    started = time.monotonic()
    title = _subject(us_shop, make_send(us_shop), subject)
    assert time.monotonic() - started < 1
    assert title == "{{ 'a'*30000000 }}"
    tracked = _subject(us_shop, make_send(us_shop, send_id=2), "{{ track('https://evil.example') }}")
    assert "/t/" not in tracked and "evil.example" in tracked
