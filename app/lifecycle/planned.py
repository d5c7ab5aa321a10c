"""Which triggers a step has planned already: one IN query per chunk of candidates.

The lifecycle questions answer for a narrow time window, so their candidates are few; asking
the send plan once for all of them is simpler than threading a NOT EXISTS into every query.
"""

from collections.abc import Callable, Iterable

from sqlalchemy import select

from app.extensions import db
from app.records.models import Send

CHUNK = 500


def planned_refs(shop_id: int, automation: str, trigger_refs: list[str]) -> set[str]:
    found: set[str] = set()
    for first in range(0, len(trigger_refs), CHUNK):
        chunk = trigger_refs[first : first + CHUNK]
        found.update(
            db.session.scalars(
                select(Send.trigger_ref).where(
                    Send.shop_id == shop_id, Send.automation == automation, Send.trigger_ref.in_(chunk)
                )
            )
        )
    return found


def unplanned(window, found: Iterable, ref: Callable) -> list[tuple[str, object]]:
    """(trigger ref, candidate) for the candidates in `found` whose `window.step` has no send yet;
    `ref(candidate)` names the trigger."""
    named = [(ref(candidate), candidate) for candidate in found]
    prefix = window.step.name + ":"
    planned = planned_refs(window.shop_id, window.automation, [prefix + name for name, _ in named])
    return [(name, candidate) for name, candidate in named if prefix + name not in planned]
