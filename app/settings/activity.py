"""The recent-activity list: what happened to each planned email, in the merchant's words.

A send waiting with a reason was deferred (quiet hours, the frequency cap); one without a
reason is simply scheduled. Skips and failures carry the engine's reason code, which
`i18n.REASONS` turns into a sentence.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.records.models import Send
from app.settings.i18n import Words

LIMIT = 50


def local_time(at: datetime, zone: str) -> str:
    """A stored (naive UTC) time as the merchant reads it: in the shop's time zone, which it names."""
    moment = at.replace(tzinfo=UTC).astimezone(ZoneInfo(zone or "UTC"))
    return moment.strftime("%Y-%m-%d %H:%M ") + (moment.tzname() or zone)


def recent(shop_id: int, words: Words, limit: int = LIMIT, zone: str = "UTC") -> list[dict]:
    """The newest sends first, each with a plain-language `text` in `words`' language and its time
    in the shop's time zone (`local`; `at` stays ISO UTC for the API)."""
    # Ids are time-ordered (app.ids), so the primary key (shop_id, id) already lists sends newest first.
    sends = db.session.scalars(select(Send).where(Send.shop_id == shop_id).order_by(Send.id.desc()).limit(limit))
    return [_entry(send, words, zone) for send in sends]


def _entry(send: Send, words: Words, zone: str = "UTC") -> dict:
    return {
        "id": str(send.id),
        "automation": send.automation,
        "recipient": send.recipient,
        "state": send.state,
        "reason": send.reason,
        "at": clock.iso(send.sent_at or send.due_at),
        "local": local_time(send.sent_at or send.due_at, zone),
        "text": describe(send, words, zone),
    }


def describe(send: Send, words: Words, zone: str = "UTC") -> str:
    if send.state == "sent":
        if send.reason:  # what came back afterwards: a bounce or a complaint
            return words("state_sent_then", reason=words.reason(send.reason))
        return words("state_sent")
    if send.state in ("planned", "claimed"):
        if send.reason:
            return words("state_deferred", reason=words.reason(send.reason, send.automation))
        return words("state_planned", due=local_time(send.due_at, zone))
    if send.state in ("skipped", "failed"):
        return words(f"state_{send.state}", reason=words.reason(send.reason or send.last_error, send.automation))
    if send.state == "held_out":  # the control group: "skipped: in the control group (holdout)"
        return words("state_skipped", reason=words.reason("held_out"))
    if send.state == "unknown":
        return words("state_unknown")
    return words("state_sending")
