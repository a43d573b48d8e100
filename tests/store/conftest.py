"""Where the store tests keep their data: SQLite files in tmp_path, PostgreSQL schemas.

PostgreSQL tests need a server: ``SSP_TEST_POSTGRES_DSN`` if set, else
``postgresql://postgres@127.0.0.1:5432/test``. When neither answers they are
skipped (never failed). Each test gets schemas of its own, ``ssp_test_<random hex>``,
dropped again at teardown.

The ``backend`` fixture is a SQL store under test with raw SQL on its tables, and
stores at an older schema written the way an older library wrote them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

# The contract's asserts should explain themselves as a test module's do.
pytest.register_assert_rewrite("tests.store.contract")

from ssp_core.store import CaseRow, CaseStore, Commit, Migration, open_store  # noqa: E402
from ssp_core.store.base import utc  # noqa: E402
from ssp_core.store.sql import (  # noqa: E402
    AUDIT_COLUMNS,
    CASE_COLUMNS,
    EVENT_COLUMNS,
    IDENTITY_COLUMNS,
    KEY_COLUMNS,
)
from ssp_core.store.sqlite import SQLITE_MIGRATIONS, SqliteStore  # noqa: E402
from ssp_core.store.sqlite.rows import case_params, stored_time  # noqa: E402
from tests.store.contract import NO_POSTGRES  # noqa: E402

DEFAULT_POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@functools.cache
def find_postgres_dsn() -> str | None:
    """Return the DSN of a PostgreSQL server that answers, or None (probed once per run)."""
    try:
        import psycopg  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return None
    dsn = os.environ.get("SSP_TEST_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN
    try:
        with psycopg.connect(dsn, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return None
    return dsn


@pytest.fixture(name="postgres_dsn", scope="session")
def _postgres_dsn() -> str:
    dsn = find_postgres_dsn()
    if dsn is None:
        pytest.skip(NO_POSTGRES)
    return dsn


class PostgresSchemas:
    """Hands out store URLs on fresh schemas and opens stores on them; drops them all at the end."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.schemas: list[str] = []
        self.stores: list[CaseStore] = []

    def new_url(self) -> str:
        """Return the URL of a store on a schema no one has used yet."""
        schema = f"ssp_test_{uuid.uuid4().hex}"
        self.schemas.append(schema)
        joiner = "&" if "?" in self.dsn else "?"
        return f"{self.dsn}{joiner}schema={schema}"

    def open(self, url: str | None = None) -> CaseStore:
        """Open the store at ``url`` (default: a new schema); it is closed at teardown."""
        store = open_store(url or self.new_url())
        self.stores.append(store)
        return store

    def cleanup(self) -> None:
        """Close every store opened here and drop every schema handed out."""
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        for store in self.stores:
            store.close()
        if not self.schemas:
            return
        with psycopg.connect(self.dsn, connect_timeout=3, autocommit=True) as connection:
            connection.execute("SET lock_timeout = '10s'")
            for schema in self.schemas:
                connection.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )


@pytest.fixture(name="postgres_store_factory")
def _postgres_store_factory(postgres_dsn: str) -> Iterator[PostgresSchemas]:
    """``.open()``: a store on a new schema; ``.open(url)``: open one again; ``.new_url()``."""
    schemas = PostgresSchemas(postgres_dsn)
    yield schemas
    schemas.cleanup()


# -- SQL stores at the library's schema and at older ones ------------------------------------

CASE_COLUMNS_BEFORE_3 = CASE_COLUMNS.removesuffix(", municipality, opened_by")
"""The columns of the case index before schema 3 (which added ``municipality``; 6 ``opened_by``)."""

assert CASE_COLUMNS_BEFORE_3 != CASE_COLUMNS

KEY_COLUMNS_BEFORE_4 = KEY_COLUMNS.removesuffix(", key_id")
"""The columns of a case's key row before schema 4 (which added ``key_id``)."""

assert KEY_COLUMNS_BEFORE_4 != KEY_COLUMNS


@attrs.define
class Backend:
    """A SQL store under test, with raw SQL on its tables and stores at older schemas."""

    name: str
    open: Callable[..., CaseStore]
    """``open(upgrade=False)``: the store, at the library's schema."""
    open_with: Callable[..., CaseStore]
    """``open_with(migrations, upgrade=False)``: a store on the same data with these migrations."""
    migrations: tuple[Migration, ...]
    """The backend's migrations."""
    execute: Callable[..., list[tuple[Any, ...]]]
    """``execute(statement, params=())``: one statement in its own transaction.

    Tables are named as ``{s}.events``; parameters are marked with :attr:`mark`.
    """
    error: type[Exception]
    mark: str
    old_case_values: Callable[[CaseRow], Sequence[Any]]
    """An index row's values as a library before schema 3 stored them."""
    old_time: Callable[[dt.datetime], Any]
    """A time as the backend stores it (for rows written with raw SQL)."""

    def open_old(self, version: int) -> CaseStore:
        """Return a store on the same data with the library's migrations up to ``version``."""
        return self.open_with(self.migrations[:version])

    def write_old(self, store: CaseStore, commit: Commit) -> None:
        """Write ``commit`` into a store at schema 1, 2 or 3 as its library did.

        Everything but the index rows and key rows goes through the store (those tables
        are as they were); index rows are inserted with the columns they had before
        schema 3, key rows with those before schema 4.
        """
        store.append(attrs.evolve(commit, cases=(), keys=()))
        key_marks = ", ".join([self.mark] * len(KEY_COLUMNS_BEFORE_4.split(", ")))
        for key in commit.keys:
            self.execute(
                f"INSERT INTO {{s}}.case_keys ({KEY_COLUMNS_BEFORE_4}) VALUES ({key_marks})",  # noqa: S608 (constant names)
                (key.case_id, key.wrapped, key.subject, self.old_time(key.created_at)),
            )
        columns = CASE_COLUMNS_BEFORE_3.split(", ")
        marks = ", ".join([self.mark] * len(columns))
        update = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
        for row in {row.case_id: row for row in commit.cases}.values():
            self.execute(
                f"INSERT INTO {{s}}.cases ({CASE_COLUMNS_BEFORE_3}) VALUES ({marks}) "  # noqa: S608 (constant names)
                f"ON CONFLICT (case_id) DO UPDATE SET {update}",
                self.old_case_values(row),
            )

    def dump(self, *, keys: bool = True) -> dict[str, list[tuple[Any, ...]]]:
        """Return every row of the tables a store had before schema 3, as stored.

        The case index is read in its columns before schema 3; ``keys``: also the
        key and vault tables (schema 2), the keys in their columns before schema 4.
        """
        tables = {
            "events": (EVENT_COLUMNS, "position"),
            "cases": (CASE_COLUMNS_BEFORE_3, "case_id"),
            "audit": (AUDIT_COLUMNS, "id"),
        }
        if keys:
            tables["case_keys"] = (KEY_COLUMNS_BEFORE_4, "case_id")
            tables["identities"] = (IDENTITY_COLUMNS, "pseudonym")
        return {
            table: self.execute(f"SELECT {columns} FROM {{s}}.{table} ORDER BY {order}")  # noqa: S608 (constant names)
            for table, (columns, order) in tables.items()
        }


@pytest.fixture(name="backend", params=["sqlite", "postgres"])
def _backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "ssp.db"

        def execute_sqlite(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
            connection = sqlite3.connect(path)
            try:
                with connection:
                    return connection.execute(statement.format(s="main"), params).fetchall()
            finally:
                connection.close()

        yield Backend(
            "sqlite",
            lambda upgrade=False: open_store(f"sqlite:///{path}", upgrade=upgrade),
            lambda migrations, upgrade=False: SqliteStore(
                path, migrations=migrations, upgrade=upgrade
            ),
            SQLITE_MIGRATIONS,
            execute_sqlite,
            sqlite3.DatabaseError,
            "?",
            lambda row: case_params(row)[:-2],
            stored_time,
        )
        return
    import psycopg  # noqa: PLC0415 (only when a server answers)

    from ssp_core.store.postgres import POSTGRES_MIGRATIONS, PostgresStore  # noqa: PLC0415
    from ssp_core.store.postgres.rows import case_values  # noqa: PLC0415

    schemas: PostgresSchemas = request.getfixturevalue("postgres_store_factory")
    url = schemas.new_url()
    schema = schemas.schemas[-1]

    def execute_postgres(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(schemas.dsn, autocommit=True) as connection:
            query = statement.format(s=f'"{schema}"').encode()
            cursor = connection.execute(query, params or None)
            return cursor.fetchall() if cursor.description else []

    def open_postgres(upgrade: bool = False) -> CaseStore:
        store = open_store(url, upgrade=upgrade)
        schemas.stores.append(store)
        return store

    def open_postgres_with(migrations: Sequence[Migration], upgrade: bool = False) -> CaseStore:
        store = PostgresStore(schemas.dsn, schema=schema, migrations=migrations, upgrade=upgrade)
        schemas.stores.append(store)
        return store

    yield Backend(
        "postgres",
        open_postgres,
        open_postgres_with,
        POSTGRES_MIGRATIONS,
        execute_postgres,
        psycopg.DatabaseError,
        "%s",
        lambda row: case_values(row)[:-2],
        utc,
    )
