"""Job handlers of the history package: "import_history" (at install) and "reconcile" (hourly).

import_history runs three bulk queries in turn (products, customers, then up to
HISTORY_DAYS of orders). The handler never sleeps: while an operation runs it returns the
time to look again, and the worker calls it back. Its state lives in `job.data`:
phase, the operation id, the result URL, `cursor` (lines of the file written), and
`done`/`total` (lines written / lines in the file) for the progress bar.
"""

import contextlib
import time
from datetime import timedelta

from flask import current_app

from app import clock, jobs
from app.customers.orders import derive_all
from app.extensions import db
from app.history import bulk, load, queries
from app.history import reconcile as healing
from app.history.products import refresh_unknown
from app.jobs import kinds
from app.lifecycle import usage
from app.predictions import jobs as fitting
from app.shops.graphql import Client
from app.shops.models import Shop
from app.webhooks.jobs import ensure_sweep

PHASES = ("products", "customers", "orders")
POLL_EVERY = timedelta(seconds=5)
#: Work per call before handing the tick back (sends must not wait for a long import).
TIME_BUDGET = 45.0


def bulk_query(phase: str) -> str:
    if phase == "products":
        return queries.BULK_PRODUCTS
    if phase == "customers":
        return queries.BULK_CUSTOMERS
    since = clock.now() - timedelta(days=current_app.config["HISTORY_DAYS"])
    return queries.BULK_ORDERS % clock.iso(since)


@jobs.handler(kinds.IMPORT_HISTORY)
def import_history(job):
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return None  # uninstalled meanwhile: nothing to import, nobody to email
    state = {"phase": PHASES[0], "operation": None, "url": None, "cursor": 0, "done": 0, "total": 0, **(job.data or {})}
    deadline = time.monotonic() + TIME_BUDGET
    client = Client.for_shop(shop)
    while state["phase"] != "done":
        if state["operation"] is None:
            try:
                state["operation"] = bulk.start(client, bulk_query(state["phase"]))
            except bulk.Busy:
                return _save(job, state, clock.now() + POLL_EVERY)
            _save(job, state)
        if state["url"] is None and state["total"] == 0:
            try:
                finished = bulk.poll(client, state["operation"])
            except bulk.Failed:
                # Start this phase again on the retry (the job layer backs off).
                _save(job, {**state, "operation": None, "cursor": 0, "done": 0})
                raise
            if finished is None:
                return _save(job, state, clock.now() + POLL_EVERY)
            state.update(url=finished.get("url"), total=int(finished.get("objectCount") or 0))
            _save(job, state)
        if state["url"]:
            finished = _load_file(job, state, deadline)
            if not finished:
                return clock.now()  # more to do: continue at the next tick
        if state["phase"] == "orders":
            derive_all(shop.id)  # customer figures and closed checkouts, once for the whole history
            usage.forget(shop.id)  # periods learned from a partial history (a preview meanwhile) go
        next_phase = PHASES[PHASES.index(state["phase"]) + 1] if state["phase"] != PHASES[-1] else "done"
        state.update(phase=next_phase, operation=None, url=None, cursor=0, done=0, total=0)
        _save(job, state)
    fitting.schedule(shop.id)  # the purchase model, on the whole history (then daily)
    return None


def _load_file(job, state: dict, deadline: float) -> bool:
    def checkpoint(cursor: int) -> None:
        state.update(cursor=cursor, done=cursor)
        job.data = dict(state)

    with contextlib.closing(load.lines(state["url"], skip=state["cursor"])) as rows:
        _, finished = load.load(job.shop_id, state["phase"], rows, state["cursor"], checkpoint, deadline)
    return finished


def _save(job, state: dict, again=None):
    job.data = dict(state)
    db.session.commit()
    return again


@jobs.handler(kinds.RECONCILE)
def reconcile(job):
    """Re-read what changed in the store since the last pass, healing missed webhooks."""
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return None
    ensure_sweep(shop.id)
    fitting.schedule(shop.id)  # keeps the daily fit going for shops installed before it existed
    # Heals a delivery whose apply job could not be queued when it arrived (see webhooks.inbox.accept).
    jobs.enqueue(shop.id, kinds.APPLY_WEBHOOKS, unique_key="inbox")
    started = clock.now()
    since = clock.parse_iso(job.data.get("since")) or started - healing.FIRST_LOOK_BACK
    healing.run(Client.for_shop(shop), shop.id, since)
    # Overlap the next window a little: updated_at ties and clock skew must not drop a change.
    job.data = {**job.data, "since": clock.iso(started - healing.OVERLAP), "last_run": clock.iso(started)}
    db.session.commit()
    return jobs.AGAIN


@jobs.handler(kinds.REFRESH_PRODUCTS)
def refresh_products(job):
    """Queued when an order or checkout names a product we have not cached yet."""
    shop = db.session.get(Shop, job.shop_id)
    if shop is not None and shop.installed:
        refresh_unknown(Client.for_shop(shop), shop.id)
    return None
