"""Drive an install like a merchant's browser: app -> store consent page -> app callback."""

import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

from app.shops.verify import query_signature


def signed_query(params: dict, secret: str) -> str:
    params = {"timestamp": str(int(time.time())), **params}
    params["hmac"] = query_signature(params, secret)
    return urlencode(params)


def run_install(app, client, sandbox, domain: str, *, scope_override: str | None = None):
    """Returns the app's answer to the callback (a redirect to /app on success)."""
    secret = app.config["SHOPIFY_API_SECRET"]
    start = client.get("/auth/install?" + signed_query({"shop": domain}, secret))
    assert start.status_code == 302, start.get_data(as_text=True)
    form = dict(parse_qsl(urlsplit(start.location).query))
    if scope_override is not None:
        form["scope_override"] = scope_override
    approve = requests.post(start.location.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert approve.status_code == 302, approve.text
    callback = urlsplit(approve.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")
