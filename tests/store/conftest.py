"""Where the store tests keep their data: SQLite files in tmp_path, PostgreSQL schemas.

PostgreSQL tests need a server: ``SSP_TEST_POSTGRES_DSN`` if set, else
``postgresql://postgres@127.0.0.1:5432/test``. When neither answers they are
skipped (never failed). Each test gets schemas of its own, ``ssp_test_<random hex>``,
dropped again at teardown.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator

import pytest

# The contract's asserts should explain themselves as a test module's do.
pytest.register_assert_rewrite("tests.store.contract")

from ssp_core.store import CaseStore, open_store  # noqa: E402
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
