"""A small durable job queue in the database, driven by the worker's tick.

Every kind of job is a `Kind`, declared once in `app.jobs.kinds` (its name is what the
database stores); code queues and handles jobs through that object, never by a string, and
`@jobs.handler(KIND)` binds the function that runs it. A handler gets the job and returns one of:
`None` (done), a datetime (run again then, e.g. to poll a bulk operation), or `AGAIN` (run again
after the kind's interval, declared in the list of periodic jobs, `app.schedule`); it may update
`job.data` to keep a resumable cursor. An exception schedules a retry with a growing delay; after
MAX_ATTEMPTS the job is failed for good.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.jobs.models import Job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)


class _Again:
    def __repr__(self) -> str:
        return "AGAIN"


#: A handler's answer "run me again after my declared interval" (periodic jobs, `app.schedule`).
AGAIN = _Again()


@dataclass(eq=False)
class Kind:
    """A kind of job: its stored name, the function that runs it, and for a periodic job its interval."""

    name: str
    run: Callable[[Job], "datetime | _Again | None"] | None = None
    #: Set by the list of periodic jobs (`periodic`); None for a job that runs once.
    every: timedelta | None = None

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"

    def next_run(self) -> datetime:
        """When a periodic job of this kind first runs after being started (one interval from now)."""
        if self.every is None:
            raise LookupError(f"{self.name} is not in the list of periodic jobs")
        return clock.now() + self.every


#: Every declared kind by its stored name.
KINDS: dict[str, Kind] = {}


def kind(name: str) -> Kind:
    """Declare a kind of job (once: two declarations of one name would share the database's rows)."""
    if name in KINDS:
        raise ValueError(f"job kind {name!r} is declared twice")
    KINDS[name] = declared = Kind(name)
    return declared


def handler(of: "Kind | str"):
    """`@jobs.handler(KIND)`: `fn(job)` runs the jobs of that kind."""
    of = _declared(of)

    def register(fn):
        if of.run is not None and of.run is not fn:
            raise ValueError(f"job kind {of.name!r} has two handlers")
        of.run = fn
        return fn

    return register


@dataclass(frozen=True)
class Periodic:
    """An entry of the list of periodic jobs: the kind, how often it runs, and its handler."""

    kind: Kind
    every: timedelta
    handler: Callable
    why: str = ""


def periodic(entries) -> None:
    """Take the list of periodic jobs (`app.schedule.PERIODIC`): each kind learns its interval, and
    the list must name the handler that really runs it (a stale list fails at start, not at 3 am)."""
    for entry in entries:
        if entry.kind.run is not entry.handler:
            raise ValueError(f"{entry.kind.name}: the periodic list names a handler that does not run it")
        entry.kind.every = entry.every


def _declared(of: "Kind | str") -> Kind:
    """The Kind for `of`; a plain name is accepted only when declared (code of older branches)."""
    if isinstance(of, Kind):
        return of
    try:
        return KINDS[of]
    except KeyError:
        raise LookupError(f"undeclared job kind {of!r}") from None


def enqueue(
    shop_id: int, of: "Kind | str", *, unique_key: str = "", run_at: datetime | None = None, data: dict | None = None
) -> Job:
    """Queue a job unless a live one of that kind and key exists; returns the live job either way."""
    kind = _declared(of).name
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
    declared = KINDS.get(job.kind)
    try:
        if declared is None or declared.run is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        again = declared.run(job)
        if again is AGAIN:
            if declared.every is None:
                raise LookupError(f"{job.kind} asked to run again but is not in the list of periodic jobs")
            again = clock.now() + declared.every
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


def latest(shop_id: int, of: "Kind | str") -> Job | None:
    kind = _declared(of).name
    return db.session.scalar(
        select(Job).where(Job.shop_id == shop_id, Job.kind == kind).order_by(Job.created_at.desc()).limit(1)
    )
