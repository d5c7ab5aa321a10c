"""Background jobs of the history package, registered with app.jobs.handler."""
