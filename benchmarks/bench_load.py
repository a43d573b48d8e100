"""The load test: concurrent clients of one PostgreSQL store doing a day's mix of work.

A PostgreSQL store is filled with cases (as ``bench_scale.py`` fills an SQLite one:
the real engine, ``Casework``'s codec and keyring, ``CaseStore.append`` in batches),
vacuumed and analysed as after any bulk import (else the server's own autovacuum
competes with the first runs), then clients run a mix for a fixed time, each
operation through ``Casework``:

* 60 % reads of a case (``Casework.case``, audited),
* 25 % commands (``Casework.add_note``),
* 15 % lists (``Casework.find``, a page of 50 after a random cursor).

Clients are threads sharing one ``Casework`` (as a web server's workers share one;
its store opened with ``?pool_max=`` the most threads run, a connection per thread, as
such a server would size its pool), or processes with a ``Casework`` each; each picks
cases at random, so two clients now and then write the same case at once: the second gets a
:class:`~ssp_core.exceptions.ConcurrencyError` (a clear conflict, counted) and nothing
is written for it. After each run the notes stored are counted against the notes
acknowledged: a lost write would show as a difference.

The target, as issue 16 sets it for 16 concurrent clients, threads and processes
(within 20 % of the single client's rate times the clients, up to the core count):
for every client count run, threads and processes alike, up to 16, throughput is at
least 80 % of the single client's throughput times the number of clients, counted up
to the cores (``min(clients, cores)``).

The machine's speed changes from minute to minute (a shared virtual machine: one
client's CPU per operation has been seen at 290 µs one hour and 530 µs the next), so
a single client measured once, before the others, is no baseline. Every run is made
in rounds, one after the other in each round, and each round's ratios are taken
against that round's single client; a target is the median of the rounds' ratios.

Each round also runs two threads with a ``Casework`` each (a pool, caches and locks of
their own) right after the two sharing one: not gated, it shows what sharing costs. It
runs the whole mix written by hand with psycopg, one thread and two: the same work without
the library, the baseline every other target of the issue has (not gated). And it runs
the mix's reads alone, one thread and two, twice: through the shared
``Casework``, and written by hand with psycopg (a connection per thread; the ``SELECT``
of the case's rows, AES-GCM decryption with the data keys held in memory, a durable
audit ``INSERT``). Not gated either: they show what a second thread gives any Python
client, by how much of each operation it spends holding the GIL.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

import attrs
import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench_public import sealed_note
from bench_report import FAIL, INFO, OK, Target, fmt_int
from bench_scale import CONSULTANT, DAY, generate, templates_of
from bench_store import POSTGRES_URL, open_sealed, postgres_unavailable
from ssp_core import CaseQuery, Casework, ConcurrencyError, MunicipalKey, VirtualClock
from ssp_core.store.records import CaseCursor, EventQuery

__all__ = [
    "LOAD_FULL",
    "LOAD_HEADING",
    "LOAD_QUICK",
    "LoadResults",
    "LoadSettings",
    "gil_ceiling",
    "measure_load",
    "render_load_markdown",
    "render_load_summary",
]

LOAD_HEADING = "## Load on PostgreSQL"
"""The first line of the load section; a page is split there to replace the section."""

SCALING_TARGET = 0.8
"""Throughput with n clients (n up to the cores) over n times one client's, at least."""

NOTE = "A load-test note"

THREADS = "threads"
"""Client threads sharing one ``Casework``."""

PROCESSES = "processes"
"""Client processes with a ``Casework`` each."""

OWN = "threads, a Casework each"
"""Client threads with a ``Casework`` each: what sharing one costs (not gated)."""

READS = "threads, reads only"
"""Client threads sharing one ``Casework``, doing only the mix's reads (not gated)."""

HAND = "threads, reads by hand"
"""Client threads doing the same reads by hand with psycopg, a connection each (not gated)."""

MIX_BY_HAND = "threads, the mix by hand"
"""Client threads doing the whole mix by hand with psycopg, a connection each (not gated)."""

BASELINE = {READS: READS, HAND: HAND, MIX_BY_HAND: MIX_BY_HAND}
"""The kind of the single client a run's ratio is taken against, where not the mix's."""

WARM_UP = 2.0
"""Seconds one thread runs the mix, untimed, before the first round: pool, caches, statements."""

KEY_CHUNK = 10_000
"""Key rows read at a time when the data keys are opened for the reads by hand."""


@attrs.frozen
class LoadSettings:
    """The store's size, how long each run lasts, and the client counts run."""

    name: str
    cases: int
    seconds: float
    threads: tuple[int, ...]
    processes: tuple[int, ...]
    rounds: int = 3
    """How many times the gated runs are repeated, each round with its own single client."""


LOAD_FULL = LoadSettings("full", 1_000_000, 10.0, (1, 2, 4, 8, 16), (2, 16), rounds=3)
LOAD_QUICK = LoadSettings("quick", 5_000, 2.0, (1, 2, 4), (2,), rounds=2)


@attrs.frozen
class Run:
    """One run: how clients ran, how many operations of each kind, and their latencies (µs)."""

    kind: str
    clients: int
    seconds: float
    operations: int
    conflicts: int
    notes_acknowledged: int
    notes_stored: int
    latencies_us: dict[str, tuple[float, ...]]
    cpu_seconds: float = 0.0
    """The clients' own CPU time (their threads'), the time they held the GIL or ran C code."""
    round: int = 0
    """The round of a gated run (1, 2, ...); 0 for a run made once, after the rounds."""

    @property
    def label(self) -> str:
        """Return e.g. ``2 threads`` or ``2 threads, round 1``."""
        base = f"{self.clients} {self.kind}"
        return f"{base}, round {self.round}" if self.round else base

    @property
    def throughput(self) -> float:
        """Return operations per second."""
        return self.operations / self.seconds

    def percentile(self, kind: str, share: float) -> float:
        """Return the latency (µs) under which ``share`` of the operations of ``kind`` fell."""
        values = sorted(self.latencies_us[kind])
        return values[min(len(values) - 1, int(share * len(values)))] if values else 0.0


@attrs.frozen
class LoadResults:
    """Every run, and the targets."""

    mode: str
    started: str
    seconds: float
    cases: int
    runs: tuple[Run, ...]
    skipped: str | None = None
    targets: tuple[Target, ...] = ()

    @property
    def failed(self) -> bool:
        """Tell whether a gated target was missed."""
        return any(target.status == FAIL for target in self.targets)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _url(schema: str, pool_max: int | None = None) -> str:
    joiner = "&" if "?" in POSTGRES_URL else "?"
    pool = f"&pool_max={pool_max}" if pool_max else ""
    return f"{POSTGRES_URL}{joiner}schema={schema}{pool}"


def _casework(schema: str, key: bytes, pool_max: int | None = None) -> Casework:
    import ssp_core  # noqa: PLC0415

    return Casework(
        ssp_core.load_registry(),
        store=_url(schema, pool_max),
        key=MunicipalKey(key),
        clock=VirtualClock(dt.datetime.combine(DAY, dt.time(9), tzinfo=dt.UTC)),
        create=False,
    )


def _client(
    casework: Casework, cases: int, until: float, seed: int, *, reads_only: bool = False
) -> dict[str, Any]:
    """Run the mix (or its reads alone) until ``until`` (monotonic); return counts, latencies."""
    rng = random.Random(seed)
    latencies: dict[str, list[float]] = {"read": [], "command": [], "list": []}
    operations = conflicts = notes = 0
    cpu = time.thread_time()
    while time.monotonic() < until:
        n = rng.randrange(cases)
        case_id = f"C-{n:016d}"
        pick = 0.0 if reads_only else rng.random()
        started = time.perf_counter_ns()
        if pick < 0.6:
            kind = "read"
            casework.case(case_id, CONSULTANT, purpose="casework")
        elif pick < 0.85:
            kind = "command"
            try:
                casework.add_note(case_id, NOTE, CONSULTANT)
                notes += 1
            except ConcurrencyError:
                conflicts += 1
        else:
            kind = "list"
            due = DAY + dt.timedelta(days=1 + n % 365)
            casework.find(CONSULTANT, CaseQuery(limit=50, after=CaseCursor(due, case_id)))
        latencies[kind].append((time.perf_counter_ns() - started) / 1e3)
        operations += 1
    return {
        "operations": operations,
        "conflicts": conflicts,
        "notes": notes,
        "cpu": time.thread_time() - cpu,
        **latencies,
    }


@attrs.frozen
class HandReads:
    """What the work by hand needs: the store's schema and every case's data key, opened."""

    schema: str
    keys: dict[str, bytes]


HAND_NOTES = (
    "CREATE TABLE IF NOT EXISTS {schema}.hand_notes (position BIGSERIAL PRIMARY KEY, "
    "case_id TEXT NOT NULL, version INTEGER NOT NULL, topic TEXT NOT NULL, "
    "at TIMESTAMPTZ NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, data TEXT NOT NULL, "
    "purpose TEXT, UNIQUE (case_id, version))"
)
"""The table the mix by hand writes its notes to: an events table of its own, as by hand."""


def hand_reads(casework: Casework, schema: str, cases: int) -> HandReads:
    """Open every case's data key once, as a hand-written program holding the keys would.

    Also create the table the mix by hand writes its notes to (:data:`HAND_NOTES`).
    """
    import psycopg  # noqa: PLC0415

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(HAND_NOTES.format(schema=f'"{schema}"'))
    keys: dict[str, bytes] = {}
    for start in range(0, cases, KEY_CHUNK):
        ids = [f"C-{n:016d}" for n in range(start, min(cases, start + KEY_CHUNK))]
        for case_id, record in casework.store.read_keys(ids).items():
            keys[case_id] = casework.keyring.open_case_key(record, municipality="aalborg")
    return HandReads(schema, keys)


@attrs.frozen
class HandStatements:
    """The statements of the work by hand, in the store's schema."""

    select: str
    """The ``SELECT`` of a case's rows, in version order."""
    insert_audit: str
    select_all: str
    """The same, with the notes written by hand."""
    insert_note: str
    page: str
    """A page of 50 index rows after a cursor, in the order of the list's index."""

    @classmethod
    def of(cls, schema: str) -> HandStatements:
        """Return the statements of ``schema`` (S608: the names are our own, not input)."""
        s = f'"{schema}"'
        columns = "case_id, version, topic, at, actor, role, data"
        due = "coalesce(next_due, DATE '9999-12-31')"
        return cls(
            select=f"SELECT {columns} FROM {s}.events WHERE case_id = %s ORDER BY version",  # noqa: S608
            insert_audit=(
                f"INSERT INTO {s}.audit (at, actor, role, purpose, action, case_id, detail) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s)"
            ),
            select_all=(
                f"SELECT {columns} FROM {s}.events WHERE case_id = %s UNION ALL "  # noqa: S608
                f"SELECT {columns} FROM {s}.hand_notes WHERE case_id = %s ORDER BY version"
            ),
            insert_note=(
                f"INSERT INTO {s}.hand_notes (case_id, version, topic, at, actor, role, data, "  # noqa: S608
                "purpose) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            ),
            page=(
                "SELECT case_id, workflow, workflow_version, state, assignee, opened_at, "  # noqa: S608
                f"closed_at, next_due, on_hold, municipality, opened_by FROM {s}.cases "
                f"WHERE {due} >= %s AND ({due}, case_id) > (%s, %s) "
                f"ORDER BY {due}, case_id LIMIT 50"
            ),
        )


def _hand_client(
    hand: HandReads, cases: int, until: float, seed: int, *, mix: bool = False
) -> dict[str, Any]:
    """Work by hand until ``until``: the reads alone, or the whole mix (``mix``).

    A read: the case's rows, decrypted, and a durable audit ``INSERT``. A command: in one
    transaction the case's rows (with the notes written by hand) and the ``INSERT`` of a
    sealed note as the next version (a conflict if another client took it). A list: a
    page of 50 index rows after a random cursor, and a durable audit ``INSERT``.
    """
    import psycopg  # noqa: PLC0415

    sql = HandStatements.of(hand.schema)
    at = dt.datetime.combine(DAY, dt.time(9), tzinfo=dt.UTC)
    who = (at, CONSULTANT.id, CONSULTANT.role, "casework")
    rng = random.Random(seed)
    latencies: dict[str, list[float]] = {"read": [], "command": [], "list": []}
    conflicts = 0
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        execute = conn.execute
        cpu = time.thread_time()
        while time.monotonic() < until:
            n = rng.randrange(cases)
            case_id = f"C-{n:016d}"
            pick = rng.random() if mix else 0.0
            started = time.perf_counter_ns()
            if pick < 0.6:
                kind = "read"
                cipher = AESGCM(hand.keys[case_id])
                events = [
                    open_sealed(orjson.loads(row[6]), cipher, case_id, row[1], row[2], orjson.loads)
                    for row in execute(sql.select, (case_id,)).fetchall()
                ]
                execute(sql.insert_audit, (*who, "load", case_id, None))
                if not events:  # pragma: no cover - every case has its opening event
                    raise RuntimeError(f"no events for {case_id}")
            elif pick < 0.85:
                kind = "command"
                try:
                    with conn.transaction():
                        rows = execute(sql.select_all, (case_id, case_id)).fetchall()
                        version = rows[-1][1] + 1
                        data = sealed_note(AESGCM(hand.keys[case_id]), case_id, version)
                        execute(
                            sql.insert_note,
                            (case_id, version, "NoteAdded", at, *who[1:3], data, "casework"),
                        )
                except psycopg.errors.UniqueViolation:
                    conflicts += 1
            else:
                kind = "list"
                due = DAY + dt.timedelta(days=1 + n % 365)
                execute(sql.page, (due, due, case_id)).fetchall()
                execute(sql.insert_audit, (*who, "search", None, f"after={due}/{case_id}"))
            latencies[kind].append((time.perf_counter_ns() - started) / 1e3)
        cpu = time.thread_time() - cpu
    return {
        "operations": sum(len(v) for v in latencies.values()),
        "conflicts": conflicts,
        "notes": 0,  # the lost-writes target counts the library's notes alone
        "cpu": cpu,
        **latencies,
    }


def _process_client(schema: str, key: bytes, cases: int, until_in: float, seed: int) -> Any:
    casework = _casework(schema, key)
    try:
        return _client(casework, cases, time.monotonic() + until_in, seed)
    finally:
        casework.close()


def _notes(casework: Casework) -> int:
    """Return how many notes the store holds."""
    return len(casework.store.read_events(EventQuery(topics="NoteAdded")))


def _threads(
    workers: Sequence[Casework | HandReads], settings: LoadSettings, *, reads_only: bool = False
) -> tuple[list[dict[str, Any]], float]:
    """Run a client thread on each ``Casework`` (or by hand); return parts and time."""

    def client(n: int) -> dict[str, Any]:
        worker = workers[n]
        if isinstance(worker, HandReads):
            return _hand_client(worker, settings.cases, until, n, mix=not reads_only)
        return _client(worker, settings.cases, until, n, reads_only=reads_only)

    started = time.monotonic()
    until = started + settings.seconds
    with concurrent.futures.ThreadPoolExecutor(len(workers)) as pool:
        parts = list(pool.map(client, range(len(workers))))
    return parts, time.monotonic() - started


def _run(
    kind: str,
    clients: int,
    settings: LoadSettings,
    *,
    schema: str,
    key: bytes,
    shared: Casework,
    hand: HandReads | None = None,
    round_: int = 0,
) -> Run:
    before = _notes(shared)
    if kind == PROCESSES:
        with concurrent.futures.ProcessPoolExecutor(clients) as pool:
            futures = [
                pool.submit(_process_client, schema, key, settings.cases, settings.seconds, s)
                for s in range(clients)
            ]
            parts = [f.result() for f in futures]
        elapsed = settings.seconds  # the processes' own start-up is not load
    elif kind == OWN:  # opened before the clock starts, closed after it stops
        own = [_casework(schema, key) for _ in range(clients)]
        try:
            parts, elapsed = _threads(own, settings)
        finally:
            for casework in own:
                casework.close()
    elif kind in {HAND, MIX_BY_HAND}:
        if hand is None:
            raise ValueError("work by hand needs the data keys (hand_reads)")
        parts, elapsed = _threads([hand] * clients, settings, reads_only=kind == HAND)
    else:
        parts, elapsed = _threads([shared] * clients, settings, reads_only=kind == READS)
    stored = _notes(shared) - before
    return Run(
        kind=kind,
        clients=clients,
        seconds=elapsed,
        operations=sum(p["operations"] for p in parts),
        conflicts=sum(p["conflicts"] for p in parts),
        notes_acknowledged=sum(p["notes"] for p in parts),
        notes_stored=stored,
        latencies_us={
            k: tuple(v for p in parts for v in p[k]) for k in ("read", "command", "list")
        },
        cpu_seconds=sum(p["cpu"] for p in parts),
        round=round_,
    )


def gil_ceiling(single: Run) -> tuple[float, float, float]:
    """Return (c, w, ratio): one client's CPU and wait per operation (s), and two threads' ceiling.

    Two threads of one process share one GIL. Taking the GIL as one server and the
    two threads as a closed queue of two clients (the machine-repair model M/M/1//2),
    each operation needs ``c`` of the server and then waits ``w`` on the database
    without it: the server is busy ``1 - P0`` of the time, with
    ``P0 = 1 / (1 + 2r + 2r²)`` and ``r = c / w``, so two threads reach at most
    ``(1 - P0) / c`` operations per second, and the ratio to twice one client's
    ``1 / (c + w)`` is returned. It is a ceiling for threads, not a target.
    """
    per_op = single.seconds / single.operations
    c = min(single.cpu_seconds / single.operations, per_op)
    w = max(per_op - c, 1e-12)
    r = c / w
    busy = 1 - 1 / (1 + 2 * r + 2 * r * r)
    return c, w, (busy / c) / (2 / per_op)


def _singles(runs: Sequence[Run], kind: str = THREADS) -> dict[int, Run]:
    """Return the single-client run of ``kind`` of each round (round 0: the first made)."""
    singles: dict[int, Run] = {}
    for run in runs:
        if run.kind == kind and run.clients == 1:
            singles.setdefault(run.round, run)
    return singles


def median_single(runs: Sequence[Run], kind: str = THREADS) -> Run:
    """Return the single-client run of median throughput (the baseline of the unpaired runs).

    Of an even number, the faster of the middle two: the stricter baseline.
    """
    ordered = sorted(_singles(runs, kind).values(), key=lambda run: run.throughput)
    return ordered[len(ordered) // 2]


def scaling_ratios(runs: Sequence[Run], cores: int) -> dict[tuple[str, int], list[float]]:
    """Return each run's throughput over its baseline times min(clients, cores), by kind and count.

    A run of a round is compared with that round's single client (of the mix, or of its
    own kind for the reads alone, :data:`BASELINE`); a run made once, with the median
    single client of the mix.
    """
    fallback = median_single(runs)
    singles = {kind: _singles(runs, kind) for kind in {THREADS, *BASELINE.values()}}
    ratios: dict[tuple[str, int], list[float]] = {}
    for run in runs:
        own = singles[BASELINE.get(run.kind, THREADS)]
        single = own.get(run.round, fallback) if run.round else fallback
        expected = single.throughput * min(run.clients, cores)
        ratios.setdefault((run.kind, run.clients), []).append(run.throughput / expected)
    return ratios


def _targets(runs: Sequence[Run]) -> tuple[Target, ...]:
    cores = os.cpu_count() or 1
    targets = []
    for (kind, clients), ratios in scaling_ratios(runs, cores).items():
        if kind in BASELINE and clients == 1:
            continue  # a baseline of its own kind: 1.00 by definition
        ratio = statistics.median(ratios)
        gated = clients > 1 and kind in {THREADS, PROCESSES}
        status = (OK if ratio >= SCALING_TARGET else FAIL) if gated else INFO
        rounds = (
            f" (median of rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
            if len(ratios) > 1
            else ""
        )
        targets.append(
            Target(
                f"{clients} {kind}: throughput over one client's times "
                f"min(clients, {cores} cores){rounds}",
                f"{ratio:.2f}",
                f"≥ {SCALING_TARGET}",
                status,
            )
        )
    lost = sum(r.notes_acknowledged - r.notes_stored for r in runs)
    targets.append(
        Target("Writes acknowledged but not stored", str(lost), "0", OK if lost == 0 else FAIL)
    )
    return tuple(targets)


def _plan(settings: LoadSettings) -> list[tuple[str, int, int]]:
    """Return the runs to make, in order: (kind, clients, round); every count in rounds.

    Each round runs one thread, then every count of threads and of processes above one
    (the gated runs), with two threads with a ``Casework`` each right after the two
    sharing one: what sharing costs, measured beside it. Then the mix by hand, one
    thread and two; then the reads alone, one thread and two, through ``Casework`` and
    by hand (none of these gated). A count of one process, if asked for, runs once.
    """
    counts = ((THREADS, settings.threads), (PROCESSES, settings.processes))
    gated = [(kind, n) for kind, numbers in counts for n in numbers if n > 1]
    two = (THREADS, 2) in gated
    round_: list[tuple[str, int]] = [(THREADS, 1)]
    for kind, n in gated:
        round_ += [(kind, n), (OWN, 2)] if (kind, n) == (THREADS, 2) else [(kind, n)]
    if two:
        round_ += [(MIX_BY_HAND, 1), (MIX_BY_HAND, 2), (READS, 1), (READS, 2), (HAND, 1), (HAND, 2)]
    order = [(kind, n, r) for r in range(1, settings.rounds + 1) for kind, n in round_]
    order += [
        (kind, n, 0) for kind, numbers in counts for n in numbers if n == 1 and kind != THREADS
    ]
    return order


def measure_load(settings: LoadSettings) -> LoadResults:
    """Fill a PostgreSQL store, run every client count, and drop the store."""
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    reason = postgres_unavailable()
    if reason is not None:
        return LoadResults(settings.name, when, 0.0, settings.cases, (), skipped=reason)
    import psycopg  # noqa: PLC0415

    import ssp_core  # noqa: PLC0415

    schema = f"ssp_load_{os.getpid()}_{int(time.time())}"
    secret = os.urandom(32)  # the clients' processes make the same key from it
    registry = ssp_core.load_registry()
    filler = Casework(
        registry,
        store=_url(schema),
        key=MunicipalKey(secret),
        clock=VirtualClock(dt.datetime.combine(DAY, dt.time(9), tzinfo=dt.UTC)),
    )
    runs = []
    try:
        _progress(f"load: writing {fmt_int(settings.cases)} cases into PostgreSQL")
        generate(filler, templates_of(registry), 0, settings.cases, min(settings.cases, 10_000))
        _progress("load: VACUUM ANALYZE and CHECKPOINT, as after any bulk import")
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            for table in ("events", "cases", "case_keys", "audit"):
                conn.execute(f'VACUUM (ANALYZE) "{schema}".{table}')
            conn.execute("CHECKPOINT")
        shared = _casework(schema, secret, pool_max=max(settings.threads))
        try:
            plan = _plan(settings)
            hand = None
            if any(kind == HAND for kind, _, _ in plan):
                _progress("load: opening every case's data key, for the reads by hand")
                hand = hand_reads(shared, schema, settings.cases)
            _progress(f"load: warming up, one thread, {WARM_UP:.0f} s (not timed)")
            _client(shared, settings.cases, time.monotonic() + WARM_UP, seed=-1)
            for kind, clients, round_ in plan:
                where = f", round {round_}" if round_ else ""
                _progress(f"load: {clients} {kind}{where}, {settings.seconds:.0f} s")
                runs.append(
                    _run(
                        kind,
                        clients,
                        settings,
                        schema=schema,
                        key=secret,
                        shared=shared,
                        hand=hand,
                        round_=round_,
                    )
                )
        finally:
            shared.close()
    finally:
        filler.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return LoadResults(
        settings.name,
        when,
        time.monotonic() - started,
        settings.cases,
        tuple(runs),
        targets=_targets(runs),
    )


def render_load_summary(results: LoadResults) -> str:
    """Return a plain-text summary of the load targets, for the terminal."""
    if results.skipped:
        return f"load test skipped: {results.skipped}"
    lines = [f"{t.name}: {t.measured} (limit {t.limit}) {t.status}" for t in results.targets]
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    lines.append(f"load test, {results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


SHARING_NOISE = 0.05
"""A difference of medians this small between shared and own ``Casework`` is called none."""


def _sharing_costs(shared: float, own: float) -> str:
    """Say what the medians of two threads sharing one ``Casework`` and with one each show."""
    if own - shared <= SHARING_NOISE:
        return (
            "sharing costs nothing measurable. What stops two threads short is the one "
            "interpreter lock they share, not anything the library's objects serialise."
        )
    return (
        f"sharing costs {own - shared:.2f} of the ratio, beyond what the interpreter lock "
        "takes: the library's shared objects serialise some of the work."
    )


def _reads_alone(runs: Sequence[Run], ratios: dict[tuple[str, int], list[float]]) -> str:
    """Say what two threads gave the reads alone, by hand and through ``Casework``."""

    def figures(kind: str) -> str:
        c, w, ceiling = gil_ceiling(median_single(runs, kind))
        values = ratios[kind, 2]
        return (
            f"one thread spent {c * 1e6:,.0f} µs of its own CPU and waited {w * 1e6:,.0f} µs "
            f"per read, and two threads reached {', '.join(f'{r:.2f}' for r in values)} "
            f"(median {statistics.median(values):.2f}; the M/M/1//2 ceiling {ceiling:.2f})"
        )

    by_hand = ratios[HAND, 2]
    paired = [ours / hand for ours, hand in zip(ratios[READS, 2], by_hand, strict=True)]
    short = (
        f" By hand, too, two threads stayed under the target's {SCALING_TARGET}: on this "
        "machine, at this time, a client written without the library would not have met it "
        "either."
        if statistics.median(by_hand) < SCALING_TARGET
        else ""
    )
    return (
        "What a second thread gives any Python client: in each round, the mix's reads alone "
        "ran with one thread and with two, written by hand with psycopg (a connection per "
        "thread: the `SELECT` of the case's rows, AES-GCM decryption with the data keys held "
        "in memory, a durable audit `INSERT`) and through the shared `Casework` (which also "
        "reads the key row and opens the data key, checks access and replays the case). By "
        f"hand, {figures(HAND)}. Through `Casework`, {figures(READS)}. The share of each "
        "operation a client spends holding the GIL sets the ceiling, whoever writes the "
        "client; below it, the cores it shares with the server and the flush of the "
        "write-ahead log that each durable audit `INSERT` waits for bound it. "
        "Against the same work by hand, round by round (each round's two ratios), "
        "`Casework`'s two-thread ratio was "
        + ", ".join(f"{r:.2f}" for r in paired)
        + f" of the hand-written one (median {statistics.median(paired):.2f}).{short}"
    )


def _mix_by_hand(runs: Sequence[Run], ratios: dict[tuple[str, int], list[float]]) -> str:
    """Say what two threads gave the whole mix by hand, beside the gated threads of ``Casework``."""
    single = median_single(runs, MIX_BY_HAND)
    c, w, ceiling = gil_ceiling(single)
    by_hand, ours = ratios[MIX_BY_HAND, 2], ratios[THREADS, 2]
    paired = [o / h for o, h in zip(ours, by_hand, strict=True)]
    verdict = (
        f"so by hand, too, two threads stayed under the target's {SCALING_TARGET}"
        if statistics.median(by_hand) < SCALING_TARGET
        else f"so by hand two threads met the target's {SCALING_TARGET}"
    )
    return (
        "The gated mix, written by hand: in each round, after the gated runs, the same mix "
        "(60 % reads, 25 % commands, 15 % list pages, the same random picks) ran with one "
        "thread and with two, with psycopg and a connection per thread: a read as the reads "
        "by hand below; a command as the command of the public path's baseline (in one "
        "transaction the `SELECT` of the case's rows and the `INSERT` of the sealed note as "
        "the next version, into a table of its own); a list as the same `SELECT` of a page "
        "of 50 index rows after the cursor, and a durable audit `INSERT`. It skips what the "
        "library adds: access checks, replaying the case, the data key's row, the index row "
        "and position a command keeps, the events table's lock. By hand, one thread spent "
        f"{c * 1e6:,.0f} µs of its own CPU and waited {w * 1e6:,.0f} µs per operation "
        f"({single.throughput:,.0f} operations per second), and two threads reached "
        + ", ".join(f"{r:.2f}" for r in by_hand)
        + f" (median {statistics.median(by_hand):.2f}; the M/M/1//2 ceiling {ceiling:.2f}), "
        f"{verdict}. Round by round, the gated two threads of `Casework` reached "
        + ", ".join(f"{r:.2f}" for r in paired)
        + f" of the hand-written ratio (median {statistics.median(paired):.2f})."
    )


def render_load_markdown(results: LoadResults) -> str:
    """Return the load section of ``docs/performance.md``, starting with its heading."""
    if results.skipped:
        return f"{LOAD_HEADING}\n\nNot run: {results.skipped}.\n"
    lines = [
        LOAD_HEADING,
        "",
        (
            f"Concurrent clients of one PostgreSQL store of {fmt_int(results.cases)} cases, "
            "each doing 60 % audited reads, 25 % commands (a note) and 15 % list pages "
            "through `Casework`, written by `benchmarks/run.py` (`bench_load.py` measures "
            f"and writes this section). {results.mode.capitalize()} run, {results.started}, "
            f"{results.seconds:.0f} s, {os.cpu_count()} logical CPUs (the server on the "
            "same machine)."
        ),
        "",
        "### Load targets",
        "",
        "| Target | Measured | Limit | Status |",
        "| :-- | --: | --: | :-: |",
        *(f"| {t.name} | {t.measured} | {t.limit} | {t.status} |" for t in results.targets),
        "",
        "### Throughput and latency",
        "",
        (
            "| Clients | Operations per second | Conflicts | Read p50 / p95 / p99 | "
            "Command p50 / p95 / p99 | List p50 / p95 / p99 |"
        ),
        "| :-- | --: | --: | --: | --: | --: |",
    ]
    for run in results.runs:
        cells = [
            " / ".join(f"{run.percentile(kind, share) / 1e3:.1f}" for share in (0.5, 0.95, 0.99))
            + " ms"
            if run.latencies_us[kind]
            else "none"  # the reads alone run no commands or lists
            for kind in ("read", "command", "list")
        ]
        lines.append(
            f"| {run.label} | {run.throughput:,.0f} | {run.conflicts} | " + " | ".join(cells) + " |"
        )
    threads = max((r.clients for r in results.runs if r.kind == THREADS), default=1)
    lines += [
        "",
        (
            "A conflict is two clients writing the same case at once: the second gets a "
            "`ConcurrencyError` and nothing is written for it. Notes acknowledged and "
            "notes stored are counted after each run (the lost-writes target). Every "
            "append takes the events table's lock for its transaction (gapless positions), "
            "so commands do not run in parallel; reads and lists do. The threads share one "
            f"`Casework` whose store was opened with `?pool_max={threads}`, "
            "a connection per thread (the default pool opens at most 8: more threads than "
            "connections wait for one in turn, and each hand-over costs the GIL a switch)."
        ),
    ]
    singles = sorted(_singles(results.runs).values(), key=lambda run: run.round)
    if len(singles) > 1:
        lines += [
            "",
            (
                f"The runs were made in {len(singles)} rounds, after {WARM_UP:.0f} s of "
                "the mix on one thread, not timed, one after the other in each round, and "
                "each round's ratios are taken against that round's single "
                "client; a target is the median of its rounds. The single client's "
                "throughput by round: "
                + ", ".join(f"{run.throughput:,.0f}" for run in singles)
                + " operations per second, with "
                + ", ".join(
                    f"{run.cpu_seconds / run.operations * 1e6:,.0f}"
                    for run in singles
                    if run.operations
                )
                + " µs of its own CPU per operation (the machine's speed changes from "
                "minute to minute)."
                + (
                    " The runs made once are compared with the median single client."
                    if any(run.round == 0 for run in results.runs)
                    else ""
                )
            ),
        ]
    single = median_single(results.runs) if _singles(results.runs) else None
    if single is not None and single.operations and single.cpu_seconds:
        c, w, ceiling = gil_ceiling(single)
        lines += [
            "",
            "### Why two threads fall short of two processes",
            "",
            (
                f"One client spent {c * 1e6:,.0f} µs of its own CPU per operation (Python "
                f"and the driver, holding the GIL) and {w * 1e6:,.0f} µs waiting on the "
                "server. Two threads of one process share one GIL: taken as one server "
                "with two clients (the machine-repair queue M/M/1//2), they can reach at "
                f"most {ceiling:.2f} of twice one client's throughput, however the "
                "database behaves. Below that ceiling, the threads' process and the two "
                "server processes serving them share the machine's cores, and every durable "
                "commit waits for the server to flush its write-ahead log. Two processes "
                "have a GIL each and are bounded by those two alone."
            ),
        ]
    ratios = scaling_ratios(results.runs, os.cpu_count() or 1) if single is not None else {}
    if (OWN, 2) in ratios and (THREADS, 2) in ratios:
        shared, own = ratios[THREADS, 2], ratios[OWN, 2]
        lines += [
            "",
            (
                "What sharing one `Casework` costs: in each round, right after the two threads "
                "sharing one, two threads with a `Casework` each (a pool, caches and locks of "
                "their own) ran the same mix. They reached "
                + ", ".join(f"{r:.2f}" for r in own)
                + f" (median {statistics.median(own):.2f}) against "
                + ", ".join(f"{r:.2f}" for r in shared)
                + f" (median {statistics.median(shared):.2f}) for the threads sharing one: "
                + _sharing_costs(statistics.median(shared), statistics.median(own))
            ),
        ]
    if (MIX_BY_HAND, 2) in ratios and (THREADS, 2) in ratios:
        lines += ["", _mix_by_hand(results.runs, ratios)]
    if (HAND, 2) in ratios and (READS, 2) in ratios:
        lines += ["", _reads_alone(results.runs, ratios)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    found = measure_load(LOAD_QUICK if "--quick" in sys.argv else LOAD_FULL)
    print(render_load_summary(found))
