"""`flask --app app inbound`: an SMTP server (aiosmtpd) for the bounce addresses.

It takes every message (up to MAX_BYTES; larger ones are refused with 552 before they use
memory), reads DSNs and ARF complaints sent to a `bounce+<token>@{BOUNCE_DOMAIN}` address and
acts on them at once (`bounces.apply`). Anything else — other recipients, other mail,
malformed or hostile messages — is accepted and ignored: a sender must never learn to retry
junk, and nothing in a message can crash the server. Only the database being unavailable
answers 451, so a real bounce is retried rather than lost.
"""

import asyncio
import logging
import signal
import threading

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.mail import bounces, reports, verp

log = logging.getLogger(__name__)
#: A DSN or ARF report quotes at most the original message; ours are well under this.
MAX_BYTES = 1024 * 1024
MAX_RECIPIENTS = 50


class Handler:
    def __init__(self, app: Flask):
        self.app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.receive, list(envelope.rcpt_tos), envelope.original_content)

    def receive(self, recipients: list[str], raw: bytes) -> str:
        """The SMTP reply for one message, after acting on it."""
        with self.app.app_context():
            domain = self.app.config.get("BOUNCE_DOMAIN")
            origins = [origin for origin in (verp.parse(r, domain) for r in recipients if domain) if origin]
            if not origins:
                return "250 OK"
            try:
                report = reports.read(raw)
            except Exception:  # noqa: BLE001 - hostile or broken mail is ignored, never a crash
                log.info("inbound: unreadable message ignored", exc_info=True)
                return "250 OK"
            if report is None:
                return "250 OK"
            try:
                for origin in origins:
                    if bounces.apply(origin, report):
                        log.info("inbound: %s for shop %s send %s", report.kind, origin.shop_id, origin.send_id)
                db.session.commit()
            except OperationalError as error:
                db.session.rollback()
                log.warning("inbound: database unavailable, asking the sender to retry: %s", error)
                return "451 4.3.0 Try again later"
            except Exception:  # noqa: BLE001 - whatever the message held, the server stays up
                db.session.rollback()
                log.exception("inbound: message could not be applied; ignored")
            finally:
                db.session.remove()
            return "250 OK"


def start(app: Flask, host: str, port: int) -> Controller:
    """The server, started in a thread of its own; `stop()` it when done."""
    controller = Controller(
        Handler(app),
        hostname=host,
        port=port,
        server_hostname=app.config.get("BOUNCE_DOMAIN") or "localhost",
        server_kwargs={"data_size_limit": MAX_BYTES, "decode_data": False},
    )
    controller.start()
    return controller


def serve_forever(app: Flask) -> None:
    host, port = app.config["INBOUND_SMTP"]
    controller = start(app, host, port)
    log.info("inbound SMTP on %s:%s for bounce addresses at %s", host, port, app.config.get("BOUNCE_DOMAIN"))
    stopped = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopped.set())
    try:
        stopped.wait()
    finally:
        controller.stop()
