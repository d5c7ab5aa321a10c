"""Lifecycle moments due right now, so that `make demo` shows every lifecycle email within minutes.

The seeded history is random; on top of it each shop gets a few subscribed customers whose
moment is a few hours old when the store starts: accounts just created (welcome), first orders
7, 14 and 28 days ago (the repeat-purchase journey), the second order a day ago (loyalty),
first-order anniversaries and birthdays today, and customers running out of the product the shop's own
customers re-buy most (replenishment, at the period the app will learn from this very history).
They are added after every shop is built, with their own random numbers, so the rest of the
seeded history (ids included) stays as it was.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from . import catalog
from .models import Customer
from .shop import Shop

#: Days before "now" that make a repeat-purchase step due (the app's default journey).
JOURNEY_DAYS = (7, 14, 28)
#: The app's default replenishment lead (INTERFACE.md) and its learning threshold.
LEAD_DAYS, MIN_CUSTOMERS = 5, 5


def add_moments(shop: Shop, seed: int, now, names: tuple[list[str], list[str]]) -> None:
    """`names`: (first names, last names) of the shop's market."""
    rng = random.Random(f"{seed}:{shop.domain}:moments")
    rng.names = names
    fresh = hours_ago(rng)
    for n in range(3):
        _customer(shop, rng, now - fresh(), f"new{n}")  # welcome: an account, no order yet
    for days in JOURNEY_DAYS:
        c = _customer(shop, rng, now - timedelta(days=days + 2), f"first{days}")
        _order(shop, rng, c, now - timedelta(days=days) - fresh())
    # One year only: a two-year-old first order lies beyond the app's 730-day history import
    # (HISTORY_DAYS), so the app would never see it and that customer got no anniversary email.
    for years in (1,):
        c = _customer(shop, rng, now - timedelta(days=366 * years + 30), f"year{years}")
        first = _years_before(now, years) - fresh()
        _order(shop, rng, c, first)
        _order(shop, rng, c, now - timedelta(days=100 + years))
    c = _customer(shop, rng, now - timedelta(days=120), "second")
    _order(shop, rng, c, now - timedelta(days=61))
    _order(shop, rng, c, now - timedelta(days=1) - fresh())  # loyalty: the second order, a day ago
    _restock(shop, rng, now, fresh)
    today = now.astimezone(ZoneInfo(shop.timezone)).date()
    for n, days in enumerate((0, 0, 1)):  # birthdays today (due since local midnight) and tomorrow
        c = _customer(shop, rng, now - timedelta(days=200 + n), f"birthday{n}")
        born = _born(today + timedelta(days=days), 1985 + 4 * n)
        c.seed_metafield("facts", "birth_date", born.isoformat(), "date", c.created_at)


def hours_ago(rng: random.Random):
    """A few hours: due since a little while, well inside the app's 7-day catch-up."""
    return lambda: timedelta(hours=rng.uniform(1.5, 5))


def learned(shop: Shop) -> dict[int, tuple[int, float]]:
    """{product id: (customers who bought it again, median days between their purchases)}, the way
    the app learns it: uncancelled orders, one purchase per customer, product and moment, gaps of a
    day or more."""
    gaps: dict[int, list[float]] = {}
    buyers: dict[int, set[int]] = {}
    for c in shop.customers.values():
        times: dict[int, list] = {}
        for o in c.orders:
            if o.cancelled_at is None:
                for li in o.line_items:
                    times.setdefault(li.product.id, []).append(o.created_at)
        for product_id, moments in times.items():
            moments = sorted(set(moments))
            for earlier, later in zip(moments, moments[1:]):
                gap = (later - earlier).total_seconds() / 86400
                if gap >= 1:
                    gaps.setdefault(product_id, []).append(gap)
                    buyers.setdefault(product_id, set()).add(c.id)
    return {pid: (len(buyers[pid]), median(values)) for pid, values in gaps.items()}


def _restock(shop: Shop, rng: random.Random, now, fresh) -> None:
    """Four customers who buy the most re-bought product every `period` days, due for a reminder now."""
    sellable = {p.id for p in shop.products.values() if p.status == "ACTIVE" and p.total_inventory}
    stats = {pid: s for pid, s in learned(shop).items() if pid in sellable}
    if not stats:
        return
    product_id = max(stats, key=lambda pid: (stats[pid][0], -pid))
    # Our customers' own gaps equal the median, so adding them leaves the learned period where it is.
    period = max(LEAD_DAYS + 1, int(stats[product_id][1] + 0.5))
    product = shop.products[product_id]
    for n in range(4 if stats[product_id][0] >= MIN_CUSTOMERS - 4 else 0):
        last = now - timedelta(days=period - LEAD_DAYS) - fresh()
        c = _customer(shop, rng, last - timedelta(days=2 * period + 3), f"restock{n}")
        for k in (2, 1, 0):
            _order(shop, rng, c, last - timedelta(days=period * k), product.variants[0], quantity=1 + n % 2)


def _customer(shop: Shop, rng: random.Random, created, tag: str) -> Customer:
    first, last = rng.choice(rng.names[0]), rng.choice(rng.names[1])
    email = f"{catalog.slug(first)}.{catalog.slug(last)}.{tag}@example.com"
    c = Customer(
        shop.next_id(), email, first, last, shop.locale, created, created, "SUBSCRIBED", "SINGLE_OPT_IN", created
    )
    shop.add_customer(c)
    return c


def _order(shop: Shop, rng: random.Random, c: Customer, at, variant=None, quantity: int = 1):
    if variant is None:
        active = [p for p in shop.products.values() if p.status == "ACTIVE" and p.total_inventory]
        variant = rng.choice(active).variants[0]
    o = shop.add_order(c, shop._line_items([(variant, quantity)]), at, accepts_marketing=True)
    if shop.store.now() - at > timedelta(days=3):
        o.seed_fulfillment(at + timedelta(hours=rng.randint(4, 72)))
    return o


def _born(birthday: date, year: int) -> date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February: a leap year
        return birthday.replace(year=1988)


def _years_before(moment, years: int):
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)
