"""Deadlines of a workflow version: due dates in business days, and the deadlines a case runs.

:class:`DueDates` computes, for one definition version, the due dates that start
when a case enters a state, counted in business days from the Danish local date.
Cases that enter a state on the same day (or at the same instant: an import, a
simulation step) share their due dates, which are immutable values; both caches are
bounded. :class:`Deadline` is a due date as a person sees it, with its rule's labels.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.clock import BusinessCalendar, danish_calendar, local_date
from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.labels import Labels
from ssp_core.workflows.definition import DeadlineRule, WorkflowDefinition

__all__ = ["DUE_CACHE_SIZE", "Deadline", "DueDates"]

DUE_CACHE_SIZE = 4096
"""How many (state, day, calendar) due-date tuples a definition version keeps for reuse."""

_Cached = tuple[BusinessCalendar, tuple[DueDate, ...]]


@attrs.frozen
class Deadline:
    """A due date running for a case in its current state, with its rule's labels.

    ``missed`` tells that the missed deadline was recorded; ``on_hold`` that the case
    is suspended, so the date will move when it is resumed.
    """

    rule: str
    state: str
    due: dt.date
    labels: Labels
    missed: bool = False
    on_hold: bool = False

    def overdue_on(self, day: dt.date) -> bool:
        """Tell whether the deadline has passed on ``day`` (a suspended case is never overdue)."""
        return not self.on_hold and day > self.due


class DueDates:
    """The deadline rules of one definition version, by the state they start in."""

    __slots__ = ("_by_day", "_by_instant", "_rules", "starts")

    def __init__(self, definition: WorkflowDefinition) -> None:
        self._rules: dict[str, DeadlineRule] = {rule.key: rule for rule in definition.deadlines}
        self.starts: dict[str, tuple[DeadlineRule, ...]] = {}
        """The rules that start in each state (states without rules are absent)."""
        for rule in definition.deadlines:
            self.starts[rule.state] = (*self.starts.get(rule.state, ()), rule)
        self._by_day: dict[tuple[str, dt.date, int], _Cached] = {}
        self._by_instant: dict[tuple[str, dt.datetime], _Cached] = {}

    def due_dates(
        self, state: str, entered: dt.datetime, calendar: BusinessCalendar | None = None
    ) -> tuple[DueDate, ...]:
        """Return the due dates of the deadlines that start when a case enters ``state``.

        Business days are counted from the Danish local date of ``entered`` in
        ``calendar`` (default: Danish business days).
        """
        rules = self.starts.get(state)
        if not rules:
            return ()
        calendar = calendar or danish_calendar()
        instant = self._by_instant.get((state, entered))
        if instant is not None and instant[0] is calendar:
            return instant[1]
        day = local_date(entered)
        key = (state, day, id(calendar))
        cached = self._by_day.get(key)
        if cached is not None and cached[0] is calendar:
            self._remember(state, entered, cached)
            return cached[1]
        dues = tuple(
            DueDate(
                rule.key,
                calendar.add_business_days(day, rule.days)
                if rule.business_days
                else day + dt.timedelta(days=rule.days),
            )
            for rule in rules
        )
        if len(self._by_day) >= DUE_CACHE_SIZE:
            self._by_day.clear()
        self._by_day[key] = (calendar, dues)
        self._remember(state, entered, (calendar, dues))
        return dues

    def _remember(self, state: str, entered: dt.datetime, due: _Cached) -> None:
        if len(self._by_instant) >= DUE_CACHE_SIZE:
            self._by_instant.clear()
        self._by_instant[state, entered] = due

    def deadlines(self, case: Case) -> tuple[Deadline, ...]:
        """Return the deadlines a case runs in its current state, as stored with it."""
        on_hold = case.suspended_at is not None
        result = []
        for due in case.due:
            rule = self._rules.get(due.rule)
            result.append(
                Deadline(
                    rule=due.rule,
                    state=case.state,
                    due=due.due,
                    labels=rule.labels if rule else Labels(da=due.rule, en=due.rule),
                    missed=due.missed,
                    on_hold=on_hold,
                )
            )
        return tuple(result)
