"""Merchant-written texts (subjects, any text setting): plain text with a fixed list of placeholders.

A merchant's text is data, never a template: running it through Jinja let one subject
(`{{ 'a'*30000000 }}`, nested loops) stall every worker and web process, and
`{{ track('https://evil.example') }}` mint an app-signed redirect anywhere. So the only
thing ever done to such a text is replacing the placeholders below with their values.
"""

import re

from app.text import UNSAFE

#: What a merchant may write (INTERFACE.md: `GET /api/automations/<key>/fields` names them).
PLACEHOLDERS = ("first_name", "shop_name")
_PLACEHOLDER = re.compile(r"\{\{\s*(" + "|".join(PLACEHOLDERS) + r")\s*\}\}")
#: Any other template syntax is refused when the text is saved.
_TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")


def problem(text: str) -> str | None:
    """Why `text` is not a valid merchant text ("template" or "control"), or None.

    The one rule for every merchant text; `app.automations.fields` words it for the merchant."""
    if _TEMPLATE_SYNTAX.search(_PLACEHOLDER.sub("", text)):
        return "template"
    if UNSAFE.search(text):
        return "control"
    return None


def fill(text: str, values: dict) -> str:
    """`text` with each placeholder replaced by its value (missing or None: nothing).

    Anything else is kept as written, so a text saved before this rule shows its braces
    rather than running."""
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1)) or ""), text)
