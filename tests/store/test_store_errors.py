"""Bad input to a store: each is a clear error, and nothing is changed.

Corrupt and foreign files, schemas too new or too old, paths and URLs that lead
nowhere, servers that do not answer, unknown cases and stale versions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ssp_core
from ssp_core.exceptions import (
    AccessDenied,
    ConcurrencyError,
    DataError,
    SchemaError,
    StoreUnavailable,
)
from ssp_core.store import SCHEMA_VERSION, CaseQuery, CaseStore, Commit, Migration, open_store
from ssp_core.store.codec import codec
from ssp_core.store.records import AuditAction
from ssp_core.store.sqlite import SQLITE_MIGRATIONS, SqliteStore
from tests.store.conftest import PostgresSchemas
from tests.store.contract import T0, audit_entry, commit_of, note, opened, snapshot

CONSULTANT = ssp_core.Actor("anne", "sample.consultant")
TEACHER = ssp_core.Actor("dan", "sample.teacher")
NEXT = SCHEMA_VERSION + 1
EXTRA = Migration(NEXT, "test", ("CREATE TABLE extra (x INTEGER)",))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def names(directory: Path) -> list[str]:
    return sorted(entry.name for entry in directory.iterdir())


def write_a_store(path: Path) -> None:
    with open_store(url_of(path)) as store:
        store.append(commit_of(opened("c-1"), audit=[audit_entry(T0, case_id="c-1")]))


def set_user_version(path: Path, version: int) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA user_version = {version}")
        connection.commit()
    finally:
        connection.close()


# -- files that are not (usable) ssp stores -----------------------------------------------------


def a_store_cut_short(tmp_path: Path) -> bytes:
    source = tmp_path / "source" / "ssp.db"
    source.parent.mkdir()
    write_a_store(source)
    data = source.read_bytes()
    return data[: len(data) // 2]


CORRUPT: dict[str, Callable[[Path], bytes]] = {
    "random bytes": lambda _: random.Random(7).randbytes(16384),
    "text": lambda _: "not a database, just some text: æøå\n".encode() * 50,
    "sqlite header then garbage": lambda _: b"SQLite format 3\x00" + b"\xff" * 4080,
    "a store cut short": a_store_cut_short,
}


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_a_corrupt_file_is_refused_and_left_as_it_was(tmp_path: Path, kind: str) -> None:
    content = CORRUPT[kind](tmp_path)
    directory = tmp_path / "here"
    directory.mkdir()
    path = directory / "corrupt.db"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(SchemaError, match="is not an ssp store") as refused:
        open_store(url_of(path))
    assert str(path) in str(refused.value)
    assert digest(path) == before
    assert names(directory) == ["corrupt.db"]  # no -wal, -shm or -journal beside it


@pytest.mark.parametrize("upgrade", [False, True])
def test_a_foreign_sqlite_database_is_refused_and_left_as_it_was(
    tmp_path: Path, upgrade: bool
) -> None:
    path = tmp_path / "foreign.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE foo (x INTEGER)")
    connection.execute("INSERT INTO foo VALUES (42)")
    connection.commit()
    connection.close()
    before = digest(path)
    with pytest.raises(SchemaError, match="not an ssp store"):
        open_store(url_of(path), upgrade=upgrade)
    assert digest(path) == before
    assert names(tmp_path) == ["foreign.db"]
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT x FROM foo").fetchall() == [(42,)]
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        connection.close()


@pytest.mark.parametrize("upgrade", [False, True])
def test_a_newer_schema_is_refused(tmp_path: Path, upgrade: bool) -> None:
    path = tmp_path / "ssp.db"
    write_a_store(path)
    set_user_version(path, 99)
    before = digest(path)
    with pytest.raises(SchemaError, match="newer") as refused:
        open_store(url_of(path), upgrade=upgrade)
    assert "99" in str(refused.value)
    assert digest(path) == before


def test_an_older_schema_is_refused_until_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "ssp.db"
    write_a_store(path)
    migrations = (*SQLITE_MIGRATIONS, EXTRA)
    before = digest(path)
    with pytest.raises(SchemaError, match="older") as refused:
        SqliteStore(path, migrations=migrations)
    assert "run `ssp store upgrade`" in str(refused.value)
    assert digest(path) == before
    with open_store(url_of(path)) as store:
        assert store.schema_version() == SCHEMA_VERSION

    with SqliteStore(path, migrations=migrations, upgrade=True) as store:
        assert store.schema_version() == NEXT
        assert store.upgrade() == ()
        assert [codec.decode(event) for event in store.read_case("c-1")] == [opened("c-1")]
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT count(*) FROM extra").fetchone() == (0,)
        recorded = connection.execute("SELECT version, description FROM ssp_schema ORDER BY 1")
        assert recorded.fetchall() == [
            *((m.version, m.description) for m in SQLITE_MIGRATIONS),
            (NEXT, "test"),
        ]
    finally:
        connection.close()
    # This library knows only its versions: the upgraded file is now too new for it.
    with pytest.raises(SchemaError, match="newer"):
        open_store(url_of(path))


def test_upgrade_applies_what_is_missing_on_an_open_store(tmp_path: Path) -> None:
    path = tmp_path / "ssp.db"
    write_a_store(path)
    set_user_version(path, SCHEMA_VERSION)
    with SqliteStore(path) as store:
        assert store.upgrade() == ()
    with SqliteStore(path, migrations=(*SQLITE_MIGRATIONS, EXTRA), upgrade=True) as store:
        assert store.upgrade() == ()
        assert store.schema_version() == NEXT


# -- paths and URLs that lead nowhere -----------------------------------------------------------


def test_a_directory_that_does_not_exist_is_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "deeper"
    with pytest.raises(StoreUnavailable, match="does not exist"):
        open_store(url_of(missing / "ssp.db"))
    assert not missing.exists()
    assert names(tmp_path) == []


def test_a_relative_path_meant_as_absolute_gets_the_four_slashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    top = tmp_path.parts[1]  # e.g. tmp: a folder at the root, not in the working folder
    rest = "/".join(tmp_path.parts[2:])
    with pytest.raises(StoreUnavailable) as caught:
        open_store(f"sqlite:///{top}/{rest}/nope/x.db")
    assert str(caught.value) == (
        f"cannot open store sqlite:///{top}/{rest}/nope/x.db: directory {top}/{rest}/nope does "
        "not exist (a path after sqlite:/// is relative to the current folder; for "
        f"/{top}/{rest}/nope/x.db write sqlite:////{top}/{rest}/nope/x.db)"
    )
    with pytest.raises(StoreUnavailable) as caught:
        open_store("sqlite:///no_such_top_folder/x.db")
    assert str(caught.value).endswith("directory no_such_top_folder does not exist")
    assert names(tmp_path) == []


def test_a_directory_is_not_a_store_file(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="is a directory"):
        open_store(url_of(tmp_path))


@pytest.mark.parametrize(
    "url",
    ["mysql://u:secretpw@host/db", "ftp://host/file", "nonsense", "sqlite://", "sqlite://ssp.db"],
)
def test_an_unusable_url_is_a_data_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(DataError) as refused:
        open_store(url)
    assert "secretpw" not in str(refused.value)
    assert "sqlite:///" in str(refused.value)  # the message shows a URL that works


def test_an_unreachable_postgresql_server_is_unavailable_quickly() -> None:
    pytest.importorskip("psycopg")
    url = "postgresql://postgres:secretpw@127.0.0.1:1/test"
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as refused:
        open_store(url)
    assert time.monotonic() - started < 5
    assert "127.0.0.1" in str(refused.value)
    chain: list[BaseException] = []
    error: BaseException | None = refused.value
    while error is not None and len(chain) < 10:
        chain.append(error)
        error = error.__cause__ or error.__context__
    for each in chain:
        assert "secretpw" not in str(each)
        assert "secretpw" not in repr(each.args)


# -- PostgreSQL schemas that are not (usable) ssp stores --------------------------------------


def test_a_foreign_postgresql_schema_is_refused_and_left_as_it_was(
    postgres_store_factory: PostgresSchemas,
) -> None:
    import psycopg  # noqa: PLC0415 (only when a server answers)
    from psycopg import sql  # noqa: PLC0415

    url = postgres_store_factory.new_url()
    schema = sql.Identifier(postgres_store_factory.schemas[-1])
    with psycopg.connect(postgres_store_factory.dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        connection.execute(sql.SQL("CREATE TABLE {}.foo (x INTEGER)").format(schema))
        connection.execute(sql.SQL("INSERT INTO {}.foo VALUES (42)").format(schema))
    with pytest.raises(SchemaError, match="not an ssp store"):
        open_store(url)
    with psycopg.connect(postgres_store_factory.dsn, autocommit=True) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (postgres_store_factory.schemas[-1],),
        ).fetchall()
        assert tables == [("foo",)]
        found = connection.execute(sql.SQL("SELECT x FROM {}.foo").format(schema)).fetchall()
        assert found == [(42,)]


def test_a_newer_postgresql_schema_is_refused(postgres_store_factory: PostgresSchemas) -> None:
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    url = postgres_store_factory.new_url()
    store = postgres_store_factory.open(url)
    store.append(commit_of(opened("c-1")))
    store.close()
    schema = sql.Identifier(postgres_store_factory.schemas[-1])
    with psycopg.connect(postgres_store_factory.dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL(
                "INSERT INTO {}.ssp_schema (version, description, applied_at) "
                "VALUES (99, 'from the future', now())"
            ).format(schema)
        )
    for upgrade in (False, True):
        with pytest.raises(SchemaError, match="newer") as refused:
            open_store(url, upgrade=upgrade)
        assert "99" in str(refused.value)


# -- unknown cases and stale versions, on every backend -----------------------------------------


@pytest.fixture(name="any_store", params=["memory", "sqlite", "postgres"])
def _any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CaseStore]:
    if request.param == "postgres":
        schemas: PostgresSchemas = request.getfixturevalue("postgres_store_factory")
        yield schemas.open()
        return
    url = "memory://" if request.param == "memory" else url_of(tmp_path / "ssp.db")
    with open_store(url) as store:
        yield store


@pytest.fixture(name="casework")
def _casework(
    registry: ssp_core.Registry, clock: ssp_core.VirtualClock, any_store: CaseStore
) -> ssp_core.Casework:
    return ssp_core.Casework(
        registry,
        store=any_store,
        key=ssp_core.MunicipalKey.generate(),
        clock=clock,
        ids=ssp_core.sequential_ids("T-"),
    )


def open_a_case(casework: ssp_core.Casework, clock: ssp_core.VirtualClock) -> str:
    today = clock.now().date()
    subject = ssp_core.Subject("b" * 32, today.replace(year=today.year - 15))
    case = casework.open_concern(
        situation="sample.worry", subject=subject, concern_date=today, actor=TEACHER
    )
    clock.advance(dt.timedelta(hours=1))
    casework.fire(case.id, "assess", CONSULTANT)
    return case.id


def test_item_10_an_unknown_case_is_refused_like_a_hidden_one_audited_and_nothing_written(
    casework: ssp_core.Casework, clock: ssp_core.VirtualClock, any_store: CaseStore
) -> None:
    known = open_a_case(casework, clock)
    before = snapshot(any_store, [known, "T-9999"])
    assert before["max_position"] == 2
    unseen = "may not .*: there is no such case, or it is not one this role may reach"
    for attempt in (
        lambda: casework.fire("T-9999", "assess", CONSULTANT),
        lambda: casework.add_note("T-9999", "a note", CONSULTANT),
        lambda: casework.case("T-9999", CONSULTANT, purpose="casework"),
        lambda: casework.load_cases([known, "T-9999"], CONSULTANT, purpose="casework"),
    ):
        with pytest.raises(AccessDenied, match=unseen) as refused:
            attempt()
        assert "T-9999" not in str(refused.value)
    assert any_store.max_position() == 2
    after = snapshot(any_store, [known, "T-9999"])
    new_audit = after.pop("audit")[len(before.pop("audit")) :]  # type: ignore[arg-type]
    assert after == before
    assert [(e.action, e.case_id, e.detail) for e in new_audit] == [
        (AuditAction.DENIED, None, f"{op}: no such case")
        for op in ("case.fire", "case.note", "case.read", "case.read")
    ]


def test_a_stale_version_is_refused_and_nothing_is_written(
    casework: ssp_core.Casework, clock: ssp_core.VirtualClock, any_store: CaseStore
) -> None:
    case_id = open_a_case(casework, clock)
    case = casework.case(case_id, CONSULTANT, purpose="casework")
    before = snapshot(any_store, [case_id])
    row = any_store.case_row(case_id)
    assert row is not None
    stale = Commit(
        events=[codec.encode(note(case_id, 2, "written by someone who loaded version 1"))],
        cases=[row],
        audit=[audit_entry(T0, case_id=case_id, detail="NoteAdded")],
    )
    with pytest.raises(ConcurrencyError) as refused:
        any_store.append(stale)
    assert (refused.value.case_id, refused.value.version) == (case_id, 2)
    assert f"case {case_id}" in str(refused.value)
    assert snapshot(any_store, [case_id]) == before
    assert casework.case(case_id, CONSULTANT, purpose="casework").events == case.events


# -- the history cannot be rewritten in place -----------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = '{}'",
        "DELETE FROM events",
        "UPDATE audit SET actor = 'someone else'",
        "DELETE FROM audit",
    ],
)
def test_events_and_audit_are_append_only_in_sqlite(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "ssp.db"
    write_a_store(path)
    with open_store(url_of(path)) as store:
        before = snapshot(store, ["c-1"])
    connection = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute(statement)
        connection.rollback()
    finally:
        connection.close()
    with open_store(url_of(path)) as store:
        assert snapshot(store, ["c-1"]) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {s}.events SET data = '{{}}'",
        "DELETE FROM {s}.events",
        "TRUNCATE {s}.events",
        "UPDATE {s}.audit SET actor = 'someone else'",
        "DELETE FROM {s}.audit",
    ],
)
def test_events_and_audit_are_append_only_in_postgresql(
    postgres_store_factory: PostgresSchemas, statement: str
) -> None:
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    store = postgres_store_factory.open()
    schema = sql.Identifier(postgres_store_factory.schemas[-1])
    store.append(commit_of(opened("c-1"), audit=[audit_entry(T0, case_id="c-1")]))
    before = snapshot(store, ["c-1"])
    with (
        psycopg.connect(postgres_store_factory.dsn, autocommit=True) as connection,
        pytest.raises(psycopg.DatabaseError, match="append-only"),
    ):
        connection.execute(sql.SQL(statement).format(s=schema))
    assert snapshot(store, ["c-1"]) == before


def test_open_cases_past_their_deadline_are_one_indexed_query(tmp_path: Path) -> None:
    """The overdue search the store runs reads the partial index of due dates."""
    store = open_store(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        conn = store._conn()  # type: ignore[attr-defined]
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        store.find_cases(CaseQuery(due_before=dt.date(2026, 3, 5)))
        conn.set_trace_callback(None)
        (search,) = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
        plan = " ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {search}"))
    finally:
        store.close()
    assert "'9999-12-31') <" in search
    assert "USING INDEX cases_due" in plan, plan
