"""Placeholder until the demo lands."""
DEMO_CONFIG = {"DEMO": True, "SECRET_KEY": "demo-only-secret", "SHOPIFY_API_KEY": "demo-api-key",
               "SHOPIFY_API_SECRET": "demo-api-secret"}


def run(port):
    raise SystemExit("demo not built yet")
