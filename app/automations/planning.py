"""Planning: turn journey steps that became due into rows of the send plan, once each.

Each enabled automation of each installed shop is asked, step by step, for the triggers
whose step became due in a window ending now. The window always reaches back the whole
7-day catch-up: a trigger may become known late (a history import finishing after the
switch-on, reconciliation, a webhook a day late) and is planned like any other if its step
became due at most 7 days ago. Scans ask only for triggers with no send yet
(`Window.unplanned`), and a steady tick rescans the catch-up only for the customers, orders and
checkouts written since the previous tick (their `changed_at`, the automation's watermark
`changes_seen_at`): its cost follows what changed, not the plan's size (bench/planning.py).
After a pause longer than the catch-up, the window reaches back to where planning stopped (at
most LOOKBACK), so what was missed is recorded as skipped "too_late" and the merchant sees it; a
first switch-on looks back FIRST_LOOKBACK.
"""

import json
from collections import Counter
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import select, text, update
from sqlalchemy.dialects import sqlite

from app import clock
from app.automations import settings
from app.automations.base import Step, Window
from app.automations.models import AutomationSetting
from app.automations.registry import AUTOMATIONS
from app.extensions import db
from app.ids import new_id
from app.records.models import Send
from app.shops.models import Shop
from app.shops.settings import notification_address

CATCH_UP = timedelta(days=7)
LATE_DATA = timedelta(days=1)
#: How far back missed triggers are recorded; a first switch-on looks back FIRST_LOOKBACK.
LOOKBACK = timedelta(days=30)
FIRST_LOOKBACK = timedelta(days=14)
CHUNK = 1000
#: How long before the last tick's watermark a rescan still looks for writes: a row is stamped
#: when written but seen only once its transaction commits (a webhook batch, an import's chunk).
SLACK = timedelta(minutes=15)
#: The most time between two rescans of the whole catch-up (see `rescans_all`).
FULL_EVERY = timedelta(hours=6)


def plan(now: datetime) -> Counter:
    """Plan every trigger that became due by `now`; returns counts of "planned" and "too_late"."""
    enabled = db.session.execute(
        select(AutomationSetting, Shop)
        .join(Shop, Shop.id == AutomationSetting.shop_id)
        .where(AutomationSetting.enabled.is_(True), Shop.uninstalled_at.is_(None), Shop.access_token_enc.is_not(None))
    ).all()
    planned = Counter()
    for row, shop in enabled:
        key = row.key
        automation = AUTOMATIONS.get(key)
        if automation is None:  # a retired automation's leftover row
            continue
        # Read before the scans: what is written while they run is seen by the next tick.
        seen = clock.now()
        full = rescans_all(row, now, seen)
        values = settings.values(shop, key)
        for step in automation.steps:
            if not step.is_on(values):
                continue
            delay = step.delay_for(values)
            for window in windows(shop.id, key, step, delay, row, now, full):
                triggers = automation.triggers(shop, values, window)
                while chunk := list(islice(triggers, CHUNK)):
                    planned.update(_insert(shop, key, step, delay, chunk, now))
        # One commit with the sends: a tick that dies before it leaves the watermark where it was,
        # and the next one rescans the same writes (the sends' unique key keeps what got in once).
        marks = {"planned_until": now, "changes_seen_at": seen}
        if full:
            marks["rescanned_at"] = now
        # Bookkeeping, not a merchant's edit: keep the settings' updated_at as it was.
        db.session.execute(
            update(AutomationSetting)
            .where(AutomationSetting.shop_id == shop.id, AutomationSetting.key == key)
            .values(**marks, updated_at=AutomationSetting.updated_at)
        )
        db.session.commit()
    return planned


def rescans_all(row: AutomationSetting, now: datetime, seen: datetime) -> bool:
    """Whether this tick rescans the whole catch-up rather than only rows written since the last.

    Always on a first tick, after a pause longer than the catch-up, when the merchant changed the
    settings since (a new delay moves every trigger's due time), when a clock moved backwards, and
    once every FULL_EVERY as a net for due times that move without a write (learned usage periods,
    a shop's time zone) or a write stamped long before it committed."""
    if row.planned_until is None or row.changes_seen_at is None or row.rescanned_at is None:
        return True
    if row.planned_until < now - CATCH_UP or now < row.planned_until or seen < row.changes_seen_at:
        return True
    if row.updated_at is not None and row.updated_at >= row.changes_seen_at - SLACK:
        return True
    return now - row.rescanned_at >= FULL_EVERY


def windows(shop_id: int, key: str, step: Step, delay: timedelta, row, now: datetime, full: bool) -> list[Window]:
    """The windows of trigger times one step is asked for at this tick.

    A full rescan: the whole catch-up (further back after a long pause). Otherwise two: the triggers
    whose due time arrived since the last tick, all of them; and the rest of the catch-up, only
    those whose facts were written since the last tick (less SLACK, for writes that committed late).
    """
    start = window_start(row.planned_until, now)
    if full:
        return [Window(shop_id, key, step, start - delay, now - delay)]
    previous = row.planned_until
    return [
        Window(shop_id, key, step, previous - delay, now - delay),
        Window(shop_id, key, step, start - delay, previous - delay, changed_since=row.changes_seen_at - SLACK),
    ]


def window_start(planned_until: datetime | None, now: datetime) -> datetime:
    """Where a planning window starts: the whole catch-up always; further back after a long pause."""
    if planned_until is None:
        return now - FIRST_LOOKBACK
    return min(now - CATCH_UP, max(now - LOOKBACK, planned_until - LATE_DATA))


def _insert(shop, key: str, step: Step, delay: timedelta, triggers: list, now: datetime) -> Counter:
    """Add the triggers to the plan; returns counts by outcome.

    A concurrent worker may plan the same trigger: the unique key keeps one row, the other
    is ignored (ON CONFLICT DO NOTHING on both databases).
    """
    # A notice goes to the shop's notification address, in the shop's primary language (not the
    # customer's, nor the admin's page language); the customer stays named by customer_id. Read
    # once per chunk, not per trigger.
    notice_to = (notification_address(shop) or "").lower() if step.notice else None
    rows = [
        {
            "shop_id": shop.id,
            "id": new_id(),
            "automation": key,
            "recipient": notice_to if step.notice else t.recipient,
            "customer_id": t.customer_id,
            "trigger_ref": f"{step.name}:{t.ref}",
            "due_at": t.at + delay,
            "became_due_at": t.at + delay,
            "attempts": 0,
            "locale": shop.locale if step.notice else t.locale,
            "context": t.context,
            "created_at": now,
            "state": "planned",
            "reason": None,
        }
        for t in triggers
    ]
    for row in rows:
        if row["due_at"] < now - CATCH_UP:
            row["state"], row["reason"] = "skipped", "too_late"
        elif not row["recipient"]:
            row["state"], row["reason"] = "skipped", "no_notice_address"
    if db.engine.dialect.name == "postgresql":
        _insert_postgresql(rows)
    else:
        db.session.execute(sqlite.insert(Send.__table__).on_conflict_do_nothing(), rows)
    return Counter(row["reason"] if row["state"] == "skipped" else "planned" for row in rows)


def _insert_postgresql(rows: list[dict]) -> None:
    """The chunk as one JSON document expanded by PostgreSQL into rows of `sends`' own types:
    one statement for a thousand sends, where row-by-row inserts cost a round trip each."""
    names = ", ".join(rows[0])
    document = json.dumps(rows, default=lambda value: value.isoformat())
    db.session.execute(
        text(
            f"INSERT INTO sends ({names}) SELECT {names} "
            "FROM json_populate_recordset(NULL::sends, CAST(:rows AS json)) ON CONFLICT DO NOTHING"
        ),
        {"rows": document},
    )
