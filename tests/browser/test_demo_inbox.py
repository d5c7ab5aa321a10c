"""The demo inbox in Chromium: an email's buttons and links open (its frame used to block new windows)."""

import threading
from email.message import EmailMessage

import pytest
from werkzeug.serving import make_server

from app.demo.inbox import Mailbox, inbox_app
from tests.support.postgres import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def inbox():
    mailbox, port = Mailbox(), free_port()
    server = make_server("127.0.0.1", port, inbox_app(mailbox), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield mailbox, f"http://127.0.0.1:{port}"
    server.shutdown()


def test_buttons_and_links_in_an_email_open_in_a_new_tab(inbox, page):
    mailbox, base = inbox
    message = EmailMessage()
    message["Subject"] = "You left something behind"
    message.set_content("text")
    message.add_alternative(
        f'<p><a href="{base}/?from=button" target="_blank">Finish your order</a>'
        f' <a href="{base}/?from=link">Demo Shop</a></p>',
        subtype="html",
    )
    mailbox.messages.append(message)
    page.goto(f"{base}/0")
    frame = page.frame_locator("iframe")
    for name, mark in (("Finish your order", "from=button"), ("Demo Shop", "from=link")):
        with page.context.expect_page(timeout=5_000) as opened:
            frame.get_by_role("link", name=name).click()
        opened.value.wait_for_load_state()
        assert mark in opened.value.url
        opened.value.close()
