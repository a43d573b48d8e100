"""The SQL stores answer every case query as ``case_matches`` and ``case_order`` say.

A hypothesis property: random index rows (workflows, versions, states, assignees,
times, due dates, flags, municipalities or none) are written to a store, and random
queries over every field of :class:`CaseQuery` must find exactly the rows that
:func:`~ssp_core.store.select.case_matches` passes, in the order of
:func:`~ssp_core.store.select.case_order`, up to the limit. The memory store uses
those functions itself; the SQL stores translate the queries into ``WHERE`` clauses.

Values come from small pools, so that bounds meet stored values exactly (a due date on
the day of ``due_before``, a closing at the instant of ``closed_before``, given in
another zone). One store serves all examples of a test: its case index is emptied
before each one (the index is no append-only table).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_core.store import CaseCursor, CaseQuery, CaseRow, CaseStore, Commit, open_store
from ssp_core.store.select import case_matches, case_order
from tests.store.conftest import PostgresSchemas
from tests.store.contract import AALBORG, HJORRING, MARCH, MICRO, T0, THISTED

QUERY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

CET = dt.timezone(dt.timedelta(hours=1), "CET")
CASE_IDS = ["c-1", "c-10", "c-2", "C-1", "b-1", "æ-1", "Z-9", "c-1 ", "sag-🙂"]
"""Ids whose code point order differs from a locale's (case, accents, emoji, a space)."""
WORKFLOWS = ["sample.young", "sample.adult"]
STATES = ["received", "assessment", "closed"]
ASSIGNEES = ["anne", "bo", "Åse"]
MUNICIPALITIES = [AALBORG, HJORRING, THISTED]

instants = st.builds(
    lambda hours, micro, zone: (T0 + hours * dt.timedelta(hours=1) + micro * MICRO).astimezone(
        zone
    ),
    st.integers(-2, 2),
    st.integers(-1, 1),
    st.sampled_from([dt.UTC, CET]),
)
days = st.sampled_from([MARCH[day] for day in range(1, 8)])


def index_row(case_id: str) -> st.SearchStrategy[CaseRow]:
    return st.builds(
        CaseRow,
        case_id=st.just(case_id),
        workflow=st.sampled_from(WORKFLOWS),
        workflow_version=st.integers(1, 2),
        state=st.sampled_from(STATES),
        assignee=st.none() | st.sampled_from(ASSIGNEES),
        opened_at=instants,
        closed_at=st.none() | instants,
        next_due=st.none() | days,
        on_hold=st.booleans(),
        municipality=st.none() | st.sampled_from(MUNICIPALITIES),
        opened_by=st.none() | st.sampled_from(ASSIGNEES),
    )


index_rows = st.lists(st.sampled_from(CASE_IDS), unique=True, max_size=len(CASE_IDS)).flatmap(
    lambda ids: st.tuples(*map(index_row, ids))
)
case_queries = st.builds(
    CaseQuery,
    workflow=st.none() | st.sampled_from([*WORKFLOWS, "sample.none"]),
    workflow_version=st.none() | st.integers(1, 3),
    state=st.none() | st.sampled_from(STATES),
    assignee=st.none() | st.sampled_from(ASSIGNEES),
    due_before=st.none() | days,
    closed_before=st.none() | instants,
    open_only=st.booleans(),
    municipalities=st.none() | st.frozensets(st.sampled_from([*MUNICIPALITIES, "0999"])),
    involving=st.none() | st.sampled_from(ASSIGNEES),
    after=st.none() | st.builds(CaseCursor, st.none() | days, st.sampled_from(CASE_IDS)),
    limit=st.none() | st.integers(0, len(CASE_IDS) + 1),
)


def expected(rows: tuple[CaseRow, ...], query: CaseQuery) -> list[CaseRow]:
    """Return what a store must find: the rows ``case_matches`` passes, in order, limited."""
    found = sorted((row for row in rows if case_matches(row, query)), key=case_order)
    return found if query.limit is None else found[: query.limit]


@pytest.fixture(name="emptied", params=["sqlite", "postgres"])
def _emptied(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], CaseStore]]:
    """Return a function that empties the case index of one store, and returns the store."""
    if request.param == "sqlite":
        path = tmp_path / "ssp.db"
        store = open_store(f"sqlite:///{path}")

        def empty_sqlite() -> CaseStore:
            connection = sqlite3.connect(path)
            try:
                with connection:
                    connection.execute("DELETE FROM cases")
            finally:
                connection.close()
            return store

        yield empty_sqlite
        store.close()
        return
    import psycopg  # noqa: PLC0415 (only when a server answers)
    from psycopg import sql  # noqa: PLC0415

    schemas: PostgresSchemas = request.getfixturevalue("postgres_store_factory")
    postgres = schemas.open()
    schema = schemas.schemas[-1]

    def empty_postgres() -> CaseStore:
        with psycopg.connect(schemas.dsn, autocommit=True) as connection:
            connection.execute(sql.SQL("DELETE FROM {}.cases").format(sql.Identifier(schema)))
        return postgres

    yield empty_postgres


def test_find_cases_answers_as_case_matches(emptied: Callable[[], CaseStore]) -> None:
    @QUERY_SETTINGS
    @given(rows=index_rows, queries=st.lists(case_queries, min_size=1, max_size=8))
    def answers_alike(rows: tuple[CaseRow, ...], queries: list[CaseQuery]) -> None:
        store = emptied()
        store.append(Commit(cases=rows))
        assert store.find_cases(CaseQuery()) == expected(rows, CaseQuery())
        for query in queries:
            assert store.find_cases(query) == expected(rows, query), query.describe()

    answers_alike()


def test_pages_after_a_cursor_read_the_whole_answer_once(
    emptied: Callable[[], CaseStore],
) -> None:
    """Keyset pages (``after`` the last row's cursor) join up to the unlimited answer."""

    @QUERY_SETTINGS
    @given(rows=index_rows, query=case_queries, size=st.integers(1, 4))
    def pages_join(rows: tuple[CaseRow, ...], query: CaseQuery, size: int) -> None:
        store = emptied()
        store.append(Commit(cases=rows))
        whole = store.find_cases(attrs.evolve(query, limit=None))
        paged: list[CaseRow] = []
        page = store.find_cases(attrs.evolve(query, limit=size))
        while page:
            paged += page
            page = store.find_cases(attrs.evolve(query, limit=size, after=page[-1].cursor))
        assert paged == whole

    pages_join()
