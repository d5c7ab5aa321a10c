"""Progress of the order-history import, as the page's progress bar shows it."""

from app import jobs
from app.jobs import kinds


def progress(shop_id: int) -> dict:
    """{state, done, total, phase, percent}; state "none" when no import was ever queued."""
    job = jobs.latest(shop_id, kinds.IMPORT_HISTORY)
    if job is None:
        return {"state": "none", "done": 0, "total": 0, "phase": None, "percent": 0, "error": None}
    data = job.data or {}
    done, total = int(data.get("done") or 0), int(data.get("total") or 0)
    percent = 100 if job.state == "done" else (min(99, done * 100 // total) if total else 0)
    return {
        "state": job.state,
        "done": done,
        "total": total,
        "phase": data.get("phase"),
        "percent": percent,
        "error": job.last_error if job.state == "failed" else None,
    }
