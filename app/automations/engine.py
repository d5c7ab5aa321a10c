"""The engine: one pass plans what became due, claims a batch, decides, sends and records.

The database row is the truth at every step. Sends are committed as "sending"
before their messages are handed to SMTP, SEND_CHUNK at a time, so a crash can lose
the emails in flight (at most a chunk, recorded as "unknown" when their lease runs
out) but never send one twice. Everything
an automation may not decide alone is decided here, in this order: catch-up limit,
uninstall, switch (of the automation and of the step), superseded by a later step that is
due too, the automation's exit conditions (ending the journey), its wait, the step's
condition, a journey ended by an earlier step, consent (ending the journey), the holdout,
sending hours, caps and spacing, the discount code (a percentage or free shipping), and only then the message. A notice to
the shop skips what is about marketing: exits, consent, holdout, hours, caps and unsubscribe.
"""

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from flask import current_app
from sqlalchemy import func, select, text

from app import clock
from app.automations import planning, queue, settings
from app.automations.base import WENT, Decision, Journey, Skip, Wait
from app.automations.registry import AUTOMATIONS, spacing
from app.automations.timing import SendingHours
from app.discounts import NotNow, create_code, create_free_shipping_code
from app.extensions import db
from app.mail import compliance
from app.mail.compose import compose
from app.mail.transport import open_mailer
from app.records.models import Send
from app.shops.models import Shop
from app.shops.settings import effective

log = logging.getLogger(__name__)

CATCH_UP = planning.CATCH_UP
#: Rows claimed at once (at least; see batch_size), shared by the MAIL_CONCURRENCY connections.
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
#: Marks, in a skipped send's context, a skip that ended its journey (an exit or no consent).
ENDS = "ends_journey"


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
            if len(batch) < batch_size() or pass_.server_down:
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
        #: The mail server could not be reached: the pass stops claiming (the next tick tries again).
        self.server_down = False
        self.beat = clock.now()

    def process(self, batch: list[Send]) -> None:
        # Read shops and switches afresh for every batch: switching off takes effect within one batch.
        self.shops.clear()
        self.values.clear()
        ready = []
        # Higher priority first: of two sends to one address, it takes the last place under a cap.
        rank = {key: automation.priority for key, automation in AUTOMATIONS.items()}
        for send in sorted(batch, key=lambda send: (-rank.get(send.automation, 0), send.due_at)):
            self.heartbeat()
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
        if self.server_down:  # what this batch claimed but could not try goes back for the next tick
            queue.release(self.token)

    def prepare(self, send: Send):
        """The message to send now, or None after recording why not (skipped, deferred, held out)."""
        shop = self.shop(send.shop_id)
        automation = AUTOMATIONS.get(send.automation)
        if (send.became_due_at or send.due_at) < self.now - CATCH_UP:
            return self.finish(send, "skipped", reason="too_late", counter="too_late")
        if shop is None or not shop.shop.installed:
            return self.finish(send, "skipped", reason="uninstalled")
        values = self.automation_values(shop.shop, send.automation) if automation else None
        if values is None or not values["enabled"]:
            return self.finish(send, "skipped", reason="disabled")
        step = automation.step_of(send)
        if not step.is_on(values):
            return self.finish(send, "skipped", reason="step_off")
        journey = _journey(automation, send)
        if _superseded(journey, self.now):
            return self.finish(send, "skipped", reason="superseded")
        if not step.notice:
            reason = automation.exit_reason(shop.shop, send, values)
            if reason:
                return self.finish(send, "skipped", reason=reason, ends=True)
        wait = automation.wait_until(shop.shop, send, values, self.now)
        if wait:
            return self.defer(send, *wait)
        outcome = step.condition(Decision(shop.shop, send, values, self.now, journey)) if step.condition else None
        if isinstance(outcome, Wait):
            return self.defer(send, outcome.until, outcome.reason)
        if outcome:
            return self.finish(send, "skipped", reason=outcome)
        if not step.notice:
            if any(s.state == "skipped" and s.context.get(ENDS) for s in journey.earlier()):
                return self.finish(send, "skipped", reason="journey_ended")
            allowed, reason = automation.consent(shop.shop, send)
            if not allowed:
                return self.finish(send, "skipped", reason=reason or "no_consent", ends=True)
            if held_out(send, values["holdout_percent"]):
                return self.finish(send, "held_out", reason="held_out")
            later, reason = self.limits(shop, send)
            if later:
                return self.defer(send, later, reason)
        try:
            context = automation.context(shop.shop, send, values)
        except Skip as skip:
            return self.finish(send, "skipped", reason=skip.reason)
        percent = automation.percent_for(send, values)
        if (percent or step.free_shipping) and not send.discount_code:
            try:
                if step.free_shipping:
                    code, expires_at = create_free_shipping_code(shop.shop, send)
                else:
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
            shop.shop,
            send,
            template=automation.template_for(send),
            context=context,
            subject=automation.subject_for(send, values),
            marketing=not step.notice,
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
        spaced = _spaced_until(send, self.now)
        if spaced:
            return spaced, "spacing"
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
            if self.server_down:
                break
            self.heartbeat()
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
            address = (send.shop_id, send.recipient)
            later = None
            if _is_marketing(send):  # a notice to the shop has no cap
                _lock_recipient(send)
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
        if unreachable(delivery):
            # Nothing was handed over and the server is not at fault for this email: no attempt is
            # counted, and the next tick tries again, however long the outage (within the catch-up).
            self.server_down = True
            self.wait_for_server(send, delivery.detail)
        elif delivery.status == "temporary" and send.attempts + 1 < MAX_ATTEMPTS:
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
        ends: bool = False,
    ) -> None:
        """`ends`: the skip ends the journey (an exit or consent): later steps are skipped "journey_ended"."""
        extra = {"context": {**send.context, ENDS: True}} if ends else {}
        if queue.move(
            send, self.token, leaving, state=state, reason=reason, last_error=last_error, lease_until=None, **extra
        ):
            self.counts[counter or state] += 1

    def heartbeat(self) -> None:
        """Renew this pass's claims every HEARTBEAT of real time: leases stay short, so a killed
        worker's claims return to the plan within a minute, while a slow live one keeps its own."""
        wall = clock.now()
        if wall - self.beat >= queue.HEARTBEAT:
            queue.renew(self.token, max(wall, self.now))
            self.beat = wall

    def wait_for_server(self, send: Send, detail: str) -> None:
        if queue.move(
            send,
            self.token,
            ("sending",),
            state="planned",
            due_at=self.now,
            reason="mail_unreachable",
            last_error=detail,
            sent_at=None,
            lease_until=None,
            worker=None,
        ):
            self.counts["mail_unreachable"] += 1

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


def unreachable(delivery) -> bool:
    """The mail server could not be reached at all (refused, timed out, 4xx greeting)."""
    return delivery.status == "temporary" and delivery.detail.startswith("cannot connect")


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
                Send.state.in_(WENT),
                Send.id != send.id,
            )
            .order_by(Send.sent_at)
        )
    )


def held_out(send: Send, percent: int) -> bool:
    """Whether this address is in the automation's control group: a stable hash of shop, automation
    and address, so every step of every journey of one customer falls on the same side."""
    if not percent:
        return False
    digest = hashlib.blake2b(f"{send.shop_id}:{send.automation}:{send.recipient}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 100 < percent


def _journey(automation, send: Send) -> Journey:
    """The send's step and its siblings of the same trigger (one indexed read; none for one step)."""
    steps = automation.steps
    name, _, ref = send.trigger_ref.partition(":")
    index = next((i for i, step in enumerate(steps) if step.name == name), 0)
    if len(steps) == 1:
        return Journey(steps, index, {name: send})
    refs = [f"{step.name}:{ref}" for step in steps]
    rows = db.session.scalars(
        select(Send).where(Send.shop_id == send.shop_id, Send.automation == send.automation, Send.trigger_ref.in_(refs))
    )
    sends = {row.trigger_ref.partition(":")[0]: row for row in rows}
    sends[name] = send
    return Journey(steps, index, sends)


def _superseded(journey: Journey, now: datetime) -> bool:
    """A later step of the same journey is due too (catch-up, a deferral): only the latest goes.
    Notices to the shop stand beside the customer's emails: they neither supersede nor are superseded."""
    if journey.step.notice:
        return False
    return any(
        step.supersedes
        and not step.notice
        and (later.became_due_at or later.due_at) <= now
        and later.state not in ("skipped", "failed")
        for step, later in journey.later()
    )


def _is_marketing(send: Send) -> bool:
    automation = AUTOMATIONS.get(send.automation)
    return automation is None or not automation.step_of(send).notice


def _spaced_until(send: Send, now: datetime) -> datetime | None:
    """When the spacing between automations (their `excludes`) lets this send go, if not now."""
    windows = spacing(send.automation) if send.automation in AUTOMATIONS else {}
    if not windows:
        return None
    rows = db.session.execute(
        select(Send.automation, func.max(Send.sent_at))
        .where(
            Send.shop_id == send.shop_id,
            Send.recipient == send.recipient,
            Send.automation.in_(list(windows)),
            Send.sent_at > now - max(windows.values()),
            Send.state.in_(WENT),
        )
        .group_by(Send.automation)
    )
    ends = [sent_at + windows[key] for key, sent_at in rows if sent_at + windows[key] > now]
    return max(ends) if ends else None


def _recipient_key(send: Send) -> int:
    """The advisory lock key of a send's address in its shop (a signed 64-bit hash)."""
    digest = hashlib.blake2b(f"{send.shop_id}:{send.recipient}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_recipient(send: Send) -> None:
    """On PostgreSQL, serialise cap checks per address until commit, across workers."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS bigint))"), {"key": _recipient_key(send)})
