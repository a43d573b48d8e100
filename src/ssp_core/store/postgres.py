"""A store on a PostgreSQL server (``postgresql://user@host/db?schema=ssp``).

Every table lives in one PostgreSQL schema (``ssp`` unless the URL names another),
so several stores can share a database. The schema is created on first use, under
an advisory lock, so two processes opening a new store at once are safe. Writers
lock the events table (``LOCK TABLE ... IN EXCLUSIVE MODE``, which readers do not
wait for) for the length of their transaction, so positions follow commit order and
never interleave; a ``UNIQUE (case_id, version)`` constraint detects a concurrent
writer. Connections come from a pool (psycopg 3 and psycopg_pool), one per call.

The schema carries its version in the ``ssp_schema`` table; a foreign, older or
newer schema is refused before anything in it is changed. Migration statements are
plain SQL run with the store's schema first on the ``search_path``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from ssp_core.exceptions import (
    DataError,
    SchemaError,
    StoreError,
    StoreUnavailable,
)
from ssp_core.store.base import CaseStore, Migration, utc
from ssp_core.store.records import AuditEntry, AuditQuery, CaseQuery, CaseRow, Commit, StoredEvent
from ssp_core.store.sql import audit_where, case_where, first_conflict, gap_error, needs_upgrade
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
                UNIQUE (case_id, version))""",
            """CREATE TABLE cases (
                case_id TEXT COLLATE "C" PRIMARY KEY,
                workflow TEXT NOT NULL,
                workflow_version INTEGER NOT NULL,
                state TEXT NOT NULL,
                version INTEGER NOT NULL,
                assignee TEXT,
                opened_at TIMESTAMPTZ NOT NULL,
                closed_at TIMESTAMPTZ,
                next_due DATE,
                on_hold BOOLEAN NOT NULL)""",
            "CREATE INDEX cases_due ON cases (next_due) WHERE closed_at IS NULL",
            "CREATE INDEX cases_workflow ON cases (workflow, workflow_version, state)",
            "CREATE INDEX cases_assignee ON cases (assignee)",
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
            *(
                statement.format(table=table)
                for table in ("events", "audit")
                for statement in _APPEND_ONLY
            ),
        ),
    ),
)
"""The schema of a PostgreSQL store, as versioned migrations (same versions as SQLite)."""

_EVENT_COLUMNS = "case_id, version, topic, at, actor, role, data, position"
_CASE_COLUMNS = (
    "case_id, workflow, workflow_version, state, version, assignee, opened_at, closed_at, "
    "next_due, on_hold"
)
_AUDIT_COLUMNS = "at, actor, role, purpose, action, case_id, detail, id"
_CASE_UPDATE = ", ".join(
    f"{column} = EXCLUDED.{column}" for column in _CASE_COLUMNS.split(", ")[1:]
)
_CHUNK = 500
_CONNECT_TIMEOUT = 5
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_MAX_NAME = 63


def _event(row: tuple[Any, ...]) -> StoredEvent:
    return StoredEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])


def _case(row: tuple[Any, ...]) -> CaseRow:
    return CaseRow(
        case_id=row[0],
        workflow=row[1],
        workflow_version=row[2],
        state=row[3],
        version=row[4],
        assignee=row[5],
        opened_at=row[6],
        closed_at=row[7],
        next_due=row[8],
        on_hold=bool(row[9]),
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


def _event_columns(
    events: Sequence[StoredEvent], positions: Sequence[int]
) -> tuple[list[Any], ...]:
    """Return the events' values column by column, for ``unnest``."""
    return (
        [e.case_id for e in events],
        [e.version for e in events],
        [e.topic for e in events],
        [utc(e.at) for e in events],
        [e.actor for e in events],
        [e.role for e in events],
        [e.data for e in events],
        list(positions),
    )


def _sql_value(value: Any) -> Any:
    return utc(value) if isinstance(value, dt.datetime) else value


def _opt_time(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else utc(moment)


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

    def _q(self, text: str) -> sql.Composed:
        """Compose a statement, with ``{s}`` standing for the store's schema."""
        return sql.SQL(text).format(s=sql.Identifier(self.schema))

    def _build_statements(self) -> None:
        q = self._q
        self._lock_events = q("LOCK TABLE {s}.events IN EXCLUSIVE MODE")
        self._max_position = q("SELECT coalesce(max(position), 0) FROM {s}.events")
        # One statement for all events of a commit: one round trip, and a refused
        # version is reported as one plain error.
        self._insert_events = q(
            f"INSERT INTO {{s}}.events ({_EVENT_COLUMNS}) SELECT * FROM unnest("
            "%s::text[], %s::integer[], %s::text[], %s::timestamptz[], %s::text[], %s::text[], "
            "%s::text[], %s::bigint[])"
        )
        self._taken = q(
            "SELECT e.case_id, e.version FROM {s}.events e "
            "JOIN unnest(%s::text[], %s::integer[]) AS w (case_id, version) "
            "ON e.case_id = w.case_id AND e.version = w.version"
        )
        self._gap = q(
            "SELECT case_id, count(*), max(version) FROM {s}.events WHERE case_id = ANY(%s) "
            "GROUP BY case_id HAVING count(*) <> max(version) LIMIT 1"
        )
        self._upsert_case = q(
            f"INSERT INTO {{s}}.cases ({_CASE_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT (case_id) DO UPDATE SET {_CASE_UPDATE}"
        )
        self._insert_audit_sql = q(
            "INSERT INTO {s}.audit (at, actor, role, purpose, action, case_id, detail) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)"
        )
        self._read_case = q(
            f"SELECT {_EVENT_COLUMNS} FROM {{s}}.events WHERE case_id = %s ORDER BY version"
        )
        self._read_cases = q(
            f"SELECT {_EVENT_COLUMNS} FROM {{s}}.events WHERE case_id = ANY(%s) "
            "ORDER BY case_id, version"
        )
        self._read_log = q(
            f"SELECT {_EVENT_COLUMNS} FROM {{s}}.events WHERE position > %s "
            "ORDER BY position LIMIT %s"
        )
        self._case_row = q(f"SELECT {_CASE_COLUMNS} FROM {{s}}.cases WHERE case_id = %s")
        self._count_cases = q("SELECT count(*) FROM {s}.events WHERE version = 1")
        self._version = q("SELECT coalesce(max(version), 0) FROM {s}.ssp_schema")
        self._record_migration = q(
            "INSERT INTO {s}.ssp_schema (version, description, applied_at) VALUES (%s, %s, %s)"
        )
        self._search_path = q("SET LOCAL search_path TO {s}")
        self._create_schema = q("CREATE SCHEMA {s}")

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

    def _fetchall(self, query: sql.Composed, params: Sequence[Any] = ()) -> list[TupleRow]:
        with self._connection() as conn:
            return conn.execute(query, params).fetchall()

    def _fetchone(self, query: sql.Composed, params: Sequence[Any] = ()) -> TupleRow:
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
                with conn.transaction(), conn.cursor() as cur:
                    positions: tuple[int, ...] = ()
                    if events:
                        # Readers do not wait for this lock; other writers wait until
                        # this transaction ends, so positions follow commit order.
                        cur.execute(self._lock_events)
                        row = cur.execute(self._max_position).fetchone()
                        start = int(row[0]) if row else 0
                        positions = tuple(range(start + 1, start + 1 + len(events)))
                        cur.execute(self._insert_events, _event_columns(events, positions))
                        self._check_gaps(cur, events)
                    if commit.cases:
                        cur.executemany(
                            self._upsert_case,
                            [
                                (
                                    r.case_id,
                                    r.workflow,
                                    r.workflow_version,
                                    r.state,
                                    r.version,
                                    r.assignee,
                                    utc(r.opened_at),
                                    _opt_time(r.closed_at),
                                    r.next_due,
                                    r.on_hold,
                                )
                                for r in commit.cases
                            ],
                        )
                    self._insert_audit(cur, commit.audit)
            except psycopg.IntegrityError:
                # The transaction is rolled back; versions once taken stay taken.
                raise self._conflict(conn, events) from None
        return positions

    def _conflict(
        self, conn: psycopg.Connection[TupleRow], events: Sequence[StoredEvent]
    ) -> StoreError:
        taken = {
            (str(row[0]), int(row[1]))
            for row in conn.execute(
                self._taken, ([e.case_id for e in events], [e.version for e in events])
            )
        }
        return first_conflict(events, taken)

    def _check_gaps(self, cur: psycopg.Cursor[TupleRow], events: Sequence[StoredEvent]) -> None:
        case_ids = sorted({e.case_id for e in events})
        for chunk_start in range(0, len(case_ids), _CHUNK):
            chunk = case_ids[chunk_start : chunk_start + _CHUNK]
            gap = cur.execute(self._gap, (chunk,)).fetchone()
            if gap:
                raise gap_error(gap[0], gap[1], gap[2])

    def _insert_audit(self, cur: psycopg.Cursor[TupleRow], entries: Sequence[AuditEntry]) -> None:
        if entries:
            cur.executemany(
                self._insert_audit_sql,
                [
                    (utc(a.at), a.actor, a.role, a.purpose, a.action.value, a.case_id, a.detail)
                    for a in entries
                ],
            )

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries of reads, in their own transaction."""
        if entries:
            with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
                self._insert_audit(cur, entries)

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
        statement = self._q(
            f"SELECT {_CASE_COLUMNS} FROM {{s}}.cases{where} "
            "ORDER BY next_due NULLS LAST, case_id LIMIT %s"
        )
        rows = self._fetchall(statement, [*map(_sql_value, params), query.limit])
        return [_case(row) for row in rows]

    def count_cases(self) -> int:
        """Return how many cases the store holds."""
        return int(self._fetchone(self._count_cases)[0])

    def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        """Return audit entries matching ``query``, oldest first."""
        where, params = audit_where(query, mark="%s")
        statement = self._q(f"SELECT {_AUDIT_COLUMNS} FROM {{s}}.audit{where} ORDER BY id LIMIT %s")
        rows = self._fetchall(statement, [*map(_sql_value, params), query.limit])
        return [_audit(row) for row in rows]

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Close the pool and its connections."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
