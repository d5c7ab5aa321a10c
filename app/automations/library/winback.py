"""Win-back: a customer whose last order is `after_days` old gets one email per lapse.

The lapse is named by the last order's id, so a customer who comes back, buys and
lapses again gets a new email, while one lapse never gets two. The email shows the
shop's bestsellers minus what this customer already bought.

With `timing` "predicted" the lapse is due when the shop's purchase model says the customer's
chance of still buying (p_alive) falls below `p_alive_below`, and never sooner than 30 days after
the last order: a weekly buyer is chased after weeks, a yearly one not before a year. The trigger
is then that moment itself (the step's delay is zero). A customer the model cannot judge (no
fitted model yet, or a single day of purchases, whose p_alive the model keeps at 1) is due by
`after_days` as with "days".
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app import predictions
from app.automations import fields as f
from app.automations.base import Automation, Skip, Step, Trigger, customer_of, language
from app.customers.models import Customer, Order, Product
from app.customers.queries import bestsellers
from app.extensions import db
from app.shops.domains import storefront_url

#: Fewer bestsellers than this and the email is not worth sending.
MIN_PRODUCTS = 2
DAYS, PREDICTED = "days", "predicted"
#: Predicted timing looks at lapses whose last order is at most this old (after_days' own maximum):
#: a customer gone longer than that is past chasing, and the scan stays bounded.
PREDICTED_HORIZON = timedelta(days=730)


def lapse_delay(values: dict) -> timedelta:
    """By days: `after_days` after the last order. Predicted: the trigger is the due moment itself."""
    return timedelta(0) if values["timing"] == PREDICTED else timedelta(days=values["after_days"])


class Winback(Automation):
    key = "winback"
    steps = (Step("lapse", lapse_delay, "winback"),)
    title = {"en": "Win-back", "vi": "Khách hàng quay lại"}
    default_subject = {
        "en": "It's been a while: here are our bestsellers",
        "vi": "Đã lâu không gặp: sản phẩm bán chạy dành cho bạn",
    }
    fields = (
        f.Int("after_days", 180, {"en": "Days since the last order", "vi": "Số ngày kể từ đơn hàng cuối"}, 30, 730),
        f.Int("bestsellers_count", 4, {"en": "Bestsellers shown", "vi": "Số sản phẩm bán chạy"}, MIN_PRODUCTS, 8),
        f.Int(
            "bestsellers_days",
            90,
            {"en": "Bestsellers over the last (days)", "vi": "Bán chạy trong (ngày) gần nhất"},
            7,
            365,
        ),
        f.Choice(
            "timing",
            DAYS,
            {"en": "When to send", "vi": "Thời điểm gửi"},
            choices={
                DAYS: {
                    "en": "A fixed number of days after the last order",
                    "vi": "Sau một số ngày cố định kể từ đơn hàng cuối",
                },
                PREDICTED: {
                    "en": "Predicted: when the customer has probably stopped buying",
                    "vi": "Theo dự đoán: khi khách có vẻ đã thôi mua",
                },
            },
            help={
                "en": "By days, every customer hears from you the same number of days after their last order. "
                "Predicted: the purchase model learns each customer's own rhythm from your order history, so a "
                "weekly buyer is written to after a few weeks and a once-a-year buyer not before a year, and never "
                "sooner than 30 days after the last order. Until the model has enough history, and for customers "
                "who bought only once, the days above apply.",
                "vi": "Theo số ngày: khách nào cũng nhận email sau cùng một số ngày kể từ đơn cuối. Theo dự đoán: "
                "mô hình học nhịp mua riêng của từng khách từ lịch sử đơn hàng của shop, nên khách mua hằng tuần "
                "sẽ nhận email sau vài tuần, còn khách mỗi năm mua một lần thì phải khoảng một năm sau, và không "
                "bao giờ sớm hơn 30 ngày kể từ đơn cuối. Khi mô hình chưa đủ dữ liệu, và với khách mới mua một "
                "lần, shop vẫn gửi theo số ngày ở trên.",
            },
        ),
        f.Fraction(
            "p_alive_below",
            0.3,
            {
                "en": "Predicted: send once the chance they still buy falls below (0–1)",
                "vi": "Dự đoán: gửi khi khả năng khách còn mua xuống dưới (0–1)",
            },
            0.0,
            1.0,
        ),
    )
    words = {
        "en": {
            "ordered": "the customer ordered",
            "no_products": "there were too few products to show",
        },
        "vi": {
            "ordered": "khách hàng đã đặt hàng",
            "no_products": "không đủ sản phẩm để hiển thị",
        },
    }

    def triggers(self, shop, values, window):
        if values["timing"] == PREDICTED:
            yield from self._predicted(shop, values, window)
            return
        last_order = _lapse_order()
        query = select(Customer.id, Customer.email, Customer.locale, Customer.last_order_at, last_order).where(
            Customer.shop_id == shop.id,
            Customer.last_order_at > window.since,
            Customer.last_order_at <= window.until,
            Customer.email.is_not(None),
            # The customer's figures are rewritten with each of their orders (and its cancellation).
            window.changed(Customer.changed_at),
            window.unplanned(last_order),
        )
        for customer_id, email, locale, last_order_at, order_id in db.session.execute(query):
            if order_id is None:
                continue
            yield _trigger(shop, customer_id, email, locale, last_order_at, order_id)

    def _predicted(self, shop, values, window):
        """Lapses whose predicted moment (or, unjudged, `after_days`) falls in the window."""
        last_order = _lapse_order()
        query = select(
            Customer.id,
            Customer.email,
            Customer.locale,
            Customer.last_order_at,
            Customer.first_order_at,
            Customer.orders_count,
            last_order,
        ).where(
            Customer.shop_id == shop.id,
            Customer.last_order_at > window.since - PREDICTED_HORIZON,
            Customer.last_order_at <= window.until - predictions.MIN_LAPSE,
            Customer.email.is_not(None),
            window.unplanned(last_order),
        )
        rows = [row for row in db.session.execute(query) if row[-1] is not None]
        due = predictions.lapse_dues(
            shop, {row[0]: (row[3], row[4], row[5]) for row in rows}, values["p_alive_below"], window.until
        )
        by_days = timedelta(days=values["after_days"])
        for customer_id, email, locale, last_order_at, _first, _count, order_id in rows:
            moment = due.get(customer_id) or last_order_at + by_days
            if window.since < moment <= window.until:
                yield _trigger(shop, customer_id, email, locale, moment, order_id)

    def exit_reason(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        if customer is None:
            return "customer_gone"
        lapse = db.session.get(Order, (shop.id, send.context["last_order_id"]))
        newer = select(Order.id).where(
            Order.shop_id == shop.id, Order.customer_id == customer.id, Order.id != send.context["last_order_id"]
        )
        if lapse is not None:
            newer = newer.where(Order.placed_at >= lapse.placed_at)
        if db.session.scalar(newer.limit(1)) is not None:
            return "ordered"
        return None

    def context(self, shop, send, values):
        products = _bestsellers(shop, values, send.customer_id)
        if len(products) < MIN_PRODUCTS:
            raise Skip("no_products")
        customer = customer_of(shop, send.customer_id)
        return _context(customer.first_name if customer else None, products)

    def sample(self, shop, values, locale, customer_id, step):
        if customer_id is None:
            customer = db.session.scalar(
                select(Customer)
                .where(Customer.shop_id == shop.id, Customer.last_order_at.is_not(None))
                .order_by(Customer.last_order_at.desc())
                .limit(1)
            )
        else:
            customer = customer_of(shop, customer_id)
        products = _bestsellers(shop, values, customer.id if customer else None)
        if len(products) < MIN_PRODUCTS:
            products = list(
                db.session.scalars(
                    select(Product)
                    .where(Product.shop_id == shop.id, Product.published.is_(True))
                    .limit(values["bestsellers_count"])
                )
            ) or _sample_products(shop)
        send = self.sample_send(shop, step, customer, locale)
        return send, _context(customer.first_name if customer else "Alex", products)


def _lapse_order():
    """The order that set the customer's last_order_at: it names the lapse. An order newer than
    the customer's row (not yet folded in) must not start a lapse of its own, timed by the older date."""
    return (
        select(Order.id)
        .where(
            Order.shop_id == Customer.shop_id,
            Order.customer_id == Customer.id,
            Order.placed_at == Customer.last_order_at,
            Order.cancelled_at.is_(None),
        )
        .order_by(Order.id.desc())
        .limit(1)
        .correlate(Customer)
        .scalar_subquery()
    )


def _trigger(shop, customer_id, email, locale, at, order_id) -> Trigger:
    return Trigger(
        ref=str(order_id),
        at=at,
        recipient=email.lower(),
        customer_id=customer_id,
        locale=language(locale, shop.locale),
        context={"last_order_id": order_id},
    )


def _bestsellers(shop, values: dict, customer_id: int | None) -> list[Product]:
    return bestsellers(
        shop.id, days=values["bestsellers_days"], limit=values["bestsellers_count"], exclude_customer_id=customer_id
    )


def _context(first_name: str | None, products: list[Product]) -> dict:
    return {
        "first_name": first_name,
        "products": [
            {
                "title": p.title,
                "image_url": p.image_url,
                "url": p.url,
                "price": str(p.price) if p.price is not None else None,
            }
            for p in products
        ],
    }


def _sample_products(shop) -> list[Product]:
    base = f"{storefront_url(current_app.config, shop)}/products/"
    return [
        Product(shop_id=shop.id, id=0, title=title, price=price, url=base + handle, image_url=None)
        for title, price, handle in (
            ("Linen shirt", "49.00", "linen-shirt"),
            ("Canvas tote", "18.00", "canvas-tote"),
            ("Wool beanie", "22.00", "wool-beanie"),
            ("Leather wallet", "39.00", "leather-wallet"),
        )
    ]


AUTOMATION = Winback()
