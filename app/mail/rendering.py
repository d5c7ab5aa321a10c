"""Rendering an email template for one recipient: HTML (compiled MJML) and plain text.

Both halves are Jinja with the same context. The HTML half autoescapes (customer
names and product titles come from the store, i.e. from strangers); the text half
does not, since it is never parsed as HTML. Money and dates follow the email's
language: `250.000 ₫`, `$25.00` (Babel), `November 29, 2026`, `ngày 29 tháng 11 năm 2026`.
"""

import os
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency
from flask import current_app
from jinja2 import Environment, FileSystemLoader, Template, pass_context
from markupsafe import Markup

from app import clock
from app.mail import compiler

LANGUAGES = ("en", "vi")

_html_templates: dict[tuple[str, str], tuple[tuple, Template]] = {}
_text_envs: dict[str, Environment] = {}


def language(*candidates: str | None) -> str:
    """The first supported language among `candidates` ("vi-VN" -> "vi"), else English."""
    for candidate in candidates:
        code = (candidate or "").replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def money_text(amount, currency: str, lang: str) -> str:
    return _money_text(str(amount), currency, lang)


@lru_cache(maxsize=4096)
def _money_text(amount: str, currency: str, lang: str) -> str:
    # Cached: Babel takes ~80 µs a call, and a shop's prices repeat across thousands of emails.
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError):
        return amount
    # Babel puts a no-break space between amount and symbol; the text part gets a plain one.
    return format_currency(value, currency, locale=lang).replace("\xa0", " ")


@pass_context
def _money(context, amount, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    return money_text(amount, currency or context.get("currency") or "USD", context.get("lang", "en"))


@pass_context
def _money_html(context, amount, currency: str | None = None) -> Markup:
    # One unbreakable unit, so "250.000" and "₫" never end up on two lines.
    return Markup('<span style="white-space:nowrap">%s</span>') % _money(context, amount, currency)


@pass_context
def _date(context, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = clock.parse_iso(value)
        if value is None:
            return ""
    if isinstance(value, datetime):
        zone = ZoneInfo(context.get("timezone") or "UTC")
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        value = aware.astimezone(zone).date()
    return long_date(value, context.get("lang", "en"))


def long_date(day: date, lang: str) -> str:
    """A date as it reads mid-sentence. Babel's Vietnamese "7 tháng 12, 2024" is a form no
    Vietnamese shop writes; they write "ngày 7 tháng 12 năm 2024" (lower-case: templates put it
    after "vào", "đến hết" and the like, never first in a sentence)."""
    if lang == "vi":
        return f"ngày {day.day} tháng {day.month} năm {day.year}"
    return format_date(day, "long", locale=lang)


def _environment(autoescape: bool, loader=None) -> Environment:
    # Lenient about missing keys: an item without an image must not stop a send.
    env = Environment(
        autoescape=autoescape, loader=loader, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )
    env.filters.update(money=_money_html if autoescape else _money, date=_date)
    return env


_html_env = _environment(autoescape=True)


def emails_folder() -> str:
    return os.path.join(current_app.root_path, current_app.template_folder, "emails")


def render(template: str, lang: str, context: dict) -> tuple[str, str]:
    """(html, text) of `templates/emails/<template>/<lang>.{mjml,txt}` for this context."""
    folder = emails_folder()
    text_env = _text_envs.get(folder)
    if text_env is None:
        text_env = _text_envs[folder] = _environment(False, FileSystemLoader(folder))
    context = {**context, "lang": lang}
    html = _html_template(folder, template, lang).render(context)
    text = text_env.get_template(f"{template}/{lang}.txt").render(context)
    return html, text


def _html_template(folder: str, template: str, lang: str) -> Template:
    """The compiled template, recompiled only when one of its files changed."""
    cached = _html_templates.get((template, lang))
    if cached is not None and all(os.stat(path).st_mtime_ns == stamp for path, stamp in cached[0]):
        return cached[1]
    source, files = compiler.expand(os.path.join(folder, template, f"{lang}.mjml"))
    cache_dir = os.path.join(current_app.instance_path, "mjml-cache")
    compiled = _html_env.from_string(compiler.compile_source(source, cache_dir))
    _html_templates[(template, lang)] = (tuple((path, os.stat(path).st_mtime_ns) for path in files), compiled)
    return compiled
