"""A case: the fold of its events.

A :class:`Case` is a small record. Its fields are derived from its events, and the
only way to change it is :meth:`Case.apply`, which takes the next event in sequence
and appends it. History is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.events import (
    ActivityLogged,
    AdviceRequested,
    Assigned,
    CaseEvent,
    CaseOpened,
    CaseResumed,
    CaseSuspended,
    ComingOfAgeAnnounced,
    ConsentGiven,
    ConsentWithdrawn,
    DeadlineExtended,
    DeadlineMissed,
    Disclosure,
    FactRecorded,
    FindingAssigned,
    FindingRecorded,
    MovedToMunicipality,
    NoteAdded,
    ObservationRecorded,
    OpenedFromAdvice,
    ResourceObserved,
    SessionRecorded,
    Transitioned,
    WalkPlanned,
    WorkflowMigrated,
)
from ssp_core.domain.people import CaseSubject
from ssp_core.domain.redaction import RedactedPerson
from ssp_core.exceptions import DataError

__all__ = ["Case"]

_EMPTY: frozenset[str] = frozenset()


@attrs.define
class Case:
    """One case (a concern on an action card, or a prevention track), folded from events.

    Cases are driven through their workflow by
    :class:`~ssp_core.workflows.engine.WorkflowEngine`, never bound to a state
    machine of their own.
    """

    id: str
    workflow: str
    workflow_version: int
    subject: CaseSubject | RedactedPerson
    state: str
    version: int
    opened_at: dt.datetime
    entered_at: dt.datetime
    assignee: str | None = None
    facts: frozenset[str] = _EMPTY
    sessions: int = 0
    due: tuple[DueDate, ...] = ()
    suspended_at: dt.datetime | None = None
    municipality: str | None = None
    _first: CaseOpened = attrs.field(repr=False, alias="first", kw_only=True)
    # The events after the opening one; None while there are none, so a case that was
    # only opened is two objects (the record and its event), not three.
    _later: list[CaseEvent] | None = attrs.field(default=None, repr=False, alias="later")

    @classmethod
    def open(cls, event: CaseOpened) -> Case:
        """Start a case from its opening event."""
        if event.version != 1:
            raise DataError(f"an opening event must have version 1, not {event.version}")
        # Positional arguments, in field order: this runs once per case opened.
        return cls(
            event.case_id,
            event.workflow,
            event.workflow_version,
            event.subject,
            event.state,
            1,
            event.at,
            event.at,
            None,
            _EMPTY,
            0,
            event.due,
            None,
            event.municipality,
            first=event,
        )

    @classmethod
    def replay(cls, events: Iterable[CaseEvent]) -> Case:
        """Fold a case from its whole history, the opening event first."""
        iterator = iter(events)
        first = next(iterator, None)
        if not isinstance(first, CaseOpened):
            raise DataError("a case history must start with a CaseOpened event")
        case = cls.open(first)
        for event in iterator:
            case.apply(event)
        return case

    def copy(self) -> Case:
        """Return an independent copy: events applied to one are not applied to the other."""
        return Case(
            self.id,
            self.workflow,
            self.workflow_version,
            self.subject,
            self.state,
            self.version,
            self.opened_at,
            self.entered_at,
            self.assignee,
            self.facts,
            self.sessions,
            self.due,
            self.suspended_at,
            self.municipality,
            first=self._first,
            later=None if self._later is None else list(self._later),
        )

    @property
    def opened_by(self) -> str:
        """Return the id of the actor who opened the case."""
        return self._first.actor

    @property
    def events(self) -> tuple[CaseEvent, ...]:
        """Return the case's history, oldest first."""
        if self._later is None:
            return (self._first,)
        return (self._first, *self._later)

    @property
    def opening(self) -> CaseOpened:
        """Return the opening event (its subject, situation and concern date)."""
        return self._first

    @property
    def last_event(self) -> CaseEvent:
        """Return the newest event."""
        return self._later[-1] if self._later else self._first

    def apply(self, event: CaseEvent) -> None:
        """Append the next event and fold it into the case.

        The event must belong to this case and carry the next version; anything else
        raises :class:`~ssp_core.exceptions.DataError` and changes nothing.
        """
        if event.case_id != self.id or event.version != self.version + 1:
            raise DataError(
                f"event version {event.version} of case {event.case_id} cannot follow "
                f"version {self.version} of case {self.id}"
            )
        fold = _FOLDS.get(type(event))
        if fold is None:
            raise DataError(f"a case cannot apply a {type(event).__name__} event")
        fold(self, event)
        if self._later is None:
            self._later = [event]
        else:
            self._later.append(event)
        self.version = event.version


def _transitioned(case: Case, event: Transitioned) -> None:
    case.state = event.dest
    case.entered_at = event.at
    case.due = event.due


def _suspended(case: Case, event: CaseSuspended) -> None:
    case.suspended_at = event.at


def _resumed(case: Case, event: CaseResumed) -> None:
    case.suspended_at = None
    case.due = event.due


def _extended(case: Case, event: DeadlineExtended) -> None:
    case.due = tuple(
        DueDate(event.rule, event.due) if due.rule == event.rule else due for due in case.due
    )


def _missed(case: Case, event: DeadlineMissed) -> None:
    case.due = tuple(
        DueDate(due.rule, due.due, missed=True) if due.rule == event.rule else due
        for due in case.due
    )


def _migrated(case: Case, event: WorkflowMigrated) -> None:
    case.workflow_version = event.to_version
    if event.dest != event.source:
        case.entered_at = event.at
    case.state = event.dest
    case.due = event.due


def _fact(case: Case, event: FactRecorded) -> None:
    case.facts = case.facts | {event.fact}
    if any(due.rule == event.fact for due in case.due):
        # A due date named after a fact waits for it (a fact deadline): it is met now.
        case.due = tuple(due for due in case.due if due.rule != event.fact)


def _assigned(case: Case, event: Assigned) -> None:
    case.assignee = event.assignee


def _moved(case: Case, event: MovedToMunicipality) -> None:
    case.municipality = event.to_municipality


def _session(case: Case, _event: SessionRecorded) -> None:
    case.sessions += 1


def _history_only(_case: Case, _event: CaseEvent) -> None:
    """Fold notes, observations, disclosures, walk data, coming of age: history only."""


def _reopened(_case: Case, _event: CaseEvent) -> None:
    raise DataError("a case can be opened only once")


_FOLDS: dict[type[CaseEvent], Callable[[Case, Any], None]] = {
    CaseOpened: _reopened,
    Transitioned: _transitioned,
    FactRecorded: _fact,
    Assigned: _assigned,
    MovedToMunicipality: _moved,
    SessionRecorded: _session,
    NoteAdded: _history_only,
    ObservationRecorded: _history_only,
    Disclosure: _history_only,
    ConsentGiven: _history_only,
    ConsentWithdrawn: _history_only,
    WalkPlanned: _history_only,
    FindingRecorded: _history_only,
    FindingAssigned: _history_only,
    CaseSuspended: _suspended,
    CaseResumed: _resumed,
    DeadlineExtended: _extended,
    DeadlineMissed: _missed,
    WorkflowMigrated: _migrated,
    ComingOfAgeAnnounced: _history_only,
    AdviceRequested: _history_only,
    OpenedFromAdvice: _history_only,
    ResourceObserved: _history_only,
    ActivityLogged: _history_only,
}
