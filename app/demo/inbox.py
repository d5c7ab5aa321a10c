"""The demo's mail inbox: a real SMTP server (aiosmtpd) and a page to read what arrived."""

import email
import email.policy
import threading

from aiosmtpd.controller import Controller
from flask import Flask, abort, render_template
from werkzeug.serving import make_server


class Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"


def _parts(message) -> tuple[str | None, str | None]:
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    return (html.get_content() if html else None), (text.get_content() if text else None)


def inbox_app(mailbox: Mailbox) -> Flask:
    app = Flask(__name__, template_folder="../../templates/demo")

    @app.get("/")
    def index():
        return render_template("inbox.html", messages=list(enumerate(mailbox.messages))[::-1])

    @app.get("/<int:number>")
    def show(number: int):
        if number >= len(mailbox.messages):
            abort(404)
        message = mailbox.messages[number]
        html, text = _parts(message)
        return render_template(
            "message.html", number=number, message=message, html=html, text=text, headers=list(message.items())
        )

    return app


def start_inbox(smtp_port: int, web_port: int) -> Mailbox:
    mailbox = Mailbox()
    Controller(mailbox, hostname="127.0.0.1", port=smtp_port, server_kwargs={"decode_data": False}).start()
    server = make_server("127.0.0.1", web_port, inbox_app(mailbox), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return mailbox
