"""The worker process (Procfile `worker:`): ticks on its own, and stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.jobs import kinds
from app.jobs.models import Job
from tests.conftest import API_KEY, API_SECRET, SECRET_KEY

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_worker_ticks_by_itself_and_stops_on_sigterm(app, make_shop, database_url):
    shop = make_shop()
    # A real job that simply finishes (the shop's token does not expire): the worker must run it unasked.
    jobs.enqueue(shop.id, kinds.REFRESH_TOKEN)
    db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": API_SECRET,
        "TICK_SECONDS": "1",
        "MAIL_URL": app.config["MAIL_URL"],
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        state = None
        while time.monotonic() < deadline:
            db.session.expire_all()
            state = db.session.scalar(select(Job.state).where(Job.kind == "refresh_token"))
            if state not in ("queued", "running"):  # caught mid-run is not an answer yet
                break
            time.sleep(0.2)  # polling a real process, not waiting for a schedule
        assert state == "done", "the worker did not run a due job"
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output.decode()[-2000:]
