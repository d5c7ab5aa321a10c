"""The one source of "now". Stored times are naive UTC; tests move time with time-machine."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_iso(value) -> datetime | None:
    """An ISO-8601 timestamp from a payload (`2026-01-02T03:04:05-05:00`, `...Z`) as naive UTC.

    Store data is not trusted: anything that is not a usable timestamp (not a string, malformed,
    out of range once converted to UTC) counts as absent instead of raising in a job or request."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return parsed


def iso(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def zone(name: str | None) -> ZoneInfo:
    """A shop's IANA time zone; UTC when it has none or the store sent a name we do not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day in `tz` of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(tz).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The naive UTC moment `day` begins in `tz` (its midnight, whatever the offset that day)."""
    return datetime.combine(day, time(), tz).astimezone(UTC).replace(tzinfo=None)
