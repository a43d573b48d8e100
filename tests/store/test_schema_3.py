"""Schema 3 in the SQL stores: the municipality column, its index, and the upgrade to it.

A schema-2 store is written the way the library of schema 2 wrote it (the ``backend``
fixture of ``conftest.py``). Upgrading it keeps every row of every table as it was
and gives its index rows no municipality, which
:meth:`~ssp_core.store.base.CaseStore.set_municipality` then fills where none is. A
failing upgrade changes nothing; upgraders racing each other apply it once.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import attrs
import pytest

from ssp_core.domain.events import CaseEvent
from ssp_core.exceptions import SchemaError, StoreError
from ssp_core.store import SCHEMA_VERSION, AuditAction, CaseQuery, CaseStore, Migration, open_store
from ssp_core.store.sql import case_where
from tests.store.conftest import Backend, PostgresSchemas
from tests.store.contract import (
    AALBORG,
    HJORRING,
    MARCH,
    ROUND_TRIP_TEXT,
    T0,
    THISTED,
    assigned,
    audit_entry,
    commit_of,
    identity_of,
    key_of,
    moved,
    note,
    opened,
    row_of,
)

OLD_HISTORIES: dict[str, list[CaseEvent]] = {
    "c-1": [opened("c-1", due=MARCH[9]), note("c-1", 2, ROUND_TRIP_TEXT)],
    "c-2": [opened("c-2"), assigned("c-2", 2, "bo"), moved("c-2", 3, "closed")],
    "sag-æøå-🙂": [opened("sag-æøå-🙂", actor="Åse Ærø 🙂")],
    "a-1": [opened("a-1", workflow="sample.adult", due=MARCH[4])],
}
"""Cases written by the library of schema 2: three of sample.young, one of sample.adult."""


def write_schema_2_store(backend: Backend) -> None:
    """Write the old histories into a new schema-2 store, with keys, vault entries and reads."""
    old = backend.open_old(2)
    assert old.schema_version() == 2
    for n, (case_id, events) in enumerate(OLD_HISTORIES.items()):
        commit = commit_of(*events, audit=[audit_entry(T0, case_id=case_id)])
        keyed = attrs.evolve(commit, keys=[key_of(case_id, f"p-{n % 2}")])
        backend.write_old(old, attrs.evolve(keyed, identities=[identity_of(f"p-{n % 2}")]))
    old.record_audit([audit_entry(T0, action=AuditAction.SEARCH, detail="all")])
    old.close()


ALL_VERSIONS = [(version,) for version in range(1, SCHEMA_VERSION + 1)]
"""The versions an upgraded store records: every migration of the library's schema."""


def municipalities(backend: Backend) -> dict[str, str | None]:
    return dict(backend.execute("SELECT case_id, municipality FROM {s}.cases ORDER BY case_id"))


def recorded_versions(backend: Backend) -> list[tuple[int]]:
    return [
        (int(row[0]),)
        for row in backend.execute("SELECT version FROM {s}.ssp_schema ORDER BY version")
    ]


def test_a_schema_2_store_is_refused_until_upgraded(backend: Backend) -> None:
    write_schema_2_store(backend)
    before = backend.dump()
    with pytest.raises(SchemaError, match="older") as refused:
        backend.open()
    message = str(refused.value)
    assert "schema version 2" in message
    assert f"this library's {SCHEMA_VERSION}" in message
    assert "run `ssp store upgrade`" in message
    assert backend.dump() == before
    assert recorded_versions(backend) == [(1,), (2,)]


def test_upgrading_a_schema_2_store_keeps_every_row_and_gives_no_municipality(
    backend: Backend,
) -> None:
    write_schema_2_store(backend)
    old = backend.open_old(2)
    log = old.read_log()
    old.close()
    # As written (the library of schema 2 had no key_id: read back, the rows name no key).
    keys = {case_id: key_of(case_id, f"p-{n % 2}") for n, case_id in enumerate(OLD_HISTORIES)}
    before = backend.dump()
    assert len(before["events"]) == 7
    assert len(before["cases"]) == 4

    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION >= 3
    assert store.upgrade() == ()
    assert recorded_versions(backend) == ALL_VERSIONS
    assert backend.dump() == before  # every row of every table, as stored
    assert municipalities(backend) == dict.fromkeys(sorted(OLD_HISTORIES))
    assert store.read_log() == log
    assert store.read_keys(OLD_HISTORIES) == keys
    assert store.read_identity("p-1") == identity_of("p-1")
    for case_id, events in OLD_HISTORIES.items():
        assert store.case_row(case_id) == row_of(events)
    assert store.find_cases(CaseQuery(municipalities={AALBORG})) == []


def test_the_backfill_after_the_upgrade_fills_only_where_none_is(backend: Backend) -> None:
    write_schema_2_store(backend)
    store = backend.open(upgrade=True)
    # Cases opened after the upgrade name their municipality (one of them another one).
    new = [opened("n-1", municipality=HJORRING), opened("n-2", municipality=AALBORG)]
    store.append(commit_of(*new))
    before = backend.dump()

    assert store.set_municipality("sample.young", AALBORG) == 3
    assert store.set_municipality("sample.young", AALBORG) == 0
    assert store.set_municipality("sample.young", THISTED) == 0
    assert municipalities(backend) == {
        "a-1": None,
        "c-1": AALBORG,
        "c-2": AALBORG,
        "n-1": HJORRING,
        "n-2": AALBORG,
        "sag-æøå-🙂": AALBORG,
    }
    assert store.set_municipality("sample.adult", THISTED) == 1
    assert backend.dump() == before  # nothing but the municipality changed
    found = store.find_cases(CaseQuery(municipalities={AALBORG}, open_only=True))
    assert [row.case_id for row in found] == ["c-1", "n-2", "sag-æøå-🙂"]
    # Later writes of an old case keep the municipality filled in.
    later = note("c-1", 3)
    store.append(commit_of(later, history=OLD_HISTORIES))
    expected = attrs.evolve(row_of([*OLD_HISTORIES["c-1"], later]), municipality=AALBORG)
    assert store.case_row("c-1") == expected


def test_a_failing_upgrade_changes_nothing(backend: Backend) -> None:
    write_schema_2_store(backend)
    before = backend.dump()
    third = backend.migrations[2]
    assert third.version == 3
    broken = Migration(3, third.description, (*third.statements, "SELECT no_such_function()"))
    with pytest.raises(StoreError):
        backend.open_with((*backend.migrations[:2], broken), upgrade=True)
    assert backend.dump() == before
    assert recorded_versions(backend) == [(1,), (2,)]
    with pytest.raises(backend.error, match="municipality"):
        backend.execute("SELECT municipality FROM {s}.cases")
    if backend.name == "sqlite":
        assert backend.execute("PRAGMA user_version") == [(2,)]
    # The real upgrade then goes through.
    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION
    assert backend.dump() == before


def test_upgraders_racing_each_other_upgrade_once(backend: Backend) -> None:
    write_schema_2_store(backend)
    before = backend.dump()
    start = threading.Barrier(4)
    opened_stores: list[CaseStore] = []
    failures: list[BaseException] = []

    def upgrade() -> None:
        start.wait()
        try:
            opened_stores.append(backend.open(upgrade=True))
        except BaseException as exc:  # noqa: BLE001 (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [store.schema_version() for store in opened_stores] == [SCHEMA_VERSION] * 4
    assert recorded_versions(backend) == ALL_VERSIONS
    assert backend.dump() == before
    for store in opened_stores:
        store.close()


# -- the index of municipalities -------------------------------------------------------------


@pytest.mark.parametrize(
    "chosen", [{AALBORG}, {AALBORG, HJORRING}], ids=["one municipality", "two"]
)
def test_sqlite_finds_the_cases_of_municipalities_by_their_index(
    tmp_path: Path, chosen: set[str]
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        conn = store._conn()  # type: ignore[attr-defined]
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        store.find_cases(CaseQuery(municipalities=chosen, open_only=True))
        conn.set_trace_callback(None)
        (search,) = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
        plan = " ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {search}"))
    finally:
        store.close()
    assert "municipality IN" in search
    assert "USING INDEX cases_municipality" in plan, plan


def test_postgres_can_find_the_cases_of_a_municipality_by_their_index(
    postgres_store_factory: PostgresSchemas,
) -> None:
    import psycopg  # noqa: PLC0415

    from ssp_core.store.postgres.statements import Statements  # noqa: PLC0415

    store = postgres_store_factory.open()
    schema = postgres_store_factory.schemas[-1]
    store.append(commit_of(*(opened(f"c-{n}", municipality=AALBORG) for n in range(20))))
    where, params = case_where(CaseQuery(municipalities={AALBORG}), mark="%s")
    search = Statements(schema).find_cases.format(where=where)
    with psycopg.connect(postgres_store_factory.dsn, autocommit=True) as connection:
        definition = connection.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
            (schema, "cases_municipality"),
        ).fetchone()
        # A small table is scanned whole; without that choice the index must serve.
        connection.execute("SET enable_seqscan = off")
        plan = connection.execute(f"EXPLAIN {search}".encode(), [*params, 5]).fetchall()
    assert definition is not None
    assert "(municipality, COALESCE(next_due, '9999-12-31'::date), case_id)" in definition[0]
    assert "cases_municipality" in " ".join(str(row[0]) for row in plan)


def test_sqlite_stores_the_municipality_as_text_or_null(tmp_path: Path) -> None:
    path = tmp_path / "ssp.db"
    with open_store(f"sqlite:///{path}") as store:
        store.append(commit_of(opened("c-1", municipality=AALBORG), opened("c-2")))
    connection = sqlite3.connect(path)
    try:
        kinds = connection.execute(
            "SELECT case_id, typeof(municipality) FROM cases ORDER BY case_id"
        ).fetchall()
    finally:
        connection.close()
    assert kinds == [("c-1", "text"), ("c-2", "null")]
