"""The embedded store: one SQLite file (``sqlite:///path/to/ssp.db``), the default.

The file is created on first use, in WAL mode with ``synchronous=FULL``, so an
acknowledged commit survives a crash of the process or the machine. Writers take
the database's write lock at the start of a transaction (``BEGIN IMMEDIATE``), so
positions follow commit order; a ``UNIQUE (case_id, version)`` constraint detects
a concurrent writer. Each thread gets its own connection.

The file is marked as an ssp store (``PRAGMA application_id``) and carries its
schema version; a foreign, corrupt, older or newer file is refused before anything
in it is changed.

Every connection runs with ``secure_delete`` on, so deleted rows (the data keys and
vault entries removed by :meth:`SqliteStore.erase`) are overwritten with zeros in
the file; after an erasure a ``TRUNCATE`` checkpoint copies the zeroed pages into
the file and empties the write-ahead log, which still held the old pages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
from ssp_core.store.select import follows
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

__all__ = ["APPLICATION_ID", "SQLITE_MIGRATIONS", "SqliteStore"]

APPLICATION_ID = 0x53535043
"""``PRAGMA application_id`` of an ssp store file ("SSPC")."""

_APPEND_ONLY = """
CREATE TRIGGER {table}_append_only_u BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
CREATE TRIGGER {table}_append_only_d BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
"""

SQLITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "events, case index and audit log",
        (
            """CREATE TABLE ssp_schema (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at TEXT NOT NULL)""",
            """CREATE TABLE events (
                position INTEGER PRIMARY KEY,
                case_id TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                topic TEXT NOT NULL,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                data TEXT NOT NULL,
                purpose TEXT,
                UNIQUE (case_id, version))""",
            """CREATE TABLE cases (
                case_id TEXT PRIMARY KEY,
                workflow TEXT NOT NULL,
                workflow_version INTEGER NOT NULL,
                state TEXT NOT NULL,
                assignee TEXT,
                opened_at TEXT NOT NULL,
                closed_at TEXT,
                next_due TEXT,
                on_hold INTEGER NOT NULL) WITHOUT ROWID""",
            "CREATE INDEX cases_due ON cases (next_due) WHERE closed_at IS NULL",
            """CREATE TABLE audit (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                purpose TEXT NOT NULL,
                action TEXT NOT NULL,
                case_id TEXT,
                detail TEXT)""",
            "CREATE INDEX audit_case ON audit (case_id, at)",
            "CREATE INDEX audit_actor ON audit (actor, at)",
            "CREATE INDEX audit_at ON audit (at)",
            *(
                statement.strip()
                for table in ("events", "audit")
                for statement in _APPEND_ONLY.format(table=table).strip().split(";\n")
                if statement.strip()
            ),
        ),
    ),
    Migration(
        2,
        "data keys of cases and the identity vault",
        (
            # Keys are written once and deleted once (erasure): never updated.
            """CREATE TABLE case_keys (
                case_id TEXT PRIMARY KEY,
                subject TEXT,
                wrapped BLOB NOT NULL,
                created_at TEXT NOT NULL) WITHOUT ROWID""",
            "CREATE INDEX case_keys_subject ON case_keys (subject)",
            """CREATE TRIGGER case_keys_no_update BEFORE UPDATE ON case_keys
            BEGIN SELECT RAISE(ABORT, 'case_keys rows are never updated'); END""",
            """CREATE TABLE identities (
                pseudonym TEXT PRIMARY KEY,
                wrapped BLOB NOT NULL,
                sealed BLOB NOT NULL,
                created_at TEXT NOT NULL)""",
        ),
    ),
)
"""The schema of an SQLite store, as versioned migrations."""

_EVENTS_UPDATE_TRIGGER = "events_append_only_u"
"""The trigger refusing updates of events, set aside by :meth:`SqliteStore.rewrite_event_data`."""

_EVENT_COLUMNS = "case_id, version, topic, at, actor, role, data, position, purpose"
_CASE_COLUMNS = (
    "case_id, workflow, workflow_version, state, assignee, opened_at, closed_at, next_due, on_hold"
)
_AUDIT_COLUMNS = "at, actor, role, purpose, action, case_id, detail, id"
_CHUNK = 500
_CHECKPOINT_WAIT_MS = 500
"""How long the checkpoint after an erasure waits for readers of the log, at most."""


_INSERT_EVENT = (
    "INSERT INTO events (case_id, version, topic, at, actor, role, data, purpose) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_VERSION_EXISTS = "SELECT 1 FROM events WHERE case_id = ? AND version = ?"
_INSERT_EVENT_AT = (
    "INSERT INTO events (case_id, version, topic, at, actor, role, data, purpose, position) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_MAX_POSITION = "SELECT coalesce(max(position), 0) FROM events"
_KEY_COLUMNS = "case_id, wrapped, subject, created_at"
_INSERT_KEY = f"INSERT INTO case_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?)"
_IDENTITY_COLUMNS = "pseudonym, wrapped, sealed, created_at"
_INSERT_IDENTITY = f"INSERT INTO identities ({_IDENTITY_COLUMNS}) VALUES (?, ?, ?, ?)"
_KEEP_IDENTITY = f"{_INSERT_IDENTITY} ON CONFLICT (pseudonym) DO NOTHING"
_PUT_IDENTITY = (
    f"{_INSERT_IDENTITY} ON CONFLICT (pseudonym) DO UPDATE SET wrapped = excluded.wrapped, "
    "sealed = excluded.sealed, created_at = excluded.created_at"
)
_UPSERT_CASE = (
    f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow, "
    "workflow_version = excluded.workflow_version, state = excluded.state, "
    "assignee = excluded.assignee, "
    "opened_at = excluded.opened_at, closed_at = excluded.closed_at, "
    "next_due = excluded.next_due, on_hold = excluded.on_hold"
)


def _event_order(event: StoredEvent) -> tuple[str, int]:
    return (event.case_id, event.version)


def _insert_one(conn: sqlite3.Connection, e: StoredEvent) -> tuple[int, ...]:
    """Insert one event, numbered by the file (the last position plus one).

    It goes in only if it is a case's first version or follows a stored one. (A
    lookup and a plain ``INSERT`` cost less here than one ``INSERT ... SELECT ...
    RETURNING``.)
    """
    if e.version > 1 and not conn.execute(_VERSION_EXISTS, (e.case_id, e.version - 1)).fetchone():
        raise _Gap(e.case_id, e.version)
    cursor = conn.execute(
        _INSERT_EVENT,
        (e.case_id, e.version, e.topic, _time(e.at), e.actor, e.role, e.data, e.purpose),
    )
    return (int(cursor.lastrowid or 0),)


def _insert(conn: sqlite3.Connection, events: Sequence[StoredEvent]) -> tuple[int, ...]:
    """Insert the sorted events of a commit with consecutive positions after the last one."""
    for case_id, previous in follows(events):
        if not conn.execute(_VERSION_EXISTS, (case_id, previous)).fetchone():
            raise _Gap(case_id, previous + 1)
    start = conn.execute(_MAX_POSITION).fetchone()[0]
    positions = tuple(range(start + 1, start + 1 + len(events)))
    conn.executemany(
        _INSERT_EVENT_AT,
        [
            (e.case_id, e.version, e.topic, _time(e.at), e.actor, e.role, e.data, e.purpose, pos)
            for e, pos in zip(events, positions, strict=True)
        ],
    )
    return positions


def _case_params(row: CaseRow) -> tuple[Any, ...]:
    return (
        row.case_id,
        row.workflow,
        row.workflow_version,
        row.state,
        row.assignee,
        _time(row.opened_at),
        _opt_time(row.closed_at),
        None if row.next_due is None else row.next_due.isoformat(),
        int(row.on_hold),
    )


@functools.lru_cache(maxsize=4096)
def _time(moment: dt.datetime) -> str:
    """Return a time as stored: UTC, ISO 8601 with microseconds (so text order is time order).

    Cached: a command writes the same few times (the event's, the case's opening time).
    """
    return utc(moment).isoformat(timespec="microseconds")


def _opt_time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else _time(moment)


def _event(row: tuple[Any, ...]) -> StoredEvent:
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


def _case(row: tuple[Any, ...]) -> CaseRow:
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
    )


def _audit(row: tuple[Any, ...]) -> AuditEntry:
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


def _key_params(key: KeyRecord) -> tuple[Any, ...]:
    return (key.case_id, key.wrapped, key.subject, _time(key.created_at))


def _identity_params(identity: IdentityRecord) -> tuple[Any, ...]:
    return (identity.pseudonym, identity.wrapped, identity.sealed, _time(identity.created_at))


def _key(row: tuple[Any, ...]) -> KeyRecord:
    return KeyRecord(row[0], row[1], row[2], dt.datetime.fromisoformat(row[3]))


def _identity(row: tuple[Any, ...]) -> IdentityRecord:
    return IdentityRecord(row[0], row[1], row[2], dt.datetime.fromisoformat(row[3]))


def _chunks(values: Sequence[str]) -> Iterator[tuple[str, Sequence[str]]]:
    """Split values into parts of at most ``_CHUNK``, each with its placeholders (``?, ?``)."""
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        yield ", ".join("?" * len(chunk)), chunk


def _sql_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _Gap(Exception):  # an internal signal; it never leaves this module
    """A commit's first version of a case does not follow the stored ones."""

    def __init__(self, case_id: str, version: int) -> None:
        self.case_id = case_id
        self.version = version


class SqliteStore(CaseStore):
    """A case store in one SQLite file.

    :param path: the file; created (with its schema) if it does not exist.
    :param upgrade: apply missing schema migrations instead of refusing an older file.
    :param timeout: seconds a writer waits for another writer's lock.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        url: str | None = None,
        upgrade: bool = False,
        timeout: float = 30.0,
        migrations: Sequence[Migration] = SQLITE_MIGRATIONS,
    ) -> None:
        self.path = Path(path)
        self.url = url or f"sqlite:///{self.path}"
        self._timeout = timeout
        self._migrations = tuple(migrations)
        self._latest = self._migrations[-1].version if self._migrations else 0
        self._local = threading.local()
        self._connections: dict[threading.Thread, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        self._closed = False
        if not self.path.parent.is_dir():
            raise StoreUnavailable(
                f"cannot open store {self.url}: directory {self.path.parent} does not exist"
            )
        if self.path.is_dir():
            raise StoreUnavailable(f"cannot open store {self.url}: {self.path} is a directory")
        try:
            self._prepare(upgrade=upgrade)
        except BaseException:
            self.close()
            raise

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open store {self.url}: {exc}") from None
        with self._lock:
            # Close the connections of threads that have ended, so a server that uses a
            # thread per request does not run out of file handles.
            for thread in [t for t in self._connections if not t.is_alive()]:
                self._connections.pop(thread).close()
            self._connections[threading.current_thread()] = connection
        return connection

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            try:
                connection.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
                connection.execute("PRAGMA synchronous = FULL")
                # Deleted content (keys, vault entries) is overwritten, not left in free space.
                connection.execute("PRAGMA secure_delete = ON")
            except sqlite3.DatabaseError as exc:
                raise SchemaError(
                    f"{self.path} is not an ssp store: it is not an SQLite database or it is "
                    f"damaged ({exc})"
                ) from None
            self._local.connection = connection
        return connection

    def _begin(self) -> sqlite3.Connection:
        """Start a write transaction, taking the file's write lock at once."""
        connection = self._conn()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"store {self.url} is busy or locked: {exc}") from None
        return connection

    @staticmethod
    def _rollback(connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            connection.execute("ROLLBACK")

    def _failed(self, exc: BaseException) -> BaseException:
        """Return what to raise for a failed write: a StoreError for the driver's errors."""
        if isinstance(exc, sqlite3.Error):
            return StoreError(f"store {self.url} could not write; nothing was written ({exc})")
        return exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        connection = self._begin()
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException as exc:
            self._rollback(connection)
            failed = self._failed(exc)
            if failed is exc:
                raise
            raise failed from exc

    # -- schema ------------------------------------------------------------------------

    def _identify(self, connection: sqlite3.Connection) -> tuple[int, int, int]:
        """Return (application id, user version, number of schema objects), reading only.

        One statement, so all three come from one snapshot: read separately, another
        process creating the store in between could make it look like a foreign file.
        """
        try:
            application, version, objects = connection.execute(
                "SELECT (SELECT application_id FROM pragma_application_id()), "
                "(SELECT user_version FROM pragma_user_version()), "
                "(SELECT count(*) FROM sqlite_master)"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise SchemaError(
                f"{self.path} is not an ssp store: it is not an SQLite database or it is "
                f"damaged ({exc})"
            ) from None
        return application, version, objects

    def _prepare(self, *, upgrade: bool) -> None:
        connection = self._conn()
        application, version, objects = self._identify(connection)
        if application == 0 and objects == 0:
            self._create(connection)
            return
        if application != APPLICATION_ID:
            raise SchemaError(
                f"{self.path} is an SQLite database but not an ssp store (it has tables of "
                "another application); nothing in it was changed"
            )
        self._check_version(version, upgrade=upgrade)
        connection.execute("PRAGMA journal_mode = WAL")

    def _check_version(self, version: int, *, upgrade: bool) -> None:
        if needs_upgrade(self.url, version, self._latest, upgrade=upgrade):
            self.upgrade()

    def _create(self, connection: sqlite3.Connection) -> None:
        connection.execute("PRAGMA journal_mode = WAL")
        with self._write() as conn:
            # Another process may have created the store since we looked.
            application, _, objects = self._identify(conn)
            if application == 0 and objects == 0:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._migrate(conn, 0)
        _, version, _ = self._identify(connection)
        self._check_version(version, upgrade=False)

    def _migrate(self, conn: sqlite3.Connection, current: int) -> tuple[int, ...]:
        applied = []
        for migration in self._migrations:
            if migration.version <= current:
                continue
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO ssp_schema (version, description, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.description, _time(dt.datetime.now(dt.UTC))),
            )
            conn.execute(f"PRAGMA user_version = {migration.version}")
            applied.append(migration.version)
        return tuple(applied)

    def schema_version(self) -> int:
        """Return the version of the file's schema."""
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])

    def upgrade(self) -> tuple[int, ...]:
        """Apply the missing migrations in one transaction; return the versions applied."""
        with self._write() as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current > self._latest:
                raise SchemaError(
                    f"store {self.url} has schema version {current}, newer than this "
                    f"library's {self._latest}"
                )
            return self._migrate(conn, current)

    # -- writing ---------------------------------------------------------------------

    def append(self, commit: Commit) -> tuple[int, ...]:
        """Write a commit atomically; see :meth:`CaseStore.append`."""
        events = commit.events
        if len(events) > 1:
            events = tuple(sorted(events, key=_event_order))
        conn = self._begin()
        try:
            if len(events) == 1:
                positions = _insert_one(conn, events[0])
            else:
                positions = _insert(conn, events) if events else ()
            cases = commit.cases
            if len(cases) == 1:
                conn.execute(_UPSERT_CASE, _case_params(cases[0]))
            elif cases:
                conn.executemany(_UPSERT_CASE, [_case_params(row) for row in cases])
            if commit.audit:
                self._insert_audit(conn, commit.audit)
            if commit.keys:
                conn.executemany(_INSERT_KEY, map(_key_params, commit.keys))
            if commit.identities:
                conn.executemany(_KEEP_IDENTITY, map(_identity_params, commit.identities))
            conn.execute("COMMIT")
        except _Gap as gap:
            self._rollback(conn)
            raise self._gap(conn, gap.case_id, gap.version) from None
        except sqlite3.IntegrityError:
            # Roll back first: the rows of this commit inserted before the failing
            # one must not be mistaken for another writer's.
            self._rollback(conn)
            raise self._conflict(conn, events, [key.case_id for key in commit.keys]) from None
        except BaseException as exc:
            self._rollback(conn)
            failed = self._failed(exc)
            if failed is exc:
                raise
            raise failed from exc
        return positions

    @staticmethod
    def _gap(conn: sqlite3.Connection, case_id: str, version: int) -> DataError:
        """Name the case whose first version in a commit does not follow its stored ones."""
        written = conn.execute(
            "SELECT count(*) FROM events WHERE case_id = ?", (case_id,)
        ).fetchone()[0]
        return gap_error(case_id, written + 1, version)

    def _conflict(
        self, conn: sqlite3.Connection, events: Sequence[StoredEvent], keys: Sequence[str] = ()
    ) -> StoreError:
        taken = {
            (event.case_id, event.version)
            for event in events
            if conn.execute(
                "SELECT 1 FROM events WHERE case_id = ? AND version = ?",
                (event.case_id, event.version),
            ).fetchone()
        }
        return first_conflict(events, taken, keys, self._keyed(conn, keys))

    @staticmethod
    def _keyed(conn: sqlite3.Connection, case_ids: Sequence[str]) -> set[str]:
        """Return those of ``case_ids`` that have a key row."""
        found: set[str] = set()
        for marks, chunk in _chunks(list(dict.fromkeys(case_ids))):
            rows = conn.execute(f"SELECT case_id FROM case_keys WHERE case_id IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    @staticmethod
    def _insert_audit(conn: sqlite3.Connection, entries: Sequence[AuditEntry]) -> None:
        if entries:
            conn.executemany(
                "INSERT INTO audit (at, actor, role, purpose, action, case_id, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (_time(a.at), a.actor, a.role, a.purpose, a.action.value, a.case_id, a.detail)
                    for a in entries
                ],
            )

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries of reads, in their own transaction."""
        if entries:
            with self._write() as conn:
                self._insert_audit(conn, entries)

    def put_identity(self, record: IdentityRecord, audit: Sequence[AuditEntry]) -> None:
        """Insert or replace a person's vault entry, with audit entries, in one transaction."""
        with self._write() as conn:
            conn.execute(_PUT_IDENTITY, _identity_params(record))
            self._insert_audit(conn, audit)

    def erase(
        self, case_ids: Sequence[str], pseudonyms: Sequence[str], audit: Sequence[AuditEntry]
    ) -> None:
        """Delete key rows and vault entries with audit entries, then clear the log; see the base.

        The connection's ``secure_delete`` zeroes the deleted rows in their pages;
        the ``TRUNCATE`` checkpoint afterwards writes those pages into the file and
        empties the write-ahead log, which held the rows' earlier pages. A reader in
        another connection can hold the checkpoint back: it is then left to a later
        one (best effort, the erasure itself is committed).
        """
        with self._write() as conn:
            for marks, chunk in _chunks(list(case_ids)):
                conn.execute(f"DELETE FROM case_keys WHERE case_id IN ({marks})", chunk)
            for marks, chunk in _chunks(list(pseudonyms)):
                conn.execute(f"DELETE FROM identities WHERE pseudonym IN ({marks})", chunk)
            self._insert_audit(conn, audit)
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Checkpoint the write-ahead log into the file and truncate it, if no one blocks it.

        The checkpoint waits for readers of the log, but not for the store's whole
        timeout: after ``_CHECKPOINT_WAIT_MS`` it gives up (busy), and a later one does it.
        """
        connection = self._conn()
        connection.execute(f"PRAGMA busy_timeout = {_CHECKPOINT_WAIT_MS}")
        try:
            # Busy is an answer (a row), a lock held elsewhere may be an error: both pass.
            with contextlib.suppress(sqlite3.OperationalError):
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            connection.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")

    def rewrite_event_data(
        self,
        updates: Sequence[tuple[str, int, str]],
        keys: Sequence[KeyRecord],
        audit: Sequence[AuditEntry],
    ) -> None:
        """Replace the data of stored events, with key rows and audit entries; see the base.

        In one transaction the trigger refusing updates of events is dropped, the
        rows are updated and the trigger is created again from its own definition
        (DDL is transactional in SQLite: no other connection sees it missing).
        """
        with self._write() as conn:
            stored = {
                (case_id, version)
                for case_id, version, _ in updates
                if conn.execute(_VERSION_EXISTS, (case_id, version)).fetchone()
            }
            missing = missing_events(updates, stored)
            if missing is not None:
                raise missing
            keyed = [key.case_id for key in keys]
            conflict = key_conflict(keyed, self._keyed(conn, keyed))
            if conflict is not None:
                raise conflict
            if updates:
                self._update_events(conn, updates)
            conn.executemany(_INSERT_KEY, map(_key_params, keys))
            self._insert_audit(conn, audit)

    @staticmethod
    def _update_events(conn: sqlite3.Connection, updates: Sequence[tuple[str, int, str]]) -> None:
        """Update the data of events, setting the append-only trigger aside meanwhile."""
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            (_EVENTS_UPDATE_TRIGGER,),
        ).fetchone()
        if row is None:
            raise SchemaError(f"the events table has no trigger {_EVENTS_UPDATE_TRIGGER}")
        conn.execute(f"DROP TRIGGER {_EVENTS_UPDATE_TRIGGER}")
        conn.executemany(
            "UPDATE events SET data = ? WHERE case_id = ? AND version = ?",
            [(data, case_id, version) for case_id, version, data in updates],
        )
        conn.execute(row[0])

    # -- reading ---------------------------------------------------------------------

    def read_case(self, case_id: str) -> list[StoredEvent]:
        """Return the events of one case in version order."""
        rows = self._conn().execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id = ? ORDER BY version", (case_id,)
        )
        return [_event(row) for row in rows]

    def read_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Return the events of several cases, each in version order."""
        wanted = list(dict.fromkeys(case_ids))
        result: dict[str, list[StoredEvent]] = {}
        conn = self._conn()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id IN ({marks}) "
                "ORDER BY case_id, version",
                chunk,
            ):
                event = _event(row)
                result.setdefault(event.case_id, []).append(event)
        return {cid: result[cid] for cid in wanted if cid in result}

    def read_log(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Return events after position ``after``, in position order."""
        rows = self._conn().execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (after, -1 if limit is None else limit),
        )
        return [_event(row) for row in rows]

    def read_events(self, query: EventQuery) -> list[StoredEvent]:
        """Return the events matching ``query``, in position order (a search by topic scans)."""
        where, params = event_where(query)
        rows = self._conn().execute(
            f"SELECT {_EVENT_COLUMNS} FROM events{where} ORDER BY position LIMIT ?",
            [*map(_sql_value, params), -1 if query.limit is None else query.limit],
        )
        return [_event(row) for row in rows]

    def max_position(self) -> int:
        """Return the highest position written."""
        return int(self._conn().execute(_MAX_POSITION).fetchone()[0])

    def case_row(self, case_id: str) -> CaseRow | None:
        """Return the index row of one case."""
        row = (
            self._conn()
            .execute(f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = ?", (case_id,))
            .fetchone()
        )
        return None if row is None else _case(row)

    def find_cases(self, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query``."""
        where, params = case_where(query)
        sql = (
            f"SELECT {_CASE_COLUMNS} FROM cases{where} "
            "ORDER BY next_due IS NULL, next_due, case_id LIMIT ?"
        )
        rows = self._conn().execute(
            sql, [*map(_sql_value, params), -1 if query.limit is None else query.limit]
        )
        return [_case(row) for row in rows]

    def count_cases(self) -> int:
        """Return how many cases the store holds."""
        return int(
            self._conn().execute("SELECT count(*) FROM events WHERE version = 1").fetchone()[0]
        )

    def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        """Return audit entries matching ``query``: writes (events) and reads, oldest first."""
        where, params = audit_where(query)
        joiner = " AND " if where else " WHERE "
        sql = (
            f"SELECT at, actor, role, purpose, 'write', case_id, topic, NULL, 0, position "
            f"FROM events{where}{joiner}purpose IS NOT NULL "
            f"UNION ALL SELECT {_AUDIT_COLUMNS}, 1, id FROM audit{where} "
            "ORDER BY 1, 9, 10 LIMIT ?"
        )
        values = list(map(_sql_value, params))
        rows = self._conn().execute(
            sql, [*values, *values, -1 if query.limit is None else query.limit]
        )
        return [_audit(row) for row in rows]

    def read_keys(self, case_ids: Iterable[str]) -> dict[str, KeyRecord]:
        """Return the key rows of the cases that have one."""
        wanted = list(dict.fromkeys(case_ids))
        conn = self._conn()
        found: dict[str, KeyRecord] = {}
        for marks, chunk in _chunks(wanted):
            rows = conn.execute(
                f"SELECT {_KEY_COLUMNS} FROM case_keys WHERE case_id IN ({marks})", chunk
            )
            found.update((key.case_id, key) for key in map(_key, rows))
        return {cid: found[cid] for cid in wanted if cid in found}

    def subject_cases(self, pseudonym: str) -> list[str]:
        """Return the ids of the cases whose key row names this subject, sorted."""
        rows = self._conn().execute(
            "SELECT case_id FROM case_keys WHERE subject = ? ORDER BY case_id", (pseudonym,)
        )
        return [row[0] for row in rows]

    def read_identity(self, pseudonym: str) -> IdentityRecord | None:
        """Return the vault entry of a pseudonym, if there is one."""
        row = (
            self._conn()
            .execute(
                f"SELECT {_IDENTITY_COLUMNS} FROM identities WHERE pseudonym = ?", (pseudonym,)
            )
            .fetchone()
        )
        return None if row is None else _identity(row)

    def integrity_check(self) -> str:
        """Run ``PRAGMA integrity_check`` and return its answer (``"ok"`` when sound)."""
        return str(self._conn().execute("PRAGMA integrity_check").fetchone()[0])

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection of every thread."""
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, {}
        for connection in connections.values():
            connection.close()
