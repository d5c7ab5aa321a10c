"""Net Promoter Score: % promoters (9–10) minus % detractors (0–6) over the answers of a period."""

from collections.abc import Iterable

from app import clock
from app.answers import store

SCORES = range(11)
PROMOTER, DETRACTOR = 9, 6


def group(score: int) -> str:
    """ "promoter" (9–10), "passive" (7–8) or "detractor" (0–6)."""
    if score >= PROMOTER:
        return "promoter"
    return "detractor" if score <= DETRACTOR else "passive"


def summarize(scores: Iterable[int]) -> dict:
    """{"nps", "answers", "promoters", "passives", "detractors", "spread"}; `nps` is None without answers.

    `spread` lists how many answered each score, index 0 to 10. NPS is rounded to one decimal,
    like every percentage of the measures.
    """
    spread = [0] * len(SCORES)
    for score in scores:
        spread[score] += 1
    answers = sum(spread)
    promoters, detractors = sum(spread[PROMOTER:]), sum(spread[: DETRACTOR + 1])
    return {
        "nps": round((promoters - detractors) * 100 / answers, 1) if answers else None,
        "answers": answers,
        "promoters": promoters,
        "passives": answers - promoters - detractors,
        "detractors": detractors,
        "spread": spread,
    }


def of_period(shop_id: int, start, end, comments: int = 5) -> dict:
    """The NPS summary of the feedback answers given in [start, end) (naive UTC), with the latest
    `comments` comments ({"score", "comment", "answered_at"}, newest first): what `/api/metrics`
    shows as `automations.feedback.nps` and the settings page draws."""
    answers = store.between(shop_id, "nps", start, end)
    summary = summarize(int(a.answer) for a in answers)
    summary["comments"] = [
        {"score": int(a.answer), "comment": a.comment, "answered_at": clock.iso(a.answered_at)}
        for a in reversed(answers)
        if a.comment
    ][:comments]
    return summary
