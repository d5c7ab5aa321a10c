"""Acting on a bounce or complaint that came back to a VERP address (see `verp`, `reports`).

The address acted on is the send's own recipient, never one read from the report: a report's
fields are whatever its sender wrote, the signed token is ours.
- bounce (5.x.x): the address is suppressed as bounced in that shop;
- complaint (ARF): the address is unsubscribed in that shop (no confirmation email: they said spam);
- soft_bounce (4.x.x): counted; when the last SOFT_LIMIT emails to the address all soft-bounced,
  it is suppressed as bounced.
Each is an email event and the send's reason, so the activity list shows it.
"""

from sqlalchemy import exists, select, update

from app.customers.consent import suppress
from app.extensions import db
from app.mail import verp
from app.mail.events import record
from app.mail.reports import Report
from app.records.models import EmailEvent, Send
from app.shops.models import Shop

#: Soft bounces in a row (on consecutive emails to one address) that suppress it.
SOFT_LIMIT = 3
EVENT = {"bounce": "bounce", "soft_bounce": "soft_bounce", "complaint": "complaint"}
REASON = {"bounce": "bounced", "soft_bounce": "soft_bounce", "complaint": "complained"}


def apply(origin: verp.Origin, report: Report) -> bool:
    """Record `report` against the send `origin` names; False when the token is not genuine or
    the send is gone (erased). The caller commits."""
    shop = db.session.get(Shop, origin.shop_id)
    if shop is None or not verp.genuine(origin, shop):
        return False
    send = db.session.get(Send, (origin.shop_id, origin.send_id))
    if send is None:
        return False
    already = db.session.scalar(
        select(EmailEvent.id).where(
            EmailEvent.shop_id == shop.id, EmailEvent.send_id == send.id, EmailEvent.kind == EVENT[report.kind]
        )
    )
    if already is None:  # the same report twice (a retried delivery) counts once
        record(shop.id, send.id, EVENT[report.kind], detail=report.detail[:500])
    if report.kind != "soft_bounce" or send.reason not in ("bounced", "complained"):
        db.session.execute(
            update(Send).where(Send.shop_id == shop.id, Send.id == send.id).values(reason=REASON[report.kind])
        )
    if report.kind == "bounce":
        suppress(shop.id, send.recipient, "bounced")
    elif report.kind == "complaint":
        suppress(shop.id, send.recipient, "unsubscribed")
    elif _soft_bounces_in_a_row(shop.id, send.recipient):
        suppress(shop.id, send.recipient, "bounced")
    return True


def _soft_bounces_in_a_row(shop_id: int, recipient: str) -> bool:
    """Whether each of the last SOFT_LIMIT emails that went to the address soft-bounced."""
    db.session.flush()
    soft = exists(
        select(EmailEvent.id).where(
            EmailEvent.shop_id == Send.shop_id, EmailEvent.send_id == Send.id, EmailEvent.kind == "soft_bounce"
        )
    )
    last = (
        db.session.execute(
            select(soft)
            .where(Send.shop_id == shop_id, Send.recipient == recipient, Send.state.in_(("sent", "unknown")))
            .order_by(Send.sent_at.desc())
            .limit(SOFT_LIMIT)
        )
        .scalars()
        .all()
    )
    return len(last) == SOFT_LIMIT and all(last)
