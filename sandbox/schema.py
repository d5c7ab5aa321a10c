"""The executable schema: `schema.graphql` with Shopify's scalar formats and abstract type resolution."""

from pathlib import Path

from graphql import build_schema

from .resolvers import SCALARS, type_of

SCHEMA = build_schema((Path(__file__).parent / "schema.graphql").read_text())
for _name, _serialize in SCALARS.items():
    SCHEMA.type_map[_name].serialize = _serialize
for _name in ("Node", "Media", "DiscountCode"):
    SCHEMA.type_map[_name].resolve_type = type_of
