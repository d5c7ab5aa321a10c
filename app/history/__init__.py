"""History import at install (bulk operation) and periodic reconciliation."""
