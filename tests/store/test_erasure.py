"""Data keys and the identity vault in the SQL stores: schema 2, upgrades, and real erasure.

The contract (``contract.py``) holds every backend to the same answers; these tests
look under the store: the raw bytes of an SQLite file after an erasure, the triggers
that keep events append-only and keys unchanged, and the upgrade of a schema-1 store
(the ``backend`` fixture is in ``conftest.py``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import attrs
import pytest

from ssp_core.exceptions import DataError, SchemaError
from ssp_core.store import SCHEMA_VERSION, AuditAction, CaseQuery, CaseStore, Commit, open_store
from ssp_core.store.records import KeyRecord
from ssp_core.store.sqlite import SqliteStore
from tests.store.conftest import Backend, PostgresSchemas
from tests.store.contract import (
    T0,
    audit_entry,
    commit_of,
    identity_of,
    key_of,
    note,
    opened,
    row_of,
)

SHREDDED = bytes.fromhex("5ca1ab1e" * 2) + b"this key is to be shredded!!"[:24]
"""A distinctive 32-byte wrapped key: after erasure it must be nowhere in the files."""
SEALED = b"sealed identity of a person \x00\xff" * 3

assert len(SHREDDED) == 32


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def raw_bytes(path: Path) -> bytes:
    """Return the bytes of an SQLite store file and of its write-ahead log, if any."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def write_cases(store: CaseStore, count: int = 30) -> None:
    """Write cases with keys and vault entries around the one to be erased (c-shred, p-shred)."""
    for n in range(count):
        case_id = f"c-{n:03d}"
        store.append(
            attrs.evolve(
                commit_of(opened(case_id), note(case_id, 2, "x" * 300)),
                keys=[key_of(case_id, f"p-{n % 7}")],
                identities=[identity_of(f"p-{n % 7}")],
            )
        )
        if n == count // 2:
            store.append(
                attrs.evolve(
                    commit_of(opened("c-shred")),
                    keys=[KeyRecord("c-shred", SHREDDED, "p-shred", T0)],
                    identities=[attrs.evolve(identity_of("p-shred"), sealed=SEALED)],
                )
            )


ERASED = [audit_entry(T0, case_id="c-shred", action=AuditAction.ERASE)]


# -- SQLite: erased bytes are gone from the file and its log ----------------------------------


def test_erased_keys_and_entries_are_gone_from_the_sqlite_files(tmp_path: Path) -> None:
    path = tmp_path / "ssp.db"
    with open_store(url_of(path)) as store:
        write_cases(store)
        assert SHREDDED in raw_bytes(path)  # the test can see them before
        assert SEALED[:30] in raw_bytes(path)
        store.erase(["c-shred"], ["p-shred"], ERASED)
        data = raw_bytes(path)
        assert SHREDDED not in data
        assert SEALED[:30] not in data
        assert store.read_keys(["c-shred"]) == {}
        assert len(store.read_keys([f"c-{n:03d}" for n in range(30)])) == 30
        assert store.read_case("c-shred") != []
    assert SHREDDED not in raw_bytes(path)


def test_an_erasure_commits_while_a_reader_holds_back_the_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "ssp.db"
    with open_store(url_of(path)) as store:
        write_cases(store, count=4)
        reader = sqlite3.connect(path, isolation_level=None)
        try:
            reader.execute("BEGIN")
            assert reader.execute("SELECT count(*) FROM case_keys").fetchone() == (5,)
            started = time.monotonic()
            store.erase(["c-shred"], ["p-shred"], ERASED)  # the checkpoint is busy: no error
            assert time.monotonic() - started < 5  # nor a wait for the store's whole timeout
            assert store.read_keys(["c-shred"]) == {}
            assert reader.execute("SELECT count(*) FROM case_keys").fetchone() == (5,)
        finally:
            reader.close()
        store.erase([], [], [])  # a later erasure checkpoints what the first could not
        assert SHREDDED not in raw_bytes(path)


def test_every_sqlite_connection_deletes_securely(tmp_path: Path) -> None:
    store = open_store(url_of(tmp_path / "ssp.db"))
    assert isinstance(store, SqliteStore)
    found: list[int] = []

    def look() -> None:
        found.append(store._conn().execute("PRAGMA secure_delete").fetchone()[0])

    try:
        look()
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
    finally:
        store.close()
    assert found == [1, 1]


def test_sqlite_keeps_key_times_as_utc_text_like_the_other_tables(tmp_path: Path) -> None:
    path = tmp_path / "ssp.db"
    with open_store(url_of(path)) as store:
        store.append(attrs.evolve(commit_of(opened("c-1")), keys=[key_of("c-1")]))
        store.put_identity(identity_of("p-1"), [])
    connection = sqlite3.connect(path)
    try:
        times = connection.execute(
            "SELECT (SELECT at FROM events), (SELECT created_at FROM case_keys), "
            "(SELECT created_at FROM identities)"
        ).fetchone()
        kinds = connection.execute(
            "SELECT typeof(wrapped) FROM case_keys UNION ALL SELECT typeof(sealed) FROM identities"
        ).fetchall()
    finally:
        connection.close()
    assert times == ("2026-03-02T09:00:00.123456+00:00",) * 3
    assert kinds == [("blob",), ("blob",)]


def test_no_index_of_the_sqlite_events_table_holds_event_data(tmp_path: Path) -> None:
    """The events are indexed by case and version, and by actor and time: never by data."""
    path = tmp_path / "ssp.db"
    open_store(url_of(path)).close()
    connection = sqlite3.connect(path)
    try:
        indexes = {
            row[1]: [column[2] for column in connection.execute(f"PRAGMA index_info({row[1]})")]
            for row in connection.execute("PRAGMA index_list(events)")
        }
        keyed = {row[1] for row in connection.execute("PRAGMA index_list(case_keys)")}
    finally:
        connection.close()
    assert indexes == {
        "sqlite_autoindex_events_1": ["case_id", "version"],
        "events_actor": ["actor", "at"],
    }
    assert "case_keys_subject" in keyed


# -- both SQL backends: raw access, triggers and upgrades --------------------------------------


def test_a_schema_1_store_is_refused_until_upgraded_and_keeps_its_data(backend: Backend) -> None:
    old = backend.open_old(1)
    assert old.schema_version() == 1
    backend.write_old(
        old, commit_of(opened("c-1"), note("c-1", 2), audit=[audit_entry(T0, case_id="c-1")])
    )
    old.record_audit([audit_entry(T0, action=AuditAction.SEARCH, detail="all")])
    log = old.read_log()
    before = backend.dump(keys=False)
    old.close()

    with pytest.raises(SchemaError, match="older") as refused:
        backend.open()
    assert "run `ssp store upgrade`" in str(refused.value)
    assert backend.dump(keys=False) == before

    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION >= 3
    assert store.upgrade() == ()
    assert backend.dump(keys=False) == before
    assert store.read_log() == log
    assert store.find_cases(CaseQuery()) == [row_of([opened("c-1"), note("c-1", 2)])]
    assert store.read_keys(["c-1"]) == {}
    store.rewrite_event_data([("c-1", 2, '{"sealed": 1}')], [key_of("c-1")], [])
    store.append(attrs.evolve(commit_of(opened("c-2")), keys=[key_of("c-2")]))
    assert store.subject_cases("p-1") == ["c-1", "c-2"]
    recorded = backend.execute("SELECT version FROM {s}.ssp_schema ORDER BY version")
    assert recorded == [(version,) for version in range(1, SCHEMA_VERSION + 1)]


def test_upgrade_brings_an_open_schema_1_store_to_the_latest(backend: Backend) -> None:
    backend.open_old(1).close()
    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION
    assert backend.execute("SELECT count(*) FROM {s}.case_keys") == [(0,)]
    assert backend.execute("SELECT count(*) FROM {s}.identities") == [(0,)]
    assert backend.execute("SELECT count(municipality) FROM {s}.cases") == [(0,)]


def test_events_stay_append_only_after_a_rewrite(backend: Backend) -> None:
    store = backend.open()
    store.append(commit_of(opened("c-1"), note("c-1", 2)))
    store.rewrite_event_data([("c-1", 2, '{"sealed": 1}')], [key_of("c-1")], [])
    with pytest.raises(DataError):
        store.rewrite_event_data([("c-1", 3, "{}")], [], [])
    with pytest.raises(backend.error, match="append-only"):
        backend.execute("UPDATE {s}.events SET data = '{{}}'")
    with pytest.raises(backend.error, match="append-only"):
        backend.execute("DELETE FROM {s}.events")
    assert [e.data for e in store.read_case("c-1")][1] == '{"sealed": 1}'


def test_a_key_row_is_never_updated_but_can_be_deleted(backend: Backend) -> None:
    store = backend.open()
    store.append(Commit(keys=[key_of("c-1"), key_of("c-2")], identities=[identity_of("p-1")]))
    with pytest.raises(backend.error, match="never updated"):
        backend.execute("UPDATE {s}.case_keys SET subject = 'p-2'")
    assert store.read_keys(["c-1"]) == {"c-1": key_of("c-1")}
    backend.execute("DELETE FROM {s}.case_keys WHERE case_id = 'c-1'")
    backend.execute("UPDATE {s}.identities SET sealed = sealed")
    assert store.read_keys(["c-1", "c-2"]) == {"c-2": key_of("c-2")}


def test_postgres_rewrite_leaves_the_append_only_trigger_enabled(
    postgres_store_factory: PostgresSchemas,
) -> None:
    import psycopg  # noqa: PLC0415

    store = postgres_store_factory.open()
    schema = postgres_store_factory.schemas[-1]
    store.append(commit_of(opened("c-1")))
    store.rewrite_event_data([("c-1", 1, "{}")], [], [])
    with psycopg.connect(postgres_store_factory.dsn, autocommit=True) as connection:
        triggers = connection.execute(
            "SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = 'events' AND NOT t.tgisinternal ORDER BY 1",
            (schema,),
        ).fetchall()
        indexes = connection.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = 'events' "
            "ORDER BY 1",
            (schema,),
        ).fetchall()
    assert triggers == [
        ("events_append_only", "O"),
        ("events_append_only_truncate", "O"),
        ("events_opening_counted", "O"),
    ]
    assert indexes == [("events_actor",), ("events_case_id_version_key",), ("events_pkey",)]
