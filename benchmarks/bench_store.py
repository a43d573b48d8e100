"""The case-store measurements behind ``benchmarks/run.py``: workloads, baselines, timers.

Every workload runs several contestants (ssp_core's store and the raw driver, and
for comparison the ``eventsourcing`` library's SQLite store) on the same rows, in
rounds: each round times every contestant once, in alternating order (A B C, then
C B A), and the first round is a discarded warm-up. A ratio is the median over the
rounds of the per-round ratio, so that the machine's changing speed affects both
sides of each ratio alike.

The rows are real: four eight-event case histories, one per Aalborg action card,
made with the workflow engine; each benchmark case is one of them under a case id
of its own, encoded as ``Casework`` encodes it: with a random data key of its own
(AES-256-GCM, wrapped by a municipal key into the key row the opening command
writes), under which the codec seals the personal fields of every event. Whatever
loads a case gets its data key from a dict (case id to key), as ``Casework`` gets
it from its keyring's cache; reading and unwrapping the key row is measured apart.

Durable writes go to files in a fresh temporary directory (SQLite: WAL,
``synchronous=FULL``) or to fresh PostgreSQL schemas that are dropped afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gc
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from time import perf_counter_ns
from typing import Any

import attrs
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench_measure import ACTOR, AT, SUBJECT
from ssp_aalborg import hooks
from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.events import (
    Assigned,
    CaseEvent,
    CaseOpened,
    FactRecorded,
    NoteAdded,
    Transitioned,
)
from ssp_core.domain.people import Subject
from ssp_core.domain.roles import Actor
from ssp_core.plugins.manager import create_plugin_host
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.keys import MunicipalKey
from ssp_core.privacy.sealing import Keyring, new_data_key
from ssp_core.store import (
    AuditAction,
    AuditEntry,
    CaseRow,
    CaseStore,
    Commit,
    KeyRecord,
    StoredEvent,
    codec,
    open_store,
)
from ssp_core.store.base import utc
from ssp_core.store.projection import case_row
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.engine import WorkflowEngine

try:
    from eventsourcing.application import Application
    from eventsourcing.cryptography import AESCipher
    from eventsourcing.domain import (
        BaseAggregate,
        CanInitAggregate,
        CanMutateAggregate,
        MetaDomainEvent,
        event,
    )
    from eventsourcing.persistence import JSONTranscoder, Transcoding
    from eventsourcing.persistence import StoredEvent as EsStoredEvent
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
except ImportError as exc:  # pragma: no cover - the bench dependency group installs it
    ES_MISSING: str | None = f"the eventsourcing library is not installed ({exc})"
else:
    ES_MISSING = None

ES_CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
"""The eventsourcing library's AES-GCM cipher (on ``cryptography``) for the load comparison."""

__all__ = [
    "EVENTS_PER_CASE",
    "POSTGRES_URL",
    "STORE_FULL",
    "STORE_QUICK",
    "History",
    "StoreResults",
    "StoreSettings",
    "Workload",
    "measure_store",
]

POSTGRES_URL = os.environ.get("SSP_BENCH_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test"
"""The server the PostgreSQL workloads use (``SSP_BENCH_POSTGRES`` overrides it)."""

EVENTS_PER_CASE = 8
TIMES = "\N{MULTIPLICATION SIGN}"
SQLITE_BATCH_CASES = 100
"""Cases per SQLite batch transaction (100 cases of 8 events: 800 events)."""
SQLITE_RAW_CHUNK = 100
"""Rows per ``executemany`` call of the raw SQLite batch baseline."""
POSTGRES_BATCH_CASES = 125
"""Cases per PostgreSQL batch transaction (125 cases of 8 events: 1,000 events)."""
PURPOSE = "casework"
POLICE = Actor(id="bench-police", role="aalborg.police_ssp_coordinator")
"""The second actor of the histories: the police SSP coordinator who screens travel cases."""
KEYRING = Keyring(MunicipalKey.generate(), cache_size=0)
"""The benchmark's municipal key, which wraps each case's data key.

It keeps no opened keys in memory (``cache_size=0``), so that every
:meth:`~ssp_core.privacy.sealing.Keyring.open_case_key` of the key benchmark unwraps.
"""
SEALED = "sealed"
"""The member of a stored payload that holds its sealed fields (the codec's envelope)."""

_EVENT_INSERT = "INSERT INTO events (case_id, version, topic, at, actor, role, data) VALUES "
_CASE_COLUMNS = (
    "case_id, workflow, workflow_version, state, assignee, opened_at, closed_at, next_due, on_hold"
)
_AUDIT_COLUMNS = "at, actor, role, purpose, action, case_id, detail"
_KEY_COLUMNS = "case_id, wrapped, subject, created_at"
_SQLITE_KEY_SQL = f"INSERT INTO case_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?)"  # noqa: S608
_PG_KEY_SQL = f"INSERT INTO case_keys ({_KEY_COLUMNS}) VALUES (%s, %s, %s, %s)"  # noqa: S608
_SQLITE_CASE_SQL = (
    f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES ({', '.join('?' * 9)}) "  # noqa: S608
    "ON CONFLICT (case_id) DO UPDATE SET state = excluded.state, "
    "assignee = excluded.assignee, closed_at = excluded.closed_at, "
    "next_due = excluded.next_due, on_hold = excluded.on_hold"
)
_SQLITE_AUDIT_SQL = f"INSERT INTO audit ({_AUDIT_COLUMNS}) VALUES ({', '.join('?' * 7)})"  # noqa: S608
_PG_CASE_SQL = (
    f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES ({', '.join(['%s'] * 9)}) "  # noqa: S608
    "ON CONFLICT (case_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _CASE_COLUMNS.split(", ")[1:])
)
_PG_AUDIT_SQL = f"INSERT INTO audit ({_AUDIT_COLUMNS}) VALUES ({', '.join(['%s'] * 7)})"  # noqa: S608
_PG_SELECT_CASE = (
    "SELECT case_id, version, topic, at, actor, role, {data} FROM events "
    "WHERE case_id = %s ORDER BY version"
)
_RAW_EVENTS_DDL = """CREATE TABLE events (
    position {position},
    case_id {case_id} NOT NULL,
    version {version} NOT NULL,
    topic {topic} NOT NULL,
    at {at} NOT NULL,
    actor {actor} NOT NULL,
    role {role} NOT NULL,
    data {data} NOT NULL,
    UNIQUE (case_id, version))"""
_SQLITE_TYPES = {
    "position": "INTEGER PRIMARY KEY",
    "case_id": "TEXT",
    "version": "INTEGER",
    "topic": "TEXT",
    "at": "TEXT",
    "actor": "TEXT",
    "role": "TEXT",
    "data": "TEXT",
}


@attrs.frozen
class StoreSettings:
    """How big each store benchmark is."""

    name: str
    rounds: int
    """Timed rounds of every workload (one warm-up round more is run and discarded)."""
    single_cases: int
    """SQLite, one event per command: cases per round (8 commits each)."""
    batch_transactions: int
    """SQLite, batched: transactions of 100 cases of 8 events, per round."""
    pg_rounds: int
    pg_single_cases: int
    pg_batch_transactions: int
    """PostgreSQL, batched: transactions of 125 cases of 8 events, per round."""
    load_cases: int
    """Cases in the single-case load fixture; every round loads each once, in a new order."""
    pg_load_cases: int
    bulk_cases: int
    """Cases decoded and bound in one run of the bulk-load workload."""
    bulk_rounds: int
    sealing_cases: int
    """Cases (x 8 events) encoded per round, with and without their data keys."""


STORE_FULL = StoreSettings(
    name="full",
    rounds=10,
    single_cases=100,
    batch_transactions=10,
    pg_rounds=8,
    pg_single_cases=60,
    pg_batch_transactions=8,
    load_cases=2_000,
    pg_load_cases=1_000,
    bulk_cases=100_000,
    bulk_rounds=3,
    sealing_cases=500,
)
STORE_QUICK = StoreSettings(
    name="quick",
    rounds=4,
    single_cases=40,
    batch_transactions=3,
    pg_rounds=3,
    pg_single_cases=40,
    pg_batch_transactions=2,
    load_cases=500,
    pg_load_cases=300,
    bulk_cases=10_000,
    bulk_rounds=2,
    sealing_cases=200,
)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- the case histories ---------------------------------------------------------------------


@attrs.frozen
class History:
    """An eight-event history on one action card, as events, stored rows and index rows.

    ``stored`` are the rows as ``Casework`` writes them (personal fields sealed under a
    data key of the template case); ``plain`` the same events encoded without a key.
    """

    workflow: str
    events: tuple[CaseEvent, ...]
    stored: tuple[StoredEvent, ...]
    plain: tuple[StoredEvent, ...]
    rows: tuple[CaseRow, ...]
    """The case's index row after each version (``rows[v - 1]`` after version ``v``)."""

    @property
    def topics(self) -> tuple[str, ...]:
        """Return the event types of the history, oldest first."""
        return tuple(s.topic for s in self.stored)

    @property
    def sealed_topics(self) -> tuple[str, ...]:
        """Return the event types whose stored row has sealed fields, oldest first."""
        return tuple(s.topic for s in self.stored if SEALED in json.loads(s.data))

    @property
    def data_bytes(self) -> int:
        """Return the size of the history's JSON payloads, sealed as stored."""
        return sum(len(s.data.encode()) for s in self.stored)

    @property
    def plain_bytes(self) -> int:
        """Return the size of the history's JSON payloads encoded without a key."""
        return sum(len(s.data.encode()) for s in self.plain)


def bench_registry() -> Registry:
    """Return a registry of a police district: the built-ins, Aalborg and a second municipality.

    The second municipality is the tests' Hjørring (``tests/district/hjoerring.py``,
    test data), so every command and read is measured with the walls between two
    municipalities in place; the cases are Aalborg's.
    """
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.append(root)
    from tests.district import hjoerring  # noqa: PLC0415 (test data, by path)

    return Registry.build(create_plugin_host(autoload=False, plugins=[hooks, hjoerring]))


def _at(minutes: int) -> dt.datetime:
    return AT + dt.timedelta(minutes=minutes)


def _second_fact(engine: WorkflowEngine) -> str:
    used = {"concern_described", "police_screening_done"}
    return next(f.id for f in engine.definition.facts if f.id not in used and not f.requires_detail)


def _history(engine: WorkflowEngine) -> History:
    """Run one eight-command script on ``engine`` and return the case's history."""
    card = engine.definition
    situation = card.applies_to.situation if card.applies_to is not None else None
    first = POLICE if card.initial == "police_screening" else ACTOR
    case = engine.open(
        case_id="template",
        subject=SUBJECT,
        actor=first,
        at=_at(0),
        situation=situation,
        concern_date=dt.date(2025, 3, 1),
        reason="Reported by the school's SSP contact",
    )
    if card.initial == "police_screening":
        engine.record_fact(case, "police_screening_done", POLICE, at=_at(60))
        engine.fire(case, "release_to_casework", POLICE, at=_at(120))
        engine.assign(case, ACTOR.id, POLICE, at=_at(180))
        engine.record_fact(case, "concern_described", ACTOR, at=_at(240), detail="School report")
        engine.fire(case, "begin_analysis", ACTOR, at=_at(300))
        engine.add_note(case, "Talked to the class teacher", ACTOR, at=_at(360))
        engine.fire(case, "complete_analysis", ACTOR, at=_at(420))
    else:
        engine.assign(case, ACTOR.id, ACTOR, at=_at(60))
        engine.record_fact(case, "concern_described", ACTOR, at=_at(120), detail="School report")
        engine.fire(case, "begin_analysis", ACTOR, at=_at(180))
        engine.add_note(case, "Talked to the class teacher", ACTOR, at=_at(240))
        engine.record_fact(case, _second_fact(engine), ACTOR, at=_at(300))
        engine.fire(case, "complete_analysis", ACTOR, at=_at(360))
        engine.add_note(case, "Meeting with the family planned", ACTOR, at=_at(420))
    events = case.events
    if len(events) != EVENTS_PER_CASE:
        raise RuntimeError(f"the {card.id} script made {len(events)} events, not 8")
    rows = tuple(
        case_row(Case.replay(events[:version]), card.final_states)
        for version in range(1, EVENTS_PER_CASE + 1)
    )
    key = new_data_key()
    return History(
        card.id,
        events,
        tuple(codec.encode(e, key=key) for e in events),
        tuple(codec.encode(e) for e in events),
        rows,
    )


def histories(registry: Registry) -> list[History]:
    """Return one eight-event history per Aalborg action card, on its first version.

    Later versions add guards the eight-command script does not satisfy; the first
    versions keep the figures comparable from run to run.
    """
    cards = [
        d
        for d in registry.latest_workflows(WorkflowKind.ACTION_CARD)
        if d.id.startswith("aalborg.")
    ]
    return [_history(registry.engine(card.id, 1)) for card in cards]


def case_key(case_id: str) -> tuple[bytes, KeyRecord]:
    """Return a new random data key for a case, and its key row (wrapped by ``KEYRING``).

    This is what ``Casework`` does when it opens a case: ``new_data_key()``, wrapped by
    the municipal key and bound to the case id, written in the opening command.
    """
    return KEYRING.new_case_key(case_id, SUBJECT.pseudonym, AT)


def stored_case(history: History, case_id: str, key: bytes) -> list[StoredEvent]:
    """Return the stored rows of ``history`` under ``case_id``, as Casework writes them.

    Each event is moved to ``case_id`` and encoded with the case's data ``key``
    (``codec.encode(event, purpose=..., key=key)``): its personal fields are sealed,
    bound to the case, version and type. Each event carries its purpose: an event
    stored with a purpose is the audit entry of its write, so a command writes no
    separate audit row.
    """
    encode = codec.encode
    return [
        encode(attrs.evolve(e, case_id=case_id), purpose=PURPOSE, key=key) for e in history.events
    ]


def case_ids(prefix: str, count: int) -> list[str]:
    """Return ``count`` case ids shaped like Casework's (``C-`` and 16 characters)."""
    return [f"C-{prefix}{n:0{16 - len(prefix)}d}" for n in range(count)]


@attrs.frozen
class Command:
    """What one command writes: one sealed event (with its purpose), the index row, a key.

    ``row`` is ``None`` when the event left the row as it was (a note, a fact): then
    Casework writes the event alone. ``key`` is the case's wrapped data key, written
    by the opening command only. ``audit`` is the same write as a separate audit row,
    for the explanatory baselines.
    """

    event: StoredEvent
    row: CaseRow | None
    audit: AuditEntry
    key: KeyRecord | None = None

    def commit(self) -> Commit:
        """Return the Commit of this command, as Casework hands it to the store."""
        return Commit(
            events=(self.event,),
            cases=() if self.row is None else (self.row,),
            keys=() if self.key is None else (self.key,),
        )


def commands(stories: Sequence[History], ids: Sequence[str]) -> list[Command]:
    """Return the commands that write the histories of ``ids``, version by version.

    First every case is opened, then every case gets its second event, and so on,
    so consecutive commands touch different cases, as in an office with many cases.
    """
    plan = [(stories[n % len(stories)], case_id) for n, case_id in enumerate(ids)]
    keys = {case_id: case_key(case_id) for case_id in ids}
    rows = {case_id: stored_case(story, case_id, keys[case_id][0]) for story, case_id in plan}
    out = []
    for version in range(1, EVENTS_PER_CASE + 1):
        for story, case_id in plan:
            stored = rows[case_id][version - 1]
            changed = version == 1 or story.rows[version - 1] != story.rows[version - 2]
            row = attrs.evolve(story.rows[version - 1], case_id=case_id) if changed else None
            audit = AuditEntry(
                at=stored.at,
                actor=stored.actor,
                role=stored.role,
                purpose=PURPOSE,
                action=AuditAction.WRITE,
                case_id=case_id,
                detail=stored.topic,
            )
            out.append(Command(stored, row, audit, keys[case_id][1] if version == 1 else None))
    return out


def batches(
    stories: Sequence[History],
    ids: Sequence[str],
    per_batch: int,
    data_keys: dict[str, bytes] | None = None,
) -> list[Commit]:
    """Return Commits of ``per_batch`` whole cases each: their events, index and key rows.

    Each case gets a new data key; if ``data_keys`` is given, they are put in it.
    """
    out = []
    for start in range(0, len(ids), per_batch):
        chunk = ids[start : start + per_batch]
        events: list[StoredEvent] = []
        rows: list[CaseRow] = []
        keys: list[KeyRecord] = []
        for n, case_id in enumerate(chunk, start):
            story = stories[n % len(stories)]
            data_key, record = case_key(case_id)
            if data_keys is not None:
                data_keys[case_id] = data_key
            events.extend(stored_case(story, case_id, data_key))
            rows.append(attrs.evolve(story.rows[-1], case_id=case_id))
            keys.append(record)
        out.append(Commit(events=events, cases=rows, keys=keys))
    return out


# -- rows as the raw drivers get them ------------------------------------------------------


def _text_time(moment: dt.datetime) -> str:
    """Return a time as the SQLite store writes it."""
    return utc(moment).isoformat(timespec="microseconds")


def event_tuple(e: StoredEvent, *, text_time: bool = True) -> tuple[Any, ...]:
    """Return an event as a parameter tuple (time as ISO text, or as a datetime)."""
    at: Any = _text_time(e.at) if text_time else e.at
    return (e.case_id, e.version, e.topic, at, e.actor, e.role, e.data)


def key_tuple(k: KeyRecord, *, text_time: bool = True) -> tuple[Any, ...]:
    """Return a key row as a parameter tuple, in ``_KEY_COLUMNS`` order."""
    at: Any = _text_time(k.created_at) if text_time else k.created_at
    return (k.case_id, k.wrapped, k.subject, at)


def case_tuple(r: CaseRow, *, text_time: bool = True) -> tuple[Any, ...]:
    """Return an index row as a parameter tuple, in ``_CASE_COLUMNS`` order."""

    def when(moment: dt.datetime | None) -> Any:
        if moment is None or not text_time:
            return moment
        return _text_time(moment)

    due: Any = r.next_due.isoformat() if text_time and r.next_due is not None else r.next_due
    return (
        r.case_id,
        r.workflow,
        r.workflow_version,
        r.state,
        r.assignee,
        when(r.opened_at),
        when(r.closed_at),
        due,
        int(r.on_hold) if text_time else r.on_hold,
    )


def audit_tuple(a: AuditEntry, *, text_time: bool = True) -> tuple[Any, ...]:
    """Return an audit entry as a parameter tuple, in ``_AUDIT_COLUMNS`` order."""
    at: Any = _text_time(a.at) if text_time else a.at
    return (at, a.actor, a.role, a.purpose, a.action.value, a.case_id, a.detail)


# -- timing ---------------------------------------------------------------------------------


@attrs.frozen
class Contestant:
    """One side of a workload: how to prepare a round's input (untimed) and what to time."""

    name: str
    prepare: Callable[[int], Any]
    run: Callable[[Any], object]


def interleave(contestants: Sequence[Contestant], rounds: int, ops: int) -> dict[str, tuple]:
    """Time every contestant once per round, in alternating order; return ns per operation.

    Round 0 is a warm-up and is not reported. Inputs are prepared before the round's
    first timed run; a full collection runs before each timed run, and whatever the
    run returns is dropped only after its clock stopped.
    """
    per_op: dict[str, list[float]] = {c.name: [] for c in contestants}
    for round_ in range(rounds + 1):
        order = list(contestants) if round_ % 2 == 0 else list(reversed(contestants))
        inputs = {c.name: c.prepare(round_) for c in order}
        for contestant in order:
            payload = inputs.pop(contestant.name)
            gc.collect()
            started = perf_counter_ns()
            result = contestant.run(payload)
            elapsed = perf_counter_ns() - started
            del result, payload
            if round_:
                per_op[contestant.name].append(elapsed / ops)
    return {name: tuple(values) for name, values in per_op.items()}


@attrs.frozen
class Workload:
    """The per-operation times of each contestant of one workload, round by round."""

    key: str
    title: str
    unit: str
    """What one operation is: a command, an event, a case."""
    ops: int
    """Operations each contestant ran per round."""
    per_op_ns: dict[str, tuple[float, ...]] = attrs.field(eq=False)
    labels: dict[str, str] = attrs.field(eq=False)
    """Each contestant's description, by name."""
    notes: tuple[str, ...] = ()
    columns: dict[str, dict[str, str]] = attrs.field(factory=dict, eq=False)
    """Further figures per contestant, by column title (e.g. pages written per commit)."""

    @property
    def rounds(self) -> int:
        """Return the number of timed rounds."""
        return len(next(iter(self.per_op_ns.values())))

    def median(self, name: str) -> float:
        """Return the median time per operation of one contestant."""
        return statistics.median(self.per_op_ns[name])

    def speed(self, ours: str, baseline: str) -> float:
        """Return ``ours``'s throughput as a multiple of ``baseline``'s (median of rounds)."""
        return statistics.median(
            b / o for o, b in zip(self.per_op_ns[ours], self.per_op_ns[baseline], strict=True)
        )

    def slowdown(self, ours: str, baseline: str) -> float:
        """Return ``ours``'s time over ``baseline``'s (median of the per-round ratios)."""
        return 1 / self.speed(ours, baseline)


# -- sealing in the codec ---------------------------------------------------------------------


def sealing(stories: Sequence[History], settings: StoreSettings) -> Workload:
    """Encode the same events with and without their case's data key (no target).

    The write benchmarks take events already encoded, as ``Casework`` hands them to
    the store; this is the part of a command that sealing adds before that.
    """
    count = settings.sealing_cases * EVENTS_PER_CASE

    def prepare(tag: str) -> Callable[[int], list[tuple[CaseEvent, bytes]]]:
        def made(round_: int) -> list[tuple[CaseEvent, bytes]]:
            pairs = []
            ids = case_ids(f"{tag}{round_:02d}", settings.sealing_cases)
            for n, case_id in enumerate(ids):
                key = new_data_key()
                pairs.extend(
                    (attrs.evolve(e, case_id=case_id), key)
                    for e in stories[n % len(stories)].events
                )
            return pairs

        return made

    def run_plain(pairs: list[tuple[CaseEvent, bytes]]) -> list[StoredEvent]:
        encode = codec.encode
        return [encode(e) for e, _ in pairs]

    def run_sealed(pairs: list[tuple[CaseEvent, bytes]]) -> list[StoredEvent]:
        encode = codec.encode
        return [encode(e, key=key) for e, key in pairs]

    per_op = interleave(
        [
            Contestant("plain", prepare("ep"), run_plain),
            Contestant("sealed", prepare("es"), run_sealed),
        ],
        settings.rounds,
        count,
    )
    return Workload(
        "sealing",
        "Sealing in the codec: encoding an event with and without its case's data key",
        "event",
        count,
        per_op,
        {
            "plain": "`codec.encode(event)`: no key, personal fields written as they are",
            "sealed": (
                "`codec.encode(event, key=data_key)`: personal fields sealed (AES-256-GCM), "
                "as `Casework` encodes"
            ),
        },
        (f"{fmt_count(settings.sealing_cases)} cases, each with a data key of its own",),
    )


# -- SQLite -------------------------------------------------------------------------------


def _sqlite_raw(path: Path) -> sqlite3.Connection:
    """Open a plain sqlite3 connection as the store does: WAL, ``synchronous=FULL``."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _sqlite_raw_events(path: Path) -> sqlite3.Connection:
    """Open a new file holding only a same-shaped ``events`` table."""
    conn = _sqlite_raw(path)
    conn.execute(_RAW_EVENTS_DDL.format(**_SQLITE_TYPES))
    conn.commit()
    return conn


def _sqlite_raw_store(path: Path) -> sqlite3.Connection:
    """Create an ssp store file (the full schema) and open a plain connection to it."""
    open_store(f"sqlite:///{path}").close()
    return _sqlite_raw(path)


def _es_recorder(path: Path) -> Any:
    datastore = SQLiteDatastore(db_name=str(path), originator_id_type="text")
    recorder = SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    return recorder


def _es_synchronous(recorder: Any) -> int:
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA synchronous")
        return int(cursor.fetchone()[0])


def _es_stored(e: StoredEvent) -> Any:
    """Return an event as eventsourcing stores it: the same fields, its stamp in the JSON."""
    state = {"at": _text_time(e.at), "actor": e.actor, "role": e.role, **json.loads(e.data)}
    return EsStoredEvent(
        originator_id=e.case_id,
        originator_version=e.version,
        topic=e.topic,
        state=json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode(),
    )


WAL_PROBE_CASES = 5
"""Cases (x 8 commits) of the probe that counts the pages each commit writes to the WAL."""


def wal_frames(path: Path, run: Callable[[Any], object], payload: Any, commits: int) -> float:
    """Return the pages (WAL frames) one commit writes on average, or NaN if not measurable.

    The WAL is checkpointed and truncated first; the probe is small enough (well under
    SQLite's automatic checkpoint at 1,000 frames) that the WAL only grows meanwhile.
    """
    wal = Path(f"{path}-wal")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy or (wal.exists() and wal.stat().st_size):
        return float("nan")
    run(payload)
    size = wal.stat().st_size if wal.exists() else 0
    return max(size - 32, 0) / (page + 24) / commits


def _sqlite_one_row_commits(conn: sqlite3.Connection) -> Callable[[list[Any]], None]:
    def run(rows: list[tuple[Any, ...]]) -> None:
        insert, execute, commit = _EVENT_INSERT + "(?, ?, ?, ?, ?, ?, ?)", conn.execute, conn.commit
        for row in rows:
            execute(insert, row)
            commit()

    return run


def _sqlite_three_row_commits(conn: sqlite3.Connection) -> Callable[[list[Any]], None]:
    def run(rows: list[tuple[tuple[Any, ...], ...]]) -> None:
        event_sql = _EVENT_INSERT + "(?, ?, ?, ?, ?, ?, ?)"
        case_sql, key_sql = _SQLITE_CASE_SQL, _SQLITE_KEY_SQL
        execute, commit = conn.execute, conn.commit
        for event_row, index_row, key_row in rows:
            execute(event_sql, event_row)
            if index_row is not None:
                execute(case_sql, index_row)
            if key_row is not None:
                execute(key_sql, key_row)
            commit()

    return run


def _appender(store: CaseStore) -> Callable[[list[Commit]], None]:
    """Return a run that appends each Commit of its input to ``store``."""

    def run(batch: list[Commit]) -> None:
        append = store.append
        for commit in batch:
            append(commit)

    return run


def _frames(value: float) -> str:
    return "?" if math.isnan(value) else f"{value:.1f}"


def sqlite_single(
    stories: Sequence[History], folder: Path, settings: StoreSettings
) -> tuple[Workload, dict[str, str]]:
    """One event per durable command: one transaction per command, on every contestant."""
    count = settings.single_cases * EVENTS_PER_CASE
    paths = {
        name: folder / f"single-{name}.db" for name in ("raw", "raw3", "ours", "ours_events", "es")
    }
    store = open_store(f"sqlite:///{paths['ours']}")
    store_events = open_store(f"sqlite:///{paths['ours_events']}")
    raw = _sqlite_raw_events(paths["raw"])
    raw3 = _sqlite_raw_store(paths["raw3"])
    facts: dict[str, str] = {}

    run_raw, run_raw3 = _sqlite_one_row_commits(raw), _sqlite_three_row_commits(raw3)
    run_store = _appender

    # What each contestant gets from a list of commands, and what it runs.
    sides: dict[str, tuple[Callable[[list[Command]], Any], Callable[[Any], object]]] = {
        "raw": (lambda cs: [event_tuple(c.event) for c in cs], run_raw),
        "raw3": (
            lambda cs: [
                (
                    event_tuple(c.event),
                    None if c.row is None else case_tuple(c.row),
                    None if c.key is None else key_tuple(c.key),
                )
                for c in cs
            ],
            run_raw3,
        ),
        "ours": (
            lambda cs: [c.commit() for c in cs],
            run_store(store),
        ),
        "ours_events": (
            lambda cs: [Commit(events=(c.event,)) for c in cs],
            run_store(store_events),
        ),
    }
    labels = {
        "raw": "raw `sqlite3`: `INSERT` of the event row, `commit()`",
        "raw3": (
            "raw `sqlite3`: the same rows as ours (event; index row if changed; key row "
            "if opening), `commit()`"
        ),
        "ours": (
            "`SqliteStore.append(Commit(sealed event with its purpose, index row if changed, "
            "key row if opening))`"
        ),
        "ours_events": "`SqliteStore.append(Commit(event))` (the sealed event alone)",
    }
    if ES_MISSING is None:
        recorder = _es_recorder(paths["es"])
        facts["es_synchronous"] = str(_es_synchronous(recorder))

        def run_es(batch: list[list[Any]]) -> None:
            insert = recorder.insert_events
            for stored in batch:
                insert(stored)

        sides["es"] = (lambda cs: [[_es_stored(c.event)] for c in cs], run_es)
        labels["es"] = "eventsourcing `SQLiteApplicationRecorder.insert_events([event])`"

    def prepare(name: str, convert: Callable[[list[Command]], Any]) -> Callable[[int], Any]:
        def made(round_: int) -> Any:
            ids = case_ids(f"s{name[:2]}{name[-1]}{round_:02d}", settings.single_cases)
            return convert(commands(stories, ids))

        return made

    contestants = [
        Contestant(name, prepare(name, convert), run) for name, (convert, run) in sides.items()
    ]
    try:
        per_op = interleave(contestants, settings.rounds, count)
        probe = commands(stories, case_ids("walprobe", WAL_PROBE_CASES))
        frames = {
            name: _frames(wal_frames(paths[name], run, convert(probe), len(probe)))
            for name, (convert, run) in sides.items()
        }
    finally:
        store.close()
        store_events.close()
        raw.close()
        raw3.close()
        if ES_MISSING is None:
            recorder.datastore.close()
    workload = Workload(
        "sqlite_single",
        "SQLite, one event per durable command",
        "command",
        count,
        per_op,
        labels,
        columns={"Pages written to the WAL per commit": frames},
    )
    return workload, facts


def sqlite_batched(stories: Sequence[History], folder: Path, settings: StoreSettings) -> Workload:
    """100 cases of 8 events per transaction, on every contestant."""
    cases = settings.batch_transactions * SQLITE_BATCH_CASES
    count = cases * EVENTS_PER_CASE
    store = open_store(f"sqlite:///{folder / 'batch-ours.db'}")
    store_events = open_store(f"sqlite:///{folder / 'batch-ours-events.db'}")
    raw = _sqlite_raw_events(folder / "batch-raw.db")
    raw_rows = _sqlite_raw_store(folder / "batch-raw-rows.db")

    def commits(tag: str) -> Callable[[int], list[Commit]]:
        return lambda r: batches(stories, case_ids(f"{tag}{r:02d}", cases), SQLITE_BATCH_CASES)

    def run_raw(transactions: list[list[tuple[Any, ...]]]) -> None:
        insert = _EVENT_INSERT + "(?, ?, ?, ?, ?, ?, ?)"
        for rows in transactions:
            for start in range(0, len(rows), SQLITE_RAW_CHUNK):
                raw.executemany(insert, rows[start : start + SQLITE_RAW_CHUNK])
            raw.commit()

    def run_raw_rows(transactions: list[tuple[list[tuple[Any, ...]], ...]]) -> None:
        insert = _EVENT_INSERT + "(?, ?, ?, ?, ?, ?, ?)"
        case_sql, key_sql = _SQLITE_CASE_SQL, _SQLITE_KEY_SQL
        for rows, index_rows, key_rows in transactions:
            for start in range(0, len(rows), SQLITE_RAW_CHUNK):
                raw_rows.executemany(insert, rows[start : start + SQLITE_RAW_CHUNK])
            raw_rows.executemany(case_sql, index_rows)
            raw_rows.executemany(key_sql, key_rows)
            raw_rows.commit()

    run_store = _appender

    contestants = [
        Contestant(
            "raw",
            lambda r: [[event_tuple(e) for e in c.events] for c in commits("br")(r)],
            run_raw,
        ),
        Contestant(
            "raw_rows",
            lambda r: [
                (
                    [event_tuple(e) for e in c.events],
                    [case_tuple(x) for x in c.cases],
                    [key_tuple(k) for k in c.keys],
                )
                for c in commits("b3")(r)
            ],
            run_raw_rows,
        ),
        Contestant("ours", commits("bo"), run_store(store)),
        Contestant(
            "ours_events",
            lambda r: [Commit(events=c.events) for c in commits("be")(r)],
            run_store(store_events),
        ),
    ]
    labels = {
        "raw": (
            f"raw `sqlite3`: `executemany` of {SQLITE_RAW_CHUNK} event rows at a time, "
            "`commit()` after 800"
        ),
        "raw_rows": "raw `sqlite3`: the same, plus the 100 index rows and 100 key rows ours writes",
        "ours": "`SqliteStore.append(Commit(800 sealed events, 100 index rows, 100 key rows))`",
        "ours_events": "`SqliteStore.append(Commit(800 events))` (sealed events alone)",
    }
    if ES_MISSING is None:
        recorder = _es_recorder(folder / "batch-es.db")

        def run_es(batch: list[list[Any]]) -> None:
            for stored in batch:
                recorder.insert_events(stored)

        contestants.append(
            Contestant(
                "es",
                lambda r: [[_es_stored(e) for e in c.events] for c in commits("bv")(r)],
                run_es,
            )
        )
        labels["es"] = "eventsourcing `SQLiteApplicationRecorder.insert_events(800 events)`"
    try:
        per_op = interleave(contestants, settings.rounds, count)
    finally:
        store.close()
        store_events.close()
        raw.close()
        raw_rows.close()
        if ES_MISSING is None:
            recorder.datastore.close()
    return Workload(
        "sqlite_batched",
        f"SQLite, batched: {SQLITE_BATCH_CASES} cases {TIMES} {EVENTS_PER_CASE} events per "
        "transaction",
        "event",
        count,
        per_op,
        labels,
    )


# -- eventsourcing's aggregate for the load comparison ---------------------------------------

if ES_MISSING is None:

    class DateAsISO(Transcoding):
        """A ``datetime.date`` as ISO text (eventsourcing registers only datetimes)."""

        type = dt.date
        name = "date_iso"

        def encode(self, obj: dt.date) -> str:
            return obj.isoformat()

        def decode(self, data: str) -> dt.date:
            return dt.date.fromisoformat(data)

    class SubjectAsDict(Transcoding):
        """The case subject, as the pseudonym and the birth date."""

        type = Subject
        name = "ssp_subject"

        def encode(self, obj: Subject) -> dict[str, Any]:
            return {"pseudonym": obj.pseudonym, "birth_date": obj.birth_date}

        def decode(self, data: dict[str, Any]) -> Subject:
            return Subject(pseudonym=data["pseudonym"], birth_date=data["birth_date"])

    class DueDateAsList(Transcoding):
        """A due date, as rule, date and the missed flag."""

        type = DueDate
        name = "ssp_due"

        def encode(self, obj: DueDate) -> list[Any]:
            return [obj.rule, obj.due, obj.missed]

        def decode(self, data: list[Any]) -> DueDate:
            return DueDate(data[0], data[1], data[2])

    class StrIdAggregate(BaseAggregate[str]):
        """eventsourcing's ``Aggregate``, with text ids (our case ids) instead of UUIDs."""

        class Event(CanMutateAggregate[str], metaclass=MetaDomainEvent):
            originator_id: str
            originator_version: int
            timestamp: dt.datetime

        class Created(CanInitAggregate[str], Event):
            originator_topic: str

    class EsCase(StrIdAggregate):
        """A case as an eventsourcing aggregate: the same events and the same derived fields.

        Every argument of an ``@event`` method becomes a field of its event, stored
        and decoded on each load, whether the method body uses it or not.
        """

        @event("CaseOpened")
        def __init__(  # noqa: PLR0917 - the event's fields
            self,
            id: str,  # noqa: A002, ARG002 - eventsourcing takes the aggregate id by this name
            workflow: str,
            workflow_version: int,
            state: str,
            subject: Subject,
            actor: str,  # noqa: ARG002
            role: str,  # noqa: ARG002
            situation: str | None = None,  # noqa: ARG002
            concern_date: dt.date | None = None,  # noqa: ARG002
            reason: str | None = None,  # noqa: ARG002
            due: tuple[DueDate, ...] = (),
        ) -> None:
            self.workflow = workflow
            self.workflow_version = workflow_version
            self.subject = subject
            self.state = state
            self.assignee: str | None = None
            self.facts: frozenset[str] = frozenset()
            self.due = due

        @event("Transitioned")
        def transition(  # noqa: PLR0917 - the event's fields
            self,
            trigger: str,  # noqa: ARG002
            source: str,  # noqa: ARG002
            dest: str,
            actor: str,  # noqa: ARG002
            role: str,  # noqa: ARG002
            reason: str | None = None,  # noqa: ARG002
            due: tuple[DueDate, ...] = (),
        ) -> None:
            self.state = dest
            self.due = due

        @event("FactRecorded")
        def record_fact(
            self,
            fact: str,
            actor: str,  # noqa: ARG002
            role: str,  # noqa: ARG002
            detail: str | None = None,  # noqa: ARG002
        ) -> None:
            self.facts = self.facts | {fact}

        @event("NoteAdded")
        def add_note(
            self,
            text: str,
            actor: str,
            role: str,
        ) -> None:
            pass

        @event("Assigned")
        def assign(
            self,
            assignee: str | None,
            actor: str,  # noqa: ARG002
            role: str,  # noqa: ARG002
            reason: str | None,  # noqa: ARG002
        ) -> None:
            self.assignee = assignee

    class EsCases(Application[str]):
        """The eventsourcing application that keeps the cases."""

        def register_transcodings(self, transcoder: JSONTranscoder) -> None:
            super().register_transcodings(transcoder)
            transcoder.register(DateAsISO())
            transcoder.register(SubjectAsDict())
            transcoder.register(DueDateAsList())

    def es_case(events: Sequence[CaseEvent], case_id: str) -> EsCase:
        """Return an eventsourcing aggregate that went through the same eight events."""
        first = events[0]
        assert isinstance(first, CaseOpened)
        case = EsCase(
            id=case_id,
            workflow=first.workflow,
            workflow_version=first.workflow_version,
            state=first.state,
            subject=first.subject,
            actor=first.actor,
            role=first.role,
            situation=first.situation,
            concern_date=first.concern_date,
            reason=first.reason,
            due=first.due,
        )
        for e in events[1:]:
            stamp = {"actor": e.actor, "role": e.role}
            if isinstance(e, Transitioned):
                case.transition(e.trigger, e.source, e.dest, reason=e.reason, due=e.due, **stamp)
            elif isinstance(e, FactRecorded):
                case.record_fact(e.fact, detail=e.detail, **stamp)
            elif isinstance(e, NoteAdded):
                case.add_note(e.text, **stamp)
            elif isinstance(e, Assigned):
                case.assign(e.assignee, reason=e.reason, **stamp)
            else:
                raise TypeError(f"no eventsourcing counterpart for {type(e).__name__}")
        return case


# -- loading ----------------------------------------------------------------------------------


def _fill(
    store: CaseStore, stories: Sequence[History], ids: Sequence[str], per_batch: int
) -> dict[str, bytes]:
    """Write the histories of ``ids`` to ``store`` in batches (untimed set-up).

    Return each case's data key by case id: the keys a ``Casework`` keyring holds
    in memory once it has opened them.
    """
    data_keys: dict[str, bytes] = {}
    for start in range(0, len(ids), per_batch * 20):
        for commit in batches(stories, ids[start : start + per_batch * 20], per_batch, data_keys):
            store.append(commit)
    return data_keys


def _loaders(store: CaseStore, data_keys: dict[str, bytes]) -> Callable[[list[str]], list[Case]]:
    """Return a run that loads each case: its rows, replayed with its data key."""
    read, replay = store.read_case, codec.replay

    def run(ids: list[str]) -> list[Case]:
        return [replay(read(case_id), key=data_keys[case_id]) for case_id in ids]

    return run


def _key_openers(store: CaseStore) -> Callable[[list[str]], list[bytes]]:
    """Return a run that reads each case's key row and unwraps its data key (no cache)."""
    read, unwrap = store.read_keys, KEYRING.open_case_key

    def run(ids: list[str]) -> list[bytes]:
        return [unwrap(read([case_id])[case_id]) for case_id in ids]

    return run


def open_sealed(  # noqa: PLR0917 - a stored row's parts, passed as the raw driver gives them
    data: dict[str, Any],
    cipher: AESGCM,
    case_id: str,
    version: int,
    topic: str,
    loads: Callable[[str | bytes], Any],
) -> dict[str, Any]:
    """Open the sealed fields of a decoded payload by hand and put them back in it.

    The raw baselines' counterpart of the codec's opening: the envelope's base64
    text decoded, AES-GCM decryption with the case's key (the first 12 bytes are the
    nonce; the associated data binds the case, version and type), the secret fields
    loaded and merged into the payload (``subject.pseudonym`` into ``subject``).
    """
    envelope = data.pop(SEALED, None)
    if envelope is not None:
        blob = base64.b64decode(envelope["v"])
        context = f"{case_id}\x1f{version}\x1f{topic}".encode()
        secret = loads(cipher.decrypt(blob[:12], blob[12:], context))
        for path, value in secret.items():
            head, dot, tail = path.partition(".")
            if dot:
                data[head][tail] = value
            else:
                data[head] = value
    return data


def shuffled(ids: Sequence[str], seed: int) -> Callable[[int], list[str]]:
    """Return a round's input maker: ``ids`` in a new order each round (seeded, repeatable)."""

    def prepare(round_: int) -> list[str]:
        order = list(ids)
        random.Random(seed + round_).shuffle(order)
        return order

    return prepare


def sqlite_load(stories: Sequence[History], folder: Path, settings: StoreSettings) -> Workload:
    """Load one case of 8 events: ours, a raw select with ``json.loads``, eventsourcing."""
    ids = case_ids("ld", settings.load_cases)
    path = folder / "load.db"
    store = open_store(f"sqlite:///{path}")
    data_keys = _fill(store, stories, ids, SQLITE_BATCH_CASES)
    raw = sqlite3.connect(path)
    select = (
        "SELECT case_id, version, topic, at, actor, role, data FROM events "
        "WHERE case_id = ? ORDER BY version"
    )

    def run_raw(order: list[str]) -> list[list[Any]]:
        execute, loads, opened = raw.execute, json.loads, open_sealed
        out = []
        for cid in order:
            cipher = AESGCM(data_keys[cid])
            out.append(
                [
                    opened(loads(row[6]), cipher, row[0], row[1], row[2], loads)
                    for row in execute(select, (cid,)).fetchall()
                ]
            )
        return out

    contestants = [
        Contestant("raw", shuffled(ids, 1), run_raw),
        Contestant("ours", shuffled(ids, 1), _loaders(store, data_keys)),
        Contestant("key", shuffled(ids, 1), _key_openers(store)),
    ]
    labels = {
        "raw": (
            "raw `sqlite3`: `SELECT` of the case's rows, `json.loads` of each payload, its "
            "sealed fields decrypted with `AESGCM` and merged in"
        ),
        "ours": (
            "`codec.replay(store.read_case(case_id), key=data_key)`: a `Case` with its 8 "
            "events, sealed fields opened"
        ),
        "key": (
            "not a load: `store.read_keys([case_id])` and `Keyring.open_case_key(record)` "
            "(no cache): the key row read and unwrapped"
        ),
    }
    if ES_MISSING is None:
        app = EsCases(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(folder / "load-es.db"),
                "ORIGINATOR_ID_TYPE": "text",
                "CIPHER_TOPIC": ES_CIPHER_TOPIC,
                "CIPHER_KEY": AESCipher.create_key(32),
            }
        )
        for start in range(0, len(ids), SQLITE_BATCH_CASES):
            chunk = ids[start : start + SQLITE_BATCH_CASES]
            app.save(
                *(
                    es_case(stories[n % len(stories)].events, cid)
                    for n, cid in enumerate(chunk, start)
                )
            )
        get = app.repository.get

        def run_es(order: list[str]) -> list[Any]:
            return [get(cid) for cid in order]

        contestants.append(Contestant("es", shuffled(ids, 1), run_es))
        labels["es"] = (
            "eventsourcing `application.repository.get(case_id)`: the aggregate, each "
            "event's state decrypted by its `AESCipher`"
        )
    try:
        _check_loads(contestants, ids[:5], data_keys)
        per_op = interleave(contestants, settings.rounds, len(ids))
    finally:
        store.close()
        raw.close()
        if ES_MISSING is None:
            app.close()
    return Workload(
        "sqlite_load",
        "SQLite, loading one case of 8 events",
        "case",
        len(ids),
        per_op,
        labels,
        (f"{fmt_count(len(ids))} cases in the file; every round loads each once, in a new order",),
    )


def _check_loads(
    contestants: Sequence[Contestant], ids: list[str], data_keys: dict[str, bytes]
) -> None:
    """Check that every contestant loads whole cases with their personal fields opened."""
    for contestant in contestants:
        for case_id, loaded in zip(ids, contestant.run(ids), strict=True):
            if isinstance(loaded, bytes):
                if loaded != data_keys[case_id]:
                    raise RuntimeError(f"{contestant.name} unwrapped a wrong key for {case_id}")
                continue
            if isinstance(loaded, list):
                version, subject = len(loaded), loaded[0]["subject"].get("pseudonym")
            else:
                version, subject = loaded.version, getattr(loaded.subject, "pseudonym", None)
            if version != EVENTS_PER_CASE:
                raise RuntimeError(f"{contestant.name} loaded a case at version {version}")
            if subject != SUBJECT.pseudonym:
                raise RuntimeError(f"{contestant.name} did not open the subject: {subject!r}")


def fmt_count(value: int) -> str:
    """Format a count with thousands separators."""
    return f"{value:,}"


# -- loading 100,000 cases bound to their workflows -------------------------------------------


def _subject(data: dict[str, Any]) -> Subject:
    if data["kind"] != "person":
        raise ValueError("the benchmark histories are about persons")
    return Subject(
        pseudonym=data["pseudonym"], birth_date=dt.date.fromisoformat(data["birth_date"])
    )


def _dues(items: list[dict[str, Any]]) -> tuple[DueDate, ...]:
    return tuple(
        DueDate(rule=d["rule"], due=dt.date.fromisoformat(d["due"]), missed=d["missed"])
        for d in items
    )


def _optional_date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _bare_opened(r: StoredEvent, d: dict[str, Any]) -> CaseEvent:
    return CaseOpened(
        case_id=r.case_id,
        version=r.version,
        at=r.at,
        actor=r.actor,
        role=r.role,
        workflow=d["workflow"],
        workflow_version=d["workflow_version"],
        state=d["state"],
        subject=_subject(d["subject"]),
        situation=d["situation"],
        concern_date=_optional_date(d["concern_date"]),
        reason=d.get("reason"),
        due=_dues(d["due"]),
    )


def _bare_transitioned(r: StoredEvent, d: dict[str, Any]) -> CaseEvent:
    return Transitioned(
        case_id=r.case_id,
        version=r.version,
        at=r.at,
        actor=r.actor,
        role=r.role,
        trigger=d["trigger"],
        source=d["source"],
        dest=d["dest"],
        reason=d.get("reason"),
        due=_dues(d["due"]),
    )


def _bare_fact(r: StoredEvent, d: dict[str, Any]) -> CaseEvent:
    return FactRecorded(
        case_id=r.case_id,
        version=r.version,
        at=r.at,
        actor=r.actor,
        role=r.role,
        fact=d["fact"],
        detail=d.get("detail"),
    )


def _bare_note(r: StoredEvent, d: dict[str, Any]) -> CaseEvent:
    return NoteAdded(
        case_id=r.case_id, version=r.version, at=r.at, actor=r.actor, role=r.role, text=d["text"]
    )


def _bare_assigned(r: StoredEvent, d: dict[str, Any]) -> CaseEvent:
    return Assigned(
        case_id=r.case_id,
        version=r.version,
        at=r.at,
        actor=r.actor,
        role=r.role,
        assignee=d["assignee"],
        reason=d.get("reason"),
    )


BARE_BUILDERS: dict[str, Callable[[StoredEvent, dict[str, Any]], CaseEvent]] = {
    "CaseOpened": _bare_opened,
    "Transitioned": _bare_transitioned,
    "FactRecorded": _bare_fact,
    "NoteAdded": _bare_note,
    "Assigned": _bare_assigned,
}
"""The baseline's decoders: the attrs class called with keywords on the loaded payload.

A personal field that was ``None`` is not in a sealed payload at all (the codec seals
only values), so those fields are read with ``dict.get``.
"""


def bulk_load(
    stories: Sequence[History], registry: Registry, folder: Path, settings: StoreSettings
) -> tuple[Workload, dict[str, str]]:
    """Decode and bind many cases from rows fetched once, against bare attrs construction."""
    ids = case_ids("bk", settings.bulk_cases)
    store = open_store(f"sqlite:///{folder / 'bulk.db'}")
    started = time.perf_counter()
    data_keys = _fill(store, stories, ids, POSTGRES_BATCH_CASES)
    written = time.perf_counter() - started
    started = time.perf_counter()
    fetched = store.read_cases(ids)
    read = time.perf_counter() - started
    store.close()
    groups = [(cid, fetched[cid]) for cid in ids]
    del fetched
    if len(groups) != len(ids) or any(len(g) != EVENTS_PER_CASE for _, g in groups):
        raise RuntimeError("the bulk store did not return every case whole")
    # The rows are the input of both sides: keep the collector from walking them.
    gc.collect()
    gc.freeze()
    replay, engine_for = codec.replay, registry.engine_for

    def run_ours(rows_by_case: list[tuple[str, list[StoredEvent]]]) -> list[Case]:
        cases = []
        for case_id, rows in rows_by_case:
            case = replay(rows, key=data_keys[case_id])
            engine_for(case)
            cases.append(case)
        return cases

    def run_bare(rows_by_case: list[tuple[str, list[StoredEvent]]]) -> list[Case]:
        builders, loads, fold, opened = BARE_BUILDERS, json.loads, Case.replay, open_sealed
        cases = []
        for case_id, rows in rows_by_case:
            cipher = AESGCM(data_keys[case_id])
            cases.append(
                fold(
                    [
                        builders[r.topic](
                            r, opened(loads(r.data), cipher, r.case_id, r.version, r.topic, loads)
                        )
                        for r in rows
                    ]
                )
            )
        return cases

    ours_case, bare_case = run_ours(groups[:1])[0], run_bare(groups[:1])[0]
    if ours_case != bare_case or ours_case.events != bare_case.events:
        raise RuntimeError("the baseline decoded a different case than the codec")
    if ours_case.subject != SUBJECT:
        raise RuntimeError("the codec did not open the sealed subject")
    try:
        per_op = interleave(
            [
                Contestant("bare", lambda _: groups, run_bare),
                Contestant("ours", lambda _: groups, run_ours),
            ],
            settings.bulk_rounds,
            len(ids),
        )
    finally:
        gc.unfreeze()
    workload = Workload(
        "bulk_load",
        f"Loading {fmt_count(len(ids))} cases bound to their workflows",
        "case",
        len(ids),
        per_op,
        {
            "bare": (
                "bare attrs: `json.loads`, sealed fields decrypted with `AESGCM` and merged "
                "in, each event class called with keyword arguments, `Case.replay`"
            ),
            "ours": ("`codec.replay(rows, key=data_key)` and `registry.engine_for(case)` per case"),
        },
    )
    facts = {
        "bulk_write_s": f"{written:.1f}",
        "bulk_read_s": f"{read:.1f}",
        "bulk_events": fmt_count(len(ids) * EVENTS_PER_CASE),
    }
    return workload, facts


# -- PostgreSQL --------------------------------------------------------------------------------


def _pg_url(schema: str) -> str:
    joiner = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{joiner}schema={schema}"


def postgres_unavailable() -> str | None:
    """Return why the PostgreSQL workloads cannot run, or None if they can."""
    try:
        import psycopg  # noqa: PLC0415 (optional)
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    try:
        import ssp_core.store.postgres  # noqa: F401, PLC0415
    except ImportError as exc:
        return f"ssp_core has no PostgreSQL store here ({exc})"
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"no PostgreSQL server answers at {POSTGRES_URL} ({first})"
    return None


class PostgresSchemas:
    """Fresh schemas for one run, dropped again at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.stores: list[CaseStore] = []
        self.connections: list[Any] = []
        self.tag = f"{os.getpid()}_{int(time.time())}"

    def store(self, name: str) -> CaseStore:
        """Open ssp_core's store on a new schema."""
        schema = f"ssp_bench_{name}_{self.tag}"
        self.names.append(schema)
        store = open_store(_pg_url(schema))
        self.stores.append(store)
        return store

    def connect(self, schema: str | None = None) -> Any:
        """Open a raw psycopg connection, its search path on ``schema`` (made if new)."""
        import psycopg  # noqa: PLC0415

        conn = psycopg.connect(POSTGRES_URL)
        self.connections.append(conn)
        if schema is not None:
            if schema not in self.names:
                self.names.append(schema)
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            conn.execute(f'SET search_path TO "{schema}"')
            conn.commit()
        return conn

    def raw_schema(self, name: str) -> str:
        """Return the name of a new schema for the raw driver's tables."""
        return f"ssp_bench_{name}_{self.tag}"

    def drop(self) -> None:
        """Close everything and drop every schema of the run."""
        import psycopg  # noqa: PLC0415

        for store in self.stores:
            with contextlib.suppress(Exception):
                store.close()
        for conn in self.connections:
            with contextlib.suppress(Exception):
                conn.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute("SET lock_timeout = '10s'")
            for schema in self.names:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _pg_column_types(conn: Any, schema: str, table: str) -> dict[str, str]:
    """Return each column's type as DDL, with its collation where it is not the default."""
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), co.collname "
        "FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
        (schema, table),
    ).fetchall()
    conn.commit()
    return {
        name: f'{kind} COLLATE "{collation}"' if collation else kind
        for name, kind, collation in rows
    }


def _pg_has_default(conn: Any, schema: str, table: str, column: str) -> bool:
    row = conn.execute(
        "SELECT column_default IS NOT NULL OR is_identity = 'YES' FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
        (schema, table, column),
    ).fetchone()
    conn.commit()
    return bool(row and row[0])


@attrs.frozen
class PgShape:
    """How ssp_core's PostgreSQL store keeps an event, for a raw table of the same shape."""

    types: dict[str, str] = attrs.field(eq=False)

    @property
    def text_time(self) -> bool:
        """Tell whether times are kept as text rather than timestamps."""
        return "timestamp" not in self.types.get("at", "text")

    @property
    def json_data(self) -> bool:
        """Tell whether payloads are kept as json/jsonb rather than text."""
        return self.types.get("data", "text") in ("json", "jsonb")

    def ddl(self) -> str:
        """Return the raw baseline's ``events`` table, typed like the store's."""
        types = {
            name: self.types.get(name, "text")
            for name in ("case_id", "version", "topic", "at", "actor", "role", "data")
        }
        return _RAW_EVENTS_DDL.format(
            position="bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", **types
        )

    def insert(self) -> str:
        """Return the raw ``INSERT`` of one event row."""
        data = "%s::jsonb" if self.types.get("data") == "jsonb" else "%s"
        return _EVENT_INSERT + f"(%s, %s, %s, %s, %s, %s, {data})"

    def row(self, e: StoredEvent) -> tuple[Any, ...]:
        """Return an event as a parameter tuple for :meth:`insert`."""
        return event_tuple(e, text_time=self.text_time)


def postgres_workloads(
    stories: Sequence[History], settings: StoreSettings
) -> tuple[list[Workload], dict[str, str]]:
    """Run the PostgreSQL workloads on fresh schemas; drop them afterwards."""
    schemas = PostgresSchemas()
    facts: dict[str, str] = {}
    try:
        probe = schemas.connect()
        facts["pg_version"] = probe.execute("SHOW server_version").fetchone()[0]
        for setting in ("synchronous_commit", "fsync", "wal_sync_method"):
            facts[f"pg_{setting}"] = probe.execute(f"SHOW {setting}").fetchone()[0]
        probe.commit()
        first = schemas.store("probe")
        shape = PgShape(_pg_column_types(probe, schemas.names[-1], "events"))
        first.close()
        facts["pg_event_types"] = ", ".join(
            f"{k} {v}" for k, v in sorted(shape.types.items(), key=lambda kv: kv[0])
        )
        workloads = [
            _pg_single(stories, settings, schemas, shape),
            _pg_batched(stories, settings, schemas, shape),
            _pg_load(stories, settings, schemas, shape),
        ]
    finally:
        schemas.drop()
    return workloads, facts


def _pg_raw3_sql(conn: Any, schema: str) -> tuple[str, str, str, bool]:
    """Return raw statements into a store's own tables (for the same-rows baseline)."""
    positioned = not _pg_has_default(conn, schema, "events", "position")
    event_sql = (
        "INSERT INTO events (case_id, version, topic, at, actor, role, data, position) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        if positioned
        else _EVENT_INSERT + "(%s, %s, %s, %s, %s, %s, %s)"
    )
    return event_sql, _PG_CASE_SQL, _PG_AUDIT_SQL, positioned


def _pg_single(
    stories: Sequence[History], settings: StoreSettings, schemas: PostgresSchemas, shape: PgShape
) -> Workload:
    count = settings.pg_single_cases * EVENTS_PER_CASE
    store = schemas.store("single")
    raw_schema = schemas.raw_schema("single_raw")
    raw = schemas.connect(raw_schema)
    raw.execute(shape.ddl())
    raw.commit()
    store3 = schemas.store("single_raw3")
    raw3 = schemas.connect(schemas.names[-1])
    event_sql, case_sql, _audit_sql, positioned = _pg_raw3_sql(raw3, schemas.names[-1])
    insert = shape.insert()
    text_time = shape.text_time
    position = [0]

    def cmds(tag: str) -> Callable[[int], list[Command]]:
        return lambda r: commands(stories, case_ids(f"{tag}{r:02d}", settings.pg_single_cases))

    def run_raw(rows: list[tuple[Any, ...]]) -> None:
        execute, commit = raw.execute, raw.commit
        for row in rows:
            execute(insert, row)
            commit()

    def run_raw3(rows: list[tuple[tuple[Any, ...], ...]]) -> None:
        execute, commit = raw3.execute, raw3.commit
        for event_row, index_row, key_row in rows:
            if positioned:
                position[0] += 1
                execute(event_sql, (*event_row, position[0]))
            else:
                execute(event_sql, event_row)
            if index_row is not None:
                execute(case_sql, index_row)
            if key_row is not None:
                execute(_PG_KEY_SQL, key_row)
            commit()

    run_ours = _appender(store)

    contestants = [
        Contestant("raw", lambda r: [shape.row(c.event) for c in cmds("pr")(r)], run_raw),
        Contestant(
            "raw3",
            lambda r: [
                (
                    event_tuple(c.event, text_time=text_time),
                    None if c.row is None else case_tuple(c.row, text_time=text_time),
                    None if c.key is None else key_tuple(c.key, text_time=False),
                )
                for c in cmds("p3")(r)
            ],
            run_raw3,
        ),
        Contestant(
            "ours",
            lambda r: [c.commit() for c in cmds("po")(r)],
            run_ours,
        ),
    ]
    _progress(f"PostgreSQL, one event per command: {count} commits per contestant and round")
    per_op = interleave(contestants, settings.pg_rounds, count)
    store.close()
    store3.close()
    return Workload(
        "pg_single",
        "PostgreSQL, one event per durable command",
        "command",
        count,
        per_op,
        {
            "raw": "raw psycopg: `execute` of the event `INSERT`, `commit()`",
            "raw3": (
                "raw psycopg: the same rows as ours (event; index row if changed; key row if "
                "opening)"
            ),
            "ours": (
                "`PostgresStore.append(Commit(sealed event with its purpose, index row if "
                "changed, key row if opening))`"
            ),
        },
    )


def _pg_batched(
    stories: Sequence[History], settings: StoreSettings, schemas: PostgresSchemas, shape: PgShape
) -> Workload:
    cases = settings.pg_batch_transactions * POSTGRES_BATCH_CASES
    count = cases * EVENTS_PER_CASE
    store = schemas.store("batch")
    raw = schemas.connect(schemas.raw_schema("batch_raw"))
    raw.execute(shape.ddl())
    raw.commit()
    insert = shape.insert()

    def commits(tag: str) -> Callable[[int], list[Commit]]:
        return lambda r: batches(stories, case_ids(f"{tag}{r:02d}", cases), POSTGRES_BATCH_CASES)

    def run_raw(transactions: list[list[tuple[Any, ...]]]) -> None:
        with raw.cursor() as cursor:
            for rows in transactions:
                cursor.executemany(insert, rows)
                raw.commit()

    run_ours = _appender(store)

    contestants = [
        Contestant(
            "raw", lambda r: [[shape.row(e) for e in c.events] for c in commits("qr")(r)], run_raw
        ),
        Contestant("ours", commits("qo"), run_ours),
    ]
    _progress(f"PostgreSQL, batched: {count} events per contestant and round")
    per_op = interleave(contestants, settings.pg_rounds, count)
    store.close()
    return Workload(
        "pg_batched",
        "PostgreSQL, batched: 1,000 events per transaction",
        "event",
        count,
        per_op,
        {
            "raw": "raw psycopg: `executemany` of 1,000 event rows, `commit()`",
            "ours": (
                f"`PostgresStore.append(Commit(1,000 sealed events, {POSTGRES_BATCH_CASES} "
                f"index rows, {POSTGRES_BATCH_CASES} key rows))`"
            ),
        },
    )


def _pg_load(
    stories: Sequence[History], settings: StoreSettings, schemas: PostgresSchemas, shape: PgShape
) -> Workload:
    ids = case_ids("pl", settings.pg_load_cases)
    store = schemas.store("load")
    schema = schemas.names[-1]
    data_keys = _fill(store, stories, ids, POSTGRES_BATCH_CASES)
    raw = schemas.connect(schema)
    select = _PG_SELECT_CASE.format(data="data::text" if shape.json_data else "data")

    def run_raw(order: list[str]) -> list[list[Any]]:
        execute, loads, opened = raw.execute, json.loads, open_sealed
        out = []
        for cid in order:
            cipher = AESGCM(data_keys[cid])
            out.append(
                [
                    opened(loads(row[6]), cipher, row[0], row[1], row[2], loads)
                    for row in execute(select, (cid,)).fetchall()
                ]
            )
        raw.commit()
        return out

    contestants = [
        Contestant("raw", shuffled(ids, 2), run_raw),
        Contestant("ours", shuffled(ids, 2), _loaders(store, data_keys)),
        Contestant("key", shuffled(ids, 2), _key_openers(store)),
    ]
    _check_loads(contestants, ids[:5], data_keys)
    _progress(f"PostgreSQL, loading one case: {len(ids)} loads per contestant and round")
    per_op = interleave(contestants, settings.pg_rounds, len(ids))
    store.close()
    return Workload(
        "pg_load",
        "PostgreSQL, loading one case of 8 events",
        "case",
        len(ids),
        per_op,
        {
            "raw": (
                "raw psycopg: `SELECT` of the case's rows"
                + (" (payload as text)" if shape.json_data else "")
                + ", `json.loads` of each payload, its sealed fields decrypted with `AESGCM` "
                "and merged in"
            ),
            "ours": (
                "`codec.replay(store.read_case(case_id), key=data_key)`: a `Case` with its 8 "
                "events, sealed fields opened"
            ),
            "key": (
                "not a load: `store.read_keys([case_id])` and `Keyring.open_case_key(record)` "
                "(no cache): the key row read and unwrapped"
            ),
        },
        (
            (
                f"{fmt_count(len(ids))} cases in the schema; "
                "every round loads each once, in a new order"
            ),
        ),
    )


# -- everything --------------------------------------------------------------------------------


@attrs.frozen
class StoreResults:
    """Everything the store benchmarks measured, with what they could not run and why."""

    mode: str
    started: str
    seconds: float
    info: tuple[tuple[str, str], ...]
    stories: tuple[History, ...] = attrs.field(eq=False)
    workloads: tuple[Workload, ...]
    skipped: tuple[tuple[str, str], ...]
    """(workload key, reason) of each workload that did not run."""
    facts: dict[str, str] = attrs.field(eq=False)
    targets: tuple[Any, ...] = ()

    def workload(self, key: str) -> Workload | None:
        """Return the workload with ``key``, if it ran."""
        return next((w for w in self.workloads if w.key == key), None)

    def skip_reason(self, key: str) -> str | None:
        """Return why the workload ``key`` was skipped, if it was."""
        return dict(self.skipped).get(key)

    @property
    def failed(self) -> bool:
        """Tell whether any gated target was missed."""
        return any(target.failed for target in self.targets)


def _filesystem(path: Path) -> str:
    best, kind = "", "unknown"
    mounts = Path("/proc/mounts")
    if mounts.is_file():
        resolved = str(path.resolve())
        for line in mounts.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], f"{parts[2]} ({parts[0]})"
    return kind


def _version(distribution: str) -> str:
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ssp-bench-store-") as name:
        yield Path(name)


def measure_store(settings: StoreSettings) -> StoreResults:
    """Run every store workload with ``settings``; PostgreSQL ones only if a server answers."""
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    registry = bench_registry()
    stories = histories(registry)
    workloads: list[Workload] = []
    skipped: list[tuple[str, str]] = []
    facts: dict[str, str] = {}
    if ES_MISSING is not None:
        skipped.append(("eventsourcing", ES_MISSING))
    _progress(
        f"sealing in the codec: {settings.sealing_cases * EVENTS_PER_CASE} events per "
        "contestant and round"
    )
    workloads.append(sealing(stories, settings))
    with _workdir() as folder:
        facts["folder"] = str(folder)
        facts["filesystem"] = _filesystem(folder)
        count = settings.single_cases * EVENTS_PER_CASE
        _progress(
            f"SQLite, one event per durable command: {count} commits per contestant and round"
        )
        single, single_facts = sqlite_single(stories, folder, settings)
        workloads.append(single)
        facts.update(single_facts)
        _progress(
            "SQLite, batched: "
            f"{settings.batch_transactions * SQLITE_BATCH_CASES * EVENTS_PER_CASE} events "
            "per contestant and round"
        )
        workloads.append(sqlite_batched(stories, folder, settings))
        _progress(f"SQLite, loading one case: {settings.load_cases} loads per contestant and round")
        workloads.append(sqlite_load(stories, folder, settings))
        _progress(
            f"decoding and binding {fmt_count(settings.bulk_cases)} cases "
            "(writing and fetching them first)"
        )
        bulk, bulk_facts = bulk_load(stories, registry, folder, settings)
        workloads.append(bulk)
        facts.update(bulk_facts)
    reason = postgres_unavailable()
    if reason is None:
        try:
            pg_workloads, pg_facts = postgres_workloads(stories, settings)
        except Exception as exc:  # noqa: BLE001 - a broken server is reported, not raised
            reason = f"the PostgreSQL run failed: {type(exc).__name__}: {exc}"
        else:
            workloads.extend(pg_workloads)
            facts.update(pg_facts)
    if reason is not None:
        _progress(f"PostgreSQL workloads skipped: {reason}")
        skipped.extend((key, reason) for key in ("pg_single", "pg_batched", "pg_load"))
    info = (
        ("SQLite", f"{sqlite3.sqlite_version} (Python's sqlite3 module)"),
        ("Files", f"a temporary directory on {facts['filesystem']}"),
        (
            "PostgreSQL",
            f"{facts['pg_version']} at {POSTGRES_URL} (synchronous_commit "
            f"{facts['pg_synchronous_commit']}, fsync {facts['pg_fsync']}, wal_sync_method "
            f"{facts['pg_wal_sync_method']})"
            if "pg_version" in facts
            else f"not measured: {reason}",
        ),
        (
            "Drivers and libraries",
            ", ".join(
                f"{name} {_version(name)}"
                for name in ("psycopg", "psycopg-pool", "eventsourcing", "attrs", "cattrs")
            ),
        ),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
    )
    return StoreResults(
        mode=settings.name,
        started=when,
        seconds=time.monotonic() - started,
        info=info,
        stories=tuple(stories),
        workloads=tuple(workloads),
        skipped=tuple(skipped),
        facts=facts,
    )
