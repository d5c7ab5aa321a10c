"""One small handler per webhook topic, named after it: `handler(shop, payload, delivery)`.

Handlers of IMMEDIATE topics run in the request's transaction; the others run in the worker
when it drains the inbox (webhooks.inbox). Either way they run once per delivery and touch a
few rows; anything that must call the store is queued as a job. They are safe on stale or
replayed data: every write keeps the newest `updated_at`, so arrival order does not matter.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from app import clock, jobs
from app.customers import consent, data_requests, redaction
from app.customers.checkouts import store_checkout
from app.customers.models import Customer
from app.customers.orders import store_orders
from app.customers.profiles import ensure_customers, store_customers
from app.extensions import db
from app.jobs import kinds
from app.jobs.models import Job
from app.marketing import activities as marketing_activities
from app.marketing import jobs as marketing_jobs
from app.webhooks import parse


@dataclass(frozen=True, slots=True)
class Delivery:
    topic: str
    webhook_id: str | None
    event_id: str | None
    #: X-Shopify-Triggered-At: when the store raised the event (dates statements that carry none).
    triggered_at: datetime | None


# orders/create: a new order; it also closes its checkout and updates the buyer's figures.
def orders_create(shop, payload, delivery):
    store_orders(shop.id, [parse.order(payload)])


# orders/updated: any change (edit, refund, fulfilment); only the newest version is kept.
def orders_updated(shop, payload, delivery):
    store_orders(shop.id, [parse.order(payload)])


# orders/paid: same body as orders/updated; paying changes nothing we keep but is harmless.
def orders_paid(shop, payload, delivery):
    store_orders(shop.id, [parse.order(payload)])


# orders/cancelled: `cancelled_at` set; the order leaves the customer's figures and bestsellers.
def orders_cancelled(shop, payload, delivery):
    store_orders(shop.id, [parse.order(payload)])


# checkouts/create: fires once the buyer entered an email; the abandoned-cart clock starts.
def checkouts_create(shop, payload, delivery):
    store_checkout(shop.id, parse.checkout(payload))


# checkouts/update: cart changes and `completed_at`; the newest snapshot wins.
def checkouts_update(shop, payload, delivery):
    store_checkout(shop.id, parse.checkout(payload))


# customers/create: a new profile (no consent here since 2025-01: that has its own topic).
def customers_create(shop, payload, delivery):
    store_customers(shop.id, [parse.customer(payload)])


# customers/update: profile changes (email, name); newest `updated_at` wins.
def customers_update(shop, payload, delivery):
    store_customers(shop.id, [parse.customer(payload)])


# customers_email_marketing_consent/update: the customer's marketing state; newest statement wins.
def customers_email_marketing_consent_update(shop, payload, delivery):
    customer_id, email, state, stated_at = parse.consent(payload)
    ensure_customers(shop.id, {customer_id: {"email": email}})
    customer = db.session.get(Customer, (shop.id, customer_id))
    # Undated statements are dated by the event itself, so a day-late delivery cannot override newer news.
    at = parse.timestamp(stated_at) or delivery.triggered_at
    consent.apply_statement(customer, state, at)


# app/uninstalled: forget the token at once; nothing more is sent. Compliance topics still come.
def app_uninstalled(shop, payload, delivery):
    shop.forget_tokens()
    shop.uninstalled_at = clock.now()


# app/scopes_update: the merchant granted or revoked an optional scope (e.g. write_customers from
# the settings page); it counts from now on, without a reinstall. Deliveries may come out of
# order, so a job then re-reads the granted scopes from the store, which has the last word.
def app_scopes_update(shop, payload, delivery):
    current = payload.get("current")
    if not isinstance(current, list) or not all(isinstance(s, str) and 0 < len(s) <= 64 for s in current):
        raise parse.BadPayload("current must be a list of scope names")
    shop.scopes = ",".join(current)
    jobs.enqueue(shop.id, kinds.READ_SCOPES, unique_key="scopes")
    if "write_customers" in current:  # write-backs waiting for the scope go at the next tick
        db.session.execute(
            update(Job)
            .where(Job.shop_id == shop.id, Job.kind.in_(WAITING_FOR_WRITE_CUSTOMERS), Job.state == "queued")
            .values(run_at=clock.now())
        )
    if marketing_activities.SCOPE in current:
        marketing_jobs.schedule(shop.id)  # results go to Shopify's Marketing page from now on


# customers/data_request: assemble what we hold on the customer for the merchant.
def customers_data_request(shop, payload, delivery):
    person = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
    request = payload.get("data_request") if isinstance(payload.get("data_request"), dict) else {}
    data_requests.record(shop.id, parse.optional_id(person.get("id")), _email(person.get("email")), request.get("id"))


# customers/redact: delete every row about the customer (and the orders Shopify names). It goes
# through the inbox, so deliveries about them that arrived earlier are applied first, then erased.
def customers_redact(shop, payload, delivery):
    customer_id, email, orders = parse.redaction(payload)
    redaction.redact_customer(shop.id, customer_id, email, orders)


# shop/redact: 48 h after uninstall; delete every row of the shop.
def shop_redact(shop, payload, delivery):
    redaction.redact_shop(shop.id)


def _email(value) -> str | None:
    return value[:320] if isinstance(value, str) else None


#: Jobs that write to the store's customers and wait while write_customers is not granted.
WAITING_FOR_WRITE_CUSTOMERS = (kinds.CONSENT_WRITEBACK.name, kinds.WRITE_BIRTHDAY.name)

TOPICS = {
    "orders/create": orders_create,
    "orders/updated": orders_updated,
    "orders/paid": orders_paid,
    "orders/cancelled": orders_cancelled,
    "checkouts/create": checkouts_create,
    "checkouts/update": checkouts_update,
    "customers/create": customers_create,
    "customers/update": customers_update,
    "customers_email_marketing_consent/update": customers_email_marketing_consent_update,
    "app/uninstalled": app_uninstalled,
    "app/scopes_update": app_scopes_update,
    "customers/data_request": customers_data_request,
    "customers/redact": customers_redact,
    "shop/redact": shop_redact,
}
#: Topics whose bodies are whole orders: the inbox writes a batch of them in one go.
ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/paid", "orders/cancelled"})
CHECKOUT_TOPICS = frozenset({"checkouts/create", "checkouts/update"})
#: Accepted even after uninstall (Shopify sends them then, and the law requires acting on them).
COMPLIANCE = frozenset({"customers/data_request", "customers/redact", "shop/redact"})
#: Applied inside the request: uninstall must stop sending at once, a granted scope count at once; shop/redact deletes the inbox
#: itself; a data request is answered from what is stored. Everything else goes through the inbox.
IMMEDIATE = frozenset({"app/uninstalled", "app/scopes_update", "shop/redact", "customers/data_request"})
#: How the request checks an inbox-bound body before accepting it (the handler parses it again later).
VALIDATE = {
    **dict.fromkeys(ORDER_TOPICS, parse.order),
    **dict.fromkeys(CHECKOUT_TOPICS, parse.checkout),
    "customers/create": parse.customer,
    "customers/update": parse.customer,
    "customers_email_marketing_consent/update": parse.consent,
    "customers/redact": parse.redaction,
}
