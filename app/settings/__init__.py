"""The embedded settings page and its JSON API."""
