"""Benchmark: history import rate and peak memory, 20,000 vs 100,000 orders.

Usage: .venv/bin/python bench/import.py [--db sqlite|postgres|both] [--scales 10,50]

For each size a sandbox store (seeded with scale x ~2,000 orders) runs in its own process on
127.0.0.1; the import runs in another fresh process, exactly as the worker runs it (bulk
operations, streamed JSONL, 1,000-row batches), and reports its wall time and its peak RSS
(ru_maxrss). Peak RSS that does not grow with the history is the point: the file is streamed.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Run as a script, bench/ would lead sys.path and its modules could shadow the standard library.
sys.path[0] = ROOT

KEY, SECRET, DOMAIN = "bench-key", "bench-secret", "demo-shop.myshopify.com"
SCOPES = "read_orders,read_all_orders,read_customers,read_products,write_discounts"


def serve_sandbox(port: int, scale: float) -> None:
    """Child process: the sandbox store with a token granted for the bench."""
    from sandbox import create_sandbox
    from sandbox.models import Grant

    app = create_sandbox(KEY, SECRET, "http://127.0.0.1:9", scale=scale, base_url=f"http://127.0.0.1:{port}")
    store = app.extensions["sandbox"]
    store.bulk_delay = 0
    store.grants["bench-token"] = Grant(shop=DOMAIN, access_token="bench-token", scope=SCOPES, expires_at=None)
    store.shop(DOMAIN).installed_scope = SCOPES
    from werkzeug.serving import make_server

    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def run_import(store_url: str, database_url: str) -> None:
    """Child process: one import from scratch; prints a JSON line of figures."""
    from sqlalchemy import func, select

    from app import clock, create_app, jobs
    from app.customers.models import Order
    from app.customers.queries import bestsellers
    from app.extensions import db
    from app.history.jobs import import_history
    from app.jobs import kinds
    from app.shops.models import Shop

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SHOPIFY_API_KEY": KEY,
            "SHOPIFY_API_SECRET": SECRET,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SHOPIFY_STORE_URL": store_url + "/{shop}",
        }
    )
    with app.app_context():
        db.create_all()
        shop = Shop(domain=DOMAIN, name="Bench", installed_at=clock.now())
        shop.set_tokens("bench-token", None, None, None)
        db.session.add(shop)
        db.session.commit()
        job = jobs.enqueue(shop.id, kinds.IMPORT_HISTORY, unique_key="install")
        db.session.commit()
        # Time spent in the store's API (starting and polling the bulk run) is the store's, not ours:
        # the sandbox answers polls slowly while its own thread writes the file.
        from app.history import bulk

        in_store = [0.0]

        def timed(call):
            def wrapper(*args, **kwargs):
                began = time.monotonic()
                try:
                    return call(*args, **kwargs)
                finally:
                    in_store[0] += time.monotonic() - began

            return wrapper

        bulk.start, bulk.poll = timed(bulk.start), timed(bulk.poll)
        started = time.monotonic()
        waited = 0.0
        while True:
            again = import_history(job)
            if again is None:
                break
            pause = max(0.0, min((again - clock.now()).total_seconds(), 0.2))
            waited += pause
            time.sleep(pause)  # the worker's tick would come back later; the bench polls sooner
        elapsed = time.monotonic() - started
        waited += in_store[0]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        orders = db.session.scalar(select(func.count()).select_from(Order))
        # What a win-back email asks for, on the imported history: the 90-day bestsellers minus one buyer's.
        buyer = db.session.scalar(select(Order.customer_id).where(Order.customer_id.is_not(None)).limit(1))
        timings = []
        for _ in range(20):
            began = time.perf_counter()
            bestsellers(shop.id, exclude_customer_id=buyer)
            timings.append(time.perf_counter() - began)
    print(
        json.dumps(
            {
                "orders": orders,
                "seconds": round(elapsed, 2),
                "waiting_for_store": round(waited, 2),
                "peak_rss_mb": round(rss, 1),
                "bestsellers_ms": round(sorted(timings)[10] * 1000, 1),
            }
        )
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"sandbox did not start at {url}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--scales", default="10,50", help="sandbox scales (x ~2,000 orders)")
    args = parser.parse_args()
    postgres = None
    if args.db in ("postgres", "both"):
        from tests.support.postgres import PostgresServer

        postgres = PostgresServer()
    try:
        for scale in [float(s) for s in args.scales.split(",")]:
            port = free_port()
            sandbox = subprocess.Popen([sys.executable, __file__, "--child-sandbox", str(port), str(scale)], cwd=ROOT)
            try:
                wait_until_up(f"http://127.0.0.1:{port}/")
                targets = []
                if args.db in ("sqlite", "both"):
                    targets.append(("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
                if postgres is not None:
                    targets.append(("postgres", postgres.create_database(f"bench_{int(scale * 10)}")))
                for name, url in targets:
                    out = subprocess.run(
                        [sys.executable, __file__, "--child-import", f"http://127.0.0.1:{port}", url],
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    figures = json.loads(out.stdout.strip().splitlines()[-1])
                    ours = figures["seconds"] - figures["waiting_for_store"]
                    print(
                        f"{name:8} {figures['orders']:>7} orders  {figures['seconds']:6.1f} s in all, "
                        f"{figures['waiting_for_store']:.1f} s of it waiting for the store's bulk run: "
                        f"{figures['orders'] / ours:6.0f} orders/s of our own work  "
                        f"peak RSS {figures['peak_rss_mb']:.0f} MB  "
                        f"bestsellers query {figures['bestsellers_ms']:.1f} ms",
                        flush=True,
                    )
            finally:
                sandbox.terminate()
                sandbox.wait(10)
    finally:
        if postgres is not None:
            postgres.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child-sandbox"]:
        serve_sandbox(int(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1:2] == ["--child-import"]:
        run_import(sys.argv[2], sys.argv[3])
    else:
        main()
