"""Relay connections as Shopify pages them, and the subset of its search syntax the app uses.

Search: space-separated terms `field:value`, `field:>value` (also `>=`, `<`, `<=`), values bare
or quoted, `-field:value` negates, `AND` is accepted, a bare word searches the text fields.
Unknown fields are ignored, as Shopify ignores them (with a search warning we do not send).
Cursors are opaque base64 JSON of the sort value and id, so paging is stable under inserts.
"""

from __future__ import annotations

import base64
import json
import re
from bisect import bisect_left, bisect_right
from datetime import UTC, datetime

from graphql import GraphQLError

MAX_PAGE = 250
TERM = re.compile(r"""(-?)(?:(\w+):(>=|<=|>|<)?\s*)?("[^"]*"|'[^']*'|\S+)""")


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_datetime(text: str, tz) -> datetime:
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)


def _matches(actual, op: str, wanted: str, tz) -> bool:
    if actual is None:
        return False
    if isinstance(actual, datetime):
        try:
            wanted = _as_datetime(wanted, tz)
        except ValueError:
            return False
    elif isinstance(actual, int) and not isinstance(actual, bool):
        wanted = int(wanted.rsplit("/", 1)[-1]) if wanted.rsplit("/", 1)[-1].isdigit() else None
        if wanted is None:
            return False
    else:
        actual, wanted = str(actual).lower(), wanted.lower()
        if not op:
            return actual == wanted or (wanted.endswith("*") and actual.startswith(wanted[:-1]))
    return {
        "": actual == wanted,
        ">": actual > wanted,
        ">=": actual >= wanted,
        "<": actual < wanted,
        "<=": actual <= wanted,
    }[op]


def search(items, query: str | None, fields: dict, text_fields: tuple, tz) -> list:
    """Filter `items` by a Shopify search `query`; `fields` maps a search field to a getter."""
    tests = []
    for negate, name, op, value in TERM.findall(query or ""):
        if value in ("AND", "OR") and not name:
            continue
        value = value.strip("'\"")
        if name and name in fields:
            tests.append((bool(negate), fields[name], op, value))
        elif not name:
            tests.append((bool(negate), None, "", value.lower()))
    if not tests:
        return list(items)
    return [i for i in items if all(_test(i, t, text_fields, tz) != t[0] for t in tests)]


def _test(item, test, text_fields, tz) -> bool:
    _, getter, op, value = test
    if getter is None:
        return any(value in (getattr(item, f, None) or "").lower() for f in text_fields)
    return _matches(getter(item), op, value, tz)


def encode_cursor(value, id_: int) -> str:
    return base64.b64encode(json.dumps({"last_id": id_, "last_value": value}).encode()).decode()


def _decode_cursor(cursor: str) -> tuple:
    try:
        data = json.loads(base64.b64decode(cursor))
        return (data["last_value"], data["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError("Invalid cursor for current pagination sort.", extensions={"code": "BAD_REQUEST"}) from None


class Edge:
    """An edge whose cursor is only encoded when asked for (bulk queries rarely ask)."""

    __slots__ = ("node", "_key")

    def __init__(self, node, key):
        self.node, self._key = node, key

    @property
    def cursor(self) -> str:
        return encode_cursor(self._key(self.node), self.node.id)


def connection(items, key, args: dict, bulk: bool = False) -> dict:
    """One page of `items` ordered by `key(item)` (a str or int) then id, as a connection.

    Bulk operations ignore `first`/`last`/cursors and take everything, as Shopify does.
    """
    ordered = sorted(items, key=lambda i: (key(i), i.id))
    reverse = bool(args.get("reverse"))
    if bulk:
        return _page(ordered[::-1] if reverse else ordered, key, False, False)
    first, last, after, before = (args.get(k) for k in ("first", "last", "after", "before"))
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    for n, name in ((first, "first"), (last, "last")):
        if n is not None and not 0 <= n <= MAX_PAGE:
            raise GraphQLError(
                f"The {name} argument must be between 0 and {MAX_PAGE}.", extensions={"code": "BAD_REQUEST"}
            )
    keys = [(key(i), i.id) for i in ordered]
    lo, hi = 0, len(ordered)
    if after:
        if reverse:
            hi = bisect_left(keys, _decode_cursor(after))
        else:
            lo = bisect_right(keys, _decode_cursor(after))
    if before:
        if reverse:
            lo = bisect_right(keys, _decode_cursor(before))
        else:
            hi = bisect_left(keys, _decode_cursor(before))
    window = ordered[lo:hi][::-1] if reverse else ordered[lo:hi]
    more_before, more_after = (hi < len(ordered), lo > 0) if reverse else (lo > 0, hi < len(ordered))
    if first is not None:
        has_next, has_prev = len(window) > first or more_after, more_before
        window = window[:first]
        if last is not None:
            window = window[len(window) - last :] if last else []
    else:
        has_next, has_prev = more_after, len(window) > last or more_before
        window = window[len(window) - last :] if last else []
    return _page(window, key, has_next, has_prev)


def _page(window, key, has_next: bool, has_prev: bool) -> dict:
    edges = [Edge(i, key) for i in window]
    return {
        "edges": edges,
        "nodes": window,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev,
            "startCursor": edges[0].cursor if edges else None,
            "endCursor": edges[-1].cursor if edges else None,
        },
    }
