"""The whole sandbox's memory: its shops, the app's tokens, and the knobs tests turn."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
from datetime import UTC, datetime

from .app_config import AppToml
from .models import AuthCode, Grant
from .webhooks import Deliverer, http_transport


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(
        self,
        api_key: str,
        api_secret: str,
        app_url: str,
        now=utcnow,
        base_url: str = "http://127.0.0.1:5001",
        api_version: str = "2026-10",
        app_toml=None,
    ):
        self.api_key, self.api_secret = api_key, api_secret
        self.app_url = app_url.rstrip("/")
        self.base_url = base_url.rstrip("/")  #: set by `server.serve` once the port is known
        self.api_version = api_version  #: used for webhooks with no subscription of their own
        self.now = now
        #: The app's shopify.app.toml (sandbox.app_config.AppToml), or None: an app configured
        #: only through the API (no managed install, no toml subscriptions).
        self.app_config = AppToml.load(app_toml, self.app_url) if app_toml else None
        self.lock = threading.RLock()
        self.shops: dict = {}
        self.grants: dict[str, Grant] = {}  #: by access token
        self.refresh_tokens: dict[str, Grant] = {}
        self.codes: dict[str, AuthCode] = {}
        self.transport = http_transport  #: `(url, body, headers) -> status`; swap in a test client if you like
        self.webhooks = Deliverer(self)
        self.fault_sleep = 12.0  #: seconds a "timeout" fault sleeps: longer than any client's timeout
        self.refresh_grace = 60.0  #: seconds the old access token still works after a refresh
        self.bulk_delay = 0.05  #: seconds before a bulk operation starts running
        self.files_dir = tempfile.mkdtemp(prefix="sandbox-bulk-")
        self.bulk_threads: list[threading.Thread] = []
        self._ids = itertools.count(5_000_000_001)

    def next_id(self) -> int:
        return next(self._ids)

    def shop(self, domain: str):
        return self.shops[domain]

    def add_shop(self, shop):
        self.shops[shop.domain] = shop

    def revoke(self, domain: str):
        """Forget every token of a shop (uninstall)."""
        with self.lock:
            for table in (self.grants, self.refresh_tokens):
                for token in [t for t, g in table.items() if g.shop == domain]:
                    del table[token]

    def set_scope(self, domain: str, scope: str):
        """The merchant changed what the app may do: every live token of the shop carries it at once."""
        with self.lock:
            for table in (self.grants, self.refresh_tokens):
                for g in table.values():
                    if g.shop == domain:
                        g.scope = scope

    def grant_for(self, access_token: str | None) -> Grant | None:
        """The live grant behind a token, or None (unknown, revoked or expired)."""
        with self.lock:
            g = self.grants.get(access_token or "")
            if g is None or (g.expires_at is not None and g.expires_at <= self.now()):
                return None
            return g

    def wait_idle(self, timeout: float = 30.0):
        """Wait for running bulk operations and background webhook deliveries to finish."""
        for t in list(self.bulk_threads):
            t.join(timeout)
        self.webhooks.wait()

    def close(self):
        shutil.rmtree(self.files_dir, ignore_errors=True)
