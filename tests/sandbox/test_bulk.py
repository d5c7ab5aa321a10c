"""Bulk operations: a JSONL export of the whole store, laid out as Shopify lays it out."""

import json

import requests

from tests.sandbox.test_graphql import SUBSCRIBE

RUN = """mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status }
  userErrors { field message code } } }"""
CURRENT = """{ currentBulkOperation(type: QUERY) { id status errorCode createdAt completedAt objectCount
  rootObjectCount fileSize url partialDataUrl } }"""
ORDERS = """{ orders(query: "created_at:>='2025-01-01'") { edges { node { id name createdAt customer { id }
  lineItems { edges { node { id quantity variant { id } } } } } } } }"""


def run_bulk(gql, store, query):
    started = gql(RUN, {"q": query})["data"]["bulkOperationRunQuery"]
    assert started["userErrors"] == [] and started["bulkOperation"]["status"] == "CREATED"
    store.wait_idle()
    return gql(CURRENT)["data"]["currentBulkOperation"]


def test_orders_with_line_items_as_jsonl(gql, store, shop):
    op = run_bulk(gql, store, ORDERS)
    assert op["status"] == "COMPLETED" and op["errorCode"] is None
    with requests.get(op["url"], stream=True, timeout=10) as r:
        rows = [json.loads(line) for line in r.iter_lines() if line]
    orders = [row for row in rows if "__parentId" not in row]
    expected = [o for o in shop.orders.values() if o.created_at.astimezone(shop.tz).year >= 2025]  # shop time
    assert len(orders) == len(expected) == int(op["rootObjectCount"])
    assert len(rows) == int(op["objectCount"]) == len(expected) + sum(len(o.line_items) for o in expected)
    assert int(op["fileSize"]) > 0
    assert all("lineItems" not in row for row in orders)
    seen = set()
    for row in rows:  # every child line follows its parent
        if "__parentId" in row:
            assert row["__parentId"] in seen and row["id"].startswith("gid://shopify/LineItem/")
        else:
            seen.add(row["id"])
    assert orders[0]["customer"]["id"].startswith("gid://shopify/Customer/")


def test_finish_webhook_and_node_lookup(gql, store, receiver):
    gql(SUBSCRIBE, {"topic": "BULK_OPERATIONS_FINISH", "uri": f"{receiver.url}/webhooks/shopify"})
    op = run_bulk(gql, store, "{ customers { edges { node { id email } } } }")
    (call,) = receiver.calls
    body = json.loads(call["body"])
    assert call["headers"]["X-Shopify-Topic"] == "bulk_operations/finish"
    assert body["admin_graphql_api_id"] == op["id"] and body["status"] == "completed"
    node = gql("query($id: ID!) { node(id: $id) { ... on BulkOperation { status url } } }", {"id": op["id"]})
    assert node["data"]["node"] == {"status": "COMPLETED", "url": op["url"]}


def test_an_empty_result_has_no_file(gql, store):
    op = run_bulk(gql, store, """{ orders(query: "email:nobody@nowhere.example") { edges { node { id } } } }""")
    assert (op["status"], op["objectCount"], op["url"]) == ("COMPLETED", "0", None)


def test_refused_bulk_queries(gql):
    def errors(query):
        return gql(RUN, {"q": query})["data"]["bulkOperationRunQuery"]["userErrors"]

    assert "doesn't exist on type 'Order'" in errors("{ orders { edges { node { id bogus } } } }")[0]["message"]
    assert errors("{ shop { name } }")[0]["message"] == "Bulk queries must contain at least one connection."
    nested = errors("{ orders { edges { node { name lineItems { edges { node { id } } } } } } }")
    assert "must select the 'id' field" in nested[0]["message"]


def test_one_at_a_time(gql, store):
    store.bulk_delay = 0.5
    gql(RUN, {"q": "{ products { edges { node { id } } } }"})
    busy = gql(RUN, {"q": "{ products { edges { node { id } } } }"})["data"]["bulkOperationRunQuery"]
    assert busy["userErrors"][0]["code"] == "OPERATION_IN_PROGRESS"
    store.wait_idle()


def test_failure_switch(gql, store, shop):
    shop.faults["bulk"] = "failed"
    op = run_bulk(gql, store, "{ products { edges { node { id } } } }")
    assert (op["status"], op["errorCode"], op["url"]) == ("FAILED", "INTERNAL_SERVER_ERROR", None)
