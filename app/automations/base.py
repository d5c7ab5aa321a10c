"""What an automation declares, and what the engine asks of it.

An automation is data plus four small questions: which triggers became due in a
time window (`candidates`), whether a planned send should still go out (`exit_reason`,
`wait_until`, `consent`), and what its template shows (`context`). Timing, caps,
quiet hours, consent order, catch-up and exactly-once belong to the engine, so a new
automation is one module added to the registry and nothing else.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from app.customers.consent import marketing_allowed
from app.mail import placeholders
from app.mail.rendering import LANGUAGES, language  # noqa: F401 - automations import language from here
from app.records.models import Send


class Skip(Exception):
    """Raised by `context` when the email cannot be made (e.g. too few products): skipped with `reason`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Trigger:
    """A send that became due: the engine plans it once per (automation, recipient, trigger_ref)."""

    recipient: str
    customer_id: int | None
    trigger_ref: str
    due_at: datetime
    locale: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Field:
    """One setting of an automation: its type, default, bounds and label for the settings form.

    Types: "bool", "int" (min/max are the bounds), "text" (one string per language;
    min/max bound its length).
    """

    name: str
    type: str
    default: Any
    label: dict
    min: int | None = None
    max: int | None = None

    def as_json(self) -> dict:
        described = {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "min": self.min,
            "max": self.max,
            "label": dict(self.label),
        }
        if self.type == "text":
            described["placeholders"] = ["{{ %s }}" % name for name in placeholders.PLACEHOLDERS]
        return described

    def clean(self, value: Any, current: Any) -> Any:
        """The value to store, or ValueError with a message a merchant can act on."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{self.name} must be true or false")
            return value
        if self.type == "int":
            # bool is an int in Python; `true` is not a number of hours.
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{self.name} must be a whole number")
            if not self.min <= value <= self.max:
                raise ValueError(f"{self.name} must be between {self.min} and {self.max}")
            return value
        if not isinstance(value, dict) or not value:
            raise ValueError(f"{self.name} must be an object with texts for {', '.join(LANGUAGES)}")
        merged = dict(current)
        for lang, text in value.items():
            if lang not in LANGUAGES:
                raise ValueError(f"{self.name}: unknown language {lang!r}")
            if not isinstance(text, str) or not self.min <= len(text.strip()) <= self.max:
                raise ValueError(f"{self.name}.{lang} must be text of {self.min} to {self.max} characters")
            problem = placeholders.problem(text)
            if problem:
                raise ValueError(f"{self.name}.{lang}: {problem}")
            merged[lang] = text.strip()
        return merged


def common_fields(subject: dict, discount_percent: int = 0) -> tuple[Field, ...]:
    """The settings every automation has (INTERFACE.md): the switch, the subject, the discount."""
    return (
        Field("enabled", "bool", False, {"en": "Enabled", "vi": "Bật"}),
        Field("subject", "text", subject, {"en": "Subject", "vi": "Tiêu đề"}, 1, 150),
        Field(
            "discount_percent",
            "int",
            discount_percent,
            {"en": "Discount (%), 0 for none", "vi": "Giảm giá (%), 0 là không giảm"},
            0,
            100,
        ),
    )


def not_planned(shop_id: int, automation: str, trigger_ref: ColumnElement) -> ColumnElement:
    """SQL condition: no send exists yet for this trigger, so planning scans return only what is new."""
    return ~exists(
        select(Send.id).where(Send.shop_id == shop_id, Send.automation == automation, Send.trigger_ref == trigger_ref)
    )


class Automation:
    """Base of every automation module; subclasses set the attributes and answer the questions."""

    key: str
    #: Directory under templates/emails/.
    template: str
    title: dict
    default_subject: dict
    #: Settings beyond the common three (enabled, subject, discount_percent).
    fields: tuple[Field, ...] = ()

    def all_fields(self) -> tuple[Field, ...]:
        return common_fields(self.default_subject) + self.fields

    def validate(self, values: dict) -> None:
        """Checks across fields (e.g. a reminder after the first email); raise ValueError."""

    def candidates(self, shop, values: dict, start: datetime, end: datetime) -> Iterable[Trigger]:
        """Triggers that became due in (start, end] and have no send yet (use `not_planned`)."""
        raise NotImplementedError

    def exit_reason(self, shop, send: Send, values: dict) -> str | None:
        """Re-checked just before sending: a reason code to skip (e.g. "ordered"), or None."""
        return None

    def wait_until(self, shop, send: Send, values: dict, now: datetime) -> tuple[datetime, str] | None:
        """(when to try again, reason code) when the send is not yet right (e.g. the cart changed)."""
        return None

    def consent(self, shop, send: Send) -> tuple[bool, str | None]:
        return marketing_allowed(shop.id, send.recipient)

    def subject(self, send: Send, values: dict) -> str:
        return values["subject"][send.locale or "en"]

    def discount_percent(self, send: Send, values: dict) -> int:
        return values["discount_percent"]

    def context(self, shop, send: Send, values: dict) -> dict:
        """Template variables for this send; raise Skip when the email cannot be made."""
        raise NotImplementedError

    def sample(self, shop, values: dict, locale: str, customer_id: int | None) -> tuple[Send, dict]:
        """An unsaved send and its context for a preview: real data where the shop has it, else believable."""
        raise NotImplementedError
