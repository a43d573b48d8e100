"""The scale benchmark: every list of the public path at 10,000, 100,000 and 1,000,000 cases.

One SQLite store grows from the smallest size to the largest; at each size the same
calls are timed through ``Casework`` (the path a user calls), each the median of
several calls. Each target is the per-call time at the largest size over the time at
the smallest (at most 1.5 times: flat, not growing with cases no one asked for),
measured in paired rounds: a copy of the store is kept when it has the smallest size,
and at the end each call is timed on the copy and on the full store one after the
other, in several rounds; the target is the median of the rounds' ratios. The machine's
speed changes from minute to minute (a shared virtual machine), so two figures taken
a quarter of an hour apart, before and after the store grew, are no fair pair.

At each size a research export of each kind (every event; the aggregate tables) is
run through ``Casework.research_export`` in a process of its own, and its peak
resident memory is read (``VmHWM``): the target is the peak at the largest size
over the peak at the smallest (at most 1.5 times: memory bounded, not growing with
the cases exported).

The store is generated through the library's public layers, in batches, as a user
migrating from another system would write it: each case is made by the real
workflow engine (``WorkflowEngine.open``, ``record_fact``, ``assign``, ``fire``), its
events sealed under a data key of its own by ``Casework``'s codec and keyring, and
written with its index row and key row by ``CaseStore.append`` in commits of 20,000
cases, through a store opened with a 256 MiB page cache (``?cache_mb=256``), as a
bulk import would; the calls are timed through another ``Casework`` on the store
with SQLite's default cache. Cases are opened by 5,000 frontline workers and
assigned to 60 consultants; one worker (``dan``) has opened exactly 20 of them at
every size, and 30 cases are overdue on the measuring day at every size, so that
each list's answer is the same size whatever the store's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from bench_report import FAIL, INFO, OK, TIMES, Target, fmt_int, fmt_ratio
from ssp_core import Actor, AuditQuery, CaseQuery, Casework, MunicipalKey, VirtualClock
from ssp_core.application.admin import describe_store
from ssp_core.domain.people import Subject
from ssp_core.plugins.registry import Registry
from ssp_core.store import Commit
from ssp_core.store.projection import case_row
from ssp_core.store.records import CaseCursor, CaseRow, StoredEvent
from ssp_core.testing import pseudonym_for
from ssp_core.workflows.engine import WorkflowEngine

__all__ = [
    "SCALE_FULL",
    "SCALE_HEADING",
    "SCALE_QUICK",
    "ScaleResults",
    "ScaleSettings",
    "measure_scale",
    "render_scale_markdown",
    "render_scale_summary",
]

SCALE_HEADING = "## Lists at scale"
"""The first line of the scale section; a page is split there to replace the section."""

FLAT_TARGET = 1.5
"""Per-call time at the largest size over the smallest, at most."""

BATCH = 20_000
"""Cases written per commit while generating."""

GENERATION_GOAL_S = 180
"""Issue 16's goal for generating the 1,000,000-case store, in seconds (reported, not gated)."""

WRITER_CACHE_MB = 256
"""The page cache (MiB) of the store the cases are generated through (``?cache_mb=``)."""

WORKERS = 5_000
CONSULTANTS = 60
OWN_CASES = 20
OVERDUE_CASES = 30
START = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 2)
"""The day lists are measured on (overdue: due before it)."""

RESEARCHER = Actor("r-0", "aalborg.researcher")
EXPORTS = ("events", "tables")
"""The research exports whose memory is measured at each size."""

CONSULTANT = Actor("c-0", "aalborg.ssp_consultant")
WORKER = Actor("dan", "aalborg.frontline_worker")
ADMIN = Actor("root", "aalborg.administrator")
CARD = "aalborg.radicalisation_under_18"


@attrs.frozen
class ScaleSettings:
    """The sizes the store is measured at, and how many calls each figure is a median of."""

    name: str
    sizes: tuple[int, ...]
    calls: int
    rounds: int = 7
    """Paired rounds of the targets: each call timed on the smallest store and on the largest."""


SCALE_FULL = ScaleSettings("full", (10_000, 100_000, 1_000_000), 21)
SCALE_QUICK = ScaleSettings("quick", (2_000, 20_000), 11, rounds=3)


@attrs.frozen
class Export:
    """One research export at one size: its process's peak memory, its time, its rows."""

    peak_mb: float
    base_mb: float
    seconds: float
    rows: int


def run_export(url: str, key_file: Path, kind: str, out: Path) -> Export:
    """Run a research export of ``kind`` in a process of its own; return what it measured."""
    found = subprocess.run(  # noqa: S603 (this interpreter, a command of the benchmark's own)
        [sys.executable, __file__, "--export", url, str(key_file), kind, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return Export(**json.loads(found.stdout.strip().splitlines()[-1]))


def _peak_mb() -> float:
    """Return this process's peak resident memory in MB.

    Linux's ``VmHWM``: ``ru_maxrss`` is kept across ``exec``, so a process started by a
    large one would report its parent's peak.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


def _export_here(url: str, key_file: str, kind: str, out: str) -> None:
    """Run one research export in this process and print what it measured, as JSON."""
    import ssp_core  # noqa: PLC0415

    casework = Casework(
        ssp_core.load_registry(),
        store=url,
        key=MunicipalKey.from_file(key_file),
        clock=VirtualClock(dt.datetime.combine(DAY, dt.time(9), tzinfo=dt.UTC)),
    )
    casework.store.count_cases()  # the store opened, as before any export
    base = _peak_mb()
    begun = time.perf_counter()
    result = casework.research_export(RESEARCHER, kind=kind, out=out)
    seconds = time.perf_counter() - begun
    peak = _peak_mb()
    casework.close()
    rows = sum(result.rows.values())
    print(json.dumps({"peak_mb": peak, "base_mb": base, "seconds": seconds, "rows": rows}))


@attrs.frozen
class ScaleResults:
    """Per-call medians (ns) of each call at each size, generation times, and the targets."""

    mode: str
    started: str
    seconds: float
    sizes: tuple[int, ...]
    events: tuple[int, ...]
    generation: tuple[float, ...]
    file_bytes: tuple[int, ...]
    medians: dict[str, tuple[float, ...]]
    exports: dict[str, tuple[Export, ...]] = attrs.Factory(dict)
    paired: dict[str, tuple[float, ...]] = attrs.Factory(dict)
    """Each call's ratios, largest store over smallest, one per paired round."""
    targets: tuple[Target, ...] = ()

    @property
    def failed(self) -> bool:
        """Tell whether a gated target was missed."""
        return any(target.status == FAIL for target in self.targets)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@attrs.frozen
class Template:
    """The events of one case made by the engine, to be written under many case ids."""

    events: tuple[object, ...]
    row: CaseRow


def templates_of(registry: Registry) -> list[Template]:
    """Return case histories of one, two and three events, made by the real engine.

    Opened by a frontline worker on a concern date in the past (due dates run from it).
    """
    engine: WorkflowEngine = registry.engine(CARD)
    made = []
    for length in (1, 2, 3):
        case = engine.open(
            case_id="template",
            subject=Subject(pseudonym_for("p-template"), dt.date(2011, 5, 1)),
            actor=WORKER,
            at=START,
            situation="aalborg.radicalisation",
            concern_date=START.date(),
            municipality="aalborg",
        )
        if length >= 2:
            engine.record_fact(case, "concern_described", CONSULTANT, at=START)
        if length >= 3:
            engine.assign(case, CONSULTANT.id, CONSULTANT, at=START)
        made.append(Template(case.events, case_row(case, engine.definition.final_states)))
    return made


def _due(n: int) -> dt.date | None:
    """Return the next due date of the ``n``th case: overdue for the first few, else ahead."""
    if n < OVERDUE_CASES:
        return DAY - dt.timedelta(days=1 + n % 7)
    return DAY + dt.timedelta(days=1 + n % 365)


def _is_own(n: int, spread: int) -> bool:
    """Tell whether the worker ``dan`` opened the ``n``th case (20 of the first ``spread``)."""
    return n < spread and n % (spread // OWN_CASES) == 0


def generate(
    casework: Casework, templates: Sequence[Template], first: int, last: int, spread: int
) -> None:
    """Write cases ``first`` to ``last - 1`` in commits of ``BATCH`` cases (public layers only).

    The worker ``dan`` opens 20 of the first ``spread`` cases (the smallest size), so
    they have as many cases at every size.
    """
    codec, keyring, store = casework.codec, casework.keyring, casework.store
    for start in range(first, last, BATCH):
        events: list[StoredEvent] = []
        rows: list[CaseRow] = []
        keys = []
        for n in range(start, min(start + BATCH, last)):
            template = templates[n % len(templates)]
            case_id = f"C-{n:016d}"
            opener = WORKER.id if _is_own(n, spread) else f"w-{n % WORKERS}"
            data_key, key_row = keyring.new_case_key(
                case_id, pseudonym_for(f"p-{n}"), START, municipality="aalborg"
            )
            cipher = codec.cipher(data_key)
            for event in template.events:  # one copy each, the opening by its opener
                changes = {"case_id": case_id, **({"actor": opener} if event.version == 1 else {})}
                moved = attrs.evolve(event, **changes)  # type: ignore[misc]
                events.append(codec.encode(moved, purpose="casework", key=cipher))
            assignee = f"c-{n % CONSULTANTS}" if template.row.assignee else None
            rows.append(
                attrs.evolve(
                    template.row,
                    case_id=case_id,
                    opened_by=opener,
                    assignee=assignee,
                    next_due=_due(n),
                )
            )
            keys.append(key_row)
        store.append(Commit(events=events, cases=rows, keys=keys))


def _timed(call: Callable[[], object], calls: int) -> float:
    call()  # warm: the statement prepared, the pages read once
    times = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - started)
    return statistics.median(times)


def _calls(casework: Casework, url: str, size: int) -> dict[str, Callable[[], object]]:
    """Return the calls timed at each size, by their name in the report."""
    middle = CaseCursor(_due(size // 2), f"C-{size // 2:016d}")
    some_case = f"C-{size // 2:016d}"
    return {
        "`find`, first page of 50 (SSP consultant)": lambda: casework.find(
            CONSULTANT, CaseQuery(limit=50)
        ),
        "`find`, a page of 50 in the middle (`after` a cursor)": lambda: casework.find(
            CONSULTANT, CaseQuery(limit=50, after=middle)
        ),
        "`find` by workflow and state, page of 50": lambda: casework.find(
            CONSULTANT, CaseQuery(workflow=CARD, state="received", limit=50)
        ),
        "`find` by assignee, page of 50": lambda: casework.find(
            CONSULTANT, CaseQuery(assignee="c-7", limit=50)
        ),
        "a frontline worker's own list (`find`, page of 50)": lambda: casework.find(
            WORKER, CaseQuery(limit=50)
        ),
        "`overdue` (every overdue case)": lambda: casework.overdue(CONSULTANT, on=DAY),
        "`case`: one case read (audited)": lambda: casework.case(
            some_case, CONSULTANT, purpose="casework"
        ),
        "`audit_log` of one case": lambda: casework.audit_log(
            ADMIN, AuditQuery(case_id=some_case, limit=50), purpose="audit"
        ),
        "`audit_log` of one actor, first 50 entries": lambda: casework.audit_log(
            ADMIN, AuditQuery(actor=WORKER.id, limit=50), purpose="audit"
        ),
        "`describe_store` (`ssp store info`: the case count)": lambda: describe_store(url),
    }


def keep_copy(path: Path, copy: Path) -> None:
    """Copy the SQLite store at ``path`` to ``copy``, whole and consistent (the backup API)."""
    source = sqlite3.connect(path)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    copy.chmod(path.stat().st_mode & 0o777)


def paired_ratios(
    small: dict[str, Callable[[], object]],
    large: dict[str, Callable[[], object]],
    settings: ScaleSettings,
) -> dict[str, list[float]]:
    """Time each call on both stores, one after the other, in rounds; return large / small.

    The order within a pair alternates by round, so neither store is always timed first.
    """
    ratios: dict[str, list[float]] = {}
    for round_ in range(settings.rounds):
        for name, call in large.items():
            if round_ % 2:
                big = _timed(call, settings.calls)
                little = _timed(small[name], settings.calls)
            else:
                little = _timed(small[name], settings.calls)
                big = _timed(call, settings.calls)
            ratios.setdefault(name, []).append(big / little)
    return ratios


def _targets(
    settings: ScaleSettings,
    paired: dict[str, list[float]],
    exports: dict[str, list[Export]],
    generation: Sequence[float],
) -> tuple[Target, ...]:
    """Return the scale targets: the paired ratios, the exports' memory, the generation time."""
    ratios = {name: statistics.median(values) for name, values in paired.items()}
    first, last = fmt_int(settings.sizes[0]), fmt_int(settings.sizes[-1])
    targets = tuple(
        Target(
            f"{name}: per call at {last} cases over {first} "
            f"(median of {settings.rounds} paired rounds)",
            fmt_ratio(ratio),
            f"≤ {FLAT_TARGET}{TIMES}",
            OK if ratio <= FLAT_TARGET else FAIL,
        )
        for name, ratio in ratios.items()
    ) + tuple(
        Target(
            f"research export ({kind}): peak memory at {last} cases over {first}",
            fmt_ratio(found[-1].peak_mb / found[0].peak_mb),
            f"≤ {FLAT_TARGET}{TIMES}",
            OK if found[-1].peak_mb / found[0].peak_mb <= FLAT_TARGET else FAIL,
        )
        for kind, found in exports.items()
    )
    total = sum(generation)
    targets += (
        Target(
            f"generating the store of {last} cases (every size), through the public layers",
            f"{total:.0f} s",
            f"< {GENERATION_GOAL_S} s, issue 16's goal (a time, not a ratio)",
            INFO,
        ),
    )
    return targets


def _against_copy(  # noqa: PLR0917 (the two stores and what opens the copy)
    casework: Casework,
    url: str,
    small: Path,
    registry: Registry,
    key: MunicipalKey,
    settings: ScaleSettings,
) -> dict[str, list[float]]:
    """Open the copy of the smallest store; return the paired ratios of the largest over it."""
    _progress(
        f"scale: {settings.rounds} paired rounds, {fmt_int(settings.sizes[0])} against "
        f"{fmt_int(settings.sizes[-1])} cases"
    )
    small_url = f"sqlite:///{small}"
    smallest = Casework(registry, store=small_url, key=key, clock=casework.clock)
    try:
        return paired_ratios(
            _calls(smallest, small_url, settings.sizes[0]),
            _calls(casework, url, settings.sizes[-1]),
            settings,
        )
    finally:
        smallest.close()


def measure_scale(settings: ScaleSettings, registry: Registry | None = None) -> ScaleResults:
    """Grow one store to each size, and time each call at each size."""
    import ssp_core  # noqa: PLC0415

    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    registry = registry or ssp_core.load_registry()
    medians: dict[str, list[float]] = {}
    generation: list[float] = []
    events: list[int] = []
    file_bytes: list[int] = []
    exports: dict[str, list[Export]] = {}
    with tempfile.TemporaryDirectory(prefix="ssp-scale-") as folder:
        path = Path(folder) / "scale.db"
        url = f"sqlite:///{path}"
        small = Path(folder) / "copies" / "smallest.db"  # not counted in the store's size
        small.parent.mkdir()
        key = MunicipalKey.generate()
        key_file = Path(folder) / "municipal.key"
        key_file.write_text(key.export_text(), encoding="ascii")
        key_file.chmod(0o600)
        casework = Casework(
            registry,
            store=url,
            key=key,
            clock=VirtualClock(dt.datetime.combine(DAY, dt.time(9), tzinfo=dt.UTC)),
        )
        templates = templates_of(registry)
        written = 0
        for size in settings.sizes:
            _progress(f"scale: writing cases {fmt_int(written)} to {fmt_int(size)}")
            begun = time.perf_counter()
            writer = Casework(registry, store=f"{url}?cache_mb={WRITER_CACHE_MB}", key=key)
            try:
                generate(writer, templates, written, size, settings.sizes[0])
            finally:
                writer.close()
            generation.append(time.perf_counter() - begun)
            written = size
            events.append(casework.store.max_position())
            file_bytes.append(sum(p.stat().st_size for p in Path(folder).iterdir()))
            own = casework.find(WORKER, CaseQuery())
            if len(own) != OWN_CASES:
                raise RuntimeError(f"the worker sees {len(own)} cases, not {OWN_CASES}")
            _progress(f"scale: timing every list at {fmt_int(size)} cases")
            for name, call in _calls(casework, url, size).items():
                medians.setdefault(name, []).append(_timed(call, settings.calls))
            if size == settings.sizes[0]:
                keep_copy(path, small)
            for kind in EXPORTS:
                _progress(f"scale: a research export ({kind}) of {fmt_int(size)} cases")
                out = Path(folder) / f"export-{kind}-{size}"
                exports.setdefault(kind, []).append(run_export(url, key_file, kind, out))
        try:
            paired = _against_copy(casework, url, small, registry, key, settings)
        finally:
            casework.close()
    targets = _targets(settings, paired, exports, generation)
    return ScaleResults(
        mode=settings.name,
        started=when,
        seconds=time.monotonic() - started,
        sizes=settings.sizes,
        events=tuple(events),
        generation=tuple(generation),
        file_bytes=tuple(file_bytes),
        medians={name: tuple(values) for name, values in medians.items()},
        exports={kind: tuple(found) for kind, found in exports.items()},
        paired={name: tuple(values) for name, values in paired.items()},
        targets=targets,
    )


def render_scale_summary(results: ScaleResults) -> str:
    """Return a plain-text summary of the scale targets, for the terminal."""
    lines = [f"{t.name}: {t.measured} (limit {t.limit}) {t.status}" for t in results.targets]
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    lines.append(f"scale benchmark, {results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


def _ms(ns: float) -> str:
    return f"{ns / 1e6:.2f} ms"


def render_scale_markdown(results: ScaleResults) -> str:
    """Return the scale section of ``docs/performance.md``, starting with its heading."""
    sizes = " | ".join(f"{fmt_int(size)} cases" for size in results.sizes)
    sizes_mb = results.file_bytes
    align = " | ".join("--:" for _ in results.sizes)
    cpus = os.cpu_count()
    first, last = fmt_int(results.sizes[0]), fmt_int(results.sizes[-1])
    calls = SCALE_FULL.calls if results.mode == "full" else SCALE_QUICK.calls
    lines = [
        SCALE_HEADING,
        "",
        (
            "Every list of the public path (`Casework`, what `ssp` calls), timed on one "
            "SQLite store as it grows, written by `benchmarks/run.py` (`bench_scale.py` "
            "measures and writes this section). These are figures of the public path, "
            "access checks and audit entries included, not of the store layer alone "
            f"(those are under *Case stores*). Machine: {cpus} logical CPUs; "
            f"{results.mode} run, {results.started}, {results.seconds:.0f} s."
        ),
        "",
        "### Scale targets",
        "",
        "| Target | Measured | Limit | Status |",
        "| :-- | --: | --: | :-: |",
        *(f"| {t.name} | {t.measured} | {t.limit} | {t.status} |" for t in results.targets),
        "",
        "### Per call, by the size of the store",
        "",
        f"| Call | {sizes} |",
        f"| :-- | {align} |",
        *(
            f"| {name} | {' | '.join(_ms(v) for v in values)} |"
            for name, values in results.medians.items()
        ),
        "",
        (
            "These figures were taken as the store grew, minutes apart; the targets are not "
            "their ratios but the paired rounds' below."
        ),
        "",
        f"### {last} cases over {first}, in paired rounds",
        "",
        (
            f"A copy of the store was kept when it held {first} cases. After the largest "
            "size, each call was timed on the copy and on the full store one after the "
            "other (the order alternating by round), each time the median of "
            f"{calls} calls; a target is the median of the rounds' ratios."
        ),
        "",
        "| Call | Ratio by round | Median |",
        "| :-- | --: | --: |",
        *(
            f"| {name} | {', '.join(f'{r:.2f}' for r in values)} | "
            f"{statistics.median(values):.2f} |"
            for name, values in results.paired.items()
        ),
        "",
        "### A research export, by the size of the store",
        "",
        (
            "Each export runs through `Casework.research_export` (CSV) in a process of its "
            "own; peak memory is the process's peak resident set (`VmHWM`), the store "
            "opened before the export counted in it."
        ),
        "",
        f"| Export | {sizes} |",
        f"| :-- | {align} |",
        *(
            line
            for kind, found in results.exports.items()
            for line in (
                f"| {kind}: peak memory | {' | '.join(f'{e.peak_mb:,.0f} MB' for e in found)} |",
                f"| {kind}: time | {' | '.join(f'{e.seconds:,.1f} s' for e in found)} |",
                f"| {kind}: rows written | {' | '.join(fmt_int(e.rows) for e in found)} |",
            )
        ),
        "",
        "### The store",
        "",
        f"| | {sizes} |",
        f"| :-- | {align} |",
        f"| events | {' | '.join(fmt_int(e) for e in results.events)} |",
        f"| file size (with its WAL) | {' | '.join(f'{b / 1e6:,.0f} MB' for b in sizes_mb)} |",
        (
            "| writing the cases added since the size before | "
            f"{' | '.join(f'{s:.1f} s' for s in results.generation)} |"
        ),
        "",
        (
            f"Each figure is the median of {calls} calls after "
            "one untimed call. The store is generated as the module docstring of "
            "`bench_scale.py` says: the real engine makes each case's events, `Casework`'s "
            "codec and keyring seal them under a data key of the case's own, and "
            f"`CaseStore.append` writes {fmt_int(BATCH)} cases per commit, on a store opened "
            f"with `?cache_mb={WRITER_CACHE_MB}` (a bulk import's page cache; the calls "
            "are timed through another `Casework` with SQLite's default). Each list's answer "
            "has the same size at every size of the store (one page of 50; the 20 cases "
            f"the worker opened; {OVERDUE_CASES} overdue cases), so a flat time means the "
            "call reads only what it returns: through the index in the order of the list "
            "(schema 6), a page after a cursor by keyset (`CaseQuery.after`), a worker's "
            "own cases through the index of openers and assignees, the count from the "
            "count the store keeps."
        ),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys as _sys

    if _sys.argv[1:2] == ["--export"]:
        _export_here(*_sys.argv[2:6])
        raise SystemExit(0)
    quick = "--quick" in _sys.argv
    found = measure_scale(SCALE_QUICK if quick else SCALE_FULL)
    print(render_scale_summary(found))
