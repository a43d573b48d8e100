"""The PostgreSQL case store: the pool, schema checks, writes and reads.

See :mod:`ssp_core.store.postgres` for how the schema and the writes work.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from ssp_core.exceptions import (
    ConcurrencyError,
    DataError,
    StoreError,
    StoreUnavailable,
)
from ssp_core.i18n import _
from ssp_core.settings import POOL_MAX
from ssp_core.store.base import CaseStore, Migration, utc
from ssp_core.store.postgres.connection import (
    configure,
    display_url,
    dsn_secrets,
    end_transaction,
    pipeline,
    run,
    transact,
)
from ssp_core.store.postgres.migrator import Migrator
from ssp_core.store.postgres.rows import (
    event_values,
    key_columns,
    sql_value,
    to_audit,
    to_case,
    to_event,
    to_identity,
    to_key,
)
from ssp_core.store.postgres.schema import DUE_KEY, GAP_SQLSTATE, POSTGRES_MIGRATIONS
from ssp_core.store.postgres.statements import (
    KEY_GONE_SQLSTATE,
    Statements,
    last_rows,
    row_chunks,
    version_checks,
)
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
    CHUNK,
    EVENT_WIDTH,
    ITER_BATCH,
    audit_where,
    case_where,
    event_where,
    first_conflict,
    gap_error,
    key_conflict,
    missing_events,
    repeated_replacement,
)

__all__ = ["POSTGRES_REMAINS", "PostgresStore"]

_COPY_FROM = 16
"""Events of a commit from which they are loaded with ``COPY`` (faster from about 12)."""
_CONNECT_TIMEOUT = 5
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_MAX_NAME = 63


POSTGRES_REMAINS = (
    "PostgreSQL keeps earlier copies of erased keys and vault entries in its write-ahead "
    "log, its archive and backups while they are kept, and in freed pages until they are "
    "reused: the database operator's to manage"
)
"""What an erasure may leave in a PostgreSQL store, in every erasure's result."""


class PostgresStore(CaseStore):
    """A case store in one schema of a PostgreSQL database.

    :param dsn: the connection string (a ``postgresql://`` URL or ``key=value`` pairs).
    :param schema: the PostgreSQL schema holding the store's tables; created if missing.
    :param upgrade: apply missing schema migrations instead of refusing an older schema.
    :param url: the URL to show in messages (without password); derived from ``dsn``.
    :param min_size: connections the pool keeps open.
    :param max_size: connections the pool opens at most.
    :param timeout: seconds to wait for the server at opening, and for a free connection.
    :param progress: called as ``progress(done, total)`` after each migration that
        opening with ``upgrade`` applies.
    """

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "ssp",
        upgrade: bool = False,
        create: bool = True,
        url: str | None = None,
        min_size: int = 1,
        max_size: int = POOL_MAX,
        timeout: float = 10.0,
        migrations: Sequence[Migration] = POSTGRES_MIGRATIONS,
        progress: Progress | None = None,
    ) -> None:
        self.url = url or display_url(dsn)
        self.schema = schema
        self._timeout = timeout
        self._closed = False
        self._pool: ConnectionPool[psycopg.Connection[TupleRow]] | None = None
        self._held = threading.local()
        self._secrets = dsn_secrets(dsn)
        if not _SCHEMA_NAME.fullmatch(schema) or len(schema) > _MAX_NAME:
            raise DataError(
                f"schema name {schema!r} of store {self.url} is not allowed; use lower-case "
                f"letters, digits and _ (not first), at most {_MAX_NAME} characters"
            )
        if schema.startswith("pg_"):
            raise DataError(f"schema name {schema!r} is reserved by PostgreSQL; choose another")
        self._sql = Statements(schema)
        self._migrator = Migrator(schema, self.url, self._sql, migrations)
        try:
            self._open(
                dsn,
                upgrade=upgrade,
                create=create,
                min_size=min_size,
                max_size=max_size,
                progress=progress,
            )
        except BaseException:
            self.close()
            raise

    # -- connections -------------------------------------------------------------------

    def _message(self, exc: BaseException) -> str:
        """Return an error's text on one line, without the password."""
        text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text or type(exc).__name__

    def _open(
        self,
        dsn: str,
        *,
        upgrade: bool,
        create: bool,
        min_size: int,
        max_size: int,
        progress: Progress | None = None,
    ) -> None:
        # One direct connection first: it fails fast, with libpq's own reason, if the
        # server cannot be reached; and it prepares the schema before the pool opens.
        try:
            connection = psycopg.connect(dsn, autocommit=True, connect_timeout=_CONNECT_TIMEOUT)
        except psycopg.Error as exc:
            raise StoreUnavailable(
                _("cannot open store {url}: {reason}").format(
                    url=self.url, reason=self._message(exc)
                )
            ) from None
        try:
            configure(connection)
            self._migrator.prepare(connection, upgrade=upgrade, create=create, progress=progress)
        except psycopg.Error as exc:
            raise StoreUnavailable(
                _("cannot open store {url}: {reason}").format(
                    url=self.url, reason=self._message(exc)
                )
            ) from None
        finally:
            connection.close()
        self._pool = ConnectionPool(
            dsn,
            kwargs={"autocommit": True, "connect_timeout": _CONNECT_TIMEOUT},
            min_size=min_size,
            max_size=max(min_size, max_size),
            open=False,
            configure=configure,
            name=f"ssp-{self.schema}",
            timeout=self._timeout,
        )
        try:
            self._pool.open(wait=True, timeout=self._timeout)
        except (PoolTimeout, psycopg.Error) as exc:
            raise StoreUnavailable(
                _("cannot open store {url}: no connection within {seconds} s ({reason})").format(
                    url=self.url, seconds=f"{self._timeout:g}", reason=self._message(exc)
                )
            ) from None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Lend this thread one pooled connection for every call in the block (see the base).

        Each call still runs as its own transaction (the connection is in autocommit
        mode). The connection goes back to the pool when the outermost block ends.
        """
        if getattr(self._held, "connection", None) is not None:
            yield
            return
        with self._borrowed() as connection:
            self._held.connection = connection
            try:
                yield
            finally:
                self._held.connection = None

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """Lend a connection (in autocommit mode) for one call: the thread's held one, if any."""
        connection = getattr(self._held, "connection", None)
        if connection is None:
            with self._borrowed() as connection:
                yield connection
            return
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")
        with self._errors():
            yield connection

    @contextmanager
    def _borrowed(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """Lend a pooled connection (in autocommit mode) of its own, returned after the block."""
        pool = self._pool
        if self._closed or pool is None:
            raise StoreError(f"the store {self.url} is closed")
        with self._errors(), pool.connection() as connection:
            yield connection

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Raise the pool's and the driver's errors of the block as the store's own."""
        try:
            yield
        except PoolClosed:
            raise StoreError(f"the store {self.url} is closed") from None
        except PoolTimeout as exc:
            raise StoreUnavailable(
                _("store {url} has no free connection: {reason}").format(
                    url=self.url, reason=self._message(exc)
                )
            ) from None
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(
                _("store {url} failed: {reason}").format(url=self.url, reason=self._message(exc))
            ) from None
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

    def seal_under(
        self, slot: str, fingerprint: str, at: dt.datetime, *, replacing: Sequence[str] = ()
    ) -> str:
        """Record the key ``slot`` is sealed under, unless one is; return the kept one (base)."""
        with self._connection() as conn:
            found = conn.execute(self._sql.sealing_key, (slot,)).fetchone()
        if found is not None and (found[0] == fingerprint or found[0] not in replacing):
            return str(found[0])
        with self._connection() as conn:
            conn.execute(self._sql.seal_under, (slot, fingerprint, utc(at), list(replacing)))
            row = conn.execute(self._sql.sealing_key, (slot,)).fetchone()
        assert row is not None  # noqa: S101 (inserted, or there already)
        return str(row[0])

    def schema_version(self) -> int:
        """Return the version of the store's schema."""
        return int(self._fetchone(self._sql.version)[0])

    def upgrade(self, progress: Progress | None = None) -> tuple[int, ...]:
        """Apply the missing migrations in one transaction; return the versions applied (base)."""
        with self._connection() as conn:
            return self._migrator.upgrade(conn, progress)

    # -- writing ---------------------------------------------------------------------

    def append(self, commit: Commit) -> tuple[int, ...]:
        """Write a commit atomically; see :meth:`CaseStore.append`."""
        events = sorted(commit.events, key=lambda e: (e.case_id, e.version))
        repeated = repeated_replacement(commit.rewrapped)
        if repeated is not None:
            raise repeated
        with self._connection() as conn:
            try:
                if commit.rewrapped:
                    return self._append_rewrapped(conn, events, commit)
                if len(events) >= _COPY_FROM:
                    return self._append_copy(conn, events, commit)
                if commit.identities:
                    return self._append_keyed(conn, events, commit)
                return self._append_statement(conn, events, commit)
            except psycopg.Error as exc:
                # Nothing of the commit was written; versions once taken stay taken.
                end_transaction(conn)
                if isinstance(exc, psycopg.IntegrityError):
                    raise self._conflict(conn, events, commit.keys) from None
                if exc.sqlstate == GAP_SQLSTATE:
                    raise self._gap(exc) from None
                if exc.sqlstate == KEY_GONE_SQLSTATE and commit.keyed:
                    raise self._key_gone(conn, commit.keyed) from None
                raise

    def _append_statement(
        self, conn: psycopg.Connection[TupleRow], events: Sequence[StoredEvent], commit: Commit
    ) -> tuple[int, ...]:
        """Write a commit in one round trip: one statement, which is its own transaction.

        Index rows and audit entries beyond the share of one statement go in further
        statements, in one transaction with it (see :func:`run`).
        """
        if not (events or commit.cases or commit.audit or commit.keys):
            return ()
        row = run(conn, self._sql.commit_statements(events, commit))
        return self._positions(events, row)

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
            statements = self._sql.commit_statements(events, commit)
        statements += self._sql.key_statements((), commit.identities)
        with (
            conn.transaction(),
            psycopg.RawCursor(conn) as cur,
            psycopg.RawCursor(conn) as more,
        ):
            with pipeline(conn):
                cur.execute(*statements[0])
                for statement in statements[1:]:
                    more.execute(*statement)
            row = cur.fetchone() if events else None
        return self._positions(events, row)

    def _append_rewrapped(
        self, conn: psycopg.Connection[TupleRow], events: Sequence[StoredEvent], commit: Commit
    ) -> tuple[int, ...]:
        """Write a commit that replaces key rows: one transaction, statement after statement.

        The events come first (their statement takes the writers' lock); then each key
        row to replace is deleted if it is still the one read (row locks, in case id
        order, so two writers cannot deadlock), and the new rows are inserted. A row
        re-wrapped or erased meanwhile raises, and the transaction is rolled back.
        """
        statements = []
        if events or commit.cases or commit.audit or commit.keys:
            statements = self._sql.commit_statements(events, commit)
        statements += self._sql.key_statements((), commit.identities)
        ordered = sorted(commit.rewrapped, key=lambda r: r.old.case_id)
        old = [r.old for r in ordered]
        row: TupleRow | None = None
        with conn.transaction(), psycopg.RawCursor(conn) as cur:
            if events:
                # The rows to replace are locked before the writers' lock is taken: a
                # writer that locked one to check it (``keyed``) and waits for the
                # writers' lock would otherwise wait on this one, and this one on it.
                cur.execute(self._sql.lock_replaced, ([k.case_id for k in old],))
            for n, statement in enumerate(statements):
                cur.execute(*statement)
                if n == 0 and events:
                    row = cur.fetchone()
            cur.execute(
                self._sql.delete_keys_as_read,
                [[k.case_id for k in old], [k.wrapped for k in old], [k.key_id for k in old]],
            )
            deleted = {str(found[0]) for found in cur.fetchall()}
            for key in old:
                if key.case_id not in deleted:
                    raise ConcurrencyError.key_row(key.case_id)
            cur.execute(self._sql.insert_keys, key_columns([r.new for r in ordered]))
        return self._positions(events, row)

    def _append_copy(
        self, conn: psycopg.Connection[TupleRow], events: Sequence[StoredEvent], commit: Commit
    ) -> tuple[int, ...]:
        """Write a larger commit in one transaction, its events loaded with ``COPY``."""
        with conn.transaction(), psycopg.RawCursor(conn) as cur:
            with pipeline(conn):
                # Readers do not wait for this lock; other writers wait until this
                # transaction ends, so positions follow commit order.
                cur.execute(self._sql.lock_events, prepare=False)
                cur.execute(self._sql.max_position)
            row = cur.fetchone()
            start = int(row[0]) if row else 0
            self._check_keyed(cur, commit.keyed)
            with cur.copy(self._sql.copy_events) as copy:
                write = copy.write_row
                for position, event in enumerate(events, start + 1):
                    write((*event_values(event), position))
            with pipeline(conn):
                case_ids, firsts = version_checks(events)
                if case_ids:
                    cur.execute(self._sql.check_versions, (case_ids, firsts))
                for chunk in row_chunks(last_rows(commit.cases), commit.audit):
                    cur.execute(*self._sql.rows_statement(chunk))
                for statement in self._sql.key_statements(commit.keys, commit.identities):
                    cur.execute(*statement)
        return tuple(range(start + 1, start + 1 + len(events)))

    def _conflict(
        self,
        conn: psycopg.Connection[TupleRow],
        events: Sequence[StoredEvent],
        keys: Sequence[KeyRecord] = (),
    ) -> StoreError:
        taken = {
            (str(row[0]), int(row[1]))
            for row in conn.execute(
                self._sql.taken, ([e.case_id for e in events], [e.version for e in events])
            )
        }
        keyed = [key.case_id for key in keys]
        return first_conflict(events, taken, keyed, self._keys_taken(conn, keyed))

    def _key_gone(
        self, conn: psycopg.Connection[TupleRow], case_ids: Sequence[str]
    ) -> ConcurrencyError:
        """Return the error for a commit refused because a ``keyed`` case has no key row."""
        found = self._keys_taken(conn, case_ids)
        gone = [case_id for case_id in case_ids if case_id not in found]
        return ConcurrencyError.key_row(gone[0] if gone else case_ids[0])

    def _check_keyed(self, cur: psycopg.RawCursor[TupleRow], case_ids: Sequence[str]) -> None:
        """Lock the key rows of ``case_ids`` (``FOR KEY SHARE``); refuse if one is gone."""
        if not case_ids:
            return
        cur.execute(self._sql.lock_keyed, (list(case_ids),))
        found = {str(row[0]) for row in cur.fetchall()}
        for case_id in case_ids:
            if case_id not in found:
                raise ConcurrencyError.key_row(case_id)

    def _keys_taken(self, conn: psycopg.Connection[TupleRow], case_ids: Sequence[str]) -> set[str]:
        """Return those of ``case_ids`` that have a key row."""
        if not case_ids:
            return set()
        return {str(row[0]) for row in conn.execute(self._sql.keyed, (list(case_ids),))}

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
                run(conn, [self._sql.rows_statement(chunk) for chunk in row_chunks((), entries)])

    def put_identity(self, record: IdentityRecord, audit: Sequence[AuditEntry]) -> None:
        """Insert or replace a person's vault entry, with audit entries, in one transaction."""
        values = [record.pseudonym, record.wrapped, record.sealed, utc(record.created_at)]
        with self._connection() as conn:
            transact(conn, [(self._sql.put_identity, values), *self._sql.audit_statements(audit)])

    def erase(
        self, case_ids: Sequence[str], pseudonyms: Sequence[str], audit: Sequence[AuditEntry]
    ) -> tuple[str, ...]:
        """Delete key rows and vault entries with audit entries, in one transaction; see the base.

        Then the two tables are vacuumed (:meth:`scrub`), so the deleted rows' space is
        reclaimed. What remains is said in the result: PostgreSQL does not overwrite
        reclaimed space at once, and its write-ahead log, archive and backups keep
        earlier copies for as long as they are kept (the operator's to manage).
        """
        statements = [
            (self._sql.delete_keys, [list(case_ids)]),
            (self._sql.delete_identities, [list(pseudonyms)]),
            *self._sql.audit_statements(audit),
        ]
        with self._connection() as conn:
            transact(conn, statements)
        return self.scrub()

    def scrub(self) -> tuple[str, ...]:
        """Vacuum the tables of data keys and vault entries; say what PostgreSQL may keep."""
        with self._connection() as conn:
            conn.execute(self._sql.vacuum_secrets)
        return (POSTGRES_REMAINS,)

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
        case_ids = [case_id for case_id, _version, _data in updates]
        versions = [version for _case_id, version, _data in updates]
        keyed = [key.case_id for key in keys]
        with self._connection() as conn:
            try:
                with conn.transaction(), psycopg.RawCursor(conn) as raw:
                    conn.execute(self._sql.lock_events)
                    stored = {
                        (str(row[0]), int(row[1]))
                        for row in conn.execute(self._sql.taken, (case_ids, versions))
                    }
                    refused = missing_events(updates, stored) or key_conflict(
                        keyed, self._keys_taken(conn, keyed)
                    )
                    if refused is not None:
                        raise refused
                    if updates:
                        conn.execute(self._sql.disable_update)
                        data = [data for _case_id, _version, data in updates]
                        conn.execute(self._sql.update_data, (case_ids, versions, data))
                        conn.execute(self._sql.enable_update)
                    for statement in self._sql.key_statements(keys, ()):
                        raw.execute(*statement)
                    for statement in self._sql.audit_statements(audit):
                        raw.execute(*statement)
            except psycopg.IntegrityError:
                end_transaction(conn)
                raise self._conflict(conn, (), keys) from None

    def set_municipality(self, workflow: str, municipality: str) -> int:
        """Give ``municipality`` to the rows of ``workflow`` without one; see the base.

        One statement, its own transaction.
        """
        with self._connection() as conn:
            return conn.execute(self._sql.set_municipality, (municipality, workflow)).rowcount

    # -- reading ---------------------------------------------------------------------

    def read_case(self, case_id: str, after: int = 0) -> list[StoredEvent]:
        """Return the events of one case in version order (those after version ``after``)."""
        return [to_event(row) for row in self._fetchall(self._sql.read_case, (case_id, after))]

    def read_case_and_key(
        self, case_id: str, after: int = 0
    ) -> tuple[list[StoredEvent], KeyRecord | None]:
        """Return a case's events after version ``after`` and its key row, in one round trip."""
        rows = self._fetchall(self._sql.read_case_and_key, (case_id, after))
        first = rows[0]  # the query answers at least one row: the key's, if nothing else
        record = None if first[EVENT_WIDTH] is None else to_key(first[EVENT_WIDTH:])
        return [to_event(row) for row in rows if row[0] is not None], record

    def read_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Return the events of several cases, each in version order."""
        wanted = list(dict.fromkeys(case_ids))
        result: dict[str, list[StoredEvent]] = {}
        if not wanted:
            return result
        with self._connection() as conn:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                for row in conn.execute(self._sql.read_cases, (chunk,)):
                    event = to_event(row)
                    result.setdefault(event.case_id, []).append(event)
        return {cid: result[cid] for cid in wanted if cid in result}

    def read_log(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Return events after position ``after``, in position order."""
        return [to_event(row) for row in self._fetchall(self._sql.read_log, (after, limit))]

    def read_events(self, query: EventQuery) -> list[StoredEvent]:
        """Return the events matching ``query``, in position order (a search by topic scans)."""
        where, params = event_where(query, mark="%s")
        statement = self._sql.read_events.format(where=where)
        rows = self._fetchall(statement, [*map(sql_value, params), query.limit])
        return [to_event(row) for row in rows]

    def max_position(self) -> int:
        """Return the highest position written."""
        return int(self._fetchone(self._sql.max_position)[0])

    def case_row(self, case_id: str) -> CaseRow | None:
        """Return the index row of one case."""
        rows = self._fetchall(self._sql.case_row, (case_id,))
        return to_case(rows[0]) if rows else None

    def find_cases(self, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query``, by next due date (none last), case id."""
        where, params = case_where(query, mark="%s", due_key=DUE_KEY)
        statement = self._sql.find_cases.format(where=where)
        rows = self._fetchall(statement, [*map(sql_value, params), query.limit])
        return [to_case(row) for row in rows]

    def iter_cases(self, query: CaseQuery) -> Iterator[CaseRow]:
        """Yield the index rows matching ``query`` through a server-side cursor, a batch at a time.

        One transaction on a connection of the pool's own, held until the rows are
        read (or the iterator is closed): the rows are those of one moment.
        """
        where, params = case_where(query, mark="%s", due_key=DUE_KEY)
        statement = self._sql.find_cases.format(where=where)
        with (  # never the thread's held connection: the rows may be read after its block
            self._borrowed() as conn,
            conn.transaction(),
            conn.cursor(name="ssp_iter_cases") as cursor,
        ):
            cursor.itersize = ITER_BATCH
            cursor.execute(statement, [*map(sql_value, params), query.limit])
            yield from map(to_case, cursor)

    def count_cases(self) -> int:
        """Return how many cases the store holds."""
        return int(self._fetchone(self._sql.count_cases)[0])

    def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        """Return audit entries matching ``query``, oldest first.

        They are the rows of the audit table and the events written with a purpose
        (the entries of their writes, without an id): by time, then writes before
        reads, then by position or id.
        """
        where, params = audit_where(query, mark="%s")
        values = list(map(sql_value, params))
        events_where = " WHERE purpose IS NOT NULL" + where.replace(" WHERE ", " AND ", 1)
        statement = self._sql.read_audit.format(events_where=events_where, audit_where=where)
        rows = self._fetchall(statement, [*values, *values, query.limit])
        return [to_audit(row) for row in rows]

    def read_keys(self, case_ids: Iterable[str]) -> dict[str, KeyRecord]:
        """Return the key rows of the cases that have one."""
        wanted = list(dict.fromkeys(case_ids))
        found: dict[str, KeyRecord] = {}
        if not wanted:
            return found
        with self._connection() as conn:
            for start in range(0, len(wanted), CHUNK):
                rows = conn.execute(self._sql.read_keys, (wanted[start : start + CHUNK],))
                found.update((key.case_id, key) for key in map(to_key, rows))
        return {cid: found[cid] for cid in wanted if cid in found}

    def subject_cases(self, pseudonym: str) -> list[str]:
        """Return the ids of the cases whose key row names this subject, sorted."""
        return [str(row[0]) for row in self._fetchall(self._sql.subject_cases, (pseudonym,))]

    def read_identity(self, pseudonym: str) -> IdentityRecord | None:
        """Return the vault entry of a pseudonym, if there is one."""
        rows = self._fetchall(self._sql.read_identity, (pseudonym,))
        return to_identity(rows[0]) if rows else None

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Close the pool and its connections."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
