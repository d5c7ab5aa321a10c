"""Which triggers a step has planned already: one IN query per chunk of candidates.

The lifecycle questions answer for a narrow time window, so their candidates are few; asking
the send plan once for all of them is simpler than threading a NOT EXISTS into every query.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select, union

from app.customers.models import Customer, Order
from app.extensions import db
from app.records.models import Send

CHUNK = 500


def planned_refs(shop_id: int, automation: str, trigger_refs: list[str]) -> set[str]:
    found: set[str] = set()
    for first in range(0, len(trigger_refs), CHUNK):
        chunk = trigger_refs[first : first + CHUNK]
        found.update(
            db.session.scalars(
                select(Send.trigger_ref).where(
                    Send.shop_id == shop_id, Send.automation == automation, Send.trigger_ref.in_(chunk)
                )
            )
        )
    return found


def changed_customers(shop_id: int, since: datetime) -> set[int]:
    """Customers whose row, or one of whose orders, was written since `since` (their facts changed)."""
    rows = select(Customer.id).where(Customer.shop_id == shop_id, Customer.changed_at >= since)
    orders = select(Order.customer_id).where(
        Order.shop_id == shop_id, Order.changed_at >= since, Order.customer_id.is_not(None)
    )
    return set(db.session.scalars(union(rows, orders)))


def by_customer(candidate) -> int | None:
    """The customer a lifecycle candidate (a moment, an anniversary, a birthday) stands on."""
    return candidate.customer_id


def unplanned(window, found: Iterable, ref: Callable, customer: Callable | None = None) -> list[tuple[str, object]]:
    """(trigger ref, candidate) for the candidates in `found` whose `window.step` has no send yet;
    `ref(candidate)` names the trigger.

    `customer(candidate)`: whose facts the candidate stands on. With it, a rescan of the catch-up
    (`window.changed_since`) keeps only candidates whose customer changed since, before asking the
    plan; without it every candidate is asked about (for triggers that move without a write)."""
    if customer is not None and window.changed_since is not None:
        changed = changed_customers(window.shop_id, window.changed_since)
        found = [candidate for candidate in found if customer(candidate) in changed]
    named = [(ref(candidate), candidate) for candidate in found]
    prefix = window.step.name + ":"
    planned = planned_refs(window.shop_id, window.automation, [prefix + name for name, _ in named])
    return [(name, candidate) for name, candidate in named if prefix + name not in planned]
