"""A second `make demo` while one is running says so and leaves the running demo alone."""

import socket
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app, demo
from app.extensions import db
from tests.conftest import SECRET_KEY, free_port


@pytest.fixture
def demo_ports(monkeypatch):
    """The demo's fixed ports moved to free ones, so the test never meets a real demo."""
    monkeypatch.setattr(demo, "SANDBOX_PORT", free_port())
    monkeypatch.setattr(demo, "INBOX_SMTP_PORT", free_port())
    monkeypatch.setattr(demo, "INBOX_WEB_PORT", free_port())


def test_a_second_demo_says_it_is_running_and_keeps_its_database(tmp_path, monkeypatch, capsys, demo_ports):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = tmp_path / "demo.db"
    port = free_port()
    app = create_app(
        {
            **demo.DEMO_CONFIG,
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "APP_URL": f"http://127.0.0.1:{port}",
        }
    )
    with app.app_context():
        db.create_all()
    before = database.read_bytes()
    running = make_server("127.0.0.1", port, app, threaded=True)  # the first demo's web app
    threading.Thread(target=running.serve_forever, daemon=True).start()
    try:
        with app.app_context():
            assert demo.run(port) == 0
    finally:
        running.shutdown()
    said = capsys.readouterr().out
    assert "already running" in said and f"http://127.0.0.1:{port}" in said
    assert database.exists() and database.read_bytes() == before


def test_a_port_taken_by_another_program_is_named_and_nothing_is_deleted(tmp_path, monkeypatch, capsys, demo_ports):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = tmp_path / "demo.db"
    database.write_bytes(b"the last demo's data")
    port = free_port()
    app = create_app(
        {
            **demo.DEMO_CONFIG,
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "APP_URL": f"http://127.0.0.1:{port}",
        }
    )
    other = socket.socket()
    other.bind(("127.0.0.1", demo.SANDBOX_PORT))
    other.listen()
    try:
        with app.app_context():
            assert demo.run(port) == 1
    finally:
        other.close()
    assert str(demo.SANDBOX_PORT) in capsys.readouterr().out
    assert database.read_bytes() == b"the last demo's data"
