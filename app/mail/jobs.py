"""Work an unsubscribe or a click sets off, done by the worker rather than the web request.

- `consent_writeback`: tell the store the customer unsubscribed
  (`customerEmailMarketingConsentUpdate`), so the merchant's other tools respect it too;
- `optout_confirmation`: the email confirming an opt-out, where the law asks for one
  (Decree 91); sent once per unsubscribe, never marketing;
- `attribution`: credit orders to emails, hourly while clicks or codes are live.
"""

import logging
from datetime import timedelta

from sqlalchemy import select

from app import clock, jobs
from app.customers.consent import suppress, suppression_reason
from app.customers.models import Customer
from app.extensions import db
from app.jobs import kinds
from app.mail import attribution, compliance
from app.mail.compose import compose
from app.mail.events import record
from app.mail.transport import send_now
from app.records.models import Send
from app.shops.graphql import Client, gid
from app.shops.models import Shop

log = logging.getLogger(__name__)

CONSENT_UPDATE = """
mutation Unsubscribe($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field message }
  }
}
"""

CONFIRMATION_SUBJECT = {
    "en": "You're unsubscribed from {{ shop_name }}",
    "vi": "Bạn đã hủy đăng ký nhận email từ {{ shop_name }}",
}

#: The optional scope that lets an unsubscribe reach the store's customer record.
WRITE_CUSTOMERS = "write_customers"
WAIT_FOR_SCOPE = timedelta(days=1)


def unsubscribe(shop: Shop, email: str, send_id: int | None, locale: str) -> None:
    """Stop marketing to `email` now, and queue what follows; a repeated request adds nothing."""
    first_time = suppression_reason(shop.id, email) is None
    suppress(shop.id, email, "unsubscribed")
    if not first_time:
        return
    record(shop.id, send_id, "unsubscribe")
    customer_id = _customer_id(shop.id, email, send_id)
    # Queued even without write_customers: the job waits until the merchant allows it (settings page).
    if shop.installed and customer_id is not None:
        jobs.enqueue(
            shop.id,
            "consent_writeback",
            unique_key=f"consent:{customer_id}",
            data={"customer_id": customer_id, "at": clock.iso(clock.now())},
        )
    if compliance.rules(shop).opt_out_confirmation:
        jobs.enqueue(
            shop.id, "optout_confirmation", unique_key=f"optout:{email}"[:100], data={"email": email, "locale": locale}
        )


def schedule_attribution(shop_id: int) -> None:
    jobs.enqueue(shop_id, kinds.ATTRIBUTION, unique_key="periodic", run_at=kinds.ATTRIBUTION.next_run())


@jobs.handler(kinds.CONSENT_WRITEBACK)
def write_back_consent(job):
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return None
    if WRITE_CUSTOMERS not in (shop.scopes or "").split(","):
        # Kept in Comeback until the merchant grants the optional scope; app/scopes_update wakes the job.
        return clock.now() + WAIT_FOR_SCOPE
    Client.for_shop(shop).mutate(
        CONSENT_UPDATE,
        {
            "input": {
                "customerId": gid("Customer", job.data["customer_id"]),
                "emailMarketingConsent": {"marketingState": "UNSUBSCRIBED", "consentUpdatedAt": job.data["at"]},
            }
        },
        "customerEmailMarketingConsentUpdate",
    )
    return None


@jobs.handler(kinds.OPTOUT_CONFIRMATION)
def send_optout_confirmation(job):
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or shop.uninstalled_at is not None:
        return None
    email = job.data["email"]
    # Not a planned send: nothing to record in `sends`, and no link in it tracks anything.
    send = Send(shop_id=shop.id, automation="optout_confirmation", recipient=email, locale=job.data.get("locale"))
    message = compose(
        shop, send, template="unsubscribed", context={"email": email}, subject=CONFIRMATION_SUBJECT, marketing=False
    )
    delivery = send_now(message)
    db.session.commit()
    if delivery.status == "temporary":
        raise RuntimeError(f"opt-out confirmation not sent yet: {delivery.detail}")
    if delivery.status != "sent":
        log.warning("opt-out confirmation to shop %s: %s", shop.id, delivery.detail)
    return None


@jobs.handler(kinds.ATTRIBUTION)
def attribute(job):
    shop = db.session.get(Shop, job.shop_id)
    if shop is None:
        return None
    attribution.attribute_pending(shop.id)
    return jobs.AGAIN if attribution.recent_activity(shop) else None


def _customer_id(shop_id: int, email: str, send_id: int | None) -> int | None:
    if send_id is not None:
        send = db.session.get(Send, (shop_id, send_id))
        if send is not None and send.customer_id is not None:
            return send.customer_id
    return db.session.scalar(select(Customer.id).where(Customer.shop_id == shop_id, Customer.email == email).limit(1))
