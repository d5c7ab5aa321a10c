"""Background jobs of the shops package: finishing an install, keeping the token alive."""

from datetime import datetime, timedelta

from app import jobs
from app.extensions import db
from app.jobs import kinds
from app.shops import install, tokens
from app.shops.graphql import Client
from app.shops.models import Shop

AHEAD = install.REFRESH_AHEAD


@jobs.handler(kinds.FINISH_INSTALL)
def finish_install(job) -> None:
    """Retry the set-up (profile, webhooks) that failed during the install request."""
    shop = db.session.get(Shop, job.shop_id)
    if shop is not None and shop.installed:
        install.set_up(shop)


@jobs.handler(kinds.REFRESH_TOKEN)
def refresh_token(job) -> datetime | None:
    """Refresh ahead of expiry even when nothing else calls the store: an unused refresh
    token dies after 90 days, and then only a reinstall brings the shop back."""
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed or shop.token_expires_at is None:
        return None
    tokens.refresh(shop, margin=AHEAD + timedelta(minutes=1))
    return shop.token_expires_at - AHEAD if shop.token_expires_at else jobs.AGAIN


SCOPES_QUERY = "query GrantedScopes { currentAppInstallation { accessScopes { handle } } }"


@jobs.handler(kinds.READ_SCOPES)
def read_scopes(job) -> None:
    """After app/scopes_update: what the store says is granted now replaces what the webhooks said."""
    shop = db.session.get(Shop, job.shop_id)
    if shop is None or not shop.installed:
        return
    data = Client.for_shop(shop).execute(SCOPES_QUERY)
    handles = [s["handle"] for s in (data.get("currentAppInstallation") or {}).get("accessScopes") or []]
    shop.scopes = ",".join(handles)
    db.session.commit()
