"""The statements an SQLite store writes with, as text built once.

Statements are built from constant column lists and placeholders only; values
always travel as parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ssp_core.store.sql import (
    CASE_COLUMNS,
    CHUNK,
    IDENTITY_COLUMNS,
    KEY_COLUMNS,
    NEW_AUDIT_COLUMNS,
    NEW_EVENT_COLUMNS,
    case_and_key,
)

__all__ = [
    "DELETE_KEY_AS_READ",
    "FOLLOWS_KEYED",
    "INSERT_AUDIT",
    "INSERT_EVENT",
    "INSERT_EVENT_AT",
    "INSERT_KEY",
    "KEEP_IDENTITY",
    "MAX_POSITION",
    "PUT_IDENTITY",
    "READ_CASE_AND_KEY",
    "SET_MUNICIPALITY",
    "UPSERT_CASE",
    "VERSION_EXISTS",
    "chunks",
]

INSERT_EVENT = f"INSERT INTO events ({NEW_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
"""Insert an event; the file numbers it (the last position plus one)."""

READ_CASE_AND_KEY = case_and_key()
"""Read a case's events after a version, each with its key row (see :func:`case_and_key`)."""

VERSION_EXISTS = "SELECT 1 FROM events WHERE case_id = ? AND version = ?"
"""Answer a row if a case's version is stored."""

FOLLOWS_KEYED = (
    "SELECT EXISTS (SELECT 1 FROM events WHERE case_id = ?1 AND version = ?2), "
    "EXISTS (SELECT 1 FROM case_keys WHERE case_id = ?1)"
)
"""Answer whether a case's version is stored, and whether the case has its key row."""

INSERT_EVENT_AT = (
    f"INSERT INTO events ({NEW_EVENT_COLUMNS}, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
"""Insert an event at a given position."""

MAX_POSITION = "SELECT coalesce(max(position), 0) FROM events"
"""Answer the highest position written (0 for none)."""

INSERT_KEY = f"INSERT INTO case_keys ({KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
"""Insert a case's data key row."""

DELETE_KEY_AS_READ = "DELETE FROM case_keys WHERE case_id = ? AND wrapped = ? AND key_id IS ?"
"""Delete a case's key row if it is still the one read (its wrapped key and key id)."""

_INSERT_IDENTITY = f"INSERT INTO identities ({IDENTITY_COLUMNS}) VALUES (?, ?, ?, ?)"

KEEP_IDENTITY = f"{_INSERT_IDENTITY} ON CONFLICT (pseudonym) DO NOTHING"
"""Insert a vault entry, keeping the one stored if there is one."""

PUT_IDENTITY = (
    f"{_INSERT_IDENTITY} ON CONFLICT (pseudonym) DO UPDATE SET wrapped = excluded.wrapped, "
    "sealed = excluded.sealed, created_at = excluded.created_at"
)
"""Insert or replace a vault entry."""

UPSERT_CASE = (
    f"INSERT INTO cases ({CASE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow, "
    "workflow_version = excluded.workflow_version, state = excluded.state, "
    "assignee = excluded.assignee, "
    "opened_at = excluded.opened_at, closed_at = excluded.closed_at, "
    "next_due = excluded.next_due, on_hold = excluded.on_hold, "
    "municipality = coalesce(excluded.municipality, cases.municipality), "
    "opened_by = coalesce(excluded.opened_by, cases.opened_by)"
)
"""Insert or replace a case's index row (one without a municipality or opener keeps the stored)."""

SET_MUNICIPALITY = "UPDATE cases SET municipality = ? WHERE workflow = ? AND municipality IS NULL"
"""Give a municipality to the index rows of a workflow that have none (the backfill)."""

INSERT_AUDIT = f"INSERT INTO audit ({NEW_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
"""Insert an audit entry; the file gives its id."""


def chunks(values: Sequence[str]) -> Iterator[tuple[str, Sequence[str]]]:
    """Split values into parts of at most ``CHUNK``, each with its placeholders (``?, ?``)."""
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        yield ", ".join("?" * len(chunk)), chunk
