"""Benchmark: the send plan as a queue in PostgreSQL, against one APScheduler job per email.

    .venv/bin/python bench/queue.py [--big 1000000] [--naive 100000]

Starts a throwaway PostgreSQL (tests/support/postgres.py) and prints:
1. the cost of one tick (nothing due; and 100 emails due, planned, composed and sent to a
   local SMTP sink) with 10k and with `--big` planned-but-not-due rows, and their ratio;
2. claiming 1,000 due rows and marking them sent, as primitives and along the engine's path;
3. the peak RSS of a worker process (`flask tick`) with `--big` planned rows;
4. scheduling `--naive` sends: our planner (checkouts -> plan rows) versus APScheduler's
   SQLAlchemyJobStore with one `date` job per email, time and peak RSS side by side.
Each measurement that reports memory runs in its own process, so peaks do not mix.
"""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
# Run as a script, this file's folder comes first on sys.path and its name would hide the
# standard library's `queue` (which psycopg and APScheduler import): put the project root there.
sys.path[0] = ROOT

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

DUE = 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--naive", type=int, default=100_000)
    args = parser.parse_args()

    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    try:
        url = server.create_database("bench_queue")
        _child("schema", url)
        small, big = _child("tick", url, 10_000), _child("tick", url, args.big)
        claim = _child("claim", url)
        rss = _child("worker_rss", url, args.big)
        ours = _child("ours", url, args.naive)
        naive = _child("naive", server.create_database("bench_apscheduler"), args.naive)
    finally:
        server.stop()

    print(
        f"tick, nothing due:    {small['empty_ms']:8.1f} ms with 10k planned, "
        f"{big['empty_ms']:8.1f} ms with {args.big:,}  (ratio {big['empty_ms'] / small['empty_ms']:.2f})"
    )
    print(
        f"tick, {DUE} due + sent: {small['due_ms']:8.1f} ms with 10k planned, "
        f"{big['due_ms']:8.1f} ms with {args.big:,}  (ratio {big['due_ms'] / small['due_ms']:.2f})"
    )
    print(
        f"claim 1,000 due rows: {claim['claim_ms']:.1f} ms; mark them sent: {claim['mark_ms']:.1f} ms; "
        f"together {claim['claim_ms'] + claim['mark_ms']:.1f} ms (target < 50 ms)"
    )
    print(
        f"  the engine's path for 1,000 (claims of 50, a committed move before and after SMTP per chunk of "
        f"10): {claim['engine_ms']:.1f} ms"
    )
    print(f"worker RSS (flask tick, {args.big:,} planned rows): peak {rss['rss_mb']:.0f} MB")
    print(
        f"schedule {args.naive:,} sends: ours {ours['seconds']:.2f} s, peak RSS {ours['rss_mb']:.0f} MB; "
        f"APScheduler SQLAlchemyJobStore {naive['seconds']:.2f} s, peak RSS {naive['rss_mb']:.0f} MB "
        f"({naive['seconds'] / ours['seconds']:.0f}x slower)"
    )


def _child(scenario: str, url: str, size: int = 0) -> dict:
    """Run `scenario` in a fresh interpreter; it prints one JSON line with its figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", scenario, url, str(size)], cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"{scenario} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _app(url: str):
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SHOPIFY_API_KEY": "k",
            "SHOPIFY_API_SECRET": "s",
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_URL": "smtp://127.0.0.1:1",
        }
    )


def _shop(db):
    from app.automations import settings
    from app.shops.models import Shop

    shop = db.session.scalar(db.select(Shop).limit(1))
    if shop is None:
        shop = Shop(
            domain="bench.myshopify.com",
            name="Bench",
            email="owner@bench.test",
            timezone="UTC",
            settings={"quiet_hours": {"enabled": False}, "frequency_cap": {"count": 100, "days": 7}},
        )
        shop.set_tokens("token", None, None, None)
        db.session.add(shop)
        db.session.commit()
        settings.update(shop, "abandoned_cart", {"enabled": True})
    return shop


def _fill_plan(db, shop, total: int, now) -> None:
    """Bring the planned-but-not-due rows to `total` (due over the next 30 days)."""
    from sqlalchemy import text

    have = db.session.scalar(text("SELECT count(*) FROM sends WHERE state = 'planned'"))
    db.session.execute(
        text(
            "INSERT INTO sends (shop_id, id, automation, recipient, trigger_ref, due_at, became_due_at, state, "
            "attempts, context, created_at) "
            "SELECT :shop, g, 'abandoned_cart', 'r' || g || '@example.com', 'checkout:future' || g, "
            ":now + (g % 43200) * interval '1 minute' + interval '1 minute', :now, 'planned', 0, '{}', :now "
            "FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) g"
        ),
        {"shop": shop.id, "now": now, "first": have + 1, "last": total},
    )
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE sends"))


def _add_due_checkouts(db, shop, count: int, now, tag: str) -> None:
    """`count` abandoned checkouts, due an hour ago, made inside PostgreSQL (no client-side memory)."""
    from sqlalchemy import text

    db.session.execute(
        text(
            "INSERT INTO checkouts (shop_id, token, email, accepts_marketing, first_name, items, total, currency, "
            "recovery_url, platform_updated_at) "
            "SELECT :shop, :tag || g, :tag || g || '@example.com', true, 'Bench', "
            '\'[{"title": "Shirt", "quantity": 1, "price": "20.00"}]\', 20, \'USD\', '
            "'https://bench.example/recover', :due FROM generate_series(1, CAST(:count AS integer)) g"
        ),
        {"shop": shop.id, "tag": tag, "due": now - timedelta(hours=25), "count": count},
    )
    db.session.commit()


def _due_again(db, now, count: int) -> None:
    """Make the `count` soonest planned rows due now."""
    from sqlalchemy import text

    db.session.execute(
        text(
            "UPDATE sends SET due_at = :past WHERE (shop_id, id) IN "
            "(SELECT shop_id, id FROM sends WHERE state = 'planned' ORDER BY due_at LIMIT :count)"
        ),
        {"past": now - timedelta(minutes=1), "count": count},
    )
    db.session.commit()


def child(scenario: str, url: str, size: int) -> dict:
    from app import clock
    from app.automations import engine, planning, queue
    from app.extensions import db

    app = _app(url)
    with app.app_context():
        now = clock.now()
        if scenario == "schema":
            db.create_all()
            return {}
        if scenario == "naive":
            return _naive(url, size, now)
        shop = _shop(db)
        if scenario == "tick":
            from sqlalchemy import text

            from tests.support.smtp import SMTPServer

            _fill_plan(db, shop, size, now)
            engine.run_once(now)  # warm-up: imports, template compilation, connection pool
            empty = []
            for _ in range(7):
                started = time.perf_counter()
                engine.run_once(now)
                empty.append((time.perf_counter() - started) * 1000)
            sink = SMTPServer()
            app.config["MAIL_URL"] = sink.url
            _add_due_checkouts(db, shop, DUE, now, f"due{size}-")
            started = time.perf_counter()
            counts = engine.run_once(now)
            due_ms = (time.perf_counter() - started) * 1000
            sink.stop()
            assert counts.get("sent") == DUE, counts
            # The next measurement starts from the same store: only the plan's size differs.
            db.session.execute(text("DELETE FROM checkouts"))
            db.session.commit()
            return {"empty_ms": statistics.median(empty), "due_ms": due_ms}
        if scenario == "claim":
            # 1. The queue's primitives: one claim statement, then one statement marking them all sent.
            _due_again(db, now, 1001)
            token = queue.claim_token()
            # Warm-up, as in a running worker: the claim's connection is in the pool, statements are cached.
            queue.move_many(queue.claim(now, 1, token), token, ("claimed",), state="sent", lease_until=None)
            db.session.commit()
            started = time.perf_counter()
            batch = queue.claim(now, 1000, token)
            claimed = time.perf_counter()
            marked_rows = queue.move_many(batch, token, ("claimed",), state="sent", sent_at=now, lease_until=None)
            db.session.commit()
            marked = time.perf_counter()
            assert len(batch) == len(marked_rows) == 1000
            # 2. The engine's path for the same 1,000: claims of engine.BATCH, and per SEND_CHUNK one
            # committed move to "sending" (with each email's subject and Message-ID) before SMTP and
            # one committed move to "sent" after it.
            _due_again(db, now, 1000)
            began = time.perf_counter()
            for _ in range(1000 // engine.BATCH):
                batch = queue.claim(now, engine.BATCH, token)
                for first in range(0, len(batch), engine.SEND_CHUNK):
                    chunk = batch[first : first + engine.SEND_CHUNK]
                    going = queue.move_many(
                        chunk,
                        token,
                        ("claimed",),
                        state="sending",
                        sent_at=now,
                        lease_until=now + queue.SEND_LEASE,
                        each={s.id: {"subject": "Your cart", "message_id": f"<{s.id}@bench>"} for s in chunk},
                    )
                    db.session.commit()
                    assert len(queue.move_many(going, token, ("sending",), state="sent", lease_until=None)) == len(
                        chunk
                    )
                    db.session.commit()
            engine_path = time.perf_counter() - began
            return {
                "claim_ms": (claimed - started) * 1000,
                "mark_ms": (marked - claimed) * 1000,
                "engine_ms": engine_path * 1000,
            }
        if scenario == "worker_rss":
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "SHOPIFY_API_KEY": "k",
                "SHOPIFY_API_SECRET": "s",
                "MAIL_URL": "smtp://127.0.0.1:1",
            }
            subprocess.run(
                [sys.executable, "-m", "flask", "--app", "app", "tick"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            return {"rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
        if scenario == "ours":
            from sqlalchemy import text

            db.session.execute(text("DELETE FROM sends"))
            db.session.execute(text("DELETE FROM checkouts"))
            db.session.execute(text("UPDATE automation_settings SET planned_until = NULL"))
            db.session.commit()
            _add_due_checkouts(db, shop, size, now, "plan-")
            started = time.perf_counter()
            planned = planning.plan(now)["planned"]
            seconds = time.perf_counter() - started
            assert planned == size, planned
            return {"seconds": seconds, "rss_mb": _rss_mb()}
    raise SystemExit(f"unknown scenario {scenario}")


def send_email(shop_id: int, recipient: str, checkout: str) -> None:
    """The naive design's job function (never runs here: every job is in the future)."""


def _naive(url: str, size: int, now) -> dict:
    """One APScheduler `date` job per email in a SQLAlchemyJobStore, as in many tutorials."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)}, timezone="UTC")
    scheduler.start(paused=True)
    started = time.perf_counter()
    for number in range(size):
        scheduler.add_job(
            send_email,
            "date",
            run_date=now + timedelta(days=1, seconds=number),
            args=[1, f"plan-{number}@example.com", f"plan-{number}"],
            id=f"cart-{number}",
        )
    seconds = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    return {"seconds": seconds, "rss_mb": _rss_mb()}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        main()
