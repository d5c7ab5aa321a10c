"""Web Vitals of the settings page on a cold load in Chromium: LCP, CLS, INP and bytes transferred.

    .venv/bin/python bench/vitals.py [--runs 5]

Each run is a fresh browser context (empty cache, cache disabled; one unmeasured run first starts
the browser itself) opening /app as the admin does (shop, host,
locale, a session token) for a shop with two automations, then switching one on (the
interaction INP measures: from the click to the next paint). App Bridge's script cannot load
here (no internet) and is refused at once, so the figures are the page's own; inside the admin
App Bridge adds its script and the admin's frame. Chromium is /usr/bin/chromium.

LCP and CLS come from PerformanceObserver (`largest-contentful-paint`, `layout-shift` without
recent input); INP from `event` timing entries (the longest interaction, durationThreshold 16);
bytes from the DevTools protocol (`encodedDataLength` of every response of the load).
Targets: LCP < 1 s, CLS < 0.05, INP < 100 ms (Built for Shopify: 2.5 s, 0.1, 200 ms at p75).
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

# The repository, not bench/ (whose queue.py would shadow the standard library's).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.shops.models import Shop  # noqa: E402
from tests.settings.tokens import session_token  # noqa: E402
from tests.support.postgres import free_port  # noqa: E402

OBSERVERS = """
window.__vitals = { lcp: 0, cls: 0, inp: 0 };
new PerformanceObserver(l => l.getEntries().forEach(e => { window.__vitals.lcp = e.startTime; }))
  .observe({ type: "largest-contentful-paint", buffered: true });
new PerformanceObserver(l => l.getEntries().forEach(e => { if (!e.hadRecentInput) window.__vitals.cls += e.value; }))
  .observe({ type: "layout-shift", buffered: true });
new PerformanceObserver(l => l.getEntries().forEach(e => {
  if (e.interactionId) window.__vitals.inp = Math.max(window.__vitals.inp, e.duration);
})).observe({ type: "event", durationThreshold: 16, buffered: true });
"""


def serve_app() -> tuple[str, object, str]:
    folder = tempfile.mkdtemp(prefix="vitals-")
    port = free_port()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key",
            "SHOPIFY_API_KEY": "test-api-key",
            "SHOPIFY_API_SECRET": "test-api-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/vitals.sqlite3",
            "APP_URL": f"http://127.0.0.1:{port}",
            "MAIL_URL": f"smtp://127.0.0.1:{free_port()}",
        }
    )
    with app.app_context():
        db.create_all()
        shop = Shop(
            domain="demo-shop.myshopify.com",
            name="Demo Shop",
            email="o@demo.test",
            currency="USD",
            timezone="America/New_York",
            locale="en",
            installed_at=clock.now(),
            scopes="read_orders",
            settings={},
        )
        shop.set_tokens("bench-token", None, None, None)
        db.session.add(shop)
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server, "demo-shop.myshopify.com"


def one_run(browser, base: str, domain: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.add_init_script(OBSERVERS)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transferred = []
    cdp.on("Network.loadingFinished", lambda event: transferred.append(event["encodedDataLength"]))
    token = session_token(domain, lifetime=600)
    page.goto(f"{base}/app?shop={domain}&host=YmVuY2g&locale=en&id_token={token}", wait_until="networkidle")
    load_bytes = sum(transferred)
    switch = page.locator('[data-key="abandoned_cart"] [role=switch]')
    switch.click()
    page.wait_for_function("document.querySelector('[data-key=abandoned_cart] [data-status]').textContent.length > 0")
    page.wait_for_timeout(300)  # let the event-timing entry of the click land
    vitals = page.evaluate("window.__vitals")
    context.close()
    return {"lcp_ms": vitals["lcp"], "cls": vitals["cls"], "inp_ms": vitals["inp"], "bytes": load_bytes}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    base, server, domain = serve_app()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox", "--disable-gpu"]
        )
        one_run(browser, base, domain)  # the browser's own first start (process, fonts), not the page's
        runs = [one_run(browser, base, domain) for _ in range(args.runs)]
        browser.close()
    server.shutdown()
    print(f"settings page, cold load, {args.runs} runs (median; worst)")
    for key, unit, target in (("lcp_ms", "ms", 1000), ("cls", "", 0.05), ("inp_ms", "ms", 100), ("bytes", "B", None)):
        values = [r[key] for r in runs]
        median, worst = statistics.median(values), max(values)
        verdict = "" if target is None else ("  ok" if worst < target else f"  over target {target}")
        print(f"  {key:7} {median:10.3f}{unit}  worst {worst:10.3f}{unit}{verdict}")


if __name__ == "__main__":
    main()
