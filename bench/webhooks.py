"""Benchmark: webhook ingestion under gunicorn, against a bare Flask endpoint on the same settings.

Usage: .venv/bin/python bench/webhooks.py [--db sqlite|postgres|both] [--seconds 10] [--workers 4]

Sends signed `orders/create` and `checkouts/update` deliveries (alternating, every one unique)
to `POST /webhooks/shopify` on 127.0.0.1, in two ways:
  * saturation: C concurrent clients as fast as answers come -> req/s, p50, p99;
  * steady 300 req/s (open loop: latency counted from the scheduled send time) -> p50, p99.
The same runs hit a bare Flask app whose only view reads the body and answers 200, served by
gunicorn with the same settings; the ratio is ours / bare. Afterwards every 2xx delivery must
be found in the database (one order or checkout each, two receipts each) and non-2xx must be 0.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Run as a script, bench/ would lead sys.path and its modules could shadow the standard library.
sys.path[0] = ROOT

SECRET, DOMAIN = "bench-secret", "bench-shop.myshopify.com"
PAYLOADS = os.path.join(ROOT, "tests", "payloads")
ROUNDS = 2


def bare_app():
    """The baseline: a Flask view that reads the body and answers, nothing else."""
    from flask import Flask, request

    app = Flask("bare")

    @app.post("/webhooks/shopify")
    def receive():
        request.get_data()
        return {"status": "ok"}

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str) -> None:
    from app import clock, create_app
    from app.extensions import db
    from app.shops.models import Shop

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        shop = Shop(domain=DOMAIN, name="Bench", installed_at=clock.now())
        shop.set_tokens("bench-token", None, None, None)
        db.session.add(shop)
        db.session.commit()
        db.engine.dispose()


def drain_and_count(url: str) -> dict:
    """Run the worker's inbox job to empty (timed), then count what the deliveries became."""
    from sqlalchemy import func, select

    from app import create_app
    from app.customers.models import Checkout, Order
    from app.extensions import db
    from app.shops.models import Shop
    from app.webhooks.inbox import apply_pending
    from app.webhooks.models import WebhookInbox, WebhookReceipt

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        shop_id = db.session.scalar(select(Shop.id).where(Shop.domain == DOMAIN))
        started, applied = time.perf_counter(), 0
        while batch := apply_pending(shop_id, 500):
            applied += batch
        drain_seconds = time.perf_counter() - started
        counts = {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("orders", Order),
                ("checkouts", Checkout),
                ("receipts", WebhookReceipt),
                ("inbox", WebhookInbox),
            )
        }
        db.engine.dispose()
    return {**counts, "applied": applied, "drain_rate": applied / drain_seconds if drain_seconds else 0}


class Server:
    """gunicorn on a free loopback port, with the settings both apps share."""

    def __init__(self, target: str, env: dict, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
                target,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        # The master listens before its workers have imported the app: wait for real answers,
        # then warm every worker up so the timed runs measure steady state, not start-up.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if post(self.port, b"{}", {"X-Shopify-Topic": "warm-up"}) != 599:
                for _ in range(50 * workers):
                    post(self.port, b"{}", {"X-Shopify-Topic": "warm-up"})
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start: {target}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


class Deliveries:
    """Unique, signed bodies: even numbers are orders/create, odd ones checkouts/update."""

    def __init__(self, run: str, base: int):
        with open(os.path.join(PAYLOADS, "orders__create.json")) as f:
            self.order = json.load(f)
        with open(os.path.join(PAYLOADS, "checkouts__update.json")) as f:
            self.checkout = json.load(f)
        self.run, self.base, self.lock, self.next = run, base, threading.Lock(), 0

    def take(self) -> tuple[str, bytes, dict]:
        with self.lock:
            number, self.next = self.next, self.next + 1
        if number % 2 == 0:
            topic = "orders/create"
            body = {
                **self.order,
                "id": self.base + number,
                "checkout_token": f"{self.run}-{number - 1}",
                "cancelled_at": None,
            }
        else:
            topic = "checkouts/update"
            body = {**self.checkout, "token": f"{self.run}-{number}"}
        raw = json.dumps(body).encode()
        signature = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
        return (
            topic,
            raw,
            {
                "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": signature,
                "X-Shopify-Shop-Domain": DOMAIN,
                "X-Shopify-Webhook-Id": f"{self.run}-w{number}",
                "X-Shopify-Event-Id": f"{self.run}-e{number}",
                "Content-Type": "application/json",
            },
        )


def post(port: int, raw: bytes, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/webhooks/shopify", body=raw, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 599
    finally:
        conn.close()


def saturate(port: int, deliveries: Deliveries, seconds: float, clients: int) -> dict:
    latencies, statuses, stop = [], {}, time.monotonic() + seconds
    lock = threading.Lock()

    def client():
        while time.monotonic() < stop:
            _, raw, headers = deliveries.take()
            start = time.perf_counter()
            status = post(port, raw, headers)
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1

    return _run_threads([threading.Thread(target=client) for _ in range(clients)], latencies, statuses, seconds)


def steady(port: int, deliveries: Deliveries, seconds: float, rate: int, clients: int = 64) -> dict:
    """Open loop: request i is due at start + i/rate; latency counts from when it was due."""
    latencies, statuses, lock = [], {}, threading.Lock()
    total, start = int(seconds * rate), time.perf_counter() + 0.2
    ticket = iter(range(total))
    ticket_lock = threading.Lock()

    def client():
        while True:
            with ticket_lock:
                number = next(ticket, None)
            if number is None:
                return
            due = start + number / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)  # pacing the load generator, bounded by the run length
            _, raw, headers = deliveries.take()
            status = post(port, raw, headers)
            took = time.perf_counter() - due
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1

    return _run_threads([threading.Thread(target=client) for _ in range(clients)], latencies, statuses, seconds)


def _run_threads(threads, latencies, statuses, seconds) -> dict:
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": pick(0.5),
        "p99": pick(0.99),
        "non_2xx": sum(n for status, n in statuses.items() if not 200 <= status < 300),
    }


def line(label: str, r: dict) -> str:
    return (
        f"  {label:<22} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  non-2xx {r['non_2xx']}"
    )


def bench(db_name: str, url: str, seconds: float, workers: int, clients: int) -> None:
    prepare_database(url)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key",
        "SHOPIFY_API_KEY": "bench-key",
        "SHOPIFY_API_SECRET": SECRET,
        "APP_URL": "http://127.0.0.1:9",
    }
    ours, bare = Server("app:create_app()", env, workers), Server("bench.webhooks:bare_app()", env, workers)
    try:
        results, sent = {}, []
        # Saturation alternates ours and bare, ROUNDS times: this machine's speed drifts, and a
        # drift must not land on one side of the ratio only.
        for round_ in range(ROUNDS):
            for name, server in (("ours", ours), ("bare", bare)):
                deliveries = Deliveries(f"{db_name}-{name}-sat{round_}", (round_ + 1) * 10**9)
                results[name, "sat", round_] = saturate(server.port, deliveries, seconds, clients)
                if name == "ours":
                    sent.append(results[name, "sat", round_])
        for name, server in (("ours", ours), ("bare", bare)):
            results[name, "300"] = steady(server.port, Deliveries(f"{db_name}-{name}-300", 9 * 10**9), seconds, 300)
        sent.append(results["ours", "300"])
        print(f"{db_name}: gunicorn --workers {workers}, {clients} concurrent clients, {seconds:.0f} s per run")
        for round_ in range(ROUNDS):
            for name in ("ours", "bare"):
                print(line(f"{name} saturated ({round_ + 1})", results[name, "sat", round_]))
        for name in ("ours", "bare"):
            print(line(f"{name} at 300 req/s", results[name, "300"]))
        rate = {name: sum(results[name, "sat", r]["rps"] for r in range(ROUNDS)) for name in ("ours", "bare")}
        print(f"  ratio ours/bare, saturated: {rate['ours'] / rate['bare']:.0%}")
    finally:
        ours.stop()
        bare.stop()
    delivered = sum(r["requests"] - r["non_2xx"] for r in sent)
    counts = drain_and_count(url)
    accounted = counts["orders"] + counts["checkouts"]
    print(f"  worker applied the inbox at {counts['drain_rate']:.0f} deliveries/s")
    print(
        f"  accounted: {delivered} accepted deliveries -> {counts['orders']} orders + {counts['checkouts']} "
        f"checkouts = {accounted}, {counts['receipts']} receipts (expected {2 * delivered}), "
        f"{counts['inbox']} left in the inbox"
        f"{'' if accounted == delivered and counts['receipts'] == 2 * delivered else '  MISMATCH'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        bench("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", args.seconds, args.workers, args.clients)
    if args.db in ("postgres", "both"):
        from tests.support.postgres import PostgresServer

        server = PostgresServer()
        try:
            bench("postgres", server.create_database("bench_webhooks"), args.seconds, args.workers, args.clients)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
