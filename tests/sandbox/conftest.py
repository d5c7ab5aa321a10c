"""Fixtures for the sandbox store's own tests: a controllable clock, the sandbox, a webhook receiver."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox import create_sandbox
from sandbox.server import serve
from tests.sandbox.helpers import API_KEY, API_SECRET, DEMO, Clock, Receiver, install


@pytest.fixture
def clock():
    return Clock(datetime(2026, 6, 15, 12, 0, tzinfo=UTC))


@pytest.fixture
def receiver():
    r = Receiver()
    running = serve(r.app)
    r.url = running.base_url
    yield r
    running.shutdown()


@pytest.fixture
def sandbox(receiver, clock):
    app = create_sandbox(API_KEY, API_SECRET, receiver.url, seed=7, now=clock)
    running = serve(app)
    yield app
    running.shutdown()
    app.extensions["sandbox"].wait_idle()
    app.extensions["sandbox"].close()


@pytest.fixture
def store(sandbox):
    return sandbox.extensions["sandbox"]


@pytest.fixture
def shop(store):
    return store.shop(DEMO)


@pytest.fixture
def client(sandbox):
    return sandbox.test_client()


@pytest.fixture
def token(client, store):
    return install(client, store)["access_token"]


@pytest.fixture
def gql(client, token):
    """Post a GraphQL query to the demo shop as the installed app: returns the JSON answer."""

    def post(query: str, variables: dict | None = None, access_token: str | None = None, domain: str = DEMO):
        r = client.post(
            f"/{domain}/admin/api/2026-10/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": access_token or token},
        )
        post.status = r.status_code
        return r.json

    return post
