"""What an automation declares, and what the engine asks of it (the API: README.md in this package).

An automation is a journey: a trigger (`triggers`) and an ordered list of `Step`s, each due a
delay after the trigger, each with its template, subject, discount and optional condition.
Timing, exit re-checks, superseded and too-late steps, consent, holdout, caps, spacing between
automations, quiet hours, catch-up and exactly-once belong to the engine, so a new automation is
one module in `app/automations/library/` plus its templates.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, cast, exists, literal, or_, select, true

from app.automations import fields as f
from app.customers.consent import marketing_allowed
from app.customers.models import Customer
from app.extensions import db
from app.mail.rendering import LANGUAGES, language  # noqa: F401 - automations import language from here
from app.records.models import EmailEvent, Send

#: What the engine counts as "the email went (or may have gone)": also what the caps and spacing count.
WENT = ("sending", "sent", "unknown")
#: What may still go.
PENDING = ("planned", "claimed", "sending")


class Skip(Exception):
    """Raised by `context` when the email cannot be made (e.g. too few products): skipped with `reason`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Wait:
    """A condition's answer "not yet": try again at `until`, showing `reason` meanwhile."""

    until: datetime
    reason: str


@dataclass(frozen=True)
class Trigger:
    """Something that happened to one recipient: a journey starts at `at`.

    `ref` names it within the automation (a checkout token, an order id); step `s` of it is
    planned once, as the send with trigger_ref `f"{s.name}:{ref}"`, due at `at + s.delay`.
    """

    ref: str
    at: datetime
    recipient: str
    customer_id: int | None
    locale: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """What a step condition sees when the engine decides one send."""

    shop: Any
    send: Send
    values: dict
    now: datetime
    journey: "Journey"


Condition = Callable[[Decision], "str | Wait | None"]


@dataclass(frozen=True)
class Step:
    """One email of a journey.

    delay: from the trigger (not from the previous email); a timedelta or `values -> timedelta`.
    template: directory under templates/emails/ ({en,vi}.mjml and .txt).
    subject: the settings field with its {"en","vi"} subject, or (field, index) into a list of subjects.
    discount: the settings field with its percent (0 = no code), or None for never a code.
    free_shipping: the email carries a free-shipping code instead (made by the engine like the others).
    condition: `Decision -> None (go) | "reason" (skip) | Wait(until, reason)`, asked before consent.
    enabled: `values -> bool`, for optional steps (a step switched off is neither planned nor sent).
    notice: the email goes to the shop (its notification address, in the shop's primary language,
        not the customer's nor the admin's); it is not marketing: no consent, holdout, caps, quiet
        hours or unsubscribe; exactly once all the same.
    supersedes: an earlier step still pending when this one is due is skipped "superseded".
        False for a step that needs the earlier one to have gone (see `previous_sent`).
    """

    name: str
    delay: timedelta | Callable[[dict], timedelta]
    template: str
    subject: str | tuple[str, int] = "subject"
    discount: str | None = "discount_percent"
    condition: Condition | None = None
    enabled: Callable[[dict], bool] | None = None
    notice: bool = False
    supersedes: bool = True
    label: dict = field(default_factory=dict)
    free_shipping: bool = False

    def delay_for(self, values: dict) -> timedelta:
        return self.delay(values) if callable(self.delay) else self.delay

    def is_on(self, values: dict) -> bool:
        return self.enabled is None or bool(self.enabled(values))

    def subject_for(self, values: dict) -> dict:
        if isinstance(self.subject, tuple):
            name, index = self.subject
            return values[name][index]
        return values[self.subject]

    def percent_for(self, values: dict) -> int:
        return int(values[self.discount]) if self.discount and not self.notice else 0


@dataclass
class Journey:
    """The sends of one trigger of one automation, by step name (those planned so far)."""

    steps: tuple[Step, ...]
    index: int
    sends: dict[str, Send]

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def previous(self) -> Send | None:
        """The send of the step before this one (None for the first step, or when never planned)."""
        return self.sends.get(self.steps[self.index - 1].name) if self.index else None

    def earlier(self) -> list[Send]:
        return [self.sends[s.name] for s in self.steps[: self.index] if s.name in self.sends]

    def later(self) -> list[tuple[Step, Send]]:
        return [(s, self.sends[s.name]) for s in self.steps[self.index + 1 :] if s.name in self.sends]


@dataclass(frozen=True)
class Window:
    """The triggers one planning call asks for: `since < at <= until` for `step`, not yet planned.

    `changed_since`: when set, the window is a rescan of the catch-up, and only triggers whose facts
    were written since then can be new in it (late data, a change): an automation narrows its query
    with `changed(...)` so a steady tick does not grow with what is already planned. Ignoring it is
    correct, only slower.
    """

    shop_id: int
    automation: str
    step: Step
    since: datetime
    until: datetime
    changed_since: datetime | None = None

    def changed(self, *stamps: ColumnElement) -> ColumnElement:
        """SQL condition: one of the trigger's facts (their `changed_at` columns) was written since
        `changed_since`; always true outside a rescan."""
        if self.changed_since is None:
            return true()
        return or_(*(stamp >= self.changed_since for stamp in stamps))

    def unplanned(self, ref: ColumnElement) -> ColumnElement:
        """SQL condition: this step has no send yet for the trigger named `ref` (a column or expression)."""
        return not_planned(self.shop_id, self.automation, literal(self.step.name + ":") + cast(ref, String))


def not_planned(shop_id: int, automation: str, trigger_ref: ColumnElement) -> ColumnElement:
    """SQL condition: no send exists yet for this trigger_ref, so planning scans return only what is new."""
    return ~exists(
        select(Send.id).where(Send.shop_id == shop_id, Send.automation == automation, Send.trigger_ref == trigger_ref)
    )


def customer_of(shop, customer_id: int | None) -> Customer | None:
    """The shop's customer by id: None without an id, or once the customer is gone."""
    return db.session.get(Customer, (shop.id, customer_id)) if customer_id else None


# Conditions an automation may use as they are.


def previous_sent(skip: str = "previous_not_sent", wait: str = "waiting_previous", retry=timedelta(hours=1)):
    """Go only after the previous step's email was sent: wait while it is still pending, skip otherwise
    (an `unknown` one too: it may not have arrived)."""

    def condition(at: Decision):
        previous = at.journey.previous()
        # Held out: so is this step (the holdout is per address), and it is recorded as such.
        if previous is not None and previous.state in ("sent", "held_out"):
            return None
        if previous is not None and previous.state in PENDING:
            return Wait(at.now + retry, wait)
        return skip

    return condition


def previous_not_clicked(at: Decision):
    """Go unless the previous step's email was clicked (a click says the message landed)."""
    previous = at.journey.previous()
    if previous is None or previous.state not in WENT:
        return None
    return "clicked" if _clicked(previous) else None


def _clicked(send: Send) -> bool:
    return (
        db.session.scalar(
            select(EmailEvent.id)
            .where(EmailEvent.shop_id == send.shop_id, EmailEvent.send_id == send.id, EmailEvent.kind == "click")
            .limit(1)
        )
        is not None
    )


# Delays read from settings.


def hours(name: str) -> Callable[[dict], timedelta]:
    return lambda values: timedelta(hours=values[name])


def days(name: str, index: int | None = None) -> Callable[[dict], timedelta]:
    if index is None:
        return lambda values: timedelta(days=values[name])
    return lambda values: timedelta(days=values[name][index])


COMMON_WORDS = {
    "en": {
        "superseded": "a later email of the same journey went instead",
        "journey_ended": "an earlier email of the journey ended it",
        "previous_not_sent": "the previous email was not sent",
        "waiting_previous": "waiting for the previous email to go out",
        "clicked": "the customer clicked the previous email",
        "spacing": "another automation emailed this customer shortly before",
        "held_out": "in the control group (holdout)",
        "step_off": "this email of the journey is switched off",
        "no_notice_address": "the store has no email address for notices",
        "customer_gone": "the customer no longer exists",
    },
    "vi": {
        "superseded": "một email sau trong cùng chuỗi đã được gửi thay",
        "journey_ended": "một email trước trong chuỗi đã kết thúc chuỗi",
        "previous_not_sent": "email trước chưa được gửi",
        "waiting_previous": "đang chờ email trước được gửi",
        "clicked": "khách hàng đã bấm vào email trước",
        "spacing": "khách vừa nhận email từ một tự động hóa khác",
        "held_out": "thuộc nhóm đối chứng (không gửi)",
        "step_off": "email này của chuỗi đang tắt",
        "no_notice_address": "cửa hàng chưa có địa chỉ email nhận thông báo",
        "customer_gone": "khách hàng không còn trong cửa hàng",
    },
}


class Automation:
    """Base of every automation module; subclasses set the attributes and answer the questions."""

    key: str
    #: {"en", "vi"}: the settings page's card title.
    title: dict
    #: The journey, in order; at least one step.
    steps: tuple[Step, ...]
    #: The common `subject` setting: one {"en","vi"} for every step, or a list with one per step.
    default_subject: dict | list
    default_discount: int = 0
    #: Settings beyond the common ones (enabled, subject, discount_percent, holdout_percent).
    fields: tuple[f.Field, ...] = ()
    #: Higher goes first: the settings page lists by it, and of two sends claimed together for one
    #: address the higher one takes the last place under the frequency cap.
    priority: int = 50
    #: Other automation key → window: no email of this one within the window around one of theirs,
    #: to the same address (both ways). E.g. {"winback": timedelta(days=3)}.
    excludes: dict = {}
    #: Words for reason codes (skips, waits) and step labels: {"en": {code: text}, "vi": {...}}.
    words: dict = {"en": {}, "vi": {}}
    #: Reason codes of deferrals that a change of this automation's settings may lift: such sends are
    #: decided anew at the next tick after a change (e.g. a wait counted from a setting).
    deferrals: tuple[str, ...] = ("spacing", "waiting_previous")
    #: A block of the automation's own on its settings card (e.g. the feedback survey's NPS): a
    #: template under templates/, drawn with `panel` = what `panel(shop, locale)` returns.
    panel_template: str | None = None

    def all_fields(self) -> tuple[f.Field, ...]:
        if isinstance(self.default_subject, list):
            subject = f.Subjects("subject", self.default_subject, {"en": "Subjects", "vi": "Tiêu đề"})
        else:
            subject = f.Text("subject", self.default_subject, {"en": "Subject", "vi": "Tiêu đề"}, 1, 150)
        return (
            f.Bool("enabled", False, {"en": "Enabled", "vi": "Bật"}),
            subject,
            f.Int(
                "discount_percent",
                self.default_discount,
                {"en": "Discount (%), 0 for none", "vi": "Giảm giá (%), 0 là không giảm"},
                0,
                100,
            ),
            f.Int(
                "holdout_percent",
                0,
                {"en": "Control group (%) that gets no email", "vi": "Nhóm đối chứng (%) không nhận email"},
                0,
                50,
                help={
                    "en": "Customers in it get no email from this automation, so you can see what the emails "
                    "really add: the Retention tab compares their purchases with the emailed customers' and says "
                    "how sure the difference is.",
                    "vi": "Khách trong nhóm này sẽ không nhận email của chiến dịch, để bạn thấy email thật sự mang "
                    "lại thêm bao nhiêu: thẻ Giữ chân khách so sánh việc mua hàng của nhóm này với nhóm nhận email "
                    "và cho biết mức chênh lệch đáng tin đến đâu.",
                },
            ),
        ) + tuple(self.fields)

    def validate(self, shop, values: dict) -> None:
        """Checks across fields (e.g. a reminder after the first email), or against the shop's data;
        raise fields.FieldError."""

    def panel(self, shop, locale: str) -> dict | None:
        """The variables of `panel_template` for this shop, in `locale` ("en"/"vi"); None: no block."""
        return None

    def step_of(self, send: Send) -> Step:
        name = send.trigger_ref.partition(":")[0]
        return next((s for s in self.steps if s.name == name), self.steps[0])

    def triggers(self, shop, values: dict, window: Window) -> Iterable[Trigger]:
        """Triggers with `window.since < at <= window.until` and `window.unplanned(ref)`; called once per step."""
        raise NotImplementedError

    def exit_reason(self, shop, send: Send, values: dict) -> str | None:
        """Re-checked before every step: a reason code that ends the journey (e.g. "ordered"), or None."""
        return None

    def wait_until(self, shop, send: Send, values: dict, now: datetime) -> tuple[datetime, str] | None:
        """(when to try again, reason code) when the send is not yet right (e.g. the cart changed)."""
        return None

    def consent(self, shop, send: Send) -> tuple[bool, str | None]:
        """The customer's own consent when the send names one (their row), else the address's."""
        return marketing_allowed(shop.id, send.recipient, customer=customer_of(shop, send.customer_id))

    def template_for(self, send: Send) -> str:
        return self.step_of(send).template

    def subject_for(self, send: Send, values: dict) -> dict:
        return self.step_of(send).subject_for(values)

    def percent_for(self, send: Send, values: dict) -> int:
        return self.step_of(send).percent_for(values)

    def context(self, shop, send: Send, values: dict) -> dict:
        """Template variables for this send; raise Skip when the email cannot be made."""
        raise NotImplementedError

    def sample(self, shop, values: dict, locale: str, customer_id: int | None, step: Step) -> tuple[Send, dict]:
        """An unsaved send of `step` and its context for a preview: real data where the shop has it."""
        raise NotImplementedError

    def sample_send(self, shop, step: Step, customer, locale: str, ref: str = "preview", context=None) -> Send:
        """An unsaved send of `step` to `customer`, or to the shop's own address without one, for `sample`."""
        recipient = (customer and customer.email) or shop.email or ""
        return self.draft(shop, step, ref, recipient, customer.id if customer else None, locale, context)

    def draft(self, shop, step: Step, ref: str, recipient: str, customer_id, locale: str, context=None) -> Send:
        """An unsaved send of `step`, for `sample`."""
        return Send(
            shop_id=shop.id,
            automation=self.key,
            recipient=recipient,
            customer_id=customer_id,
            trigger_ref=f"{step.name}:{ref}",
            locale=locale,
            context=context or {},
        )
