"""One shop: its data, the events a buyer or merchant causes, and the webhooks those events send.

Every change happens under the store's lock; webhooks go out after the lock is released, so a
receiver that calls the store back while handling one never waits on it.
"""

from __future__ import annotations

import secrets
from collections import deque
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import payloads
from .models import (
    Address,
    Checkout,
    ConsentChange,
    Customer,
    Fulfillment,
    LineItem,
    Metafield,
    Order,
    Product,
    Variant,
)
from .throttle import Bucket
from .webhooks import COMPLIANCE_TOPICS

#: WebhookSubscriptionTopic enum values and the topic names they deliver under.
TOPICS = {
    "APP_UNINSTALLED": "app/uninstalled",
    "APP_SCOPES_UPDATE": "app/scopes_update",
    "BULK_OPERATIONS_FINISH": "bulk_operations/finish",
    "CARTS_CREATE": "carts/create",
    "CARTS_UPDATE": "carts/update",
    "CHECKOUTS_CREATE": "checkouts/create",
    "CHECKOUTS_DELETE": "checkouts/delete",
    "CHECKOUTS_UPDATE": "checkouts/update",
    "CUSTOMERS_CREATE": "customers/create",
    "CUSTOMERS_DELETE": "customers/delete",
    "CUSTOMERS_UPDATE": "customers/update",
    "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE": "customers_email_marketing_consent/update",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_CREATE": "orders/create",
    "ORDERS_DELETE": "orders/delete",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "ORDERS_PAID": "orders/paid",
    "ORDERS_UPDATED": "orders/updated",
    "PRODUCTS_CREATE": "products/create",
    "PRODUCTS_DELETE": "products/delete",
    "PRODUCTS_UPDATE": "products/update",
    "SHOP_UPDATE": "shop/update",
}


class Shop:
    def __init__(
        self,
        store,
        *,
        id,
        domain,
        name,
        email,
        owner,
        currency,
        money_format,
        locale,
        locales,
        timezone,
        timezone_label,
        address: Address,
        created_at,
    ):
        self.store = store
        self.id, self.domain, self.name, self.email, self.owner = id, domain, name, email, owner
        self.currency, self.money_format, self.locale, self.locales = currency, money_format, locale, locales
        self.timezone, self.timezone_label, self.address, self.created_at = (
            timezone,
            timezone_label,
            address,
            created_at,
        )
        self.tz = ZoneInfo(timezone)
        self.customers: dict[int, Customer] = {}
        self.by_email: dict[str, Customer] = {}
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.orders: dict[int, Order] = {}
        self.checkouts: dict[str, Checkout] = {}
        self.subscriptions: list = []
        self.deliveries: list = []
        self.held: list = []
        self.holding = False
        self.api_calls: deque = deque(maxlen=5000)
        self.discount_codes: list = []
        self.consent_changes: list[ConsentChange] = []
        self.bulk_operations: list = []
        #: The app's external marketing activities by remoteId, each with its engagements by day.
        self.marketing_activities: dict[str, dict] = {}
        self.faults: dict[str, str] = {}
        self.installed_scope: str | None = None  #: what the merchant granted; None when not installed
        self.bucket = Bucket(maximum=2000.0, restore_rate=100.0)
        self.next_order_number = 1001

    # --- formatting and lookups -------------------------------------------------------------
    @property
    def storefront_url(self) -> str:
        return f"{self.store.base_url}/{self.domain}"

    @property
    def shopname(self) -> str:
        return self.domain.removesuffix(".myshopify.com")

    def local(self, dt: datetime | None) -> str | None:
        return dt.astimezone(self.tz).isoformat(timespec="seconds") if dt else None

    @staticmethod
    def utc(dt: datetime) -> str:
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def next_id(self) -> int:
        return self.store.next_id()

    def customer(self, ref) -> Customer:
        """A customer by id, gid, email or the object itself."""
        if isinstance(ref, Customer):
            return ref
        if isinstance(ref, str) and "@" in ref:
            return self.by_email[ref.lower()]
        return self.customers[int(str(ref).rsplit("/", 1)[-1])]

    def product(self, ref) -> Product:
        """A product by id, gid, handle or the object itself."""
        if isinstance(ref, Product):
            return ref
        if isinstance(ref, str) and not ref.rsplit("/", 1)[-1].isdigit():
            return next(p for p in self.products.values() if p.handle == ref)
        return self.products[int(str(ref).rsplit("/", 1)[-1])]

    def _variant(self, ref) -> Variant:
        if isinstance(ref, Variant):
            return ref
        tail = str(ref).rsplit("/", 1)[-1]
        if tail.isdigit() and int(tail) in self.variants:
            return self.variants[int(tail)]
        return self.product(ref).variants[0]

    def _line_items(self, items) -> list[LineItem]:
        """`items` is a list of `(product or variant, quantity)`: handle, id, gid or object."""
        return [LineItem(self.next_id(), self._variant(ref), int(qty)) for ref, qty in items]

    def fault(self, name: str) -> str | None:
        """The fault switched on for `name`; "kind:N" applies N more times, then clears itself."""
        with self.store.lock:
            value = self.faults.get(name)
            if value is None:
                return None
            kind, _, count = value.partition(":")
            if count.isdigit():
                left = int(count) - 1
                if left > 0:
                    self.faults[name] = f"{kind}:{left}"
                else:
                    del self.faults[name]
            return kind

    # --- webhooks -----------------------------------------------------------------------------
    def targets_for(self, topic: str) -> list[tuple]:
        """Where an event of `topic` goes: `(uri, api_version, toml subscription or None)` for each
        subscription of the app's toml (while the app is installed; compliance topics always) and
        each subscription made through the API for this shop."""
        config = self.store.app_config
        targets = []
        if config is not None:
            if self.installed_scope is not None or topic in COMPLIANCE_TOPICS:
                targets += [(s.uri, s.api_version, s) for s in config.subscriptions_for(topic)]
        elif topic in COMPLIANCE_TOPICS:
            targets.append((f"{self.store.app_url}/webhooks/shopify", self.store.api_version, None))
        with self.store.lock:
            targets += [(s.uri, s.api_version, None) for s in self.subscriptions if TOPICS.get(s.topic) == topic]
        return targets

    def addresses_for(self, topic: str) -> list[str]:
        return [uri for uri, _, _ in self.targets_for(topic)]

    def deliver(self, topic: str, payload: dict, duplicate: bool = False, uris: list[str] | None = None):
        """Send one event to every address subscribed to `topic` (twice each when `duplicate`)."""
        return self.store.webhooks.emit(self, topic, payload, uris=uris, duplicate=duplicate)

    def metafield_namespaces(self, topic: str, uri: str) -> list[str]:
        """What an API subscription (`webhookSubscriptionCreate`) of `topic` to `uri` asked for."""
        with self.store.lock:
            for s in self.subscriptions:
                if TOPICS.get(s.topic) == topic and s.uri == uri:
                    return list(s.metafield_namespaces)
        return []

    def deliver_customer(self, topic: str, c: Customer):
        """customers/create or customers/update: each subscription gets the metafields of the
        namespaces it asked for (`metafieldNamespaces`), in a `metafields` list, as Shopify adds them."""

        def shape(payload, wanted):
            with self.store.lock:
                found = [m for (ns, _), m in sorted(c.metafields.items()) if ns in wanted]
            return {**payload, "metafields": [payloads.metafield(self, m, c) for m in found]}

        return self.store.webhooks.emit(self, topic, payloads.customer(self, c), shape=shape)

    def redeliver(self, webhook_id: str):
        """Send a logged delivery again, same body and ids, as Shopify's retries do."""
        d = next(d for d in self.deliveries if d.webhook_id == webhook_id)
        self.store.webhooks.send(d)
        return d

    def hold_webhooks(self):
        """Keep new deliveries back until `release_webhooks` (to make them late or out of order)."""
        self.holding = True

    def release_webhooks(self, reverse: bool = False, order=None):
        """Send held deliveries: oldest first, newest first (`reverse`), or sorted by `order(delivery)`."""
        with self.store.lock:
            held, self.held, self.holding = self.held, [], False
        if order is not None:
            held.sort(key=order)
        elif reverse:
            held.reverse()
        for d in held:
            self.store.webhooks.send(d)
        return held

    # --- customers ----------------------------------------------------------------------------
    def create_customer(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        locale: str | None = None,
        marketing_state: str = "NOT_SUBSCRIBED",
        at: datetime | None = None,
        address: Address | None = None,
        notify: bool = True,
    ) -> Customer:
        """A new customer: customers/create, then customers_email_marketing_consent/update (none if not `notify`)."""
        at = at or self.store.now()
        state = marketing_state.upper()
        with self.store.lock:
            c = Customer(
                self.next_id(),
                email,
                first_name,
                last_name,
                locale or self.locale,
                at,
                at,
                state,
                "SINGLE_OPT_IN" if state == "SUBSCRIBED" else None,
                at,
                address,
            )
            self.add_customer(c)
        if notify:
            self.deliver_customer("customers/create", c)
            self.deliver("customers_email_marketing_consent/update", payloads.consent(c, self))
        return c

    def add_customer(self, c: Customer):
        self.customers[c.id] = c
        if c.email:
            self.by_email[c.email.lower()] = c

    def update_customer(self, customer, at: datetime | None = None, **changes) -> Customer:
        """Change plain fields (first_name, last_name, email, locale, note, phone): customers/update."""
        with self.store.lock:
            c = self.customer(customer)
            for name, value in changes.items():
                setattr(c, name, value)
            c.updated_at = at or self.store.now()
            self.add_customer(c)
        self.deliver_customer("customers/update", c)
        return c

    def set_metafield(self, customer, namespace: str, key: str, value: str, type: str, at: datetime | None = None):
        """Create or change a customer metafield (the admin, or `metafieldsSet`): the customer's
        `updatedAt` moves and customers/update goes out, carrying it for subscriptions that asked."""
        at = at or self.store.now()
        with self.store.lock:
            c = self.customer(customer)
            m = c.metafields.get((namespace, key))
            if m is None:
                m = Metafield(self.next_id(), namespace, key, value, type, "CUSTOMER", at, at)
                c.metafields[(namespace, key)] = m
            elif m.value != value or m.type != type:
                m.value, m.type, m.updated_at = value, type, at
            c.updated_at = max(c.updated_at, at)
        self.deliver_customer("customers/update", c)
        return m

    def set_consent(
        self, customer, state: str, at: datetime | None = None, opt_in_level: str | None = None, source: str = "python"
    ) -> Customer:
        """Change email marketing consent: customers_email_marketing_consent/update."""
        state = state.upper()
        with self.store.lock:
            c = self.customer(customer)
            at = at or self.store.now()
            c.marketing_state = state
            c.opt_in_level = opt_in_level or ("SINGLE_OPT_IN" if state == "SUBSCRIBED" else None)
            c.consent_updated_at = at
            c.updated_at = max(c.updated_at, at)
            self.consent_changes.append(ConsentChange(at, c.id, c.email, state, c.opt_in_level, source))
        self.deliver("customers_email_marketing_consent/update", payloads.consent(c, self))
        return c

    # --- checkouts and orders -----------------------------------------------------------------
    def start_checkout(
        self,
        email: str,
        items,
        accepts_marketing: bool = False,
        locale: str | None = None,
        first_name: str = "",
        last_name: str = "",
        updated_at: datetime | None = None,
        notify: bool = True,
    ) -> Checkout:
        """A buyer enters an email at checkout: checkouts/create, then checkouts/update with the address.

        An unknown email becomes a customer (customers/create), as Shopify does. `notify=False` sends
        none of these webhooks: the checkout is only in the store, as if the app had missed them.
        """
        at = updated_at or self.store.now()
        with self.store.lock:
            known = self.by_email.get(email.lower())
        customer = known or self.create_customer(
            email, first_name, last_name, locale, at=at, address=self._address(first_name, last_name), notify=notify
        )
        with self.store.lock:
            token = secrets.token_hex(16)
            c = Checkout(
                token,
                secrets.token_hex(16),
                secrets.token_hex(16),
                email,
                customer,
                self._line_items(items),
                at,
                at,
                self.currency,
                locale or customer.locale,
                accepts_marketing,
            )
            self.checkouts[token] = c
        if notify:
            self.deliver("checkouts/create", payloads.checkout(self, c))
        with self.store.lock:
            c.address = customer.address or self._address(first_name, last_name)
        if notify:
            self.deliver("checkouts/update", payloads.checkout(self, c))
        return c

    def _address(self, first_name: str, last_name: str) -> Address:
        a = self.address
        return Address(
            first_name, last_name, a.address1, a.city, a.province, a.province_code, a.zip, a.country, a.country_code
        )

    def update_checkout(
        self, token: str, at: datetime | None = None, items=None, notify: bool = True, **changes
    ) -> Checkout:
        """Change a checkout (email, buyer_accepts_marketing, customer_locale, items): checkouts/update.

        `notify=False` changes it without the webhook, as if the app had missed it.
        """
        with self.store.lock:
            c = self.checkouts[token]
            for name, value in changes.items():
                setattr(c, name, value)
            if items is not None:
                c.line_items = self._line_items(items)
            c.updated_at = at or self.store.now()
        if notify:
            self.deliver("checkouts/update", payloads.checkout(self, c))
        return c

    def complete_checkout(self, token: str, at: datetime | None = None, notify: bool = True) -> Order:
        """Pay a checkout: orders/create and orders/paid, then checkouts/update with `completed_at`.

        `notify=False` sends none of them, as if the app had missed them.
        """
        at = at or self.store.now()
        c = self.checkouts[token]
        order = self.place_order(
            customer=c.customer,
            items=[(li.variant, li.quantity) for li in c.line_items],
            created_at=at,
            checkout_token=token,
            accepts_marketing=c.buyer_accepts_marketing,
            locale=c.customer_locale,
            email=c.email,
            notify=notify,
        )
        with self.store.lock:
            c.completed_at, c.updated_at, c.order = at, at, order
        if notify:
            self.deliver("checkouts/update", payloads.checkout(self, c))
        if c.buyer_accepts_marketing and c.customer is not None and c.customer.marketing_state != "SUBSCRIBED":
            # Ticking "email me" subscribes the customer, stamped with the order's own second: the
            # same second the customer record may also carry from being created by this checkout.
            if notify:
                self.set_consent(c.customer, "SUBSCRIBED", at=at, opt_in_level="SINGLE_OPT_IN", source="checkout")
            else:
                with self.store.lock:
                    self._stamp_consent(c.customer, at)
        return order

    def _stamp_consent(self, c: Customer, at: datetime):
        c.marketing_state, c.opt_in_level, c.consent_updated_at = "SUBSCRIBED", "SINGLE_OPT_IN", at
        c.updated_at = max(c.updated_at, at)
        self.consent_changes.append(ConsentChange(at, c.id, c.email, "SUBSCRIBED", "SINGLE_OPT_IN", "checkout"))

    def place_order(
        self,
        customer,
        items,
        created_at: datetime | None = None,
        checkout_token: str | None = None,
        discount_codes=(),
        accepts_marketing: bool = False,
        locale: str | None = None,
        email: str | None = None,
        financial_status: str = "PAID",
        notify: bool = True,
    ) -> Order:
        """An order: orders/create, and orders/paid when paid (neither if not `notify`).

        `customer` is an id, email or object.
        """
        at = created_at or self.store.now()
        with self.store.lock:
            c = self.customer(customer) if customer is not None else None
            o = self.add_order(
                c,
                self._line_items(items),
                at,
                checkout_token=checkout_token,
                discount_codes=list(discount_codes),
                locale=locale,
                email=email,
                accepts_marketing=accepts_marketing,
                financial_status=financial_status,
            )
        if notify:
            self.deliver("orders/create", payloads.order(self, o))
        if notify and o.financial_status == "PAID":
            self.deliver("orders/paid", payloads.order(self, o))
        return o

    def add_order(
        self,
        c: Customer | None,
        line_items,
        at: datetime,
        *,
        checkout_token=None,
        discount_codes=(),
        locale=None,
        email=None,
        accepts_marketing=False,
        financial_status="PAID",
        discount=Decimal(0),
        token=None,
    ) -> Order:
        """Record an order and its effect on the customer, without webhooks (the seed uses this too)."""
        o = Order(
            self.next_id(),
            self.next_order_number,
            email or (c.email if c else None),
            c,
            at,
            at,
            self.currency,
            line_items,
            token or secrets.token_hex(16),
            checkout_token,
            locale or (c.locale if c else self.locale),
            accepts_marketing,
            financial_status,
            discount_codes=list(discount_codes),
            discount=discount,
        )
        self.next_order_number += 1
        self.orders[o.id] = o
        if c is not None:
            c.orders.append(o)
            c.amount_spent += o.total
            c.updated_at = max(c.updated_at, at)
        return o

    def update_order(self, order, at: datetime | None = None, **changes) -> Order:
        """Change an order's plain fields (financial_status, closed_at, email...): orders/updated."""
        with self.store.lock:
            o = order if isinstance(order, Order) else self.orders[int(str(order).rsplit("/", 1)[-1])]
            for name, value in changes.items():
                setattr(o, name, value)
            o.updated_at = at or self.store.now()
        self.deliver("orders/updated", payloads.order(self, o))
        return o

    def mark_paid(self, order, at: datetime | None = None) -> Order:
        """Payment arrives later (cash on delivery, bank transfer): orders/paid, then orders/updated."""
        at = at or self.store.now()
        with self.store.lock:
            o = order if isinstance(order, Order) else self.orders[int(str(order).rsplit("/", 1)[-1])]
            o.financial_status, o.updated_at = "PAID", at
            if o.customer is not None:
                o.customer.amount_spent += o.total
        self.deliver("orders/paid", payloads.order(self, o))
        self.deliver("orders/updated", payloads.order(self, o))
        return o

    def fulfill_order(self, order, at: datetime | None = None) -> Order:
        """The merchant ships every line: orders/fulfilled (if subscribed), then orders/updated."""
        at = at or self.store.now()
        with self.store.lock:
            o = order if isinstance(order, Order) else self.orders[int(str(order).rsplit("/", 1)[-1])]
            o.fulfillments.append(Fulfillment(self.next_id(), f"{o.name}.{len(o.fulfillments) + 1}", at))
            o.fulfillment_status, o.updated_at = "FULFILLED", at
        self.deliver("orders/fulfilled", payloads.order(self, o))
        self.deliver("orders/updated", payloads.order(self, o))
        return o

    def cancel_order(self, order, at: datetime | None = None, reason: str = "customer") -> Order:
        """Cancel and void an order: orders/cancelled, then orders/updated."""
        at = at or self.store.now()
        with self.store.lock:
            o = order if isinstance(order, Order) else self.orders[int(str(order).rsplit("/", 1)[-1])]
            o.cancelled_at, o.cancel_reason, o.updated_at = at, reason, at
            if o.customer is not None and o.financial_status == "PAID":
                o.customer.amount_spent -= o.total
            o.financial_status = "REFUNDED" if o.financial_status == "PAID" else "VOIDED"
        self.deliver("orders/cancelled", payloads.order(self, o))
        self.deliver("orders/updated", payloads.order(self, o))
        return o

    def update_product(self, product, at: datetime | None = None, inventory: int | None = None, **changes) -> Product:
        """Change a product (title, status, published; `inventory` of its first variant): products/update."""
        with self.store.lock:
            p = self.product(product)
            for name, value in changes.items():
                setattr(p, name, value)
            if inventory is not None:
                p.variants[0].inventory = inventory
            p.updated_at = at or self.store.now()
        self.deliver("products/update", payloads.product(self, p))
        return p

    # --- the merchant -------------------------------------------------------------------------
    def uninstall(self):
        """The merchant removes the app: tokens revoked, app/uninstalled sent, subscriptions dropped."""
        with self.store.lock:
            self.store.revoke(self.domain)
        self.deliver("app/uninstalled", payloads.shop_body(self))
        with self.store.lock:
            self.installed_scope = None  # after the delivery: the toml's subscriptions still carry it
            self.subscriptions.clear()

    def send_compliance(self, topic: str, customer=None):
        """customers/data_request, customers/redact (need `customer`) or shop/redact, to the app's toml URL."""
        if topic not in COMPLIANCE_TOPICS:
            raise ValueError(f"not a compliance topic: {topic}")
        with self.store.lock:
            c = self.customer(customer) if customer is not None else None
            body = payloads.compliance(self, topic, c)
        return self.deliver(topic, body)
