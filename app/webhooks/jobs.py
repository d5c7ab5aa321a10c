"""Background jobs of the webhooks package, registered with app.jobs.handler."""
