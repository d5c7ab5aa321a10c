"""Expiring offline tokens: refreshed a few minutes before they lapse."""

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.shops.errors import AuthError
from app.shops.grants import InstallError, token_request
from app.shops.models import Shop

#: Refresh this long before expiry, so a call made just before never carries a dead token.
MARGIN = timedelta(minutes=5)


def fresh_access_token(shop: Shop) -> str:
    """The shop's access token, refreshed first if it is about to expire."""
    if not shop.installed:
        raise AuthError(f"{shop.domain} is not installed")
    if shop.token_expires_at is None or shop.token_expires_at - MARGIN > clock.now():
        return shop.access_token
    return refresh(shop)


def refresh(shop: Shop, margin: timedelta = MARGIN) -> str:
    """Trade the refresh token for a new pair unless the token still has `margin` to live.

    Row-locked on PostgreSQL: a refresh token works once, so two workers refreshing at
    the same moment must not both spend it; the second finds the fresh token and stops."""
    query = select(Shop).where(Shop.id == shop.id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()
    locked = db.session.scalar(query.execution_options(populate_existing=True))
    if locked.token_expires_at and locked.token_expires_at - margin > clock.now():
        db.session.commit()  # another worker refreshed it while we waited for the lock
        return locked.access_token
    if not locked.refresh_token:
        db.session.commit()
        raise AuthError(f"{shop.domain}: the token expired and there is no refresh token")
    try:
        grant = token_request(locked.domain, {"grant_type": "refresh_token", "refresh_token": locked.refresh_token})
    except InstallError as error:
        db.session.commit()
        raise AuthError(f"{shop.domain}: token refresh failed: {error}") from None
    locked.set_tokens(
        grant.access_token,
        grant.refresh_token or locked.refresh_token,
        grant.expires_at,
        grant.refresh_expires_at or locked.refresh_token_expires_at,
    )
    db.session.commit()
    return grant.access_token
