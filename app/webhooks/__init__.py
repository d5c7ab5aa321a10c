"""Webhook ingestion: one endpoint, one small handler per topic."""
