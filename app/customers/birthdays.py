"""Birthdays: the one shape they are kept in, checking them, and the store's metafield.

A birthday is "YYYY-MM-DD", or "--MM-DD" when the customer gave no year (ISO 8601's year-less
date). The store keeps it in the standard customer metafield `facts.birth_date` (type `date`),
which needs a year, so a year-less birthday stays with us.
"""

import re
from datetime import date, datetime

from sqlalchemy import func, or_, update

from app.customers.models import Customer
from app.extensions import db

NAMESPACE, KEY = "facts", "birth_date"
OLDEST_YEAR = 1900
_SHAPE = re.compile(r"^(\d{4}|-)-(\d{2})-(\d{2})$")


class BadBirthday(ValueError):
    """Not a date a person can be born on; `code` says why ("format", "impossible", "future", "too_old")."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise(text: str | None, today: date) -> str:
    """The birthday in our shape, or BadBirthday. 29 February without a year is a real birthday."""
    match = _SHAPE.match((text or "").strip())
    if match is None:
        raise BadBirthday("format")
    year, month, day = match.groups()
    try:
        # 2000 is a leap year: a year-less 29 February is checked as possible.
        born = date(2000 if year == "-" else int(year), int(month), int(day))
    except ValueError:
        raise BadBirthday("impossible") from None
    if year == "-":
        return f"--{month}-{day}"
    if born > today:
        raise BadBirthday("future")
    if born.year < OLDEST_YEAR:
        raise BadBirthday("too_old")
    return born.isoformat()


def month_day(birth_date: str) -> tuple[int, int]:
    """(month, day) of a stored birthday."""
    return int(birth_date[-5:-3]), int(birth_date[-2:])


def month_day_sql(column=Customer.birth_date):
    """ "MM-DD" of the stored birthday in SQL (same on SQLite and PostgreSQL), for "whose birthday is on D"."""
    return func.substr(column, func.length(column) - 4, 5)


def from_metafield(value, updated_at: datetime | None, today: date) -> tuple[str | None, datetime | None]:
    """A `facts.birth_date` value from the store, or (None, None) when it is not a usable date
    (merchant-entered data is data: a bad value is ignored, never an error)."""
    try:
        return normalise(value if isinstance(value, str) else None, today), updated_at
    except BadBirthday:
        return None, None


def store(shop_id: int, customer_id: int, birth_date: str, at: datetime) -> bool:
    """Record a birthday stated at `at` unless we hold a newer statement; returns whether it applied."""
    applied = db.session.execute(
        update(Customer)
        .where(
            Customer.shop_id == shop_id,
            Customer.id == customer_id,
            or_(Customer.birth_date_at.is_(None), Customer.birth_date_at <= at),
        )
        .values(birth_date=birth_date, birth_date_at=at)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    return bool(applied)
