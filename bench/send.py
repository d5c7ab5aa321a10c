"""Benchmark: one worker's whole send path on PostgreSQL, against raw smtplib, at 20 ms a reply.

    .venv/bin/python bench/send.py [--count 10000] [--single-count 1000] [--delay 0.02] [--concurrency 8]

A tick (`engine.run_once`) claims, decides, composes, sends and records `--count` due
abandoned-cart emails with MAIL_CONCURRENCY connections, then `--single-count` with one
connection; raw smtplib sends the same kind of bytes (composed emails, cycled) from N threads,
one connection each. The sink (aiosmtpd) runs in its own process and answers each message
after `--delay` seconds, what a hosted relay costs over the network. Also printed: the cost of
DKIM-signing one email (RSA-2048).
"""

import argparse
import multiprocessing
import os
import smtplib
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal

# The project root instead of bench/ (whose module names, e.g. queue.py, would shadow the stdlib).
sys.path[0] = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def _sink(port_queue, delay: float):
    import asyncio

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(delay)
            return "250 OK"

    from tests.support.postgres import free_port

    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    port_queue.put(controller.port)
    multiprocessing.Event().wait()


def _fill(db, count: int, now):
    """A shop with the abandoned-cart automation on and `count` carts left 25 hours ago."""
    from sqlalchemy import insert, text

    from app.automations.models import AutomationSetting
    from app.customers.models import Checkout
    from app.shops.models import Shop

    tables = ", ".join(f'"{t.name}"' for t in reversed(db.metadata.sorted_tables))
    db.session.execute(text(f"TRUNCATE {tables} CASCADE"))
    shop = Shop(
        domain="bench.myshopify.com",
        name="Tiệm Nhà Mây",
        email="owner@nhamay.vn",
        currency="VND",
        locale="vi",
        timezone="UTC",
        country_code="US",
        scopes="read_orders",
        installed_at=now,
        settings={"quiet_hours": {"enabled": False}},
        address={"address1": "12 Lý Tự Trọng", "city": "Hồ Chí Minh", "country": "Vietnam"},
    )
    shop.set_tokens("bench-token", None, None, None)
    db.session.add(shop)
    db.session.flush()
    db.session.add(AutomationSetting(shop_id=shop.id, key="abandoned_cart", enabled=True, values={}))
    item = {
        "product_id": 1,
        "variant_id": 11,
        "title": "Áo dài lụa",
        "variant_title": "M / Đỏ",
        "quantity": 2,
        "price": "250000",
        "image_url": "https://cdn.example/ao-dai.jpg",
    }
    db.session.execute(
        insert(Checkout),
        [
            {
                "shop_id": shop.id,
                "token": f"t{i:06d}",
                "email": f"c{i}@example.com",
                "first_name": f"Khách {i}",
                "accepts_marketing": True,
                "platform_updated_at": now - timedelta(hours=25),
                "items": [item],
                "total": Decimal("500000"),
                "currency": "VND",
                "recovery_url": f"https://bench.myshopify.com/checkouts/t{i:06d}/recover",
            }
            for i in range(count)
        ],
    )
    db.session.commit()


def _ticks(app, db, count: int, concurrency: int) -> tuple[float, int]:
    from app import clock
    from app.automations import engine

    app.config["MAIL_CONCURRENCY"] = concurrency
    now = clock.now()
    _fill(db, count, now)
    sent = 0
    started = time.perf_counter()
    while True:
        counts = engine.run_once(clock.now())
        sent += counts.get("sent", 0)
        if not counts.get("sent"):
            break
    return time.perf_counter() - started, sent


def _raw(port: int, messages: list[bytes], count: int, threads: int) -> float:
    def work(share: int):
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for i in range(share):
                smtp.sendmail("no-reply@localhost", [f"c{i}@example.com"], messages[i % len(messages)])

    workers = [threading.Thread(target=work, args=(count // threads,)) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--single-count", type=int, default=1_000)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    ports = multiprocessing.Queue()
    sink = multiprocessing.Process(target=_sink, args=(ports, args.delay), daemon=True)
    sink.start()
    port = ports.get(timeout=30)

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.mail.compose import compose
    from app.mail.dkim_signing import Signer
    from app.records.models import Send
    from app.shops.models import Shop
    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    try:
        url = server.create_database("comeback_bench")
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "APP_URL": "https://comeback.example",
                "SQLALCHEMY_DATABASE_URI": url,
                "MAIL_URL": f"smtp://127.0.0.1:{port}",
            }
        )
        with app.app_context():
            db.create_all()
            parallel, sent = _ticks(app, db, args.count, args.concurrency)
            shop = db.session.scalar(select(Shop))
            sample = list(db.session.scalars(select(Send).limit(200)))
            from app.automations.registry import AUTOMATIONS
            from app.automations.settings import values

            cart = AUTOMATIONS["abandoned_cart"]
            settings = values(shop, "abandoned_cart")
            messages = [
                compose(
                    shop,
                    s,
                    template=cart.template_for(s),
                    context=cart.context(shop, s, settings),
                    subject=cart.subject_for(s, settings),
                ).wire()
                for s in sample
            ]
            single, single_sent = _ticks(app, db, args.single_count, 1)
            db.engine.dispose()
        raw = _raw(port, messages, args.count, args.concurrency)

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        signer = Signer(pem, "bench", "nhamay.vn")
        started = time.perf_counter()
        for data in messages * 3:
            signer.sign(data)
        dkim_ms = (time.perf_counter() - started) / (len(messages) * 3) * 1000
    finally:
        server.stop()
        sink.terminate()

    size = sum(map(len, messages)) / len(messages)
    print(f"sink delay {args.delay * 1000:.0f} ms a message; emails {size / 1024:.1f} KiB on average")
    print(f"tick, {args.concurrency} connections: {sent:6d} sent  {sent / parallel:8.0f} emails/s")
    print(f"tick, 1 connection:  {single_sent:6d} sent  {single_sent / single:8.0f} emails/s")
    print(f"raw smtplib, {args.concurrency} threads: {args.count:6d} sent  {args.count / raw:8.0f} emails/s")
    print(f"ratio tick/raw ({args.concurrency} connections): {(sent / parallel) / (args.count / raw):8.0%}")
    print(f"DKIM signing (RSA-2048, relaxed/relaxed): {dkim_ms:.2f} ms an email")


if __name__ == "__main__":
    main()
