"""What the merchant sees before switching an automation on: a rendered preview and a test email.

Previews use a real customer and real products of the shop when it has them, so the
merchant judges the email they will actually send; a new shop gets believable samples.
Nothing is recorded in the send plan and no discount code is created in the store.
"""

from app import clock
from app.automations import settings
from app.automations.base import language
from app.automations.registry import AUTOMATIONS
from app.discounts import VALIDITY
from app.mail.compose import compose
from app.mail.transport import Delivery, send_now

#: Printed where a real email would carry its own code.
SAMPLE_CODE = "COMEBACK-SAMPLE"


def render(shop, key: str, locale: str, customer_id: int | None = None, step: int = 0) -> tuple[str, str, str]:
    """(subject, html, text) of the automation's email of `step` (its index) as the shop would send it now."""
    message = _message(shop, key, locale, customer_id, to_email=None, step=step)
    return (
        str(message["Subject"]),
        message.get_body(("html",)).get_content(),
        message.get_body(("plain",)).get_content(),
    )


def send_test(shop, key: str, locale: str, to_email: str, step: int = 0) -> Delivery:
    """Render and send the email to `to_email` now (from a job, never a web request)."""
    return send_now(_message(shop, key, locale, None, to_email=to_email, step=step))


def _message(shop, key: str, locale: str, customer_id: int | None, to_email: str | None, step: int = 0):
    automation = AUTOMATIONS[key]
    values = settings.values(shop, key)
    journey_step = automation.steps[step]
    send, context = automation.sample(shop, values, language(locale), customer_id, journey_step)
    # The send stays unsaved and without id: compose then adds no tracking, so a test is in no statistics.
    if to_email:
        send.recipient = to_email
    percent = automation.percent_for(send, values)
    if percent or journey_step.free_shipping:
        context["discount"] = {"code": SAMPLE_CODE, "percent": percent, "expires_at": clock.iso(clock.now() + VALIDITY)}
    return compose(
        shop,
        send,
        template=automation.template_for(send),
        context=context,
        subject=automation.subject_for(send, values),
        marketing=not journey_step.notice,
    )
