"""Benchmark: a worker killed (SIGKILL) holding claimed emails; how long until they go out again.

    .venv/bin/python bench/recovery.py [--sends 50] [--tick 1]

Starts a throwaway PostgreSQL (tests/support/postgres.py) and a local SMTP sink, plans `--sends`
abandoned-cart emails, lets a worker process claim them all and SIGKILLs it before it sends one.
A surviving worker then ticks every `--tick` seconds of real time; printed: seconds from the kill
until every claimed email was sent (target: at most 60), and how many went (each exactly once).
"""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path[0] = ROOT  # the project root, not bench/ (whose queue.py would hide the standard library's)

import argparse  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

from bench.queue import _add_due_checkouts, _app, _shop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=50)
    parser.add_argument("--tick", type=float, default=1.0)
    parser.add_argument("--child", nargs=1)
    args = parser.parse_args()
    if args.child:
        return claim_and_hang(args.child[0], args.sends)

    from tests.support.postgres import PostgresServer
    from tests.support.smtp import SMTPServer

    server, sink = PostgresServer(), SMTPServer()
    try:
        url = server.create_database("bench_recovery")
        app = _app(url)
        app.config["MAIL_URL"] = sink.url
        with app.app_context():
            from app import clock
            from app.automations import engine, planning
            from app.extensions import db

            db.create_all()
            shop = _shop(db)
            _add_due_checkouts(db, shop, args.sends, clock.now(), "kill")
            planning.plan(clock.now())
            worker = subprocess.Popen(
                [sys.executable, __file__, "--child", url, "--sends", str(args.sends)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert worker.stdout.readline().strip() == "claimed"
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed = time.monotonic()
            sent = 0
            while sent < args.sends and time.monotonic() - killed < 300:
                sent += engine.run_once().get("sent", 0)
                time.sleep(args.tick)  # the surviving worker's tick interval, not a wait for a result
            elapsed = time.monotonic() - killed
    finally:
        sink.stop()
        server.stop()
    print(f"SIGKILL with {args.sends} claimed -> all sent again after {elapsed:.1f} s (target <= 60 s)")
    print(f"emails sent: {sent}, received by the sink: {len(sink.inbox.messages)}")


def claim_and_hang(url: str, count: int) -> None:
    """The worker that dies: it claims the batch, says so, and waits to be killed."""
    app = _app(url)
    with app.app_context():
        from app import clock
        from app.automations import queue

        claimed = queue.claim(clock.now(), count, queue.claim_token())
        assert len(claimed) == count, len(claimed)
        print("claimed", flush=True)
        time.sleep(timedelta(hours=1).total_seconds())


if __name__ == "__main__":
    main()
