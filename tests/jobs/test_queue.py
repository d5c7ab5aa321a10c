"""The job queue: retries with growing delays, and no work lost to a job finishing as it is asked for."""

from datetime import timedelta

import time_machine
from sqlalchemy import select

from app import clock, jobs
from app.extensions import db
from app.jobs.models import Job

calls = []


@jobs.handler("test_echo")
def echo(job):
    calls.append(job.data.get("n"))
    if job.data.get("enqueue_while_running"):
        # Another process asks for the job while this run is under way.
        jobs.enqueue(job.shop_id, "test_echo", unique_key="k")
        db.session.commit()
    return None


@jobs.handler("test_fail")
def fail(job):
    raise RuntimeError("store down")


def test_a_job_asked_for_while_running_runs_again(make_shop):
    shop = make_shop()
    calls.clear()
    jobs.enqueue(shop.id, "test_echo", unique_key="k", data={"enqueue_while_running": True})
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
    jobs.enqueue(shop.id, "test_fail")
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
    job = jobs.enqueue(shop.id, "test_echo", unique_key="late", data={"n": 1})
    job.state = "running"
    db.session.commit()
    seen = db.session.scalar(select(Job).where(Job.id == job.id))  # the asker reads "running"...
    assert seen.state == "running"
    with db.engine.begin() as runner:  # ...and the run finishes before the asker writes
        runner.execute(
            Job.__table__.update().where(Job.__table__.c.id == job.id).values(state="done", finished_at=clock.now())
        )

    jobs.enqueue(shop.id, "test_echo", unique_key="late")
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Job, (shop.id, job.id)).state == "queued"
