"""The case index row of a case: the projection written beside its events.

It is a pure function of the case's events and its workflow's final states, so the
index always equals a replay (the contract tests check exactly that).
"""

from __future__ import annotations

from collections.abc import Collection

from ssp_core.domain.cases import Case
from ssp_core.store.records import CaseRow

__all__ = ["case_row"]


def case_row(case: Case, final_states: Collection[str]) -> CaseRow:
    """Return the index row of ``case``; ``final_states`` are its workflow version's."""
    closed = case.state in final_states
    running = [due.due for due in case.due] if not closed and case.suspended_at is None else []
    return CaseRow(
        case_id=case.id,
        workflow=case.workflow,
        workflow_version=case.workflow_version,
        state=case.state,
        assignee=case.assignee,
        opened_at=case.opened_at,
        closed_at=case.entered_at if closed else None,
        next_due=min(running, default=None),
        on_hold=case.suspended_at is not None,
        municipality=case.municipality,
        opened_by=case.opened_by,
    )
