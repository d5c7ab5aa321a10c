"""Serve a sandbox on a real port in a daemon thread, for tests and the demo."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server


class Running:
    def __init__(self, server, thread: threading.Thread, base_url: str):
        self._server, self._thread = server, thread
        self.port = server.server_port
        self.base_url = base_url

    def shutdown(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def serve(app, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Start `app` with werkzeug's threaded server; the store learns its own base URL."""
    server = make_server(host, port, app, threaded=True)
    base_url = f"http://{host}:{server.server_port}"
    store = app.extensions.get("sandbox")
    if store is not None:
        store.base_url = base_url
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox-{server.server_port}", daemon=True
    )
    thread.start()
    return Running(server, thread, base_url)
