"""Deterministic shops with two years of believable history, relative to the store's "now".

Customers are one-time buyers, repeat buyers, VIPs or never-buyers; about four in ten repeat
buyers lapse (stop ordering months ago), which is what win-back campaigns look for. Order
volume grows over time and peaks in each market's season (US holidays; Tết and Mid-Autumn in
Vietnam). `scale` multiplies customers and orders: scale=50 gives the demo shop 100,000 orders.
Seeding sends no webhooks: this is the past, before the app was installed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from . import catalog, moments
from .models import Address, Customer, LineItem, Product, Variant
from .shop import Shop

HISTORY = timedelta(days=730)
STATES = (
    ("SUBSCRIBED", 55),
    ("NOT_SUBSCRIBED", 27),
    ("UNSUBSCRIBED", 11),
    ("PENDING", 3),
    ("INVALID", 2),
    ("REDACTED", 2),
)
KINDS = (("never", 8), ("once", 45), ("repeat", 35), ("vip", 12))

EN_FIRST = (
    "Olivia Liam Emma Noah Ava Elijah Sophia James Isabella Lucas Mia Mason Amelia Ethan Harper Logan "
    "Evelyn Aiden Abigail Jackson Emily Grace Henry Chloe Owen Nora Caleb Lily Wyatt Zoe"
).split()
EN_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor "
    "Thomas Moore Martin Lee Thompson White Harris Clark Lewis Walker Young Allen King"
).split()
VI_FIRST = (
    "An Bình Chi Dũng Giang Hà Hạnh Hải Hương Khánh Lan Linh Long Mai Minh Nam Ngọc Phương Quân "
    "Thảo Trang Tuấn Vy Yến Huy Thư Hùng Nhung Sơn Tâm"
).split()
VI_LAST = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()

US_CITIES = (
    ("12 Bergen St", "Brooklyn", "New York", "NY", "11201"),
    ("88 Alder St", "Portland", "Oregon", "OR", "97205"),
    ("401 Congress Ave", "Austin", "Texas", "TX", "78701"),
    ("220 Lake St", "Chicago", "Illinois", "IL", "60601"),
    ("15 Pine St", "Seattle", "Washington", "WA", "98101"),
    ("7 Beacon St", "Boston", "Massachusetts", "MA", "02108"),
    ("950 Story Rd", "San Jose", "California", "CA", "95122"),
    ("14 Bolsa Ave", "Westminster", "California", "CA", "92683"),
)
VN_CITIES = (
    ("25 Hàng Bông", "Hà Nội", "Hà Nội", "HN", "100000"),
    ("120 Lê Lợi", "TP. Hồ Chí Minh", "Hồ Chí Minh", "SG", "700000"),
    ("48 Bạch Đằng", "Đà Nẵng", "Đà Nẵng", "DN", "550000"),
    ("9 Lê Lợi", "Huế", "Thừa Thiên Huế", "TTH", "530000"),
    ("31 Hai Bà Trưng", "Cần Thơ", "Cần Thơ", "CT", "900000"),
    ("6 Trần Phú", "Đà Lạt", "Lâm Đồng", "LD", "670000"),
)

SHOPS = [
    dict(
        id=60000000001,
        domain="demo-shop.myshopify.com",
        name="Demo Shop",
        email="owner@demo-shop.example",
        owner="Sam Rivera",
        currency="USD",
        money_format="${{amount}}",
        locale="en",
        locales=[
            {"locale": "en", "name": "English", "primary": True, "published": True},
            {"locale": "vi", "name": "Vietnamese", "primary": False, "published": True},
        ],
        timezone="America/New_York",
        timezone_label="(GMT-05:00) Eastern Time (US & Canada)",
        address=Address(
            "Sam",
            "Rivera",
            "150 Elm Street",
            "New York",
            "New York",
            "NY",
            "10013",
            "United States",
            "US",
            phone="+1 212-555-0142",
            company="Demo Shop LLC",
        ),
        catalog=catalog.DEMO,
        customers=300,
        orders=2000,
        vi_share=0.12,
        cities=US_CITIES,
        season={11: 1.5, 12: 1.9, 1: 0.8, 2: 0.85, 7: 0.9},
        codes=("WELCOME10", "HOLIDAY15"),
    ),
    dict(
        id=60000000002,
        domain="cua-hang-viet.myshopify.com",
        name="Cửa Hàng Việt",
        email="chu@cua-hang-viet.example",
        owner="Nguyễn Thị Lan",
        currency="VND",
        money_format="{{amount_no_decimals_with_comma_separator}}₫",
        locale="vi",
        locales=[
            {"locale": "vi", "name": "Tiếng Việt", "primary": True, "published": True},
            {"locale": "en", "name": "English", "primary": False, "published": True},
        ],
        timezone="Asia/Ho_Chi_Minh",
        timezone_label="(GMT+07:00) Hanoi",
        address=Address(
            "Lan",
            "Nguyễn Thị",
            "36 Hàng Bạc",
            "Hà Nội",
            "Hà Nội",
            "HN",
            "100000",
            "Vietnam",
            "VN",
            phone="+84 24 3826 0000",
            company="Cửa Hàng Việt",
        ),
        catalog=catalog.VIET,
        customers=220,
        orders=1400,
        vi_share=0.88,
        cities=VN_CITIES,
        season={1: 1.7, 2: 1.5, 9: 1.3, 12: 1.2, 6: 0.85},
        codes=("CHAOBAN10", "TET15"),
    ),
]


def seed_store(store, seed: int = 0, scale: float = 1.0):
    rng = random.Random(seed)
    now = store.now()
    shops = [build_shop(store, spec, rng, now, scale) for spec in SHOPS]
    for shop in shops:
        store.add_shop(shop)
    # Added after every shop is whole, so the history's ids stay what they were without them.
    for shop, spec in zip(shops, SHOPS):
        names = (VI_FIRST, VI_LAST) if spec["locale"] == "vi" else (EN_FIRST, EN_LAST)
        moments.add_moments(shop, seed, now, names)


def build_shop(store, spec: dict, rng: random.Random, now, scale: float) -> Shop:
    fields = {
        k: spec[k]
        for k in (
            "id",
            "domain",
            "name",
            "email",
            "owner",
            "currency",
            "money_format",
            "locale",
            "locales",
            "timezone",
            "timezone_label",
            "address",
        )
    }
    shop = Shop(store, created_at=now - HISTORY - timedelta(days=90), **fields)
    _products(shop, spec, rng)
    customers = _customers(shop, spec, rng, now, max(1, round(spec["customers"] * scale)))
    _orders(shop, spec, rng, now, customers, max(1, round(spec["orders"] * scale)))
    return shop


def _products(shop: Shop, spec: dict, rng: random.Random):
    types, care = catalog.TYPES[spec["locale"]], catalog.CARE[spec["locale"]]
    created = shop.created_at
    for title, category, price, variants, flag in spec["catalog"]:
        handle = catalog.slug(title)
        status = {"draft": "DRAFT", "archived": "ARCHIVED"}.get(flag, "ACTIVE")
        p = Product(
            shop.next_id(),
            title,
            handle,
            types[category],
            shop.name,
            f"<p>{title}.</p><p>{care[category]}</p>",
            status,
            status == "ACTIVE",
            created,
            created + timedelta(days=rng.randint(0, 600)),
            [category],
        )
        for name, factor in variants or (("Default Title", 1.0),):
            amount = Decimal(price) * Decimal(str(factor))
            amount = amount.quantize(Decimal("1000") if shop.currency == "VND" else Decimal("1"))
            if shop.currency != "VND":
                amount -= Decimal("0.05") if amount > 10 else 0
            stock = 0 if flag == "soldout" else rng.randint(8, 240)
            sku = f"{handle[:12].upper()}-{name[:4].upper()}".replace(" ", "")
            v = Variant(shop.next_id(), p, name, amount, sku, stock)
            p.variants.append(v)
            shop.variants[v.id] = v
        shop.products[p.id] = p


def _birthday(shop: Shop, c: Customer, signup) -> None:
    """Two customers in five gave their birthday (the `facts.birth_date` metafield). Drawn from a
    generator of their own, so the rest of the seed is the same with or without birthdays."""
    own = random.Random(c.id)
    if own.random() >= 0.4:
        return
    born = date(own.randint(1960, 2004), 1, 1) + timedelta(days=own.randint(0, 364))
    c.seed_metafield("facts", "birth_date", born.isoformat(), "date", signup)


def _customers(shop: Shop, spec: dict, rng: random.Random, now, count: int) -> list[tuple]:
    """Create customers; returns `(customer, kind, active_from, active_until)` for order planning."""
    states, state_w = zip(*STATES)
    kinds, kind_w = zip(*KINDS)
    planned = []
    for n in range(count):
        vi = rng.random() < spec["vi_share"]
        first, last = rng.choice(VI_FIRST if vi else EN_FIRST), rng.choice(VI_LAST if vi else EN_LAST)
        street, city, province, code, zip_ = rng.choice(spec["cities"])
        signup = now - HISTORY  # a third were customers before the history starts
        if rng.random() > 0.35:
            signup += timedelta(seconds=rng.random() * (HISTORY.total_seconds() - 86400))
        state = rng.choices(states, state_w)[0]
        consent_at = (
            signup if state in ("SUBSCRIBED", "NOT_SUBSCRIBED", "PENDING") else signup + (now - signup) * rng.random()
        )
        email = f"{catalog.slug(first)}.{catalog.slug(last)}{n + 1}@example.{rng.choice(('com', 'net', 'org'))}"
        country = ("Vietnam", "VN") if shop.currency == "VND" else ("United States", "US")
        c = Customer(
            shop.next_id(),
            email,
            first,
            last,
            "vi" if vi else "en",
            signup,
            max(signup, consent_at),
            state,
            "SINGLE_OPT_IN" if state == "SUBSCRIBED" else None,
            consent_at,
            Address(first, last, street, city, province, code, zip_, *country),
        )
        _birthday(shop, c, signup)
        shop.add_customer(c)
        kind = rng.choices(kinds, kind_w)[0]
        until = now
        if kind in ("repeat", "vip") and rng.random() < 0.4:  # lapsed: stopped ordering a while ago
            until = signup + (now - signup) * rng.uniform(0.2, 0.7)
        planned.append((c, kind, signup, until))
    return planned


def _orders(shop: Shop, spec: dict, rng: random.Random, now, planned: list[tuple], target: int):
    """Each buyer orders at their own pace over their active span; totals are scaled to `target`."""
    season, peak = spec["season"], max(spec["season"].values())
    pace = {"repeat": (60, 150), "vip": (15, 45)}  # days between orders
    expected = []
    for _customer, kind, start, until in planned:
        days = (until - start).total_seconds() / 86400
        expected.append(0 if kind == "never" else 1 if kind == "once" else max(1.5, days / rng.uniform(*pace[kind])))
    once = sum(1 for _, kind, _, _ in planned if kind == "once")
    factor = max(0.0, target - once) / max(1.0, sum(expected) - once)
    plan = []
    for (c, kind, start, until), n in zip(planned, expected):
        if n == 0:
            continue
        n = 1 if kind == "once" else max(1, int(n * factor + rng.random()))
        span = (until - start).total_seconds() if kind != "once" else min(30 * 86400, (now - start).total_seconds())
        for _ in range(n):
            while True:  # seasonality and growth by rejection sampling
                at = start + timedelta(seconds=rng.random() * span)
                growth = 0.8 + 0.2 * (1 - (now - at) / HISTORY)
                if rng.random() * peak <= season.get(at.month, 1.0) * growth:
                    break
            plan.append((min(at, now - timedelta(minutes=5)), c))
    plan.sort(key=lambda p: p[0])
    _place(shop, spec, rng, now, plan)


def _place(shop: Shop, spec: dict, rng: random.Random, now, plan):
    sellable = [p for p in shop.products.values() if p.status != "DRAFT"]
    weights = [1 / (i + 1) ** 0.8 * (0.3 if p.status == "ARCHIVED" else 1) for i, p in enumerate(sellable)]
    rng.shuffle(weights)
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    percent = {code: Decimal(pct) for code, pct in zip(spec["codes"], ("0.10", "0.15"))}
    unit = Decimal("1") if shop.currency == "VND" else Decimal("0.01")
    for at, c in plan:
        picks = dict.fromkeys(rng.choices(sellable, cum_weights=cum, k=rng.choices((1, 2, 3), (60, 30, 10))[0]))
        items = [
            LineItem(shop.next_id(), rng.choice(p.variants), rng.choices((1, 2, 3), (75, 20, 5))[0]) for p in picks
        ]
        code = rng.choice(spec["codes"]) if rng.random() < 0.08 else None
        subtotal = sum(li.price * li.quantity for li in items)
        o = shop.add_order(
            c,
            items,
            at,
            checkout_token=f"{rng.getrandbits(128):032x}",
            discount_codes=[code] if code else [],
            token=f"{rng.getrandbits(128):032x}",
            discount=(subtotal * percent[code]).quantize(unit) if code else Decimal(0),
            accepts_marketing=c.marketing_state == "SUBSCRIBED",
        )
        if rng.random() < 0.025:
            o.cancelled_at = o.updated_at = min(now, at + timedelta(hours=rng.randint(1, 30)))
            o.cancel_reason, o.financial_status = "customer", "REFUNDED"
            c.amount_spent -= o.total
        elif now - at > timedelta(days=3):
            o.seed_fulfillment(at + timedelta(hours=rng.randint(4, 72)))
        c.updated_at = max(c.updated_at, o.updated_at)
