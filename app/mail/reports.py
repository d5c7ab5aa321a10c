"""Reading what comes back to a bounce address: delivery status notifications and complaints.

- RFC 3464 DSN: `multipart/report; report-type=delivery-status` with a `message/delivery-status`
  part, one block per recipient (`Action`, `Status`). Status 5.x.x is permanent ("bounce"),
  4.x.x transient ("soft_bounce"); delivered, relayed and expanded say nothing to act on.
- RFC 5965 ARF: `multipart/report; report-type=feedback-report` with a `message/feedback-report`
  part (`Feedback-Type: abuse`, ...): the recipient complained ("complaint").

Anything else, or anything malformed, is None: the server accepts it and does nothing.
"""

import email
import email.policy
import re
from dataclasses import dataclass
from email.parser import HeaderParser

STATUS = re.compile(r"([245])\.\d{1,3}\.\d{1,3}")
#: Feedback types that mean the recipient does not want the mail (RFC 5965 and its registry).
COMPLAINTS = ("abuse", "fraud", "virus", "other", "not-spam")


@dataclass(frozen=True)
class Report:
    #: bounce, soft_bounce or complaint.
    kind: str
    detail: str


def read(raw: bytes) -> Report | None:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report" or not message.is_multipart():
        return None
    report_type = (message.get_param("report-type") or "").lower()
    for part in message.get_payload():
        kind = part.get_content_type()
        if report_type == "delivery-status" and kind == "message/delivery-status":
            return _delivery_status(part)
        if report_type == "feedback-report" and kind == "message/feedback-report":
            return _feedback(part)
    return None


def _delivery_status(part) -> Report | None:
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return None
    # The first block is about the message, the others each about one recipient.
    worst = None
    for block in blocks[1:] or blocks:
        action = str(block.get("Action", "")).strip().lower()
        match = STATUS.search(str(block.get("Status", "")))
        if match is None or action in ("delivered", "relayed", "expanded"):
            continue
        detail = f"{match.group(0)} {str(block.get('Diagnostic-Code', '')).strip()}".strip()[:500]
        if match.group(1) == "5" and action in ("failed", ""):
            return Report("bounce", detail)
        if match.group(1) == "4" and worst is None:
            worst = Report("soft_bounce", detail)
    return worst


def _feedback(part) -> Report | None:
    payload = part.get_payload()
    if isinstance(payload, list):  # parsed as a message: its headers are the fields
        fields = payload[0] if payload else None
    else:
        fields = HeaderParser().parsestr(payload if isinstance(payload, str) else "")
    if fields is None:
        return None
    feedback = str(fields.get("Feedback-Type", "")).strip().lower()
    if feedback not in COMPLAINTS or feedback == "not-spam":
        return None
    return Report("complaint", f"feedback-type {feedback}")
