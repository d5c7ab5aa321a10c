"""The worker process: APScheduler drives `tick`, which does all background work.

The truth lives in the database (jobs, planned sends with leases), so a missed,
late or repeated tick does no harm; APScheduler is only the metronome.
"""

import fcntl
import logging
import signal
from contextlib import contextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from app import clock, jobs
from app.automations import engine
from app.extensions import db
from app.webhooks import inbox

log = logging.getLogger(__name__)


def tick() -> dict:
    """One pass: every webhook received before it began, then background jobs (imports, token
    refresh), then sends that are due."""
    with serialised():
        began = clock.now()
        summary = {"webhooks": inbox.drain(began)}
        summary["jobs"] = jobs.run_due()
        summary.update(engine.run_once())
        db.session.remove()
    return summary


@contextmanager
def serialised():
    """On SQLite, one tick at a time across processes: a lock file beside the database (the second
    waits). SQLite has no row locks to skip, and the per-address lock of the caps is PostgreSQL's;
    PostgreSQL keeps its parallel workers."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    with open(url.database + ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def guarded_tick(app) -> None:
    """One tick in its own app context; a failure is logged and the next tick comes anyway."""
    with app.app_context():
        try:
            log.info("tick %s", tick())
        except Exception:  # noqa: BLE001 - one bad pass must not kill the worker
            log.exception("tick failed")
            db.session.rollback()


def run_forever(seconds: int | None = None) -> None:
    app = current_app._get_current_object()
    interval = seconds or app.config["TICK_SECONDS"]
    scheduler = BlockingScheduler(timezone="UTC")

    # coalesce: after a pause (laptop sleep, long tick) run one catch-up tick, not a burst.
    # max_instances=1: ticks never overlap inside a process (other processes are safe via leases).
    # misfire_grace_time=None: a late tick still runs; being late is harmless, skipping is not.
    scheduler.add_job(
        guarded_tick,
        "interval",
        args=(app,),
        seconds=interval,
        id="tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=_now_utc(),
    )
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("worker started, ticking every %ss", interval)
    scheduler.start()


def _now_utc():
    return datetime.now(UTC)
