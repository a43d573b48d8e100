"""The case-store targets, and their section of ``docs/performance.md``.

The section is Markdown that MyST reads as is: it starts with :data:`STORE_HEADING`
(a ``##`` heading, so it can follow the engine's sections on the same page), its
headings go down one level at a time, and it has plain tables only.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench_report import FAIL, INFO, OK, TIMES, Target, fmt_int, fmt_ns, fmt_ratio
from bench_store import (
    EVENTS_PER_CASE,
    POSTGRES_BATCH_CASES,
    SQLITE_BATCH_CASES,
    SQLITE_RAW_CHUNK,
    WAL_PROBE_CASES,
    StoreResults,
    Workload,
)

__all__ = [
    "SKIP",
    "STORE_HEADING",
    "evaluate_store",
    "render_store_markdown",
    "render_store_summary",
]

SKIP = "skipped"
STORE_HEADING = "## Case stores"
"""The first line of the store section; a page is split there to replace the section."""

SQLITE_SINGLE = 0.7
SQLITE_BATCHED = 0.4
POSTGRES_SINGLE = 0.5
POSTGRES_BATCHED = 0.4
LOAD_ONE = 0.3
LOAD_MANY = 2.0
EVENTSOURCING = 1.0


def _status(passed: bool) -> str:  # noqa: FBT001
    return OK if passed else FAIL


def _at_least(
    results: StoreResults,
    name: str,
    *,
    key: str,
    ours: str,
    base: str,
    limit: float,
    gated: bool,
) -> Target:
    workload = results.workload(key)
    if workload is None or base not in workload.per_op_ns:
        return Target(name, SKIP, f"≥ {limit:.2f}{TIMES}", SKIP)
    ratio = workload.speed(ours, base)
    return Target(
        name,
        fmt_ratio(ratio),
        f"≥ {limit:.2f}{TIMES}",
        _status(ratio >= limit) if gated else INFO,
    )


def evaluate_store(results: StoreResults) -> tuple[Target, ...]:
    """Check each store target against the measured figures; skipped ones are not failed."""
    bulk = results.workload("bulk_load")
    cases = fmt_int(bulk.ops) if bulk else "100,000"
    targets = [
        _at_least(
            results,
            "SQLite, one event per durable command: ours over raw sqlite3 (throughput)",
            key="sqlite_single",
            ours="ours",
            base="raw",
            limit=SQLITE_SINGLE,
            gated=True,
        ),
        _at_least(
            results,
            f"SQLite, batched ({SQLITE_BATCH_CASES} cases {TIMES} {EVENTS_PER_CASE} events): "
            "ours over raw executemany",
            key="sqlite_batched",
            ours="ours",
            base="raw",
            limit=SQLITE_BATCHED,
            gated=True,
        ),
        _at_least(
            results,
            "PostgreSQL, one event per durable command: ours over raw psycopg",
            key="pg_single",
            ours="ours",
            base="raw",
            limit=POSTGRES_SINGLE,
            gated=True,
        ),
        _at_least(
            results,
            "PostgreSQL, batched (1,000 events): ours over raw executemany",
            key="pg_batched",
            ours="ours",
            base="raw",
            limit=POSTGRES_BATCHED,
            gated=True,
        ),
        _at_least(
            results,
            "SQLite, loading a case of 8 events: ours over raw select + json.loads",
            key="sqlite_load",
            ours="ours",
            base="raw",
            limit=LOAD_ONE,
            gated=True,
        ),
        _at_least(
            results,
            "PostgreSQL, loading a case of 8 events: ours over raw select + json.loads",
            key="pg_load",
            ours="ours",
            base="raw",
            limit=LOAD_ONE,
            gated=True,
        ),
    ]
    name = f"Loading {cases} cases bound to their workflows: time over bare attrs construction"
    if bulk is None:
        targets.append(Target(name, SKIP, f"≤ {LOAD_MANY:.2f}{TIMES}", SKIP))
    else:
        slowdown = bulk.slowdown("ours", "bare")
        targets.append(
            Target(name, fmt_ratio(slowdown), f"≤ {LOAD_MANY:.2f}{TIMES}", _status(slowdown <= 2))
        )
    targets += [
        _at_least(
            results,
            "vs eventsourcing SQLite, one event per command (the event alone on both sides)",
            key="sqlite_single",
            ours="ours_events",
            base="es",
            limit=EVENTSOURCING,
            gated=True,
        ),
        _at_least(
            results,
            "vs eventsourcing SQLite, batched (800 events per transaction, events alone)",
            key="sqlite_batched",
            ours="ours_events",
            base="es",
            limit=EVENTSOURCING,
            gated=True,
        ),
        _at_least(
            results,
            "vs eventsourcing SQLite, loading an 8-event case into its domain object",
            key="sqlite_load",
            ours="ours",
            base="es",
            limit=EVENTSOURCING,
            gated=True,
        ),
        _at_least(
            results,
            "SQLite, one event per command: ours over raw sqlite3 writing the same rows",
            key="sqlite_single",
            ours="ours",
            base="raw3",
            limit=SQLITE_SINGLE,
            gated=False,
        ),
        _at_least(
            results,
            "SQLite, batched: ours over raw executemany of the same events and index rows",
            key="sqlite_batched",
            ours="ours",
            base="raw_rows",
            limit=SQLITE_BATCHED,
            gated=False,
        ),
        _at_least(
            results,
            "PostgreSQL, one event per command: ours over raw psycopg writing the same rows",
            key="pg_single",
            ours="ours",
            base="raw3",
            limit=POSTGRES_SINGLE,
            gated=False,
        ),
        _at_least(
            results,
            "vs eventsourcing SQLite, one event per command, ours with its index row",
            key="sqlite_single",
            ours="ours",
            base="es",
            limit=EVENTSOURCING,
            gated=False,
        ),
    ]
    return tuple(targets)


# -- the summary on stdout ------------------------------------------------------------------


def render_store_summary(results: StoreResults) -> str:
    """Return a plain-text table of the store targets, for the terminal."""
    header = ("Target", "Measured", "Limit", "Result")
    rows = [(t.name, t.measured, t.limit, t.status) for t in results.targets]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    rule = "  ".join("-" * width for width in widths)
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    lines.insert(1, rule)
    skipped = sum(t.status == SKIP for t in results.targets)
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    if skipped:
        verdict += f" ({skipped} skipped)"
    lines.append(rule)
    lines.extend(f"skipped: {reason}" for reason in _skip_reasons(results))
    lines.append(f"store benchmarks, {results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


def _skip_reasons(results: StoreResults) -> list[str]:
    """Return each distinct reason a workload was skipped, once."""
    return list(dict.fromkeys(reason for _, reason in results.skipped))


# -- the Markdown section -------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _per_second(ns: float) -> str:
    return f"{1e9 / ns:,.0f}"


def _results_table(workload: Workload, baseline: str) -> list[str]:
    rows = []
    for name, label in workload.labels.items():
        times = workload.per_op_ns[name]
        rows.append(
            (
                f"**{name}**: {label}",
                fmt_ns(workload.median(name)),
                fmt_ns(min(times)),
                fmt_ns(max(times)),
                _per_second(workload.median(name)),
                "1 (baseline)" if name == baseline else fmt_ratio(workload.speed(name, baseline)),
                *(column.get(name, "") for column in workload.columns.values()),
            )
        )
    return _table(
        (
            "Contestant",
            f"Per {workload.unit} (median)",
            "Fastest round",
            "Slowest round",
            f"{workload.unit.capitalize()}s per second",
            f"Throughput over `{baseline}`",
            *workload.columns,
        ),
        rows,
    )


def _target_line(target: Target) -> str:
    return f"- {target.name}: {target.measured} (limit {target.limit}): **{target.status}**."


def _targets_for(results: StoreResults, *fragments: str) -> list[str]:
    return [_target_line(t) for t in results.targets if any(f in t.name for f in fragments)]


def _method(workload: Workload) -> str:
    rounds = f"{workload.rounds} timed round{'s' if workload.rounds != 1 else ''}"
    return (
        f"Each contestant runs {fmt_int(workload.ops)} {workload.unit}s per round, "
        f"{rounds} after one warm-up round, in alternating order."
    )


def _skipped(results: StoreResults, key: str, title: str) -> list[str]:
    reason = results.skip_reason(key) or "not run"
    return [
        f"### {title}",
        "",
        f"Not measured in this run: {reason}. The targets are reported as skipped, not failed.",
        "",
    ]


def render_store_markdown(results: StoreResults) -> str:
    """Return the store section of ``docs/performance.md``, starting with its heading."""
    lines: list[str] = [
        STORE_HEADING,
        "",
        (
            "How fast ssp_core's case stores write and read events, each compared with the raw "
            "database driver doing the same work in the same run on the same machine, and with "
            "the `eventsourcing` library's SQLite store. Written by `benchmarks/run.py` "
            "(`bench_store.py` measures, `bench_store_report.py` writes this section)."
        ),
        "",
        "### Store targets",
        "",
        *_table(
            ("Target", "Measured", "Limit", "Result"),
            [(t.name, t.measured, t.limit, f"**{t.status}**") for t in results.targets],
            "lrrc",
        ),
        "",
        (
            f"Rows marked “{INFO}” are reported to explain the gated ones: they compare our "
            "store with the raw driver writing exactly the rows our store writes."
        ),
        "",
        *(f"- Skipped, not failed: {reason}." for reason in _skip_reasons(results)),
        *([""] if results.skipped else []),
        "### How the store benchmarks measure",
        "",
        *(f"- {key}: {value}" for key, value in results.info),
        f"- Run: {results.mode}, started {results.started}, took {results.seconds:.0f} s",
        "",
        (
            "Every workload runs its contestants in rounds. A round prepares each contestant's "
            "input (rows, commits, case ids: all built before any clock starts), then times each "
            "contestant once, after a full collection, in alternating order: A B C in one round, "
            "C B A in the next. The first round is a warm-up and is discarded. A ratio is the "
            "median over the rounds of the per-round ratio, so a change in the machine's speed "
            "(this is a shared virtual machine) affects both sides of each ratio alike; the "
            "tables give the median time per operation and the fastest and slowest rounds. "
            "Throughput ratios say how many operations ours does in the time the baseline does "
            "one (higher is better for ours)."
        ),
        "",
        (
            "Each contestant writes to its own file (or PostgreSQL schema) and to case ids of its "
            "own, so no contestant finds rows another wrote. SQLite files are opened in WAL mode "
            "with `synchronous=FULL`, as the store opens them, so every commit waits for the "
            f"disk. The eventsourcing library does not set `synchronous`; SQLite's default "
            f"applied, which here is FULL (`PRAGMA synchronous` = "
            f"{results.facts.get('es_synchronous', 'not checked')}). PostgreSQL runs on fresh "
            "schemas that are dropped at the end of the run."
        ),
        "",
        *_stories(results),
        *_single(results),
        *_batched(results),
        *_pg(results),
        *_load(results),
        *_bulk(results),
        *_eventsourcing(results),
        "### Reproducing the store figures",
        "",
        (
            "- `python benchmarks/run.py --store-only` runs only the store benchmarks and "
            "replaces only this section of the page; `--no-store` runs only the engine's. "
            "`--quick` makes every workload smaller (and leaves the page alone unless "
            "`--write` is given); its figures are noisier."
        ),
        (
            "- PostgreSQL: the server at `SSP_BENCH_POSTGRES` (default "
            "`postgresql://postgres@127.0.0.1:5432/test`). When no server answers, or the "
            "PostgreSQL store is not available, its targets are reported as skipped."
        ),
        "",
    ]
    return "\n".join(lines)


def _stories(results: StoreResults) -> list[str]:
    rows = [
        (
            f"`{story.workflow}`",
            ", ".join(story.topics),
            f"{story.data_bytes} B",
        )
        for story in results.stories
    ]
    return [
        "### The cases",
        "",
        (
            "Every benchmark case has one of four real eight-event histories, one per Aalborg "
            "action card, made with the workflow engine (opening, facts, an assignment, "
            "transitions with their due dates, notes) and encoded with the store's codec; "
            "cases take the four in turn, each under a case id of its own shaped like "
            "Casework's (`C-` and 16 characters)."
        ),
        "",
        *_table(("Card", "Events, oldest first", "JSON payloads"), rows, "llr"),
        "",
    ]


def _single(results: StoreResults) -> list[str]:
    workload = results.workload("sqlite_single")
    if workload is None:
        return _skipped(results, "sqlite_single", "SQLite, one event per durable command")
    return [
        "### SQLite, one event per durable command",
        "",
        (
            "What a Casework command writes: one event, stored with the purpose of the write "
            "(which makes it the write's audit entry), and the case's index row after it when "
            "the event changed it (an opening, a transition, an assignment: in these "
            "eight-event histories, half the commands; a note or a fact leaves the row as it "
            "was), in one transaction that waits for the disk. The commands of a round "
            f"write {fmt_int(workload.ops // EVENTS_PER_CASE)} whole case histories version by "
            "version (every case's first event, then every case's second, ...). "
            + _method(workload)
        ),
        "",
        (
            "- **ours**: `SqliteStore.append(Commit(events=(event,), cases=(row,) or ()))` per "
            "command, with the event already encoded (`StoredEvent`, with its purpose), as "
            "`Casework` hands it over."
        ),
        (
            "- **raw** (the baseline of the target): a plain `sqlite3` connection to a file "
            "with one `events` table of the same shape as the store's (`position INTEGER "
            "PRIMARY KEY`, the same seven columns, `UNIQUE (case_id, version)`), WAL, "
            "`synchronous=FULL`; per command `conn.execute(INSERT, row)` and "
            "`conn.commit()`, with the row already a tuple with its time as text."
        ),
        (
            "- **raw3** (not gated, to explain the gap): the raw driver writing exactly "
            "what ours writes (the event, and an upsert of the index row when it changed) "
            "into a file with "
            "the store's own schema (its indexes and append-only triggers), one `commit()` "
            "per command."
        ),
        (
            "- **ours_events** and **es**: our store with a Commit of the event alone, and "
            "the eventsourcing library's recorder inserting the same event; see the "
            "eventsourcing comparison below."
        ),
        "",
        *_results_table(workload, "raw"),
        "",
        *_targets_for(results, "SQLite, one event per"),
        (
            "- The raw baseline writes one row into one table with one index; a command that "
            "changes the index row writes two rows into two tables and their indexes (events: "
            "the unique index; cases: the partial index of due dates), and every b-tree "
            "a row goes into has a page rewritten in the write-ahead log at each commit. The "
            "last column counts those pages: after the timed rounds each contestant runs "
            f"{WAL_PROBE_CASES * EVENTS_PER_CASE} more commands on a checkpointed, truncated "
            "WAL, whose growth is divided by the page size plus the frame header. The ratio "
            "to raw3 is what the store's own work costs on top of those rows."
        ),
        "",
    ]


def _batched(results: StoreResults) -> list[str]:
    workload = results.workload("sqlite_batched")
    if workload is None:
        return _skipped(results, "sqlite_batched", "SQLite, batched")
    events = SQLITE_BATCH_CASES * EVENTS_PER_CASE
    return [
        (
            f"### SQLite, batched: {SQLITE_BATCH_CASES} cases {TIMES} {EVENTS_PER_CASE} events "
            "per transaction"
        ),
        "",
        (
            f"An import or a migration: {events} events of {SQLITE_BATCH_CASES} whole cases per "
            f"transaction, {fmt_int(workload.ops // events)} transaction(s) per round. "
            + _method(workload)
            + " Times are per event."
        ),
        "",
        (
            f"- **ours**: `SqliteStore.append` of one Commit holding the {events} events and the "
            f"{SQLITE_BATCH_CASES} cases' index rows."
        ),
        (
            f"- **raw** (the baseline): the issue asks for raw `executemany` “in batches of 100 "
            "rows”; read here as the same "
            f"{events} event rows per transaction, passed to `executemany` {SQLITE_RAW_CHUNK} "
            f"rows at a time ({events // SQLITE_RAW_CHUNK} calls), then one `commit()`, into the "
            "same-shaped `events` table as above."
        ),
        (
            "- **raw_rows** (not gated): the same, plus `executemany` of the "
            f"{SQLITE_BATCH_CASES} index rows into a file with the store's schema: the rows "
            "ours writes."
        ),
        "- **ours_events** and **es**: the events alone; see the eventsourcing comparison.",
        "",
        *_results_table(workload, "raw"),
        "",
        *_targets_for(results, "SQLite, batched"),
        "",
    ]


def _pg(results: StoreResults) -> list[str]:
    single, batched = results.workload("pg_single"), results.workload("pg_batched")
    if single is None or batched is None:
        return _skipped(results, "pg_single", "PostgreSQL, writing")
    facts = results.facts
    return [
        "### PostgreSQL, writing",
        "",
        (
            "The same commands and batches on `PostgresStore` (opened with `open_store` on a "
            "fresh schema), against raw psycopg on a connection of its own and a fresh schema "
            "with one `events` table typed like the store's "
            f"({facts.get('pg_event_types', 'types not read')}), `position` an identity "
            "column, `UNIQUE (case_id, version)`. The server commits durably (see "
            "`synchronous_commit` above)."
        ),
        "",
        "#### One event per command",
        "",
        (
            "- **ours**: `PostgresStore.append(Commit(event with its purpose, index row))` per "
            "command. **raw**: `conn.execute(INSERT, row)` and `conn.commit()` per command "
            "(psycopg prepares the statement after its fifth use). **raw3** (not gated): the "
            "raw driver writing the same rows into a schema made by the store itself. "
            + _method(single)
        ),
        "",
        *_results_table(single, "raw"),
        "",
        *_targets_for(results, "PostgreSQL, one event per"),
        "",
        (
            f"#### Batched: {POSTGRES_BATCH_CASES} cases {TIMES} {EVENTS_PER_CASE} events "
            "per transaction"
        ),
        "",
        (
            "- **ours**: `PostgresStore.append` of one Commit of 1,000 events and "
            f"{POSTGRES_BATCH_CASES} index rows. **raw**: `cursor.executemany(INSERT, rows)` of "
            "the same 1,000 event rows (psycopg sends them in one pipeline), then `commit()`. "
            + _method(batched)
            + " Times are per event."
        ),
        "",
        *_results_table(batched, "raw"),
        "",
        *_targets_for(results, "PostgreSQL, batched"),
        "",
    ]


def _load(results: StoreResults) -> list[str]:
    workload = results.workload("sqlite_load")
    if workload is None:
        return _skipped(results, "sqlite_load", "Loading one case of 8 events")
    lines = [
        "### Loading one case of 8 events",
        "",
        (
            "Reading one case's history and turning it into something the application can "
            f"use. {' '.join(workload.notes)}. " + _method(workload)
        ),
        "",
        (
            "- **ours**: `codec.replay(store.read_case(case_id))`: the store selects the rows "
            "and builds `StoredEvent` records (times parsed), the codec decodes each payload "
            "(`json.loads`, then cattrs' structuring into the attrs event class, nested subject "
            "and due dates included) and `Case.replay` folds them into a `Case` holding its "
            "events."
        ),
        (
            "- **raw** (the baseline): a plain connection to the same file, "
            "`conn.execute(SELECT ... WHERE case_id = ? ORDER BY version).fetchall()` and "
            "`json.loads` of each payload: rows and dictionaries, no objects."
        ),
        "- **es**: see the eventsourcing comparison.",
        "",
        "#### SQLite",
        "",
        *_results_table(workload, "raw"),
        "",
        *_targets_for(results, "SQLite, loading"),
        "",
    ]
    pg = results.workload("pg_load")
    lines += ["#### PostgreSQL", ""]
    if pg is None:
        lines += [f"Not measured: {results.skip_reason('pg_load') or 'not run'}.", ""]
    else:
        lines += [
            f"{' '.join(pg.notes)}. " + _method(pg),
            "",
            *_results_table(pg, "raw"),
            "",
            *_targets_for(results, "PostgreSQL, loading"),
            "",
        ]
    return lines


def _bulk(results: StoreResults) -> list[str]:
    workload = results.workload("bulk_load")
    if workload is None:
        return _skipped(results, "bulk_load", "Loading many cases bound to their workflows")
    facts = results.facts
    return [
        f"### Loading {fmt_int(workload.ops)} cases bound to their workflows",
        "",
        (
            f"{fmt_int(workload.ops)} cases ({facts.get('bulk_events', '?')} events) are "
            "written to an SQLite store (in "
            f"{facts.get('bulk_write_s', '?')} s, untimed) and fetched once with "
            f"`store.read_cases` ({facts.get('bulk_read_s', '?')} s, untimed), outside both "
            "timings: what is compared is turning the same fetched `StoredEvent` rows into "
            "cases, not the database. The rows are then frozen out of the collector's sight "
            "(`gc.freeze()`), since they are the input of both sides; the collector stays "
            "enabled for what each side creates. Both sides keep every case in a list until "
            "their clock stops. " + _method(workload) + " Each run decodes all the cases."
        ),
        "",
        (
            "- **ours**: `codec.replay(rows)` and `registry.engine_for(case)` per case: the "
            "codec's decoding (`json.loads`, cattrs' structuring per event type), the fold, "
            "and the lookup that binds the case to its workflow version."
        ),
        (
            "- **bare** (the baseline): the same rows decoded by hand: `json.loads`, then the "
            "attrs event class called with keyword arguments (dates parsed with "
            "`date.fromisoformat`, `Subject` and `DueDate` built directly), then the same "
            "`Case.replay`. It is the least any decoder into these classes has to do; the "
            "fold is the same code on both sides, so the ratio measures what the generic "
            "codec and the binding add."
        ),
        "",
        *_results_table(workload, "bare"),
        "",
        *_targets_for(results, "bound to their workflows"),
        "",
    ]


def _eventsourcing(results: StoreResults) -> list[str]:
    reason = results.skip_reason("eventsourcing")
    if reason:
        return ["### Compared with the eventsourcing library", "", f"Not measured: {reason}.", ""]
    single = results.workload("sqlite_single")
    batched = results.workload("sqlite_batched")
    load = results.workload("sqlite_load")
    rows = []
    for workload, ours, unit in (
        (single, "ours_events", "command"),
        (batched, "ours_events", "event"),
        (load, "ours", "case"),
    ):
        if workload is None or "es" not in workload.per_op_ns:
            continue
        rows.append(
            (
                workload.title,
                f"{fmt_ns(workload.median(ours))} per {unit}",
                f"{fmt_ns(workload.median('es'))} per {unit}",
                fmt_ratio(workload.speed(ours, "es")),
            )
        )
    return [
        "### Compared with the eventsourcing library",
        "",
        (
            "The same workloads on the `eventsourcing` library's SQLite store, in the same "
            "rounds as the others. Like is compared with like:"
        ),
        "",
        (
            "- Writing: its `SQLiteApplicationRecorder` (the recorder its applications use; "
            "it also numbers events in one global order, as our positions do), with text "
            'ids (`originator_id_type="text"`), `insert_events([stored_event])` per command, '
            "or with all 800 events of a batch in one call. Each `StoredEvent` carries the "
            "same event: our topic, and the JSON payload with the time, actor and role "
            "inside it (the library has no columns for them). Ours is "
            "`SqliteStore.append(Commit(events=...))` with the event(s) alone (**ours_events**), "
            "so both sides write one row per event; our full command (with its index row) is "
            "compared with it too, not gated."
        ),
        (
            "- Loading: an eventsourcing `Application` "
            "(`PERSISTENCE_MODULE=eventsourcing.sqlite`, a file of its own with the same "
            "cases) holding each case as an aggregate that went through the same eight events "
            "(`CaseOpened`, `Transitioned`, `FactRecorded`, `NoteAdded`, `Assigned` as "
            "`@event` methods keeping the same derived fields), with transcodings registered "
            "for the subject, due dates and dates; `application.repository.get(case_id)` "
            "against our `codec.replay(store.read_case(case_id))`."
        ),
        "",
        *_table(("Workload", "ours", "eventsourcing", "Throughput over eventsourcing"), rows),
        "",
        *_targets_for(results, "vs eventsourcing"),
        (
            "- Where the two differ by design: our store gets each event's time as a "
            "`datetime` and formats it for its `at` column inside `append`, while the "
            "library's events reach its recorder already serialised (the time inside the "
            "JSON bytes, formatted by its mapper before the recorder). Loading, the "
            "library's projector asserts of each event `isinstance(event, CanMutateProtocol)`, "
            "a runtime-checkable `typing` protocol; such checks are slow on Python 3.11 and "
            "are skipped under `python -O`, so that part of its time depends on the "
            "interpreter."
        ),
        "",
    ]
