"""The store side: one external marketing activity per automation, and its daily engagements.

Checked against shopify.dev (Admin GraphQL 2026-10): `marketingActivityUpsertExternal`
replaces the deprecated `marketingActivityCreateExternal` and is keyed by our own `remoteId`,
so nothing needs remembering here; `marketingEngagementCreate` takes the same `remoteId`.
Both need `write_marketing_events`.
"""

from datetime import date
from urllib.parse import urlencode

from flask import current_app

from app.marketing.figures import Day, utc_offset
from app.shops.graphql import Client

SCOPE = "write_marketing_events"

UPSERT = """
mutation Activity($input: MarketingActivityUpsertExternalInput!) {
  marketingActivityUpsertExternal(input: $input) {
    marketingActivity { id }
    userErrors { field message }
  }
}"""

ENGAGEMENT = """
mutation Engagement($remoteId: String!, $engagement: MarketingEngagementInput!) {
  marketingEngagementCreate(remoteId: $remoteId, marketingEngagement: $engagement) {
    marketingEngagement { occurredOn }
    userErrors { field message }
  }
}"""


def granted(shop) -> bool:
    return SCOPE in (shop.scopes or "").split(",")


def remote_id(key: str) -> str:
    return f"comeback-{key}"


def upsert(client: Client, shop, key: str, title: str, enabled: bool) -> None:
    page = f"{current_app.config['APP_URL']}/app?" + urlencode({"shop": shop.domain})
    client.mutate(
        UPSERT,
        {
            "input": {
                "remoteId": remote_id(key),
                "title": f"Comeback · {title}",
                "status": "ACTIVE" if enabled else "INACTIVE",
                "remoteUrl": page,
                # Automated emails a customer gets because of what they did (or did not do).
                "tactic": "ABANDONED_CART" if key == "abandoned_cart" else "MESSAGE",
                "marketingChannelType": "EMAIL",
                "utm": {"campaign": remote_id(key), "source": "comeback", "medium": "email"},
            }
        },
        "marketingActivityUpsertExternal",
    )


def report(client: Client, shop, key: str, day: date, figures: Day) -> None:
    engagement = {
        "occurredOn": day.isoformat(),
        "utcOffset": utc_offset(day, shop.timezone or "UTC"),
        "sendsCount": figures.sends,
        "uniqueViewsCount": figures.opens,
        "uniqueClicksCount": figures.clicks,
        "orders": str(figures.orders),
        "sales": {"amount": str(figures.sales), "currencyCode": shop.currency or "USD"},
    }
    client.mutate(ENGAGEMENT, {"remoteId": remote_id(key), "engagement": engagement}, "marketingEngagementCreate")
