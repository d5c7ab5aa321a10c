"""Benchmark: render and send N due emails to a local SMTP sink, against raw smtplib.

    .venv/bin/python bench/send.py [--count 10000] [--batch 100]

One worker process composes every email (MJML compiled once, Jinja per recipient,
signed links, MIME) and hands it to the mailer over one SMTP connection; then the
same process sends the same pre-rendered bytes with bare smtplib over one
connection. The sink (aiosmtpd, answering 250 to everything) runs in its own
process, so it does not compete with the sender for the GIL.
"""

import argparse
import multiprocessing
import os
import smtplib
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal

# The project root instead of bench/ (whose module names, e.g. queue.py, would shadow the stdlib).
sys.path[0] = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def _sink(port_queue):
    import asyncio  # noqa: F401 - aiosmtpd runs its own loop in a thread

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    from tests.support.postgres import free_port

    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    port_queue.put(controller.port)
    multiprocessing.Event().wait()


def _context(i: int) -> dict:
    return {
        "first_name": f"Khách {i}",
        "items": [
            {
                "title": "Áo dài lụa",
                "variant_title": "M / Đỏ",
                "quantity": 2,
                "price": Decimal("250000"),
                "image_url": "https://cdn.example/ao-dai.jpg",
                "url": "https://shop.example/products/ao-dai",
            },
            {
                "title": "Nón lá",
                "variant_title": None,
                "quantity": 1,
                "price": Decimal("120000"),
                "image_url": "https://cdn.example/non-la.jpg",
                "url": "https://shop.example/products/non-la",
            },
        ],
        "total": Decimal("620000"),
        "currency": "VND",
        "recovery_url": f"https://shop.example/checkouts/{i:08x}/recover",
        "discount": {"code": f"COMEBACK-{i:04d}-TEST", "percent": 10, "expires_at": datetime(2026, 3, 9, 9)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()

    ports = multiprocessing.Queue()
    sink = multiprocessing.Process(target=_sink, args=(ports,), daemon=True)
    sink.start()
    port = ports.get(timeout=30)

    from app import create_app
    from app.extensions import db
    from app.mail.compose import compose
    from app.mail.transport import open_mailer
    from app.records.models import Send
    from app.shops.models import Shop

    folder = tempfile.mkdtemp(prefix="comeback-bench-")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "APP_URL": "https://comeback.example",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "MAIL_URL": f"smtp://127.0.0.1:{port}",
        }
    )
    with app.app_context():
        db.create_all()
        shop = Shop(
            id=1,
            domain="bench.myshopify.com",
            name="Tiệm Nhà Mây",
            currency="VND",
            locale="vi",
            timezone="Asia/Ho_Chi_Minh",
            country_code="VN",
            address={"address1": "12 Lý Tự Trọng", "city": "Hồ Chí Minh", "country": "Vietnam"},
        )
        sends = [
            Send(
                shop_id=1,
                id=10_000_000 + i,
                automation="abandoned_cart",
                recipient=f"c{i}@example.com",
                trigger_ref=f"checkout:{i}",
                due_at=datetime(2026, 3, 2),
            )
            for i in range(args.count)
        ]
        subject = {"vi": "{{ first_name }} ơi, giỏ hàng đang chờ bạn", "en": "{{ first_name }}, your cart"}
        compose(shop, sends[0], template="abandoned_cart", context=_context(0), subject=subject)  # warm-up

        started = time.perf_counter()
        messages = []
        sent = 0
        with open_mailer() as mailer:
            for start in range(0, len(sends), args.batch):
                for send in sends[start : start + args.batch]:
                    message = compose(shop, send, template="abandoned_cart", context=_context(send.id), subject=subject)
                    messages.append(message)
                    mailer.push(send.id, message)
                sent += sum(d.status == "sent" for d in mailer.flush())
        ours = time.perf_counter() - started

        raw_bytes = [m.wire() for m in messages]
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for data, send in zip(raw_bytes, sends):
                smtp.sendmail("no-reply@localhost", [send.recipient], data)
        raw = time.perf_counter() - started

        started = time.perf_counter()
        for send in sends[:2000]:
            compose(shop, send, template="abandoned_cart", context=_context(send.id), subject=subject)
        compose_only = min(2000, len(sends)) / (time.perf_counter() - started)

    size = sum(map(len, raw_bytes)) / len(raw_bytes)
    print(f"emails: {args.count} (accepted {sent}), average size {size / 1024:.1f} KiB")
    print(f"compose + send (one process): {args.count / ours:8.0f} emails/s")
    print(f"raw smtplib, same bytes:      {args.count / raw:8.0f} emails/s")
    print(f"ratio ours/raw:               {raw / ours:8.0%}")
    print(f"compose only:                 {compose_only:8.0f} emails/s")
    sink.terminate()


if __name__ == "__main__":
    main()
