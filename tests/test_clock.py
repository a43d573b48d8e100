from __future__ import annotations

import datetime as dt

import pytest

from ssp_core import BusinessCalendar, Clock, DataError, SystemClock, VirtualClock, danish_calendar


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is dt.UTC
    assert isinstance(SystemClock(), Clock)


def test_virtual_clock_moves_only_forward() -> None:
    clock = VirtualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert clock.advance(dt.timedelta(hours=2)) == dt.datetime(2026, 1, 1, 2, tzinfo=dt.UTC)
    clock.set(dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    assert clock.now() == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    with pytest.raises(DataError, match="backwards"):
        clock.advance(dt.timedelta(seconds=-1))
    with pytest.raises(DataError, match="backwards"):
        clock.set(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(DataError, match="timezone-aware"):
        VirtualClock(dt.datetime(2026, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (dt.date(2026, 3, 2), 2, dt.date(2026, 3, 4)),  # Monday + 2 = Wednesday
        (dt.date(2026, 3, 6), 1, dt.date(2026, 3, 9)),  # Friday + 1 = Monday
        (
            dt.date(2026, 3, 31),
            2,
            dt.date(2026, 4, 7),
        ),  # Maundy Thursday, Good Friday, Easter Monday 2026
        (
            dt.date(2026, 12, 23),
            2,
            dt.date(2026, 12, 28),
        ),  # 24 Dec is a working day; 25/26 Dec are holidays
        (dt.date(2026, 5, 13), 1, dt.date(2026, 5, 15)),  # Ascension Day 14 May 2026
        (dt.date(2026, 3, 2), 0, dt.date(2026, 3, 2)),
    ],
)
def test_danish_business_days(start: dt.date, days: int, due: dt.date) -> None:
    assert danish_calendar().add_business_days(start, days) == due


def test_extra_closing_days_and_bad_counts() -> None:
    calendar = BusinessCalendar("DK", frozenset({dt.date(2026, 3, 3)}))
    assert calendar.add_business_days(dt.date(2026, 3, 2), 1) == dt.date(2026, 3, 4)
    with pytest.raises(DataError, match="0 or more"):
        calendar.add_business_days(dt.date(2026, 3, 2), -1)
