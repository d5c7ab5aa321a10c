"""graphql-core's validation messages, reworded into the ones Shopify's GraphQL server sends.

Apps and their tests match on `extensions.code` (undefinedField, missingRequiredArguments, ...),
and a readable message naming the type and field is what a developer searches for.
"""

from __future__ import annotations

import re

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, Visitor, visit

RULES = [
    (
        re.compile(r"Cannot query field '(\w+)' on type '(\w+)'"),
        lambda m: (
            f"Field '{m[1]}' doesn't exist on type '{m[2]}'",
            {"code": "undefinedField", "typeName": m[2], "fieldName": m[1]},
        ),
    ),
    (
        re.compile(r"Unknown argument '(\w+)' on field '\w+\.(\w+)'"),
        lambda m: (
            f"Field '{m[2]}' doesn't accept argument '{m[1]}'",
            {"code": "argumentNotAccepted", "name": m[2], "typeName": "Field", "argumentName": m[1]},
        ),
    ),
    (
        re.compile(r"Field '(\w+)' argument '(\w+)' of type '.+' is required"),
        lambda m: (
            f"Field '{m[1]}' is missing required arguments: {m[2]}",
            {"code": "missingRequiredArguments", "className": "Field", "name": m[1], "arguments": m[2]},
        ),
    ),
    (
        re.compile(r"Unknown type '(\w+)'"),
        lambda m: (
            f"No such type {m[1]}, so it can't be a fragment condition",
            {"code": "undefinedType", "typeName": m[1]},
        ),
    ),
    (
        re.compile(r"Field '(\w+)' of type '(.+?)' must have a selection of subfields"),
        lambda m: (
            f"Field must have selections (field '{m[1]}' returns {m[2].strip('[]!')} but has no selections. "
            f"Did you mean '{m[1]} {{ ... }}'?)",
            {"code": "selectionMismatch", "nodeName": f"field '{m[1]}'", "typeName": m[2].strip("[]!")},
        ),
    ),
    (
        re.compile(r"Field '(\w+)' must not have a selection since type '(.+?)' has no subfields"),
        lambda m: (
            f"Selections can't be made on scalars (field '{m[1]}' returns {m[2].strip('[]!')} but has selections)",
            {"code": "selectionMismatch", "nodeName": f"field '{m[1]}'", "typeName": m[2].strip("[]!")},
        ),
    ),
    (
        re.compile(r"Variable '\$(\w+)' is never used"),
        lambda m: (
            f"Variable ${m[1]} is declared by anonymous query but not used",
            {"code": "variableNotUsed", "variableName": m[1]},
        ),
    ),
    (
        re.compile(r"Variable '\$(\w+)' (?:got invalid value|of required type|of non-null type)"),
        lambda m: (None, {"code": "INVALID_VARIABLE", "variableName": m[1]}),
    ),
    (
        re.compile(r"Expected value of type|cannot represent|Enum '\w+' cannot|does not exist in '\w+' enum"),
        lambda m: (None, {"code": "argumentLiteralsIncompatible"}),
    ),
]


def shopify_error(error: GraphQLError, paths: dict) -> dict:
    out = error.formatted
    for pattern, reword in RULES:
        m = pattern.search(error.message)
        if m:
            message, extensions = reword(m)
            out["message"] = message or error.message
            out["extensions"] = {**out.get("extensions", {}), **extensions}
            break
    if "path" not in out and error.nodes and id(error.nodes[0]) in paths:
        out["path"] = paths[id(error.nodes[0])]
    return out


def syntax_error(error: GraphQLError) -> dict:
    detail = error.message.removeprefix("Syntax Error: ").rstrip(".")
    loc = error.locations[0] if error.locations else None
    where = f" at [{loc.line}, {loc.column}]" if loc else ""
    return {
        "message": f"syntax error, {detail}{where}",
        "locations": [location.formatted for location in error.locations or []],
    }


def field_paths(document) -> dict:
    """`id(node) -> ["query", "shop", "foo"]` for every field, as Shopify reports error paths."""
    paths: dict = {}

    class Walk(Visitor):
        def __init__(self):
            super().__init__()
            self.stack: list[str] = []

        def enter_operation_definition(self, node: OperationDefinitionNode, *_):
            name = node.operation.value + (f" {node.name.value}" if node.name else "")
            self.stack = [name]

        def enter_field(self, node: FieldNode, *_):
            self.stack.append((node.alias or node.name).value)
            paths[id(node)] = list(self.stack)

        def leave_field(self, node, *_):
            self.stack.pop()

    visit(document, Walk())
    return paths
