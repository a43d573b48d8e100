"""Schema 6 in the SQL stores: each case's opener, the case count, and the list indexes.

A schema-5 store is written the way the library of schema 5 wrote it (index rows
without ``opened_by``). Upgrading it fills each row's opener from the case's opening
event, counts the cases it holds, and keeps every other row as it was; an actor's own
cases are then found through the index, and a failing upgrade changes nothing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import attrs
import pytest

from ssp_core.exceptions import StoreError
from ssp_core.store import SCHEMA_VERSION, CaseCursor, CaseQuery, Migration, open_store
from ssp_core.store.sql import case_where
from tests.store.conftest import Backend, PostgresSchemas
from tests.store.contract import AALBORG, commit_of, moved, note, opened

OPENERS = {"c-1": "anne", "c-2": "bo", "c-3": "anne", "c-4": "dan"}
"""Cases written by the library of schema 5, with the actor who opened each."""


def write_schema_5_store(backend: Backend) -> None:
    """Write cases opened by several actors into a new schema-5 store."""
    old = backend.open_old(5)
    assert old.schema_version() == 5
    for case_id, actor in OPENERS.items():
        backend.write_old(
            old,
            commit_of(
                opened(case_id, actor=actor, municipality=AALBORG, due=dt.date(2026, 3, 9)),
                note(case_id, 2),
            ),
        )
    old.close()


def test_upgrading_a_schema_5_store_fills_each_opener_and_counts_the_cases(
    backend: Backend,
) -> None:
    write_schema_5_store(backend)
    before = backend.dump()
    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION >= 6
    assert backend.dump() == before  # every row as it was, in the columns it had
    rows = {row.case_id: row.opened_by for row in store.find_cases(CaseQuery())}
    assert rows == OPENERS
    assert store.count_cases() == len(OPENERS)
    mine = store.find_cases(CaseQuery(involving="anne"))
    assert [row.case_id for row in mine] == ["c-1", "c-3"]
    # The count follows new cases; a row rewritten without an opener keeps the stored one.
    history = {"c-1": [opened("c-1", actor="anne", municipality=AALBORG), note("c-1", 2)]}
    commit = commit_of(opened("c-5", actor="eva"), moved("c-1", 3, "assessment"), history=history)
    rows_without_opener = [attrs.evolve(row, opened_by=None) for row in commit.cases]
    store.append(attrs.evolve(commit, cases=rows_without_opener))
    assert store.count_cases() == len(OPENERS) + 1
    assert store.case_row("c-5").opened_by is None  # type: ignore[union-attr]
    assert store.case_row("c-1").opened_by == "anne"  # type: ignore[union-attr]


def test_a_failing_upgrade_to_schema_6_changes_nothing(backend: Backend) -> None:
    write_schema_5_store(backend)
    before = backend.dump()
    sixth = backend.migrations[5]
    assert sixth.version == 6
    broken = Migration(6, sixth.description, (*sixth.statements, "SELECT no_such_function()"))
    with pytest.raises(StoreError):
        backend.open_with((*backend.migrations[:5], broken), upgrade=True)
    assert backend.dump() == before
    with pytest.raises(backend.error, match="opened_by"):
        backend.execute("SELECT opened_by FROM {s}.cases")
    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.count_cases() == len(OPENERS)


def plan_of(path: Path, query: CaseQuery) -> str:
    """Return SQLite's plan of the statement a new store at ``path`` runs for ``query``."""
    store = open_store(f"sqlite:///{path}")
    try:
        conn = store._conn()  # type: ignore[attr-defined]
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        store.find_cases(query)
        conn.set_trace_callback(None)
        (search,) = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    finally:
        store.close()
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {search}").fetchall()
    finally:
        connection.close()
    return " ".join(str(row[-1]) for row in rows) + " "


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (CaseQuery(limit=50), "cases_order"),
        (CaseQuery(workflow="sample.young", limit=50), "cases_workflow"),
        (CaseQuery(workflow="sample.young", state="received", limit=50), "cases_workflow_state"),
        (CaseQuery(assignee="anne", limit=50), "cases_assignee"),
        (CaseQuery(municipalities={AALBORG}, limit=50), "cases_municipality"),
        (CaseQuery(due_before=dt.date(2026, 3, 5)), "cases_due"),
    ],
)
def test_each_list_reads_an_index_in_its_order_without_sorting(
    tmp_path: Path, query: CaseQuery, index: str
) -> None:
    """A page of the case index is read off an index in the list's order: no sort of all rows."""
    plan = plan_of(tmp_path / "plan.db", query)
    assert f"INDEX {index} " in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_a_page_after_a_cursor_seeks_its_place_in_the_index(tmp_path: Path) -> None:
    """Two seeks: the rest of the cursor's due date, then the later dates (a page each)."""
    query = CaseQuery(workflow="sample.young", after=CaseCursor(dt.date(2026, 3, 9), "C-1"))
    plan = plan_of(tmp_path / "plan.db", attrs.evolve(query, limit=50))
    assert "INDEX cases_workflow (workflow=? AND <expr>=? AND case_id>?)" in plan, plan
    assert "INDEX cases_workflow (workflow=? AND <expr>>?)" in plan, plan
    assert "SCAN cases" not in plan, plan  # only the two pages are sorted, never the index


def test_an_actors_own_cases_are_found_through_two_indexes(tmp_path: Path) -> None:
    """Assigned to them or opened by them: each side reads an index; the events are not read."""
    plan = plan_of(tmp_path / "plan.db", CaseQuery(involving="anne", limit=50))
    assert "INDEX cases_assignee " in plan, plan
    assert "INDEX cases_opened_by " in plan, plan
    assert "events" not in plan


@pytest.mark.parametrize(
    "query",
    [
        CaseQuery(limit=50),
        CaseQuery(workflow="sample.young", limit=50),
        CaseQuery(limit=50, after=CaseCursor(dt.date(2026, 3, 9), "c-0010")),
        CaseQuery(
            workflow="sample.young", limit=50, after=CaseCursor(dt.date(2026, 3, 9), "c-0010")
        ),
    ],
    ids=["first page", "first page of a workflow", "page after a cursor", "workflow, after"],
)
def test_postgres_reads_a_page_off_an_index_in_the_lists_order(
    postgres_store_factory: PostgresSchemas, query: CaseQuery
) -> None:
    """A page, also one after a cursor (a row comparison), is an index scan with no sort."""
    import psycopg  # noqa: PLC0415

    from ssp_core.store.postgres.schema import DUE_KEY  # noqa: PLC0415
    from ssp_core.store.postgres.statements import Statements  # noqa: PLC0415

    store = postgres_store_factory.open()
    schema = postgres_store_factory.schemas[-1]
    store.append(
        commit_of(*(opened(f"c-{n:04d}", due=dt.date(2026, 3, 2 + n % 20)) for n in range(200)))
    )
    where, params = case_where(query, mark="%s", due_key=DUE_KEY)
    search = Statements(schema).find_cases.format(where=where)
    with psycopg.connect(postgres_store_factory.dsn, autocommit=True) as connection:
        connection.execute(f"ANALYZE {schema}.cases")
        connection.execute("SET enable_seqscan = off")  # a small table is otherwise read whole
        connection.execute("SET enable_bitmapscan = off")
        rows = connection.execute(f"EXPLAIN {search}".encode(), [*params, 50]).fetchall()
        found = store.find_cases(query)
    plan = "\n".join(str(row[0]) for row in rows)
    assert "Index Scan using cases_" in plan, plan
    assert "Sort" not in plan, plan  # read in the list's order: no sort of the rows found
    assert len(found) == 50
    if query.after is not None:
        assert all(row.cursor.key() > query.after.key() for row in found)
