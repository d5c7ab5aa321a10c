"""Customer profiles: create, update (newest `updated_at` wins) and the consent they carry."""

from datetime import datetime

from sqlalchemy import case, func, or_

from app.customers.bulk import changed, insert_rows, run
from app.customers.consent import normalise_email
from app.customers.models import Customer
from app.customers.records import CustomerRecord, clip


def store_customers(shop_id: int, records: list[CustomerRecord]) -> None:
    """Upsert profiles in one statement; profile fields and consent each keep their newest version."""
    if not records:
        return
    newest = {}
    for record in records:
        known = newest.get(record.id)
        if known is None or (record.updated_at or datetime.min) >= (known.updated_at or datetime.min):
            newest[record.id] = record
    rows = [
        {
            "shop_id": shop_id,
            "id": r.id,
            "email": normalise_email(r.email),
            "first_name": clip(r.first_name),
            "locale": clip(r.locale, 16),
            "platform_updated_at": r.updated_at,
            "platform_created_at": r.created_at,
            "consent_state": (r.consent_state or "not_subscribed").lower()[:16],
            "consent_at": r.consent_at if r.consent_state else None,
            "birth_date": r.birth_date,
            "birth_date_at": (r.birth_date_at or r.updated_at) if r.birth_date else None,
        }
        for _, r in sorted(newest.items())
    ]
    stmt = insert_rows(Customer, rows)
    new, table = stmt.excluded, Customer.__table__.c
    profile_newer = or_(table.platform_updated_at.is_(None), table.platform_updated_at <= new.platform_updated_at)
    # A statement only replaces ours when it is dated and newer (or we hold none at all).
    consent_newer = new.consent_at.is_not(None) & or_(table.consent_at.is_(None), table.consent_at <= new.consent_at)
    # A birthday likewise: a source without the metafield leaves ours (absent is not deleted).
    birthday_newer = new.birth_date_at.is_not(None) & or_(
        table.birth_date_at.is_(None), table.birth_date_at <= new.birth_date_at
    )

    def pick(when, column):
        return case((when, getattr(new, column)), else_=getattr(table, column))

    stmt = stmt.on_conflict_do_update(
        index_elements=["shop_id", "id"],
        set_={
            "email": case((profile_newer, func.coalesce(new.email, table.email)), else_=table.email),
            "first_name": pick(profile_newer, "first_name"),
            "locale": case((profile_newer, func.coalesce(new.locale, table.locale)), else_=table.locale),
            "platform_updated_at": pick(profile_newer, "platform_updated_at"),
            # The account's creation never changes: any source that states it fills it in.
            "platform_created_at": func.coalesce(new.platform_created_at, table.platform_created_at),
            "consent_state": pick(consent_newer, "consent_state"),
            "consent_at": pick(consent_newer, "consent_at"),
            "birth_date": pick(birthday_newer, "birth_date"),
            "birth_date_at": pick(birthday_newer, "birth_date_at"),
            **changed(Customer.__table__, new),
        },
    )
    run(stmt, rows)


def ensure_customers(shop_id: int, known: dict[int, dict]) -> None:
    """Make sure customers named by orders or checkouts exist; fill fields we lack, never overwrite."""
    if not known:
        return
    rows = [
        {
            "shop_id": shop_id,
            "id": cid,
            "email": normalise_email(f.get("email")),
            "first_name": clip(f.get("first_name")),
            "locale": clip(f.get("locale"), 16),
        }
        for cid, f in sorted(known.items())
    ]
    stmt = insert_rows(Customer, rows)
    new, table = stmt.excluded, Customer.__table__.c
    stmt = stmt.on_conflict_do_update(
        index_elements=["shop_id", "id"],
        set_={
            **{
                name: func.coalesce(getattr(table, name), getattr(new, name))
                for name in ("email", "first_name", "locale")
            },
            **changed(Customer.__table__, new),
        },
    )
    run(stmt, rows)
