"""The simulated days: local hours as simulation time, business days, rosters, school holidays.

Simulation time is in hours from local midnight (Europe/Copenhagen) of a scenario's
first day. A local hour on a day is turned into it from the day's midnight and the
day's change of UTC offset, both computed once per day and kept, so that the
thousands of arrivals and roster times of a replication cost a lookup each.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from ssp_core.clock import danish_calendar

__all__ = ["business_days", "days", "holiday_days", "local_hours", "midnights", "roster_times"]

_TZ = ZoneInfo("Europe/Copenhagen")
_HOUR = dt.timedelta(hours=1)
_ZERO = dt.timedelta(0)
_CLOCKS_MOVED = 3.0
"""Denmark moves its clocks between 2 and 3 in the night; hours from 3 on are after it."""


@functools.lru_cache(maxsize=1 << 14)
def _day_offsets(start: dt.date, day: dt.date) -> tuple[float, float]:
    """Return local midnight of ``day`` in hours from that of ``start``, and the day's shift.

    The shift is the change of the UTC offset during the day, in hours (1 on the day
    summer time ends, -1 on the day it begins, else 0); Denmark moves its clocks
    between 2 and 3 in the night.
    """
    origin = dt.datetime.combine(start, dt.time(), _TZ).astimezone(dt.UTC)
    midnight = dt.datetime.combine(day, dt.time(), _TZ)
    noon = dt.datetime.combine(day, dt.time(12), _TZ)
    shift = ((midnight.utcoffset() or _ZERO) - (noon.utcoffset() or _ZERO)) / _HOUR
    return (midnight.astimezone(dt.UTC) - origin) / _HOUR, shift


def local_hours(start: dt.date, day: dt.date, hour: float) -> float:
    """Return the hours from local midnight of ``start`` to local ``hour`` on ``day``.

    Exact for every hour but those between 2 and 3 in the night of a day the clocks
    move (taken as before the move).
    """
    midnight, shift = _day_offsets(start, day)
    return midnight + hour + (shift if hour >= _CLOCKS_MOVED else 0.0)


@functools.lru_cache(maxsize=64)
def midnights(start: dt.date, count: int) -> tuple[float, ...]:
    """Return the simulated time of local midnight of each of the ``count`` days from ``start``."""
    return tuple(local_hours(start, day, 0.0) for day in days(start, count))


@functools.lru_cache(maxsize=256)
def roster_times(
    start: dt.date, count: int, hours: tuple[float, float]
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Return the opening and closing times of every business day of a roster."""
    working = business_days(start, count)
    return (
        tuple(local_hours(start, day, hours[0]) for day in working),
        tuple(local_hours(start, day, hours[1]) for day in working),
    )


@functools.lru_cache(maxsize=64)
def holiday_days(periods: tuple[tuple[dt.date, dt.date], ...]) -> frozenset[dt.date]:
    """Return every day of the school holidays ``periods`` (first and last day included)."""
    return frozenset(
        first + dt.timedelta(days=n)
        for first, last in periods
        for n in range((last - first).days + 1)
    )


@functools.lru_cache(maxsize=64)
def days(start: dt.date, count: int) -> tuple[dt.date, ...]:
    """Return the ``count`` days from ``start`` on."""
    return tuple(start + dt.timedelta(days=n) for n in range(count))


@functools.lru_cache(maxsize=64)
def business_days(start: dt.date, count: int) -> tuple[dt.date, ...]:
    """Return the Danish business days among the ``count`` days from ``start`` on."""
    calendar = danish_calendar()
    return tuple(day for day in days(start, count) if calendar.is_business_day(day))
