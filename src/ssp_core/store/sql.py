"""What the SQL backends share: query clauses, schema version checks and conflict reports.

Each backend keeps its own statements and types; what must read the same in every
one of them (filters, refusals, messages) lives here once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from ssp_core.exceptions import ConcurrencyError, DataError, SchemaError, StoreError
from ssp_core.store.records import AuditQuery, CaseQuery, StoredEvent

__all__ = ["audit_where", "case_where", "first_conflict", "gap_error", "needs_upgrade"]


def case_where(query: CaseQuery, mark: str = "?") -> tuple[str, list[Any]]:
    """Return the SQL ``WHERE`` clause and parameters of a case query (``mark``: placeholder)."""
    clauses: list[str] = []
    params: list[Any] = []
    for column in ("workflow", "workflow_version", "state", "assignee"):
        value = getattr(query, column)
        if value is not None:
            clauses.append(f"{column} = {mark}")
            params.append(value)
    if query.open_only:
        clauses.append("closed_at IS NULL")
    if query.due_before is not None:
        clauses.append(f"closed_at IS NULL AND next_due < {mark}")
        params.append(query.due_before)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def audit_where(query: AuditQuery, mark: str = "?") -> tuple[str, list[Any]]:
    """Return the SQL ``WHERE`` clause and parameters of an audit query."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.case_id is not None:
        clauses.append(f"case_id = {mark}")
        params.append(query.case_id)
    if query.actor is not None:
        clauses.append(f"actor = {mark}")
        params.append(query.actor)
    if query.since is not None:
        clauses.append(f"at >= {mark}")
        params.append(query.since)
    if query.until is not None:
        clauses.append(f"at < {mark}")
        params.append(query.until)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def needs_upgrade(url: str, version: int, latest: int, *, upgrade: bool) -> bool:
    """Tell whether a store at schema ``version`` must be upgraded to ``latest``.

    A newer schema is refused; an older one is refused unless ``upgrade`` is asked for.
    """
    if version > latest:
        raise SchemaError(
            f"store {url} has schema version {version}, newer than this library's "
            f"{latest}; upgrade ssp-core to open it"
        )
    if version < latest and not upgrade:
        raise SchemaError(
            f"store {url} has schema version {version}, older than this "
            f"library's {latest}; run `ssp store upgrade` to migrate it"
        )
    return version < latest


def first_conflict(events: Sequence[StoredEvent], taken: Collection[tuple[str, int]]) -> StoreError:
    """Return the error for a refused commit: the first (case, version) taken or repeated."""
    seen: set[tuple[str, int]] = set()
    for event in events:
        key = (event.case_id, event.version)
        if key in seen or key in taken:
            return ConcurrencyError(*key)
        seen.add(key)
    return StoreError("the commit was refused by a constraint of the store")


def gap_error(case_id: str, count: int, highest: int) -> DataError:
    """Return the error for a commit that would leave a gap in a case's versions."""
    return DataError(
        f"case {case_id}: version {highest} would leave a gap after {count - 1} "
        "written versions; versions must follow each other"
    )
