"""Preparing the schema of a PostgreSQL store: identify it, create it, upgrade it.

A new schema is created, and an older one upgraded, under an advisory lock of its
own, so two processes opening a new store at once are safe; a foreign, older or
newer schema is refused before anything in it is changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import psycopg
from psycopg.rows import TupleRow

from ssp_core.exceptions import SchemaError, StoreUnavailable
from ssp_core.i18n import _
from ssp_core.store.base import Migration
from ssp_core.store.postgres.statements import Statements
from ssp_core.store.records import Progress
from ssp_core.store.sql import needs_upgrade, newer_schema

__all__ = ["Migrator"]


class Migrator:
    """Check, create and upgrade the schema of one store, on the connections it is lent.

    :param schema: the store's PostgreSQL schema (its name checked by the store).
    :param url: the store's URL, for messages.
    :param statements: the store's statements.
    :param migrations: the schema's migrations, oldest first.
    """

    def __init__(
        self, schema: str, url: str, statements: Statements, migrations: Sequence[Migration]
    ) -> None:
        self.schema = schema
        self.url = url
        self._sql = statements
        self._migrations = tuple(migrations)
        self._latest = self._migrations[-1].version if self._migrations else 0
        digest = hashlib.sha256(f"ssp_core store schema {schema}".encode()).digest()
        self._lock_key = int.from_bytes(digest[:8], "big", signed=True)

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
            _(
                "schema {schema} of {url} is not an ssp store (it has tables of another "
                "application); nothing in it was changed"
            ).format(schema=self.schema, url=self.url)
        )

    def read_version(self, conn: psycopg.Connection[TupleRow]) -> int:
        """Return the schema's version; refuse a foreign or damaged schema."""
        try:
            row = conn.execute(self._sql.version).fetchone()
        except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedFunction):
            raise self._foreign() from None
        version = int(row[0]) if row else 0
        if version == 0:
            raise SchemaError(
                f"store {self.url} (schema {self.schema}) is damaged: its ssp_schema table "
                "records no version"
            )
        return version

    def prepare(
        self,
        conn: psycopg.Connection[TupleRow],
        *,
        upgrade: bool,
        create: bool = True,
        progress: Progress | None = None,
    ) -> None:
        """Create a missing schema (if ``create``), check an existing one, upgrade if asked to.

        ``progress(done, total)`` reports the migrations an upgrade applies.

        :raises StoreUnavailable: the schema holds no store and ``create`` is false.
        """
        _exists, objects, marked = self._identify(conn)
        if objects == 0 and not create:
            raise StoreUnavailable(
                _(
                    "no ssp store at {url} (schema {schema} is empty or missing); check --store "
                    "/ SSP_STORE. Only a command that writes a first case creates one"
                ).format(url=self.url, schema=repr(self.schema))
            )
        if objects == 0:
            self._create(conn)
        elif not marked:
            raise self._foreign()
        version = self.read_version(conn)
        if needs_upgrade(self.url, version, self._latest, upgrade=upgrade):
            self.upgrade(conn, progress)

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
                conn.execute(self._sql.create_schema)
            conn.execute(self._sql.search_path)
            self._migrate(conn, 0)

    def _migrate(
        self, conn: psycopg.Connection[TupleRow], current: int, progress: Progress | None = None
    ) -> tuple[int, ...]:
        applied = []
        todo = [migration for migration in self._migrations if migration.version > current]
        if progress is not None and not todo:
            progress(0, 0)
        for migration in todo:
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                self._sql.record_migration,
                (migration.version, migration.description, dt.datetime.now(dt.UTC)),
            )
            applied.append(migration.version)
            if progress is not None:
                progress(len(applied), len(todo))
        return tuple(applied)

    def upgrade(
        self, conn: psycopg.Connection[TupleRow], progress: Progress | None = None
    ) -> tuple[int, ...]:
        """Apply the missing migrations in one transaction; return the versions applied.

        ``progress(done, total)`` is called after each (see :meth:`CaseStore.upgrade`).
        """
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            current = self.read_version(conn)
            if current > self._latest:
                raise newer_schema(self.url, current, self._latest)
            conn.execute(self._sql.search_path)
            return self._migrate(conn, current, progress)
