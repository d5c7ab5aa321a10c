from app.mail.compose import compose
from app.mail.transport import open_mailer
from tests.mail.conftest import cart_context


def test_a_composed_cart_email_arrives(us_shop, make_send, smtp):
    send = make_send(us_shop)
    message = compose(
        us_shop,
        send,
        template="abandoned_cart",
        context=cart_context(),
        subject="{{ first_name }}, your cart is waiting",
    )
    with open_mailer() as mailer:
        mailer.push(send.id, message)
        [delivery] = mailer.flush()
    assert delivery.status == "sent"
    [received] = smtp.inbox.to("lan@example.com")
    assert received["Subject"] == "Lan, your cart is waiting"
    assert "$25.00" in received.get_body(("plain",)).get_content()
