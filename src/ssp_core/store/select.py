"""Filtering and ordering of the case index and the audit log, shared by the backends.

SQL backends translate the same queries into ``WHERE`` clauses; the memory store
uses these functions, and the contract tests hold the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ssp_core.exceptions import DataError
from ssp_core.store.records import AuditEntry, AuditQuery, CaseQuery, CaseRow, Commit

__all__ = ["audit_matches", "case_matches", "case_order", "check_contiguous"]

_NEVER = dt.date.max


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
    )


def case_order(row: CaseRow) -> tuple[dt.date, str]:
    """Sort key of index rows: next due date first (none last), then case id."""
    return (row.next_due or _NEVER, row.case_id)


def audit_matches(entry: AuditEntry, query: AuditQuery) -> bool:
    """Tell whether an audit entry passes every filter of ``query``."""
    return (
        (query.case_id is None or entry.case_id == query.case_id)
        and (query.actor is None or entry.actor == query.actor)
        and (query.since is None or entry.at >= query.since)
        and (query.until is None or entry.at < query.until)
    )


def check_contiguous(commit: Commit, stored: Mapping[str, int]) -> None:
    """Refuse a commit that would leave a gap in a case's versions.

    ``stored`` maps each case of the commit to the highest version already written
    (0 for a new case); the commit's versions of a case must follow it without gaps.
    """
    versions: dict[str, list[int]] = {}
    for event in commit.events:
        versions.setdefault(event.case_id, []).append(event.version)
    for case_id, written in versions.items():
        expected = list(
            range(stored.get(case_id, 0) + 1, stored.get(case_id, 0) + len(written) + 1)
        )
        if sorted(written) != expected:
            raise DataError(
                f"case {case_id}: versions {sorted(written)} do not follow version "
                f"{stored.get(case_id, 0)} without gaps"
            )
