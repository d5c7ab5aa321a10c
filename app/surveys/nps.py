"""Net Promoter Score: % promoters (9–10) minus % detractors (0–6) over the answers of a period."""

from collections.abc import Iterable

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
