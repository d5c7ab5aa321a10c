"""`POST /<shop>/admin/api/<version>/graphql.json`: token check, cost, rate limit, execution.

Answers are shaped like Shopify's: 401 with a string `errors` for a bad token, 200 with an
`errors` list for invalid queries and throttling, and `extensions.cost` on every GraphQL answer.
"""

from __future__ import annotations

import time

from flask import Blueprint, g, jsonify, request
from graphql import GraphQLError, execute_sync, get_operation_ast, parse, validate
from graphql.language import FragmentDefinitionNode

from . import bulk, cost, marketing, mutations  # noqa: F401 - importing registers their Mutation resolvers
from .models import ApiCall
from .oauth import implied
from .resolvers import Context, resolve
from .schema import SCHEMA
from .shopify_errors import field_paths, shopify_error, syntax_error
from .web import load_shop, store

bp = Blueprint("graphql", __name__, url_prefix="/<shop>/admin/api/<version>")
bp.url_value_preprocessor(load_shop)

MAX_COST = 1000
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


@bp.post("/graphql.json")
def graphql(version):
    s, shop = store(), g.shop
    grant = s.grant_for(request.headers.get("X-Shopify-Access-Token"))
    if grant is None or grant.shop != shop.domain:
        return _log(shop, "(invalid token)", {"errors": INVALID_TOKEN}, 401)
    fault = shop.fault("graphql")
    if fault == "timeout":
        time.sleep(s.fault_sleep)
        return _log(shop, "(fault: timeout)", {"errors": "Gateway Timeout"}, 504)
    if fault == "500":
        return _log(
            shop, "(fault: 500)", {"errors": "Internal error. Looks like something went wrong on our end."}, 500
        )
    body = _body()
    if not isinstance(body.get("query"), str):
        return _log(shop, "(no query)", {"errors": {"query": "Required parameter missing or invalid"}}, 400)
    ctx = Context(s, shop, implied(grant.scope), version)
    answer, operation, spent = run(
        ctx, body["query"], body.get("variables") or {}, body.get("operationName"), throttled=fault == "throttle"
    )
    answer["extensions"] = {"cost": {**spent, "throttleStatus": shop.bucket.status()}}
    return _log(shop, operation, answer, 200, spent.get("actualQueryCost"))


def _body() -> dict:
    if request.mimetype == "application/graphql":
        return {"query": request.get_data(as_text=True)}
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def run(ctx: Context, query: str, variables: dict, operation_name: str | None = None, throttled: bool = False):
    """Parse, validate, price and execute one query: `(answer, operation label, cost figures)`."""
    try:
        document = parse(query)
    except GraphQLError as e:
        return {"errors": [syntax_error(e)]}, "(syntax error)", _cost(0, None)
    paths = field_paths(document)
    errors = validate(SCHEMA, document)
    if errors:
        return {"errors": [shopify_error(e, paths) for e in errors]}, "(invalid)", _cost(0, None)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return {"errors": [{"message": "An operation name is required"}]}, "(invalid)", _cost(0, None)
    label = _label(operation)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    asked = cost.requested(SCHEMA, operation, fragments, variables)
    if asked > MAX_COST:
        return (
            {
                "errors": [
                    {
                        "message": f"Query cost is {asked}, which exceeds the single query max cost limit "
                        f"({MAX_COST}).",
                        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": asked, "maxCost": MAX_COST},
                    }
                ]
            },
            label,
            _cost(asked, None),
        )
    if throttled or not ctx.shop.bucket.take(asked):
        return (
            {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {
                            "code": "THROTTLED",
                            "documentation": "https://shopify.dev/api/usage/rate-limits",
                        },
                    }
                ]
            },
            label,
            _cost(asked, None),
        )
    with ctx.store.lock:
        result = execute_sync(
            SCHEMA,
            document,
            context_value=ctx,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=resolve,
        )
    spent = (
        asked
        if operation.operation.value == "mutation"
        else min(asked, cost.actual(list((result.data or {}).values())))
    )
    ctx.shop.bucket.refund(asked - spent)
    answer = {"data": result.data} if result.data is not None or not result.errors else {}
    if result.errors:
        answer = {"errors": [shopify_error(e, paths) for e in result.errors], **answer}
    return answer, label, _cost(asked, spent)


def _label(operation) -> str:
    fields = ", ".join(s.name.value for s in operation.selection_set.selections if hasattr(s, "name"))
    name = f" {operation.name.value}" if operation.name else ""
    return f"{operation.operation.value}{name} {{{fields}}}"


def _cost(asked: int, spent: int | None) -> dict:
    return {"requestedQueryCost": asked, "actualQueryCost": spent}


def _log(shop, operation: str, body: dict, status: int, spent=None):
    s = store()
    errors = body.get("errors")
    if isinstance(errors, list):
        errors = "; ".join(e.get("message", "") for e in errors)
    detail = str(errors or "")
    with s.lock:
        shop.api_calls.append(ApiCall(s.now(), "graphql", operation, status, spent, detail))
    return jsonify(body), status
