"""Webhook bodies in the REST shape Shopify sends (2026 versions), key for key like its published samples.

Checkouts carry `token` and no `id`; orders carry `checkout_token` and no `checkout_id`; customer
bodies carry no `email_marketing_consent` (that has its own topic). Times are in the shop's zone.
"""

from __future__ import annotations

from decimal import Decimal

from .models import Address, Checkout, Customer, LineItem, Order, Product, gid

ZERO = Decimal(0)


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def money_set(amount: Decimal, currency: str) -> dict:
    pair = {"amount": money(amount), "currency_code": currency}
    return {"shop_money": pair, "presentment_money": dict(pair)}


def _address(a: Address | None) -> dict | None:
    if a is None:
        return None
    return {
        "first_name": a.first_name,
        "address1": a.address1,
        "phone": a.phone,
        "city": a.city,
        "zip": a.zip,
        "province": a.province,
        "country": a.country,
        "last_name": a.last_name,
        "address2": a.address2,
        "company": a.company,
        "latitude": None,
        "longitude": None,
        "name": f"{a.first_name} {a.last_name}".strip(),
        "country_code": a.country_code,
        "province_code": a.province_code,
    }


def _default_address(c: Customer) -> dict | None:
    a = c.address
    if a is None:
        return None
    return {
        "id": c.id + 1,
        "customer_id": c.id,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "company": a.company,
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "province": a.province,
        "country": a.country,
        "zip": a.zip,
        "phone": a.phone,
        "name": f"{a.first_name} {a.last_name}".strip(),
        "province_code": a.province_code,
        "country_code": a.country_code,
        "country_name": a.country,
        "default": True,
    }


def _customer_core(shop, c: Customer) -> dict:
    return {
        "id": c.id,
        "created_at": shop.local(c.created_at),
        "updated_at": shop.local(c.updated_at),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "state": "disabled",
        "note": c.note,
        "verified_email": True,
        "multipass_identifier": None,
        "tax_exempt": False,
        "email": c.email,
        "phone": c.phone,
        "currency": shop.currency,
    }


def customer(shop, c: Customer) -> dict:
    """customers/create and customers/update."""
    return {
        **_customer_core(shop, c),
        "addresses": [a for a in [_default_address(c)] if a],
        "tax_exemptions": [],
        "admin_graphql_api_id": gid(c),
        "default_address": _default_address(c),
        "metafields": [dict(m) for m in c.metafields],
    }


def _nested_customer(shop, c: Customer | None) -> dict | None:
    if c is None:
        return None
    return {
        **_customer_core(shop, c),
        "tax_exemptions": [],
        "admin_graphql_api_id": gid(c),
        "default_address": _default_address(c),
    }


def consent(c: Customer, shop) -> dict:
    """customers_email_marketing_consent/update."""
    return {
        "customer_id": c.id,
        "email_address": c.email,
        "email_marketing_consent": {
            "state": c.marketing_state.lower(),
            "opt_in_level": c.opt_in_level.lower() if c.opt_in_level else None,
            "consent_updated_at": shop.local(c.consent_updated_at) if c.consent_updated_at else None,
        },
    }


def _order_line(li: LineItem, currency: str) -> dict:
    v = li.variant
    return {
        "id": li.id,
        "admin_graphql_api_id": gid(li),
        "attributed_staffs": [],
        "current_quantity": li.quantity,
        "fulfillable_quantity": li.quantity,
        "fulfillment_service": "manual",
        "fulfillment_status": None,
        "gift_card": False,
        "grams": v.grams,
        "name": _line_name(li),
        "price": money(v.price),
        "price_set": money_set(v.price, currency),
        "product_exists": True,
        "product_id": v.product.id,
        "properties": [],
        "quantity": li.quantity,
        "requires_shipping": True,
        "sales_line_item_group_id": None,
        "sku": v.sku,
        "taxable": True,
        "title": v.product.title,
        "total_discount": "0.00",
        "total_discount_set": money_set(ZERO, currency),
        "variant_id": v.id,
        "variant_inventory_management": "shopify",
        "variant_title": _variant_title(li),
        "vendor": v.product.vendor,
        "tax_lines": [],
        "duties": [],
        "discount_allocations": [],
    }


def _variant_title(li: LineItem) -> str | None:
    return None if li.variant.title == "Default Title" else li.variant.title


def _line_name(li: LineItem) -> str:
    vt = _variant_title(li)
    return f"{li.variant.product.title} - {vt}" if vt else li.variant.product.title


def order(shop, o: Order) -> dict:
    """orders/create, orders/updated, orders/paid and orders/cancelled."""
    cur, sub, total = o.currency, o.subtotal, o.total
    zero = money_set(ZERO, cur)
    return {
        "id": o.id,
        "admin_graphql_api_id": gid(o),
        "app_id": 580111,
        "browser_ip": None,
        "buyer_accepts_marketing": o.buyer_accepts_marketing,
        "cancel_reason": o.cancel_reason,
        "cancelled_at": shop.local(o.cancelled_at),
        "cart_token": None,
        "checkout_token": o.checkout_token,
        "client_details": None,
        "closed_at": shop.local(o.closed_at),
        "confirmation_number": o.token[:9].upper(),
        "confirmed": True,
        "contact_email": o.email,
        "created_at": shop.local(o.created_at),
        "currency": cur,
        "current_shipping_price_set": zero,
        "current_subtotal_price": money(total),
        "current_subtotal_price_set": money_set(total, cur),
        "current_total_additional_fees_set": None,
        "current_total_discounts": money(o.discount),
        "current_total_discounts_set": money_set(o.discount, cur),
        "current_total_duties_set": None,
        "current_total_price": money(total),
        "current_total_price_set": money_set(total, cur),
        "current_total_tax": "0.00",
        "current_total_tax_set": zero,
        "customer_locale": o.customer_locale,
        "device_id": None,
        "discount_codes": [{"code": c, "amount": money(o.discount), "type": "percentage"} for c in o.discount_codes],
        "duties_included": False,
        "email": o.email,
        "estimated_taxes": False,
        "financial_status": o.financial_status.lower(),
        "fulfillment_status": None,
        "landing_site": None,
        "landing_site_ref": None,
        "location_id": None,
        "merchant_business_entity_id": "MTAwMDAwMDAx",
        "merchant_of_record_app_id": None,
        "name": o.name,
        "note": None,
        "note_attributes": [],
        "number": o.number - 1000,
        "order_number": o.number,
        "order_status_url": f"{shop.storefront_url}/orders/{o.token}/authenticate?key={o.token}",
        "original_total_additional_fees_set": None,
        "original_total_duties_set": None,
        "payment_gateway_names": ["bogus"],
        "phone": None,
        "po_number": None,
        "presentment_currency": cur,
        "processed_at": shop.local(o.created_at),
        "reference": None,
        "referring_site": None,
        "source_identifier": None,
        "source_name": "web",
        "source_url": None,
        "subtotal_price": money(total),
        "subtotal_price_set": money_set(total, cur),
        "tags": "",
        "tax_exempt": False,
        "tax_lines": [],
        "taxes_included": False,
        "test": False,
        "token": o.token,
        "total_cash_rounding_payment_adjustment_set": zero,
        "total_cash_rounding_refund_adjustment_set": zero,
        "total_discounts": money(o.discount),
        "total_discounts_set": money_set(o.discount, cur),
        "total_line_items_price": money(sub),
        "total_line_items_price_set": money_set(sub, cur),
        "total_outstanding": "0.00" if o.financial_status == "PAID" else money(total),
        "total_price": money(total),
        "total_price_set": money_set(total, cur),
        "total_shipping_price_set": zero,
        "total_tax": "0.00",
        "total_tax_set": zero,
        "total_tip_received": "0.00",
        "total_weight": sum(li.variant.grams * li.quantity for li in o.line_items),
        "updated_at": shop.local(o.updated_at),
        "user_id": None,
        "billing_address": _address(o.customer.address if o.customer else None),
        "customer": _nested_customer(shop, o.customer),
        "discount_applications": [],
        "fulfillments": [],
        "line_items": [_order_line(li, cur) for li in o.line_items],
        "payment_terms": None,
        "refunds": [],
        "shipping_address": _address(o.customer.address if o.customer else None),
        "shipping_lines": [],
        "returns": [],
        "line_item_groups": [],
    }


def _checkout_line(li: LineItem, currency: str) -> dict:
    v = li.variant
    return {
        "applied_discounts": [],
        "discount_allocations": [],
        "key": f"{li.id:x}",
        "destination_location_id": None,
        "fulfillment_service": "manual",
        "gift_card": False,
        "grams": v.grams,
        "origin_location_id": None,
        "presentment_title": v.product.title,
        "presentment_variant_title": _variant_title(li),
        "product_id": v.product.id,
        "properties": None,
        "quantity": li.quantity,
        "requires_shipping": True,
        "sku": v.sku,
        "tax_lines": [],
        "taxable": True,
        "title": v.product.title,
        "variant_id": v.id,
        "variant_title": _variant_title(li),
        "variant_price": money(v.price),
        "vendor": v.product.vendor,
        "user_id": None,
        "unit_price_measurement": {
            "measured_type": None,
            "quantity_value": None,
            "quantity_unit": None,
            "reference_value": None,
            "reference_unit": None,
        },
        "rank": None,
        "compare_at_price": None,
        "line_price": money(v.price * li.quantity),
        "price": money(v.price),
    }


def recover_url(shop, c: Checkout) -> str:
    """The buyer's way back to a checkout; GraphQL's `abandonedCheckoutUrl` is the same string."""
    return f"{shop.storefront_url}/checkouts/{c.token}/recover?key={c.recover_key}"


def checkout(shop, c: Checkout) -> dict:
    """checkouts/create and checkouts/update."""
    sub = c.subtotal
    return {
        "token": c.token,
        "cart_token": c.cart_token,
        "email": c.email,
        "gateway": None,
        "buyer_accepts_marketing": c.buyer_accepts_marketing,
        "created_at": shop.local(c.created_at),
        "updated_at": shop.local(c.updated_at),
        "landing_site": "/",
        "note": None,
        "note_attributes": [],
        "referring_site": None,
        "shipping_lines": [],
        "taxes_included": False,
        "total_weight": sum(li.variant.grams * li.quantity for li in c.line_items),
        "currency": c.currency,
        "completed_at": shop.local(c.completed_at),
        "closed_at": None,
        "user_id": None,
        "location_id": None,
        "source_identifier": None,
        "source_url": None,
        "device_id": None,
        "phone": None,
        "customer_locale": c.customer_locale,
        "line_items": [_checkout_line(li, c.currency) for li in c.line_items],
        "name": c.name,
        "source": None,
        "abandoned_checkout_url": recover_url(shop, c),
        "discount_codes": [],
        "tax_lines": [],
        "source_name": "web",
        "presentment_currency": c.currency,
        "buyer_accepts_sms_marketing": False,
        "sms_marketing_phone": None,
        "total_discounts": "0.00",
        "total_line_items_price": money(sub),
        "total_price": money(sub),
        "total_tax": "0.00",
        "subtotal_price": money(sub),
        "total_duties": None,
        "reservation_token": None,
        "billing_address": _address(c.address),
        "shipping_address": _address(c.address),
        "customer": _nested_customer(shop, c.customer),
    }


def product(shop, p: Product) -> dict:
    """products/update."""
    return {
        "admin_graphql_api_id": gid(p),
        "body_html": p.description,
        "created_at": shop.local(p.created_at),
        "handle": p.handle,
        "id": p.id,
        "product_type": p.product_type,
        "published_at": shop.local(p.created_at) if p.published else None,
        "template_suffix": None,
        "title": p.title,
        "updated_at": shop.local(p.updated_at),
        "vendor": p.vendor,
        "status": p.status.lower(),
        "published_scope": "web",
        "tags": ", ".join(p.tags),
        "variants": [
            {
                "admin_graphql_api_id": gid(v),
                "barcode": None,
                "compare_at_price": None,
                "created_at": shop.local(p.created_at),
                "id": v.id,
                "inventory_policy": "deny",
                "position": i,
                "price": money(v.price),
                "product_id": p.id,
                "sku": v.sku,
                "taxable": True,
                "title": v.title,
                "updated_at": shop.local(p.updated_at),
                "option1": v.title,
                "option2": None,
                "option3": None,
                "image_id": None,
                "inventory_item_id": v.id + 1,
                "inventory_quantity": v.inventory,
                "old_inventory_quantity": v.inventory,
            }
            for i, v in enumerate(p.variants, 1)
        ],
        "options": [],
        "images": [],
        "image": None,
        "media": [],
        "variant_gids": [{"admin_graphql_api_id": gid(v), "updated_at": shop.utc(p.updated_at)} for v in p.variants],
        "has_variants_that_requires_components": False,
        "category": None,
    }


def shop_body(shop) -> dict:
    """app/uninstalled carries the shop itself."""
    a = shop.address
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "domain": shop.domain,
        "province": a.province,
        "country": a.country_code,
        "address1": a.address1,
        "zip": a.zip,
        "city": a.city,
        "source": None,
        "phone": a.phone,
        "latitude": None,
        "longitude": None,
        "primary_locale": shop.locale,
        "address2": a.address2,
        "created_at": shop.local(shop.created_at),
        "updated_at": shop.local(shop.created_at),
        "country_code": a.country_code,
        "country_name": a.country,
        "currency": shop.currency,
        "customer_email": shop.email,
        "timezone": shop.timezone_label,
        "iana_timezone": shop.timezone,
        "shop_owner": shop.owner,
        "money_format": shop.money_format,
        "money_with_currency_format": f"{shop.money_format} {shop.currency}",
        "weight_unit": "kg",
        "province_code": a.province_code,
        "taxes_included": shop.currency == "VND",
        "auto_configure_tax_inclusivity": None,
        "tax_shipping": None,
        "county_taxes": None,
        "plan_display_name": "Basic",
        "plan_name": "basic",
        "has_discounts": True,
        "has_gift_cards": False,
        "myshopify_domain": shop.domain,
        "google_apps_domain": None,
        "google_apps_login_enabled": None,
        "money_in_emails_format": shop.money_format,
        "money_with_currency_in_emails_format": f"{shop.money_format} {shop.currency}",
        "eligible_for_payments": True,
        "requires_extra_payments_agreement": False,
        "password_enabled": False,
        "has_storefront": True,
        "finances": True,
        "primary_location_id": shop.id + 7,
        "checkout_api_supported": True,
        "multi_location_enabled": False,
        "setup_required": False,
        "pre_launch_enabled": False,
        "enabled_presentment_currencies": [shop.currency],
        "marketing_sms_consent_enabled_at_checkout": False,
        "transactional_sms_disabled": False,
    }


def bulk_finish(shop, op) -> dict:
    return {
        "admin_graphql_api_id": gid(op),
        "completed_at": shop.local(op.completed_at),
        "created_at": shop.local(op.created_at),
        "error_code": op.error_code.lower() if op.error_code else None,
        "status": op.status.lower(),
        "type": "query",
    }


def compliance(shop, topic: str, c: Customer | None) -> dict:
    """customers/data_request, customers/redact and shop/redact."""
    body = {"shop_id": shop.id, "shop_domain": shop.domain}
    if topic == "shop/redact":
        return body
    body["customer"] = {"id": c.id, "email": c.email, "phone": c.phone}
    order_ids = [o.id for o in c.orders]
    if topic == "customers/redact":
        body["orders_to_redact"] = order_ids
    else:
        body["orders_requested"] = order_ids
        body["data_request"] = {"id": shop.next_id()}
    return body
