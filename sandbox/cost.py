"""Query cost, calculated the way Shopify describes it, close enough for an app to plan by.

Requested: each object costs 1, scalars and enums 0, a connection 2 plus `first`/`last` times
the cost of one node (1 plus its objects), a mutation 10. Actual: the same count over what the answer holds.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationType,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MUTATION_COST = 10
CONNECTION_COST = 2


def requested(schema, operation, fragments: dict, variables: dict) -> int:
    if operation.operation == OperationType.MUTATION:
        return MUTATION_COST * sum(isinstance(s, FieldNode) for s in operation.selection_set.selections)
    return _selection(schema, operation.selection_set, schema.query_type, fragments, variables)


def _selection(schema, selection_set, parent, fragments, variables) -> int:
    total = 0
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FragmentSpreadNode):
            frag = fragments.get(sel.name.value)
            if frag:
                total += _selection(
                    schema, frag.selection_set, schema.get_type(frag.type_condition.name.value), fragments, variables
                )
        elif isinstance(sel, InlineFragmentNode):
            typ = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
            total += _selection(schema, sel.selection_set, typ, fragments, variables)
        else:
            total += _field(schema, sel, parent, fragments, variables)
    return total


def _field(schema, node: FieldNode, parent, fragments, variables) -> int:
    fields = getattr(parent, "fields", {})
    if node.name.value not in fields:
        return 0
    typ = get_named_type(fields[node.name.value].type)
    if is_leaf_type(typ):
        return 0
    inner = _selection(schema, node.selection_set, typ, fragments, variables)
    if parent.name.endswith(("Connection", "Edge")):  # edges, node, nodes and pageInfo ride on the connection
        return 0 if node.name.value == "pageInfo" else inner
    if typ.name.endswith("Connection"):
        return CONNECTION_COST + _count(node, variables) * (1 + inner)
    return 1 + inner


def _count(node: FieldNode, variables: dict) -> int:
    for arg in node.arguments:
        if arg.name.value in ("first", "last"):
            if isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
            if isinstance(arg.value, VariableNode):
                value = variables.get(arg.value.name.value)
                return value if isinstance(value, int) else 0
    return 0


def actual(data) -> int:
    """The cost of what came back: 1 per object, 2 per connection."""
    if isinstance(data, list):
        return sum(actual(v) for v in data)
    if not isinstance(data, dict):
        return 0
    if "edges" in data or "nodes" in data:
        nodes = [e.get("node") for e in data["edges"]] if "edges" in data else data["nodes"]
        return CONNECTION_COST + sum(actual(n) for n in nodes)
    return 1 + sum(actual(v) for v in data.values())
