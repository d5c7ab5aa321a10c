"""Email: MJML templates, rendering, SMTP delivery, unsubscribe, tracking."""
