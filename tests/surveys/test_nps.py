"""NPS arithmetic: the score, its groups and the spread the settings page draws."""

import pytest

from app.surveys.nps import group, summarize


@pytest.mark.parametrize(
    "score, expected",
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_groups(score, expected):
    assert group(score) == expected


def test_nps_is_promoters_minus_detractors_in_percent():
    summary = summarize([10, 9, 9, 8, 7, 6, 0, 10])
    assert (summary["promoters"], summary["passives"], summary["detractors"]) == (4, 2, 2)
    assert summary["nps"] == 25.0
    assert summary["spread"] == [1, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2]


def test_one_decimal_and_the_extremes():
    assert summarize([10, 10, 0])["nps"] == 33.3
    assert summarize([0, 3])["nps"] == -100.0
    assert summarize([9])["nps"] == 100.0


def test_no_answers_no_score():
    assert summarize([]) == {
        "nps": None,
        "answers": 0,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "spread": [0] * 11,
    }
