"""What happened to an email after it left: opens, clicks, unsubscribes and hard bounces."""

from email.message import EmailMessage
from email.utils import parseaddr

from app import clock
from app.customers.consent import suppress
from app.extensions import db
from app.records.models import EmailEvent


def record(shop_id: int, send_id: int | None, kind: str, url: str | None = None, detail: str | None = None) -> None:
    """Add an event row (the caller commits); previews and tests without a send record nothing."""
    if send_id is not None:
        db.session.add(EmailEvent(shop_id=shop_id, send_id=send_id, kind=kind, url=url, detail=detail, at=clock.now()))


def bounced(message: EmailMessage, detail: str) -> None:
    """The server refused the recipient for good: suppress the address in the shop that sent it."""
    shop_id, send_id = _origin(message)
    if shop_id is None:
        return
    suppress(shop_id, getattr(message, "envelope_to", None) or parseaddr(str(message["To"]))[1], "bounced")
    record(shop_id, send_id, "bounce", detail=detail[:500])


def _origin(message: EmailMessage) -> tuple[int | None, int | None]:
    """(shop id, send id) from the `X-Comeback-Send` header that compose stamps."""
    try:
        shop_id, send_id = (int(part) for part in str(message["X-Comeback-Send"] or "").split("."))
    except ValueError:
        return None, None
    return shop_id, send_id or None
