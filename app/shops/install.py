"""What happens once the merchant approves: token exchange, then the shop is set up.

The checks (signature, state, scopes, token endpoint) come first and store nothing
when they fail. Setting up (webhooks, shop profile) talks to the store again; if
the store stumbles there, the install still stands and a job retries the set-up.
"""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app import clock, jobs
from app.customers import days
from app.extensions import db
from app.jobs import kinds
from app.shops import app_config
from app.shops.grants import TOKEN_EXCHANGE, Grant, InstallError, token_request
from app.shops.graphql import Client, GraphQLError, UserErrors, numeric_id
from app.shops.models import Shop
from app.text import clean

log = logging.getLogger(__name__)

#: Topics the app needs, each taken by the handler of the same name in app/webhooks/handlers.py.
#: shopify.app.toml declares them (Shopify then delivers them for every install); one the toml
#: does not declare is subscribed per shop at install. Compliance topics come only from the toml.
NEEDED_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "checkouts/create",
    "checkouts/update",
    "customers/create",
    "customers/update",
    "customers_email_marketing_consent/update",
    "app/uninstalled",
    "app/scopes_update",
)

#: The worker refreshes an idle shop's token this long before it expires (see shops.jobs).
REFRESH_AHEAD = timedelta(minutes=10)

#: A language per country for shops whose locales we may not read (`read_locales` is optional).
COUNTRY_LOCALES = {"VN": "vi"}


def exchange_code(shop_domain: str, code: str) -> Grant:
    if not code:
        raise InstallError("The install link has no authorization code.")
    grant = token_request(shop_domain, {"code": code, "expiring": 1})
    missing = missing_scopes(current_app.config["SHOPIFY_SCOPES"], grant.scopes)
    if missing:
        raise InstallError(
            "Comeback needs these permissions to work: " + ", ".join(missing) + ". Please install again and keep them."
        )
    return grant


def exchange_session_token(shop_domain: str, session_token: str) -> Grant:
    """Shopify-managed installation: trade the admin's session token for an expiring offline token.

    Shopify installed the app with the toml's scopes before opening it, so a grant that lacks
    one means the configuration and the app disagree; that is refused like a code grant's."""
    grant = token_request(shop_domain, {**TOKEN_EXCHANGE, "subject_token": session_token})
    missing = missing_scopes(current_app.config["SHOPIFY_SCOPES"], grant.scopes)
    if missing:
        raise InstallError("Comeback needs these permissions to work: " + ", ".join(missing) + ".")
    return grant


def missing_scopes(requested: list[str], granted: list[str]) -> list[str]:
    """Requested scopes the grant lacks; `write_x` implies `read_x`, as Shopify reports it."""
    have = set(granted) | {"read_" + s[len("write_") :] for s in granted if s.startswith("write_")}
    return [scope for scope in requested if scope not in have]


def complete(shop_domain: str, grant: Grant) -> Shop:
    """Store the token (a reinstall replaces it and keeps every setting), then set the shop up."""
    shop = db.session.scalar(select(Shop).where(Shop.domain == shop_domain))
    if shop is None:
        shop = Shop(domain=shop_domain, settings={})
        db.session.add(shop)
    shop.set_tokens(grant.access_token, grant.refresh_token, grant.expires_at, grant.refresh_expires_at)
    shop.scopes = ",".join(grant.scopes)
    shop.installed_at, shop.uninstalled_at = clock.now(), None
    db.session.commit()
    try:
        set_up(shop)
    except GraphQLError as error:
        db.session.rollback()
        log.warning("%s: set-up after install failed, retrying in the worker: %s", shop_domain, error)
        jobs.enqueue(shop.id, kinds.FINISH_INSTALL, unique_key="install", run_at=clock.now() + timedelta(seconds=30))
    jobs.enqueue(shop.id, kinds.IMPORT_HISTORY, unique_key="install")
    jobs.enqueue(shop.id, kinds.RECONCILE, unique_key="periodic", run_at=kinds.RECONCILE.next_run())
    if "write_marketing_events" in grant.scopes:  # granted before and kept across a reinstall
        jobs.enqueue(shop.id, kinds.REPORT_MARKETING, unique_key="daily")  # app/marketing/jobs.py
    if shop.token_expires_at:
        jobs.enqueue(shop.id, kinds.REFRESH_TOKEN, unique_key="periodic", run_at=shop.token_expires_at - REFRESH_AHEAD)
    db.session.commit()
    return shop


def set_up(shop: Shop) -> None:
    client = Client.for_shop(shop)
    read_profile(shop, client)
    register_webhooks(client)
    db.session.commit()


PROFILE_QUERY = """
query ShopProfile {
  shop {
    id name email contactEmail currencyCode ianaTimezone myshopifyDomain
    primaryDomain { host url }
    billingAddress { address1 address2 city province zip country countryCodeV2 }
  }
}"""

LOCALES_QUERY = "query ShopLocales { shopLocales { locale primary published } }"


def read_profile(shop: Shop, client: Client) -> None:
    data = client.execute(PROFILE_QUERY).get("shop") or {}
    address = data.get("billingAddress") or {}
    shop.platform_id = numeric_id(data.get("id")) or shop.platform_id
    # Name and email end up in mail headers: clipped and without control characters.
    shop.name = _text(data.get("name"), 255) or shop.name or shop.domain.split(".")[0]
    shop.email = _text(data.get("contactEmail"), 320) or _text(data.get("email"), 320) or shop.email
    shop.currency = data.get("currencyCode") or shop.currency or "USD"
    zone_before = shop.timezone
    shop.timezone = data.get("ianaTimezone") or shop.timezone or "UTC"
    if shop.timezone != zone_before:
        # Order days are the shop's local days: each order may now fall on another one.
        days.schedule_rebuild(shop.id)
    shop.primary_domain = (data.get("primaryDomain") or {}).get("host") or shop.primary_domain
    shop.country_code = address.get("countryCodeV2") or shop.country_code
    shop.address = {
        key: address.get(key)
        for key in ("address1", "address2", "city", "province", "zip", "country")
        if address.get(key)
    }
    shop.locale = _primary_locale(shop, client)


def _primary_locale(shop: Shop, client: Client) -> str:
    if "read_locales" in shop.scopes.split(","):
        try:
            for row in client.execute(LOCALES_QUERY).get("shopLocales") or []:
                if row.get("primary") and row.get("locale"):
                    return row["locale"]
        except GraphQLError as error:
            log.info("%s: no shop locales (%s); guessing from the country", shop.domain, error)
    return COUNTRY_LOCALES.get(shop.country_code or "", shop.locale or "en")


#: Topics whose bodies should carry metafields of these namespaces: the customer's birthday
#: (`facts.birth_date`) comes with every customer change.
METAFIELD_NAMESPACES = {"customers/create": ["facts"], "customers/update": ["facts"]}

REGISTER_MUTATION = """
mutation Register($topic: WebhookSubscriptionTopic!, $uri: String!, $namespaces: [String!]) {
  webhookSubscriptionCreate(
    topic: $topic, webhookSubscription: {uri: $uri, format: JSON, metafieldNamespaces: $namespaces}
  ) {
    webhookSubscription { id }
    userErrors { field message }
  }
}"""


def undeclared_topics() -> list[str]:
    """Needed topics that shopify.app.toml does not declare: the only ones subscribed per shop."""
    declared = app_config.current(current_app.config).topics
    return [topic for topic in NEEDED_TOPICS if topic not in declared]


def register_webhooks(client: Client) -> None:
    uri = f"{current_app.config['APP_URL']}/webhooks/shopify"
    for topic in undeclared_topics():
        enum = topic.upper().replace("/", "_")
        try:
            client.mutate(
                REGISTER_MUTATION,
                {"topic": enum, "uri": uri, "namespaces": METAFIELD_NAMESPACES.get(topic)},
                "webhookSubscriptionCreate",
            )
        except UserErrors as errors:
            # A reinstall finds the subscription still there: that is the state we want.
            if not all("already been taken" in (e.get("message") or "") for e in errors.errors):
                raise


def _text(value, size: int) -> str | None:
    return clean(value)[:size] or None if isinstance(value, str) else None
