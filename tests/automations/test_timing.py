"""Sending hours in the shop's local time: quiet hours across midnight, the legal window, DST."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.automations.timing import SendingHours

QUIET = (time(21), time(8))


def hours(zone="UTC", quiet=QUIET, window=None):
    return SendingHours(zone=ZoneInfo(zone), quiet=quiet, window=window)


@pytest.mark.parametrize(
    "now, expected",
    [
        (datetime(2026, 6, 10, 12, 0), datetime(2026, 6, 10, 12, 0)),  # allowed: unchanged
        (datetime(2026, 6, 10, 20, 59), datetime(2026, 6, 10, 20, 59)),
        (datetime(2026, 6, 10, 21, 0), datetime(2026, 6, 11, 8, 0)),  # quiet starts: next morning
        (datetime(2026, 6, 10, 23, 30), datetime(2026, 6, 11, 8, 0)),
        (datetime(2026, 6, 11, 0, 15), datetime(2026, 6, 11, 8, 0)),  # after midnight: same morning
        (datetime(2026, 6, 11, 7, 59), datetime(2026, 6, 11, 8, 0)),
        (datetime(2026, 6, 11, 8, 0), datetime(2026, 6, 11, 8, 0)),
    ],
)
def test_quiet_hours_across_midnight(now, expected):
    assert hours().next_allowed(now) == expected


def test_quiet_hours_are_local_to_the_shop():
    saigon = hours("Asia/Ho_Chi_Minh")  # UTC+7, no DST
    # 15:00 UTC is 22:00 in Saigon: deferred to 08:00 local = 01:00 UTC.
    assert saigon.next_allowed(datetime(2026, 6, 10, 15, 0)) == datetime(2026, 6, 11, 1, 0)
    assert saigon.next_allowed(datetime(2026, 6, 10, 5, 0)) == datetime(2026, 6, 10, 5, 0)


@pytest.mark.parametrize(
    "now, expected",
    [
        # New York springs forward on 2026-03-08: 08:00 EDT is 12:00 UTC (the day before, EST, 13:00 UTC).
        (datetime(2026, 3, 8, 3, 0), datetime(2026, 3, 8, 12, 0)),
        (datetime(2026, 3, 7, 3, 0), datetime(2026, 3, 7, 13, 0)),
        # Falls back on 2026-11-01: 08:00 EST is 13:00 UTC.
        (datetime(2026, 11, 1, 4, 0), datetime(2026, 11, 1, 13, 0)),
        (datetime(2026, 10, 31, 4, 0), datetime(2026, 10, 31, 12, 0)),
    ],
)
def test_quiet_hours_follow_daylight_saving(now, expected):
    assert hours("America/New_York").next_allowed(now) == expected


def test_quiet_hours_ending_inside_the_skipped_hour_open_at_the_first_real_minute():
    # Quiet 00:00-02:30 on the night New York skips 02:00-03:00: 02:30 does not exist, 03:30 EDT does.
    ny = hours("America/New_York", quiet=(time(0), time(2, 30)))
    opened = ny.next_allowed(datetime(2026, 3, 8, 5, 30))  # 00:30 EST
    assert ny.permits(ny.local(opened).time())
    assert opened == datetime(2026, 3, 8, 7, 30)


def test_legal_window_and_quiet_hours_combine():
    # Vietnam's window 07:00-22:00 with the merchant's quiet hours 21:00-08:00: only 08:00-21:00 is left.
    vn = hours("Asia/Ho_Chi_Minh", window=(time(7), time(22)))
    assert vn.next_allowed(datetime(2026, 6, 10, 0, 30)) == datetime(2026, 6, 10, 1, 0)  # 07:30 -> 08:00
    assert vn.reason(time(7, 30)) == "quiet_hours"
    no_quiet = hours("Asia/Ho_Chi_Minh", quiet=None, window=(time(7), time(22)))
    assert no_quiet.next_allowed(datetime(2026, 6, 10, 23, 30)) == datetime(2026, 6, 11, 0, 0)  # 06:30 -> 07:00
    assert no_quiet.reason(time(6, 30)) == "send_window"
    assert no_quiet.next_allowed(datetime(2026, 6, 10, 14, 0)) == datetime(2026, 6, 10, 14, 0)  # 21:00 ok


def test_local_days():
    saigon = hours("Asia/Ho_Chi_Minh")
    assert saigon.day_start(datetime(2026, 6, 10, 18, 0)) == datetime(2026, 6, 10, 17, 0)
    assert saigon.next_day(datetime(2026, 6, 10, 16, 0)) == datetime(2026, 6, 10, 17, 0)
