"""Rows of an SQLite store: records as the values stored, and rows read back as records.

Times are stored as UTC ISO 8601 text with microseconds (so text order is time
order), dates as ISO text and flags as integers.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from ssp_core.store.base import utc
from ssp_core.store.records import AuditEntry, CaseRow, IdentityRecord, KeyRecord, StoredEvent

__all__ = [
    "case_params",
    "identity_params",
    "key_params",
    "sql_value",
    "stored_time",
    "to_audit",
    "to_case",
    "to_event",
    "to_identity",
    "to_key",
]


def case_params(row: CaseRow) -> tuple[Any, ...]:
    """Return an index row's values as stored, in the order of ``CASE_COLUMNS``."""
    return (
        row.case_id,
        row.workflow,
        row.workflow_version,
        row.state,
        row.assignee,
        stored_time(row.opened_at),
        _opt_time(row.closed_at),
        None if row.next_due is None else row.next_due.isoformat(),
        int(row.on_hold),
        row.municipality,
        row.opened_by,
    )


@functools.lru_cache(maxsize=4096)
def stored_time(moment: dt.datetime) -> str:
    """Return a time as stored: UTC, ISO 8601 with microseconds (so text order is time order).

    Cached: a command writes the same few times (the event's, the case's opening time).
    """
    return utc(moment).isoformat(timespec="microseconds")


def _opt_time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else stored_time(moment)


def to_event(row: tuple[Any, ...]) -> StoredEvent:
    """Return the event of a row read in the order of ``EVENT_COLUMNS``."""
    return StoredEvent(
        row[0],
        row[1],
        row[2],
        dt.datetime.fromisoformat(row[3]),
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
    )


def to_case(row: tuple[Any, ...]) -> CaseRow:
    """Return the index row of a row read in the order of ``CASE_COLUMNS``."""
    return CaseRow(
        case_id=row[0],
        workflow=row[1],
        workflow_version=row[2],
        state=row[3],
        assignee=row[4],
        opened_at=dt.datetime.fromisoformat(row[5]),
        closed_at=None if row[6] is None else dt.datetime.fromisoformat(row[6]),
        next_due=None if row[7] is None else dt.date.fromisoformat(row[7]),
        on_hold=bool(row[8]),
        municipality=row[9],
        opened_by=row[10],
    )


def to_audit(row: tuple[Any, ...]) -> AuditEntry:
    """Return the audit entry of a row read in the order of ``AUDIT_COLUMNS``."""
    return AuditEntry(
        at=dt.datetime.fromisoformat(row[0]),
        actor=row[1],
        role=row[2],
        purpose=row[3],
        action=row[4],
        case_id=row[5],
        detail=row[6],
        id=row[7],
    )


def key_params(key: KeyRecord) -> tuple[Any, ...]:
    """Return a key row's values as stored, in the order of ``KEY_COLUMNS``."""
    return (key.case_id, key.wrapped, key.subject, stored_time(key.created_at), key.key_id)


def identity_params(identity: IdentityRecord) -> tuple[Any, ...]:
    """Return a vault entry's values as stored, in the order of ``IDENTITY_COLUMNS``."""
    return (identity.pseudonym, identity.wrapped, identity.sealed, stored_time(identity.created_at))


def to_key(row: tuple[Any, ...]) -> KeyRecord:
    """Return the key row of a row read in the order of ``KEY_COLUMNS``."""
    return KeyRecord(row[0], row[1], row[2], dt.datetime.fromisoformat(row[3]), row[4])


def to_identity(row: tuple[Any, ...]) -> IdentityRecord:
    """Return the vault entry of a row read in the order of ``IDENTITY_COLUMNS``."""
    return IdentityRecord(row[0], row[1], row[2], dt.datetime.fromisoformat(row[3]))


def sql_value(value: Any) -> Any:
    """Return a query parameter as stored (times and dates as ISO text)."""
    if isinstance(value, dt.datetime):
        return stored_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
