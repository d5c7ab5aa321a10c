"""A sandbox store on a real port, and the app pointed at it (SHOPIFY_STORE_URL) with a granted token."""

import time

import pytest

from app import jobs
from app.history.jobs import import_history
from app.jobs import kinds
from tests.conftest import API_KEY, API_SECRET

SCOPES = "read_orders,read_all_orders,read_customers,read_products,write_discounts"
DOMAIN = "demo-shop.myshopify.com"


def start_store(app_url: str, scale: float):
    from sandbox import create_sandbox
    from sandbox.models import Grant
    from sandbox.server import serve

    sandbox_app = create_sandbox(API_KEY, API_SECRET, app_url, scale=scale)
    running = serve(sandbox_app)
    store = sandbox_app.extensions["sandbox"]
    store.bulk_delay = 0
    store.grants["test-token"] = Grant(shop=DOMAIN, access_token="test-token", scope=SCOPES, expires_at=None)
    store.shop(DOMAIN).installed_scope = SCOPES
    return running, store


@pytest.fixture
def scale():
    """Store size: 1.0 is ~2,000 orders; override in a module or with parametrize."""
    return 0.25


@pytest.fixture
def sandbox(app_port, scale):
    running, store = start_store(f"http://127.0.0.1:{app_port}", scale)
    yield store
    running.shutdown()
    store.close()


@pytest.fixture
def app_config(sandbox):
    return {"SHOPIFY_STORE_URL": sandbox.base_url + "/{shop}"}


@pytest.fixture
def store_shop(sandbox):
    return sandbox.shop(DOMAIN)


@pytest.fixture
def shop(make_shop):
    return make_shop(DOMAIN)


@pytest.fixture
def run_import(shop, sandbox):
    """Run the import job to the end the way the worker would, without sleeping: whenever the
    handler asks to be called later (operation still running), wait for the store's bulk thread."""

    def run(max_calls: int = 100):
        job = jobs.enqueue(shop.id, kinds.IMPORT_HISTORY, unique_key="install")
        run.store_seconds = 0.0  # time spent waiting for the store to build its bulk files
        for _ in range(max_calls):
            if import_history(job) is None:
                return job
            began = time.monotonic()
            sandbox.wait_idle()
            run.store_seconds += time.monotonic() - began
        raise AssertionError(f"import not finished after {max_calls} calls: {job.data}")

    return run
