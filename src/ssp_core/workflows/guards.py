"""Guards: named conditions on a case, declared as data or implemented by a plugin.

A guard in code gets a :class:`GuardView` of the case, never the case: the facts
recorded, the assignment, sessions, dates and states, and of each event its type,
time and the fields that are not personal. Worry signs and protective factors seen,
notes and the subject are not in it, so no plugin can count or weigh what was
observed about a person (EU AI Act art. 5(1)(d)): it is absent, not just documented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.fields import SEALED_FIELDS
from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier
from ssp_core.workflows.definition import GuardSpec

__all__ = ["EventFacts", "Guard", "GuardCheck", "GuardView", "compile_guard", "guard_view"]

UNSEEN_EVENTS = frozenset({"ObservationRecorded", "ResourceObserved", "NoteAdded"})
"""Events a guard does not see at all: what was observed about the person, and notes."""

_NOT_SHOWN = frozenset({"subject", "observation"})


@attrs.frozen(slots=True)
class EventFacts:
    """One event as a guard sees it: its type, time, and its fields that are not personal."""

    kind: str
    at: dt.datetime
    fields: Mapping[str, Any]


@attrs.frozen(slots=True)
class GuardView:
    """What a guard in code may use of a case, read-only: no observations, notes or subject."""

    case_id: str
    workflow: str
    workflow_version: int
    state: str
    opened_at: dt.datetime
    entered_at: dt.datetime
    assignee: str | None
    facts: frozenset[str]
    sessions: int
    due: tuple[DueDate, ...]
    suspended_at: dt.datetime | None
    municipality: str | None
    age_at_concern: int | None
    events: tuple[EventFacts, ...]


def _facts_of(event: Any) -> EventFacts:
    kind = type(event).__name__
    sealed = {path.split(".")[0] for path in SEALED_FIELDS.get(kind, {})} | _NOT_SHOWN
    fields = {
        field.name: getattr(event, field.name)
        for field in attrs.fields(type(event))
        if field.name not in sealed
    }
    return EventFacts(kind, event.at, MappingProxyType(fields))


def guard_view(case: Case) -> GuardView:
    """Return the view of ``case`` a guard in code is given."""
    return GuardView(
        case_id=case.id,
        workflow=case.workflow,
        workflow_version=case.workflow_version,
        state=case.state,
        opened_at=case.opened_at,
        entered_at=case.entered_at,
        assignee=case.assignee,
        facts=case.facts,
        sessions=case.sessions,
        due=case.due,
        suspended_at=case.suspended_at,
        municipality=case.municipality,
        age_at_concern=case.opening.age_at_concern,
        events=tuple(
            _facts_of(event) for event in case.events if type(event).__name__ not in UNSEEN_EVENTS
        ),
    )


GuardCheck = Callable[[GuardView], bool]
"""A guard's test: given the :class:`GuardView` of a case, tell whether the guard holds."""


@attrs.frozen
class Guard:
    """A guard implemented in code by a plugin, for conditions data cannot express.

    Its ``check`` gets a :class:`GuardView`, never the case itself; it never scores or
    ranks the person.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    check: GuardCheck

    def holds(self, case: Case) -> bool:
        """Tell whether the guard holds for ``case``, asking its check about the case's view."""
        return bool(self.check(guard_view(case)))


def compile_guard(spec: GuardSpec) -> Callable[[Case], bool]:
    """Turn a declared :class:`GuardSpec` into its test, without evaluating any text."""
    all_of = frozenset(spec.all_of)
    any_of = frozenset(spec.any_of)
    assigned = spec.assigned
    min_sessions = spec.min_sessions
    under_age = spec.under_age

    def check(case: Case) -> bool:
        if under_age is not None:
            age = case.opening.age_at_concern
            if age is None or age >= under_age:
                return True  # the guard asks this only of a minor
        facts = case.facts
        return (
            all_of <= facts
            and (not any_of or not any_of.isdisjoint(facts))
            and (not assigned or case.assignee is not None)
            and case.sessions >= min_sessions
        )

    check.__name__ = spec.id
    check.__qualname__ = f"guard:{spec.id}"
    return check
