"""Whose birthday email is due: birthdays in the shop's time zone, `days_before` ahead.

A birthday email is due at local midnight of (birthday − days_before), in the shop's zone.
A 29 February birthday falls on 28 February in a common year. The stored birthday is
"YYYY-MM-DD" or "--MM-DD" (see customers.birthdays); month and day are compared as "MM-DD"
text in SQL, so one statement finds everyone for a window of days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from app.customers.birthdays import month_day, month_day_sql
from app.customers.models import Customer
from app.extensions import db


@dataclass(frozen=True)
class BirthdayDue:
    customer_id: int
    email: str
    locale: str | None
    birth_date: str
    #: The birthday this email celebrates (this year's, 28 Feb for a 29 Feb in a common year).
    birthday: date
    due_at: datetime


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def birthday_in(year: int, month: int, day: int) -> date:
    """The day a birthday is celebrated in `year`."""
    if (month, day) == (2, 29):
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Naive UTC of the local midnight starting `day` in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def birthdays_due(
    shop_id: int, timezone: str | None, days_before: int, start: datetime, end: datetime
) -> list[BirthdayDue]:
    """Birthday emails due in (start, end]: local days of the window (a day wider each side), their
    birthdays `days_before` later as "MM-DD" keys (28 Feb also asks for 29 Feb in a common year),
    one query, then the exact due moment checked here."""
    tz = zone(timezone)
    first = start.replace(tzinfo=UTC).astimezone(tz).date() - timedelta(days=1)
    last = end.replace(tzinfo=UTC).astimezone(tz).date() + timedelta(days=1)
    keys: set[str] = set()
    day = first
    while day <= last:
        party = day + timedelta(days=days_before)
        keys.add(party.strftime("%m-%d"))
        if (party.month, party.day) == (2, 28):
            keys.add("02-29")
        day += timedelta(days=1)
    rows = db.session.execute(
        select(Customer.id, Customer.email, Customer.locale, Customer.birth_date).where(
            Customer.shop_id == shop_id,
            Customer.birth_date.is_not(None),
            Customer.email.is_not(None),
            month_day_sql().in_(sorted(keys)),
        )
    )
    found = []
    for customer_id, email, locale, birth_date in rows:
        month, day_of_month = month_day(birth_date)
        for year in range(first.year, last.year + 2):
            party = birthday_in(year, month, day_of_month)
            due = local_midnight(party - timedelta(days=days_before), tz)
            if start < due <= end:
                found.append(BirthdayDue(customer_id, email, locale, birth_date, party, due))
    return sorted(found, key=lambda b: (b.due_at, b.customer_id))
