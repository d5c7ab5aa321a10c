"""Results in Shopify's Marketing page: each automation is an external marketing activity of the
app, with its daily engagements (sends, opens, clicks, orders, sales), once the merchant granted
the optional `write_marketing_events` scope. Reads the email record; writes only to the store."""
