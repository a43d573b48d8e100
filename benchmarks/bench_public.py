"""The public-path benchmark: a ``Casework`` command and an audited read, against work by hand.

Store-layer figures (under *Case stores*) time the store alone; a user calls
``Casework``, which also reads and replays the case, unwraps its data key, checks
the grants, seals what it writes and audits what it reads. Each baseline here is
the same work written by hand with the driver, so each ratio measures what the
library adds:

* **command** (SQLite): ``Casework.add_note`` against a hand-written
  read-check-append: ``BEGIN IMMEDIATE``, ``SELECT`` of the case's rows, the note
  sealed with AES-GCM under the case's key, ``INSERT`` of one event, ``COMMIT``
  (WAL, ``synchronous=FULL``), and against eventsourcing's get, method, save;
* **command** (PostgreSQL): the same against psycopg: ``SELECT``, ``INSERT``,
  ``COMMIT`` in one transaction;
* **audited read** (SQLite): ``Casework.case`` against a hand-written ``SELECT`` of
  the case's rows, ``json.loads`` of each payload, its sealed fields decrypted, and
  a durable ``INSERT`` of one audit row (its own transaction, ``synchronous=FULL``),
  and against eventsourcing's ``repository.get`` (which audits nothing).

Every case has 8 events when read (opened, facts, an assignment, two transitions,
notes), made through ``Casework`` by an SSP consultant; eventsourcing's
application holds the same cases as aggregates that went through the same events,
encrypted with its own cipher. Contestants run in alternating order, round after
round, each round over every case in a new order; each ratio is the median of the
per-round ratios of throughput.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench_report import FAIL, INFO, OK, TIMES, Target, fmt_int, fmt_ratio
from bench_store import (
    ES_CIPHER_TOPIC,
    ES_MISSING,
    POSTGRES_URL,
    Contestant,
    interleave,
    open_sealed,
    postgres_unavailable,
    shuffled,
)
from ssp_core import Actor, Casework, MunicipalKey, Subject, VirtualClock
from ssp_core.testing import pseudonym_for

if ES_MISSING is None:
    from bench_store import AESCipher, EsCases, es_case

__all__ = [
    "PUBLIC_FULL",
    "PUBLIC_HEADING",
    "PUBLIC_QUICK",
    "PublicResults",
    "PublicSettings",
    "measure_public",
    "render_public_markdown",
    "render_public_summary",
    "sealed_note",
]

PUBLIC_HEADING = "## The public path"
"""The first line of the public-path section; a page is split there to replace it."""

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
NOTE = "Talked to the class teacher about the worry"
EVENTS_PER_CASE = 8

COMMAND_SQLITE_TARGET = 0.7
COMMAND_POSTGRES_TARGET = 0.6
READ_TARGET = 0.5
VS_ES_TARGET = 1.5


@attrs.frozen
class PublicSettings:
    """How many cases each round goes over, and how many timed rounds."""

    name: str
    cases: int
    rounds: int
    postgres_cases: int


PUBLIC_FULL = PublicSettings("full", 400, 9, 200)
PUBLIC_QUICK = PublicSettings("quick", 100, 3, 50)


@attrs.frozen
class Comparison:
    """The per-operation times (ns) of each contestant of one workload, round by round."""

    title: str
    per_op_ns: dict[str, tuple[float, ...]]
    labels: dict[str, str]

    def median(self, name: str) -> float:
        """Return the median time per operation of one contestant."""
        return statistics.median(self.per_op_ns[name])

    def speed(self, ours: str, other: str) -> float:
        """Return ``ours``'s throughput as a multiple of ``other``'s (median of rounds)."""
        return statistics.median(
            b / o for o, b in zip(self.per_op_ns[ours], self.per_op_ns[other], strict=True)
        )


@attrs.frozen
class PublicResults:
    """The comparisons, what was skipped and why, and the targets."""

    mode: str
    started: str
    seconds: float
    comparisons: dict[str, Comparison]
    skipped: tuple[tuple[str, str], ...]
    targets: tuple[Target, ...] = ()

    @property
    def failed(self) -> bool:
        """Tell whether a gated target was missed."""
        return any(target.status == FAIL for target in self.targets)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _open_cases(casework: Casework, count: int) -> list[str]:
    """Open ``count`` concerns through ``Casework``, each with 8 events (as a consultant works)."""
    ids = []
    for n in range(count):
        case = casework.open_concern(
            situation="aalborg.radicalisation",
            subject=Subject(pseudonym_for(f"p-{n}"), dt.date(2011, 5, 1)),
            concern_date=AT.date(),
            actor=CONSULTANT,
        )
        cid = case.id
        casework.record_fact(cid, "concern_described", CONSULTANT)
        casework.assign(cid, CONSULTANT.id, CONSULTANT)
        casework.fire(cid, "begin_analysis", CONSULTANT)
        casework.add_note(cid, "Talked to the class teacher", CONSULTANT)
        casework.add_note(cid, "Met the parents", CONSULTANT)
        casework.add_note(cid, "Called the school", CONSULTANT)
        casework.add_note(cid, "Planned the next meeting", CONSULTANT)
        ids.append(cid)
    return ids


def _data_keys(casework: Casework, ids: Sequence[str]) -> dict[str, bytes]:
    """Return each case's data key, as a hand-written program holding the keys would."""
    records = casework.store.read_keys(ids)
    return {
        cid: casework.keyring.open_case_key(records[cid], municipality="aalborg") for cid in ids
    }


def _raw_sqlite(path: Path, source: Path) -> sqlite3.Connection:
    """Return a connection to a plain file holding the same events, and an audit table."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute(
        "CREATE TABLE events (position INTEGER PRIMARY KEY, case_id TEXT NOT NULL, "
        "version INTEGER NOT NULL, topic TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, "
        "role TEXT NOT NULL, data TEXT NOT NULL, purpose TEXT, UNIQUE (case_id, version))"
    )
    raw.execute(
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, "
        "role TEXT NOT NULL, purpose TEXT NOT NULL, action TEXT NOT NULL, case_id TEXT, "
        "detail TEXT)"
    )
    with sqlite3.connect(source) as ours:
        rows = ours.execute(
            "SELECT position, case_id, version, topic, at, actor, role, data, purpose FROM events"
        ).fetchall()
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    raw.execute("COMMIT")
    return raw


_SELECT = (
    "SELECT case_id, version, topic, at, actor, role, data FROM events "
    "WHERE case_id = ? ORDER BY version"
)
_INSERT_EVENT = (
    "INSERT INTO events (case_id, version, topic, at, actor, role, data, purpose) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_AUDIT = (
    "INSERT INTO audit (at, actor, role, purpose, action, case_id, detail) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def sealed_note(cipher: AESGCM, case_id: str, version: int) -> str:
    """Return a note's payload sealed by hand, as the codec seals it (text in the envelope)."""
    nonce = os.urandom(12)
    context = f"{case_id}\x1f{version}\x1fNoteAdded".encode()
    blob = nonce + cipher.encrypt(nonce, json.dumps({"text": NOTE}).encode(), context)
    import base64  # noqa: PLC0415

    return json.dumps({"sealed": {"v": base64.b64encode(blob).decode()}})


def _es_app(folder: Path, casework: Casework, ids: Sequence[str]) -> Any:
    app = EsCases(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(folder / "es.db"),
            "ORIGINATOR_ID_TYPE": "text",
            "CIPHER_TOPIC": ES_CIPHER_TOPIC,
            "CIPHER_KEY": AESCipher.create_key(32),
        }
    )
    for cid in ids:
        case = casework.case(cid, CONSULTANT, purpose="casework")
        app.save(es_case(case.events, cid))
    return app


def sqlite_comparisons(  # noqa: PLR0915 (one workload's contestants, side by side)
    folder: Path, settings: PublicSettings
) -> dict[str, Comparison]:
    """Time the audited read, then the command, on SQLite: ours, by hand, eventsourcing."""
    import ssp_core  # noqa: PLC0415

    path = folder / "ours.db"
    clock = VirtualClock(AT)
    casework = Casework(
        ssp_core.load_registry(),
        store=f"sqlite:///{path}",
        key=MunicipalKey.generate(),
        clock=clock,
    )
    _progress(f"public path: opening {fmt_int(settings.cases)} cases of 8 events on SQLite")
    ids = _open_cases(casework, settings.cases)
    keys = _data_keys(casework, ids)
    raw = _raw_sqlite(folder / "raw.db", path)
    app = _es_app(folder, casework, ids) if ES_MISSING is None else None
    stamp = AT.isoformat(timespec="microseconds")

    def ours_read(order: list[str]) -> list[Any]:
        return [casework.case(cid, CONSULTANT, purpose="casework") for cid in order]

    def raw_read(order: list[str]) -> list[Any]:
        execute, loads, out = raw.execute, json.loads, []
        for cid in order:
            cipher = AESGCM(keys[cid])
            rows = execute(_SELECT, (cid,)).fetchall()
            out.append([open_sealed(loads(r[6]), cipher, r[0], r[1], r[2], loads) for r in rows])
            execute(_INSERT_AUDIT, (stamp, "anne", "ssp", "casework", "load", cid, None))
        return out

    def ours_command(order: list[str]) -> None:
        for cid in order:
            casework.add_note(cid, NOTE, CONSULTANT)

    def raw_command(order: list[str]) -> None:
        execute = raw.execute
        for cid in order:
            execute("BEGIN IMMEDIATE")
            rows = execute(_SELECT, (cid,)).fetchall()
            version = rows[-1][1] + 1
            data = sealed_note(AESGCM(keys[cid]), cid, version)
            execute(
                _INSERT_EVENT,
                (cid, version, "NoteAdded", stamp, "anne", "ssp", data, "casework"),
            )
            execute("COMMIT")

    read = [
        Contestant("raw", shuffled(ids, 1), raw_read),
        Contestant("ours", shuffled(ids, 1), ours_read),
    ]
    command = [
        Contestant("raw", shuffled(ids, 2), raw_command),
        Contestant("ours", shuffled(ids, 2), ours_command),
    ]
    if app is not None:
        get, save = app.repository.get, app.save

        def es_read(order: list[str]) -> list[Any]:
            return [get(cid) for cid in order]

        def es_command(order: list[str]) -> None:
            for cid in order:
                aggregate = get(cid)
                aggregate.add_note(NOTE, actor="anne", role="ssp")
                save(aggregate)

        read.append(Contestant("es", shuffled(ids, 1), es_read))
        command.append(Contestant("es", shuffled(ids, 2), es_command))
    try:
        _progress("public path: audited reads on SQLite")
        reads = interleave(read, settings.rounds, len(ids))
        _progress("public path: commands on SQLite")
        commands = interleave(command, settings.rounds, len(ids))
    finally:
        casework.close()
        raw.close()
        if app is not None:
            app.close()
    es_label = "eventsourcing (SQLite, its `AESCipher`)"
    return {
        "sqlite_read": Comparison(
            "SQLite, an audited read of a case of 8 events",
            reads,
            {
                "raw": (
                    "by hand: `SELECT` of the case's rows, `json.loads`, sealed fields "
                    "decrypted with `AESGCM`, one audit row `INSERT`ed durably (autocommit, "
                    "`synchronous=FULL`)"
                ),
                "ours": "`Casework.case(case_id, actor, purpose=...)`",
                "es": f"{es_label}: `application.repository.get(case_id)`",
            },
        ),
        "sqlite_command": Comparison(
            "SQLite, one command (a note added to a case)",
            commands,
            {
                "raw": (
                    "by hand: `BEGIN IMMEDIATE`, `SELECT` of the case's rows, the note sealed "
                    "with `AESGCM`, `INSERT` of the event, `COMMIT` (WAL, `synchronous=FULL`)"
                ),
                "ours": "`Casework.add_note(case_id, text, actor)`",
                "es": f"{es_label}: `repository.get`, `aggregate.add_note(...)`, `save`",
            },
        ),
    }


def postgres_comparison(settings: PublicSettings) -> Comparison:
    """Time the command on PostgreSQL: ours against psycopg by hand."""
    import psycopg  # noqa: PLC0415

    import ssp_core  # noqa: PLC0415

    tag = f"{os.getpid()}_{int(time.time())}"
    ours_schema, raw_schema = f"ssp_public_{tag}", f"ssp_public_raw_{tag}"
    joiner = "&" if "?" in POSTGRES_URL else "?"
    casework = Casework(
        ssp_core.load_registry(),
        store=f"{POSTGRES_URL}{joiner}schema={ours_schema}",
        key=MunicipalKey.generate(),
        clock=VirtualClock(AT),
    )
    raw = psycopg.connect(POSTGRES_URL)
    try:
        _progress(f"public path: opening {fmt_int(settings.postgres_cases)} cases on PostgreSQL")
        ids = _open_cases(casework, settings.postgres_cases)
        keys = _data_keys(casework, ids)
        raw.execute(f'CREATE SCHEMA "{raw_schema}"')
        raw.execute(f'SET search_path TO "{raw_schema}"')
        raw.execute(
            "CREATE TABLE events (position BIGSERIAL PRIMARY KEY, case_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, topic TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, "
            "actor TEXT NOT NULL, role TEXT NOT NULL, data TEXT NOT NULL, purpose TEXT, "
            "UNIQUE (case_id, version))"
        )
        columns = "case_id, version, topic, at, actor, role, data, purpose"
        rows = raw.execute(f'SELECT {columns} FROM "{ours_schema}".events').fetchall()  # noqa: S608
        with raw.cursor() as cursor:
            cursor.executemany(_INSERT_EVENT.replace("?", "%s"), rows)
        raw.commit()
        select, insert = _SELECT.replace("?", "%s"), _INSERT_EVENT.replace("?", "%s")

        def ours_command(order: list[str]) -> None:
            for cid in order:
                casework.add_note(cid, NOTE, CONSULTANT)

        def raw_command(order: list[str]) -> None:
            execute = raw.execute
            for cid in order:
                found = execute(select, (cid,)).fetchall()
                version = found[-1][1] + 1
                data = sealed_note(AESGCM(keys[cid]), cid, version)
                execute(insert, (cid, version, "NoteAdded", AT, "anne", "ssp", data, "casework"))
                raw.commit()

        _progress("public path: commands on PostgreSQL")
        per_op = interleave(
            [
                Contestant("raw", shuffled(ids, 3), raw_command),
                Contestant("ours", shuffled(ids, 3), ours_command),
            ],
            settings.rounds,
            len(ids),
        )
    finally:
        casework.close()
        raw.rollback()
        for schema in (ours_schema, raw_schema):
            raw.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        raw.commit()
        raw.close()
    return Comparison(
        "PostgreSQL, one command (a note added to a case)",
        per_op,
        {
            "raw": (
                "by hand with psycopg: `SELECT` of the case's rows, the note sealed with "
                "`AESGCM`, `INSERT` of the event, `COMMIT` (one transaction)"
            ),
            "ours": "`Casework.add_note(case_id, text, actor)`",
        },
    )


def _target(name: str, value: float, limit: float, *, at_least: bool = True) -> Target:
    passed = value >= limit if at_least else value <= limit
    sign = "≥" if at_least else "≤"
    return Target(name, fmt_ratio(value), f"{sign} {limit}{TIMES}", OK if passed else FAIL)


def evaluate_public(comparisons: dict[str, Comparison]) -> tuple[Target, ...]:
    """Check each target against the measured ratios."""
    targets = []
    command = comparisons["sqlite_command"]
    read = comparisons["sqlite_read"]
    targets.append(
        _target(
            "SQLite: `Casework` command over a hand-written read-check-append",
            command.speed("ours", "raw"),
            COMMAND_SQLITE_TARGET,
        )
    )
    if "postgres_command" in comparisons:
        targets.append(
            _target(
                "PostgreSQL: `Casework` command over the same with psycopg",
                comparisons["postgres_command"].speed("ours", "raw"),
                COMMAND_POSTGRES_TARGET,
            )
        )
    if "es" in command.per_op_ns:
        targets.append(
            _target(
                "SQLite: `Casework` command over eventsourcing's get, method, save",
                command.speed("ours", "es"),
                VS_ES_TARGET,
            )
        )
    targets.append(
        _target(
            "SQLite: audited read `Casework.case` over a hand-written select, decrypt, "
            "durable audit insert",
            read.speed("ours", "raw"),
            READ_TARGET,
        )
    )
    if "es" in read.per_op_ns:
        targets.append(
            _target(
                "SQLite: audited read `Casework.case` over eventsourcing's `repository.get`",
                read.speed("ours", "es"),
                VS_ES_TARGET,
            )
        )
    return tuple(targets)


def measure_public(settings: PublicSettings) -> PublicResults:
    """Run the public-path comparisons with ``settings``."""
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    skipped = []
    with tempfile.TemporaryDirectory(prefix="ssp-public-") as folder:
        comparisons = sqlite_comparisons(Path(folder), settings)
    if ES_MISSING is not None:
        skipped.append(("eventsourcing", ES_MISSING))
    reason = postgres_unavailable()
    if reason is None:
        comparisons["postgres_command"] = postgres_comparison(settings)
    else:
        skipped.append(("PostgreSQL", reason))
    results = PublicResults(
        mode=settings.name,
        started=when,
        seconds=time.monotonic() - started,
        comparisons=comparisons,
        skipped=tuple(skipped),
    )
    return attrs.evolve(results, targets=evaluate_public(comparisons))


def render_public_summary(results: PublicResults) -> str:
    """Return a plain-text summary of the public-path targets, for the terminal."""
    lines = [f"{t.name}: {t.measured} (limit {t.limit}) {t.status}" for t in results.targets]
    lines += [f"skipped {what}: {why}" for what, why in results.skipped]
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    lines.append(f"public-path benchmark, {results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


def _us(ns: float) -> str:
    return f"{ns / 1e3:,.1f} µs"


def render_public_markdown(results: PublicResults) -> str:
    """Return the public-path section of ``docs/performance.md``, starting with its heading."""
    lines = [
        PUBLIC_HEADING,
        "",
        (
            "What a user calls (`Casework`), against the same work written by hand with "
            "the driver, and against the `eventsourcing` library; written by "
            "`benchmarks/run.py` (`bench_public.py` measures and writes this section). "
            "These figures are of the **public path**: the store-layer figures under "
            "*Case stores* time the store alone and are not comparable with them. "
            f"{results.mode.capitalize()} run, {results.started}, {results.seconds:.0f} s."
        ),
        "",
        "### Public-path targets",
        "",
        "| Target | Measured | Limit | Status |",
        "| :-- | --: | --: | :-: |",
        *(f"| {t.name} | {t.measured} | {t.limit} | {t.status} |" for t in results.targets),
        *(f"| {what} | skipped: {why} | | {INFO} |" for what, why in results.skipped),
        "",
    ]
    for comparison in results.comparisons.values():
        rounds = len(next(iter(comparison.per_op_ns.values())))
        lines += [
            f"### {comparison.title}",
            "",
            f"Median of {rounds} rounds; throughput relative to the hand-written baseline.",
            "",
            "| Contestant | Per operation (median) | Throughput over by hand |",
            "| :-- | --: | --: |",
            *(
                f"| **{name}**: {comparison.labels[name]} | {_us(comparison.median(name))} | "
                f"{fmt_ratio(comparison.speed(name, 'raw'))} |"
                for name in comparison.per_op_ns
            ),
            "",
        ]
    lines += [
        "### Where the time of the public path goes",
        "",
        (
            "A command reads the events appended to its case since this `Casework` last "
            "read or wrote it (none, when it wrote the last one: it keeps the cases it "
            "reads, folded), with the case's key row, in one statement; checks the grants "
            "against the case's workflow, opener, assignee and municipality; runs the "
            "workflow engine; seals the new event; commits it with a durable `COMMIT` and "
            "tells the plugins. The hand-written baseline reads the case's rows and "
            "commits durably, with no checks, no typed events and no plugins. Timed apart, "
            "the SQL statements of the two sides cost about the same on SQLite (the "
            "library's read returns no rows, its commit maintains one more index); the "
            "difference is the Python work of the library's steps. An audited read does "
            "the same reading, "
            "and writes its audit entry before it returns the case: see *When the audit "
            "entry of a read is durable* on the store page for how that entry is made "
            "durable, and *A case read again reads only what was appended since* for "
            "what is kept between reads."
        ),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    found = measure_public(PUBLIC_QUICK if "--quick" in sys.argv else PUBLIC_FULL)
    print(render_public_summary(found))
