"""Benchmark: one tick's planning over a big shop on PostgreSQL, with every automation of the
library switched on, and a steady tick's cost against the size of the plan.

    .venv/bin/python bench/planning.py [--customers 100000] [--orders 500000] [--big 1000000]

Starts a throwaway PostgreSQL (tests/support/postgres.py) and fills one shop: `--customers`
customers (a tenth never ordered, a third with a birthday), `--orders` orders over two years and
a first order this month for one customer in fifty, each with one line over 50 products, 20k checkouts over the last ten days. Every automation the registry
finds is switched on (replenishment with usage periods for ten products). The clock is moved
(time-machine) to each tick's time, as the worker's would be. Printed:

- the first tick's planning (the whole look-back at once), and what it planned per automation;
- a steady tick a minute later: new answers to survey emails and a minute of webhook traffic
  (customers, orders and checkouts written) since the last tick;
- steady ticks with 10k and with `--big` planned-not-due sends spread over all automations, and
  their ratio (the target: at most 1.5);
- the periodic full rescan of the catch-up (planning.FULL_EVERY) at both sizes, for comparison.
"""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path[0] = ROOT  # the project root, not bench/ (whose queue.py would hide the standard library's)

import argparse  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import timedelta  # noqa: E402

import time_machine  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.queue import _app, _shop  # noqa: E402

MINUTE = timedelta(minutes=1)
#: Ticks measured per figure (the median is printed).
REPEAT = 5
PRODUCTS = (
    "INSERT INTO products (shop_id, id, title, price, url, published, in_stock, product_type, tags) "
    "SELECT :shop, g, 'Product ' || g, 20, 'https://bench.example/products/' || g, true, true, 'Tea', '[]' "
    "FROM generate_series(1, 50) g"
)
CUSTOMERS = (
    "INSERT INTO customers (shop_id, id, email, first_name, consent_state, consent_at, orders_count, total_spent, "
    "first_order_at, last_order_at, created_at, birth_date) "
    "SELECT :shop, g, 'c' || g || '@example.com', 'C', 'subscribed', :now - interval '800 days', 0, 0, NULL, NULL, "
    ":now - (g % 800) * interval '1 day' - (g % 1440) * interval '1 minute', "
    "CASE WHEN g % 3 = 0 THEN '1990-' || to_char(date '2000-01-01' + (g % 366), 'MM-DD') END "
    "FROM generate_series(1, CAST(:count AS integer)) g"
)
# Nine customers in ten order (the tenth never did: welcome); orders over two years.
ORDERS = (
    "INSERT INTO orders (shop_id, id, customer_id, email, placed_at, total, currency, discount_codes, test) "
    "SELECT :shop, 1000000 + g, 1 + g % CAST(:buyers AS integer), NULL, "
    ":now - (CAST(g AS bigint) * 7919 % 1051200) * interval '1 minute', 20, 'USD', '[]', false "
    "FROM generate_series(1, CAST(:count AS integer)) g"
)
# Newcomers: one customer in fifty of those who had not ordered places a first order this month.
NEWCOMERS = (
    "INSERT INTO orders (shop_id, id, customer_id, email, placed_at, total, currency, discount_codes, test) "
    "SELECT :shop, 3000000 + g, :buyers + g, NULL, :now - (g * 37 % 43200) * interval '1 minute', 20, 'USD', "
    "'[]', false FROM generate_series(1, CAST(:count AS integer) / 50) g"
)
LINES = (
    "INSERT INTO order_lines (shop_id, order_id, position, product_id, variant_id, quantity) "
    "SELECT :shop, id, 0, 1 + id % 50, 5000 + id % 50, 1 FROM orders WHERE shop_id = :shop"
)
STATS = (
    "UPDATE customers c SET orders_count = s.n, first_order_at = s.first, last_order_at = s.last "
    "FROM (SELECT customer_id, count(*) n, min(placed_at) first, max(placed_at) last FROM orders "
    "GROUP BY customer_id) s WHERE c.shop_id = :shop AND c.id = s.customer_id"
)
CHECKOUTS = (
    "INSERT INTO checkouts (shop_id, token, email, accepts_marketing, first_name, items, total, currency, "
    "recovery_url, platform_updated_at) "
    "SELECT :shop, 'k' || g, 'k' || g || '@example.com', true, 'K', "
    '\'[{"title": "Shirt", "quantity": 1, "price": "20.00"}]\', 20, \'USD\', '
    "'https://bench.example/recover', :now - (g % 14400) * interval '1 minute' FROM generate_series(1, 20000) g"
)
# Answers to survey emails the first tick planned, given just before the next tick.
ANSWERS = (
    "INSERT INTO answers (shop_id, send_id, customer_id, question, answer, answered_at) "
    "SELECT shop_id, id, customer_id, CASE automation WHEN 'feedback' THEN 'nps' ELSE 'reason' END, "
    "CASE automation WHEN 'feedback' THEN CAST(id % 11 AS text) ELSE 'price' END, :at "
    "FROM sends WHERE shop_id = :shop AND automation IN ('feedback', 'we_miss_you') AND trigger_ref LIKE 'ask:%' "
    "ORDER BY id LIMIT 500"
)
# A minute of webhook traffic: rows written again (their stamps moved), as an order or profile update does.
CHURN = (
    "UPDATE customers SET changed_at = :at WHERE shop_id = :shop AND id IN "
    "(SELECT 1 + (g * 7907 + :seed) % :customers FROM generate_series(1, 100) g)",
    "UPDATE orders SET changed_at = :at WHERE shop_id = :shop AND id IN "
    "(SELECT 1000001 + (g * 7907 + :seed) % :orders FROM generate_series(1, 100) g)",
    "UPDATE checkouts SET changed_at = :at WHERE shop_id = :shop AND token IN "
    "(SELECT 'k' || (1 + (g * 7907 + :seed) % 20000) FROM generate_series(1, 50) g)",
)
# Planned-not-due sends of every automation, due over the next 30 days.
FILL = (
    "INSERT INTO sends (shop_id, id, automation, recipient, trigger_ref, due_at, became_due_at, state, "
    "attempts, context, created_at) "
    "SELECT :shop, 10000000 + g, (CAST(:keys AS text[]))[1 + g % :n], 'r' || g || '@example.com', "
    "(CAST(:steps AS text[]))[1 + g % :n] || ':' || 'future' || g, "
    ":now + (g % 43200) * interval '1 minute' + interval '1 minute', :now, 'planned', 0, '{}', :now "
    "FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) g"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    args = parser.parse_args()

    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    try:
        app = _app(server.create_database("bench_planning"))
        with app.app_context():
            from app import clock
            from app.automations import planning, settings
            from app.automations.registry import AUTOMATIONS
            from app.extensions import db

            db.create_all()
            shop, now = _shop(db), clock.now().replace(microsecond=0)
            params = {"shop": shop.id, "now": now, "buyers": args.customers * 9 // 10}
            for statement, count in (
                (PRODUCTS, 0),
                (CUSTOMERS, args.customers),
                (ORDERS, args.orders),
                (NEWCOMERS, args.customers),
                (LINES, args.orders),
                (STATS, 0),
                (CHECKOUTS, 0),
            ):
                db.session.execute(text(statement), {**params, "count": count})
            db.session.commit()
            for key in AUTOMATIONS:
                extra = {"products": {str(p): 30 for p in range(1, 11)}} if key == "replenishment" else {}
                settings.update(shop, key, {"enabled": True, **extra})
            # Switched on yesterday: a settings change rescans everything (planning.rescans_all).
            db.session.execute(text("UPDATE automation_settings SET updated_at = :at"), {"at": now - timedelta(days=1)})
            db.session.commit()
            _vacuum(db)

            spent = _time_triggers(AUTOMATIONS)

            def tick(at, churn=True):
                if churn:
                    for statement in CHURN:
                        db.session.execute(
                            text(statement),
                            {
                                "shop": shop.id,
                                "at": at - MINUTE / 2,
                                "seed": int(at.timestamp()),
                                "customers": args.customers,
                                "orders": args.orders,
                            },
                        )
                    db.session.commit()
                spent.clear()
                with time_machine.travel(at.isoformat() + "+00:00", tick=True):
                    started, cpu = time.perf_counter(), _cpu(server)
                    counts = planning.plan(at)
                    return Tick(time.perf_counter() - started, _cpu(server) - cpu, counts, dict(spent))

            def full(at):
                """The periodic rescan of the whole catch-up, forced."""
                db.session.execute(text("UPDATE automation_settings SET rescanned_at = NULL"))
                db.session.commit()
                return tick(at, churn=False)

            first = tick(now, churn=False).wall
            per_automation = dict(
                db.session.execute(
                    text("SELECT automation, count(*) FROM sends GROUP BY automation ORDER BY automation")
                ).all()
            )
            db.session.execute(text(ANSWERS), {"shop": shop.id, "at": now + MINUTE / 2})
            db.session.commit()
            steady = tick(now + MINUTE)
            followups = sum(steady.counts.values())

            keys = list(AUTOMATIONS)
            steps = [AUTOMATIONS[key].steps[0].name for key in keys]
            _fill(db, shop, 10_000, now, keys, steps)
            small = _median([tick(now + m * MINUTE) for m in range(2, 2 + REPEAT)])
            small_full = _median([full(now + m * MINUTE) for m in range(10, 10 + REPEAT)])
            _fill(db, shop, args.big, now, keys, steps)
            big = _median([tick(now + m * MINUTE) for m in range(20, 20 + REPEAT)])
            big_full = _median([full(now + m * MINUTE) for m in range(30, 30 + REPEAT)])
    finally:
        server.stop()
    print(
        f"{args.customers:,} customers, {args.orders:,} orders (one line each), 20,000 checkouts; "
        f"{len(per_automation)} of {len(keys)} automations planned something in the first tick"
    )
    print(f"first tick's planning (14-day look-back, {sum(per_automation.values()):,} sends): {first:.2f} s")
    print("  " + ", ".join(f"{key} {count:,}" for key, count in per_automation.items()))
    print(
        f"steady tick (500 answers and a minute of webhook traffic since the last; {followups} planned): "
        f"{steady.wall:.3f} s (target < 5 s)"
    )
    print(f"median of {REPEAT} ticks each; wall seconds (CPU seconds of the worker and its PostgreSQL processes):")
    for name, at_small, at_big in (("steady tick", small, big), ("full rescan", small_full, big_full)):
        print(
            f"  {name} with 10k planned-not-due {at_small}; with {args.big:,} {at_big}; "
            f"ratio wall {at_big.wall / at_small.wall:.2f}, CPU {at_big.cpu / at_small.cpu:.2f} (target <= 1.5 steady)"
        )
    print("  seconds in each automation's trigger queries (steady 10k / steady big / full 10k / full big):")
    for key in keys:
        figures = " / ".join(f"{run.spent.get(key, 0):.3f}" for run in (small, big, small_full, big_full))
        print(f"    {key}: {figures}")


@dataclass
class Tick:
    wall: float
    cpu: float
    counts: dict
    spent: dict

    def __str__(self) -> str:
        return f"{self.wall:.3f} s ({self.cpu:.2f} s CPU)"


def _median(ticks: list[Tick]) -> Tick:
    return sorted(ticks, key=lambda t: t.cpu)[len(ticks) // 2]


def _cpu(server) -> float:
    """CPU seconds used so far by this process and by the PostgreSQL server's processes: on a shared
    machine wall time swings with the load, CPU time much less."""
    with open(os.path.join(server.data, "postmaster.pid")) as handle:
        postmaster = int(handle.readline())
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(pid) == postmaster or int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return time.process_time() + ticks / os.sysconf("SC_CLK_TCK")


def _time_triggers(automations) -> dict:
    """Seconds each automation spends producing its triggers (its queries), per tick."""
    spent: dict[str, float] = {}
    for automation in automations.values():
        ask = automation.triggers

        def timed(shop, values, window, ask=ask, key=automation.key):
            found = ask(shop, values, window)
            while True:
                started = time.perf_counter()
                try:
                    trigger = next(found)
                except StopIteration:
                    return
                finally:
                    spent[key] = spent.get(key, 0.0) + time.perf_counter() - started
                yield trigger

        automation.triggers = timed
    return spent


def _fill(db, shop, total: int, now, keys: list[str], steps: list[str]) -> None:
    """Bring the planned-not-due rows to `total`, spread over every automation's first step."""
    have = db.session.scalar(text("SELECT count(*) FROM sends WHERE trigger_ref LIKE '%future%'"))
    db.session.execute(
        text(FILL),
        {
            "shop": shop.id,
            "now": now,
            "keys": keys,
            "steps": steps,
            "n": len(keys),
            "first": have + 1,
            "last": total,
        },
    )
    db.session.commit()
    _vacuum(db)


def _vacuum(db) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


if __name__ == "__main__":
    main()
