"""Random use of a store, checked after every step against a model of what was written.

A hypothesis state machine per backend opens cases, appends events to them, tries
stale appends (which must be refused and change nothing), writes batches across
cases in one commit, erases the data keys of cases, and reopens the store. After
every step: versions run 1..n, the log's positions run 1..max_position with each
commit's events contiguous, the case index row of every case equals the projection
of a replay of its events, the key rows are those written and not erased, and the
store holds as many cases as the model.

PostgreSQL runs all examples of one test on one schema: each example uses case ids
of its own (a random prefix) and checks its own cases, and the counts it started from.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.events import CaseEvent, CaseResumed
from ssp_core.exceptions import ConcurrencyError
from ssp_core.store import AuditQuery, CaseQuery, CaseStore, Commit, open_store
from ssp_core.store.codec import codec
from ssp_core.store.projection import case_row
from ssp_core.store.records import KeyRecord
from tests.store.conftest import PostgresSchemas
from tests.store.contract import (
    AALBORG,
    FINALS,
    HJORRING,
    T0,
    assigned,
    audit_entry,
    commit_of,
    moved,
    note,
    opened,
    suspended,
)

MACHINE_SETTINGS = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""Few, short runs: the point is every backend against the same model, not volume."""

DAY = dt.date(2026, 3, 2)
WORKFLOWS = ["sample.young", "sample.adult", "sample.track"]
STATES = ["received", "assessment", "intervention", "closed"]

due_days = st.none() | st.integers(min_value=-5, max_value=40)
municipalities = st.none() | st.sampled_from([AALBORG, HJORRING])
"""A case's municipality, or none (a history written before 0.2)."""
event_specs = st.one_of(
    st.tuples(st.just("note"), st.text(max_size=12)),
    st.tuples(st.just("assign"), st.sampled_from([None, "anne", "bo", "Åse"])),
    st.tuples(st.just("move"), st.sampled_from(STATES), due_days),
    st.tuples(st.just("suspend"), st.none()),
    st.tuples(st.just("resume"), due_days),
)
"""What an appended event does: (kind, its argument)."""


def _due(days: int | None) -> dt.date | None:
    return None if days is None else DAY + dt.timedelta(days=days)


def make_event(case_id: str, version: int, at: dt.datetime, spec: tuple[Any, ...]) -> CaseEvent:
    kind, argument = spec[0], spec[1]
    if kind == "note":
        return note(case_id, version, argument, at=at)
    if kind == "assign":
        return assigned(case_id, version, argument, at=at)
    if kind == "move":
        return moved(case_id, version, argument, due=_due(spec[2]), at=at)
    if kind == "suspend":
        return suspended(case_id, version, at=at)
    due = _due(argument)
    return CaseResumed(
        case_id=case_id,
        version=version,
        at=at,
        actor="bo",
        role="sample.consultant",
        due=() if due is None else (DueDate("received", due),),
    )


class StoreMachine(RuleBasedStateMachine):
    """Drives one store; ``new_url`` gives the store of an example, ``durable``: can reopen."""

    cases = Bundle("cases")

    def __init__(self, new_url: Callable[[], str], *, durable: bool) -> None:
        super().__init__()
        self.url = new_url()
        self.durable = durable
        self.store: CaseStore = open_store(self.url)
        self.prefix = f"s{uuid.uuid4().hex[:10]}"
        self.serial = 0
        self.now = T0
        self.model: dict[str, list[CaseEvent]] = {}
        self.audited: Counter[str] = Counter()
        self.keys: dict[str, KeyRecord] = {}
        self.commits: list[tuple[list[tuple[str, int]], tuple[int, ...]]] = []
        self.written = False  # since the last reopen (reopening an unchanged store tells little)
        # Other examples may have left data on a shared PostgreSQL schema.
        self.base_cases = self.store.count_cases()
        self.base_position = self.store.max_position()

    def teardown(self) -> None:
        self.store.close()

    # -- helpers -------------------------------------------------------------------------

    def _new_id(self) -> str:
        self.serial += 1
        return f"{self.prefix}-{self.serial:04d}"

    def _tick(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=7, microseconds=1)
        return self.now

    def _key(self, case_id: str) -> KeyRecord:
        """Return the key row of a new case, naming one of three subjects of this example."""
        subject = f"{self.prefix}-p{self.serial % 3}"
        return KeyRecord(case_id, case_id.encode() * 2, subject, self.now)

    def _commit(self, events: list[CaseEvent], keys: Sequence[KeyRecord] = ()) -> tuple[int, ...]:
        touched = sorted({event.case_id for event in events})
        commit = commit_of(
            *events,
            history=self.model,
            audit=[audit_entry(self.now, actor=self.prefix, case_id=c) for c in touched],
        )
        top = self.store.max_position()
        got = self.store.append(attrs.evolve(commit, keys=keys))
        self.keys.update((key.case_id, key) for key in keys)
        assert got == tuple(range(top + 1, top + 1 + len(events)))
        for event in sorted(events, key=lambda e: e.version):
            self.model.setdefault(event.case_id, []).append(event)
        self.audited.update(touched)
        self.written = True
        self.commits.append((sorted((e.case_id, e.version) for e in events), got))
        return got

    def _everything(self, extra: list[str]) -> dict[str, Any]:
        wanted = [*self.model, *extra]
        return {
            "log": self.store.read_log(),
            "max_position": self.store.max_position(),
            "count": self.store.count_cases(),
            "events": self.store.read_cases(wanted),
            "rows": {case_id: self.store.case_row(case_id) for case_id in wanted},
            "index": self.store.find_cases(CaseQuery()),
            "audit": self.store.read_audit(AuditQuery()),
        }

    # -- rules ------------------------------------------------------------------------

    def _open(self, workflow: str, due: int | None, municipality: str | None) -> str:
        case_id = self._new_id()
        at = self._tick()
        event = opened(case_id, at=at, workflow=workflow, due=_due(due), municipality=municipality)
        self._commit([event], [self._key(case_id)])
        return case_id

    @initialize(
        target=cases, workflow=st.sampled_from(WORKFLOWS), due=due_days, municipality=municipalities
    )
    def first_case(self, workflow: str, due: int | None, municipality: str | None) -> str:
        return self._open(workflow, due, municipality)

    @rule(
        target=cases, workflow=st.sampled_from(WORKFLOWS), due=due_days, municipality=municipalities
    )
    def open_case(self, workflow: str, due: int | None, municipality: str | None) -> str:
        return self._open(workflow, due, municipality)

    @rule(case_id=cases, specs=st.lists(event_specs, min_size=1, max_size=3))
    def append(self, case_id: str, specs: list[tuple[Any, ...]]) -> None:
        first = len(self.model[case_id]) + 1
        at = self._tick()
        self._commit([make_event(case_id, first + n, at, spec) for n, spec in enumerate(specs)])

    @rule(case_id=cases, data=st.data(), with_new_case=st.booleans())
    def stale_append(self, case_id: str, data: st.DataObject, with_new_case: bool) -> None:
        version = data.draw(st.integers(1, len(self.model[case_id])), label="taken version")
        at = self._tick()
        events: list[CaseEvent] = [note(case_id, version, "stale", at=at)]
        new_id = self._new_id()
        if with_new_case:
            events.append(opened(new_id, at=at))
        current = self.store.case_row(case_id)
        assert current is not None
        commit = Commit(
            events=[codec.encode(event) for event in events],
            cases=[attrs.evolve(current, state="stale")],
            audit=[
                audit_entry(at, actor=self.prefix, case_id=case_id),
                audit_entry(at, actor=self.prefix, case_id=new_id),
            ],
            keys=[self._key(new_id)] if with_new_case else [],
        )
        before = self._everything([new_id])
        with pytest.raises(ConcurrencyError) as refused:
            self.store.append(commit)
        assert (refused.value.case_id, refused.value.version) == (case_id, version)
        assert self._everything([new_id]) == before
        assert self.store.read_case(new_id) == []
        assert self.store.case_row(new_id) is None
        assert self.store.read_keys([new_id]) == {}

    @rule(case_id=cases)
    def erase(self, case_id: str) -> None:
        entry = audit_entry(self._tick(), actor=self.prefix, case_id=case_id)
        self.store.erase([case_id], [], [entry])
        self.keys.pop(case_id, None)
        self.audited[case_id] += 1

    @rule(data=st.data(), new_cases=st.integers(min_value=0, max_value=2))
    def batch(self, data: st.DataObject, new_cases: int) -> None:
        at = self._tick()
        chosen = data.draw(
            st.lists(st.sampled_from(sorted(self.model)), unique=True, max_size=3),
            label="existing cases",
        )
        events: list[CaseEvent] = []
        for case_id in chosen:
            specs = data.draw(st.lists(event_specs, min_size=1, max_size=2), label=case_id)
            first = len(self.model[case_id]) + 1
            events += [make_event(case_id, first + n, at, spec) for n, spec in enumerate(specs)]
        keys = []
        for _ in range(new_cases if chosen else max(new_cases, 1)):
            case_id = self._new_id()
            events.append(opened(case_id, at=at, due=DAY))
            keys.append(self._key(case_id))
            if data.draw(st.booleans(), label="and a note"):
                events.append(note(case_id, 2, "second", at=at))
        self._commit(data.draw(st.permutations(events), label="order in the commit"), keys)

    @precondition(lambda self: self.written)
    @rule()
    def reopen(self) -> None:
        self.written = False
        if self.durable:
            self.store.close()
            self.store = open_store(self.url)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def every_case_equals_its_model_and_its_row_a_replay(self) -> None:
        # One query each for events, rows and audit: the invariant runs after every step.
        found = self.store.read_cases(list(self.model))
        rows = {row.case_id: row for row in self.store.find_cases(CaseQuery())}
        mine = self.store.read_audit(AuditQuery(actor=self.prefix))
        audited = Counter(entry.case_id for entry in mine)
        assert set(found) == set(self.model)
        for case_id, events in self.model.items():
            stored = found[case_id]
            assert [event.version for event in stored] == list(range(1, len(events) + 1))
            decoded = [codec.decode(event) for event in stored]
            assert decoded == events
            assert rows[case_id] == case_row(Case.replay(decoded), FINALS)
            assert audited[case_id] == self.audited[case_id]
        if self.model:
            newest = max(self.model, key=lambda case_id: self.model[case_id][-1].at)
            assert self.store.read_case(newest) == found[newest]
            assert self.store.case_row(newest) == rows[newest]

    @invariant()
    def positions_run_one_to_max_with_commits_contiguous(self) -> None:
        # Positions before this example's were checked by the examples that wrote them.
        log = self.store.read_log(after=self.base_position)
        top = self.store.max_position()
        assert [event.position for event in log] == list(range(self.base_position + 1, top + 1))
        at = {event.position: (event.case_id, event.version) for event in log}
        for keys, got in self.commits:
            assert got == tuple(range(got[0], got[0] + len(keys)))
            assert [at[position] for position in got] == keys

    @invariant()
    def the_key_rows_are_those_written_and_not_erased(self) -> None:
        assert self.store.read_keys(self.model) == self.keys
        for n in range(3):
            subject = f"{self.prefix}-p{n}"
            mine = sorted(key.case_id for key in self.keys.values() if key.subject == subject)
            assert self.store.subject_cases(subject) == mine

    @invariant()
    def the_store_holds_the_models_cases(self) -> None:
        assert self.store.count_cases() == self.base_cases + len(self.model)


def run_machine(new_url: Callable[[], str], *, durable: bool) -> None:
    class Machine(StoreMachine):
        def __init__(self) -> None:
            super().__init__(new_url, durable=durable)

    run_state_machine_as_test(Machine, settings=MACHINE_SETTINGS)


def test_memory_store_follows_the_model() -> None:
    run_machine(lambda: "memory://", durable=False)


def test_sqlite_store_follows_the_model(tmp_path: Path) -> None:
    run_machine(lambda: f"sqlite:///{tmp_path / uuid.uuid4().hex}.db", durable=True)


def test_postgres_store_follows_the_model(postgres_store_factory: PostgresSchemas) -> None:
    url = postgres_store_factory.new_url()
    run_machine(lambda: url, durable=True)
