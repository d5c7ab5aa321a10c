"""The worker's schedule in one place.

APScheduler drives one job only, the worker's tick (every TICK_SECONDS, `app.worker`). Everything
else periodic is a durable job per shop (`app.jobs`), and here is the list of them: each kind, its
interval and its handler. A handler of a periodic job answers `jobs.AGAIN` to run again one interval
later (or None to stop, e.g. for an uninstalled shop); nobody else states the interval.

Importing this module binds every job handler (the worker's and the app's: a request may queue a
job). Jobs that run once (an install's import, a test email...) have their handlers imported below
without an entry.
"""

from datetime import timedelta

from app import jobs
from app.answers import jobs as answer_jobs  # noqa: F401 - binds write_birthday (runs once)
from app.customers import jobs as customer_jobs  # noqa: F401 - binds rebuild_order_days (runs once)
from app.history import jobs as history_jobs
from app.jobs import Periodic, kinds
from app.mail import jobs as mail_jobs
from app.marketing import jobs as marketing_jobs  # noqa: F401 - report_marketing: 01:00 shop time, its own clock
from app.predictions import jobs as prediction_jobs
from app.settings import jobs as settings_jobs  # noqa: F401 - binds send_test (runs once)
from app.shops import jobs as shop_jobs
from app.webhooks import jobs as webhook_jobs

PERIODIC = (
    Periodic(
        kinds.RECONCILE,
        timedelta(hours=1),
        history_jobs.reconcile,
        "re-read what changed in the store since the last pass: heals missed webhooks; keeps the sweep and the fit going",
    ),
    Periodic(
        kinds.SWEEP_RECEIPTS,
        timedelta(hours=1),
        webhook_jobs.sweep_receipts,
        "forget webhook receipts older than 48 hours",
    ),
    Periodic(
        kinds.ATTRIBUTION,
        timedelta(hours=1),
        mail_jobs.attribute,
        "credit orders to emails; stops while no click or code can still credit one",
    ),
    Periodic(
        kinds.FIT_PURCHASE_MODEL,
        timedelta(days=1),
        prediction_jobs.fit_purchase_model,
        "refit the purchase model behind the figures and segments",
    ),
    Periodic(
        kinds.REFRESH_TOKEN,
        timedelta(hours=1),
        shop_jobs.refresh_token,
        "refresh the store token ahead of its expiry (then at expiry less REFRESH_AHEAD; hourly if unknown)",
    ),
)

jobs.periodic(PERIODIC)
