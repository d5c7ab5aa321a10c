"""What a call to the store can fail with; below the client and the token refresh that both raise them."""


class GraphQLError(RuntimeError):
    """The store answered with errors (bad query, throttled too long, server trouble)."""


class AuthError(GraphQLError):
    """The token was refused (401/403): the shop uninstalled us or the token expired."""


class UserErrors(GraphQLError):
    """A mutation was refused; `errors` holds Shopify's `userErrors` list."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(e.get('field') or [])}: {e.get('message')}" for e in errors))
