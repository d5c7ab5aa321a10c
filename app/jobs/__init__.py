"""A small durable job queue in the database, driven by the worker's tick.

Handlers are registered by name. A handler gets the job and returns one of:
`None` (done), or a datetime (run again then, e.g. to poll a bulk operation);
it may update `job.data` to keep a resumable cursor. An exception schedules a
retry with a growing delay; after MAX_ATTEMPTS the job is failed for good.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.jobs.models import Job

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Job], datetime | None]] = {}
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)


def handler(kind: str):
    """Register `fn(job)` as the handler of jobs of `kind`."""

    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(
    shop_id: int, kind: str, *, unique_key: str = "", run_at: datetime | None = None, data: dict | None = None
) -> Job:
    """Queue a job unless a live one of that kind and key exists; returns the live job either way."""
    live = db.session.scalar(select(Job).where(Job.shop_id == shop_id, Job.kind == kind, Job.unique_key == unique_key))
    if live is not None:
        if live.state == "running":
            # A plain UPDATE, so it cannot overwrite what the running handler writes; conditional, so
            # a job that finished meanwhile is not left "done" with a rerun nobody will look at.
            asked = db.session.execute(
                update(Job).where(Job.shop_id == shop_id, Job.id == live.id, Job.state == "running").values(rerun=True)
            ).rowcount
            if not asked:
                db.session.refresh(live)
        if live.state in ("done", "failed"):
            live.state, live.attempts, live.last_error, live.finished_at = "queued", 0, None, None
            live.run_at, live.data = run_at or clock.now(), data or {}
        return live
    job = Job(shop_id=shop_id, kind=kind, unique_key=unique_key, run_at=run_at or clock.now(), data=data or {})
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:  # a concurrent enqueue won the race: theirs is the live job
        return db.session.scalar(
            select(Job).where(Job.shop_id == shop_id, Job.kind == kind, Job.unique_key == unique_key)
        )
    return job


def _claim(limit: int) -> list[Job]:
    """Take up to `limit` due jobs in one conditional UPDATE: a job is claimed only while it is
    still queued (or its lease ran out), so two processes never take the same one, on SQLite too."""
    now = clock.now()
    claimable = or_(Job.state == "queued", (Job.state == "running") & (Job.lease_until < now))
    due = select(Job.shop_id, Job.id).where(claimable, Job.run_at <= now).order_by(Job.run_at).limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    jobs = list(
        db.session.scalars(
            update(Job)
            .where(tuple_(Job.shop_id, Job.id).in_(due), claimable)
            .values(state="running", lease_until=now + LEASE, attempts=Job.attempts + 1)
            .returning(Job),
            execution_options={"populate_existing": True},
        )
    )
    db.session.commit()
    return sorted(jobs, key=lambda job: job.run_at)


def run_due(limit: int = 20) -> int:
    """Run the jobs that are due; returns how many ran. Failures are recorded, never raised."""
    jobs = _claim(limit)
    for job in jobs:
        _run(job)
    return len(jobs)


def _run(job: Job) -> None:
    fn = HANDLERS.get(job.kind)
    try:
        if fn is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        again = fn(job)
    except Exception as error:  # noqa: BLE001 - a job's failure must not stop the tick
        db.session.rollback()
        job = db.session.merge(job)
        log.warning("job %s %s failed (attempt %d): %s", job.kind, job.id, job.attempts, error)
        job.last_error = f"{type(error).__name__}: {error}"[:2000]
        if job.attempts >= MAX_ATTEMPTS:
            job.state, job.finished_at = "failed", clock.now()
        else:
            job.state = "queued"
            job.run_at = clock.now() + timedelta(seconds=30 * 2**job.attempts)
        job.lease_until = None
        db.session.commit()
        return
    job.lease_until = None
    if again is not None:
        job.state, job.run_at, job.attempts = "queued", again, 0
    else:
        db.session.flush()
        # Done only if nobody asked for it again meanwhile (checked and set in one statement).
        finished = db.session.execute(
            update(Job)
            .where(Job.shop_id == job.shop_id, Job.id == job.id, Job.rerun.is_(False))
            .values(state="done", finished_at=clock.now())
        ).rowcount
        db.session.expire(job, ["state", "finished_at", "rerun"])
        if not finished:
            job.state, job.run_at, job.attempts, job.rerun = "queued", clock.now(), 0, False
    db.session.commit()


def latest(shop_id: int, kind: str) -> Job | None:
    return db.session.scalar(
        select(Job).where(Job.shop_id == shop_id, Job.kind == kind).order_by(Job.created_at.desc()).limit(1)
    )
