"""Repeat purchase: the journey after an order, at days 7, 14 and 28 (the merchant's `days`).

Day 7 asks how it is going, with care notes from each product's own description; day 14 shows
products picked for the customer by category affinity (what they bought's type and tags, never
what they own, bestsellers after); day 28 brings a gift code to come back. By default only a
first order starts it (`first_order_only`). A newer order ends the journey of the earlier one.
"""

from sqlalchemy import select

from app.automations import fields as f
from app.automations.base import Automation, Skip, Step, Trigger, customer_of, days, language
from app.customers.models import Customer, Order, OrderLine, Product
from app.extensions import db
from app.lifecycle.affinity import picked_for
from app.lifecycle.orders import later_order, numbered_orders
from app.lifecycle.planned import by_customer, unplanned

PICKED = 4
#: The gift email shows a couple of ideas, not a catalogue.
GIFT_IDEAS = 2


class RepeatPurchase(Automation):
    key = "repeat_purchase"
    title = {"en": "Repeat purchase journey", "vi": "Hành trình mua lại"}
    steps = (
        Step(
            "check_in",
            days("days", 0),
            "repeat_purchase/check_in",
            ("subject", 0),
            discount=None,
            label={"en": "How is it going?", "vi": "Bạn dùng có ưng không?"},
        ),
        Step(
            "picked",
            days("days", 1),
            "repeat_purchase/picked",
            ("subject", 1),
            discount=None,
            label={"en": "Picked for you", "vi": "Chọn riêng cho bạn"},
        ),
        Step(
            "gift",
            days("days", 2),
            "repeat_purchase/gift",
            ("subject", 2),
            label={"en": "A gift to come back", "vi": "Quà mời quay lại"},
        ),
    )
    default_subject = [
        {"en": "How are you getting on, {{ first_name }}?", "vi": "{{ first_name }} ơi, bạn dùng có ưng không?"},
        {"en": "Picked for you at {{ shop_name }}", "vi": "{{ shop_name }} chọn riêng cho bạn"},
        {"en": "A little gift to come back to {{ shop_name }}", "vi": "Quà nhỏ mời bạn quay lại {{ shop_name }}"},
    ]
    default_discount = 10
    priority = 50
    fields = (
        f.Numbers(
            "days",
            [7, 14, 28],
            {"en": "Days after the order, per email", "vi": "Số ngày sau đơn hàng, cho từng email"},
            min=1,
            max=120,
            length=3,
            increasing=True,
        ),
        f.Bool(
            "first_order_only", True, {"en": "Only after a customer's first order", "vi": "Chỉ sau đơn hàng đầu tiên"}
        ),
    )
    words = {
        "en": {
            "ordered": "the customer ordered again, which ends this journey",
            "no_products": "nothing to show: no products to pick",
        },
        "vi": {
            "ordered": "khách đã đặt đơn mới, chuỗi email này dừng lại",
            "no_products": "không có sản phẩm nào để gợi ý",
        },
    }

    def triggers(self, shop, values, window):
        number = 1 if values["first_order_only"] else None
        moments = numbered_orders(shop.id, window.since, window.until, number=number)
        for ref, moment in unplanned(window, moments, lambda m: str(m.order_id), by_customer):
            yield Trigger(
                ref=ref,
                at=moment.placed_at,
                recipient=moment.email.lower(),
                customer_id=moment.customer_id,
                locale=language(moment.locale, shop.locale),
                context={"order_id": moment.order_id},
            )

    def exit_reason(self, shop, send, values):
        if customer_of(shop, send.customer_id) is None:
            return "customer_gone"
        return "ordered" if later_order(shop.id, send.customer_id, send.context["order_id"]) else None

    def context(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        step = self.step_of(send).name
        products = _products(shop, step, send.customer_id, send.context["order_id"])
        if not products and step != "gift":
            raise Skip("no_products")
        return {"first_name": customer.first_name if customer else None, "products": products}

    def sample(self, shop, values, locale, customer_id, step):
        customer = customer_of(shop, customer_id)
        order_id = None
        if customer is None:  # the latest first-time buyer
            customer = db.session.scalar(
                select(Customer)
                .where(Customer.shop_id == shop.id, Customer.orders_count == 1, Customer.email.is_not(None))
                .order_by(Customer.last_order_at.desc())
                .limit(1)
            )
        if customer is not None:
            order_id = db.session.scalar(
                select(Order.id)
                .where(Order.shop_id == shop.id, Order.customer_id == customer.id)
                .order_by(Order.placed_at.desc())
                .limit(1)
            )
        send = self.sample_send(shop, step, customer, locale, str(order_id or "preview"), {"order_id": order_id})
        products = _products(shop, step.name, customer.id, order_id) if customer and order_id else []
        if not products:
            products = [_card(p) for p in _any_products(shop, PICKED if step.name == "picked" else 1)]
        return send, {"first_name": customer.first_name if customer else "Alex", "products": products}


def _products(shop, step: str, customer_id: int, order_id: int) -> list[dict]:
    if step == "check_in":
        return [_card(p, care=True) for p in _ordered(shop.id, order_id)]
    limit = PICKED if step == "picked" else GIFT_IDEAS
    return [_card(p) for p in picked_for(shop.id, customer_id, limit=limit)]


def _ordered(shop_id: int, order_id: int) -> list[Product]:
    """The order's products, in the order's own order."""
    rows = db.session.execute(
        select(Product, OrderLine.position)
        .join(OrderLine, (OrderLine.shop_id == Product.shop_id) & (OrderLine.product_id == Product.id))
        .where(OrderLine.shop_id == shop_id, OrderLine.order_id == order_id)
        .order_by(OrderLine.position)
    )
    seen, products = set(), []
    for product, _ in rows:
        if product.id not in seen:
            seen.add(product.id)
            products.append(product)
    return products


def _any_products(shop, limit: int) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.shop_id == shop.id, Product.published.is_(True), Product.in_stock.is_(True))
            .order_by(Product.id)
            .limit(limit)
        )
    )


def _card(product: Product, care: bool = False) -> dict:
    card = {
        "title": product.title,
        "image_url": product.image_url,
        "url": product.url,
        "price": str(product.price) if product.price is not None else None,
    }
    if care:
        card["care"] = product.excerpt or None
    return card


AUTOMATION = RepeatPurchase()
