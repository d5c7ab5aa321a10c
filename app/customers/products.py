"""The products cache: what an email needs to show a product (title, price, image, link).

Order and checkout lines only carry title and price, so they add products the cache has not
seen but never overwrite what the store's own product data (import) said.
"""

from app import clock, jobs
from app.customers.bulk import upsert
from app.customers.models import Product
from app.customers.records import Line, ProductRecord
from app.jobs import kinds


def remember_from_lines(shop_id: int, lines: list[Line]) -> None:
    """Cache products first seen on an order or checkout, and queue a job to ask the store about them
    (image, link, published, stock): until then they are not shown in emails."""
    rows = {}
    for line in lines:
        if line.product_id is not None:
            rows[line.product_id] = {
                "shop_id": shop_id,
                "id": line.product_id,
                "title": line.title[:255],
                "price": line.price,
            }
    # Insert-only: a product already cached keeps the title and price the store gave us.
    if upsert(Product, [rows[key] for key in sorted(rows)], keys=("shop_id", "id"), returning="id"):
        jobs.enqueue(shop_id, kinds.REFRESH_PRODUCTS, unique_key="new")


def store_products(shop_id: int, records: list[ProductRecord]) -> None:
    """Authoritative product data (import, API): overwrite everything."""
    now = clock.now()
    rows = {
        r.id: {
            "shop_id": shop_id,
            "id": r.id,
            "title": r.title[:255],
            "price": r.price,
            "image_url": r.image_url,
            "url": r.url,
            "published": r.published,
            "in_stock": r.in_stock,
            "product_type": r.product_type,
            "tags": r.tags,
            "handle": r.handle,
            "excerpt": r.excerpt,
            "refreshed_at": now,
        }
        for r in records
    }
    upsert(
        Product,
        [rows[key] for key in sorted(rows)],
        keys=("shop_id", "id"),
        update=(
            "title",
            "price",
            "image_url",
            "url",
            "published",
            "in_stock",
            "product_type",
            "tags",
            "handle",
            "excerpt",
            "refreshed_at",
        ),
    )
