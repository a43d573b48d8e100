"""Fixtures of the privacy proof tests: Aalborg's registry, a municipal key, both backends.

``backend`` runs a test once on SQLite (files in the test's tmp directory) and once
on PostgreSQL (fresh schemas, dropped at teardown). The PostgreSQL run needs a
server: ``SSP_TEST_POSTGRES_DSN`` if set, else ``postgresql://postgres@127.0.0.1:5432/test``;
when neither answers it is skipped, never failed. Its parameter id is ``postgres``,
so ``-k "not postgres"`` keeps a run fast. ``make_casework`` opens a
:class:`ssp_core.Casework` on the backend, with Aalborg's data, the virtual clock of
the root conftest (``clock``) and the test's key; it is closed at teardown.
"""

from __future__ import annotations

import contextlib
import pathlib
import sqlite3
import uuid
from collections.abc import Callable, Iterator

import pytest

import ssp_core
from ssp_core import Casework, MunicipalKey, Registry, VirtualClock
from tests.store.conftest import NO_POSTGRES, find_postgres_dsn

TABLES = ("events", "cases", "audit", "case_keys", "identities")
"""The tables of a store that may hold data about people."""


class Backend:
    """Hands out store URLs on one backend and reads back everything a store wrote."""

    def __init__(self, kind: str, directory: pathlib.Path, dsn: str | None = None) -> None:
        self.kind = kind
        self.directory = directory
        self.dsn = dsn
        self.schemas: list[str] = []
        self._count = 0

    def new_url(self) -> str:
        """Return the URL of a new, empty store."""
        self._count += 1
        if self.kind == "sqlite":
            return f"sqlite:///{self.directory / f'store-{self._count}.db'}"
        assert self.dsn is not None
        schema = f"ssp_test_{uuid.uuid4().hex}"
        self.schemas.append(schema)
        joiner = "&" if "?" in self.dsn else "?"
        return f"{self.dsn}{joiner}schema={schema}"

    def sqlite_files(self, url: str) -> list[pathlib.Path]:
        """Return the database file of an SQLite URL and its -wal and -shm files."""
        path = pathlib.Path(url.removeprefix("sqlite:///"))
        return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]

    def raw(self, url: str) -> bytes:
        """Return every byte the store at ``url`` holds: the files, or every row as text.

        SQLite: the database file, its -wal and its -shm file, as they are on disk.
        PostgreSQL: each row of the store's tables cast to text (binary columns as
        ``\\x`` hex), one a line.
        """
        if self.kind == "sqlite":
            return b"".join(f.read_bytes() for f in self.sqlite_files(url) if f.exists())
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        assert self.dsn is not None
        schema = url.rpartition("schema=")[2]
        lines: list[str] = []
        with psycopg.connect(self.dsn, connect_timeout=3) as connection:
            for table in TABLES:
                query = sql.SQL("SELECT t::text FROM {}.{} AS t").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
                lines.extend(row[0] for row in connection.execute(query))
        return "\n".join(lines).encode()

    def count(self, url: str, table: str) -> int:
        """Return the number of rows in one table of the store at ``url``."""
        assert table in TABLES
        if self.kind == "sqlite":
            path = self.sqlite_files(url)[0]
            with contextlib.closing(sqlite3.connect(path)) as connection:
                (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            return int(count)
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        assert self.dsn is not None
        schema = url.rpartition("schema=")[2]
        with psycopg.connect(self.dsn, connect_timeout=3) as connection:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            row = connection.execute(query).fetchone()
        assert row is not None
        return int(row[0])

    def cleanup(self) -> None:
        """Drop every PostgreSQL schema handed out."""
        if not self.schemas:
            return
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        assert self.dsn is not None
        with psycopg.connect(self.dsn, connect_timeout=3, autocommit=True) as connection:
            connection.execute("SET lock_timeout = '10s'")
            for schema in self.schemas:
                connection.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
        self.schemas.clear()


def holds(raw: bytes, needle: str | bytes) -> bool:
    """Tell whether ``raw`` holds ``needle``: as UTF-8, JSON-escaped, or as hex (PG bytea)."""
    data = needle.encode() if isinstance(needle, str) else needle
    forms = {data, data.hex().encode()}
    if isinstance(needle, str):
        escaped = needle.encode("ascii", "backslashreplace").decode("ascii")
        forms.add(escaped.replace("\\x", "\\u00").encode())
    return any(form in raw for form in forms)


@pytest.fixture(name="aalborg", scope="session")
def _aalborg() -> Registry:
    """The registry of the installed plugins: the built-ins and Aalborg Kommune's data."""
    registry = ssp_core.load_registry()
    assert "aalborg.mentor@1" in registry.workflows, "the ssp-aalborg plugin is not installed"
    return registry


@pytest.fixture(name="key")
def _key() -> MunicipalKey:
    return MunicipalKey.generate()


@pytest.fixture(name="backend", params=["sqlite", pytest.param("postgres", id="postgres")])
def _backend(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", tmp_path)
        return
    dsn = find_postgres_dsn()
    if dsn is None:
        pytest.skip(NO_POSTGRES)
    backend = Backend("postgres", tmp_path, dsn)
    yield backend
    backend.cleanup()


MakeCasework = Callable[..., Casework]


@pytest.fixture(name="make_casework")
def _make_casework(
    aalborg: Registry, backend: Backend, clock: VirtualClock, key: MunicipalKey
) -> Iterator[MakeCasework]:
    """``make_casework(url=None, key=None)``: a Casework on a store of the backend.

    Without ``url`` a new store; without ``key`` the test's key. Closed at teardown.
    """
    opened: list[Casework] = []
    default = key

    def make(*, url: str | None = None, key: MunicipalKey | None = None) -> Casework:
        casework = Casework(
            aalborg,
            store=url or backend.new_url(),
            key=key or default,
            clock=clock,
            ids=ssp_core.sequential_ids(),
        )
        opened.append(casework)
        return casework

    yield make
    for casework in opened:
        casework.close()
