"""The SQLite case store: connections, schema checks, transactions, writes and reads.

See :mod:`ssp_core.store.sqlite` for how the file is kept.

The module is longer than most (about 700 lines) because it implements every method
of the :class:`~ssp_core.store.base.CaseStore` contract, each its own transaction;
the SQL lives in ``statements.py``, the rows in ``rows.py`` and the schema in
``schema.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import attrs

from ssp_core.exceptions import (
    DataError,
    SchemaError,
    StoreError,
    StoreUnavailable,
)
from ssp_core.i18n import _
from ssp_core.store.base import CaseStore, Migration
from ssp_core.store.records import (
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    Commit,
    EventQuery,
    IdentityRecord,
    KeyRecord,
    Progress,
    StoredEvent,
)
from ssp_core.store.sql import (
    AUDIT_COLUMNS,
    CASE_COLUMNS,
    CHUNK,
    EVENT_COLUMNS,
    EVENT_WIDTH,
    IDENTITY_COLUMNS,
    ITER_BATCH,
    KEY_COLUMNS,
    audit_where,
    case_where,
    event_where,
    first_conflict,
    key_conflict,
    missing_events,
    needs_upgrade,
    newer_schema,
    repeated_replacement,
)
from ssp_core.store.sqlite.rows import (
    case_params,
    identity_params,
    key_params,
    sql_value,
    stored_time,
    to_audit,
    to_case,
    to_event,
    to_identity,
    to_key,
)
from ssp_core.store.sqlite.schema import APPLICATION_ID, DUE_KEY, SQLITE_MIGRATIONS
from ssp_core.store.sqlite.statements import (
    INSERT_KEY,
    KEEP_IDENTITY,
    MAX_POSITION,
    PUT_IDENTITY,
    READ_CASE_AND_KEY,
    SET_MUNICIPALITY,
    UPSERT_CASE,
    VERSION_EXISTS,
    chunks,
)
from ssp_core.store.sqlite.sync import WalSyncer
from ssp_core.store.sqlite.writes import (
    VersionGap,
    check_keyed,
    gap_error_for,
    insert_audit,
    insert_events,
    insert_one,
    keys_taken,
    replace_keys,
    update_events,
)
from ssp_core.text import shown_id

__all__ = ["MAX_CACHE_MB", "SqliteStore"]

_CHECKPOINT_WAIT_MS = 500
"""How long the checkpoint after an erasure waits for readers of the log, at most."""


COUNTED_SINCE = 6
"""The schema version whose ``case_count`` table keeps the count of cases opened."""

READ_SYNC = ("group", "each")
"""The ways the audit entries of reads can be made durable (see :class:`SqliteStore`)."""


def _event_order(event: StoredEvent) -> tuple[str, int]:
    return (event.case_id, event.version)


def _create_private(path: Path) -> None:
    """Create a new store file readable and writable by its owner only (0600).

    SQLite gives the ``-wal`` and ``-shm`` files the permissions of the database file,
    so they are private too. An existing file keeps its permissions.
    """
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreUnavailable(
            _("cannot create the store file {path}: {reason}").format(
                path=path, reason=exc.strerror
            )
        ) from None
    os.close(descriptor)


def _on_read_only_mount(path: Path) -> bool:
    return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)


def _read_only(path: Path) -> bool:
    """Tell whether an existing store file cannot be written (its mount, or permissions)."""
    return _on_read_only_mount(path) or not os.access(path, os.W_OK)


MAX_CACHE_MB = 65_536
"""The largest page cache (MiB) an SQLite store's connections may be given (64 GiB)."""


class SqliteStore(CaseStore):
    """A case store in one SQLite file.

    :param path: the file; created (with its schema) if it does not exist.
    :param upgrade: apply missing schema migrations instead of refusing an older file.
    :param create: create a missing file; ``False`` refuses it (``StoreUnavailable``).
    :param read_only: open the file for reading only; ``None`` (default): read-only if it
        cannot be written (a read-only mount, or no write permission). Every write to a
        read-only store raises ``StoreUnavailable``, saying so.
    :param timeout: seconds a writer waits for another writer's lock.
    :param read_sync: ``"group"`` (default): the audit entry of a read is committed
        before the read returns and made durable right after, by one ``fsync`` for all
        reads since the last (:mod:`ssp_core.store.sqlite.sync` says what is at risk);
        ``"each"``: every read waits for its own ``fsync``. In a URL:
        ``sqlite:///ssp.db?read_sync=each``.
    :param cache_mb: the page cache of each connection, in MiB (``None``: SQLite's
        default, about 2 MiB). A bulk import into a large store writes much faster
        with a large cache (each commit then changes every index in memory, not page
        by page on disk); reads of one case or one page of a list need none. In a
        URL: ``sqlite:///ssp.db?cache_mb=256``. From 1 to :data:`MAX_CACHE_MB`.
    :param progress: called as ``progress(done, total)`` after each migration that
        opening with ``upgrade`` applies.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        url: str | None = None,
        upgrade: bool = False,
        create: bool = True,
        read_only: bool | None = None,
        timeout: float = 30.0,
        migrations: Sequence[Migration] = SQLITE_MIGRATIONS,
        read_sync: str = "group",
        cache_mb: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        if read_sync not in READ_SYNC:
            raise DataError(
                _("read_sync must be one of: {allowed}; not {value}").format(
                    allowed=", ".join(READ_SYNC), value=shown_id(read_sync)
                )
            )
        if cache_mb is not None and (
            isinstance(cache_mb, bool)
            or not isinstance(cache_mb, int)
            or not 1 <= cache_mb <= MAX_CACHE_MB
        ):
            raise DataError(
                _("cache_mb is a whole number of MiB from 1 to {most}; not {value}").format(
                    most=MAX_CACHE_MB, value=shown_id(str(cache_mb))
                )
            )
        #: The page cache of each connection in MiB (``None``: SQLite's default).
        self.cache_mb = cache_mb
        self.path = Path(path)
        self.url = url or f"sqlite:///{self.path}"
        self._timeout = timeout
        self._migrations = tuple(migrations)
        self._progress = progress  # of the upgrade an opening with ``upgrade`` applies
        self._latest = self._migrations[-1].version if self._migrations else 0
        self._local = threading.local()
        self._connections: dict[threading.Thread, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        self._closed = False
        if not self.path.parent.is_dir():
            hint = ""
            top = Path("/", self.path.parts[0]) if self.path.parts else None
            if not self.path.is_absolute() and top is not None and top.is_dir():
                # sqlite:///srv/ssp/x.db is relative; /srv/ssp/x.db was likely meant
                hint = " " + _(
                    "(a path after sqlite:/// is relative to the current folder; for {path} "
                    "write {url})"
                ).format(path=f"/{self.path.as_posix()}", url=f"sqlite:////{self.path.as_posix()}")
            raise StoreUnavailable(
                _("cannot open store {url}: directory {folder} does not exist").format(
                    url=self.url, folder=self.path.parent
                )
                + hint
            )
        if self.path.is_dir():
            raise StoreUnavailable(
                _("cannot open store {url}: {path} is a directory").format(
                    url=self.url, path=self.path
                )
            )
        if not create and not self.path.is_file():
            raise StoreUnavailable(
                _(
                    "no ssp store at {path}; check --store / SSP_STORE. Only a command that "
                    "writes a first case creates one"
                ).format(path=self.path)
            )
        if read_only is None:
            read_only = self.path.is_file() and _read_only(self.path)
        elif read_only and not self.path.is_file():
            raise StoreUnavailable(
                _("no ssp store at {path} to open read-only").format(path=self.path)
            )
        self.read_only = read_only
        #: How the audit entries of reads are made durable: ``"group"`` or ``"each"``.
        self.read_sync = read_sync
        self._syncer = WalSyncer(self.path) if read_sync == "group" and not read_only else None
        if not self.read_only:
            _create_private(self.path)
        try:
            self._prepare(upgrade=upgrade, create=create)
        except BaseException:
            self.close()
            raise

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        target: str | Path = self.path
        if self.read_only:  # immutable on a read-only mount: no one can change it there
            immutable = "&immutable=1" if _on_read_only_mount(self.path) else ""
            target = f"{self.path.resolve().as_uri()}?mode=ro{immutable}"
        try:
            connection = sqlite3.connect(
                target,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=self.read_only,
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(
                _("cannot open store {url}: {reason}").format(url=self.url, reason=exc)
            ) from None
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
                if self.cache_mb is not None:  # negative: a size in KiB, not in pages
                    connection.execute(f"PRAGMA cache_size = -{self.cache_mb * 1024}")
            except sqlite3.DatabaseError as exc:
                raise self._not_a_store(exc) from None
            self._local.connection = connection
        return connection

    def _begin(self) -> sqlite3.Connection:
        """Start a write transaction, taking the file's write lock at once."""
        if self.read_only:
            raise self._read_only()
        connection = self._conn()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(
                _("store {url} is busy or locked: {reason}").format(url=self.url, reason=exc)
            ) from None
        return connection

    def _read_only(self) -> StoreUnavailable:
        return StoreUnavailable(
            _(
                "the store {url} is read-only (a read-only mount, or no permission to write "
                "the file): it can be inspected, but nothing can be written to it, and reading "
                "a case writes the audit log"
            ).format(url=self.url)
        )

    def _not_a_store(self, exc: sqlite3.DatabaseError) -> SchemaError:
        return SchemaError(
            _(
                "{path} is not an ssp store: it is not an SQLite database or it is damaged "
                "({reason})"
            ).format(path=self.path, reason=exc)
        )

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
            raise self._not_a_store(exc) from None
        return application, version, objects

    def _prepare(self, *, upgrade: bool, create: bool) -> None:
        connection = self._conn()
        application, version, objects = self._identify(connection)
        if application == 0 and objects == 0:
            if not create or self.read_only:
                raise StoreUnavailable(
                    _(
                        "no ssp store at {path}: the file is empty; check --store / SSP_STORE. "
                        "Only a command that writes a first case creates one"
                    ).format(path=self.path)
                )
            self._create(connection)
            return
        if application != APPLICATION_ID:
            raise SchemaError(
                _(
                    "{path} is an SQLite database but not an ssp store (it has tables of "
                    "another application); nothing in it was changed"
                ).format(path=self.path)
            )
        if self.read_only:
            if upgrade and version < self._latest:
                raise self._read_only()
            needs_upgrade(self.url, version, self._latest, upgrade=False)
            return
        self._check_version(version, upgrade=upgrade)
        self._use_wal(connection)

    def _check_version(self, version: int, *, upgrade: bool) -> None:
        if needs_upgrade(self.url, version, self._latest, upgrade=upgrade):
            self.upgrade(self._progress)

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """Put the file in WAL mode, waiting (up to the timeout) for other openers' locks.

        Changing the journal mode needs the file to itself, and SQLite does not wait for
        it through the busy timeout: a store created by several processes at once would
        otherwise fail with "database is locked" in the one that comes second.
        """
        deadline = time.monotonic() + self._timeout
        pause = 0.005
        while True:
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def _create(self, connection: sqlite3.Connection) -> None:
        self._use_wal(connection)
        with self._write() as conn:
            # Another process may have created the store since we looked.
            application, _version, objects = self._identify(conn)
            if application == 0 and objects == 0:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._migrate(conn, 0)
        _application, version, _objects = self._identify(connection)
        self._check_version(version, upgrade=False)

    def _migrate(
        self, conn: sqlite3.Connection, current: int, progress: Progress | None = None
    ) -> tuple[int, ...]:
        applied = []
        todo = [migration for migration in self._migrations if migration.version > current]
        if progress is not None and not todo:
            progress(0, 0)
        for migration in todo:
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO ssp_schema (version, description, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.description, stored_time(dt.datetime.now(dt.UTC))),
            )
            conn.execute(f"PRAGMA user_version = {migration.version}")
            applied.append(migration.version)
            if progress is not None:
                progress(len(applied), len(todo))
        return tuple(applied)

    def seal_under(
        self, slot: str, fingerprint: str, at: dt.datetime, *, replacing: Sequence[str] = ()
    ) -> str:
        """Record the key ``slot`` is sealed under, unless one is; return the kept one (base)."""
        read = "SELECT fingerprint FROM sealing_keys WHERE slot = ?"
        found = self._conn().execute(read, (slot,)).fetchone()
        if found is not None and (found[0] == fingerprint or found[0] not in replacing):
            return str(found[0])
        marks = ", ".join("?" * len(replacing)) or "NULL"
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sealing_keys (slot, fingerprint, recorded_at) VALUES (?, ?, ?) "
                "ON CONFLICT (slot) DO UPDATE SET fingerprint = excluded.fingerprint, "
                f"recorded_at = excluded.recorded_at WHERE fingerprint IN ({marks})",
                (slot, fingerprint, stored_time(at), *replacing),
            )
            return str(conn.execute(read, (slot,)).fetchone()[0])

    def schema_version(self) -> int:
        """Return the version of the file's schema."""
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])

    def upgrade(self, progress: Progress | None = None) -> tuple[int, ...]:
        """Apply the missing migrations in one transaction; return the versions applied (base)."""
        with self._write() as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current > self._latest:
                raise newer_schema(self.url, current, self._latest)
            return self._migrate(conn, current, progress)

    # -- writing ---------------------------------------------------------------------

    def append(self, commit: Commit) -> tuple[int, ...]:
        """Write a commit atomically; see :meth:`CaseStore.append`."""
        events = commit.events
        if len(events) > 1:
            events = tuple(sorted(events, key=_event_order))
        repeated = repeated_replacement(commit.rewrapped)
        if repeated is not None:
            raise repeated
        conn = self._begin()
        try:
            if len(events) == 1:
                positions = insert_one(conn, events[0], commit.keyed)
            else:
                check_keyed(conn, commit.keyed)
                positions = insert_events(conn, events) if events else ()
            opened = sum(1 for event in events if event.version == 1)
            if opened and self._latest >= COUNTED_SINCE:  # the count: one row to read
                conn.execute("UPDATE case_count SET cases = cases + ?", (opened,))
            self._write_rows(conn, commit)
            conn.execute("COMMIT")
        except VersionGap as gap:
            self._rollback(conn)
            raise gap_error_for(conn, gap.case_id, gap.version) from None
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
        if commit.rewrapped:
            # The old wrapped keys were zeroed in the file's pages; clear them from the log.
            self._checkpoint()
        return positions

    @staticmethod
    def _write_rows(conn: sqlite3.Connection, commit: Commit) -> None:
        """Write a commit's index rows, audit entries, keys and vault entries (after its events)."""
        cases = commit.cases
        if len(cases) == 1:
            conn.execute(UPSERT_CASE, case_params(cases[0]))
        elif cases:
            conn.executemany(UPSERT_CASE, [case_params(row) for row in cases])
        if commit.audit:
            insert_audit(conn, commit.audit)
        if commit.keys:
            conn.executemany(INSERT_KEY, map(key_params, commit.keys))
        if commit.identities:
            conn.executemany(KEEP_IDENTITY, map(identity_params, commit.identities))
        if commit.rewrapped:
            replace_keys(conn, commit.rewrapped)

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
        return first_conflict(events, taken, keys, keys_taken(conn, keys))

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries of reads, in their own transaction."""
        if entries:
            with self._write() as conn:
                insert_audit(conn, entries)

    def record_reads(self, entries: Sequence[AuditEntry]) -> None:
        r"""Append the audit entries of reads: committed now, made durable in a group.

        With ``read_sync="group"`` the commit does not wait for the disk (the entries
        are in the write-ahead log when this returns); the store's syncer calls ``fsync`` on
        the log right after, once for all reads committed meanwhile. After a failed
        ``fsync`` every read waits for its own again.
        """
        syncer = self._syncer
        if not entries:
            return
        if syncer is None or syncer.failure is not None:
            self.record_audit(entries)
            return
        connection = self._conn()
        connection.execute("PRAGMA synchronous = NORMAL")
        try:
            with self._write() as conn:
                insert_audit(conn, entries)
        finally:
            connection.execute("PRAGMA synchronous = FULL")
        syncer.request()

    def wait_durable(self, timeout: float | None = None) -> bool:
        """Wait until the audit entries of every read so far are durable; tell whether they are."""
        return True if self._syncer is None else self._syncer.wait(timeout=timeout)

    def put_identity(self, record: IdentityRecord, audit: Sequence[AuditEntry]) -> None:
        """Insert or replace a person's vault entry, with audit entries, in one transaction."""
        with self._write() as conn:
            conn.execute(PUT_IDENTITY, identity_params(record))
            insert_audit(conn, audit)

    def erase(
        self, case_ids: Sequence[str], pseudonyms: Sequence[str], audit: Sequence[AuditEntry]
    ) -> tuple[str, ...]:
        """Delete key rows and vault entries with audit entries, then clear the log; see the base.

        The connection's ``secure_delete`` zeroes the deleted rows in their pages;
        the ``TRUNCATE`` checkpoint afterwards writes those pages into the file and
        empties the write-ahead log, which held the rows' earlier pages. A reader in
        another connection can hold the checkpoint back: the erasure itself is
        committed, and the result says that the log may still hold copies.
        """
        with self._write() as conn:
            for marks, chunk in chunks(list(case_ids)):
                conn.execute(f"DELETE FROM case_keys WHERE case_id IN ({marks})", chunk)
            for marks, chunk in chunks(list(pseudonyms)):
                conn.execute(f"DELETE FROM identities WHERE pseudonym IN ({marks})", chunk)
            insert_audit(conn, audit)
        return self.scrub()

    def scrub(self) -> tuple[str, ...]:
        """Checkpoint the write-ahead log into the file and empty it; say if a reader held it."""
        if self._checkpoint():
            return ()
        remains = (
            f"the write-ahead log {self.path}-wal may still hold earlier copies of erased keys "
            "and vault entries: another connection held back the checkpoint. Run "
            "`ssp retention scrub` when no one else has the store open"
        )
        return (remains,)

    def _checkpoint(self) -> bool:
        """Checkpoint the write-ahead log into the file and truncate it; tell if it was done.

        The checkpoint waits for readers of the log, but not for the store's whole
        timeout: after ``_CHECKPOINT_WAIT_MS`` it gives up (busy), and a later one does it.
        """
        connection = self._conn()
        connection.execute(f"PRAGMA busy_timeout = {_CHECKPOINT_WAIT_MS}")
        try:
            busy, _log_pages, _copied = connection.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).fetchone()
        except sqlite3.OperationalError:  # a lock held elsewhere
            return False
        finally:
            connection.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        wal = Path(f"{self.path}-wal")
        return not busy and (not wal.exists() or wal.stat().st_size == 0)

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
                for case_id, version, _data in updates
                if conn.execute(VERSION_EXISTS, (case_id, version)).fetchone()
            }
            missing = missing_events(updates, stored)
            if missing is not None:
                raise missing
            keyed = [key.case_id for key in keys]
            conflict = key_conflict(keyed, keys_taken(conn, keyed))
            if conflict is not None:
                raise conflict
            if updates:
                update_events(conn, updates)
            conn.executemany(INSERT_KEY, map(key_params, keys))
            insert_audit(conn, audit)

    def set_municipality(self, workflow: str, municipality: str) -> int:
        """Give ``municipality`` to the rows of ``workflow`` without one; see the base."""
        with self._write() as conn:
            return conn.execute(SET_MUNICIPALITY, (municipality, workflow)).rowcount

    # -- reading ---------------------------------------------------------------------

    def read_case(self, case_id: str, after: int = 0) -> list[StoredEvent]:
        """Return the events of one case in version order (those after version ``after``)."""
        rows = self._conn().execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE case_id = ? AND version > ? "
            "ORDER BY version",
            (case_id, after),
        )
        return [to_event(row) for row in rows]

    def read_case_and_key(
        self, case_id: str, after: int = 0
    ) -> tuple[list[StoredEvent], KeyRecord | None]:
        """Return a case's events after version ``after`` and its key row, in one statement."""
        rows = self._conn().execute(READ_CASE_AND_KEY, (case_id, after)).fetchall()
        first = rows[0]  # the query answers at least one row: the key's, if nothing else
        record = None if first[EVENT_WIDTH] is None else to_key(first[EVENT_WIDTH:])
        return [to_event(row) for row in rows if row[0] is not None], record

    def read_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Return the events of several cases, each in version order."""
        wanted = list(dict.fromkeys(case_ids))
        result: dict[str, list[StoredEvent]] = {}
        conn = self._conn()
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE case_id IN ({marks}) "
                "ORDER BY case_id, version",
                chunk,
            ):
                event = to_event(row)
                result.setdefault(event.case_id, []).append(event)
        return {cid: result[cid] for cid in wanted if cid in result}

    def read_log(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Return events after position ``after``, in position order."""
        rows = self._conn().execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (after, -1 if limit is None else limit),
        )
        return [to_event(row) for row in rows]

    def read_events(self, query: EventQuery) -> list[StoredEvent]:
        """Return the events matching ``query``, in position order (a search by topic scans)."""
        where, params = event_where(query)
        rows = self._conn().execute(
            f"SELECT {EVENT_COLUMNS} FROM events{where} ORDER BY position LIMIT ?",
            [*map(sql_value, params), -1 if query.limit is None else query.limit],
        )
        return [to_event(row) for row in rows]

    def max_position(self) -> int:
        """Return the highest position written."""
        return int(self._conn().execute(MAX_POSITION).fetchone()[0])

    def case_row(self, case_id: str) -> CaseRow | None:
        """Return the index row of one case."""
        row = (
            self._conn()
            .execute(f"SELECT {CASE_COLUMNS} FROM cases WHERE case_id = ?", (case_id,))
            .fetchone()
        )
        return None if row is None else to_case(row)

    def find_cases(self, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query``.

        A page after a cursor is asked as two parts, each a seek in an index: the rest
        of the cursor's due date (case ids after its own), then the later dates. SQLite
        does not seek on a row value over an expression; one condition would read every
        case of the cursor's due date before the first row of the page.
        """
        limit = -1 if query.limit is None else query.limit
        where, params = case_where(attrs.evolve(query, after=None), due_key=DUE_KEY)
        values = list(map(sql_value, params))
        if query.after is None:
            sql = f"SELECT {CASE_COLUMNS} FROM cases{where} ORDER BY {DUE_KEY}, case_id LIMIT ?"
            rows = self._conn().execute(sql, [*values, limit])
            return [to_case(row) for row in rows]
        due, case_id = query.after.key()
        part = f"SELECT {CASE_COLUMNS}, {DUE_KEY} AS due_key FROM cases{where}"
        part += " AND " if where else " WHERE "
        sql = (
            f"SELECT {CASE_COLUMNS} FROM ("
            f"SELECT * FROM ({part}{DUE_KEY} = ? AND case_id > ? ORDER BY case_id LIMIT ?) "
            f"UNION ALL SELECT * FROM ({part}{DUE_KEY} > ? ORDER BY {DUE_KEY}, case_id LIMIT ?)"
            ") ORDER BY due_key, case_id LIMIT ?"
        )
        day = sql_value(due)
        rows = self._conn().execute(sql, [*values, day, case_id, limit, *values, day, limit, limit])
        return [to_case(row) for row in rows]

    def iter_cases(self, query: CaseQuery) -> Iterator[CaseRow]:
        """Yield the index rows matching ``query``, read from one statement as they are used.

        The statement is one read of the file: the rows are those of one moment, also
        while the caller reads other data meanwhile (on the same connection).
        """
        if query.after is not None:  # a page after a cursor: the two-part seek
            yield from self.find_cases(query)
            return
        limit = -1 if query.limit is None else query.limit
        where, params = case_where(query, due_key=DUE_KEY)
        sql = f"SELECT {CASE_COLUMNS} FROM cases{where} ORDER BY {DUE_KEY}, case_id LIMIT ?"
        cursor = self._conn().execute(sql, [*map(sql_value, params), limit])
        try:
            while rows := cursor.fetchmany(ITER_BATCH):
                yield from map(to_case, rows)
        finally:
            cursor.close()

    def count_cases(self) -> int:
        """Return how many cases the store holds."""
        return int(self._conn().execute("SELECT cases FROM case_count").fetchone()[0])

    def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        """Return audit entries matching ``query``: writes (events) and reads, oldest first."""
        where, params = audit_where(query)
        joiner = " AND " if where else " WHERE "
        sql = (
            f"SELECT at, actor, role, purpose, 'write', case_id, topic, NULL, 0, position "
            f"FROM events{where}{joiner}purpose IS NOT NULL "
            f"UNION ALL SELECT {AUDIT_COLUMNS}, 1, id FROM audit{where} "
            "ORDER BY 1, 9, 10 LIMIT ?"
        )
        values = list(map(sql_value, params))
        rows = self._conn().execute(
            sql, [*values, *values, -1 if query.limit is None else query.limit]
        )
        return [to_audit(row) for row in rows]

    def read_keys(self, case_ids: Iterable[str]) -> dict[str, KeyRecord]:
        """Return the key rows of the cases that have one."""
        wanted = list(dict.fromkeys(case_ids))
        conn = self._conn()
        found: dict[str, KeyRecord] = {}
        for marks, chunk in chunks(wanted):
            rows = conn.execute(
                f"SELECT {KEY_COLUMNS} FROM case_keys WHERE case_id IN ({marks})", chunk
            )
            found.update((key.case_id, key) for key in map(to_key, rows))
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
            .execute(f"SELECT {IDENTITY_COLUMNS} FROM identities WHERE pseudonym = ?", (pseudonym,))
            .fetchone()
        )
        return None if row is None else to_identity(row)

    def integrity_check(self) -> str:
        """Run ``PRAGMA integrity_check`` and return its answer (``"ok"`` when sound)."""
        return str(self._conn().execute("PRAGMA integrity_check").fetchone()[0])

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Make the audit of every read durable, and close every connection of every thread."""
        if self._syncer is not None:
            self._syncer.close()
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, {}
        for connection in connections.values():
            connection.close()
