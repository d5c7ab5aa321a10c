"""The job queue: retries with growing delays, and no work lost to a job finishing as it is asked for."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app import clock, jobs, schedule
from app.extensions import db
from app.jobs import kinds
from app.jobs.models import Job

calls = []
ECHO = jobs.kind("test_echo")
FAIL = jobs.kind("test_fail")
TICKER = jobs.kind("test_ticker")


@jobs.handler(ECHO)
def echo(job):
    calls.append(job.data.get("n"))
    if job.data.get("enqueue_while_running"):
        # Another process asks for the job while this run is under way.
        jobs.enqueue(job.shop_id, ECHO, unique_key="k")
        db.session.commit()
    return None


@jobs.handler(FAIL)
def fail(job):
    raise RuntimeError("store down")


def test_a_job_asked_for_while_running_runs_again(make_shop):
    shop = make_shop()
    calls.clear()
    jobs.enqueue(shop.id, ECHO, unique_key="k", data={"enqueue_while_running": True})
    db.session.commit()
    jobs.run_due()
    job = db.session.scalar(select(Job).where(Job.kind == "test_echo"))
    assert job.state == "queued" and not job.rerun
    job.data = {}
    db.session.commit()
    jobs.run_due()
    db.session.refresh(job)
    assert job.state == "done" and len(calls) == 2


def test_a_failing_job_is_retried_with_growing_delays_then_failed(make_shop):
    shop = make_shop()
    jobs.enqueue(shop.id, FAIL)
    db.session.commit()
    delays = []
    for _ in range(jobs.MAX_ATTEMPTS):
        job = db.session.scalar(select(Job).where(Job.kind == "test_fail"))
        with time_machine.travel(job.run_at + timedelta(seconds=1), tick=False):
            started = clock.now()
            jobs.run_due()
            db.session.refresh(job)
            if job.state == "queued":
                delays.append(job.run_at - started)
    assert job.state == "failed" and "store down" in job.last_error
    assert delays == sorted(delays) and delays[0] < delays[-1]


def test_a_job_asked_for_just_as_it_finishes_runs_again(make_shop):
    """The asker saw "running", the run then finished: the job must be queued, not left done."""
    shop = make_shop()
    job = jobs.enqueue(shop.id, ECHO, unique_key="late", data={"n": 1})
    job.state = "running"
    db.session.commit()
    seen = db.session.scalar(select(Job).where(Job.id == job.id))  # the asker reads "running"...
    assert seen.state == "running"
    with db.engine.begin() as runner:  # ...and the run finishes before the asker writes
        runner.execute(
            Job.__table__.update().where(Job.__table__.c.id == job.id).values(state="done", finished_at=clock.now())
        )

    jobs.enqueue(shop.id, ECHO, unique_key="late")
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Job, (shop.id, job.id)).state == "queued"


@jobs.handler(TICKER)
def ticker(job):
    return jobs.AGAIN


def test_a_periodic_job_runs_again_after_the_interval_of_the_declared_list(make_shop):
    shop = make_shop()
    jobs.periodic([jobs.Periodic(TICKER, timedelta(minutes=42), ticker)])
    job = jobs.enqueue(shop.id, TICKER, unique_key="periodic")
    db.session.commit()
    with time_machine.travel(job.run_at + timedelta(seconds=1), tick=False):
        jobs.run_due()
        db.session.refresh(job)
        assert (job.state, job.run_at) == ("queued", clock.now() + timedelta(minutes=42))


def test_the_declared_list_must_name_the_handler_that_runs_the_kind():
    with pytest.raises(ValueError, match="test_ticker"):
        jobs.periodic([jobs.Periodic(TICKER, timedelta(hours=1), echo)])


def test_jobs_are_queued_by_declared_kind_only(make_shop):
    shop = make_shop()
    with pytest.raises(LookupError, match="undeclared"):
        jobs.enqueue(shop.id, "tset_echo")
    with pytest.raises(ValueError, match="declared twice"):
        jobs.kind("test_echo")


def test_every_declared_kind_has_a_handler_and_every_periodic_one_an_interval():
    assert all(kind.run is not None for kind in jobs.KINDS.values()), [
        name for name, kind in jobs.KINDS.items() if kind.run is None
    ]
    assert {entry.kind for entry in schedule.PERIODIC} == {
        kinds.RECONCILE,
        kinds.SWEEP_RECEIPTS,
        kinds.ATTRIBUTION,
        kinds.FIT_PURCHASE_MODEL,
        kinds.REFRESH_TOKEN,
    }
    assert all(entry.kind.every == entry.every for entry in schedule.PERIODIC)
