"""Who may receive marketing email, and how opt-outs are recorded.

Consent is a series of dated statements (the consent webhook, `buyer_accepts_marketing`
on checkouts and orders, the import); the newest statement wins. Suppressions are
stronger than any statement: bounced and redacted addresses never get marketing
again, and an unsubscribe from our link is lifted only by a newer explicit opt-in.
A redacted address is remembered only as a keyed hash, so redaction keeps no address.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app import clock
from app.customers.models import Customer, Suppression
from app.extensions import db
from app.security import hmac_sha256

SUBSCRIBED = "subscribed"
#: The absence of an opt-in, not an act: in a same-second tie an explicit opt-in (the checkout's
#: tick box) beats it, since the customer record created by that very checkout says it too.
NOT_SUBSCRIBED = "not_subscribed"
HARD_SUPPRESSIONS = ("bounced", "redacted", "complained")


def normalise_email(address: str | None) -> str | None:
    address = (address or "").strip().lower()
    return address if "@" in address else None


def apply_statement(customer: Customer, state: str, at: datetime | None) -> bool:
    """Record a consent statement if it is newer than what we hold; returns whether it applied."""
    state = (state or "").lower()
    if not state:
        return False
    if customer.consent_at is not None and at is not None and at < customer.consent_at:
        return False
    if at is not None and at == customer.consent_at and state == NOT_SUBSCRIBED:
        if customer.consent_state == SUBSCRIBED:
            return False
    customer.consent_state = state
    customer.consent_at = at or clock.now()
    if state == SUBSCRIBED and customer.email:
        lifted = db.session.get(Suppression, (customer.shop_id, customer.email))
        if lifted is not None and lifted.reason == "unsubscribed" and (at is None or at > lifted.created_at):
            db.session.delete(lifted)
    return True


def redacted_key(shop_id: int, email: str) -> str:
    """What a redacted address is stored as: a hash keyed with SECRET_KEY, useless without it."""
    digest = hmac_sha256(current_app.config["SECRET_KEY"], f"redacted:{shop_id}:{email}".encode()).hex()
    return f"redacted:{digest}"


def suppress(shop_id: int, email: str, reason: str) -> None:
    """Stop all marketing to `email` in this shop, at once (unsubscribed, bounced, redacted, complained)."""
    email = normalise_email(email)
    if email is None:
        return
    if reason == "redacted":
        key = redacted_key(shop_id, email)
        if db.session.get(Suppression, (shop_id, key)) is None:
            db.session.add(Suppression(shop_id=shop_id, email=key, reason=reason, created_at=clock.now()))
        return
    row = db.session.get(Suppression, (shop_id, email))
    if row is None:
        db.session.add(Suppression(shop_id=shop_id, email=email, reason=reason, created_at=clock.now()))
    elif row.reason not in HARD_SUPPRESSIONS:
        row.reason, row.created_at = reason, clock.now()
    if reason == "unsubscribed":  # an opt-out is also a consent statement; a bounce is not
        for customer in db.session.scalars(
            select(Customer).where(Customer.shop_id == shop_id, Customer.email == email)
        ):
            customer.consent_state, customer.consent_at = "unsubscribed", clock.now()


def suppression_reason(shop_id: int, email: str) -> str | None:
    email = normalise_email(email) or ""
    row = db.session.get(Suppression, (shop_id, email)) or db.session.get(
        Suppression, (shop_id, redacted_key(shop_id, email))
    )
    return row.reason if row else None


def marketing_allowed(
    shop_id: int,
    email: str | None,
    *,
    customer: Customer | None = None,
    accepted_at_checkout: tuple[bool, datetime] | None = None,
) -> tuple[bool, str | None]:
    """(allowed, reason if not). `accepted_at_checkout` is (buyer_accepts_marketing, when stated)."""
    email = normalise_email(email)
    if email is None:
        return False, "no_email"
    reason = suppression_reason(shop_id, email)
    if reason:
        return False, reason
    if customer is None:
        customer = db.session.scalar(
            select(Customer)
            .where(Customer.shop_id == shop_id, Customer.email == email)
            .order_by(Customer.consent_at.desc())
            .limit(1)
        )
    # (when, weight in a same-second tie, allowed): an opt-in outweighs "not subscribed", an
    # explicit opt-out (unsubscribed, invalid, ...) outweighs an opt-in.
    statements = []
    if customer is not None:
        state = customer.consent_state
        weight = 0 if state == NOT_SUBSCRIBED else 1 if state == SUBSCRIBED else 2
        statements.append((customer.consent_at or datetime.min, weight, state == SUBSCRIBED))
    if accepted_at_checkout is not None:
        accepted, at = accepted_at_checkout
        # Ticking the box is an opt-in; leaving it unticked is not an opt-out of an earlier opt-in.
        if accepted:
            statements.append((at, 1, True))
    if not statements:
        return False, "no_consent"
    return (True, None) if max(statements, key=lambda s: s[:2])[2] else (False, "no_consent")
