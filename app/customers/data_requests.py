"""`customers/data_request`: everything we hold about one customer, as JSON for the merchant.

The settings page lists DataRequest rows; the merchant hands the payload to the customer. Tables
this module does not name (another feature's, e.g. survey answers) are walked like redaction walks
them: every row naming the customer, or pointing at one of their emails, is in `other_records`.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import false, or_, select

from app import clock
from app.customers import consent
from app.customers.models import Checkout, Customer, DataRequest, Order, OrderLine
from app.customers.redaction import naming
from app.extensions import db
from app.records.models import EmailEvent, Send


def record(shop_id: int, customer_id: int | None, email: str | None, request_id=None) -> DataRequest:
    """Assemble the customer's stored data into a new DataRequest row."""
    email = consent.normalise_email(email)
    row = DataRequest(
        shop_id=shop_id,
        customer_id=customer_id,
        email=email,
        requested_at=clock.now(),
        payload={"request_id": request_id, **assemble(shop_id, customer_id, email)},
    )
    db.session.add(row)
    return row


def listed(shop_id: int, limit: int | None = None) -> list[DataRequest]:
    """The shop's data requests, newest first."""
    return list(
        db.session.scalars(
            select(DataRequest)
            .where(DataRequest.shop_id == shop_id)
            .order_by(DataRequest.requested_at.desc())
            .limit(limit)
        )
    )


def assemble(shop_id: int, customer_id: int | None, email: str | None) -> dict:
    customer = db.session.get(Customer, (shop_id, customer_id)) if customer_id is not None else None
    orders = list(
        db.session.scalars(
            select(Order).where(Order.shop_id == shop_id, _who(Order, customer_id, email)).order_by(Order.placed_at)
        )
    )
    lines = {}
    if orders:
        for line in db.session.scalars(
            select(OrderLine).where(OrderLine.shop_id == shop_id, OrderLine.order_id.in_([o.id for o in orders]))
        ):
            lines.setdefault(line.order_id, []).append(
                {"product_id": line.product_id, "variant_id": line.variant_id, "quantity": line.quantity}
            )
    checkouts = db.session.scalars(
        select(Checkout).where(Checkout.shop_id == shop_id, _who(Checkout, customer_id, email))
    )
    sends = list(db.session.scalars(select(Send).where(Send.shop_id == shop_id, _who(Send, customer_id, email))))
    events = db.session.scalars(
        select(EmailEvent).where(EmailEvent.shop_id == shop_id, EmailEvent.send_id.in_([s.id for s in sends]))
    )
    return _plain(
        {
            "customer": None
            if customer is None
            else {
                "id": customer.id,
                "email": customer.email,
                "first_name": customer.first_name,
                "locale": customer.locale,
                "email_marketing": customer.consent_state,
                "email_marketing_updated_at": customer.consent_at,
                "orders_count": customer.orders_count,
                "total_spent": customer.total_spent,
                "first_order_at": customer.first_order_at,
                "last_order_at": customer.last_order_at,
                "birth_date": customer.birth_date,
                "birth_date_updated_at": customer.birth_date_at,
            },
            "orders": [
                {
                    "id": o.id,
                    "placed_at": o.placed_at,
                    "total": o.total,
                    "currency": o.currency,
                    "discount_codes": o.discount_codes,
                    "cancelled_at": o.cancelled_at,
                    "processed_at": o.processed_at,
                    "paid_at": o.paid_at,
                    "fulfilled_at": o.fulfilled_at,
                    "lines": lines.get(o.id, []),
                }
                for o in orders
            ],
            "checkouts": [
                {
                    "token": c.token,
                    "updated_at": c.platform_updated_at,
                    "items": c.items,
                    "total": c.total,
                    "currency": c.currency,
                    "completed_at": c.completed_at,
                }
                for c in checkouts
            ],
            "emails": [
                {
                    "automation": s.automation,
                    "recipient": s.recipient,
                    "state": s.state,
                    "subject": s.subject,
                    "sent_at": s.sent_at,
                }
                for s in sends
            ],
            "email_events": [{"kind": e.kind, "url": e.url, "at": e.at} for e in events],
            "suppression": consent.suppression_reason(shop_id, email) if email else None,
            "other_records": _other_records(shop_id, customer_id, email, [s.id for s in sends]),
        }
    )


#: Tables assembled above by name (or holding no customer's data: the requests themselves).
NAMED = {"customers", "orders", "order_lines", "checkouts", "sends", "email_events", "suppressions", "data_requests"}


def _other_records(shop_id: int, customer_id: int | None, email: str | None, send_ids: list[int]) -> dict:
    found = {}
    for table in db.metadata.sorted_tables:
        if table.name in NAMED or "shop_id" not in table.c:
            continue
        named = naming(table, customer_id, email)
        conditions = [] if named is None else [named]
        if send_ids and "send_id" in table.c:
            conditions.append(table.c.send_id.in_(send_ids))
        if not conditions:
            continue
        rows = db.session.execute(select(table).where(table.c.shop_id == shop_id, or_(*conditions))).mappings()
        listed = [{key: value for key, value in row.items() if key != "shop_id"} for row in rows]
        if listed:
            found[table.name] = listed
    return found


def _who(model, customer_id: int | None, email: str | None):
    conditions = []
    if customer_id is not None:
        conditions.append(model.customer_id == customer_id)
    if email is not None:
        conditions.append((model.recipient if model is Send else model.email) == email)
    return or_(*conditions) if conditions else false()


def _plain(value):
    """JSON-ready: datetimes as ISO strings, money as strings."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return clock.iso(value)
    if isinstance(value, Decimal):
        return str(value)
    return value
