"""Delivering composed messages: the small mailer interface, and SMTP behind it.

The engine depends only on `push`, `flush` and `close`, so an HTTP provider
(Postmark, SES) can be added beside `SMTPMailer` without touching it. One SMTP
connection serves a whole batch, driven by a background thread: `push` hands a
message over at once and `flush` waits for the batch, so a caller that renders
between pushes overlaps rendering with SMTP (bench/send.py does; the engine renders
a batch first, then pushes and flushes a chunk at a time). The engine commits its
rows as "sending" before it pushes, so an early hand-over cannot cause a double
send. Each message is sent
step by step (MAIL, RCPT, DATA) so a failure is classified by where it happened:

- `sent`: the server accepted the message;
- `temporary`: a 4xx reply or a connection error before the message was handed
  over; nothing was delivered, try again later;
- `permanent`: a 5xx reply; when it refused the recipient, the address is
  suppressed as bounced for that shop (see `events.bounced`);
- `unknown`: the connection broke while the message itself was being handed over;
  the server may have accepted it, so it must not be sent again.
"""

import queue
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from flask import current_app

from app.mail import dkim_signing, events
from app.mail.mime import PreEncodedMessage


@dataclass(frozen=True)
class Delivery:
    send_id: int | None
    #: sent, temporary, permanent or unknown (see the module docstring).
    status: str
    #: The server's reply or the error, for the send's record.
    detail: str = ""


class Mailer:
    """Queue messages with `push`, deliver them with `flush`, release the connection with `close`."""

    def __init__(self):
        self._queue: list[tuple[int | None, EmailMessage]] = []

    def push(self, send_id: int | None, message: EmailMessage) -> None:
        self._queue.append((send_id, message))

    def flush(self) -> list[Delivery]:
        """Deliver everything pushed since the last flush; one Delivery per message, in order."""
        batch, self._queue = self._queue, []
        deliveries = self._deliver(batch) if batch else []
        for (_, message), delivery in zip(batch, deliveries):
            if delivery.status == "permanent" and delivery.detail.startswith("recipient refused"):
                events.bounced(message, delivery.detail)
        return deliveries

    def close(self) -> None:
        """Release the connection. Messages pushed but never flushed get no Delivery (they may have gone)."""
        self._queue = []

    def _deliver(self, batch: list[tuple[int | None, EmailMessage]]) -> list[Delivery]:
        raise NotImplementedError

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class SMTPMailer(Mailer):
    """SMTP with STARTTLS when the server offers it (`smtp://`) or implicit TLS (`smtps://`)."""

    def __init__(self, url: str, envelope_from: str, timeout: float = 30.0, signer=None):
        super().__init__()
        #: A `dkim_signing.Signer`, or None: messages go unsigned.
        self.signer = signer
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else ""
        self.envelope_from = envelope_from
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        self._thread: threading.Thread | None = None
        self._pending: queue.Queue = queue.Queue()
        self._done: list[Delivery] = []

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            context = ssl.create_default_context()
            if self.implicit_tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                smtp.ehlo()
                if not self.implicit_tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password)
            except (smtplib.SMTPException, OSError):
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def push(self, send_id: int | None, message: EmailMessage) -> None:
        super().push(send_id, message)
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="smtp-mailer", daemon=True)
            self._thread.start()
        self._pending.put((send_id, message))

    def _deliver(self, batch):
        self._pending.join()
        deliveries, self._done = self._done, []
        return deliveries

    def _work(self) -> None:
        while True:
            item = self._pending.get()
            try:
                if item is None:
                    return
                self._done.append(self._deliver_one(*item))
            finally:
                self._pending.task_done()

    def _deliver_one(self, send_id: int | None, message: EmailMessage) -> Delivery:
        if self._done and self._done[-1].detail.startswith("cannot connect"):
            return Delivery(send_id, "temporary", self._done[-1].detail)
        try:
            reused = self._smtp is not None
            status, detail = self._send_one(message)
            if status == "temporary" and reused and self._smtp is None:
                # A kept connection had gone stale (the server's idle timeout): one fresh try.
                status, detail = self._send_one(message)
        except Exception as error:  # noqa: BLE001 - e.g. an unencodable message: nothing was sent
            status, detail = "temporary", f"{type(error).__name__}: {error}"
        return Delivery(send_id, status, detail)

    def _send_one(self, message: EmailMessage) -> tuple[str, str]:
        recipient = getattr(message, "envelope_to", None) or parseaddr(str(message["To"]))[1]
        sender = getattr(message, "envelope_from", None) or self.envelope_from
        data = (
            message.wire()
            if isinstance(message, PreEncodedMessage)
            else message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        )
        if self.signer is not None:
            data = self.signer.sign(data)
        try:
            smtp = self._connect()
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            return "temporary", f"cannot connect to {self.host}:{self.port}: {error}"
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                return self._refused(smtp, code, reply, "sender refused")
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(smtp, code, reply, "recipient refused")
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            return "temporary", f"connection: {error}"
        try:
            code, reply = smtp.data(data)
        except smtplib.SMTPDataError as error:  # DATA itself refused: nothing was handed over
            return self._refused(smtp, error.smtp_code, error.smtp_error, "data refused")
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            return "unknown", f"connection lost while handing over the message: {error}"
        if code == 250:
            return "sent", _text(reply)
        return self._refused(smtp, code, reply, "message refused")

    def _refused(self, smtp: smtplib.SMTP, code: int, reply, what: str) -> tuple[str, str]:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
        if code == 421:  # the server is closing the connection
            self._drop()
        return ("permanent" if code >= 500 else "temporary"), f"{what}: {code} {_text(reply)}"

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        super().close()
        if self._thread is not None:
            self._pending.put(None)
            self._thread.join()
            self._thread = None
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()


def send_now(message: EmailMessage) -> Delivery:
    """Deliver one message that no planned send stands behind (a test email, a confirmation)."""
    with open_mailer() as mailer:
        mailer.push(None, message)
        [delivery] = mailer.flush()
    return delivery


def open_mailer() -> Mailer:
    """A mailer for the app's MAIL_URL; use as a context manager or call `close()`."""
    config = current_app.config
    envelope_from = parseaddr(config["MAIL_FROM"])[1]
    return SMTPMailer(
        config["MAIL_URL"],
        envelope_from,
        timeout=float(config.get("MAIL_TIMEOUT", 30)),
        signer=dkim_signing.from_config(config),
    )


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
