"""Order days: the compact picture of order history that retention figures and the purchase model read.

`CustomerDay` has one row per customer and day (in the shop's time zone) with a live order
(neither cancelled nor test), carrying that day's order count and revenue and the customer's
previous and next such day. With those two links every figure of a period is a range scan over
days — "active on D" is "the customer's latest day up to D lies in the 365 days ending with D",
which exactly one row per customer answers — instead of a scan of every order.
`ShopDay` has the shop's orders and revenue per day, guests included.

Both are derived from the orders table and recomputed, never incremented, for every customer and
day an order change touches (like the customer figures in `orders.refresh_stats`), so replays,
late updates and cancellations cannot make them drift.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text

from app import jobs
from app.clock import day_start, local_day, zone
from app.customers import day_summaries
from app.customers.bulk import insert_rows, run
from app.customers.day_models import CustomerDay, ShopDay
from app.customers.models import Order, live
from app.extensions import db
from app.jobs import kinds
from app.shops.models import Shop

CHUNK = 500
#: The first key of the advisory lock on a shop's days (the second is the shop id).
LOCK_SPACE = 0x0DA75
#: Rows written per statement when a whole shop is rebuilt.
BATCH = 5000


def refresh(shop_id: int, orders: Iterable[tuple[int | None, datetime]]) -> None:
    """Recompute the days touched by these orders, given as (customer_id, placed_at)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    tz = zone(shop.timezone)
    touched = list(orders)
    _lock(shop_id)
    customers = sorted({customer for customer, _ in touched if customer is not None})
    # The touched orders' own days, and any day whose rows moved (a neighbour's link, say). The own
    # days matter when the rows were already gone: a redaction deletes them before it gets here.
    changed = {local_day(placed, tz) for customer, placed in touched if customer is not None}
    for start in range(0, len(customers), CHUNK):
        changed |= _refresh_customers(shop_id, customers[start : start + CHUNK], tz)
    day_summaries.recompute(shop_id, changed)
    _refresh_shop_days(shop_id, sorted({local_day(placed, tz) for _, placed in touched}), tz)


def _lock(shop_id: int) -> None:
    """One transaction at a time rewrites a shop's days on PostgreSQL (the inbox, a redaction in a
    request, the rebuild job), so a day's summary is recomputed from every committed row of it."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:shop AS integer))"),
            {"space": LOCK_SPACE, "shop": shop_id},
        )


def schedule_rebuild(shop_id: int) -> None:
    """Have the worker rebuild the shop's days (after a time zone change); nothing to do without orders."""
    if db.session.scalar(select(Order.id).where(Order.shop_id == shop_id).limit(1)) is not None:
        jobs.enqueue(shop_id, kinds.REBUILD_ORDER_DAYS, unique_key="timezone")


def present(shop_id: int) -> bool:
    """Whether the shop's order days are built (or it has no live order to build them from)."""
    has_days = db.session.scalar(select(ShopDay.day).where(ShopDay.shop_id == shop_id).limit(1)) is not None
    if has_days:
        return day_summaries.present(shop_id)  # days built before their summaries existed: rebuild
    return db.session.scalar(select(Order.id).where(Order.shop_id == shop_id, live()).limit(1)) is None


def rebuild(shop_id: int) -> None:
    """Recompute every day of the shop (after the history import, or a time zone change)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    tz = zone(shop.timezone)
    _lock(shop_id)
    db.session.execute(delete(CustomerDay).where(CustomerDay.shop_id == shop_id))
    db.session.execute(delete(ShopDay).where(ShopDay.shop_id == shop_id))
    shop_days: dict[date, list] = defaultdict(lambda: [0, Decimal("0")])
    query = (
        select(Order.customer_id, Order.placed_at, Order.total)
        .where(Order.shop_id == shop_id, live())
        .order_by(Order.customer_id, Order.placed_at)
        .execution_options(yield_per=BATCH)
    )
    batch: list[dict] = []
    current, orders = None, []
    for customer_id, placed_at, total in db.session.execute(query):
        day = local_day(placed_at, tz)
        shop_days[day][0] += 1
        shop_days[day][1] += total
        if customer_id is None:
            continue
        if customer_id != current:
            batch.extend(_customer_rows(shop_id, current, orders))
            current, orders = customer_id, []
        orders.append((day, total))
        if len(batch) >= BATCH:
            _insert(CustomerDay, batch)
            batch = []
    batch.extend(_customer_rows(shop_id, current, orders))
    _insert(CustomerDay, batch)
    _insert(
        ShopDay,
        [{"shop_id": shop_id, "day": day, "orders": n, "revenue": revenue} for day, (n, revenue) in shop_days.items()],
    )
    day_summaries.rebuild(shop_id)


def _customer_rows(shop_id: int, customer_id: int | None, orders: list[tuple[date, Decimal]]) -> list[dict]:
    """One row per day of this customer's orders (any order), linked to the days before and after."""
    if customer_id is None or not orders:
        return []
    per_day: dict[date, list] = {}
    for day, total in orders:
        figures = per_day.setdefault(day, [0, Decimal("0")])
        figures[0] += 1
        figures[1] += total
    days = sorted(per_day)
    return [
        {
            "shop_id": shop_id,
            "customer_id": customer_id,
            "day": day,
            "orders": per_day[day][0],
            "revenue": per_day[day][1],
            "prev_day": days[i - 1] if i else None,
            "next_day": days[i + 1] if i + 1 < len(days) else None,
        }
        for i, day in enumerate(days)
    ]


def _refresh_customers(shop_id: int, customer_ids: list[int], tz: ZoneInfo) -> set[date]:
    """Recompute these customers' days; returns the days whose rows changed (for their summaries)."""
    per_customer: dict[int, list] = defaultdict(list)
    query = select(Order.customer_id, Order.placed_at, Order.total).where(
        Order.shop_id == shop_id, Order.customer_id.in_(customer_ids), live()
    )
    for customer_id, placed_at, total in db.session.execute(query):
        per_customer[customer_id].append((local_day(placed_at, tz), total))
    columns = (CustomerDay.customer_id, CustomerDay.day, CustomerDay.orders, CustomerDay.prev_day, CustomerDay.next_day)
    held = select(*columns).where(CustomerDay.shop_id == shop_id, CustomerDay.customer_id.in_(customer_ids))
    before = {
        (cid, _as_date(day), orders, _as_date(prev), _as_date(after))
        for cid, day, orders, prev, after in db.session.execute(held)
    }
    db.session.execute(
        delete(CustomerDay).where(CustomerDay.shop_id == shop_id, CustomerDay.customer_id.in_(customer_ids))
    )
    rows = [row for cid, orders in per_customer.items() for row in _customer_rows(shop_id, cid, orders)]
    _insert(CustomerDay, rows)
    after = {(r["customer_id"], r["day"], r["orders"], r["prev_day"], r["next_day"]) for r in rows}
    # A summary counts customers per day by these fields (not revenue): only days whose fields moved.
    return {day for _, day, _, _, _ in before ^ after}


def _as_date(value) -> date | None:
    """SQLite may hand dates back as text."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))


def _refresh_shop_days(shop_id: int, days: list[date], tz: ZoneInfo) -> None:
    # Day by day: a batch touching a few scattered days never scans the months between them.
    for day in days:
        orders, revenue = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Order.total), 0)).where(
                Order.shop_id == shop_id,
                Order.placed_at >= day_start(day, tz),
                Order.placed_at < day_start(day + timedelta(days=1), tz),
                live(),
            )
        ).one()
        db.session.execute(delete(ShopDay).where(ShopDay.shop_id == shop_id, ShopDay.day == day))
        if orders:
            _insert(ShopDay, [{"shop_id": shop_id, "day": day, "orders": orders, "revenue": Decimal(revenue)}])


def _insert(model, rows: list[dict]) -> None:
    if rows:
        run(insert_rows(model, rows), rows)
