"""Shops: installation (OAuth), tokens, the Admin GraphQL client, shop settings."""
