"""Walks and findings as read models: folded from a case's events, nothing stored twice."""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.events import FindingAssigned, FindingRecorded, Transitioned, WalkPlanned
from ssp_core.domain.people import Environment
from ssp_core.domain.walks import Place
from ssp_core.exceptions import DataError
from ssp_core.i18n import _
from ssp_core.workflows.definition import WorkflowDefinition

__all__ = ["Finding", "Walk"]


def _locality(case: Case) -> str:
    subject = case.subject
    if not isinstance(subject, Environment):
        raise DataError(_("case {case} is not about a locality").format(case=case.id))
    return subject.id


@attrs.frozen
class Walk:
    """A safety walk as its events tell it: the newest plan, and where the walk case stands."""

    case_id: str
    workflow: str
    state: str
    locality: str
    held_on: dt.date
    participants: tuple[str, ...]
    citizens: int
    topics: tuple[str, ...]
    note: str | None
    source: str | None
    opened_at: dt.datetime
    due: tuple[DueDate, ...]

    @classmethod
    def of(cls, case: Case) -> Walk:
        """Fold the walk from its case (the newest :class:`WalkPlanned` is the plan)."""
        plans = [e for e in case.events if isinstance(e, WalkPlanned)]
        if not plans:
            raise DataError(_("case {case} has no walk plan").format(case=case.id))
        plan = plans[-1]
        return cls(
            case_id=case.id,
            workflow=case.workflow,
            state=case.state,
            locality=_locality(case),
            held_on=plan.held_on,
            participants=plan.participants,
            citizens=plan.citizens,
            topics=plan.topics,
            note=plan.note,
            source=plan.source,
            opened_at=case.opened_at,
            due=case.due,
        )


@attrs.frozen
class Finding:
    """A safety-walk finding as its events tell it: what, where, who follows it up, how far.

    ``outcome`` is the final state (``resolved``, ``declined``) once closed, with the
    time and, for a declined finding, the reason; ``due`` are its running due dates.
    """

    case_id: str
    walk: str
    locality: str
    state: str
    place: Place
    category: str
    description: str
    responsible: str | None
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    outcome: str | None
    reason: str | None
    due: tuple[DueDate, ...]

    @property
    def is_open(self) -> bool:
        """Tell whether the finding is still being followed up."""
        return self.outcome is None

    @classmethod
    def of(cls, case: Case, definition: WorkflowDefinition) -> Finding:
        """Fold the finding from its case and its workflow definition version."""
        recorded = next((e for e in case.events if isinstance(e, FindingRecorded)), None)
        if recorded is None:
            raise DataError(_("case {case} has no recorded finding").format(case=case.id))
        responsible = recorded.responsible
        for event in case.events:
            if isinstance(event, FindingAssigned):
                responsible = event.partner
        final = case.state in definition.final_states
        last = case.last_event
        closing = last if final and isinstance(last, Transitioned) else None
        return cls(
            case_id=case.id,
            walk=recorded.walk,
            locality=_locality(case),
            state=case.state,
            place=recorded.place,
            category=recorded.category,
            description=recorded.description,
            responsible=responsible,
            reported_at=case.opened_at,
            closed_at=case.entered_at if final else None,
            outcome=case.state if final else None,
            reason=closing.reason if closing is not None else None,
            due=() if final else case.due,
        )
