"""Demo customers who bring both surveys to the demo inbox as soon as their automations are on.

Each demo shop gets a subscriber whose only order was 76 days ago (`we_miss_you`, 75 days by
default, became due a day ago: well inside the 7-day catch-up) and one whose order was 15 days
ago (`feedback`, 14 days by default). Their emails carry real survey links: answer one in the
inbox and the next tick sends the follow-up, and the shop's notice lands in the same inbox.
Seeded without webhooks, like the rest of the history: the app learns them at install.
"""

from datetime import timedelta

#: domain -> (email, first name, last name, locale, days since the order)
PERSONAS = {
    "demo-shop.myshopify.com": (
        ("lan.survey@example.com", "Lan", "Pham", "en", 76),
        ("owen.survey@example.com", "Owen", "Clark", "en", 15),
    ),
    "cua-hang-viet.myshopify.com": (
        ("mai.khaosat@example.com", "Mai", "Trần", "vi", 76),
        ("huy.khaosat@example.com", "Huy", "Lê", "vi", 15),
    ),
}


def seed_survey_customers(store) -> None:
    """Add the personas to the sandbox `store` (already seeded with each shop's history)."""
    now = store.now()
    for domain, people in PERSONAS.items():
        shop = store.shops.get(domain)
        if shop is None:
            continue
        product = next(p for p in shop.products.values() if p.status == "ACTIVE")
        for email, first, last, locale, days in people:
            customer = shop.create_customer(
                email,
                first,
                last,
                locale=locale,
                marketing_state="SUBSCRIBED",
                at=now - timedelta(days=days + 30),
                notify=False,
            )
            shop.place_order(
                customer, [(product, 1)], created_at=now - timedelta(days=days), accepts_marketing=True, notify=False
            )
