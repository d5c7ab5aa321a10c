"""The kinds of setting an automation can declare, each with its own validation.

A field knows its name, default, bounds and label (en + vi); `clean(value, current, shop)` returns
the value to store or raises `FieldError`, whose message exists in both languages so the API
can answer the merchant in theirs. The settings page draws a field from `as_json(shop, value)` by
`type`: with a shop, a field may add what that shop's own data says (the figures the shop's orders
suggest, beside the merchant's own), so the merchant can see and correct them.

Types: "bool", "int", "text" (one string per language), "subjects" (a list with one
{"en","vi"} object per step), "numbers" (a list of whole numbers), "product_numbers" (a store
product id, as a string, → a whole number), "url" (https or http, or empty), "choice" (one of
a fixed set of words, each labelled in both languages), "fraction" (a number between two bounds,
e.g. a probability).
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from app.customers.models import Product
from app.extensions import db
from app.mail import placeholders
from app.mail.rendering import LANGUAGES

#: Placeholders a merchant may write in a text; any other Jinja is refused (INTERFACE.md).
PLACEHOLDERS = placeholders.PLACEHOLDERS
_PRODUCT_ID = re.compile(r"[1-9][0-9]{0,18}")


class FieldError(ValueError):
    """A refused value; `words` holds the message in every language of the settings page."""

    def __init__(self, en: str, vi: str):
        super().__init__(en)
        self.words = {"en": en, "vi": vi}

    def say(self, locale: str) -> str:
        return self.words.get(locale) or self.words["en"]


@dataclass(frozen=True)
class Field:
    """Base of every field type; `type` names it for the page and the API."""

    name: str
    default: Any
    label: dict
    type: str = field(default="", init=False)
    #: {"en","vi"}: a sentence or two in plain words (optional; drawn under a number or a choice).
    help: dict = field(default_factory=dict, kw_only=True)

    def as_json(self, shop=None, value: Any = None) -> dict:
        """The form description; `shop` and its current `value` let a field add the shop's own data."""
        described = {"help": dict(self.help)} if self.help else {}
        return {"name": self.name, "type": self.type, "default": self.default, "label": dict(self.label), **described}

    def clean(self, value: Any, current: Any, shop) -> Any:
        """The value to store for `shop` (whose data a check may need), or raise FieldError."""
        raise NotImplementedError


@dataclass(frozen=True)
class Bool(Field):
    type: str = field(default="bool", init=False)

    def clean(self, value, current, shop):
        if not isinstance(value, bool):
            raise FieldError(f"{self.name} must be true or false", f"{self.name} phải là true hoặc false")
        return value


@dataclass(frozen=True)
class Int(Field):
    min: int = 0
    max: int = 100
    type: str = field(default="int", init=False)

    def as_json(self, shop=None, value=None) -> dict:
        return {**super().as_json(shop, value), "min": self.min, "max": self.max}

    def clean(self, value, current, shop):
        return _whole(self.name, value, self.min, self.max)


@dataclass(frozen=True)
class Text(Field):
    """One text per language; a change may name only some languages (the others stay)."""

    min: int = 1
    max: int = 150
    type: str = field(default="text", init=False)

    def as_json(self, shop=None, value=None) -> dict:
        return {**super().as_json(shop, value), "min": self.min, "max": self.max, "placeholders": list(PLACEHOLDERS)}

    def clean(self, value, current, shop):
        return _texts(self.name, value, current, self.min, self.max)


@dataclass(frozen=True)
class Subjects(Field):
    """One {"en","vi"} subject per step of a journey, in step order."""

    min: int = 1
    max: int = 150
    type: str = field(default="subjects", init=False)

    def as_json(self, shop=None, value=None) -> dict:
        return {**super().as_json(shop, value), "min": self.min, "max": self.max, "placeholders": list(PLACEHOLDERS)}

    def clean(self, value, current, shop):
        if not isinstance(value, list) or len(value) != len(current):
            raise FieldError(
                f"{self.name} must be a list of {len(current)} subjects, one per email",
                f"{self.name} phải là danh sách {len(current)} tiêu đề, mỗi email một tiêu đề",
            )
        # {} for a step leaves its subject as it is.
        return [
            _texts(f"{self.name}[{number}]", each, now, self.min, self.max) if each != {} else now
            for number, (each, now) in enumerate(zip(value, current, strict=True))
        ]


@dataclass(frozen=True)
class Numbers(Field):
    """A list of whole numbers within bounds; `increasing` asks for each to be larger than the last."""

    min: int = 0
    max: int = 365
    length: int | None = None
    increasing: bool = False
    type: str = field(default="numbers", init=False)

    def as_json(self, shop=None, value=None) -> dict:
        return {**super().as_json(shop, value), "min": self.min, "max": self.max, "length": self.length}

    def clean(self, value, current, shop):
        if not isinstance(value, list) or not value or (self.length and len(value) != self.length):
            count = self.length or "one or more"
            raise FieldError(
                f"{self.name} must be a list of {count} whole numbers",
                f"{self.name} phải là danh sách {self.length or 'một hoặc nhiều'} số nguyên",
            )
        numbers = [_whole(f"{self.name}[{n}]", each, self.min, self.max) for n, each in enumerate(value)]
        if self.increasing and any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
            raise FieldError(
                f"{self.name} must increase from one to the next", f"{self.name} phải tăng dần từ số này sang số sau"
            )
        return numbers


@dataclass(frozen=True)
class ProductNumbers(Field):
    """A store product id (numeric, as a string) → a whole number; the whole map is replaced, and
    every product named must be one of the shop's.

    `suggested(shop) -> {product id: n}`: the figure the shop's own data gives a product (e.g. a
    usage period learned from repeat purchases), labelled `suggested_label`. With a shop, the form
    description lists `rows`: each product with a suggestion or a merchant's value, by title, with
    both side by side ("suggested": n or None, "value": the merchant's n or None).
    """

    min: int = 0
    max: int = 365
    suggested: Callable[[Any], dict[int, int]] | None = None
    suggested_label: dict = field(default_factory=dict)
    type: str = field(default="product_numbers", init=False)

    def as_json(self, shop=None, value=None) -> dict:
        described = {**super().as_json(shop, value), "min": self.min, "max": self.max}
        if self.suggested_label:
            described["suggested_label"] = dict(self.suggested_label)
        if shop is not None:
            described["rows"] = self.rows(shop, value or {})
        return described

    def rows(self, shop, value: dict) -> list[dict]:
        """The shop's products with a suggestion or a merchant's number, by title."""
        suggested = self.suggested(shop) if self.suggested else {}
        ids = sorted(set(suggested) | {int(key) for key in value})
        titles = _titles(shop, ids)
        rows = [
            {
                "id": str(product_id),
                "title": titles.get(product_id),
                "suggested": suggested.get(product_id),
                "value": value.get(str(product_id)),
            }
            for product_id in ids
        ]
        # Products the merchant reads by name; one the store no longer has goes last.
        return sorted(rows, key=lambda row: (row["title"] is None, (row["title"] or "").casefold(), int(row["id"])))

    def clean(self, value, current, shop):
        if not isinstance(value, dict):
            raise FieldError(
                f"{self.name} must be an object of product id → number",
                f"{self.name} phải là một đối tượng mã sản phẩm → số",
            )
        cleaned = {}
        for key, number in value.items():
            if not isinstance(key, str) or not _PRODUCT_ID.fullmatch(key):
                raise FieldError(
                    f"{self.name}: {key!r} is not a product's numeric id",
                    f"{self.name}: {key!r} không phải mã số của sản phẩm",
                )
            cleaned[key] = _whole(f"{self.name}[{key}]", number, self.min, self.max)
        known = _titles(shop, [int(key) for key in cleaned])
        unknown = ", ".join(key for key in cleaned if int(key) not in known)
        if unknown:
            raise FieldError(
                f"{self.name}: the shop has no product with id {unknown}",
                f"{self.name}: cửa hàng không có sản phẩm mã {unknown}",
            )
        return cleaned


def _titles(shop, ids: list[int]) -> dict[int, str]:
    """{product id: title} of those of `ids` the shop has."""
    if not ids:
        return {}
    rows = db.session.execute(select(Product.id, Product.title).where(Product.shop_id == shop.id, Product.id.in_(ids)))
    return {product_id: title for product_id, title in rows}


@dataclass(frozen=True)
class Url(Field):
    """An absolute http(s) URL, or "" for none."""

    type: str = field(default="url", init=False)

    def clean(self, value, current, shop):
        if value == "":
            return ""
        if isinstance(value, str) and len(value) <= 2000 and not any(ord(c) < 33 or ord(c) == 127 for c in value):
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") and parts.hostname:
                return value
        raise FieldError(
            f"{self.name} must be a web address starting with https://",
            f"{self.name} phải là địa chỉ web bắt đầu bằng https://",
        )


@dataclass(frozen=True)
class Choice(Field):
    """One of `choices` (value → {"en","vi"} label), e.g. how a send is timed."""

    choices: dict = field(default_factory=dict)
    type: str = field(default="choice", init=False)

    def as_json(self, shop=None, value=None) -> dict:
        return {
            **super().as_json(shop, value),
            "choices": {value: dict(label) for value, label in self.choices.items()},
        }

    def clean(self, value, current, shop):
        if not isinstance(value, str) or value not in self.choices:
            names = ", ".join(self.choices)
            raise FieldError(f"{self.name} must be one of {names}", f"{self.name} phải là một trong: {names}")
        return value


@dataclass(frozen=True)
class Fraction(Field):
    """A number strictly between `min` and `max` (a probability: 0 < p < 1)."""

    min: float = 0.0
    max: float = 1.0
    type: str = field(default="fraction", init=False)

    def as_json(self, shop=None, value=None) -> dict:
        return {**super().as_json(shop, value), "min": self.min, "max": self.max}

    def clean(self, value, current, shop):
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None or not math.isfinite(number) or not self.min < number < self.max:
            raise FieldError(
                f"{self.name} must be a number between {self.min:g} and {self.max:g} (e.g. 0.3)",
                f"{self.name} phải là một số lớn hơn {self.min:g} và nhỏ hơn {self.max:g} (ví dụ 0.3)",
            )
        return float(number)


def _whole(name: str, value, low: int, high: int) -> int:
    # bool is an int in Python; `true` is not a number of hours.
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(f"{name} must be a whole number", f"{name} phải là số nguyên")
    if not low <= value <= high:
        raise FieldError(f"{name} must be between {low} and {high}", f"{name} phải nằm trong khoảng {low} đến {high}")
    return value


def _texts(name: str, value, current: dict, low: int, high: int) -> dict:
    if not isinstance(value, dict) or not value:
        languages = ", ".join(LANGUAGES)
        raise FieldError(
            f"{name} must be an object with texts for {languages}", f"{name} phải là đối tượng có văn bản {languages}"
        )
    merged = dict(current)
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise FieldError(f"{name}: unknown language {lang!r}", f"{name}: ngôn ngữ không hỗ trợ {lang!r}")
        if not isinstance(text, str) or not low <= len(text.strip()) <= high:
            raise FieldError(
                f"{name}.{lang} must be text of {low} to {high} characters",
                f"{name}.{lang} phải là văn bản dài {low} đến {high} ký tự",
            )
        _placeholders_only(f"{name}.{lang}", text.strip())
        merged[lang] = text.strip()
    return merged


def _placeholders_only(name: str, text: str) -> None:
    """Merchant text is data: `{{ first_name }}` and the like, nothing else that Jinja would run,
    and no control characters (a CR/LF in a subject would add a header). The rule itself lives in
    `app.mail.placeholders`, beside the code that fills the placeholders in."""
    problem = placeholders.problem(text)
    if problem == "template":
        allowed = ", ".join("{{ " + p + " }}" for p in PLACEHOLDERS)
        raise FieldError(
            f"{name} may only use the placeholders {allowed}", f"{name} chỉ được dùng các chỗ điền sẵn {allowed}"
        )
    if problem == "control":
        raise FieldError(
            f"{name} may not contain control characters or line breaks",
            f"{name} không được chứa ký tự điều khiển hay xuống dòng",
        )
