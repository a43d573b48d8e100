"""The writes of an SQLite store inside its open transaction, and the checks they need.

Events are numbered after the last position only if each case's versions follow
the stored ones; audit entries, key lookups and the rewriting of event data (with
the append-only trigger set aside) run on the connection of the transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ssp_core.exceptions import ConcurrencyError, DataError, SchemaError, Signal
from ssp_core.store.records import AuditEntry, KeyReplacement, StoredEvent
from ssp_core.store.select import follows
from ssp_core.store.sql import gap_error
from ssp_core.store.sqlite.rows import key_params, stored_time
from ssp_core.store.sqlite.schema import EVENTS_UPDATE_TRIGGER
from ssp_core.store.sqlite.statements import (
    DELETE_KEY_AS_READ,
    FOLLOWS_KEYED,
    INSERT_AUDIT,
    INSERT_EVENT,
    INSERT_EVENT_AT,
    INSERT_KEY,
    MAX_POSITION,
    VERSION_EXISTS,
    chunks,
)

__all__ = [
    "VersionGap",
    "check_keyed",
    "gap_error_for",
    "insert_audit",
    "insert_events",
    "insert_one",
    "keys_taken",
    "replace_keys",
    "update_events",
]


def insert_one(
    conn: sqlite3.Connection, e: StoredEvent, keyed: Sequence[str] = ()
) -> tuple[int, ...]:
    """Insert one event, numbered by the file (the last position plus one).

    It goes in only if it is a case's first version or follows a stored one, and
    only if each case of ``keyed`` still has its key row (one lookup answers both for
    the event's own case). (A lookup and a plain ``INSERT`` cost less here than one
    ``INSERT ... SELECT ... RETURNING``.)
    """
    if e.version > 1 and tuple(keyed) == (e.case_id,):
        follows, has_key = conn.execute(FOLLOWS_KEYED, (e.case_id, e.version - 1)).fetchone()
        if not has_key:
            raise ConcurrencyError.key_row(e.case_id)
        if not follows:
            raise VersionGap(e.case_id, e.version)
    else:
        check_keyed(conn, keyed)
        if (
            e.version > 1
            and not conn.execute(VERSION_EXISTS, (e.case_id, e.version - 1)).fetchone()
        ):
            raise VersionGap(e.case_id, e.version)
    cursor = conn.execute(
        INSERT_EVENT,
        (e.case_id, e.version, e.topic, stored_time(e.at), e.actor, e.role, e.data, e.purpose),
    )
    return (int(cursor.lastrowid or 0),)


def check_keyed(conn: sqlite3.Connection, case_ids: Sequence[str]) -> None:
    """Refuse (``ConcurrencyError.key_row``) the first of ``case_ids`` without a key row."""
    for marks, chunk in chunks(list(case_ids)):
        found = {
            row[0]
            for row in conn.execute(
                f"SELECT case_id FROM case_keys WHERE case_id IN ({marks})", chunk
            )
        }
        for case_id in chunk:
            if case_id not in found:
                raise ConcurrencyError.key_row(case_id)


def insert_events(conn: sqlite3.Connection, events: Sequence[StoredEvent]) -> tuple[int, ...]:
    """Insert the sorted events of a commit with consecutive positions after the last one."""
    for case_id, previous in follows(events):
        if not conn.execute(VERSION_EXISTS, (case_id, previous)).fetchone():
            raise VersionGap(case_id, previous + 1)
    start = conn.execute(MAX_POSITION).fetchone()[0]
    positions = tuple(range(start + 1, start + 1 + len(events)))
    conn.executemany(
        INSERT_EVENT_AT,
        [
            (
                e.case_id,
                e.version,
                e.topic,
                stored_time(e.at),
                e.actor,
                e.role,
                e.data,
                e.purpose,
                pos,
            )
            for e, pos in zip(events, positions, strict=True)
        ],
    )
    return positions


class VersionGap(Signal):  # an internal signal; it never leaves the store
    """A commit's first version of a case does not follow the stored ones."""

    def __init__(self, case_id: str, version: int) -> None:
        self.case_id = case_id
        self.version = version


def gap_error_for(conn: sqlite3.Connection, case_id: str, version: int) -> DataError:
    """Name the case whose first version in a commit does not follow its stored ones."""
    written = conn.execute("SELECT count(*) FROM events WHERE case_id = ?", (case_id,)).fetchone()[
        0
    ]
    return gap_error(case_id, written + 1, version)


def keys_taken(conn: sqlite3.Connection, case_ids: Sequence[str]) -> set[str]:
    """Return those of ``case_ids`` that have a key row."""
    found: set[str] = set()
    for marks, chunk in chunks(list(dict.fromkeys(case_ids))):
        rows = conn.execute(f"SELECT case_id FROM case_keys WHERE case_id IN ({marks})", chunk)
        found.update(row[0] for row in rows)
    return found


def insert_audit(conn: sqlite3.Connection, entries: Sequence[AuditEntry]) -> None:
    """Insert audit entries (none: nothing)."""
    if len(entries) == 1:
        a = entries[0]
        row = (stored_time(a.at), a.actor, a.role, a.purpose, a.action.value, a.case_id, a.detail)
        conn.execute(INSERT_AUDIT, row)
    elif entries:
        conn.executemany(
            INSERT_AUDIT,
            [
                (stored_time(a.at), a.actor, a.role, a.purpose, a.action.value, a.case_id, a.detail)
                for a in entries
            ],
        )


def update_events(conn: sqlite3.Connection, updates: Sequence[tuple[str, int, str]]) -> None:
    """Update the data of events, setting the append-only trigger aside meanwhile."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
        (EVENTS_UPDATE_TRIGGER,),
    ).fetchone()
    if row is None:
        raise SchemaError(f"the events table has no trigger {EVENTS_UPDATE_TRIGGER}")
    conn.execute(f"DROP TRIGGER {EVENTS_UPDATE_TRIGGER}")
    conn.executemany(
        "UPDATE events SET data = ? WHERE case_id = ? AND version = ?",
        [(data, case_id, version) for case_id, version, data in updates],
    )
    conn.execute(row[0])


def replace_keys(conn: sqlite3.Connection, replacements: Sequence[KeyReplacement]) -> None:
    """Delete each key row if it is still the one read, and insert its replacement.

    The table's rows are never updated: a replaced row is deleted (``secure_delete``
    zeroes it) and the new one inserted, in the transaction of the caller.

    :raises ConcurrencyError: a row was re-wrapped or erased since it was read.
    """
    ordered = sorted(replacements, key=lambda r: r.old.case_id)
    for replacement in ordered:
        old = replacement.old
        deleted = conn.execute(DELETE_KEY_AS_READ, (old.case_id, old.wrapped, old.key_id))
        if deleted.rowcount != 1:
            raise ConcurrencyError.key_row(old.case_id)
    conn.executemany(INSERT_KEY, [key_params(r.new) for r in ordered])
