"""Filtering and ordering of the case index, the event log and the audit log, for the backends.

SQL backends translate the same queries into ``WHERE`` clauses; the memory store
uses these functions, and the contract tests hold the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ssp_core.exceptions import ConcurrencyError
from ssp_core.store.records import (
    NO_DUE,
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    EventQuery,
    StoredEvent,
)
from ssp_core.store.sql import gap_error

__all__ = ["audit_matches", "case_matches", "case_order", "event_matches", "follows"]


def case_matches(row: CaseRow, query: CaseQuery) -> bool:
    """Tell whether an index row passes every filter of ``query``."""
    return (
        (query.workflow is None or row.workflow == query.workflow)
        and (query.workflow_version is None or row.workflow_version == query.workflow_version)
        and (query.state is None or row.state == query.state)
        and (query.assignee is None or row.assignee == query.assignee)
        and (not query.open_only or row.closed_at is None)
        and (
            query.due_before is None
            or (
                row.closed_at is None
                and row.next_due is not None
                and row.next_due < query.due_before
            )
        )
        and (
            query.closed_before is None
            or (row.closed_at is not None and row.closed_at < query.closed_before)
        )
        and (
            query.municipalities is None
            or (row.municipality is not None and row.municipality in query.municipalities)
        )
        and (query.involving is None or query.involving in (row.assignee, row.opened_by))
        and (query.after is None or case_order(row) > query.after.key())
    )


def case_order(row: CaseRow) -> tuple[dt.date, str]:
    """Sort key of index rows: next due date first (none last), then case id."""
    return (row.next_due or NO_DUE, row.case_id)


def audit_matches(entry: AuditEntry, query: AuditQuery) -> bool:
    """Tell whether an audit entry passes every filter of ``query``."""
    return (
        (query.case_id is None or entry.case_id == query.case_id)
        and (query.actor is None or entry.actor == query.actor)
        and (query.since is None or entry.at >= query.since)
        and (query.until is None or entry.at < query.until)
    )


def event_matches(event: StoredEvent, query: EventQuery) -> bool:
    """Tell whether a stored event passes every filter of ``query`` (its limit aside)."""
    return (
        (query.topics is None or event.topic in query.topics)
        and (query.case_id is None or event.case_id == query.case_id)
        and (query.actor is None or event.actor == query.actor)
        and (not query.first_only or event.version == 1)
        and (query.since is None or event.at >= query.since)
        and (query.until is None or event.at < query.until)
    )


def follows(events: Sequence[StoredEvent]) -> list[tuple[str, int]]:
    """Check a sorted commit's versions per case; return (case, version before its first).

    Within the commit the versions of a case must run on without gaps (else
    :class:`DataError`; a repeated version is a :class:`ConcurrencyError`). A first
    version above 1 must follow a stored version, which the caller looks up; stored
    versions have no gaps, by induction.
    """
    follows = []
    previous: StoredEvent | None = None
    for event in events:
        if previous is not None and previous.case_id == event.case_id:
            if event.version == previous.version:
                raise ConcurrencyError(event.case_id, event.version)
            if event.version != previous.version + 1:
                raise gap_error(event.case_id, previous.version + 1, event.version)
        elif event.version > 1:
            follows.append((event.case_id, event.version - 1))
        previous = event
    return follows
