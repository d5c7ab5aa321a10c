"""`flask demo`: the whole product on one machine, on embedded defaults.

SQLite under instance/, the sandbox store (a Shopify stand-in), a local SMTP inbox
with a web view, the web app and the worker, in one process. Never used in production.
"""

import contextlib
import logging
import os
import socket
import threading
import time

import requests
from flask import current_app
from sqlalchemy.engine import make_url

from app.extensions import db
from app.shops import app_config

SANDBOX_PORT, INBOX_SMTP_PORT, INBOX_WEB_PORT = 5001, 1025, 5002

DEMO_CONFIG = {
    "DEMO": True,
    # Fixed, public demo values: the demo runs only on 127.0.0.1 with sandbox data.
    "SECRET_KEY": "demo-secret-key-only-for-the-local-demo",
    "SHOPIFY_API_KEY": "demo-api-key",
    "SHOPIFY_API_SECRET": "demo-api-secret",
    "SHOPIFY_STORE_URL": f"http://127.0.0.1:{SANDBOX_PORT}/{{shop}}",
    "MAIL_URL": f"smtp://127.0.0.1:{INBOX_SMTP_PORT}",
    "MAIL_FROM": "Comeback Demo <no-reply@comeback.localhost>",
    "TICK_SECONDS": 10,
    "DEMO_LINKS": {"store": f"http://127.0.0.1:{SANDBOX_PORT}/", "inbox": f"http://127.0.0.1:{INBOX_WEB_PORT}/"},
}


def run(port: int) -> int:
    """Start the demo, or, when its ports are taken, say why and touch nothing (exit status)."""
    taken = [p for p in (port, SANDBOX_PORT, INBOX_SMTP_PORT, INBOX_WEB_PORT) if _taken(p)]
    if taken:
        if port in taken and _answers_as_comeback(port):
            print(
                f"""
  The Comeback demo is already running; it was left alone.
    App            http://127.0.0.1:{port}/
    Sandbox store  http://127.0.0.1:{SANDBOX_PORT}/
    Inbox          http://127.0.0.1:{INBOX_WEB_PORT}/
  Stop it with Ctrl-C in its terminal to start afresh.
""",
                flush=True,
            )
            return 0
        print(
            f"  The demo needs port(s) {', '.join(map(str, taken))}, which another program is using. "
            "Stop that program (or give the app another port: flask --app app demo --port N); nothing was changed.",
            flush=True,
        )
        return 1
    _serve(port)
    return 0


def _taken(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:port (checked before anything is deleted)."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _answers_as_comeback(port: int) -> bool:
    try:
        return "Comeback" in requests.get(f"http://127.0.0.1:{port}/", timeout=2).text
    except requests.RequestException:
        return False


def _serve(port: int) -> None:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app.demo.inbox import start_inbox
    from app.demo.surveys import seed_survey_customers
    from sandbox import create_sandbox
    from sandbox.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    app = current_app._get_current_object()
    config = app.config
    _start_afresh(config)
    upgrade()

    start_inbox(INBOX_SMTP_PORT, INBOX_WEB_PORT)
    store = create_sandbox(
        config["SHOPIFY_API_KEY"], config["SHOPIFY_API_SECRET"], config["APP_URL"], app_toml=app_config.DEFAULT_PATH
    )
    seed_survey_customers(store.extensions["sandbox"])
    serve(store, port=SANDBOX_PORT)
    threading.Thread(target=_worker_loop, args=(app, config["TICK_SECONDS"]), daemon=True).start()

    print(
        f"""
  Comeback demo is running.
    App            {config["APP_URL"]}
    Sandbox store  http://127.0.0.1:{SANDBOX_PORT}/   (open a shop, press "Open Comeback in admin" to install)
    Inbox          http://127.0.0.1:{INBOX_WEB_PORT}/   (every email the app sends lands here)
  The worker ticks every {config["TICK_SECONDS"]} s. Ctrl-C stops everything.
  Each run starts afresh, like the sandbox store: install the app again from the store.
""",
        flush=True,
    )
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def _start_afresh(config) -> None:
    """The sandbox store keeps everything in memory, so each run it knows no install and no token:
    the demo's own database starts afresh with it, or shops installed last time would call the
    store with tokens it never issued. A DATABASE_URL of your own is left alone."""
    if os.environ.get("DATABASE_URL"):
        return
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    db.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(url.database + suffix)


def _worker_loop(app, seconds: int) -> None:
    """The worker in a thread: the demo is one command; production runs `flask worker` apart
    (whose scheduler needs the main thread for its signal handler)."""
    from app.worker import guarded_tick

    while True:
        guarded_tick(app)
        time.sleep(seconds)
