"""NPS arithmetic: the score, its groups and the spread the settings page draws."""

from datetime import datetime

import pytest

from app.answers import store as answers
from app.extensions import db
from app.surveys.nps import group, of_period, summarize


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


def test_nps_of_a_period_counts_the_answers_given_in_it_with_the_latest_comments(make_shop):
    shop = make_shop()
    given = [(10, None, 1), (9, "Lovely tea", 2), (3, "Late parcel", 3), (8, None, 4), (0, "Never again", 31)]
    for send_id, (score, comment, day) in enumerate(given, start=1):
        answers.record(
            shop.id,
            send_id,
            None,
            "nps",
            str(score),
            comment,
            at=datetime(2026, 10, 31, 9) if day == 31 else datetime(2026, 11, day, 9),
        )
    db.session.commit()

    november = of_period(shop.id, datetime(2026, 11, 1), datetime(2026, 11, 30))
    assert (november["answers"], november["nps"]) == (4, 25.0)
    assert [c["comment"] for c in november["comments"]] == ["Late parcel", "Lovely tea"]
    assert of_period(shop.id, datetime(2026, 1, 1), datetime(2026, 2, 1))["nps"] is None
