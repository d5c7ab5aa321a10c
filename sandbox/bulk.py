"""Bulk operations: run a query over the whole store into a JSONL file, as Shopify does.

The query runs in a thread, 500 root objects at a time under the store lock, and streams its
rows to a file on disk, so a 100,000-order export neither blocks the store nor fills memory.
Rows follow Shopify's layout: one object per line, nested connection nodes on their own lines
after their parent, pointing back with `__parentId`.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import replace

from flask import Blueprint, Response, abort
from graphql import FieldNode, GraphQLError, execute_sync, get_named_type, parse, validate

from . import payloads
from .models import BulkOperation, gid
from .resolvers import field, resolve
from .schema import SCHEMA
from .shopify_errors import shopify_error
from .web import store

WINDOW = 500
files = Blueprint("files", __name__)


@field("Mutation", "bulkOperationRunQuery")
def bulk_operation_run_query(_, info, query, groupObjects=False):
    ctx = info.context
    busy = next((op for op in ctx.shop.bulk_operations if op.status in ("CREATED", "RUNNING", "CANCELING")), None)
    if busy:
        return _refused(
            "OPERATION_IN_PROGRESS",
            None,
            f"A bulk query operation for this app and shop is already in progress: {gid(busy)}.",
        )
    problem = check(query)
    if problem:
        return _refused("INVALID", ["query"], problem)
    op = BulkOperation(ctx.store.next_id(), query, ctx.store.now())
    ctx.shop.bulk_operations.append(op)
    worker = threading.Thread(target=run, args=(replace(ctx, bulk=True), op), name=f"bulk-{op.id}", daemon=True)
    ctx.store.bulk_threads.append(worker)
    worker.start()
    return {"bulkOperation": op, "userErrors": []}


def _refused(code, field_path, message):
    return {"bulkOperation": None, "userErrors": [{"code": code, "field": field_path, "message": message}]}


@field("Mutation", "bulkOperationCancel")
def bulk_operation_cancel(_, info, id):
    op = next((o for o in info.context.shop.bulk_operations if gid(o) == id), None)
    if op is None:
        return {"bulkOperation": None, "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}]}
    if op.status not in ("CREATED", "RUNNING"):
        return {
            "bulkOperation": op,
            "userErrors": [
                {"field": None, "message": f"A bulk operation cannot be canceled when it is {op.status.lower()}"}
            ],
        }
    op.status = "CANCELING"
    return {"bulkOperation": op, "userErrors": []}


def check(query: str) -> str | None:
    """Why Shopify would refuse this bulk query, or None."""
    try:
        document = parse(query)
    except GraphQLError as e:
        return f"Invalid bulk query: {e.message}"
    errors = validate(SCHEMA, document)
    if errors:
        return f"Invalid bulk query: {shopify_error(errors[0], {})['message']}"
    roots = [s for s in document.definitions[0].selection_set.selections if isinstance(s, FieldNode)]
    if len(roots) != 1 or not _is_connection(SCHEMA.query_type, roots[0]):
        return "Bulk queries must contain at least one connection."
    return _nested_without_id(roots[0], SCHEMA.query_type)


def _is_connection(parent, node: FieldNode) -> bool:
    return get_named_type(parent.fields[node.name.value].type).name.endswith("Connection")


def _node_fields(conn: FieldNode, conn_type):
    """The selected fields of a connection's nodes, with the node type."""
    node_type = get_named_type(conn_type.fields["nodes"].type)
    for sel in conn.selection_set.selections if conn.selection_set else ():
        if isinstance(sel, FieldNode) and sel.name.value == "nodes":
            yield from ((f, node_type) for f in sel.selection_set.selections if isinstance(f, FieldNode))
        if isinstance(sel, FieldNode) and sel.name.value == "edges":
            for edge_field in sel.selection_set.selections:
                if isinstance(edge_field, FieldNode) and edge_field.name.value == "node":
                    yield from ((f, node_type) for f in edge_field.selection_set.selections if isinstance(f, FieldNode))


def _nested_without_id(conn: FieldNode, parent) -> str | None:
    conn_type = get_named_type(parent.fields[conn.name.value].type)
    fields = list(_node_fields(conn, conn_type))
    nested = [(f, t) for f, t in fields if f.name.value in t.fields and _is_connection(t, f)]
    if nested and "id" not in {f.name.value for f, _ in fields}:
        names = ", ".join(f.name.value for f, _ in nested)
        return (
            "The parent 'node' field for a nested connection must select the 'id' field. "
            f"Connection fields without 'id': {names}."
        )
    return next((p for p in (_nested_without_id(f, t) for f, t in nested) if p), None)


class Failed(Exception):
    def __init__(self, code: str):
        self.code = code


def run(ctx, op):
    """Execute the query window by window into `<files_dir>/<id>.jsonl`, then announce the result."""
    s, shop = ctx.store, ctx.shop
    time.sleep(s.bulk_delay)
    with s.lock:
        if op.status == "CANCELING":
            op.status = "CANCELED"
            return
        op.status = "RUNNING"
    path = os.path.join(s.files_dir, f"{op.id}.jsonl")
    try:
        if shop.fault("bulk"):
            raise Failed("INTERNAL_SERVER_ERROR")
        objects, roots = _write(ctx, op, parse(op.query), path)
    except Exception as e:  # whatever went wrong, the operation must not stay RUNNING
        with s.lock:
            op.status, op.completed_at = "FAILED", s.now()
            op.error_code = e.code if isinstance(e, Failed) else "INTERNAL_SERVER_ERROR"
    else:
        with s.lock:
            op.object_count, op.root_object_count, op.completed_at = objects, roots, s.now()
            op.status = "CANCELED" if op.status == "CANCELING" else "COMPLETED"
            if objects and op.status == "COMPLETED":
                op.file_size, op.url = os.path.getsize(path), f"{s.base_url}/files/{op.id}.jsonl"
    shop.deliver("bulk_operations/finish", payloads.bulk_finish(shop, op))


def _write(ctx, op, document, path) -> tuple[int, int]:
    objects = roots = 0
    with open(path, "w", encoding="utf-8") as out:
        while op.status == "RUNNING":
            ctx.window = (roots, roots + WINDOW)
            with ctx.store.lock:
                result = execute_sync(SCHEMA, document, context_value=ctx, field_resolver=resolve)
            if result.errors:
                denied = any((e.extensions or {}).get("code") == "ACCESS_DENIED" for e in result.errors)
                raise Failed("ACCESS_DENIED" if denied else "INTERNAL_SERVER_ERROR")
            (conn,) = result.data.values()
            nodes = [e["node"] for e in conn["edges"]] if "edges" in conn else conn["nodes"]
            for node in nodes:
                for row in rows(node):
                    out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
                    objects += 1
            roots += len(nodes)
            if len(nodes) < WINDOW:
                break
    return objects, roots


def _is_connection_value(value) -> bool:
    return (
        isinstance(value, dict)
        and ("edges" in value or "nodes" in value)
        and set(value) <= {"edges", "nodes", "pageInfo"}
    )


def rows(node: dict, parent_id: str | None = None):
    """A node's own line, then its nested connections' nodes on lines of their own."""
    own = {k: v for k, v in node.items() if not _is_connection_value(v)}
    if parent_id is not None:
        own["__parentId"] = parent_id
    yield own
    for value in node.values():
        if _is_connection_value(value):
            children = [e["node"] for e in value["edges"]] if "edges" in value else value["nodes"]
            for child in children:
                yield from rows(child, node.get("id"))


@files.get("/files/<int:op_id>.jsonl")
def download(op_id: int):
    """The result file at the operation's `url`, streamed from disk."""
    path = os.path.join(store().files_dir, f"{op_id}.jsonl")
    if not os.path.exists(path):
        abort(404)

    def chunks():
        # A generator that owns the file: when a client drops the connection mid-download (the
        # import's crash tests do), the server discards it and `with` still closes the file.
        with open(path, "rb") as file:
            while chunk := file.read(64 * 1024):
                yield chunk

    return Response(chunks(), mimetype="application/jsonl", headers={"Content-Length": str(os.path.getsize(path))})
