"""The demo's survey customers: one lapsed 76 days and one buyer of 15 days ago per demo shop,
subscribed, so switching either survey on in `make demo` mails them at once."""

from datetime import timedelta

from app.demo.surveys import PERSONAS, seed_survey_customers


def test_each_demo_shop_gets_a_lapsed_and_a_recent_subscriber(sandbox):
    seed_survey_customers(sandbox)
    now = sandbox.now()
    for domain, people in PERSONAS.items():
        customers = {c.email: c for c in sandbox.shop(domain).customers.values()}
        for email, _first, _last, locale, days in people:
            customer = customers[email]
            assert customer.marketing_state == "SUBSCRIBED" and customer.locale == locale
            [order] = customer.orders
            assert now - order.created_at - timedelta(days=days) < timedelta(minutes=1)
