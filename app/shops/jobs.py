"""Background jobs of the shops package, registered with app.jobs.handler."""
