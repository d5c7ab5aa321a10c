"""The engine: one pass plans what became due, claims a batch, decides, sends and records.

The database row is the truth at every step. Sends are committed as "sending"
before their messages are handed to SMTP, SEND_CHUNK at a time, so a crash can lose
the emails in flight (at most a chunk, recorded as "unknown" when their lease runs
out) but never send one twice. Everything
an automation may not decide alone is decided here, in this order: catch-up limit,
uninstall, switch, the automation's exit conditions, consent, sending hours, caps,
the discount code, and only then the message.
"""

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from flask import current_app
from sqlalchemy import select, text

from app import clock
from app.automations import planning, queue, settings
from app.automations.base import Skip
from app.automations.registry import AUTOMATIONS
from app.automations.timing import SendingHours
from app.discounts import NotNow, create_code
from app.extensions import db
from app.mail import compliance
from app.mail.compose import compose
from app.mail.transport import open_mailer
from app.records.models import Send
from app.shops.models import Shop
from app.shops.settings import effective

log = logging.getLogger(__name__)

CATCH_UP = planning.CATCH_UP
#: Rows claimed at once; one SMTP connection serves them all.
BATCH = 50
#: Messages handed to SMTP between two commits: the most a crash can lose (recorded as "unknown",
#: never sent again). Each chunk's state changes are one statement before SMTP and one after.
SEND_CHUNK = 10
#: Batches per pass, so background jobs get their turn on the next tick.
MAX_BATCHES = 40
#: Retry delays after a temporary failure grow from here, doubling, up to RETRY_CAP.
RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 12
#: Counted against the frequency cap: emails that went, or may have gone.
COUNTED = ("sending", "sent", "unknown")


def run_once(now: datetime | None = None) -> dict:
    """One pass at `now` (default: the clock); returns counts of what happened."""
    now = now or clock.now()
    counts = Counter()
    counts["released"], counts["unknown"] = queue.expire_leases(now)
    counts.update(planning.plan(now))
    pass_ = _Pass(now, counts)
    try:
        for _ in range(MAX_BATCHES):
            batch = queue.claim(now, batch_size(), pass_.token)
            if not batch:
                break
            pass_.process(batch)
            if len(batch) < batch_size():
                break
    finally:
        pass_.close()
    return {key: value for key, value in counts.items() if value}


def batch_size() -> int:
    """Rows claimed at once: BATCH, or two chunks for each connection when there are more."""
    return max(BATCH, 2 * SEND_CHUNK * (current_app.config.get("MAIL_CONCURRENCY") or 1))


@dataclass
class _Shop:
    """What a pass reads once per shop: the shop, its settings, its law, its hours."""

    shop: Shop

    @cached_property
    def settings(self) -> dict:
        return effective(self.shop)

    @cached_property
    def rules(self):
        return compliance.rules(self.shop)

    @cached_property
    def hours(self) -> SendingHours:
        return SendingHours.for_shop(self.shop, self.settings, self.rules.send_window)


class _Pass:
    def __init__(self, now: datetime, counts: Counter):
        self.now, self.counts = now, counts
        self.token = queue.claim_token()
        self.shops: dict[int, _Shop] = {}
        self.values: dict[tuple[int, str], dict] = {}
        self.mailers: list = []

    def process(self, batch: list[Send]) -> None:
        # Read shops and switches afresh for every batch: switching off takes effect within one batch.
        self.shops.clear()
        self.values.clear()
        ready = []
        for send in batch:
            try:
                message = self.prepare(send)
            except Exception as error:  # noqa: BLE001 - one bad send must not stop the others
                log.exception("send %s could not be prepared", send.id)
                db.session.rollback()
                self.finish(send, "failed", reason="error", last_error=f"{type(error).__name__}: {error}"[:2000])
                message = None
            db.session.commit()
            if message is not None:
                ready.append((send, message))
        if ready:
            self.deliver(ready)

    def prepare(self, send: Send):
        """The message to send now, or None after recording why not (skipped, deferred)."""
        shop = self.shop(send.shop_id)
        automation = AUTOMATIONS.get(send.automation)
        if (send.became_due_at or send.due_at) < self.now - CATCH_UP:
            return self.finish(send, "skipped", reason="too_late", counter="too_late")
        if shop is None or not shop.shop.installed:
            return self.finish(send, "skipped", reason="uninstalled")
        values = self.automation_values(shop.shop, send.automation) if automation else None
        if values is None or not values["enabled"]:
            return self.finish(send, "skipped", reason="disabled")
        reason = automation.exit_reason(shop.shop, send, values)
        if reason:
            return self.finish(send, "skipped", reason=reason)
        wait = automation.wait_until(shop.shop, send, values, self.now)
        if wait:
            return self.defer(send, *wait)
        allowed, reason = automation.consent(shop.shop, send)
        if not allowed:
            return self.finish(send, "skipped", reason=reason or "no_consent")
        later, reason = self.limits(shop, send)
        if later:
            return self.defer(send, later, reason)
        try:
            context = automation.context(shop.shop, send, values)
        except Skip as skip:
            return self.finish(send, "skipped", reason=skip.reason)
        percent = automation.discount_percent(send, values)
        if percent and not send.discount_code:
            try:
                code, expires_at = create_code(shop.shop, send, percent)
            except NotNow as not_now:
                log.info("discount for send %s deferred: %s", send.id, not_now)
                return self.retry(send, "discount", str(not_now))
            # Kept at once: a retry after a crash reuses the code instead of minting another.
            self.keep(
                send,
                discount_code=code,
                context={
                    **send.context,
                    "discount_percent": percent,
                    "discount_expires_at": clock.iso(expires_at) if expires_at else None,
                },
            )
        context["discount"] = discount_of(send)
        return compose(
            shop.shop, send, template=automation.template, context=context, subject=automation.subject(send, values)
        )

    def limits(self, shop: _Shop, send: Send, going: int = 0) -> tuple[datetime | None, str | None]:
        """When the shop's hours and the caps allow this send, if not now. `going`: emails to the
        same address about to go in this chunk, not yet recorded."""
        later = shop.hours.next_allowed(self.now)
        if later != self.now:
            return later, shop.hours.reason(shop.hours.local(self.now).time())
        cap = shop.settings.get("frequency_cap") or {}
        count, days = int(cap.get("count") or 0), int(cap.get("days") or 0)
        if count and days:
            recent = _sent_since(send, self.now - timedelta(days=days)) + [self.now] * going
            if len(recent) >= count:
                return recent[-count] + timedelta(days=days), "frequency_cap"
        limit = shop.rules.daily_limit
        if limit and len(_sent_since(send, shop.hours.day_start(self.now))) + going >= limit:
            return shop.hours.next_allowed(shop.hours.next_day(self.now)), "daily_limit"
        return None, None

    def deliver(self, ready: list) -> None:
        """Hand the messages to SMTP over up to MAIL_CONCURRENCY connections, SEND_CHUNK at a time.

        Deciding and recording stay in this thread (one database session): each chunk is checked
        against the caps and committed as "sending", then pushed to a free connection, whose own
        thread sends it while the next chunk is committed. Since every chunk is committed before
        the next one is checked, the caps count what the other connections are sending: they stay
        exact. A broken connection makes only its own chunk `unknown`; a crash loses at most the
        chunks in flight, and never sends anything twice.
        """
        # Locks taken in one order (their keys'): two workers locking the same addresses cannot deadlock.
        ready = sorted(ready, key=lambda item: _recipient_key(item[0]))
        chunks = [ready[first : first + SEND_CHUNK] for first in range(0, len(ready), SEND_CHUNK)]
        mailers = self.open_mailers()
        for wave in range(0, len(chunks), len(mailers)):
            in_flight = []
            for mailer, chunk in zip(mailers, chunks[wave : wave + len(mailers)]):
                going = self.start_chunk(chunk)
                if going:
                    for send, message in going:
                        mailer.push(send.id, message)
                    in_flight.append((mailer, going))
            for mailer, going in in_flight:
                self.record_chunk([send for send, _ in going], mailer.flush())

    def deliver_chunk(self, chunk: list) -> None:
        """One chunk on one connection, start to finish."""
        going = self.start_chunk(chunk)
        if going:
            mailer = self.open_mailers()[0]
            for send, message in going:
                mailer.push(send.id, message)
            self.record_chunk([send for send, _ in going], mailer.flush())

    def start_chunk(self, chunk: list) -> list:
        """Check the chunk against the caps and commit what may go as "sending"; returns (send, message)."""
        allowed, going = [], Counter()
        for send, message in chunk:
            _lock_recipient(send)
            address = (send.shop_id, send.recipient)
            later, reason = self.limits(self.shops[send.shop_id], send, going[address])
            if later:  # another send to this address went out meanwhile, or goes in this chunk
                self.defer(send, later, reason)
            else:
                allowed.append((send, message))
                going[address] += 1
        messages = {send.id: message for send, message in allowed}
        going = queue.move_many(
            [send for send, _ in allowed],
            self.token,
            ("claimed",),
            state="sending",
            sent_at=self.now,
            lease_until=self.now + queue.SEND_LEASE,
            each={
                send.id: {"subject": str(message["Subject"]), "message_id": str(message["Message-ID"])}
                for send, message in allowed
            },
        )
        db.session.commit()
        return [(send, messages[send.id]) for send in going]

    def record_chunk(self, going: list[Send], deliveries: list) -> None:
        """The outcome of a chunk's SMTP hand-over, in one commit."""
        by_id = {send.id: send for send in going}
        accepted = [by_id[d.send_id] for d in deliveries if d.status == "sent"]
        self.counts["sent"] += len(
            queue.move_many(accepted, self.token, ("sending", "unknown"), state="sent", reason=None, lease_until=None)
        )
        for delivery in deliveries:
            if delivery.status != "sent":
                self.record_failure(by_id[delivery.send_id], delivery)
        db.session.commit()

    def record_failure(self, send: Send, delivery) -> None:
        if delivery.status == "temporary" and send.attempts + 1 < MAX_ATTEMPTS:
            self.retry(send, "temporary", delivery.detail, leaving=("sending",))
        elif delivery.status == "unknown":  # the server may have accepted it: never again
            self.finish(send, "unknown", reason="connection_lost", last_error=delivery.detail, leaving=("sending",))
        else:
            self.finish(send, "failed", reason=delivery.status, last_error=delivery.detail, leaving=("sending",))

    def finish(
        self,
        send: Send,
        state: str,
        *,
        reason: str | None = None,
        last_error: str | None = None,
        counter: str | None = None,
        leaving: tuple[str, ...] = ("claimed",),
    ) -> None:
        if queue.move(send, self.token, leaving, state=state, reason=reason, last_error=last_error, lease_until=None):
            self.counts[counter or state] += 1

    def defer(self, send: Send, until: datetime, reason: str) -> None:
        """Back to the plan for later; not a failure, so attempts stay as they are."""
        if queue.move(
            send, self.token, ("claimed",), state="planned", due_at=until, reason=reason, lease_until=None, worker=None
        ):
            self.counts["deferred"] += 1

    def retry(self, send: Send, reason: str, detail: str | None, leaving=("claimed",)) -> None:
        """Back to the plan after a failure that may pass, each time waiting twice as long."""
        delay = min(RETRY_BASE * 2**send.attempts, RETRY_CAP)
        if queue.move(
            send,
            self.token,
            leaving,
            state="planned",
            due_at=self.now + delay,
            reason=reason,
            attempts=send.attempts + 1,
            last_error=detail,
            sent_at=None,
            lease_until=None,
            worker=None,
        ):
            self.counts["retried"] += 1

    def keep(self, send: Send, **values) -> None:
        queue.move(send, self.token, ("claimed",), **values)
        db.session.commit()

    def shop(self, shop_id: int) -> _Shop | None:
        if shop_id not in self.shops:
            shop = db.session.get(Shop, shop_id)
            self.shops[shop_id] = _Shop(shop) if shop is not None else None
        return self.shops[shop_id]

    def automation_values(self, shop: Shop, key: str) -> dict:
        if (shop.id, key) not in self.values:
            self.values[shop.id, key] = settings.values(shop, key)
        return self.values[shop.id, key]

    def open_mailers(self) -> list:
        """MAIL_CONCURRENCY mailers, each with its own SMTP connection and thread (connected on first use)."""
        if not self.mailers:
            self.mailers = [open_mailer() for _ in range(current_app.config.get("MAIL_CONCURRENCY") or 1)]
        return self.mailers

    def close(self) -> None:
        for mailer in self.mailers:
            mailer.close()


def discount_of(send: Send) -> dict | None:
    """The template's `discount` block for a send that carries a code."""
    if not send.discount_code:
        return None
    return {
        "code": send.discount_code,
        "percent": send.context.get("discount_percent"),
        "expires_at": send.context.get("discount_expires_at"),
    }


def _sent_since(send: Send, since: datetime) -> list[datetime]:
    """When marketing emails went to this address in this shop since `since`, oldest first.

    `sent_at` is set when a row becomes "sending", so emails in flight and unknown ones count too.
    """
    return list(
        db.session.scalars(
            select(Send.sent_at)
            .where(
                Send.shop_id == send.shop_id,
                Send.recipient == send.recipient,
                Send.sent_at > since,
                Send.state.in_(COUNTED),
                Send.id != send.id,
            )
            .order_by(Send.sent_at)
        )
    )


def _recipient_key(send: Send) -> int:
    """The advisory lock key of a send's address in its shop (a signed 64-bit hash)."""
    digest = hashlib.blake2b(f"{send.shop_id}:{send.recipient}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_recipient(send: Send) -> None:
    """On PostgreSQL, serialise cap checks per address until commit, across workers."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS bigint))"), {"key": _recipient_key(send)})
