"""No value from a store, a customer or a merchant can add a header or a recipient."""

from app.extensions import db
from app.mail.compose import compose
from app.mail.transport import open_mailer
from tests.mail.conftest import cart_context

INJECTION = "\r\nBcc: thief@attacker.example\r\nX-Injected: yes"


def _deliver(shop, send, subject="Your cart"):
    message = compose(shop, send, template="abandoned_cart", context=cart_context(), subject=subject)
    with open_mailer() as mailer:
        mailer.push(send.id, message)
        [delivery] = mailer.flush()
    return message, delivery


def test_shop_name_and_email_cannot_add_headers_or_recipients(us_shop, make_send, smtp):
    us_shop.name = "Acme" + INJECTION
    us_shop.email = "owner@acme.example" + INJECTION
    db.session.commit()
    _, delivery = _deliver(us_shop, make_send(us_shop))
    assert delivery.status == "sent"
    [received] = smtp.inbox.messages
    assert smtp.inbox.envelopes == [("no-reply@localhost", ["lan@example.com"])]
    assert received["Bcc"] is None and received["X-Injected"] is None
    assert "thief" not in str(received.get_all("Reply-To") or "")


def test_the_envelope_recipient_is_the_sends_not_the_parsed_to_header(us_shop, make_send, smtp):
    send = make_send(us_shop, "lan@example.com")
    message = compose(us_shop, send, template="abandoned_cart", context=cart_context(), subject="Hi")
    message.replace_header("To", "thief@attacker.example")
    with open_mailer() as mailer:
        mailer.push(send.id, message)
        mailer.flush()
    assert smtp.inbox.envelopes[0][1] == ["lan@example.com"]


def test_a_customer_address_with_a_line_break_is_never_mailed_as_is(us_shop, make_send, smtp):
    send = make_send(us_shop, "lan@example.com" + INJECTION)
    try:
        _deliver(us_shop, send)
    except ValueError:
        pass
    assert all(rcpt == ["lan@example.com"] for _, rcpt in smtp.inbox.envelopes)
    assert all(m["Bcc"] is None and m["X-Injected"] is None for m in smtp.inbox.messages)


def test_a_long_subject_is_folded_and_delivered(us_shop, make_send, smtp):
    title = " ".join(["Sale"] * 256)  # 1,279 characters
    _, delivery = _deliver(us_shop, make_send(us_shop), subject=title)
    assert delivery.status == "sent"
    [received] = smtp.inbox.messages
    assert str(received["Subject"]) == title
    assert max(len(line) for line in received.as_bytes().split(b"\n")) <= 998


def test_webhook_text_loses_control_characters_when_parsed():
    from app.webhooks.parse import checkout

    record = checkout(
        {
            "token": "t1",
            "updated_at": "2026-03-01T10:00:00Z",
            "email": "lan@example.com\r\nBcc: thief@attacker.example",
            "customer": {"first_name": "Lan\u2028\x00"},
        }
    )
    assert "\r" not in record.email and "\n" not in record.email
    assert record.first_name == "Lan"


def test_settings_refuse_control_characters_in_sender_fields(client, auth):
    for body in ({"sender_name": "Acme\x0bBcc: x"}, {"sender_name": "Acme\u2028"}, {"reply_to": "a@b.co\x00"}):
        response = client.patch("/api/settings", headers=auth, json=body)
        assert response.status_code == 400, body
