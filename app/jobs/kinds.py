"""Every kind of background job, declared once. The name is what the `jobs` table stores, so it
never changes; code refers to the object. Each feature package binds its handler with
`@jobs.handler(kinds.X)`; the periodic ones are listed with their interval in `app.schedule`.

Declared here, below every package, because a job is often queued by a lower package than the
one that runs it (the store client's install queues the history import, an order naming an
unknown product queues the product refresh).
"""

from app.jobs import kind

# Install and the store's data (app.shops, app.history).
FINISH_INSTALL = kind("finish_install")
IMPORT_HISTORY = kind("import_history")
RECONCILE = kind("reconcile")
REFRESH_PRODUCTS = kind("refresh_products")
REFRESH_TOKEN = kind("refresh_token")
READ_SCOPES = kind("read_scopes")

# Webhooks (app.webhooks).
APPLY_WEBHOOKS = kind("apply_webhooks")
SWEEP_RECEIPTS = kind("sweep_receipts")

# Email and its consequences (app.mail, app.answers, app.settings).
ATTRIBUTION = kind("attribution")
CONSENT_WRITEBACK = kind("consent_writeback")
OPTOUT_CONFIRMATION = kind("optout_confirmation")
WRITE_BIRTHDAY = kind("write_birthday")
SEND_TEST = kind("send_test")

# Shopify's Marketing page (app.marketing).
REPORT_MARKETING = kind("report_marketing")

# Figures (app.customers, app.predictions).
REBUILD_ORDER_DAYS = kind("rebuild_order_days")
FIT_PURCHASE_MODEL = kind("fit_purchase_model")
