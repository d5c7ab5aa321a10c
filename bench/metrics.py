"""Benchmark: `/api/metrics` at 10k and at 1M orders, and the purchase-model fit at 100k customers.

    .venv/bin/python bench/metrics.py [--big 1000000] [--customers 200000] [--fit 100000]

Starts a throwaway PostgreSQL (tests/support/postgres.py), makes three shops in
Asia/Ho_Chi_Minh with three years of orders drawn inside PostgreSQL (5 % guests, 2 % cancelled,
0.5 % test, repeat buyers skewed like a real shop), builds their order days the way the history
import does (`days.rebuild`, timed), adds winback sends (a tenth held out) with opens, and prints:
1. `/api/metrics` through the app (session token, JSON out) for the last 30 and 365 days: p50 and
   p95 of 40 warm requests each, at 10k orders and at `--big`, and their ratio;
2. the fit of both models for `--fit` customers in a fresh process, as the worker runs it: seconds
   and peak RSS (and the RSS of that process before fitting, for what the imports cost).
"""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path[0] = ROOT

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402

NOW = datetime(2026, 11, 20, 5, 0)
REQUESTS = 40


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--fit", type=int, default=100_000)
    args = parser.parse_args()

    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    try:
        url = server.create_database("bench_metrics")
        _child("schema", url)
        small = _child("shop", url, "small.myshopify.com", 10_000, 2_000)
        big = _child("shop", url, "big.myshopify.com", args.big, args.customers)
        fit_shop = _child("shop", url, "fit.myshopify.com", args.fit * 4, args.fit)
        _child("analyze", url)
        small_times = _child("metrics", url, "small.myshopify.com")
        big_times = _child("metrics", url, "big.myshopify.com")
        fit = _child("fit", url, "fit.myshopify.com")
    finally:
        server.stop()

    for label, shop in (("10k", small), (f"{args.big:,}", big), ("fit shop", fit_shop)):
        print(
            f"{label:>10} orders: {shop['orders']:,} orders, {shop['customer_days']:,} customer days; "
            f"days.rebuild {shop['rebuild_s']:.1f} s"
        )
    for period in ("30", "365"):
        s, b = small_times[period], big_times[period]
        print(
            f"/api/metrics, last {period:>3} days: 10k orders p50 {s['p50']:6.1f} ms p95 {s['p95']:6.1f} ms; "
            f"{args.big:,} orders p50 {b['p50']:6.1f} ms p95 {b['p95']:6.1f} ms "
            f"(p95 ratio {b['p95'] / s['p95']:.1f}, target < 300 ms)"
        )
    print(
        f"model fit, {fit['customers']:,} customers: {fit['seconds']:.2f} s (target < 10 s); "
        f"peak RSS {fit['rss_mb']:.0f} MB, of which {fit['base_mb']:.0f} MB before the fit (target < 300 MB); "
        f"r={fit['r']:.3f} alpha={fit['alpha']:.2f} a={fit['a']:.3f} b={fit['b']:.3f}"
    )


def _child(scenario: str, *args) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", scenario, *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"{scenario} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1] or "{}")


def _app(url: str):
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SHOPIFY_API_KEY": "bench-key",
            "SHOPIFY_API_SECRET": "bench-secret",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )


def child(scenario: str, url: str, *rest: str) -> dict:
    import time_machine
    from sqlalchemy import text

    from app.extensions import db
    from app.shops.models import Shop

    app = _app(url)
    with app.app_context(), time_machine.travel(NOW, tick=False):
        if scenario == "schema":
            db.create_all()
            return {}
        if scenario == "analyze":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            return {}
        if scenario == "shop":
            return _make_shop(db, rest[0], int(rest[1]), int(rest[2]))
        shop = db.session.scalar(db.select(Shop).where(Shop.domain == rest[0]))
        if scenario == "metrics":
            return _metrics(app, shop)
        if scenario == "fit":
            from app.predictions import fit_shop

            base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            started = time.perf_counter()
            model = fit_shop(shop)
            seconds = time.perf_counter() - started
            return {
                "seconds": seconds,
                "customers": model.customers,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "base_mb": base,
                **{k: getattr(model, k) for k in ("r", "alpha", "a", "b")},
            }
    raise SystemExit(f"unknown scenario {scenario}")


def _make_shop(db, domain: str, orders: int, customers: int) -> dict:
    from sqlalchemy import text

    from app.customers import days
    from app.shops.models import Shop

    shop = Shop(domain=domain, name=domain, email="o@bench.test", timezone="Asia/Ho_Chi_Minh", currency="USD")
    shop.set_tokens("token", None, None, None)
    db.session.add(shop)
    db.session.commit()
    params = {"shop": shop.id, "now": NOW, "orders": orders, "customers": customers}
    db.session.execute(
        text(
            "INSERT INTO customers (shop_id, id, email, consent_state, orders_count, total_spent, created_at) "
            "SELECT :shop, g, 'c' || g || '@example.com', 'subscribed', 0, 0, :now "
            "FROM generate_series(1, CAST(:customers AS integer)) g"
        ),
        params,
    )
    # random()^2 skews orders towards low ids: a few loyal buyers, a long tail of one-time ones.
    db.session.execute(
        text(
            "INSERT INTO orders (shop_id, id, customer_id, email, placed_at, total, currency, discount_codes, "
            "cancelled_at, test) "
            "SELECT :shop, g, CASE WHEN random() < 0.05 THEN NULL "
            "ELSE 1 + floor(power(random(), 2) * :customers)::bigint END, NULL, "
            ":now - random() * interval '1095 days', round((5 + random() * 195)::numeric, 2), 'USD', '[]', "
            "CASE WHEN random() < 0.02 THEN :now END, random() < 0.005 "
            "FROM generate_series(1, CAST(:orders AS integer)) g"
        ),
        params,
    )
    # Winback emails over the three years, one per 10 orders; a tenth held out; a third opened.
    db.session.execute(
        text(
            "INSERT INTO sends (shop_id, id, automation, recipient, customer_id, trigger_ref, due_at, state, "
            "attempts, context, created_at, sent_at) "
            "SELECT :shop, g, 'winback', 'c' || c || '@example.com', c, 'lapse:' || g, t, s, 0, '{}', t, "
            "CASE WHEN s = 'sent' THEN t END FROM ("
            "  SELECT g, 1 + floor(random() * :customers)::bigint AS c, :now - random() * interval '1095 days' AS t,"
            "  CASE WHEN random() < 0.1 THEN 'held_out' ELSE 'sent' END AS s "
            "  FROM generate_series(1, CAST(:orders AS integer) / 10) g) x"
        ),
        params,
    )
    db.session.execute(
        text(
            "INSERT INTO email_events (shop_id, id, send_id, kind, at) "
            "SELECT shop_id, id, id, 'open', sent_at FROM sends WHERE shop_id = :shop AND state = 'sent' "
            "AND random() < 0.33"
        ),
        params,
    )
    db.session.commit()
    started = time.perf_counter()
    days.rebuild(shop.id)
    db.session.commit()
    rebuild = time.perf_counter() - started
    counted = db.session.scalar(text("SELECT count(*) FROM customer_days WHERE shop_id = :shop"), params)
    return {"orders": orders, "customer_days": counted, "rebuild_s": rebuild}


def _metrics(app, shop) -> dict:
    from tests.settings.tokens import session_token

    token = session_token(shop.domain, secret="bench-secret", lifetime=3600, aud="bench-key")
    client = app.test_client()
    figures = {}
    for days, first in (("30", "2026-10-22"), ("365", "2025-11-21")):
        url = f"/api/metrics?from={first}&to=2026-11-20"
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(3):  # warm: plans and pages in cache
            assert client.get(url, headers=headers).status_code == 200
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.data
        times.sort()
        figures[days] = {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1]}
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], *sys.argv[3:])))
    else:
        main()
