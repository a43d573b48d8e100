"""A store on a PostgreSQL server (``postgresql://user@host/db?schema=ssp``).

Every table lives in one PostgreSQL schema (``ssp`` unless the URL names another),
so several stores can share a database. The schema is created on first use, under
an advisory lock, so two processes opening a new store at once are safe. Writers
lock the events table (``LOCK TABLE ... IN EXCLUSIVE MODE``, which readers do not
wait for) for the length of their transaction, so positions follow commit order and
never interleave; a ``UNIQUE (case_id, version)`` constraint detects a concurrent
writer. Connections come from a pool (psycopg 3 and psycopg_pool), one per call.

A commit of a few events is one statement, which is its own transaction (one round
trip): the function ``ssp_append_event`` appends its events one by one (it takes the
lock, checks that the version before each is stored and gives it the next position),
and the same statement upserts the index rows and inserts the audit entries. A gap in
a case's versions raises an error with SQLSTATE ``SSP01``, so nothing is committed.
A larger commit is one explicit transaction: the lock, its events loaded with
``COPY``, a check of the versions, then the rows. Connections use ``READ COMMITTED``,
so whatever runs after the lock sees every commit made before it. An event written
with a purpose is the audit entry of its write: :meth:`PostgresStore.read_audit`
reads these and the audit table in one query. Statements are rendered once, with
schema-qualified names.

A commit carrying data keys or vault entries is one explicit transaction of a few
statements (the same statement of its events and rows, then the keys and the
entries). :meth:`PostgresStore.erase` deletes key rows and vault entries; the bytes
stay in dead tuples until ``VACUUM`` reclaims them, and in the write-ahead log and
backups as long as those are kept: that is the operator's to manage.

The schema carries its version in the ``ssp_schema`` table; a foreign, older or
newer schema is refused before anything in it is changed. Migration statements are
plain SQL run with the store's schema first on the ``search_path``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from ssp_core.exceptions import (
    DataError,
    SchemaError,
    StoreError,
    StoreUnavailable,
)
from ssp_core.store.base import CaseStore, Migration, utc
from ssp_core.store.records import (
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    Commit,
    EventQuery,
    IdentityRecord,
    KeyRecord,
    StoredEvent,
)
from ssp_core.store.sql import (
    audit_where,
    case_where,
    event_where,
    first_conflict,
    gap_error,
    key_conflict,
    missing_events,
    needs_upgrade,
)
from ssp_core.store.url import redact

__all__ = ["POSTGRES_MIGRATIONS", "PostgresStore"]

_APPEND_ONLY = (
    (
        "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION ssp_append_only()"
    ),
    (
        "CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION ssp_append_only()"
    ),
)

_EVENTS_UPDATE_TRIGGER = "events_append_only"
"""The trigger refusing updates of events, disabled by :meth:`PostgresStore.rewrite_event_data`."""

GAP_SQLSTATE = "SSP01"
"""The SQLSTATE of the error the server raises for a gap in a case's versions."""

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "events, case index and audit log",
        (
            """CREATE TABLE ssp_schema (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE events (
                position BIGINT PRIMARY KEY,
                case_id TEXT COLLATE "C" NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                topic TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                data TEXT NOT NULL,
                purpose TEXT,
                UNIQUE (case_id, version))""",
            """CREATE TABLE cases (
                case_id TEXT COLLATE "C" PRIMARY KEY,
                workflow TEXT NOT NULL,
                workflow_version INTEGER NOT NULL,
                state TEXT NOT NULL,
                assignee TEXT,
                opened_at TIMESTAMPTZ NOT NULL,
                closed_at TIMESTAMPTZ,
                next_due DATE,
                on_hold BOOLEAN NOT NULL)""",
            "CREATE INDEX cases_due ON cases (next_due) WHERE closed_at IS NULL",
            """CREATE TABLE audit (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                purpose TEXT NOT NULL,
                action TEXT NOT NULL,
                case_id TEXT COLLATE "C",
                detail TEXT)""",
            "CREATE INDEX audit_case ON audit (case_id, at)",
            "CREATE INDEX audit_actor ON audit (actor, at)",
            "CREATE INDEX audit_at ON audit (at)",
            """CREATE FUNCTION ssp_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END
            $$""",
            # Raises the error of a commit that would leave a gap in the versions of a
            # case, with the counts of its versions as if ``gap_version`` were written
            # (``gap_version`` NULL: as they are).
            f"""CREATE FUNCTION ssp_version_gap(gap_case TEXT, gap_version INTEGER)
            RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            DECLARE
                written BIGINT;
                highest INTEGER;
            BEGIN
                SELECT count(*) + (gap_version IS NOT NULL)::integer,
                    greatest(max(version), gap_version)
                INTO written, highest FROM events WHERE case_id = gap_case;
                RAISE EXCEPTION USING ERRCODE = '{GAP_SQLSTATE}',
                    MESSAGE = format('case %s: version %s would leave a gap after %s written '
                        'versions; versions must follow each other', gap_case, highest,
                        written - 1),
                    DETAIL = json_build_object(
                        'case_id', gap_case, 'count', written, 'highest', highest)::text;
            END
            $$""",
            # Appends one event of a commit (called for each, in (case, version) order):
            # takes the writers' lock, held until the transaction ends (readers do not
            # wait for it); checks that the version before is stored; inserts the event
            # at the next position and answers it. Being VOLATILE, its statements see
            # what was committed before the lock and the events inserted before it.
            """CREATE FUNCTION ssp_append_event(
                e_case TEXT, e_version INTEGER, e_topic TEXT, e_at TIMESTAMPTZ, e_actor TEXT,
                e_role TEXT, e_data TEXT, e_purpose TEXT)
            RETURNS BIGINT LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
            DECLARE
                given BIGINT;
            BEGIN
                LOCK TABLE events IN EXCLUSIVE MODE;
                IF e_version > 1 AND NOT EXISTS (
                    SELECT FROM events WHERE case_id = e_case AND version = e_version - 1
                ) THEN
                    PERFORM ssp_version_gap(e_case, e_version);
                END IF;
                INSERT INTO events (case_id, version, topic, at, actor, role, data, purpose,
                    position)
                SELECT e_case, e_version, e_topic, e_at, e_actor, e_role, e_data, e_purpose,
                    coalesce(max(position), 0) + 1
                FROM events
                RETURNING position INTO given;
                RETURN given;
            END
            $$""",
            *(
                statement.format(table=table)
                for table in ("events", "audit")
                for statement in _APPEND_ONLY
            ),
        ),
    ),
    Migration(
        2,
        "data keys of cases and the identity vault",
        (
            """CREATE TABLE case_keys (
                case_id TEXT COLLATE "C" PRIMARY KEY,
                subject TEXT COLLATE "C",
                wrapped BYTEA NOT NULL,
                created_at TIMESTAMPTZ NOT NULL)""",
            "CREATE INDEX case_keys_subject ON case_keys (subject)",
            """CREATE TABLE identities (
                pseudonym TEXT COLLATE "C" PRIMARY KEY,
                wrapped BYTEA NOT NULL,
                sealed BYTEA NOT NULL,
                created_at TIMESTAMPTZ NOT NULL)""",
            # Keys are written once and deleted once (erasure): never updated.
            """CREATE FUNCTION ssp_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% rows are never updated', TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END
            $$""",
            (
                "CREATE TRIGGER case_keys_no_update BEFORE UPDATE ON case_keys "
                "FOR EACH ROW EXECUTE FUNCTION ssp_no_update()"
            ),
        ),
    ),
)
"""The schema of a PostgreSQL store, as versioned migrations (same versions as SQLite)."""

_EVENT_COLUMNS = "case_id, version, topic, at, actor, role, data, position, purpose"
_NEW_EVENT_COLUMNS = "case_id, version, topic, at, actor, role, data, purpose"
_CASE_COLUMNS = (
    "case_id, workflow, workflow_version, state, assignee, opened_at, closed_at, next_due, on_hold"
)
_AUDIT_COLUMNS = "at, actor, role, purpose, action, case_id, detail, id"
_KEY_COLUMNS = "case_id, wrapped, subject, created_at"
_IDENTITY_COLUMNS = "pseudonym, wrapped, sealed, created_at"
_NEW_AUDIT_COLUMNS = "at, actor, role, purpose, action, case_id, detail"
_CASE_UPDATE = ", ".join(
    f"{column} = EXCLUDED.{column}" for column in _CASE_COLUMNS.split(", ")[1:]
)
_COPY_FROM = 16
"""Events of a commit from which they are loaded with ``COPY`` (faster from about 12)."""
_ROWS_MAX = 100
"""Index rows and audit entries written by one statement, at most (of each)."""
_CHUNK = 500
_CONNECT_TIMEOUT = 5
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_MAX_NAME = 63


def _event(row: tuple[Any, ...]) -> StoredEvent:
    return StoredEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8])


def _case(row: tuple[Any, ...]) -> CaseRow:
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
    )


def _audit(row: tuple[Any, ...]) -> AuditEntry:
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


def _key(row: tuple[Any, ...]) -> KeyRecord:
    return KeyRecord(row[0], row[1], row[2], row[3])


def _identity(row: tuple[Any, ...]) -> IdentityRecord:
    return IdentityRecord(row[0], row[1], row[2], row[3])


def _key_columns(keys: Sequence[KeyRecord]) -> list[Any]:
    """Return key rows, in case id order, as one array per column of ``_KEY_COLUMNS``."""
    ordered = sorted(keys, key=lambda key: key.case_id)
    return [
        [key.case_id for key in ordered],
        [key.wrapped for key in ordered],
        [key.subject for key in ordered],
        [utc(key.created_at) for key in ordered],
    ]


def _identity_columns(identities: Sequence[IdentityRecord]) -> list[Any]:
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


def _event_values(e: StoredEvent) -> tuple[Any, ...]:
    """Return an event's values in the order of ``_NEW_EVENT_COLUMNS``."""
    return (e.case_id, e.version, e.topic, utc(e.at), e.actor, e.role, e.data, e.purpose)


def _case_values(r: CaseRow) -> tuple[Any, ...]:
    """Return an index row's values in the order of ``_CASE_COLUMNS``."""
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
    )


def _audit_values(a: AuditEntry) -> tuple[Any, ...]:
    """Return an audit entry's values in the order of ``_NEW_AUDIT_COLUMNS``."""
    return (utc(a.at), a.actor, a.role, a.purpose, a.action.value, a.case_id, a.detail)


def _last_rows(rows: Sequence[CaseRow]) -> list[CaseRow]:
    """Return the index rows of a commit, the last one of each case only."""
    if len(rows) < 2:
        return list(rows)
    return list({row.case_id: row for row in rows}.values())


def _version_checks(events: Sequence[StoredEvent]) -> tuple[list[str], list[int | None]]:
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


def _sql_value(value: Any) -> Any:
    return utc(value) if isinstance(value, dt.datetime) else value


def _opt_time(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else utc(moment)


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


@functools.lru_cache(maxsize=256)
def _write_statement(s: str, events: int, cases: int, audit: int, *, keys: bool = False) -> str:
    """Return the one statement writing a commit of this shape into schema ``s``.

    ``s`` is the quoted schema name. The parameters are numbered (``$n``, for a
    :class:`psycopg.RawCursor`, which sends the statement as it is; psycopg would parse
    a long one on every call): the values of each event, in (case id, version) order,
    then of each index row, then of each audit entry, then (``keys``) the four column
    arrays of the data keys of cases being opened. The events are appended one by
    one, in that order, by ``ssp_append_event`` (which takes the lock); the statement
    answers the first position given (NULL without events).

    The statement itself does not name the events table: it would lock it (for
    writing rows) before the function asks for the writers' lock, and two writers
    doing so would deadlock.
    """
    numbers = itertools.count(1)
    width = len(_NEW_EVENT_COLUMNS.split(", "))
    ctes = []
    if events == 1:
        ctes.append(f"ev AS (SELECT {s}.ssp_append_event{_marks(numbers, width)} AS position)")
    elif events:
        rows = [
            _marks(numbers, width, _EVENT_CASTS if n == 1 else (), tail=str(n))
            for n in range(1, events + 1)
        ]
        # A volatile function of the select list is called in the order of ORDER BY.
        ctes.append(
            f"ev AS (SELECT {s}.ssp_append_event(v.case_id, v.version, v.topic, v.at, "
            "v.actor, v.role, v.data, v.purpose) AS position "
            f"FROM (VALUES {', '.join(rows)}) AS v ({_NEW_EVENT_COLUMNS}, n) ORDER BY v.n)"
        )
    if cases:
        width = len(_CASE_COLUMNS.split(", "))
        rows = [_marks(numbers, width) for _ in range(cases)]
        ctes.append(
            f"cs AS (INSERT INTO {s}.cases ({_CASE_COLUMNS}) VALUES {', '.join(rows)} "
            f"ON CONFLICT (case_id) DO UPDATE SET {_CASE_UPDATE})"
        )
    if audit:
        width = len(_NEW_AUDIT_COLUMNS.split(", "))
        rows = [_marks(numbers, width) for _ in range(audit)]
        ctes.append(
            f"au AS (INSERT INTO {s}.audit ({_NEW_AUDIT_COLUMNS}) VALUES {', '.join(rows)})"
        )
    if keys:
        a, b, c, d = (next(numbers) for _ in range(4))
        ctes.append(
            f"ks AS (INSERT INTO {s}.case_keys ({_KEY_COLUMNS}) SELECT * FROM "
            f"unnest(${a}::text[], ${b}::bytea[], ${c}::text[], ${d}::timestamptz[]))"
        )
    answer = "(SELECT min(position) FROM ev)" if events else "NULL::bigint"
    return f"WITH {', '.join(ctes)} SELECT {answer}"


def _row_chunks(
    cases: Sequence[CaseRow], audit: Sequence[AuditEntry]
) -> Iterator[tuple[Sequence[CaseRow], Sequence[AuditEntry]]]:
    """Split index rows and audit entries into parts of at most ``_ROWS_MAX`` of each."""
    for start in range(0, max(len(cases), len(audit)), _ROWS_MAX):
        yield cases[start : start + _ROWS_MAX], audit[start : start + _ROWS_MAX]


def _rows_params(cases: Sequence[CaseRow], audit: Sequence[AuditEntry]) -> list[Any]:
    """Return the parameters of index rows and audit entries, for ``_write_statement``."""
    params = [value for row in cases for value in _case_values(row)]
    params += [value for entry in audit for value in _audit_values(entry)]
    return params


_PIPELINE = psycopg.Pipeline.is_supported()


@contextmanager
def _pipeline(conn: psycopg.Connection[TupleRow]) -> Iterator[None]:
    """Send the statements of the block in one pipeline; raise its first error at the end.

    A statement that fails makes the server skip the rest; the error is raised when
    the pipeline has been synced (the block stops at the first error psycopg reports),
    so the statements skipped are not reported besides it. Without pipeline support in
    the libpq, the statements run one after the other.
    """
    if not _PIPELINE:
        yield
        return
    failed: psycopg.Error | None = None
    try:
        with conn.pipeline():
            try:
                yield
            except psycopg.Error as exc:
                failed = exc
    except psycopg.Error as exc:
        failed = failed or exc
    if failed is not None:
        raise failed


def _display_url(dsn: str) -> str:
    """Return a password-free URL naming the server of ``dsn`` (a URL or key=value string)."""
    if "://" in dsn:
        return redact(dsn)
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "postgresql://"
    user = f"{info['user']}@" if info.get("user") else ""
    host = str(info.get("host") or "")
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname') or ''}"


def _secrets(dsn: str) -> set[str]:
    """Return the password of ``dsn`` in the forms it may appear in an error message."""
    found: set[str] = set()
    try:
        password = urlsplit(dsn).password if "://" in dsn else None
    except ValueError:
        password = None
    if password:
        found.update({password, unquote(password)})
    try:
        value = conninfo_to_dict(dsn).get("password")
    except psycopg.Error:
        value = None
    if value:
        found.add(str(value))
    return found


class PostgresStore(CaseStore):
    """A case store in one schema of a PostgreSQL database.

    :param dsn: the connection string (a ``postgresql://`` URL or ``key=value`` pairs).
    :param schema: the PostgreSQL schema holding the store's tables; created if missing.
    :param upgrade: apply missing schema migrations instead of refusing an older schema.
    :param url: the URL to show in messages (without password); derived from ``dsn``.
    :param min_size: connections the pool keeps open.
    :param max_size: connections the pool opens at most.
    :param timeout: seconds to wait for the server at opening, and for a free connection.
    """

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "ssp",
        upgrade: bool = False,
        url: str | None = None,
        min_size: int = 1,
        max_size: int = 8,
        timeout: float = 10.0,
        migrations: Sequence[Migration] = POSTGRES_MIGRATIONS,
    ) -> None:
        self.url = url or _display_url(dsn)
        self.schema = schema
        self._timeout = timeout
        self._migrations = tuple(migrations)
        self._latest = self._migrations[-1].version if self._migrations else 0
        self._closed = False
        self._pool: ConnectionPool[psycopg.Connection[TupleRow]] | None = None
        self._secrets = _secrets(dsn)
        if not _SCHEMA_NAME.fullmatch(schema) or len(schema) > _MAX_NAME:
            raise DataError(
                f"schema name {schema!r} of store {self.url} is not allowed; use lower-case "
                f"letters, digits and _ (not first), at most {_MAX_NAME} characters"
            )
        if schema.startswith("pg_"):
            raise DataError(f"schema name {schema!r} is reserved by PostgreSQL; choose another")
        digest = hashlib.sha256(f"ssp_core store schema {schema}".encode()).digest()
        self._lock_key = int.from_bytes(digest[:8], "big", signed=True)
        self._build_statements()
        try:
            self._open(dsn, upgrade=upgrade, min_size=min_size, max_size=max_size)
        except BaseException:
            self.close()
            raise

    def _build_statements(self) -> None:
        """Render every statement once, with the store's tables named in its schema."""
        # The name is checked above: lower-case letters, digits and _ only.
        s = self._schema_sql = f'"{self.schema}"'
        self._lock_events = f"LOCK TABLE {s}.events IN EXCLUSIVE MODE"
        self._max_position = f"SELECT coalesce(max(position), 0) FROM {s}.events"
        self._copy_events = f"COPY {s}.events ({_NEW_EVENT_COLUMNS}, position) FROM STDIN"
        # After the events of a larger commit are written (parameters: the case ids and
        # first versions of _version_checks, for a RawCursor): calls ssp_version_gap,
        # which raises, for the first case left with a gap.
        self._check_versions = (
            f"SELECT {s}.ssp_version_gap(w.case_id, NULL) "
            "FROM unnest($1::text[], $2::integer[]) AS w (case_id, first) WHERE CASE "
            "WHEN w.first IS NULL THEN (SELECT count(*) <> max(e.version) "
            f"FROM {s}.events e WHERE e.case_id = w.case_id) "
            f"ELSE NOT EXISTS (SELECT FROM {s}.events e "
            "WHERE e.case_id = w.case_id AND e.version = w.first - 1) END"
        )
        self._taken = (
            f"SELECT e.case_id, e.version FROM {s}.events e "
            "JOIN unnest(%s::text[], %s::integer[]) AS w (case_id, version) "
            "ON e.case_id = w.case_id AND e.version = w.version"
        )
        self._read_case = (
            f"SELECT {_EVENT_COLUMNS} FROM {s}.events WHERE case_id = %s ORDER BY version"
        )
        self._read_cases = (
            f"SELECT {_EVENT_COLUMNS} FROM {s}.events WHERE case_id = ANY(%s) "
            "ORDER BY case_id, version"
        )
        self._read_log = (
            f"SELECT {_EVENT_COLUMNS} FROM {s}.events WHERE position > %s "
            "ORDER BY position LIMIT %s"
        )
        self._read_events = (
            f"SELECT {_EVENT_COLUMNS} FROM {s}.events{{where}} ORDER BY position LIMIT %s"
        )
        self._case_row = f"SELECT {_CASE_COLUMNS} FROM {s}.cases WHERE case_id = %s"
        self._find_cases = (
            f"SELECT {_CASE_COLUMNS} FROM {s}.cases{{where}} "
            "ORDER BY next_due NULLS LAST, case_id LIMIT %s"
        )
        # Audit entries: the events written with a purpose, each the entry of its
        # write, and the rows of the audit table (recorded reads, and entries given in
        # a commit). At one instant writes come first, by position; the rows by id.
        self._read_audit = (
            f"SELECT {_AUDIT_COLUMNS} FROM ("
            "SELECT at, actor, role, purpose, 'write' AS action, case_id, topic AS detail, "
            f"NULL::bigint AS id, 0 AS kind, position AS seq FROM {s}.events{{events_where}} "
            "UNION ALL "
            f"SELECT {_AUDIT_COLUMNS}, 1, id FROM {s}.audit{{audit_where}}"
            ") AS entries ORDER BY at, kind, seq LIMIT %s"
        )
        self._count_cases = f"SELECT count(*) FROM {s}.events WHERE version = 1"
        self._build_key_statements()
        self._version = f"SELECT coalesce(max(version), 0) FROM {s}.ssp_schema"
        self._record_migration = (
            f"INSERT INTO {s}.ssp_schema (version, description, applied_at) VALUES (%s, %s, %s)"
        )
        self._search_path = f"SET LOCAL search_path TO {s}"
        self._create_schema = f"CREATE SCHEMA {s}"

    def _build_key_statements(self) -> None:
        """Render the statements of data keys and the vault (``$n``: for a RawCursor)."""
        s = self._schema_sql
        self._insert_keys = (
            f"INSERT INTO {s}.case_keys ({_KEY_COLUMNS}) "
            "SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::timestamptz[])"
        )
        self._keep_identities = (
            f"INSERT INTO {s}.identities ({_IDENTITY_COLUMNS}) "
            "SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::timestamptz[]) "
            "ON CONFLICT (pseudonym) DO NOTHING"
        )
        self._put_identity = (
            f"INSERT INTO {s}.identities ({_IDENTITY_COLUMNS}) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (pseudonym) DO UPDATE SET wrapped = EXCLUDED.wrapped, "
            "sealed = EXCLUDED.sealed, created_at = EXCLUDED.created_at"
        )
        self._delete_keys = f"DELETE FROM {s}.case_keys WHERE case_id = ANY($1::text[])"
        self._delete_identities = f"DELETE FROM {s}.identities WHERE pseudonym = ANY($1::text[])"
        self._read_keys = f"SELECT {_KEY_COLUMNS} FROM {s}.case_keys WHERE case_id = ANY(%s)"
        self._keyed = f"SELECT case_id FROM {s}.case_keys WHERE case_id = ANY(%s)"
        self._subject_cases = (
            f"SELECT case_id FROM {s}.case_keys WHERE subject = %s ORDER BY case_id"
        )
        self._read_identity = f"SELECT {_IDENTITY_COLUMNS} FROM {s}.identities WHERE pseudonym = %s"
        self._disable_update = f"ALTER TABLE {s}.events DISABLE TRIGGER {_EVENTS_UPDATE_TRIGGER}"
        self._enable_update = f"ALTER TABLE {s}.events ENABLE TRIGGER {_EVENTS_UPDATE_TRIGGER}"
        self._update_data = (
            f"UPDATE {s}.events AS e SET data = u.data "
            "FROM unnest(%s::text[], %s::integer[], %s::text[]) AS u (case_id, version, data) "
            "WHERE e.case_id = u.case_id AND e.version = u.version"
        )

    # -- connections -------------------------------------------------------------------

    def _message(self, exc: BaseException) -> str:
        """Return an error's text on one line, without the password."""
        text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text or type(exc).__name__

    @staticmethod
    def _configure(connection: psycopg.Connection[TupleRow]) -> None:
        connection.execute("SET TimeZone TO 'UTC'")
        # What runs after the writers' lock must see every commit made before it: in
        # READ COMMITTED each query of ssp_append_event takes a new snapshot, in a
        # stricter level it would keep the one its statement began with, before the lock.
        connection.execute("SET default_transaction_isolation TO 'read committed'")

    def _open(self, dsn: str, *, upgrade: bool, min_size: int, max_size: int) -> None:
        # One direct connection first: it fails fast, with libpq's own reason, if the
        # server cannot be reached; and it prepares the schema before the pool opens.
        try:
            connection = psycopg.connect(dsn, autocommit=True, connect_timeout=_CONNECT_TIMEOUT)
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot open store {self.url}: {self._message(exc)}") from None
        try:
            self._configure(connection)
            self._prepare(connection, upgrade=upgrade)
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot open store {self.url}: {self._message(exc)}") from None
        finally:
            connection.close()
        self._pool = ConnectionPool(
            dsn,
            kwargs={"autocommit": True, "connect_timeout": _CONNECT_TIMEOUT},
            min_size=min_size,
            max_size=max(min_size, max_size),
            open=False,
            configure=self._configure,
            name=f"ssp-{self.schema}",
            timeout=self._timeout,
        )
        try:
            self._pool.open(wait=True, timeout=self._timeout)
        except (PoolTimeout, psycopg.Error) as exc:
            raise StoreUnavailable(
                f"cannot open store {self.url}: no connection within {self._timeout:g} s "
                f"({self._message(exc)})"
            ) from None

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """Lend a pooled connection (in autocommit mode) for one call."""
        pool = self._pool
        if self._closed or pool is None:
            raise StoreError(f"the store {self.url} is closed")
        try:
            with pool.connection() as connection:
                yield connection
        except PoolClosed:
            raise StoreError(f"the store {self.url} is closed") from None
        except PoolTimeout as exc:
            raise StoreUnavailable(
                f"store {self.url} has no free connection: {self._message(exc)}"
            ) from None
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"store {self.url} failed: {self._message(exc)}") from None
        except psycopg.DataError as exc:
            raise DataError(f"store {self.url} refused a value: {self._message(exc)}") from None

    def _fetchall(self, query: str, params: Sequence[Any] = ()) -> list[TupleRow]:
        with self._connection() as conn:
            return conn.execute(query, params).fetchall()

    def _fetchone(self, query: str, params: Sequence[Any] = ()) -> TupleRow:
        with self._connection() as conn:
            row = conn.execute(query, params).fetchone()
        if row is None:  # pragma: no cover - aggregates always answer one row
            raise StoreError(f"store {self.url} gave no answer")
        return row

    # -- schema ------------------------------------------------------------------------

    def _identify(self, conn: psycopg.Connection[TupleRow]) -> tuple[bool, int, bool]:
        """Return (schema exists, number of objects in it, has ssp_schema), reading only."""
        row = conn.execute(
            "SELECT n.oid IS NOT NULL, "
            "(SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid) "
            "+ (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid), "
            "EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid "
            "AND c.relname = 'ssp_schema' AND c.relkind IN ('r', 'p')) "
            "FROM (SELECT %s::name AS name) AS w LEFT JOIN pg_namespace n ON n.nspname = w.name",
            (self.schema,),
        ).fetchone()
        if row is None:  # pragma: no cover - a FROM of one row answers one row
            return False, 0, False
        return bool(row[0]), int(row[1] or 0), bool(row[2])

    def _foreign(self) -> SchemaError:
        return SchemaError(
            f"schema {self.schema} of {self.url} is not an ssp store (it has tables of "
            "another application); nothing in it was changed"
        )

    def _read_version(self, conn: psycopg.Connection[TupleRow]) -> int:
        try:
            row = conn.execute(self._version).fetchone()
        except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedFunction):
            raise self._foreign() from None
        version = int(row[0]) if row else 0
        if version == 0:
            raise SchemaError(
                f"store {self.url} (schema {self.schema}) is damaged: its ssp_schema table "
                "records no version"
            )
        return version

    def _prepare(self, conn: psycopg.Connection[TupleRow], *, upgrade: bool) -> None:
        _, objects, marked = self._identify(conn)
        if objects == 0:
            self._create(conn)
        elif not marked:
            raise self._foreign()
        version = self._read_version(conn)
        if needs_upgrade(self.url, version, self._latest, upgrade=upgrade):
            self._upgrade(conn)

    def _create(self, conn: psycopg.Connection[TupleRow]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            # Another process may have created the store since we looked.
            exists, objects, marked = self._identify(conn)
            if objects and not marked:
                raise self._foreign()
            if objects:
                return
            if not exists:
                conn.execute(self._create_schema)
            conn.execute(self._search_path)
            self._migrate(conn, 0)

    def _migrate(self, conn: psycopg.Connection[TupleRow], current: int) -> tuple[int, ...]:
        applied = []
        for migration in self._migrations:
            if migration.version <= current:
                continue
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                self._record_migration,
                (migration.version, migration.description, dt.datetime.now(dt.UTC)),
            )
            applied.append(migration.version)
        return tuple(applied)

    def _upgrade(self, conn: psycopg.Connection[TupleRow]) -> tuple[int, ...]:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            current = self._read_version(conn)
            if current > self._latest:
                raise SchemaError(
                    f"store {self.url} has schema version {current}, newer than this "
                    f"library's {self._latest}"
                )
            conn.execute(self._search_path)
            return self._migrate(conn, current)

    def schema_version(self) -> int:
        """Return the version of the store's schema."""
        return int(self._fetchone(self._version)[0])

    def upgrade(self) -> tuple[int, ...]:
        """Apply the missing migrations in one transaction; return the versions applied."""
        with self._connection() as conn:
            return self._upgrade(conn)

    # -- writing ---------------------------------------------------------------------

    def append(self, commit: Commit) -> tuple[int, ...]:
        """Write a commit atomically; see :meth:`CaseStore.append`."""
        events = sorted(commit.events, key=lambda e: (e.case_id, e.version))
        with self._connection() as conn:
            try:
                if len(events) >= _COPY_FROM:
                    return self._append_copy(conn, events, commit)
                if commit.identities:
                    return self._append_keyed(conn, events, commit)
                return self._append_statement(conn, events, commit)
            except psycopg.Error as exc:
                # Nothing of the commit was written; versions once taken stay taken.
                self._end_transaction(conn)
                if isinstance(exc, psycopg.IntegrityError):
                    raise self._conflict(conn, events, commit.keys) from None
                if exc.sqlstate == GAP_SQLSTATE:
                    raise self._gap(exc) from None
                raise

    def _append_statement(
        self, conn: psycopg.Connection[TupleRow], events: Sequence[StoredEvent], commit: Commit
    ) -> tuple[int, ...]:
        """Write a commit in one round trip: one statement, which is its own transaction.

        Index rows and audit entries beyond the share of one statement go in further
        statements, in one transaction with it (see :meth:`_run`).
        """
        if not (events or commit.cases or commit.audit or commit.keys):
            return ()
        row = self._run(conn, self._commit_statements(events, commit))
        return self._positions(events, row)

    def _commit_statements(
        self, events: Sequence[StoredEvent], commit: Commit
    ) -> list[tuple[str, list[Any]]]:
        """Return the statements writing the events, index rows and audit entries of a commit.

        The first writes the events (if any) and answers the first position given.
        """
        cases = _last_rows(commit.cases)
        if len(cases) <= _ROWS_MAX and len(commit.audit) <= _ROWS_MAX:
            chunks: list[tuple[Sequence[CaseRow], Sequence[AuditEntry]]] = [(cases, commit.audit)]
        else:
            chunks = list(_row_chunks(cases, commit.audit))
        first_cases, first_audit = chunks[0]
        params = [value for event in events for value in _event_values(event)]
        params += _rows_params(first_cases, first_audit)
        keys = bool(commit.keys)
        if keys:
            params += _key_columns(commit.keys)
        statement = _write_statement(
            self._schema_sql, len(events), len(first_cases), len(first_audit), keys=keys
        )
        return [(statement, params), *map(self._rows, chunks[1:])]

    def _positions(self, events: Sequence[StoredEvent], row: TupleRow | None) -> tuple[int, ...]:
        """Return the positions of a commit's events from the first one the server gave."""
        if not events:
            return ()
        if row is None or row[0] is None:  # pragma: no cover - the statement answers a row
            raise StoreError(f"store {self.url} gave no position")
        first = int(row[0])
        return tuple(range(first, first + len(events)))

    def _append_keyed(
        self, conn: psycopg.Connection[TupleRow], events: Sequence[StoredEvent], commit: Commit
    ) -> tuple[int, ...]:
        """Write a commit with data keys or vault entries: one transaction, one pipeline.

        The statement of the events comes first (it takes the writers' lock), then
        those of the keys and the vault entries.
        """
        statements = []
        if events or commit.cases or commit.audit or commit.keys:
            statements = self._commit_statements(events, commit)
        statements += self._key_statements((), commit.identities)
        with (
            conn.transaction(),
            psycopg.RawCursor(conn) as cur,
            psycopg.RawCursor(conn) as more,
        ):
            with _pipeline(conn):
                cur.execute(*statements[0])
                for statement in statements[1:]:
                    more.execute(*statement)
            row = cur.fetchone() if events else None
        return self._positions(events, row)

    def _key_statements(
        self, keys: Sequence[KeyRecord], identities: Sequence[IdentityRecord]
    ) -> list[tuple[str, list[Any]]]:
        """Return the statements inserting key rows and vault entries (kept if there)."""
        statements = []
        if keys:
            statements.append((self._insert_keys, _key_columns(keys)))
        if identities:
            statements.append((self._keep_identities, _identity_columns(identities)))
        return statements

    def _append_copy(
        self, conn: psycopg.Connection[TupleRow], events: Sequence[StoredEvent], commit: Commit
    ) -> tuple[int, ...]:
        """Write a larger commit in one transaction, its events loaded with ``COPY``."""
        with conn.transaction(), psycopg.RawCursor(conn) as cur:
            with _pipeline(conn):
                # Readers do not wait for this lock; other writers wait until this
                # transaction ends, so positions follow commit order.
                cur.execute(self._lock_events, prepare=False)
                cur.execute(self._max_position)
            row = cur.fetchone()
            start = int(row[0]) if row else 0
            with cur.copy(self._copy_events) as copy:
                write = copy.write_row
                for position, event in enumerate(events, start + 1):
                    write((*_event_values(event), position))
            with _pipeline(conn):
                case_ids, firsts = _version_checks(events)
                if case_ids:
                    cur.execute(self._check_versions, (case_ids, firsts))
                for chunk in _row_chunks(_last_rows(commit.cases), commit.audit):
                    cur.execute(*self._rows(chunk))
                for statement in self._key_statements(commit.keys, commit.identities):
                    cur.execute(*statement)
        return tuple(range(start + 1, start + 1 + len(events)))

    def _rows(self, chunk: tuple[Sequence[CaseRow], Sequence[AuditEntry]]) -> tuple[str, list[Any]]:
        """Return the statement (and parameters) writing index rows and audit entries."""
        cases, audit = chunk
        statement = _write_statement(self._schema_sql, 0, len(cases), len(audit))
        return statement, _rows_params(cases, audit)

    @staticmethod
    def _run(
        conn: psycopg.Connection[TupleRow], statements: Sequence[tuple[str, list[Any]]]
    ) -> TupleRow | None:
        """Run statements as one transaction; return the first row of the first one.

        One statement is a transaction of its own (the connection is in autocommit
        mode); several are sent in one pipeline, in an explicit transaction.
        """
        with psycopg.RawCursor(conn) as cur:
            if len(statements) == 1:
                return cur.execute(*statements[0]).fetchone()
            with conn.transaction(), psycopg.RawCursor(conn) as more, _pipeline(conn):
                cur.execute(*statements[0])
                for statement in statements[1:]:
                    more.execute(*statement)
            return cur.fetchone()

    @staticmethod
    def _end_transaction(conn: psycopg.Connection[TupleRow]) -> None:
        """Roll back a transaction a failed write left open, if any."""
        if conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            conn.rollback()

    def _conflict(
        self,
        conn: psycopg.Connection[TupleRow],
        events: Sequence[StoredEvent],
        keys: Sequence[KeyRecord] = (),
    ) -> StoreError:
        taken = {
            (str(row[0]), int(row[1]))
            for row in conn.execute(
                self._taken, ([e.case_id for e in events], [e.version for e in events])
            )
        }
        keyed = [key.case_id for key in keys]
        return first_conflict(events, taken, keyed, self._keys_taken(conn, keyed))

    def _keys_taken(self, conn: psycopg.Connection[TupleRow], case_ids: Sequence[str]) -> set[str]:
        """Return those of ``case_ids`` that have a key row."""
        if not case_ids:
            return set()
        return {str(row[0]) for row in conn.execute(self._keyed, (list(case_ids),))}

    def _gap(self, exc: psycopg.Error) -> DataError:
        """Return the error for a gap the server found (raised by ``ssp_version_gap``)."""
        try:
            found = json.loads(exc.diag.message_detail or "")
            return gap_error(str(found["case_id"]), int(found["count"]), int(found["highest"]))
        except (ValueError, TypeError, KeyError):
            return DataError(exc.diag.message_primary or self._message(exc))

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries of reads, in their own transaction."""
        if entries:
            with self._connection() as conn:
                self._run(conn, [self._rows(chunk) for chunk in _row_chunks((), entries)])

    def _audit_statements(self, entries: Sequence[AuditEntry]) -> list[tuple[str, list[Any]]]:
        return [self._rows(chunk) for chunk in _row_chunks((), entries)]

    @staticmethod
    def _transact(
        conn: psycopg.Connection[TupleRow], statements: Sequence[tuple[str, list[Any]]]
    ) -> None:
        """Run statements (``$n`` parameters) in one transaction and one pipeline."""
        with conn.transaction(), psycopg.RawCursor(conn) as cur, _pipeline(conn):
            for statement in statements:
                cur.execute(*statement)

    def put_identity(self, record: IdentityRecord, audit: Sequence[AuditEntry]) -> None:
        """Insert or replace a person's vault entry, with audit entries, in one transaction."""
        values = [record.pseudonym, record.wrapped, record.sealed, utc(record.created_at)]
        with self._connection() as conn:
            self._transact(conn, [(self._put_identity, values), *self._audit_statements(audit)])

    def erase(
        self, case_ids: Sequence[str], pseudonyms: Sequence[str], audit: Sequence[AuditEntry]
    ) -> None:
        """Delete key rows and vault entries, with audit entries, in one transaction.

        The deleted rows stay in the table's dead tuples until ``VACUUM`` (autovacuum)
        reclaims their space, and in the write-ahead log, its archive and backups for
        as long as those are kept: the operator's to manage.
        """
        statements = [
            (self._delete_keys, [list(case_ids)]),
            (self._delete_identities, [list(pseudonyms)]),
            *self._audit_statements(audit),
        ]
        with self._connection() as conn:
            self._transact(conn, statements)

    def rewrite_event_data(
        self,
        updates: Sequence[tuple[str, int, str]],
        keys: Sequence[KeyRecord],
        audit: Sequence[AuditEntry],
    ) -> None:
        """Replace the data of stored events, with key rows and audit entries; see the base.

        One transaction takes the writers' lock, checks the events and keys, disables
        the trigger refusing updates of events, updates them and enables it again.
        The trigger's state is transactional: no other session sees it disabled.
        """
        case_ids = [case_id for case_id, _, _ in updates]
        versions = [version for _, version, _ in updates]
        keyed = [key.case_id for key in keys]
        with self._connection() as conn:
            try:
                with conn.transaction(), psycopg.RawCursor(conn) as raw:
                    conn.execute(self._lock_events)
                    stored = {
                        (str(row[0]), int(row[1]))
                        for row in conn.execute(self._taken, (case_ids, versions))
                    }
                    refused = missing_events(updates, stored) or key_conflict(
                        keyed, self._keys_taken(conn, keyed)
                    )
                    if refused is not None:
                        raise refused
                    if updates:
                        conn.execute(self._disable_update)
                        data = [data for _, _, data in updates]
                        conn.execute(self._update_data, (case_ids, versions, data))
                        conn.execute(self._enable_update)
                    for statement in self._key_statements(keys, ()):
                        raw.execute(*statement)
                    for statement in self._audit_statements(audit):
                        raw.execute(*statement)
            except psycopg.IntegrityError:
                self._end_transaction(conn)
                raise self._conflict(conn, (), keys) from None

    # -- reading ---------------------------------------------------------------------

    def read_case(self, case_id: str) -> list[StoredEvent]:
        """Return the events of one case in version order."""
        return [_event(row) for row in self._fetchall(self._read_case, (case_id,))]

    def read_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Return the events of several cases, each in version order."""
        wanted = list(dict.fromkeys(case_ids))
        result: dict[str, list[StoredEvent]] = {}
        if not wanted:
            return result
        with self._connection() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                for row in conn.execute(self._read_cases, (chunk,)):
                    event = _event(row)
                    result.setdefault(event.case_id, []).append(event)
        return {cid: result[cid] for cid in wanted if cid in result}

    def read_log(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Return events after position ``after``, in position order."""
        return [_event(row) for row in self._fetchall(self._read_log, (after, limit))]

    def read_events(self, query: EventQuery) -> list[StoredEvent]:
        """Return the events matching ``query``, in position order (a search by topic scans)."""
        where, params = event_where(query, mark="%s")
        statement = self._read_events.format(where=where)
        rows = self._fetchall(statement, [*map(_sql_value, params), query.limit])
        return [_event(row) for row in rows]

    def max_position(self) -> int:
        """Return the highest position written."""
        return int(self._fetchone(self._max_position)[0])

    def case_row(self, case_id: str) -> CaseRow | None:
        """Return the index row of one case."""
        rows = self._fetchall(self._case_row, (case_id,))
        return _case(rows[0]) if rows else None

    def find_cases(self, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query``, by next due date (none last), case id."""
        where, params = case_where(query, mark="%s")
        statement = self._find_cases.format(where=where)
        rows = self._fetchall(statement, [*map(_sql_value, params), query.limit])
        return [_case(row) for row in rows]

    def count_cases(self) -> int:
        """Return how many cases the store holds."""
        return int(self._fetchone(self._count_cases)[0])

    def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        """Return audit entries matching ``query``, oldest first.

        They are the rows of the audit table and the events written with a purpose
        (the entries of their writes, without an id): by time, then writes before
        reads, then by position or id.
        """
        where, params = audit_where(query, mark="%s")
        values = list(map(_sql_value, params))
        events_where = " WHERE purpose IS NOT NULL" + where.replace(" WHERE ", " AND ", 1)
        statement = self._read_audit.format(events_where=events_where, audit_where=where)
        rows = self._fetchall(statement, [*values, *values, query.limit])
        return [_audit(row) for row in rows]

    def read_keys(self, case_ids: Iterable[str]) -> dict[str, KeyRecord]:
        """Return the key rows of the cases that have one."""
        wanted = list(dict.fromkeys(case_ids))
        found: dict[str, KeyRecord] = {}
        if not wanted:
            return found
        with self._connection() as conn:
            for start in range(0, len(wanted), _CHUNK):
                rows = conn.execute(self._read_keys, (wanted[start : start + _CHUNK],))
                found.update((key.case_id, key) for key in map(_key, rows))
        return {cid: found[cid] for cid in wanted if cid in found}

    def subject_cases(self, pseudonym: str) -> list[str]:
        """Return the ids of the cases whose key row names this subject, sorted."""
        return [str(row[0]) for row in self._fetchall(self._subject_cases, (pseudonym,))]

    def read_identity(self, pseudonym: str) -> IdentityRecord | None:
        """Return the vault entry of a pseudonym, if there is one."""
        rows = self._fetchall(self._read_identity, (pseudonym,))
        return _identity(rows[0]) if rows else None

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Close the pool and its connections."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
