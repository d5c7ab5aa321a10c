"""Starting and polling a bulk operation (`bulkOperationRunQuery`, then `node(id:)`)."""

from app.history.queries import POLL_BULK, RUN_BULK
from app.shops.graphql import Client, GraphQLError, UserErrors


class Busy(Exception):
    """Another bulk query of this app is still running in the shop; try again later."""


class Failed(GraphQLError):
    """The store gave up on the operation (FAILED, CANCELED, EXPIRED)."""


def start(client: Client, query: str) -> str:
    """Start a bulk query; returns the operation's gid."""
    try:
        payload = client.mutate(RUN_BULK, {"query": query}, "bulkOperationRunQuery")
    except UserErrors as error:
        if any(e.get("code") == "OPERATION_IN_PROGRESS" for e in error.errors):
            raise Busy(str(error)) from None
        raise
    return payload["bulkOperation"]["id"]


def poll(client: Client, operation_id: str) -> dict | None:
    """The operation if it completed, None while it runs; raises Failed if it ended badly."""
    operation = client.execute(POLL_BULK, {"id": operation_id}).get("node")
    if operation is None:
        raise Failed(f"bulk operation {operation_id} is unknown to the store")
    if operation["status"] == "COMPLETED":
        return operation
    if operation["status"] in ("CREATED", "RUNNING"):
        return None
    raise Failed(f"bulk operation {operation_id} ended {operation['status']} ({operation.get('errorCode')})")
