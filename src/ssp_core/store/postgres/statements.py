"""The statements of a PostgreSQL store, rendered once per schema, and their parameters.

:class:`Statements` holds every statement of a store with its tables named in its
schema; :func:`write_statement` renders (and caches) the one statement writing a
commit of a given shape. Parameters of ``$n`` statements are for a
:class:`psycopg.RawCursor`, which sends a statement as it is.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from ssp_core.store.postgres.rows import (
    audit_values,
    case_values,
    event_values,
    identity_columns,
    key_columns,
)
from ssp_core.store.postgres.schema import DUE_KEY, EVENTS_UPDATE_TRIGGER
from ssp_core.store.records import (
    AuditEntry,
    CaseRow,
    Commit,
    IdentityRecord,
    KeyRecord,
    StoredEvent,
)
from ssp_core.store.sql import (
    AUDIT_COLUMNS,
    CASE_COLUMNS,
    EVENT_COLUMNS,
    IDENTITY_COLUMNS,
    KEY_COLUMNS,
    NEW_AUDIT_COLUMNS,
    NEW_EVENT_COLUMNS,
    case_and_key,
)

__all__ = [
    "KEY_GONE_SQLSTATE",
    "Statements",
    "last_rows",
    "row_chunks",
    "rows_params",
    "version_checks",
    "write_statement",
]

_CASE_UPDATE = ", ".join(
    # A row without a municipality or opener keeps the stored one (given by a backfill).
    f"{column} = coalesce(EXCLUDED.{column}, cases.{column})"
    if column in {"municipality", "opened_by"}
    else f"{column} = EXCLUDED.{column}"
    for column in CASE_COLUMNS.split(", ")[1:]
)
_ROWS_MAX = 100
"""Index rows and audit entries written by one statement, at most (of each)."""


def last_rows(rows: Sequence[CaseRow]) -> list[CaseRow]:
    """Return the index rows of a commit, the last one of each case only."""
    if len(rows) < 2:
        return list(rows)
    return list({row.case_id: row for row in rows}.values())


def version_checks(events: Sequence[StoredEvent]) -> tuple[list[str], list[int | None]]:
    """Return what the server must check so that no case is left with a gap in its versions.

    ``events`` are in (case id, version) order. The versions a case has are 1 to n
    (every commit is checked), and the commit can only add versions not taken yet;
    so a case whose versions in the commit follow each other from ``first`` stays
    whole exactly if ``first`` is 1 or version ``first - 1`` is stored. Each case
    to check comes with that ``first``, or with None when its versions in the commit
    do not follow each other: then the server counts all its versions.
    """
    case_ids: list[str] = []
    firsts: list[int | None] = []
    case: str | None = None
    first = last = 0
    whole = True
    for event in events:
        if event.case_id != case:
            if case is not None and (first > 1 or not whole):
                case_ids.append(case)
                firsts.append(first if whole else None)
            case, first, last, whole = event.case_id, event.version, event.version, True
        else:
            whole = whole and event.version == last + 1
            last = event.version
    if case is not None and (first > 1 or not whole):
        case_ids.append(case)
        firsts.append(first if whole else None)
    return case_ids, firsts


_EVENT_CASTS = ("::text", "::integer", "::text", "::timestamptz", *["::text"] * 4)
"""The types of the event columns, for the first row of a VALUES list."""


def _marks(numbers: Iterator[int], count: int, casts: Sequence[str] = (), tail: str = "") -> str:
    """Return a row of ``count`` numbered placeholders (``$n``), with casts and a last value."""
    marks = [f"${next(numbers)}" for _ in range(count)]
    for n, cast in enumerate(casts):
        marks[n] += cast
    if tail:
        marks.append(tail)
    return f"({', '.join(marks)})"


KEY_GONE_SQLSTATE = "22012"
"""What the commit statement raises when a ``keyed`` case has no key row (a division by
zero, the one error plain SQL can raise at will; nothing else in it divides)."""


@functools.lru_cache(maxsize=256)
def write_statement(
    s: str, events: int, cases: int, audit: int, *, keys: bool = False, keyed: bool = False
) -> str:
    """Return the one statement writing a commit of this shape into schema ``s``.

    ``s`` is the quoted schema name. The parameters are numbered (``$n``, for a
    :class:`psycopg.RawCursor`, which sends the statement as it is; psycopg would parse
    a long one on every call): the values of each event, in (case id, version) order,
    then of each index row, then of each audit entry, then (``keys``) the five column
    arrays of the data keys of cases being opened. The events are appended one by
    one, in that order, by ``ssp_append_event`` (which takes the lock); the statement
    answers the first position given (NULL without events).

    The statement itself does not name the events table: it would lock it (for
    writing rows) before the function asks for the writers' lock, and two writers
    doing so would deadlock.

    With ``keyed`` (and events), the last parameter is the array of the ids of stored
    cases whose events are sealed under their key row: each row is locked
    (``FOR KEY SHARE``, so an erasure waits for this commit, or this commit sees the
    row gone), and if any is missing the statement fails with
    :data:`KEY_GONE_SQLSTATE` before an event is appended, and nothing is written.
    """
    numbers = itertools.count(1)
    width = len(NEW_EVENT_COLUMNS.split(", "))
    ctes = []
    checked = " FROM kc WHERE kc.ok = 1" if keyed and events else ""
    if events == 1:
        ctes.append(
            f"ev AS (SELECT {s}.ssp_append_event{_marks(numbers, width)} AS position{checked})"
        )
    elif events:
        rows = [
            _marks(numbers, width, _EVENT_CASTS if n == 1 else (), tail=str(n))
            for n in range(1, events + 1)
        ]
        # A volatile function of the select list is called in the order of ORDER BY.
        ctes.append(
            f"ev AS (SELECT {s}.ssp_append_event(v.case_id, v.version, v.topic, v.at, "
            "v.actor, v.role, v.data, v.purpose) AS position "
            f"FROM (VALUES {', '.join(rows)}) AS v ({NEW_EVENT_COLUMNS}, n)"
            f"{', kc WHERE kc.ok = 1' if checked else ''} ORDER BY v.n)"
        )
    if cases:
        width = len(CASE_COLUMNS.split(", "))
        rows = [_marks(numbers, width) for _ in range(cases)]
        ctes.append(
            f"cs AS (INSERT INTO {s}.cases ({CASE_COLUMNS}) VALUES {', '.join(rows)} "
            f"ON CONFLICT (case_id) DO UPDATE SET {_CASE_UPDATE})"
        )
    if audit:
        width = len(NEW_AUDIT_COLUMNS.split(", "))
        rows = [_marks(numbers, width) for _ in range(audit)]
        ctes.append(f"au AS (INSERT INTO {s}.audit ({NEW_AUDIT_COLUMNS}) VALUES {', '.join(rows)})")
    if keys:
        a, b, c, d, e = (next(numbers) for _ in range(5))
        ctes.append(
            f"ks AS (INSERT INTO {s}.case_keys ({KEY_COLUMNS}) SELECT * FROM "
            f"unnest(${a}::text[], ${b}::bytea[], ${c}::text[], ${d}::timestamptz[], "
            f"${e}::text[]))"
        )
    if checked:
        k = next(numbers)
        ctes.insert(
            0,
            "kc AS MATERIALIZED (SELECT 1 / (count(*) = cardinality("
            f"${k}::text[]))::integer AS ok FROM (SELECT case_id FROM {s}.case_keys "
            f"WHERE case_id = ANY(${k}::text[]) FOR KEY SHARE) AS k)",
        )
    answer = "(SELECT min(position) FROM ev)" if events else "NULL::bigint"
    return f"WITH {', '.join(ctes)} SELECT {answer}"


def row_chunks(
    cases: Sequence[CaseRow], audit: Sequence[AuditEntry]
) -> Iterator[tuple[Sequence[CaseRow], Sequence[AuditEntry]]]:
    """Split index rows and audit entries into parts of at most ``_ROWS_MAX`` of each."""
    for start in range(0, max(len(cases), len(audit)), _ROWS_MAX):
        yield cases[start : start + _ROWS_MAX], audit[start : start + _ROWS_MAX]


def rows_params(cases: Sequence[CaseRow], audit: Sequence[AuditEntry]) -> list[Any]:
    """Return the parameters of index rows and audit entries, for ``write_statement``."""
    params = [value for row in cases for value in case_values(row)]
    params += [value for entry in audit for value in audit_values(entry)]
    return params


class Statements:
    """The statements of a store in one schema, rendered once, with schema-qualified names.

    Each is an attribute named for what it does (``read_case``, ``insert_keys``, ...);
    those with ``$n`` parameters are for a :class:`psycopg.RawCursor`, the others
    (``%s``) for a plain cursor. The methods return statements with their parameters.
    """

    def __init__(self, schema: str) -> None:
        """Render every statement once, with the store's tables named in ``schema``."""
        # The store checks the name: lower-case letters, digits and _ only.
        s = self.schema_sql = f'"{schema}"'
        self.lock_events = f"LOCK TABLE {s}.events IN EXCLUSIVE MODE"
        self.max_position = f"SELECT coalesce(max(position), 0) FROM {s}.events"
        self.copy_events = f"COPY {s}.events ({NEW_EVENT_COLUMNS}, position) FROM STDIN"
        # After the events of a larger commit are written (parameters: the case ids and
        # first versions of version_checks, for a RawCursor): calls ssp_version_gap,
        # which raises, for the first case left with a gap.
        self.check_versions = (
            f"SELECT {s}.ssp_version_gap(w.case_id, NULL) "
            "FROM unnest($1::text[], $2::integer[]) AS w (case_id, first) WHERE CASE "
            "WHEN w.first IS NULL THEN (SELECT count(*) <> max(e.version) "
            f"FROM {s}.events e WHERE e.case_id = w.case_id) "
            f"ELSE NOT EXISTS (SELECT FROM {s}.events e "
            "WHERE e.case_id = w.case_id AND e.version = w.first - 1) END"
        )
        self.taken = (
            f"SELECT e.case_id, e.version FROM {s}.events e "
            "JOIN unnest(%s::text[], %s::integer[]) AS w (case_id, version) "
            "ON e.case_id = w.case_id AND e.version = w.version"
        )
        self.read_case = (
            f"SELECT {EVENT_COLUMNS} FROM {s}.events WHERE case_id = %s AND version > %s "
            "ORDER BY version"
        )
        self.read_case_and_key = case_and_key(f"{s}.", "%s", "::text")
        self.read_cases = (
            f"SELECT {EVENT_COLUMNS} FROM {s}.events WHERE case_id = ANY(%s) "
            "ORDER BY case_id, version"
        )
        self.read_log = (
            f"SELECT {EVENT_COLUMNS} FROM {s}.events WHERE position > %s ORDER BY position LIMIT %s"
        )
        self.read_events = (
            f"SELECT {EVENT_COLUMNS} FROM {s}.events{{where}} ORDER BY position LIMIT %s"
        )
        self.case_row = f"SELECT {CASE_COLUMNS} FROM {s}.cases WHERE case_id = %s"
        self.find_cases = (
            f"SELECT {CASE_COLUMNS} FROM {s}.cases{{where}} ORDER BY {DUE_KEY}, case_id LIMIT %s"
        )
        # Audit entries: the events written with a purpose, each the entry of its
        # write, and the rows of the audit table (recorded reads, and entries given in
        # a commit). At one instant writes come first, by position; the rows by id.
        self.read_audit = (
            f"SELECT {AUDIT_COLUMNS} FROM ("
            "SELECT at, actor, role, purpose, 'write' AS action, case_id, topic AS detail, "
            f"NULL::bigint AS id, 0 AS kind, position AS seq FROM {s}.events{{events_where}} "
            "UNION ALL "
            f"SELECT {AUDIT_COLUMNS}, 1, id FROM {s}.audit{{audit_where}}"
            ") AS entries ORDER BY at, kind, seq LIMIT %s"
        )
        self.count_cases = f"SELECT cases FROM {s}.case_count"
        self.set_municipality = (
            f"UPDATE {s}.cases SET municipality = %s WHERE workflow = %s AND municipality IS NULL"
        )
        self._render_key_statements()
        self.version = f"SELECT coalesce(max(version), 0) FROM {s}.ssp_schema"
        self.record_migration = (
            f"INSERT INTO {s}.ssp_schema (version, description, applied_at) VALUES (%s, %s, %s)"
        )
        self.search_path = f"SET LOCAL search_path TO {s}"
        self.create_schema = f"CREATE SCHEMA {s}"

    def _render_key_statements(self) -> None:
        """Render the statements of data keys and the vault (``$n``: for a RawCursor)."""
        s = self.schema_sql
        self.insert_keys = (
            f"INSERT INTO {s}.case_keys ({KEY_COLUMNS}) "
            "SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::timestamptz[], "
            "$5::text[])"
        )
        # Deletes the key rows still as read (case id, wrapped key, key id), answering
        # the case ids deleted: the first half of replacing a re-wrapped key.
        self.delete_keys_as_read = (
            f"DELETE FROM {s}.case_keys AS k "
            "USING unnest($1::text[], $2::bytea[], $3::text[]) AS o (case_id, wrapped, key_id) "
            "WHERE k.case_id = o.case_id AND k.wrapped = o.wrapped "
            "AND k.key_id IS NOT DISTINCT FROM o.key_id RETURNING k.case_id"
        )
        self.keep_identities = (
            f"INSERT INTO {s}.identities ({IDENTITY_COLUMNS}) "
            "SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::timestamptz[]) "
            "ON CONFLICT (pseudonym) DO NOTHING"
        )
        self.put_identity = (
            f"INSERT INTO {s}.identities ({IDENTITY_COLUMNS}) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (pseudonym) DO UPDATE SET wrapped = EXCLUDED.wrapped, "
            "sealed = EXCLUDED.sealed, created_at = EXCLUDED.created_at"
        )
        self.delete_keys = f"DELETE FROM {s}.case_keys WHERE case_id = ANY($1::text[])"
        self.delete_identities = f"DELETE FROM {s}.identities WHERE pseudonym = ANY($1::text[])"
        self.vacuum_secrets = f"VACUUM {s}.case_keys, {s}.identities"
        self.sealing_key = f"SELECT fingerprint FROM {s}.sealing_keys WHERE slot = %s"
        self.seal_under = (
            f"INSERT INTO {s}.sealing_keys AS k (slot, fingerprint, recorded_at) "
            "VALUES (%s, %s, %s) ON CONFLICT (slot) DO UPDATE SET "
            "fingerprint = EXCLUDED.fingerprint, recorded_at = EXCLUDED.recorded_at "
            "WHERE k.fingerprint = ANY(%s)"
        )
        self.read_keys = f"SELECT {KEY_COLUMNS} FROM {s}.case_keys WHERE case_id = ANY(%s)"
        self.keyed = f"SELECT case_id FROM {s}.case_keys WHERE case_id = ANY(%s)"
        self.lock_keyed = (
            f"SELECT case_id FROM {s}.case_keys WHERE case_id = ANY($1::text[]) "
            "ORDER BY case_id FOR KEY SHARE"
        )
        self.lock_replaced = (
            f"SELECT case_id FROM {s}.case_keys WHERE case_id = ANY($1::text[]) "
            "ORDER BY case_id FOR UPDATE"
        )
        self.subject_cases = (
            f"SELECT case_id FROM {s}.case_keys WHERE subject = %s ORDER BY case_id"
        )
        self.read_identity = f"SELECT {IDENTITY_COLUMNS} FROM {s}.identities WHERE pseudonym = %s"
        self.disable_update = f"ALTER TABLE {s}.events DISABLE TRIGGER {EVENTS_UPDATE_TRIGGER}"
        self.enable_update = f"ALTER TABLE {s}.events ENABLE TRIGGER {EVENTS_UPDATE_TRIGGER}"
        self.update_data = (
            f"UPDATE {s}.events AS e SET data = u.data "
            "FROM unnest(%s::text[], %s::integer[], %s::text[]) AS u (case_id, version, data) "
            "WHERE e.case_id = u.case_id AND e.version = u.version"
        )

    def commit_statements(
        self, events: Sequence[StoredEvent], commit: Commit
    ) -> list[tuple[str, list[Any]]]:
        """Return the statements writing the events, index rows and audit entries of a commit.

        The first writes the events (if any) and answers the first position given.
        """
        cases = last_rows(commit.cases)
        if len(cases) <= _ROWS_MAX and len(commit.audit) <= _ROWS_MAX:
            chunks: list[tuple[Sequence[CaseRow], Sequence[AuditEntry]]] = [(cases, commit.audit)]
        else:
            chunks = list(row_chunks(cases, commit.audit))
        first_cases, first_audit = chunks[0]
        params = [value for event in events for value in event_values(event)]
        params += rows_params(first_cases, first_audit)
        keys = bool(commit.keys)
        if keys:
            params += key_columns(commit.keys)
        keyed = bool(commit.keyed) and bool(events)
        if keyed:
            params.append(list(commit.keyed))
        statement = write_statement(
            self.schema_sql, len(events), len(first_cases), len(first_audit), keys=keys, keyed=keyed
        )
        return [(statement, params), *map(self.rows_statement, chunks[1:])]

    def rows_statement(
        self, chunk: tuple[Sequence[CaseRow], Sequence[AuditEntry]]
    ) -> tuple[str, list[Any]]:
        """Return the statement (and parameters) writing index rows and audit entries."""
        cases, audit = chunk
        statement = write_statement(self.schema_sql, 0, len(cases), len(audit))
        return statement, rows_params(cases, audit)

    def key_statements(
        self, keys: Sequence[KeyRecord], identities: Sequence[IdentityRecord]
    ) -> list[tuple[str, list[Any]]]:
        """Return the statements inserting key rows and vault entries (kept if there)."""
        statements = []
        if keys:
            statements.append((self.insert_keys, key_columns(keys)))
        if identities:
            statements.append((self.keep_identities, identity_columns(identities)))
        return statements

    def audit_statements(self, entries: Sequence[AuditEntry]) -> list[tuple[str, list[Any]]]:
        """Return the statements inserting audit entries."""
        return [self.rows_statement(chunk) for chunk in row_chunks((), entries)]
