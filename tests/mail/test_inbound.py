"""The inbound server: real DSNs (RFC 3464) and ARF complaints (RFC 5965) sent over SMTP to the bounce addresses."""

import smtplib
from datetime import datetime

import pytest
from sqlalchemy import select

from app.customers.consent import suppression_reason
from app.extensions import db
from app.mail import inbound, verp
from app.mail.compose import compose
from app.mail.transport import open_mailer
from app.records.models import EmailEvent, Send
from tests.mail.conftest import cart_context
from tests.settings.tokens import session_token
from tests.support.postgres import free_port

BOUNCES = "bounces.acme.example"


@pytest.fixture
def app_config():
    return {"BOUNCE_DOMAIN": BOUNCES}


@pytest.fixture
def server(app):
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port)
    yield port
    controller.stop()


def _sent(make_send, shop, recipient="lan@example.com", send_id=1001):
    send = make_send(shop, recipient, send_id=send_id)
    send.state, send.sent_at = "sent", datetime(2026, 3, 2, 9, send_id % 60)
    db.session.commit()
    return send


def _deliver(port, rcpt, raw: bytes, sender="") -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("mx.gmail.example")
        smtp.mail(sender)
        code, reply = smtp.rcpt(rcpt)
        assert code == 250, reply
        code, reply = smtp.data(raw)
    db.session.expire_all()
    return code, reply


def dsn(recipient: str, status: str = "5.1.1", action: str = "failed") -> bytes:
    """A delivery status notification as Postfix writes it."""
    return (
        "From: MAILER-DAEMON@mx.gmail.example (Mail Delivery System)\r\n"
        "To: whoever\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n'
        "\r\n"
        "--B1\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.gmail.example\r\n"
        "Arrival-Date: Mon, 2 Mar 2026 09:00:01 +0000\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} The email account that you tried to reach does not exist\r\n"
        "\r\n"
        "--B1\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"To: {recipient}\r\nSubject: You left something in your cart\r\n"
        "--B1--\r\n"
    ).encode()


def arf(recipient: str, feedback_type: str = "abuse") -> bytes:
    """An abuse report in the Abuse Reporting Format, as a mailbox provider's feedback loop sends it."""
    return (
        "From: <feedback@fbl.yahoo.example>\r\n"
        "Subject: FW: You left something in your cart\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="part1"\r\n'
        "\r\n"
        "--part1\r\n"
        'Content-Type: text/plain; charset="US-ASCII"\r\n\r\n'
        "This is an email abuse report for an email message received from IP 192.0.2.1.\r\n"
        "--part1\r\n"
        "Content-Type: message/feedback-report\r\n\r\n"
        f"Feedback-Type: {feedback_type}\r\n"
        "User-Agent: SomeGenerator/1.0\r\n"
        "Version: 1\r\n"
        "Original-Mail-From: <bounce@bounces.acme.example>\r\n"
        f"Original-Rcpt-To: <{recipient}>\r\n"
        "Source-IP: 192.0.2.1\r\n"
        "\r\n"
        "--part1\r\n"
        "Content-Type: message/rfc822\r\n\r\n"
        f"From: Acme <no-reply@acme.example>\r\nTo: {recipient}\r\nSubject: cart\r\n\r\nhello\r\n"
        "--part1--\r\n"
    ).encode()


def _activity(client, shop) -> list[dict]:
    token = session_token(shop.domain)
    return client.get("/api/activity", headers={"Authorization": f"Bearer {token}"}).json["activity"]


def test_the_envelope_sender_is_a_signed_verp_address(us_shop, make_send, smtp):
    send = make_send(us_shop)
    with open_mailer() as mailer:
        mailer.push(send.id, compose(us_shop, send, template="abandoned_cart", context=cart_context(), subject="Hi"))
        mailer.flush()
    [(mail_from, _)] = smtp.inbox.envelopes
    assert mail_from == verp.address(us_shop, send.id, BOUNCES)
    local = mail_from.split("@")[0]
    assert local.startswith("bounce+") and len(local) <= 64 and local == local.lower()
    assert verp.parse(mail_from.upper(), BOUNCES) == verp.parse(mail_from, BOUNCES)


def test_a_permanent_dsn_suppresses_the_address_as_bounced(us_shop, make_send, server, client):
    send = _sent(make_send, us_shop)
    other = _sent(make_send, us_shop, "someone@example.com", send_id=1002)
    # The report names another address: only the send's own recipient is acted on.
    code, _ = _deliver(server, verp.address(us_shop, send.id, BOUNCES), dsn("someone@example.com"))
    assert code == 250
    assert suppression_reason(us_shop.id, "lan@example.com") == "bounced"
    assert suppression_reason(us_shop.id, other.recipient) is None
    kinds = db.session.scalars(select(EmailEvent.kind).where(EmailEvent.send_id == send.id)).all()
    assert kinds == ["bounce"]
    [entry] = [row for row in _activity(client, us_shop) if row["id"] == str(send.id)]
    assert entry["text"] == "sent, then: the address bounced; no more emails to it"


def test_an_arf_complaint_unsubscribes_the_address(us_shop, make_send, server, client):
    send = _sent(make_send, us_shop)
    assert _deliver(server, verp.address(us_shop, send.id, BOUNCES), arf("lan@example.com"))[0] == 250
    assert suppression_reason(us_shop.id, "lan@example.com") == "unsubscribed"
    [entry] = [row for row in _activity(client, us_shop) if row["id"] == str(send.id)]
    assert "marked an email as spam" in entry["text"]


def test_both_act_only_in_the_shop_that_sent(us_shop, vn_shop, make_send, server):
    send = _sent(make_send, us_shop)
    _deliver(server, verp.address(us_shop, send.id, BOUNCES), dsn("lan@example.com"))
    assert suppression_reason(us_shop.id, "lan@example.com") == "bounced"
    assert suppression_reason(vn_shop.id, "lan@example.com") is None


def test_three_soft_bounces_in_a_row_suppress(us_shop, make_send, server):
    sends = [_sent(make_send, us_shop, send_id=1001 + i) for i in range(3)]
    for number, send in enumerate(sends, 1):
        report = dsn("lan@example.com", status="4.2.2", action="delayed")
        assert _deliver(server, verp.address(us_shop, send.id, BOUNCES), report)[0] == 250
        assert db.session.get(Send, (us_shop.id, send.id)).reason == "soft_bounce"
        expected = "bounced" if number == 3 else None
        assert suppression_reason(us_shop.id, "lan@example.com") == expected


def test_a_soft_bounce_streak_broken_by_an_email_that_did_not_bounce_does_not_suppress(us_shop, make_send, server):
    first, quiet, third, fourth = (_sent(make_send, us_shop, send_id=1001 + i) for i in range(4))
    for send in (first, third, fourth):
        _deliver(server, verp.address(us_shop, send.id, BOUNCES), dsn("lan@example.com", "4.4.7", "delayed"))
    assert suppression_reason(us_shop.id, "lan@example.com") is None


HOSTILE = [
    b"",
    b"garbage without headers \x00\xff\xfe",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n",
    b"Content-Type: multipart/report; report-type=delivery-status\r\n\r\nno boundary",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
    b"Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\nAction: failed\r\n--b--\r\n".replace(
        b"5.1.1", b"9.9.9"
    ),
    (
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n"
        + "--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" * 3000
    ).encode(),
    "Subject: =?utf-8?b?\udcff?=\r\n\r\n".encode("utf-8", "surrogateescape"),
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_malformed_mail_is_accepted_and_ignored(us_shop, make_send, server, raw):
    send = _sent(make_send, us_shop)
    assert _deliver(server, verp.address(us_shop, send.id, BOUNCES), raw)[0] == 250
    assert suppression_reason(us_shop.id, "lan@example.com") is None
    # Still up, and still acting on real reports.
    assert _deliver(server, verp.address(us_shop, send.id, BOUNCES), dsn("lan@example.com"))[0] == 250
    assert suppression_reason(us_shop.id, "lan@example.com") == "bounced"


def test_forged_addresses_and_other_recipients_change_nothing(us_shop, make_send, server):
    send = _sent(make_send, us_shop)
    genuine = verp.address(us_shop, send.id, BOUNCES)
    forged = genuine.replace(genuine.split("-")[-1].split("@")[0], "a" * 16)
    for rcpt in (
        forged,
        f"bounce+1-3e9-{'b' * 16}@{BOUNCES}",
        "postmaster@bounces.acme.example",
        genuine.replace(BOUNCES, "evil.example"),
    ):
        assert _deliver(server, rcpt, dsn("lan@example.com"))[0] == 250
    assert suppression_reason(us_shop.id, "lan@example.com") is None


def test_an_oversized_message_is_refused_without_harm(us_shop, make_send, server):
    send = _sent(make_send, us_shop)
    with smtplib.SMTP("127.0.0.1", server, timeout=10) as smtp:
        smtp.ehlo("mx.example")
        smtp.mail("")
        smtp.rcpt(verp.address(us_shop, send.id, BOUNCES))
        code, _ = smtp.data(b"X: y\r\n\r\n" + (b"a" * 998 + b"\r\n") * (inbound.MAX_BYTES // 1000 + 10))
    assert code == 552
    assert _deliver(server, verp.address(us_shop, send.id, BOUNCES), dsn("lan@example.com"))[0] == 250


def test_the_inbound_command_serves_on_inbound_smtp_and_stops_on_sigterm(us_shop, make_send, database_url):
    """Procfile `inbound:` as the platform runs it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import API_KEY, API_SECRET, SECRET_KEY
    from tests.core.test_worker import ROOT

    with open(os.path.join(ROOT, "Procfile")) as procfile:
        assert "inbound: flask --app app inbound\n" in procfile.read()
    send = _sent(make_send, us_shop)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": API_SECRET,
        "BOUNCE_DOMAIN": BOUNCES,
        "INBOUND_SMTP": f"127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "inbound"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # polling for a real process to listen, not waiting for a schedule
            try:
                code, _ = _deliver(port, verp.address(us_shop, send.id, BOUNCES), arf("lan@example.com"))
                break
            except OSError:
                assert time.monotonic() < deadline, "inbound never listened"
                time.sleep(0.2)
        assert code == 250
        assert suppression_reason(us_shop.id, "lan@example.com") == "unsubscribed"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output.decode()[-2000:]
