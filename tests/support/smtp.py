"""A real SMTP server (aiosmtpd) that keeps what it receives, for tests and the demo inbox."""

import email
import email.policy
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Inbox:
    """Collects messages; `reject_with` makes the server refuse RCPT or DATA with a given reply."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        #: The bytes as they arrived (CRLF lines), for signature checks.
        self.raw: list[bytes] = []
        self.reject_rcpt: dict[str, str] = {}
        self.reject_data: str | None = None
        self._arrived = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject_rcpt:
            return self.reject_rcpt[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reject_data:
            return self.reject_data
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self.raw.append(envelope.original_content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


class SMTPServer:
    def __init__(self, port: int = 0):
        self.inbox = Inbox()
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=port or _free_port(), server_kwargs={"decode_data": False}
        )
        self.controller.start()
        self.port = self.controller.port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    from tests.support.postgres import free_port

    return free_port()


__all__ = ["SMTPServer", "Inbox", "SMTP"]
