"""The Admin GraphQL documents the history import and reconciliation send (API 2026-10 names)."""

RUN_BULK = """
mutation runBulk($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}"""

POLL_BULK = """
query pollBulk($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount url partialDataUrl }
  }
}"""

PRODUCT_FIELDS = """
  id title handle productType tags description(truncateAt: 300) status onlineStoreUrl totalInventory tracksInventory
  featuredMedia { preview { image { url } } }
  priceRangeV2 { minVariantPrice { amount } }
"""

CUSTOMER_FIELDS = """
  id firstName locale createdAt updatedAt
  defaultEmailAddress { emailAddress marketingState marketingUpdatedAt }
  metafield(namespace: "facts", key: "birth_date") { value updatedAt }
"""

ORDER_FIELDS = """
  id createdAt updatedAt processedAt cancelledAt email customerLocale customerAcceptsMarketing checkoutToken
  discountCodes currencyCode test totalPriceSet { shopMoney { amount } } customer { id }
  displayFinancialStatus displayFulfillmentStatus fulfillments { createdAt status }
"""

# Bulk queries take everything: no `first`, one root connection each.
BULK_PRODUCTS = "{ products { edges { node { %s } } } }" % PRODUCT_FIELDS
BULK_CUSTOMERS = "{ customers { edges { node { %s } } } }" % CUSTOMER_FIELDS
BULK_ORDERS = (
    """{ orders(query: "created_at:>='%%s'") { edges { node { %s
  lineItems { edges { node { id quantity currentQuantity title variantTitle product { id } variant { id }
    originalUnitPriceSet { shopMoney { amount } } } } } } } } }"""
    % ORDER_FIELDS
)

# Reconciliation pages through recent changes; page sizes keep each call under the 1,000-point cap.
RECENT_ORDERS = (
    """
query recentOrders($query: String!, $after: String) {
  orders(first: 10, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { %s lineItems(first: 20) { nodes { id quantity currentQuantity title variantTitle
      product { id } variant { id } } } }
  }
}"""
    % ORDER_FIELDS
)

RECENT_CUSTOMERS = (
    """
query recentCustomers($query: String!, $after: String) {
  customers(first: 100, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { %s }
  }
}"""
    % CUSTOMER_FIELDS
)

# Abandoned checkouts carry no checkout token and no marketing tick box (see history.reconcile), and
# cannot be sorted by update time: each is compared with ours on its own.
RECENT_CHECKOUTS = """
query recentCheckouts($query: String!, $after: String) {
  abandonedCheckouts(first: 5, after: $after, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes { id abandonedCheckoutUrl updatedAt completedAt
      customer { id firstName locale defaultEmailAddress { emailAddress } }
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 20) { nodes { quantity title variantTitle product { id } variant { id }
        originalUnitPriceSet { shopMoney { amount } } } } }
  }
}"""

PRODUCTS_BY_ID = (
    """
query productsById($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Product { %s } }
}"""
    % PRODUCT_FIELDS
)
