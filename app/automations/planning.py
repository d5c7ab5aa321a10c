"""Planning: turn triggers that became due into rows of the send plan, once each.

Each enabled automation of each installed shop is asked for the triggers that became
due since it was last asked. The window reaches back a day before that (webhooks may
arrive a day late, so a checkout can become due in the past) and never more than the
7-day catch-up, which is also what switching an automation on serves.
"""
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.automations import settings
from app.automations.models import AutomationSetting, Send
from app.automations.registry import AUTOMATIONS
from app.extensions import db
from app.ids import new_id
from app.shops.models import Shop

CATCH_UP = timedelta(days=7)
LATE_DATA = timedelta(days=1)
CHUNK = 1000


def plan(now: datetime) -> int:
    """Plan every trigger that became due by `now`; returns how many sends were planned."""
    enabled = db.session.execute(
        select(AutomationSetting.key, Shop).join(Shop, Shop.id == AutomationSetting.shop_id)
        .where(AutomationSetting.enabled.is_(True), Shop.uninstalled_at.is_(None),
               Shop.access_token_enc.is_not(None))).all()
    planned = 0
    for key, shop in enabled:
        automation = AUTOMATIONS.get(key)
        if automation is None:  # a retired automation's leftover row
            continue
        row = db.session.get(AutomationSetting, (shop.id, key))
        start = now - CATCH_UP
        if row.planned_until is not None:
            start = max(start, row.planned_until - LATE_DATA)
        triggers = list(automation.candidates(shop, settings.values(shop, key), start, now))
        for first in range(0, len(triggers), CHUNK):
            planned += _insert(shop.id, key, triggers[first:first + CHUNK], now)
        # Bookkeeping, not a merchant's edit: keep the settings' updated_at as it was.
        db.session.execute(update(AutomationSetting)
                           .where(AutomationSetting.shop_id == shop.id, AutomationSetting.key == key)
                           .values(planned_until=now, updated_at=AutomationSetting.updated_at))
        db.session.commit()
    return planned


def _insert(shop_id: int, key: str, triggers: list, now: datetime) -> int:
    if not triggers:
        return 0
    rows = [{"shop_id": shop_id, "id": new_id(), "automation": key, "recipient": t.recipient,
             "customer_id": t.customer_id, "trigger_ref": t.trigger_ref, "due_at": t.due_at,
             "became_due_at": t.due_at, "state": "planned", "attempts": 0, "locale": t.locale,
             "context": t.context, "created_at": now} for t in triggers]
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    # A concurrent worker may plan the same trigger: the unique key keeps one, the other is ignored.
    statement = dialect.insert(Send).on_conflict_do_nothing()
    db.session.execute(statement, rows)
    return len(rows)
