"""Rows of a PostgreSQL store: records as column values, and rows read back as records.

psycopg adapts times, dates and flags itself; times go in as UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ssp_core.store.base import utc
from ssp_core.store.records import AuditEntry, CaseRow, IdentityRecord, KeyRecord, StoredEvent

__all__ = [
    "audit_values",
    "case_values",
    "event_values",
    "identity_columns",
    "key_columns",
    "sql_value",
    "to_audit",
    "to_case",
    "to_event",
    "to_identity",
    "to_key",
]


def to_event(row: tuple[Any, ...]) -> StoredEvent:
    """Return the event of a row read in the order of ``EVENT_COLUMNS``."""
    return StoredEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8])


def to_case(row: tuple[Any, ...]) -> CaseRow:
    """Return the index row of a row read in the order of ``CASE_COLUMNS``."""
    return CaseRow(
        case_id=row[0],
        workflow=row[1],
        workflow_version=row[2],
        state=row[3],
        assignee=row[4],
        opened_at=row[5],
        closed_at=row[6],
        next_due=row[7],
        on_hold=bool(row[8]),
        municipality=row[9],
        opened_by=row[10],
    )


def to_audit(row: tuple[Any, ...]) -> AuditEntry:
    """Return the audit entry of a row read in the order of ``AUDIT_COLUMNS``."""
    return AuditEntry(
        at=row[0],
        actor=row[1],
        role=row[2],
        purpose=row[3],
        action=row[4],
        case_id=row[5],
        detail=row[6],
        id=row[7],
    )


def to_key(row: tuple[Any, ...]) -> KeyRecord:
    """Return the key row of a row read in the order of ``KEY_COLUMNS``."""
    return KeyRecord(row[0], row[1], row[2], row[3], row[4])


def to_identity(row: tuple[Any, ...]) -> IdentityRecord:
    """Return the vault entry of a row read in the order of ``IDENTITY_COLUMNS``."""
    return IdentityRecord(row[0], row[1], row[2], row[3])


def key_columns(keys: Sequence[KeyRecord]) -> list[Any]:
    """Return key rows, in case id order, as one array per column of ``KEY_COLUMNS``."""
    ordered = sorted(keys, key=lambda key: key.case_id)
    return [
        [key.case_id for key in ordered],
        [key.wrapped for key in ordered],
        [key.subject for key in ordered],
        [utc(key.created_at) for key in ordered],
        [key.key_id for key in ordered],
    ]


def identity_columns(identities: Sequence[IdentityRecord]) -> list[Any]:
    """Return vault entries (the first of each pseudonym, in pseudonym order) as column arrays.

    Writers insert rows of one unique index in the same order, so they cannot deadlock.
    """
    first: dict[str, IdentityRecord] = {}
    for identity in identities:
        first.setdefault(identity.pseudonym, identity)
    ordered = [first[pseudonym] for pseudonym in sorted(first)]
    return [
        [each.pseudonym for each in ordered],
        [each.wrapped for each in ordered],
        [each.sealed for each in ordered],
        [utc(each.created_at) for each in ordered],
    ]


def event_values(e: StoredEvent) -> tuple[Any, ...]:
    """Return an event's values in the order of ``NEW_EVENT_COLUMNS``."""
    return (e.case_id, e.version, e.topic, utc(e.at), e.actor, e.role, e.data, e.purpose)


def case_values(r: CaseRow) -> tuple[Any, ...]:
    """Return an index row's values in the order of ``CASE_COLUMNS``."""
    return (
        r.case_id,
        r.workflow,
        r.workflow_version,
        r.state,
        r.assignee,
        utc(r.opened_at),
        _opt_time(r.closed_at),
        r.next_due,
        r.on_hold,
        r.municipality,
        r.opened_by,
    )


def audit_values(a: AuditEntry) -> tuple[Any, ...]:
    """Return an audit entry's values in the order of ``NEW_AUDIT_COLUMNS``."""
    return (utc(a.at), a.actor, a.role, a.purpose, a.action.value, a.case_id, a.detail)


def sql_value(value: Any) -> Any:
    """Return a query parameter as sent (times in UTC)."""
    return utc(value) if isinstance(value, dt.datetime) else value


def _opt_time(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else utc(moment)
