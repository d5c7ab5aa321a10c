"""A real Chromium (Playwright) driving the settings page served over HTTP; screenshots in test-artifacts/."""

import os
import re
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def offline(context) -> list:
    """Refuse every request that leaves this machine, and list them: the tests have no internet,
    and a request that hangs would hold up rendering (e.g. a web font linked from an email)."""
    outside = []

    def refuse(route, request):
        outside.append(request)
        route.abort()

    context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), refuse)
    return outside


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.outside_requests = offline(context)
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def shot(request):
    """`shot(page, name)` saves a full-page screenshot as test-artifacts/<test>-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(tab, name: str) -> Path:
        tab.wait_for_load_state("networkidle")  # previews drawn, images settled
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take
