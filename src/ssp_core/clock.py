"""Time, injectable: the clock every event is stamped with, and Danish business days.

Nothing in ssp_core calls :func:`datetime.datetime.now` directly; it asks a
:class:`Clock`. Tests and simulations pass a :class:`VirtualClock`.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import attrs

from ssp_core.exceptions import DataError

if TYPE_CHECKING:
    import holidays

__all__ = [
    "LOCAL_TIME",
    "BusinessCalendar",
    "Clock",
    "SystemClock",
    "VirtualClock",
    "danish_calendar",
    "local_date",
]

LOCAL_TIME = ZoneInfo("Europe/Copenhagen")
"""Danish local time: dates people give (concern dates, deadlines) are local dates."""


def local_date(moment: dt.datetime) -> dt.date:
    """Return the Danish local date of an aware ``moment``."""
    return moment.astimezone(LOCAL_TIME).date()


@runtime_checkable
class Clock(Protocol):
    """Something that tells the time as an aware UTC :class:`~datetime.datetime`."""

    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


@attrs.frozen
class SystemClock:
    """The real clock of the machine, in UTC."""

    def now(self) -> dt.datetime:
        """Return the current time in UTC."""
        return dt.datetime.now(dt.UTC)


@attrs.define
class VirtualClock:
    """A clock that only moves when told to; for tests, demos and simulations."""

    _now: dt.datetime = attrs.field(alias="start")

    @_now.validator
    def _aware(self, _attribute: attrs.Attribute[dt.datetime], value: dt.datetime) -> None:
        if value.tzinfo is None:
            raise DataError("a virtual clock needs a timezone-aware start time, e.g. UTC")

    def now(self) -> dt.datetime:
        """Return the virtual time."""
        return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock forward by ``delta`` and return the new time."""
        if delta < dt.timedelta(0):
            raise DataError("a virtual clock cannot move backwards")
        self._now = self._now + delta
        return self._now

    def set(self, when: dt.datetime) -> None:
        """Move the clock to ``when``, which must not be earlier than now."""
        if when.tzinfo is None:
            raise DataError("a virtual clock needs timezone-aware times")
        if when < self._now:
            raise DataError("a virtual clock cannot move backwards")
        self._now = when


@attrs.frozen
class BusinessCalendar:
    """Business days of one country: Monday to Friday, less its public holidays.

    The holidays come from the ``holidays`` package (``country`` is an ISO code,
    ``DK`` for Denmark). Extra closing days of a municipality can be given as
    ``extra_closed``.
    """

    country: str = "DK"
    extra_closed: frozenset[dt.date] = frozenset()

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        import holidays  # noqa: PLC0415 (a large package: loaded when a deadline is computed)

        return holidays.country_holidays(self.country)

    @cached_property
    def _added(self) -> dict[tuple[dt.date, int], dt.date]:
        return {}

    def is_business_day(self, day: dt.date) -> bool:
        """Tell whether ``day`` is a working day."""
        return day.weekday() < 5 and day not in self._holidays and day not in self.extra_closed

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """Return the date ``days`` business days after ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise DataError(f"business days to add must be 0 or more, got {days}")
        cached = self._added.get((start, days))
        if cached is not None:
            return cached
        day = start
        remaining = days
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        if len(self._added) < 100_000:
            self._added[start, days] = day
        return day

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Return how many business days fall after ``start`` up to and including ``end``."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count


_DANISH = BusinessCalendar("DK")


def danish_calendar() -> BusinessCalendar:
    """Return the calendar of Danish business days (public holidays from ``holidays``).

    The calendar is shared, so its holidays and computed dates are looked up once.
    """
    return _DANISH
