"""Replenishment: "time to restock" `lead_days` before a product bought runs out, with a
one-click reorder link (`https://{domain}/cart/{variant_id}:{quantity},...`), pictures and prices.

A product's usage period is the merchant's (`products`: product id → days, 0 = never) or, with
`learn` on and none set, the one learned from the shop's own repeat purchases (app.lifecycle.usage).
The email is due `usage days − lead_days` after the order; one email names every product of that
order due at that moment (the trigger is "order:days"). Buying a product again drops it from the
email, and ends the reminder when none is left.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app import clock
from app.automations import fields as f
from app.automations.base import Automation, Skip, Step, Trigger, customer_of, language
from app.customers.models import Customer, Order, OrderLine, Product
from app.extensions import db
from app.lifecycle.planned import unplanned
from app.lifecycle.usage import LONGEST, bought_again, due_lines, effective_periods, learned_today
from app.shops.domains import storefront_url


class Replenishment(Automation):
    key = "replenishment"
    title = {"en": "Replenishment", "vi": "Nhắc mua lại khi sắp hết"}
    steps = (Step("restock", timedelta(0), "replenishment", label={"en": "Time to restock", "vi": "Sắp hết hàng"}),)
    default_subject = {
        "en": "Running low, {{ first_name }}? Reorder in one click",
        "vi": "{{ first_name }} ơi, sắp hết rồi, đặt lại chỉ một cú nhấp",
    }
    priority = 45
    fields = (
        f.Int("lead_days", 5, {"en": "Days before it runs out", "vi": "Nhắc trước khi hết (ngày)"}, 0, 30),
        f.ProductNumbers(
            "products",
            {},
            {
                "en": "Usage days per product (0 = never remind)",
                "vi": "Số ngày dùng hết của từng sản phẩm (0 = không nhắc)",
            },
            min=0,
            max=LONGEST,
            # Shown beside the merchant's numbers on the settings page, so they can see and correct them.
            suggested=lambda shop: learned_today(shop.id, clock.now().date()),
            suggested_label={"en": "Learned from your orders", "vi": "Tự học từ đơn hàng"},
        ),
        f.Bool("learn", True, {"en": "Learn usage periods from repeat purchases", "vi": "Tự học chu kỳ mua lại"}),
    )
    words = {
        "en": {
            "bought_again": "the customer bought it again",
            "no_products": "none of the products can be shown any more",
        },
        "vi": {
            "bought_again": "khách đã mua lại sản phẩm",
            "no_products": "không còn sản phẩm nào để hiển thị",
        },
    }

    def periods(self, shop, values) -> dict[int, int]:
        """{product id: usage days} that count for this shop now."""
        learned = learned_today(shop.id, clock.now().date()) if values["learn"] else {}
        return effective_periods(values["products"], learned, values["learn"])

    def triggers(self, shop, values, window):
        periods = self.periods(shop, values)
        lines = due_lines(shop.id, periods, values["lead_days"], window.since, window.until)
        groups: dict[str, list] = {}
        for line in lines:
            groups.setdefault(f"{line.order_id}:{line.days}", []).append(line)
        # Narrowed to changed customers on a rescan: a usage period learned anew (once a day) moves due
        # times without a write, which the planner's periodic full rescan (planning.FULL_EVERY) catches.
        found = unplanned(window, groups.items(), lambda item: item[0], lambda item: item[1][0].customer_id)
        for ref, (_, group) in found:
            first = group[0]
            yield Trigger(
                ref=ref,
                at=first.placed_at + timedelta(days=max(first.days - values["lead_days"], 1)),
                recipient=first.email.lower(),
                customer_id=first.customer_id,
                locale=language(first.locale, shop.locale),
                context={
                    "order_id": first.order_id,
                    "days": first.days,
                    "items": [
                        {"product_id": line.product_id, "variant_id": line.variant_id, "quantity": line.quantity}
                        for line in group
                    ],
                },
            )

    def exit_reason(self, shop, send, values):
        if customer_of(shop, send.customer_id) is None:
            return "customer_gone"
        return None if _still_due(shop, send) else "bought_again"

    def context(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        cards = _cards(shop, _still_due(shop, send))
        if not cards:
            raise Skip("no_products")
        return _context(shop, customer.first_name if customer else None, cards)

    def sample(self, shop, values, locale, customer_id, step):
        periods = self.periods(shop, values)
        query = (
            select(Order.id, Order.customer_id)
            .join(OrderLine, (OrderLine.shop_id == Order.shop_id) & (OrderLine.order_id == Order.id))
            .where(Order.shop_id == shop.id, Order.customer_id.is_not(None), Order.cancelled_at.is_(None))
            .order_by(Order.placed_at.desc())
            .limit(1)
        )
        if customer_id:
            query = query.where(Order.customer_id == customer_id)
        if periods:
            query = query.where(OrderLine.product_id.in_(list(periods)))
        row = db.session.execute(query).first()
        customer = db.session.get(Customer, (shop.id, row.customer_id)) if row else None
        items = []
        if row is not None:
            items = [
                {"product_id": line.product_id, "variant_id": line.variant_id, "quantity": line.quantity}
                for line in db.session.scalars(
                    select(OrderLine).where(OrderLine.shop_id == shop.id, OrderLine.order_id == row.id)
                )
                if not periods or line.product_id in periods
            ]
        send = self.sample_send(shop, step, customer, locale)
        cards = _cards(shop, items) or _sample_cards(shop)
        return send, _context(shop, customer.first_name if customer else "Alex", cards)


def _still_due(shop, send) -> list[dict]:
    """The send's items the customer has not bought again since the order."""
    order = db.session.get(Order, (shop.id, send.context["order_id"]))
    placed = order.placed_at if order is not None else send.created_at
    items = send.context["items"]
    again = bought_again(shop.id, send.customer_id, [item["product_id"] for item in items], placed)
    return [item for item in items if item["product_id"] not in again]


def _cards(shop, items: list[dict]) -> list[dict]:
    ids = [item["product_id"] for item in items]
    products = {
        p.id: p for p in db.session.scalars(select(Product).where(Product.shop_id == shop.id, Product.id.in_(ids)))
    }
    cards = []
    for item in items:
        product = products.get(item["product_id"])
        if product is None or not product.published or not item.get("variant_id"):
            continue
        cards.append(
            {
                "title": product.title,
                "image_url": product.image_url,
                "url": product.url,
                "price": str(product.price) if product.price is not None else None,
                "quantity": int(item.get("quantity") or 1),
                "variant_id": int(item["variant_id"]),
            }
        )
    return cards


def _context(shop, first_name, cards: list[dict]) -> dict:
    cart = ",".join(f"{card['variant_id']}:{card['quantity']}" for card in cards)
    return {
        "first_name": first_name,
        "products": cards,
        "reorder_url": f"{storefront_url(current_app.config, shop)}/cart/{cart}",
    }


def _sample_cards(shop) -> list[dict]:
    return [
        {
            "title": "Ground coffee, 250 g",
            "image_url": None,
            "url": None,
            "price": "14.00",
            "quantity": 2,
            "variant_id": 1,
        },
    ]


AUTOMATION = Replenishment()
