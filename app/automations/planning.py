"""Planning: turn triggers that became due into rows of the send plan, once each.

Each enabled automation of each installed shop is asked for the triggers that became
due since it was last asked. The window reaches back a day before that (webhooks may
arrive a day late, so a checkout can become due in the past). What became due in the
last 7 days is planned to go out (catch-up; also what switching an automation on
serves); what became due before that while nobody could send is recorded as skipped
"too_late", so the merchant sees it was missed, looking back at most LOOKBACK.
"""

import json
from collections import Counter
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import select, text, update
from sqlalchemy.dialects import sqlite

from app.automations import settings
from app.automations.models import AutomationSetting
from app.automations.registry import AUTOMATIONS
from app.extensions import db
from app.ids import new_id
from app.records.models import Send
from app.shops.models import Shop

CATCH_UP = timedelta(days=7)
LATE_DATA = timedelta(days=1)
#: How far back missed triggers are recorded; a first switch-on looks back FIRST_LOOKBACK.
LOOKBACK = timedelta(days=30)
FIRST_LOOKBACK = timedelta(days=14)
CHUNK = 1000


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
        start = now - FIRST_LOOKBACK
        if row.planned_until is not None:
            start = max(now - LOOKBACK, row.planned_until - LATE_DATA)
        triggers = automation.candidates(shop, settings.values(shop, key), start, now)
        while chunk := list(islice(triggers, CHUNK)):
            planned.update(_insert(shop.id, key, chunk, now))
        # Bookkeeping, not a merchant's edit: keep the settings' updated_at as it was.
        db.session.execute(
            update(AutomationSetting)
            .where(AutomationSetting.shop_id == shop.id, AutomationSetting.key == key)
            .values(planned_until=now, updated_at=AutomationSetting.updated_at)
        )
        db.session.commit()
    return planned


def _insert(shop_id: int, key: str, triggers: list, now: datetime) -> Counter:
    """Add the triggers to the plan; returns counts by outcome.

    A concurrent worker may plan the same trigger: the unique key keeps one row, the other
    is ignored (ON CONFLICT DO NOTHING on both databases).
    """
    if not triggers:
        return Counter()
    rows = [
        {
            "shop_id": shop_id,
            "id": new_id(),
            "automation": key,
            "recipient": t.recipient,
            "customer_id": t.customer_id,
            "trigger_ref": t.trigger_ref,
            "due_at": t.due_at,
            "became_due_at": t.due_at,
            "attempts": 0,
            "locale": t.locale,
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
    if db.engine.dialect.name == "postgresql":
        _insert_postgresql(rows)
    else:
        db.session.execute(sqlite.insert(Send.__table__).on_conflict_do_nothing(), rows)
    return Counter("too_late" if row["state"] == "skipped" else "planned" for row in rows)


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
