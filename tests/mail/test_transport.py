"""SMTP delivery: one connection per batch, and failures classified so nothing is sent twice."""

from sqlalchemy import select

from app.customers.consent import marketing_allowed
from app.extensions import db
from app.mail.compose import compose
from app.mail.transport import open_mailer
from app.records.models import EmailEvent
from tests.mail.conftest import cart_context


def _message(shop, send):
    return compose(shop, send, template="abandoned_cart", context=cart_context(), subject="Hi {{ first_name }}")


def test_a_batch_goes_out_over_one_connection(us_shop, make_send, smtp):
    sends = [make_send(us_shop, f"c{i}@example.com", send_id=2000 + i) for i in range(5)]
    sessions = []
    original = smtp.inbox.handle_DATA

    async def count_sessions(server, session, envelope):
        sessions.append(id(session))
        return await original(server, session, envelope)

    smtp.inbox.handle_DATA = count_sessions
    with open_mailer() as mailer:
        for send in sends:
            mailer.push(send.id, _message(us_shop, send))
        deliveries = mailer.flush()
    assert [(d.send_id, d.status) for d in deliveries] == [(s.id, "sent") for s in sends]
    assert len(smtp.inbox.messages) == 5 and len(set(sessions)) == 1
    assert smtp.inbox.envelopes[0] == ("no-reply@localhost", ["c0@example.com"])


def test_a_hard_bounce_is_permanent_and_suppresses_the_address(us_shop, make_send, smtp):
    gone, fine = make_send(us_shop, "gone@example.com", send_id=1), make_send(us_shop, "fine@example.com", send_id=2)
    smtp.inbox.reject_rcpt["gone@example.com"] = "550 5.1.1 no such user"
    with open_mailer() as mailer:
        mailer.push(gone.id, _message(us_shop, gone))
        mailer.push(fine.id, _message(us_shop, fine))
        bounced, sent = mailer.flush()
    db.session.commit()
    assert bounced.status == "permanent" and "550" in bounced.detail
    assert sent.status == "sent" and len(smtp.inbox.messages) == 1
    assert marketing_allowed(us_shop.id, "gone@example.com") == (False, "bounced")
    assert db.session.scalars(select(EmailEvent.send_id).where(EmailEvent.kind == "bounce")).all() == [gone.id]


def test_a_4xx_is_temporary_and_suppresses_nothing(us_shop, make_send, smtp):
    send = make_send(us_shop, "busy@example.com")
    smtp.inbox.reject_rcpt["busy@example.com"] = "450 4.2.1 mailbox busy, try later"
    with open_mailer() as mailer:
        mailer.push(send.id, _message(us_shop, send))
        [delivery] = mailer.flush()
    assert delivery.status == "temporary"
    assert db.session.scalars(select(EmailEvent)).all() == []


def test_a_refused_message_is_permanent_but_keeps_the_address(us_shop, make_send, smtp):
    send = make_send(us_shop)
    smtp.inbox.reject_data = "554 5.7.1 message content rejected"
    with open_mailer() as mailer:
        mailer.push(send.id, _message(us_shop, send))
        [delivery] = mailer.flush()
    assert delivery.status == "permanent"
    assert db.session.scalars(select(EmailEvent)).all() == []


def test_no_server_means_temporary_for_the_whole_batch(us_shop, make_send, app):
    # The app fixture's MAIL_URL points at a port nobody listens on.
    sends = [make_send(us_shop, f"c{i}@example.com", send_id=3000 + i) for i in range(3)]
    with open_mailer() as mailer:
        for send in sends:
            mailer.push(send.id, _message(us_shop, send))
        assert [d.status for d in mailer.flush()] == ["temporary"] * 3
