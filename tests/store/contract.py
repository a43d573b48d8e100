"""The contract every case store meets, whatever keeps the data.

Modelled on the eventsourcing library's ``tests/persistence.py``: an abstract test
class with a factory, :meth:`CaseStoreContract.create_store`, that each backend's
concrete subclass implements (see ``test_contract.py``). A new backend proves itself
by subclassing :class:`CaseStoreContract`; the class is named without the ``Test``
prefix so pytest collects only the subclasses.

Events are real domain events encoded with the real codec, and index rows come from
the real projection, so the suite also checks that ``decode(encode(e)) == e`` and
that a stored row equals the projection of a replay.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import ClassVar

import attrs
import pytest

from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.events import (
    Assigned,
    CaseEvent,
    CaseOpened,
    CaseSuspended,
    NoteAdded,
    Transitioned,
)
from ssp_core.domain.people import Subject
from ssp_core.exceptions import ConcurrencyError, DataError, StoreError
from ssp_core.store import (
    SCHEMA_VERSION,
    AuditAction,
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    CaseStore,
    Commit,
    StoredEvent,
)
from ssp_core.store.codec import codec
from ssp_core.store.projection import case_row
from ssp_core.store.records import EventQuery, IdentityRecord, KeyRecord, KeyReplacement
from ssp_core.store.sql import ITER_BATCH

__all__ = [
    "AALBORG",
    "FINALS",
    "HJORRING",
    "MEMORY_IS_NOT_DURABLE",
    "NO_POSTGRES",
    "T0",
    "THISTED",
    "CaseStoreContract",
    "assigned",
    "audit_entry",
    "commit_of",
    "identity_of",
    "key_of",
    "moved",
    "note",
    "opened",
    "rewrapped",
    "row_of",
    "suspended",
]

NO_POSTGRES = "no PostgreSQL server: set SSP_TEST_POSTGRES_DSN or run a server on 127.0.0.1:5432"
MEMORY_IS_NOT_DURABLE = "memory stores do not outlive the process"

CET = dt.timezone(dt.timedelta(hours=1), "CET")
T0 = dt.datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=CET)
"""Times are written with microseconds and a non-UTC offset; stores must keep the instant."""
FINALS = frozenset({"closed"})
SUBJECT = Subject("9" * 32, dt.date(2010, 5, 17))
HOUR = dt.timedelta(hours=1)


# -- building real events, rows and commits --------------------------------------------------


def opened(
    case_id: str,
    *,
    at: dt.datetime = T0,
    workflow: str = "sample.young",
    workflow_version: int = 1,
    state: str = "received",
    due: dt.date | None = None,
    actor: str = "anne",
    municipality: str | None = None,
) -> CaseOpened:
    return CaseOpened(
        case_id=case_id,
        version=1,
        at=at,
        actor=actor,
        role="sample.consultant",
        workflow=workflow,
        workflow_version=workflow_version,
        state=state,
        subject=SUBJECT,
        situation="sample.worry",
        concern_date=dt.date(2026, 3, 1),
        due=() if due is None else (DueDate(state, due),),
        municipality=municipality,
    )


def note(case_id: str, version: int, text: str = "a note", *, at: dt.datetime = T0) -> NoteAdded:
    return NoteAdded(
        case_id=case_id, version=version, at=at, actor="anne", role="sample.consultant", text=text
    )


def moved(
    case_id: str,
    version: int,
    dest: str,
    *,
    source: str = "received",
    due: dt.date | None = None,
    at: dt.datetime = T0,
) -> Transitioned:
    return Transitioned(
        case_id=case_id,
        version=version,
        at=at,
        actor="anne",
        role="sample.consultant",
        trigger=f"to_{dest}",
        source=source,
        dest=dest,
        reason="because" if dest == "closed" else None,
        due=() if due is None else (DueDate(dest, due),),
    )


def assigned(case_id: str, version: int, assignee: str | None, *, at: dt.datetime = T0) -> Assigned:
    return Assigned(
        case_id=case_id,
        version=version,
        at=at,
        actor="anne",
        role="sample.consultant",
        assignee=assignee,
    )


def suspended(case_id: str, version: int, *, at: dt.datetime = T0) -> CaseSuspended:
    return CaseSuspended(
        case_id=case_id,
        version=version,
        at=at,
        actor="anne",
        role="sample.consultant",
        reason="hold",
    )


def audit_entry(
    at: dt.datetime,
    *,
    actor: str = "anne",
    case_id: str | None = None,
    action: AuditAction = AuditAction.WRITE,
    detail: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor=actor,
        role="sample.consultant",
        purpose="casework",
        action=action,
        case_id=case_id,
        detail=detail,
    )


def row_of(events: Iterable[CaseEvent]) -> CaseRow:
    """Return the index row of the case these events (its whole history) fold into."""
    return case_row(Case.replay(events), FINALS)


def commit_of(
    *events: CaseEvent,
    history: Mapping[str, Sequence[CaseEvent]] | None = None,
    audit: Sequence[AuditEntry] = (),
) -> Commit:
    """Return the commit of ``events`` (in the order given) with the index row of each case.

    ``history`` holds the events of each case written before; the row of a case is the
    projection of the replay of its history and its new events.
    """
    history = history or {}
    new: dict[str, list[CaseEvent]] = {}
    for event in events:
        new.setdefault(event.case_id, []).append(event)
    rows = [
        row_of([*history.get(case_id, ()), *sorted(mine, key=lambda e: e.version)])
        for case_id, mine in new.items()
    ]
    return Commit(events=[codec.encode(event) for event in events], cases=rows, audit=audit)


def key_of(
    case_id: str,
    subject: str | None = "p-1",
    *,
    wrapped: bytes | None = None,
    key_id: str | None = None,
) -> KeyRecord:
    """Return the key row of a case: ``wrapped`` defaults to bytes of its own (all 256 values)."""
    if wrapped is None:
        wrapped = case_id.encode() + bytes(range(256))
    return KeyRecord(case_id, wrapped, subject, T0, key_id)


def rewrapped(key: KeyRecord, key_id: str = "f00dfeed0001") -> KeyReplacement:
    """Return the replacement of a key row: the same case and subject, another wrapping."""
    return KeyReplacement(
        key, attrs.evolve(key, wrapped=b"\xfe" + key_id.encode() + key.wrapped, key_id=key_id)
    )


def identity_of(
    pseudonym: str, sealed: bytes = b"\x00sealed\xff", *, at: dt.datetime = T0
) -> IdentityRecord:
    return IdentityRecord(pseudonym, b"\x01wrapped\x00" + pseudonym.encode(), sealed, at)


def keys(events: Iterable[StoredEvent]) -> list[tuple[str, int]]:
    return [(event.case_id, event.version) for event in events]


def positions(events: Iterable[StoredEvent]) -> list[int | None]:
    return [event.position for event in events]


def ids(rows: Iterable[CaseRow]) -> list[str]:
    return [row.case_id for row in rows]


def snapshot(store: CaseStore, case_ids: Iterable[str] = ()) -> dict[str, object]:
    """Everything a store shows: to check that a refused write changed nothing at all."""
    wanted = list(case_ids)
    return {
        "log": store.read_log(),
        "max_position": store.max_position(),
        "count": store.count_cases(),
        "index": store.find_cases(CaseQuery()),
        "rows": {case_id: store.case_row(case_id) for case_id in wanted},
        "events": {case_id: store.read_case(case_id) for case_id in wanted},
        "audit": store.read_audit(AuditQuery()),
    }


# -- the case index used by the query tests --------------------------------------------------

MARCH = {day: dt.date(2026, 3, day) for day in range(1, 32)}
MICRO = dt.timedelta(microseconds=1)


AALBORG, HJORRING, THISTED = "0851", "0860", "0787"
"""Municipalities by their codes; c-03 and c-06 have none (histories from before 0.2)."""


def index_cases() -> list[tuple[list[CaseEvent], CaseRow]]:
    """Cases with different workflows, states, assignees, due dates and municipalities.

    ``c-06`` is closed but its row claims a due date: a closed case is never due,
    whatever its row says, so ``due_before`` must leave it out.
    """
    histories: list[list[CaseEvent]] = [
        [opened("c-00", municipality=AALBORG)],
        [opened("c-01", due=MARCH[10], municipality=AALBORG), assigned("c-01", 2, "anne")],
        [
            opened("c-02", workflow_version=2, due=MARCH[12], municipality=HJORRING),
            moved("c-02", 2, "assessment", due=MARCH[4]),
        ],
        [opened("c-03", workflow="sample.adult", due=MARCH[4]), assigned("c-03", 2, "bo")],
        [opened("c-04", due=MARCH[5], municipality=AALBORG), moved("c-04", 2, "closed")],
        [
            opened("c-05", workflow="sample.adult", due=MARCH[3], municipality=THISTED),
            suspended("c-05", 2),
        ],
        [opened("c-06", due=MARCH[1]), moved("c-06", 2, "closed")],
    ]
    cases = [(events, row_of(events)) for events in histories]
    events, row = cases[-1]
    cases[-1] = (events, attrs.evolve(row, next_due=MARCH[1]))
    return cases


CASE_QUERIES: list[tuple[CaseQuery, list[str]]] = [
    (CaseQuery(), ["c-06", "c-02", "c-03", "c-01", "c-00", "c-04", "c-05"]),
    (CaseQuery(workflow="sample.adult"), ["c-03", "c-05"]),
    (CaseQuery(workflow="sample.young", workflow_version=2), ["c-02"]),
    (CaseQuery(workflow_version=1), ["c-06", "c-03", "c-01", "c-00", "c-04", "c-05"]),
    (CaseQuery(state="received"), ["c-03", "c-01", "c-00", "c-05"]),
    (CaseQuery(state="closed"), ["c-06", "c-04"]),
    (CaseQuery(assignee="anne"), ["c-01"]),
    (CaseQuery(assignee="nobody"), []),
    (CaseQuery(due_before=MARCH[5]), ["c-02", "c-03"]),
    (CaseQuery(due_before=MARCH[4]), []),
    (CaseQuery(due_before=MARCH[11]), ["c-02", "c-03", "c-01"]),
    (CaseQuery(due_before=MARCH[11], assignee="bo"), ["c-03"]),
    (CaseQuery(open_only=True), ["c-02", "c-03", "c-01", "c-00", "c-05"]),
    (CaseQuery(limit=2), ["c-06", "c-02"]),
    (CaseQuery(limit=0), []),
    (CaseQuery(workflow="sample.young", open_only=True, limit=2), ["c-02", "c-01"]),
    (CaseQuery(workflow="sample.adult", state="received", open_only=True), ["c-03", "c-05"]),
    # c-04 and c-06 were closed at T0 (given here in another zone: instants are compared).
    (CaseQuery(closed_before=T0.astimezone(dt.UTC)), []),
    (CaseQuery(closed_before=T0 + MICRO), ["c-06", "c-04"]),
    (CaseQuery(closed_before=T0 + HOUR, workflow="sample.young", limit=1), ["c-06"]),
    (CaseQuery(closed_before=T0 + HOUR, open_only=True), []),
    # A case without a municipality (c-03, c-06) matches no set of municipalities.
    (CaseQuery(municipalities={AALBORG}), ["c-01", "c-00", "c-04"]),
    (CaseQuery(municipalities=[HJORRING, AALBORG]), ["c-02", "c-01", "c-00", "c-04"]),
    (CaseQuery(municipalities=THISTED), ["c-05"]),
    (CaseQuery(municipalities=frozenset()), []),
    (CaseQuery(municipalities={"0999"}), []),
    (CaseQuery(municipalities={AALBORG}, open_only=True), ["c-01", "c-00"]),
    (CaseQuery(municipalities={AALBORG, HJORRING}, due_before=MARCH[11]), ["c-02", "c-01"]),
    (CaseQuery(municipalities={AALBORG, THISTED}, workflow="sample.adult"), ["c-05"]),
    (CaseQuery(municipalities={AALBORG}, closed_before=T0 + MICRO), ["c-04"]),
    (CaseQuery(municipalities={AALBORG, HJORRING, THISTED}, limit=2), ["c-02", "c-01"]),
]


# -- the audit log used by the audit tests ---------------------------------------------------

UTC0 = T0.astimezone(dt.UTC)
AUDIT = {
    "a1": audit_entry(UTC0, case_id="c-1", detail="CaseOpened"),
    "a2": audit_entry(UTC0 + 2 * HOUR, actor="bo", case_id="c-1", action=AuditAction.LOAD),
    "a3": audit_entry(UTC0 + HOUR, action=AuditAction.SEARCH, detail="state=received"),
    "a4": audit_entry(UTC0 + 3 * HOUR, case_id="c-2", detail="CaseOpened"),
}
"""Written in the order a1 (in a commit), a2 and a3 (recorded reads), a4 (in a commit).

a3 is recorded after a2 but happened before it: entries come back in time order.
"""

AUDIT_QUERIES: list[tuple[AuditQuery, list[str]]] = [
    (AuditQuery(), ["a1", "a3", "a2", "a4"]),
    (AuditQuery(case_id="c-1"), ["a1", "a2"]),
    (AuditQuery(case_id="c-9"), []),
    (AuditQuery(actor="anne"), ["a1", "a3", "a4"]),
    (AuditQuery(actor="bo"), ["a2"]),
    # Bounds are given in another zone than the entries: instants are compared.
    (AuditQuery(since=T0 + HOUR), ["a3", "a2", "a4"]),
    (AuditQuery(since=T0 + HOUR + MICRO), ["a2", "a4"]),
    (AuditQuery(until=T0 + 2 * HOUR), ["a1", "a3"]),
    (AuditQuery(until=T0 + 2 * HOUR + MICRO), ["a1", "a3", "a2"]),
    (AuditQuery(since=T0 + HOUR, until=T0 + 3 * HOUR), ["a3", "a2"]),
    (AuditQuery(since=T0 + 4 * HOUR), []),
    (AuditQuery(limit=2), ["a1", "a3"]),
    (AuditQuery(actor="anne", limit=2), ["a1", "a3"]),
    (AuditQuery(case_id="c-1", actor="anne"), ["a1"]),
    (AuditQuery(case_id="c-2", actor="bo"), []),
]

ROUND_TRIP_TEXT = (
    'æøå ÆØÅ — “quotes” "json" \\backslash\\ tab\t newline\n nul\x00 '
    "emoji 🙂👩🏽‍⚕️🇩🇰 and a long tail " + "ø" * 2000
)


CLOSED_CALLS: dict[str, Callable[[CaseStore], object]] = {
    "append": lambda store: store.append(commit_of(opened("c-9"))),
    "record_audit": lambda store: store.record_audit([audit_entry(T0)]),
    "read_case": lambda store: store.read_case("c-1"),
    "read_cases": lambda store: store.read_cases(["c-1"]),
    "read_log": lambda store: store.read_log(),
    "max_position": lambda store: store.max_position(),
    "case_row": lambda store: store.case_row("c-1"),
    "find_cases": lambda store: store.find_cases(CaseQuery()),
    "count_cases": lambda store: store.count_cases(),
    "read_audit": lambda store: store.read_audit(AuditQuery()),
}
"""Every reading and writing call: each must refuse a closed store."""

CLOSED_CALLS |= {
    "read_events": lambda store: store.read_events(EventQuery()),
    "read_keys": lambda store: store.read_keys(["c-1"]),
    "subject_cases": lambda store: store.subject_cases("p-1"),
    "read_identity": lambda store: store.read_identity("p-1"),
    "put_identity": lambda store: store.put_identity(identity_of("p-1"), []),
    "erase": lambda store: store.erase(["c-1"], ["p-1"], []),
    "rewrite_event_data": lambda store: store.rewrite_event_data([("c-1", 1, "{}")], [], []),
    "set_municipality": lambda store: store.set_municipality("sample.young", AALBORG),
}


# -- the event log used by the event query tests ------------------------------------------------


def event_log() -> list[tuple[str, Commit]]:
    """Commits of named events; ``late`` is written last but happened first (positions rule)."""
    a1, a2, a3 = (
        opened("a", at=UTC0),
        note("a", 2, at=UTC0 + HOUR),
        assigned("a", 3, "bo", at=UTC0 + 3 * HOUR),
    )
    b1, b2 = opened("b", at=UTC0 + 2 * HOUR), note("b", 2, at=UTC0 + 4 * HOUR)
    late = opened("c", at=UTC0 - HOUR)
    return [
        ("a1", commit_of(a1)),
        ("a2", commit_of(a2, history={"a": [a1]})),
        ("b1", commit_of(b1)),
        ("a3", commit_of(a3, history={"a": [a1, a2]})),
        ("b2", commit_of(b2, history={"b": [b1]})),
        ("late", commit_of(late)),
    ]


EVENT_QUERIES: list[tuple[EventQuery, list[str]]] = [
    (EventQuery(), ["a1", "a2", "b1", "a3", "b2", "late"]),
    (EventQuery(topics=("NoteAdded",)), ["a2", "b2"]),
    (EventQuery(topics=["NoteAdded", "Assigned"]), ["a2", "a3", "b2"]),
    (EventQuery(topics="CaseOpened"), ["a1", "b1", "late"]),
    (EventQuery(topics=()), []),
    (EventQuery(topics=("Nothing",)), []),
    (EventQuery(case_id="a"), ["a1", "a2", "a3"]),
    (EventQuery(case_id="a", topics=("NoteAdded", "CaseOpened")), ["a1", "a2"]),
    (EventQuery(case_id="z"), []),
    # Bounds are given in another zone than the events: instants are compared.
    (EventQuery(since=T0 + 2 * HOUR), ["b1", "a3", "b2"]),
    (EventQuery(since=T0 + 2 * HOUR + MICRO), ["a3", "b2"]),
    (EventQuery(until=T0 + HOUR), ["a1", "late"]),
    (EventQuery(until=T0 + HOUR + MICRO), ["a1", "a2", "late"]),
    (EventQuery(since=T0 + HOUR, until=T0 + 3 * HOUR), ["a2", "b1"]),
    (EventQuery(limit=2), ["a1", "a2"]),
    (EventQuery(limit=0), []),
    (EventQuery(topics=("CaseOpened",), limit=2), ["a1", "b1"]),
    (EventQuery(case_id="b", since=T0, limit=1), ["b1"]),
]


class CaseStoreContract(abc.ABC):
    """The tests every :class:`~ssp_core.store.CaseStore` backend must pass.

    Subclass it as ``TestSomethingStore`` and implement :meth:`create_store` (a new,
    empty store) and :meth:`reopen` (close a store and open the same data again). A
    backend whose data does not outlive the process sets ``durable = False``; the
    tests of durability are then skipped, saying why.
    """

    durable: ClassVar[bool] = True

    @abc.abstractmethod
    def create_store(self) -> CaseStore:
        """Return a new, empty store."""

    @abc.abstractmethod
    def reopen(self, store: CaseStore) -> CaseStore:
        """Close ``store`` and return a new handle on the same data."""

    # -- plumbing ------------------------------------------------------------------------

    @pytest.fixture(name="store")
    def _store(self) -> Iterator[CaseStore]:
        self._opened: list[CaseStore] = []
        store = self.create_store()
        self._opened.append(store)
        yield store
        for each in self._opened:
            each.close()

    def require_durable(self) -> None:
        """Skip the test for a backend whose data does not outlive the process."""
        if not self.durable:
            pytest.skip(MEMORY_IS_NOT_DURABLE)

    def reopened(self, store: CaseStore) -> CaseStore:
        """Return ``store`` reopened (the test is skipped for a backend that keeps nothing)."""
        self.require_durable()
        again = self.reopen(store)
        self._opened.append(again)
        return again

    # -- an empty store -----------------------------------------------------------------

    def test_a_new_store_is_empty(self, store: CaseStore) -> None:
        assert store.max_position() == 0
        assert store.read_log() == []
        assert store.count_cases() == 0
        assert store.read_case("c-1") == []
        assert store.read_cases(["c-1"]) == {}
        assert store.case_row("c-1") is None
        assert store.find_cases(CaseQuery()) == []
        assert store.read_audit(AuditQuery()) == []
        assert store.schema_version() == SCHEMA_VERSION
        assert store.upgrade() == ()

    # -- appending and reading events -----------------------------------------------------

    def test_append_and_read_one_case(self, store: CaseStore) -> None:
        event = opened("c-1", due=MARCH[4])
        commit = commit_of(event)
        assert store.append(commit) == (1,)
        (stored,) = store.read_case("c-1")
        assert stored == attrs.evolve(commit.events[0], position=1)
        assert codec.decode(stored) == event
        assert store.read_log() == [stored]
        assert store.read_cases(["c-1"]) == {"c-1": [stored]}
        assert store.case_row("c-1") == row_of([event]) == commit.cases[0]
        assert store.count_cases() == 1
        assert store.max_position() == 1

    def test_calls_in_a_held_block_are_each_their_own_transaction(self, store: CaseStore) -> None:
        """Inside ``held()`` (nested too) calls behave as outside: each commits or fails alone."""
        first = opened("c-1")
        with store.held():
            assert store.append(commit_of(first)) == (1,)
            with store.held():  # nested: the outer block holds
                store.record_reads([audit_entry(T0, case_id="c-1", action=AuditAction.LOAD)])
                assert [e.version for e in store.read_case("c-1")] == [1]
            with pytest.raises(ConcurrencyError):  # refused, and nothing of it written
                store.append(commit_of(opened("c-1")))
            streamed = store.iter_cases(CaseQuery())
            assert next(streamed).case_id == "c-1"
            store.append(commit_of(note("c-1", 2), history={"c-1": [first]}))
        assert list(streamed) == []  # read to its end after the block
        assert [e.version for e in store.read_case("c-1")] == [1, 2]
        with pytest.raises(RuntimeError), store.held():
            raise RuntimeError("the caller's own error")
        assert [a.action for a in store.read_audit(AuditQuery(case_id="c-1"))].count(
            AuditAction.LOAD
        ) == 1
        assert store.count_cases() == 1

    def test_versions_run_one_to_n(self, store: CaseStore) -> None:
        history: list[CaseEvent] = [opened("c-1")]
        store.append(commit_of(*history))
        more = [note("c-1", version, f"note {version}") for version in (2, 3, 4)]
        assert store.append(commit_of(*more, history={"c-1": history})) == (2, 3, 4)
        history += more
        last = assigned("c-1", 5, "bo")
        assert store.append(commit_of(last, history={"c-1": history})) == (5,)
        history.append(last)
        stored = store.read_case("c-1")
        assert [event.version for event in stored] == [1, 2, 3, 4, 5]
        assert positions(stored) == [1, 2, 3, 4, 5]
        assert [codec.decode(event) for event in stored] == history
        assert store.case_row("c-1") == row_of(history)

    def test_one_commit_gets_consecutive_positions_in_case_and_version_order(
        self, store: CaseStore
    ) -> None:
        store.append(commit_of(opened("c-0")))
        a = [opened("c-a"), note("c-a", 2), note("c-a", 3)]
        b = [opened("c-b"), assigned("c-b", 2, "bo")]
        c = [opened("c-c")]
        shuffled = [c[0], b[1], a[2], b[0], a[0], a[1]]
        assert store.append(commit_of(*shuffled)) == (2, 3, 4, 5, 6, 7)
        log = store.read_log(after=1)
        assert keys(log) == [("c-a", 1), ("c-a", 2), ("c-a", 3), ("c-b", 1), ("c-b", 2), ("c-c", 1)]
        assert positions(log) == [2, 3, 4, 5, 6, 7]
        assert [codec.decode(event) for event in log] == [*a, *b, *c]
        assert [codec.decode(event) for event in store.read_case("c-a")] == a
        assert store.case_row("c-b") == row_of(b)
        assert store.count_cases() == 4

    def test_positions_strictly_increase_across_commits(self, store: CaseStore) -> None:
        history: dict[str, list[CaseEvent]] = {}
        returned: list[int] = []
        for round_ in range(4):
            new: list[CaseEvent] = [opened(f"c-{round_}")]
            for case_id, events in history.items():
                new.append(note(case_id, len(events) + 1))
            got = store.append(commit_of(*new, history=history))
            assert len(got) == len(new)
            assert got == tuple(range(got[0], got[0] + len(new)))
            assert not returned or got[0] > returned[-1]
            returned += got
            for event in new:
                history.setdefault(event.case_id, []).append(event)
        log = store.read_log()
        assert positions(log) == returned == list(range(1, len(returned) + 1))
        assert store.max_position() == returned[-1] == 10

    def test_read_log_after_and_limit(self, store: CaseStore) -> None:
        first = [opened("c-1"), note("c-1", 2), note("c-1", 3)]
        store.append(commit_of(*first))
        second = [note("c-1", 4), note("c-1", 5), note("c-1", 6)]
        store.append(commit_of(*second, history={"c-1": first}))
        everything = store.read_log()
        assert positions(everything) == [1, 2, 3, 4, 5, 6]
        assert store.read_log(after=0) == everything
        assert store.read_log(after=2) == everything[2:]
        assert store.read_log(after=2, limit=3) == everything[2:5]
        assert store.read_log(after=5, limit=10) == everything[5:]
        assert store.read_log(limit=1) == everything[:1]
        assert store.read_log(limit=0) == []
        assert store.read_log(after=6) == []
        assert store.read_log(after=60) == []
        assert [codec.decode(event) for event in everything] == first + second

    def test_max_position(self, store: CaseStore) -> None:
        assert store.max_position() == 0
        store.append(commit_of(opened("c-1"), opened("c-2")))
        assert store.max_position() == 2
        store.append(commit_of(note("c-2", 2), history={"c-2": [opened("c-2")]}))
        assert store.max_position() == 3 == store.read_log()[-1].position

    def test_read_cases_leaves_unknown_ids_out(self, store: CaseStore) -> None:
        one = [opened("c-1"), note("c-1", 2)]
        two = [opened("c-2")]
        store.append(commit_of(*one, *two))
        found = store.read_cases(["c-2", "nope", "c-1", "c-2"])
        assert set(found) == {"c-1", "c-2"}
        assert [codec.decode(event) for event in found["c-1"]] == one
        assert [codec.decode(event) for event in found["c-2"]] == two
        assert found["c-1"] == store.read_case("c-1")
        assert store.read_cases(["nope", "also-nope"]) == {}
        assert store.read_cases([]) == {}

    def test_read_case_after_a_version_reads_only_what_came_since(self, store: CaseStore) -> None:
        history = [opened("c-1"), note("c-1", 2), note("c-1", 3)]
        store.append(commit_of(*history, opened("c-2")))
        whole = store.read_case("c-1")
        assert store.read_case("c-1", after=0) == whole
        assert store.read_case("c-1", after=1) == whole[1:]
        assert [e.version for e in store.read_case("c-1", after=2)] == [3]
        assert store.read_case("c-1", after=3) == []
        assert store.read_case("c-1", after=9) == []
        assert store.read_case("nope", after=1) == []
        store.append(commit_of(note("c-1", 4), history={"c-1": history}))
        assert [e.version for e in store.read_case("c-1", after=3)] == [4]

    def test_read_case_and_key_reads_both(self, store: CaseStore) -> None:
        history = [opened("c-1"), note("c-1", 2), note("c-1", 3)]
        store.append(attrs.evolve(commit_of(*history, opened("c-2")), keys=[key_of("c-1")]))
        rows, record = store.read_case_and_key("c-1")
        assert rows == store.read_case("c-1")
        assert record == store.read_keys(["c-1"])["c-1"]
        assert store.read_case_and_key("c-1", after=2) == (rows[2:], record)
        assert store.read_case_and_key("c-1", after=3) == ([], record)
        assert store.read_case_and_key("c-2") == (store.read_case("c-2"), None)
        assert store.read_case_and_key("nope") == ([], None)

    def test_count_cases(self, store: CaseStore) -> None:
        assert store.count_cases() == 0
        store.append(commit_of(opened("c-1"), opened("c-2")))
        assert store.count_cases() == 2
        store.append(commit_of(note("c-1", 2), history={"c-1": [opened("c-1")]}))
        assert store.count_cases() == 2
        store.append(commit_of(opened("c-3")))
        assert store.count_cases() == 3

    # -- refused commits write nothing --------------------------------------------------------

    def test_a_stale_append_is_refused_and_writes_nothing_of_its_commit(
        self, store: CaseStore
    ) -> None:
        old = [opened("b-old"), note("b-old", 2)]
        store.append(commit_of(*old, audit=[audit_entry(T0, case_id="b-old")]))
        before = snapshot(store, ["a-new", "b-old"])
        # One commit: a new case (sorting first) and version 2 of b-old, already taken.
        stale = Commit(
            events=[codec.encode(opened("a-new")), codec.encode(note("b-old", 2, "late"))],
            cases=[
                row_of([opened("a-new")]),
                attrs.evolve(row_of(old), state="assessment", assignee="bo"),
            ],
            audit=[audit_entry(T0 + HOUR, case_id="b-old"), audit_entry(T0, case_id="a-new")],
        )
        with pytest.raises(ConcurrencyError) as refused:
            store.append(stale)
        assert (refused.value.case_id, refused.value.version) == ("b-old", 2)
        assert "b-old" in str(refused.value)
        assert "version 2" in str(refused.value)
        assert snapshot(store, ["a-new", "b-old"]) == before
        assert store.case_row("a-new") is None
        assert store.read_case("a-new") == []
        assert store.read_audit(AuditQuery(case_id="a-new")) == []

    def test_a_refused_commit_leaves_no_gap_in_positions(self, store: CaseStore) -> None:
        store.append(commit_of(opened("c-1")))
        with pytest.raises(ConcurrencyError):
            store.append(commit_of(opened("c-2"), opened("c-1")))
        with pytest.raises(DataError):
            store.append(Commit(events=[codec.encode(opened("c-3")), codec.encode(note("c-1", 3))]))
        assert store.append(commit_of(opened("c-4"))) == (2,)
        assert positions(store.read_log()) == [1, 2]

    @pytest.mark.parametrize(
        "history",
        [[], [opened("c-1"), note("c-1", 2)]],
        ids=["new case", "existing case"],
    )
    def test_a_version_twice_in_one_commit_is_refused(
        self, store: CaseStore, history: list[CaseEvent]
    ) -> None:
        if history:
            store.append(commit_of(*history))
        before = snapshot(store, ["c-1", "c-2"])
        version = len(history) + 1
        first = opened("c-1") if version == 1 else note("c-1", version, "one")
        twice = Commit(
            events=[
                codec.encode(opened("c-2")),
                codec.encode(first),
                codec.encode(note("c-1", version, "two")),
            ],
            cases=[row_of([opened("c-2")])],
            audit=[audit_entry(T0, case_id="c-1")],
        )
        with pytest.raises(ConcurrencyError) as refused:
            store.append(twice)
        assert (refused.value.case_id, refused.value.version) == ("c-1", version)
        assert snapshot(store, ["c-1", "c-2"]) == before

    @pytest.mark.parametrize(
        ("history", "gap"),
        [
            ([], [2]),
            ([], [1, 3]),
            ([], [1, 2, 4]),
            ([opened("c-1"), note("c-1", 2)], [4]),
            ([opened("c-1"), note("c-1", 2)], [3, 5]),
        ],
        ids=["new case at 2", "new case 1 and 3", "new case 1, 2, 4", "2 then 4", "2 then 3, 5"],
    )
    def test_a_gap_in_versions_is_refused(
        self, store: CaseStore, history: list[CaseEvent], gap: list[int]
    ) -> None:
        if history:
            store.append(commit_of(*history))
        before = snapshot(store, ["c-1", "c-2"])
        events = [opened("c-1") if v == 1 else note("c-1", v) for v in gap]
        commit = Commit(
            events=[codec.encode(opened("c-2")), *map(codec.encode, events)],
            cases=[row_of([opened("c-2")])],
            audit=[audit_entry(T0, case_id="c-1")],
        )
        with pytest.raises(DataError, match="c-1"):
            store.append(commit)
        assert snapshot(store, ["c-1", "c-2"]) == before

    # -- the case index -------------------------------------------------------------------

    def test_case_rows_are_upserted(self, store: CaseStore) -> None:
        history: list[CaseEvent] = [opened("c-1", due=MARCH[4])]
        store.append(commit_of(*history))
        assert store.case_row("c-1") == row_of(history)
        change = assigned("c-1", 2, "bo", at=T0 + HOUR)
        store.append(commit_of(change, history={"c-1": history}))
        history.append(change)
        row = store.case_row("c-1")
        assert row == row_of(history)
        assert row is not None
        assert row.assignee == "bo"
        assert store.find_cases(CaseQuery()) == [row]
        assert store.find_cases(CaseQuery(assignee="anne")) == []
        closing = moved("c-1", 3, "closed", at=T0 + 2 * HOUR)
        store.append(commit_of(closing, history={"c-1": history}))
        history.append(closing)
        row = store.case_row("c-1")
        assert row == row_of(history)
        assert row is not None
        assert row.closed_at == T0 + 2 * HOUR
        assert row.next_due is None
        assert store.find_cases(CaseQuery(open_only=True)) == []
        assert store.count_cases() == 1

    @pytest.mark.parametrize(
        ("query", "expected"),
        CASE_QUERIES,
        ids=[f"{n}: {query.describe()}" for n, (query, _) in enumerate(CASE_QUERIES)],
    )
    def test_find_cases(self, store: CaseStore, query: CaseQuery, expected: list[str]) -> None:
        cases = index_cases()
        for events, row in cases:
            store.append(Commit(events=[codec.encode(e) for e in events], cases=[row]))
        rows = {row.case_id: row for _, row in cases}
        found = store.find_cases(query)
        assert ids(found) == expected
        assert found == [rows[case_id] for case_id in expected]
        assert list(store.iter_cases(query)) == found  # streamed: the same rows, in order

    def test_iter_cases_streams_while_the_caller_reads_other_data(self, store: CaseStore) -> None:
        count = 2 * ITER_BATCH + 7  # more than one batch of a streamed read
        events = [opened(f"c-{n:05d}") for n in range(count)]
        store.append(commit_of(*events))
        streamed = store.iter_cases(CaseQuery())
        first = next(streamed)
        assert first.case_id == "c-00000"
        seen = [first.case_id]
        for row in streamed:
            seen.append(row.case_id)
            if len(seen) % 500 == 0:  # another read on the way, as a pass over cases does
                assert store.read_case(row.case_id)
        assert seen == [f"c-{n:05d}" for n in range(count)]
        assert [r.case_id for r in store.iter_cases(CaseQuery(limit=3))] == seen[:3]
        abandoned = store.iter_cases(CaseQuery())
        next(abandoned)
        abandoned.close()  # its read ends; the store goes on
        assert store.count_cases() == count

    def test_the_municipality_of_a_case_round_trips(self, store: CaseStore) -> None:
        history: list[CaseEvent] = [opened("c-1", municipality=AALBORG)]
        store.append(commit_of(*history, opened("c-2")))
        row = store.case_row("c-1")
        assert row == row_of(history)
        assert row is not None
        assert row.municipality == AALBORG
        assert store.find_cases(CaseQuery(municipalities={AALBORG})) == [row]
        assert store.case_row("c-2") == row_of([opened("c-2")])
        assert store.find_cases(CaseQuery()) == [row, row_of([opened("c-2")])]
        change = assigned("c-1", 2, "bo")
        store.append(commit_of(change, history={"c-1": history}))
        assert store.case_row("c-1") == row_of([*history, change])
        # A row naming another municipality replaces the stored one.
        moved_away = attrs.evolve(row_of([*history, change]), municipality=HJORRING)
        store.append(Commit(cases=[moved_away]))
        assert store.case_row("c-1") == moved_away

    def _old_and_new_cases(self, store: CaseStore) -> dict[str, list[CaseEvent]]:
        """Write cases of two workflows, some without a municipality (from before 0.2)."""
        histories: dict[str, list[CaseEvent]] = {
            "old-1": [opened("old-1"), note("old-1", 2)],
            "old-2": [opened("old-2", due=MARCH[9])],
            "old-adult": [opened("old-adult", workflow="sample.adult")],
            "new-1": [opened("new-1", municipality=HJORRING)],
        }
        store.append(commit_of(*(event for events in histories.values() for event in events)))
        return histories

    def test_set_municipality_fills_only_the_rows_of_the_workflow_without_one(
        self, store: CaseStore
    ) -> None:
        histories = self._old_and_new_cases(store)
        log = store.read_log()
        assert store.set_municipality("sample.young", AALBORG) == 2
        rows = {row.case_id: row for row in store.find_cases(CaseQuery())}
        assert rows == {
            "old-1": attrs.evolve(row_of(histories["old-1"]), municipality=AALBORG),
            "old-2": attrs.evolve(row_of(histories["old-2"]), municipality=AALBORG),
            "old-adult": row_of(histories["old-adult"]),
            "new-1": row_of(histories["new-1"]),
        }
        assert rows["new-1"].municipality == HJORRING
        assert store.read_log() == log  # the events are not touched
        # Nothing is left to fill: a second call, or one for another municipality, changes nothing.
        assert store.set_municipality("sample.young", AALBORG) == 0
        assert store.set_municipality("sample.young", THISTED) == 0
        assert store.set_municipality("sample.nothing", AALBORG) == 0
        assert {row.case_id: row for row in store.find_cases(CaseQuery())} == rows
        assert ids(store.find_cases(CaseQuery(municipalities={AALBORG}))) == ["old-2", "old-1"]
        assert store.set_municipality("sample.adult", THISTED) == 1
        assert ids(store.find_cases(CaseQuery(municipalities={THISTED}))) == ["old-adult"]

    def test_a_row_without_a_municipality_keeps_the_one_filled_in(self, store: CaseStore) -> None:
        histories = self._old_and_new_cases(store)
        store.set_municipality("sample.young", AALBORG)
        # The projection of an old history still has no municipality: the store keeps it.
        later = [assigned("old-1", 3, "bo"), moved("old-2", 2, "closed")]
        store.append(commit_of(*later, history=histories))
        for event in later:
            history = [*histories[event.case_id], event]
            assert store.case_row(event.case_id) == attrs.evolve(
                row_of(history), municipality=AALBORG
            )
        assert store.case_row("old-adult") == row_of(histories["old-adult"])

    def test_find_cases_breaks_ties_by_case_id_in_code_point_order(self, store: CaseStore) -> None:
        names = ["c-10", "B-2", "c-9", "a-1", "C-1", "c-1"]
        store.append(commit_of(*(opened(name, due=MARCH[9]) for name in names)))
        store.append(commit_of(opened("z-0", due=MARCH[8]), opened("A-0")))
        assert ids(store.find_cases(CaseQuery())) == ["z-0", *sorted(names), "A-0"]

    # -- the audit log -----------------------------------------------------------------------

    def _write_audit(self, store: CaseStore) -> dict[str, AuditEntry]:
        store.append(commit_of(opened("c-1", at=UTC0), audit=[AUDIT["a1"]]))
        store.record_audit([AUDIT["a2"], AUDIT["a3"]])
        store.record_audit([])
        store.append(commit_of(opened("c-2", at=UTC0 + 3 * HOUR), audit=[AUDIT["a4"]]))
        written = store.read_audit(AuditQuery())
        assert len(written) == 4
        return dict(zip(["a1", "a3", "a2", "a4"], written, strict=True))

    def test_audit_entries_are_written_with_ids_and_read_in_time_order(
        self, store: CaseStore
    ) -> None:
        written = self._write_audit(store)
        numbers = {name: entry.id for name, entry in written.items()}
        assert all(isinstance(number, int) for number in numbers.values())
        # Ids follow the order of storing: a1, a2, a3, a4 (a3 was recorded after a2).
        assert [numbers[name] for name in ("a1", "a2", "a3", "a4")] == sorted(numbers.values())
        assert len(set(numbers.values())) == 4
        for name, entry in written.items():
            assert entry == attrs.evolve(AUDIT[name], id=entry.id)
            assert isinstance(entry.action, AuditAction)
            assert entry.at.tzinfo is not None

    def test_many_audit_entries_of_one_call_are_all_written_in_their_order(
        self, store: CaseStore
    ) -> None:
        # More entries than one statement writes (a PostgreSQL store splits them into
        # several statements, sent in one transaction), each of them kept, in order.
        entries = [
            audit_entry(UTC0, case_id=f"c-{n}", action=AuditAction.LOAD, detail=str(n))
            for n in range(250)
        ]
        store.record_reads(entries[:1])
        store.record_audit(entries[1:])
        written = store.read_audit(AuditQuery())
        assert [attrs.evolve(entry, id=None) for entry in written] == entries
        assert [entry.id for entry in written] == sorted({entry.id for entry in written})

    def test_an_event_stored_with_a_purpose_is_the_audit_entry_of_its_write(
        self, store: CaseStore
    ) -> None:
        first = codec.encode(opened("c-1", at=UTC0 + HOUR), purpose="casework")
        second = codec.encode(note("c-1", 2, at=UTC0 + 3 * HOUR), purpose="handover")
        silent = codec.encode(opened("c-2", at=UTC0 + 2 * HOUR))  # no purpose: not an entry
        read = audit_entry(UTC0 + HOUR, actor="bo", case_id="c-1", action=AuditAction.LOAD)
        store.append(Commit(events=[first]))
        store.record_audit([read])
        store.append(Commit(events=[second, silent]))
        entries = store.read_audit(AuditQuery())
        assert [(e.action, e.purpose, e.detail, e.id is None) for e in entries] == [
            (AuditAction.WRITE, "casework", "CaseOpened", True),  # a write first at one instant
            (AuditAction.LOAD, read.purpose, read.detail, False),
            (AuditAction.WRITE, "handover", "NoteAdded", True),
        ]
        assert entries[0] == first.audit_entry()
        assert [e.purpose for e in store.read_case("c-1")] == ["casework", "handover"]
        assert store.read_case("c-2")[0].purpose is None
        assert store.read_audit(AuditQuery(actor="bo")) == [entries[1]]
        assert store.read_audit(AuditQuery(since=UTC0 + 2 * HOUR)) == [entries[2]]
        assert store.read_audit(AuditQuery(case_id="c-1", limit=2)) == entries[:2]

    @pytest.mark.parametrize(
        ("query", "expected"),
        AUDIT_QUERIES,
        ids=[f"{n}: {q}" for n, (q, _) in enumerate(AUDIT_QUERIES)],
    )
    def test_read_audit(self, store: CaseStore, query: AuditQuery, expected: list[str]) -> None:
        written = self._write_audit(store)
        assert store.read_audit(query) == [written[name] for name in expected]

    # -- what goes in comes out ---------------------------------------------------------

    def test_times_come_back_aware_and_equal(self, store: CaseStore) -> None:
        zones = [CET, dt.UTC, dt.timezone(dt.timedelta(hours=-7, minutes=-30))]
        history: list[CaseEvent] = [opened("c-1", at=T0)]
        for version, zone in enumerate(zones, start=2):
            at = (T0 + version * HOUR + version * MICRO).astimezone(zone)
            history.append(note("c-1", version, at=at))
        closing = moved("c-1", 5, "closed", at=(T0 + 9 * HOUR).astimezone(zones[2]))
        history.append(closing)
        entry = audit_entry((T0 + 999 * MICRO).astimezone(zones[2]), case_id="c-1")
        store.append(commit_of(*history, audit=[entry]))
        stored = store.read_case("c-1")
        assert [event.at for event in stored] == [event.at for event in history]
        assert all(event.at.tzinfo is not None for event in stored)
        assert [codec.decode(event) for event in stored] == history
        row = store.case_row("c-1")
        assert row is not None
        assert row.opened_at.tzinfo is not None
        assert row.closed_at is not None
        assert row.closed_at.tzinfo is not None
        assert (row.opened_at, row.closed_at) == (T0, closing.at)
        (audited,) = store.read_audit(AuditQuery())
        assert audited.at.tzinfo is not None
        assert audited.at == entry.at

    def test_data_round_trips_byte_for_byte(self, store: CaseStore) -> None:
        event = note("sag-æøå-🙂", 2, ROUND_TRIP_TEXT)
        first = opened("sag-æøå-🙂", actor="Åse Ærø 🙂")
        commit = commit_of(first, event)
        store.append(commit)
        stored = store.read_case("sag-æøå-🙂")
        assert [e.data for e in stored] == [e.data for e in commit.events]
        assert stored == [
            attrs.evolve(written, position=n) for n, written in enumerate(commit.events, 1)
        ]
        assert [codec.decode(e) for e in stored] == [first, event]
        assert codec.decode(stored[1]).text == ROUND_TRIP_TEXT  # type: ignore[attr-defined]
        assert stored[0].actor == "Åse Ærø 🙂"
        assert store.case_row("sag-æøå-🙂") == commit.cases[0]

    def test_data_is_opaque_text_kept_as_written(self, store: CaseStore) -> None:
        # The store never interprets data: key order and spacing stay as written.
        data = '{"z": 1,  "a": [1 ,2],\n "æ": "🙂", "a": "dup"}'
        event = StoredEvent("c-1", 1, "NoteAdded", T0, "anne", "sample.consultant", data)
        store.append(Commit(events=[event]))
        (stored,) = store.read_case("c-1")
        assert stored.data == data
        assert stored == attrs.evolve(event, position=1)

    # -- lifetime ---------------------------------------------------------------------------

    def test_data_survives_reopen(self, store: CaseStore) -> None:
        self.require_durable()
        cases = index_cases()
        for events, row in cases:
            store.append(
                Commit(
                    events=[codec.encode(e) for e in events],
                    cases=[row],
                    audit=[audit_entry(events[-1].at, case_id=row.case_id)],
                )
            )
        store.record_audit([audit_entry(T0 + HOUR, action=AuditAction.SEARCH, detail="all")])
        everything = [row.case_id for _, row in cases]
        before = snapshot(store, everything)
        again = self.reopened(store)
        assert snapshot(again, everything) == before
        for events, _ in cases:
            case_id = events[0].case_id
            assert [codec.decode(e) for e in again.read_case(case_id)] == events
        for query, expected in CASE_QUERIES:
            assert ids(again.find_cases(query)) == expected

    def test_positions_and_audit_ids_continue_after_reopen(self, store: CaseStore) -> None:
        self.require_durable()
        history: list[CaseEvent] = [opened("c-1"), note("c-1", 2)]
        store.append(commit_of(*history, audit=[audit_entry(T0, case_id="c-1")]))
        again = self.reopened(store)
        later = note("c-1", 3)
        assert again.append(
            commit_of(later, history={"c-1": history}, audit=[audit_entry(T0, case_id="c-1")])
        ) == (3,)
        with pytest.raises(ConcurrencyError):
            again.append(Commit(events=[codec.encode(note("c-1", 2, "late"))]))
        assert positions(again.read_log()) == [1, 2, 3]
        first, second = again.read_audit(AuditQuery())
        assert first.id is not None
        assert second.id is not None
        assert second.id > first.id
        assert again.case_row("c-1") == row_of([*history, later])

    @pytest.mark.parametrize("call", sorted(CLOSED_CALLS))
    def test_a_closed_store_refuses_use(self, store: CaseStore, call: str) -> None:
        store.append(commit_of(opened("c-1")))
        store.close()
        with pytest.raises(StoreError):
            CLOSED_CALLS[call](store)

    # -- data keys and the identity vault ------------------------------------------------

    def test_a_new_store_has_no_keys_identities_or_events(self, store: CaseStore) -> None:
        assert store.read_keys(["c-1"]) == {}
        assert store.read_keys([]) == {}
        assert store.subject_cases("p-1") == []
        assert store.read_identity("p-1") is None
        assert store.read_events(EventQuery()) == []

    def test_keys_are_written_with_the_opening_commit(self, store: CaseStore) -> None:
        key = key_of("c-1")
        assert store.append(attrs.evolve(commit_of(opened("c-1")), keys=[key])) == (1,)
        assert store.read_keys(["c-1", "nope"]) == {"c-1": key}
        (stored,) = store.read_keys(["c-1"]).values()
        assert stored.wrapped == key.wrapped
        assert isinstance(stored.wrapped, bytes)
        assert stored.created_at == T0
        assert stored.created_at.tzinfo is not None
        assert store.subject_cases("p-1") == ["c-1"]
        # A later commit of the case writes no key and leaves the one there.
        store.append(commit_of(note("c-1", 2), history={"c-1": [opened("c-1")]}))
        assert store.read_keys(["c-1"]) == {"c-1": key}

    @pytest.mark.parametrize("size", [1, 20], ids=["small commit", "large commit"])
    def test_a_conflicting_commit_writes_no_key(self, store: CaseStore, size: int) -> None:
        first = key_of("c-1")
        store.append(attrs.evolve(commit_of(opened("c-1")), keys=[first]))
        before = snapshot(store, ["c-1", "c-2"])
        # Another writer opens c-1 again (with new cases before it, and their keys).
        others = [f"a-{n:02d}" for n in range(size)]
        again = commit_of(*(opened(case_id) for case_id in others), opened("c-1"))
        keyed = [key_of(case_id) for case_id in others]
        refused = [
            attrs.evolve(again, keys=[*keyed, key_of("c-1", "p-2")]),
            # Its events are new, but c-1 has a key: the key conflicts.
            attrs.evolve(again, events=again.events[:-1], keys=[*keyed, key_of("c-1")]),
            # One case keyed twice in a commit.
            attrs.evolve(again, events=again.events[:-1], keys=[*keyed, *keyed[-1:]]),
            attrs.evolve(
                commit_of(note("c-1", 2), history={"c-1": [opened("c-1")]}),
                keys=[key_of("c-1")],
                identities=[identity_of("p-9")],
            ),
        ]
        expected = [("c-1", 1), ("c-1", 1), (others[-1], 1), ("c-1", 2)]
        for commit, (case_id, version) in zip(refused, expected, strict=True):
            with pytest.raises(ConcurrencyError) as conflict:
                store.append(commit)
            assert (conflict.value.case_id, conflict.value.version) == (case_id, version)
            assert snapshot(store, ["c-1", "c-2"]) == before
            assert store.read_keys([*others, "c-1"]) == {"c-1": first}
            assert store.subject_cases("p-2") == []
            assert store.read_identity("p-9") is None

    def test_read_keys_and_subject_cases(self, store: CaseStore) -> None:
        subjects = {"c-10": "p-1", "c-2": "p-1", "c-1": "p-1", "b-1": "p-2", "n-1": None}
        written = {case_id: key_of(case_id, subject) for case_id, subject in subjects.items()}
        store.append(
            attrs.evolve(
                commit_of(*(opened(case_id) for case_id in subjects)), keys=written.values()
            )
        )
        store.append(commit_of(opened("x-1")))  # a case without a key
        assert store.read_keys(["c-2", "nope", "x-1", "n-1", "c-2"]) == {
            "c-2": written["c-2"],
            "n-1": written["n-1"],
        }
        assert store.read_keys(subjects) == written
        assert store.subject_cases("p-1") == ["c-1", "c-10", "c-2"]
        assert store.subject_cases("p-2") == ["b-1"]
        assert store.subject_cases("nobody") == []
        assert store.read_keys([f"c-{n}" for n in range(1200)]).keys() == {"c-1", "c-2", "c-10"}

    def test_identities_are_inserted_or_kept(self, store: CaseStore) -> None:
        first = identity_of("p-1", b"first")
        assert store.append(Commit(identities=[first])) == ()
        assert store.append(Commit(events=(), identities=[identity_of("p-0")])) == ()
        assert store.max_position() == 0
        assert store.read_identity("p-1") == first
        # Enrolled again with a case: the stored entry is kept; a new person is added.
        again = attrs.evolve(
            commit_of(opened("c-1")),
            keys=[key_of("c-1")],
            identities=[identity_of("p-1", b"second"), identity_of("p-2", b"two")],
        )
        assert store.append(again) == (1,)
        assert store.read_identity("p-1") == first
        assert store.read_identity("p-2") == identity_of("p-2", b"two")
        # Twice in one commit: the first is kept.
        store.append(Commit(identities=[identity_of("p-3", b"a"), identity_of("p-3", b"b")]))
        stored = store.read_identity("p-3")
        assert stored is not None
        assert stored.sealed == b"a"
        assert stored.created_at.tzinfo is not None
        assert store.read_identity("p-4") is None
        assert store.read_keys(["c-1"]) == {"c-1": key_of("c-1")}

    def test_an_empty_commit_writes_nothing(self, store: CaseStore) -> None:
        store.append(commit_of(opened("c-1")))
        before = snapshot(store, ["c-1"])
        assert store.append(Commit()) == ()
        assert store.append(Commit(events=[])) == ()
        assert snapshot(store, ["c-1"]) == before

    def test_put_identity_inserts_or_replaces_with_its_audit(self, store: CaseStore) -> None:
        enrol = audit_entry(UTC0, action=AuditAction.ENROL, detail="vault entry")
        store.put_identity(identity_of("p-1", b"first"), [enrol])
        assert store.read_identity("p-1") == identity_of("p-1", b"first")
        later = identity_of("p-1", b"second", at=T0 + HOUR)
        reidentify = audit_entry(UTC0 + HOUR, action=AuditAction.REIDENTIFY)
        store.put_identity(later, [reidentify])
        assert store.read_identity("p-1") == later
        store.put_identity(identity_of("p-2"), [])
        entries = store.read_audit(AuditQuery())
        assert [(e.action, e.at) for e in entries] == [
            (AuditAction.ENROL, enrol.at),
            (AuditAction.REIDENTIFY, reidentify.at),
        ]
        assert all(isinstance(e.action, AuditAction) for e in entries)

    def _keyed_cases(self, store: CaseStore) -> list[str]:
        """Write cases c-1, c-2 (person p-1), c-3 (p-2) and c-4 (no person), with their keys."""
        subjects = {"c-1": "p-1", "c-2": "p-1", "c-3": "p-2", "c-4": None}
        for case_id, subject in subjects.items():
            store.append(
                attrs.evolve(
                    commit_of(opened(case_id), audit=[audit_entry(T0, case_id=case_id)]),
                    keys=[key_of(case_id, subject)],
                    identities=[identity_of(subject)] if subject else [],
                )
            )
        store.append(commit_of(moved("c-1", 2, "closed"), history={"c-1": [opened("c-1")]}))
        return list(subjects)

    def test_erase_deletes_the_keys_and_entries_named_and_nothing_else(
        self, store: CaseStore
    ) -> None:
        cases = self._keyed_cases(store)
        before = snapshot(store, cases)
        entries = [
            audit_entry(UTC0 + HOUR, case_id=case_id, action=AuditAction.ERASE, detail="erased")
            for case_id in ("c-1", "c-2")
        ]
        store.erase(["c-1", "c-2", "nope"], ["p-1", "nobody"], entries)
        assert store.read_keys(cases) == {"c-3": key_of("c-3", "p-2"), "c-4": key_of("c-4", None)}
        assert store.subject_cases("p-1") == []
        assert store.subject_cases("p-2") == ["c-3"]
        assert store.read_identity("p-1") is None
        assert store.read_identity("p-2") == identity_of("p-2")
        after = snapshot(store, cases)
        audit_before, audit_after = before.pop("audit"), after.pop("audit")
        assert after == before  # events, index rows and positions stay
        assert isinstance(audit_before, list)
        assert isinstance(audit_after, list)
        assert audit_after[: len(audit_before)] == audit_before
        erased = audit_after[len(audit_before) :]
        assert [attrs.evolve(e, id=None) for e in erased] == entries
        assert all(e.id is not None for e in erased)
        # Nothing left to erase: only the audit entry is written.
        store.erase(["c-1"], ["p-1"], [entries[0]])
        store.erase([], [], [])
        assert store.read_keys(cases).keys() == {"c-3", "c-4"}
        assert len(store.read_audit(AuditQuery())) == len(audit_after) + 1

    def test_a_case_erased_can_be_written_to_but_not_keyed_twice(self, store: CaseStore) -> None:
        self._keyed_cases(store)
        store.erase(["c-3"], ["p-2"], [])
        history: list[CaseEvent] = [opened("c-3")]
        assert store.append(commit_of(note("c-3", 2), history={"c-3": history})) == (6,)
        # Its key can be written again after erasure (the store does not remember it).
        store.append(Commit(keys=[key_of("c-3", "p-2")]))
        with pytest.raises(ConcurrencyError):
            store.append(Commit(keys=[key_of("c-3", "p-2")]))

    @pytest.mark.parametrize("size", [1, 2, 20], ids=["one event", "two cases", "large commit"])
    def test_a_commit_keyed_to_a_case_erased_meanwhile_is_refused_and_writes_nothing(
        self, store: CaseStore, size: int
    ) -> None:
        cases = self._keyed_cases(store)
        store.erase(["c-3"], ["p-2"], [])
        before = snapshot(store, cases)
        history: dict[str, Sequence[CaseEvent]] = {c: [opened(c)] for c in ("c-2", "c-3")}
        events = [note("c-3", 2)]
        if size > 1:  # c-2 still has its key; the whole commit is refused all the same
            events = [*(note("c-2", v) for v in range(2, size + 1)), *events]
        commit = attrs.evolve(
            commit_of(*events, history=history, audit=[audit_entry(T0, case_id="c-2")]),
            keyed=sorted({e.case_id for e in events}),
        )
        with pytest.raises(ConcurrencyError) as conflict:
            store.append(commit)
        assert (conflict.value.case_id, conflict.value.version) == ("c-3", 0)
        assert "re-wrapped or erased" in str(conflict.value)
        assert snapshot(store, cases) == before
        # Keyed to cases that have their key (one of them re-wrapped in the commit) it goes in.
        kept = [e for e in events if e.case_id == "c-2"] or [note("c-2", 2)]
        fine = attrs.evolve(
            commit_of(*kept, history=history),
            keyed=["c-2", "c-4"],
            rewrapped=[rewrapped(key_of("c-2", "p-1"))],
        )
        assert len(store.append(fine)) == len(kept)
        assert len(store.read_case("c-2")) == 1 + len(kept)

    def test_keyed_names_each_case_once(self) -> None:
        assert Commit(keyed=["c-2", "c-1", "c-2"]).keyed == ("c-2", "c-1")

    @pytest.mark.parametrize(
        ("query", "expected"),
        EVENT_QUERIES,
        ids=[f"{n}: {q}" for n, (q, _) in enumerate(EVENT_QUERIES)],
    )
    def test_read_events(self, store: CaseStore, query: EventQuery, expected: list[str]) -> None:
        log = event_log()
        for _, commit in log:
            store.append(commit)
        stored = dict(zip([name for name, _ in log], store.read_log(), strict=True))
        found = store.read_events(query)
        assert found == [stored[name] for name in expected]

    def test_describe_names_closed_before(self) -> None:
        text = CaseQuery(closed_before=UTC0, open_only=False).describe()
        assert text == f"closed_before={UTC0}"

    def test_describe_names_municipalities_sorted(self) -> None:
        query = CaseQuery(municipalities=[HJORRING, AALBORG], open_only=True, limit=3)
        assert query.municipalities == frozenset({AALBORG, HJORRING})
        assert query.describe() == "open_only=True, municipalities={0851,0860}, limit=3"
        assert CaseQuery(municipalities=()).describe() == "municipalities={}"
        assert CaseQuery(municipalities=AALBORG).municipalities == frozenset({AALBORG})

    def test_rewrite_event_data_changes_only_the_rows_named(self, store: CaseStore) -> None:
        one: list[CaseEvent] = [opened("c-1"), note("c-1", 2, "secret")]
        two: list[CaseEvent] = [opened("c-2")]
        store.append(commit_of(*one, *two))
        store.append(attrs.evolve(commit_of(opened("c-3")), keys=[key_of("c-3")]))
        before = store.read_log()
        entry = audit_entry(UTC0, action=AuditAction.ADMIN, detail="sealed")
        store.rewrite_event_data(
            [("c-1", 2, '{"sealed": "AAAA"}'), ("c-2", 1, '{"sealed": "BBBB"}')],
            [key_of("c-1"), key_of("c-2", None)],
            [entry],
        )
        after = store.read_log()
        changed = {("c-1", 2): '{"sealed": "AAAA"}', ("c-2", 1): '{"sealed": "BBBB"}'}
        assert after == [
            attrs.evolve(event, data=changed.get((event.case_id, event.version), event.data))
            for event in before
        ]
        assert after != before
        assert [e.data for e in store.read_case("c-1")] == [before[0].data, '{"sealed": "AAAA"}']
        assert store.read_keys(["c-1", "c-2", "c-3"]) == {
            "c-1": key_of("c-1"),
            "c-2": key_of("c-2", None),
            "c-3": key_of("c-3"),
        }
        assert [attrs.evolve(e, id=None) for e in store.read_audit(AuditQuery())] == [entry]
        # The log goes on as before.
        assert store.append(commit_of(note("c-1", 3), history={"c-1": one})) == (5,)
        store.rewrite_event_data([], [], [])
        assert store.read_log()[:4] == after

    @pytest.mark.parametrize(
        ("updates", "message"),
        [
            ([("c-1", 2, "{}"), ("c-1", 3, "{}")], "c-1: version 3 is not stored"),
            ([("c-9", 1, "{}")], "c-9: version 1 is not stored"),
            ([("c-1", 0, "{}")], "c-1: version 0 is not stored"),
            ([("c-1", 1, "{}"), ("c-1", 1, "{}")], "c-1: version 1 is given twice"),
        ],
        ids=["a version too many", "an unknown case", "version 0", "twice"],
    )
    def test_rewrite_event_data_refuses_events_not_stored_and_changes_nothing(
        self, store: CaseStore, updates: list[tuple[str, int, str]], message: str
    ) -> None:
        store.append(commit_of(opened("c-1"), note("c-1", 2)))
        before = snapshot(store, ["c-1", "c-9"])
        with pytest.raises(DataError, match=message):
            store.rewrite_event_data(updates, [key_of("c-1")], [audit_entry(T0)])
        assert snapshot(store, ["c-1", "c-9"]) == before
        assert store.read_keys(["c-1"]) == {}

    def test_rewrite_event_data_refuses_a_key_taken_and_changes_nothing(
        self, store: CaseStore
    ) -> None:
        store.append(commit_of(opened("c-1"), opened("c-2")))
        store.append(Commit(keys=[key_of("c-2")]))
        before = snapshot(store, ["c-1", "c-2"])
        for keys in ([key_of("c-1"), key_of("c-2", "p-9")], [key_of("c-1"), key_of("c-1")]):
            with pytest.raises(ConcurrencyError) as conflict:
                store.rewrite_event_data([("c-1", 1, "{}")], keys, [audit_entry(T0)])
            assert conflict.value.case_id == keys[-1].case_id
            assert snapshot(store, ["c-1", "c-2"]) == before
            assert store.read_keys(["c-1", "c-2"]) == {"c-2": key_of("c-2")}

    # -- replacing key rows (a rotated municipal key, a case moved) ----------------------

    def test_replace_keys_replaces_only_the_rows_named_with_their_audit(
        self, store: CaseStore
    ) -> None:
        cases = self._keyed_cases(store)
        store.append(Commit(keys=[key_of("c-9", None, key_id="0123456789ab")]))
        before = snapshot(store, cases)
        stored = store.read_keys([*cases, "c-9"])
        assert stored["c-9"].key_id == "0123456789ab"
        assert stored["c-1"].key_id is None
        changes = [rewrapped(stored["c-1"]), rewrapped(stored["c-9"], "ba9876543210")]
        entries = [
            audit_entry(UTC0 + HOUR, case_id=c.old.case_id, action=AuditAction.REWRAP)
            for c in changes
        ]
        store.replace_keys(changes, entries)
        after = store.read_keys([*cases, "c-9"])
        assert after == {**stored, "c-1": changes[0].new, "c-9": changes[1].new}
        assert store.subject_cases("p-1") == ["c-1", "c-2"]
        now = snapshot(store, cases)
        audit_before, audit_now = before.pop("audit"), now.pop("audit")
        assert now == before  # events, index rows and positions are not touched
        assert isinstance(audit_before, list) and isinstance(audit_now, list)
        assert [attrs.evolve(e, id=None) for e in audit_now[len(audit_before) :]] == entries
        store.replace_keys([], [])  # nothing to do

    def test_replace_keys_refuses_a_row_changed_since_read_and_writes_nothing(
        self, store: CaseStore
    ) -> None:
        cases = self._keyed_cases(store)
        stored = store.read_keys(cases)
        first = rewrapped(stored["c-2"])
        store.replace_keys([first], [])
        erased = rewrapped(stored["c-3"])
        store.erase(["c-3"], [], [])
        before = snapshot(store, cases), store.read_keys(cases)
        refusals = [
            # c-2 was re-wrapped by someone else since it was read (same bytes, other key id too).
            ([rewrapped(stored["c-1"]), rewrapped(stored["c-2"], "aaaaaaaaaaaa")], "c-2"),
            ([rewrapped(attrs.evolve(first.new, key_id="bbbbbbbbbbbb"))], "c-2"),
            # c-3 was erased: its key is never brought back.
            ([rewrapped(stored["c-1"]), erased], "c-3"),
            ([rewrapped(key_of("c-nope"))], "c-nope"),
        ]
        for changes, case_id in refusals:
            with pytest.raises(ConcurrencyError, match="re-wrapped or erased") as refused:
                store.replace_keys(changes, [audit_entry(UTC0, action=AuditAction.REWRAP)])
            assert refused.value.case_id == case_id
            assert (snapshot(store, cases), store.read_keys(cases)) == before
        with pytest.raises(DataError, match="given twice"):
            store.replace_keys([rewrapped(stored["c-1"]), rewrapped(stored["c-1"], "c")], [])
        assert (snapshot(store, cases), store.read_keys(cases)) == before
        with pytest.raises(DataError, match="same case, subject"):
            KeyReplacement(stored["c-1"], attrs.evolve(stored["c-1"], subject="p-9"))

    def test_a_commit_replaces_a_key_row_with_its_events_or_not_at_all(
        self, store: CaseStore
    ) -> None:
        cases = self._keyed_cases(store)
        stored = store.read_keys(cases)
        history: dict[str, list[CaseEvent]] = {"c-4": [opened("c-4")]}
        change = rewrapped(stored["c-4"])
        # A version taken: neither the event nor the key row is written.
        before = snapshot(store, cases), store.read_keys(cases)
        stale = attrs.evolve(commit_of(opened("c-4")), rewrapped=[change])
        with pytest.raises(ConcurrencyError):
            store.append(stale)
        assert (snapshot(store, cases), store.read_keys(cases)) == before
        # A key row changed since read: neither is written either.
        moved_on = attrs.evolve(commit_of(note("c-4", 2), history=history), rewrapped=[change])
        store.replace_keys([change], [])
        before = snapshot(store, cases), store.read_keys(cases)
        with pytest.raises(ConcurrencyError, match="re-wrapped or erased"):
            store.append(moved_on)
        assert (snapshot(store, cases), store.read_keys(cases)) == before
        # Both at once.
        again = rewrapped(change.new, "cccccccccccc")
        positions = store.append(attrs.evolve(moved_on, rewrapped=[again]))
        assert len(positions) == 1
        assert store.read_keys(["c-4"]) == {"c-4": again.new}
        assert [e.version for e in store.read_case("c-4")] == [1, 2]

    def test_keys_and_identities_survive_reopen(self, store: CaseStore) -> None:
        self.require_durable()
        cases = self._keyed_cases(store)
        keys_before = store.read_keys(cases)
        again = self.reopened(store)
        assert again.read_keys(cases) == keys_before
        assert again.read_identity("p-1") == identity_of("p-1")
        assert again.subject_cases("p-1") == ["c-1", "c-2"]
        assert again.find_cases(CaseQuery(closed_before=T0 + HOUR)) == [again.case_row("c-1")]

    def test_municipalities_survive_reopen(self, store: CaseStore) -> None:
        self.require_durable()
        self._old_and_new_cases(store)
        store.set_municipality("sample.young", AALBORG)
        rows = store.find_cases(CaseQuery())
        again = self.reopened(store)
        assert again.find_cases(CaseQuery()) == rows
        assert ids(again.find_cases(CaseQuery(municipalities={AALBORG, HJORRING}))) == [
            "old-2",
            "new-1",
            "old-1",
        ]
