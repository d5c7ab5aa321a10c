"""`make demo`: from the sandbox store's seeded history, each lifecycle automation has an email to
send as soon as it is switched on."""

from collections import Counter

from app import clock as app_clock
from app.automations import settings
from app.automations.engine import run_once
from app.customers.models import Customer
from app.extensions import db
from app.lifecycle import usage
from app.records.models import Send

KEYS = ("welcome", "repeat_purchase", "replenishment", "birthday", "anniversary", "loyalty")


def test_switching_each_on_sends_from_the_seeded_history(shop, run_import, smtp):
    # The settings page previews replenishment while the history is still importing (the demo
    # does exactly that): what was learned from no orders must not outlive the import.
    assert usage.learned_today(shop.id, app_clock.now().date()) == {}
    run_import()
    for key in KEYS:
        settings.update(shop, key, {"enabled": True})
    now = app_clock.now()
    run_once(now)
    sent = Counter(db.session.scalars(db.select(Send.automation).where(Send.state == "sent")))
    assert all(sent[key] for key in KEYS), sent
    assert len(smtp.inbox.messages) == sum(sent.values())
    # Every moment the sandbox added for the demo is one the app can see: an anniversary
    # customer's first order lies inside the imported history.
    moments = set(db.session.scalars(db.select(Customer.email).where(Customer.email.like("%.year%@example.com"))))
    celebrated = db.select(Send.recipient).where(Send.automation == "anniversary", Send.state == "sent")
    assert moments and moments <= set(db.session.scalars(celebrated))
