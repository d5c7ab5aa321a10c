"""The customer picture: customers, orders, checkouts, products, consent, redaction."""
