"""Benchmark the workflow engine against plain ``transitions`` and write ``docs/performance.md``.

Run from the repository root (``tox -e bench`` does)::

    python benchmarks/run.py            # full run; rewrites docs/performance.md
    python benchmarks/run.py --quick    # smoke test; prints only
    python benchmarks/run.py --quick --write
    python benchmarks/run.py --store-only    # only the case-store benchmarks
    python benchmarks/run.py --no-store      # skip the case-store benchmarks
    python benchmarks/run.py --index-only    # only the safety-index benchmark
    python benchmarks/run.py --no-index      # skip the safety-index benchmark
    python benchmarks/run.py --start-only    # only the start-up benchmark
    python benchmarks/run.py --no-start      # skip the start-up benchmark
    python benchmarks/run.py --public-only   # only the public-path benchmark (Casework)
    python benchmarks/run.py --no-public     # skip the public-path benchmark
    python benchmarks/run.py --load-only     # only the PostgreSQL load test (1M cases)
    python benchmarks/run.py --no-load       # skip the PostgreSQL load test
    python benchmarks/run.py --scale-only    # only the lists-at-scale benchmark (1M cases)
    python benchmarks/run.py --no-scale      # skip the lists-at-scale benchmark
    python benchmarks/run.py --simulation-only  # only the simulation benchmark
    python benchmarks/run.py --no-simulation    # skip the simulation benchmark

The case-store benchmarks (``bench_store.py``) run after the engine's, then the
safety-index benchmark (``bench_index.py``), and the start-up benchmark
(``bench_start.py``) last; each part's section of the page
replaces the previous one, and a part that did not run is kept as it was.
Every target is a ratio of two measurements taken in the same run. The exit status
is 1 if a gated target is missed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs

from bench_index import (
    INDEX_FULL,
    INDEX_HEADING,
    INDEX_QUICK,
    measure_index,
    render_index_markdown,
    render_index_summary,
)
from bench_load import (
    LOAD_FULL,
    LOAD_HEADING,
    LOAD_QUICK,
    measure_load,
    render_load_markdown,
    render_load_summary,
)
from bench_measure import (
    FIRE_CARD,
    action_cards,
    add_models,
    baseline_machine,
    case_ids,
    fire_vs_bare,
    freed_without_collector,
    memory_per_case,
    open_cases,
)
from bench_public import (
    PUBLIC_FULL,
    PUBLIC_HEADING,
    PUBLIC_QUICK,
    measure_public,
    render_public_markdown,
    render_public_summary,
)
from bench_report import (
    FAIL,
    INFO,
    OK,
    TIMES,
    CardInfo,
    Results,
    Target,
    chunk_medians,
    fmt_int,
    fmt_ratio,
    render_markdown,
    render_summary,
)
from bench_scale import (
    SCALE_FULL,
    SCALE_HEADING,
    SCALE_QUICK,
    measure_scale,
    render_scale_markdown,
    render_scale_summary,
)
from bench_simulation import (
    SIMULATION_FULL,
    SIMULATION_HEADING,
    SIMULATION_QUICK,
    measure_simulation,
    render_simulation_markdown,
    render_simulation_summary,
)
from bench_start import (
    START_FULL,
    START_HEADING,
    START_QUICK,
    measure_start,
    render_start_markdown,
    render_start_summary,
)
from bench_store import STORE_FULL, STORE_QUICK, measure_store
from bench_store_report import (
    STORE_HEADING,
    evaluate_store,
    render_store_markdown,
    render_store_summary,
)
from ssp_core.workflows.engine import WorkflowEngine

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "performance.md"

SPEEDUP_TARGET = 100.0
SPEEDUP_CASES = 100_000
FLATNESS_TARGET = 1.2
OVERHEAD_TARGET = 500.0
FIRE_TARGET = 1.5


@attrs.frozen
class Settings:
    """How big each benchmark is."""

    name: str
    cases: int
    chunk: int
    repeats: int
    repeats_without_gc: int
    fire_iterations: int
    fire_batches: int
    memory_cases: int
    memory_baseline_cases: int
    speedup_rounds: int = 3
    """Rounds of the speed-up: an ssp_core run and right after it a baseline run, each."""


FULL = Settings("full", 100_000, 10_000, 5, 3, 2_000, 31, 20_000, 4_000)
QUICK = Settings("quick", 10_000, 1_000, 5, 3, 2_000, 9, 4_000, 1_000)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed (source tree)"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine() or "unknown"


def machine_info() -> tuple[tuple[str, str], ...]:
    """Describe the machine and the software the figures were measured with."""
    packages = ", ".join(
        f"{name} {_version(name)}" for name in ("ssp-core", "ssp-aalborg", "transitions", "attrs")
    )
    return (
        ("CPU", f"{_cpu_model()}, {os.cpu_count()} logical CPUs"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Platform", platform.platform()),
        ("Packages", packages),
    )


def _status(passed: bool) -> str:  # noqa: FBT001
    return OK if passed else FAIL


def evaluate(settings: Settings, results: Results) -> tuple[Target, ...]:
    """Check each target against the measured figures."""
    speedup = results.speedup
    mutator = chunk_medians(results.opens, "mutator_ns")
    own = chunk_medians(results.opens_without_gc, "wall_ns")
    flatness = own[-1] / own[0]
    wall = chunk_medians(results.opens, "wall_ns")
    fire_ratio = max(results.fire.ratio_raw, results.fire.ratio_net)
    free = results.free
    speedup_status = _status(speedup >= SPEEDUP_TARGET) if settings.cases >= SPEEDUP_CASES else INFO
    chunk = fmt_int(settings.chunk)
    return (
        Target(
            f"Open and bind {fmt_int(settings.cases)} cases: speed-up over add_model per case",
            fmt_ratio(speedup),
            f"≥ {SPEEDUP_TARGET:.0f}{TIMES}",
            speedup_status,
        ),
        Target(
            f"Per-case cost: last {chunk} over first {chunk} cases (the engine's own work)",
            fmt_ratio(flatness),
            f"≤ {FLATNESS_TARGET}{TIMES}",
            _status(flatness <= FLATNESS_TARGET),
        ),
        Target(
            f"Per-case cost: last {chunk} over first {chunk} cases (young collections included)",
            fmt_ratio(mutator[-1] / mutator[0]),
            f"≤ {FLATNESS_TARGET}{TIMES}",
            INFO,
        ),
        Target(
            f"Per-case cost: last {chunk} over first {chunk} cases (all collections included)",
            fmt_ratio(wall[-1] / wall[0]),
            f"≤ {FLATNESS_TARGET}{TIMES}",
            INFO,
        ),
        Target(
            "Memory the workflow binding adds per case",
            f"{results.memory.overhead:.0f} B",
            f"≤ {OVERHEAD_TARGET:.0f} B",
            _status(results.memory.overhead <= OVERHEAD_TARGET),
        ),
        Target(
            "Dropped case freed without a collector pass",
            "freed" if free.passed else "still alive",
            "freed",
            _status(free.passed),
        ),
        Target(
            "engine.fire over the bare transitions trigger",
            fmt_ratio(fire_ratio),
            f"≤ {FIRE_TARGET}{TIMES}",
            _status(fire_ratio <= FIRE_TARGET),
        ),
    )


def measure(settings: Settings) -> Results:
    """Run every benchmark with ``settings`` and return the results with their targets."""
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cards = action_cards()
    engines = [WorkflowEngine(card) for card in cards]
    fire_engine = next(engine for engine in engines if engine.definition.id == FIRE_CARD)

    _progress("a dropped case, with the collector disabled")
    free = freed_without_collector(fire_engine)

    _progress(f"memory of {fmt_int(settings.memory_cases)} cases (tracemalloc)")
    memory = memory_per_case(engines, settings.memory_cases, settings.memory_baseline_cases)

    _progress(f"engine.fire against the bare trigger, {settings.fire_batches} batches")
    fire = fire_vs_bare(fire_engine, settings.fire_iterations, settings.fire_batches)

    ids = case_ids(settings.cases)
    open_cases(engines, case_ids(settings.chunk, "warm-up"), settings.chunk)
    opens = []
    for repeat in range(settings.repeats):
        _progress(f"opening {fmt_int(settings.cases)} cases, run {repeat + 1}/{settings.repeats}")
        opens.append(open_cases(engines, ids, settings.chunk))
    without_gc = []
    for repeat in range(settings.repeats_without_gc):
        _progress(
            f"opening {fmt_int(settings.cases)} cases with the collector disabled, "
            f"run {repeat + 1}/{settings.repeats_without_gc}"
        )
        without_gc.append(open_cases(engines, ids, settings.chunk, gc_enabled=False))

    rounds = []
    for round_ in range(1, settings.speedup_rounds + 1):
        _progress(
            f"speed-up, round {round_}/{settings.speedup_rounds}: ssp_core, then add_model for "
            f"{fmt_int(settings.cases)} cases (slow by design; about a minute for 100,000)"
        )
        ours = open_cases(engines, ids, settings.chunk)
        machines = [baseline_machine(card) for card in cards]
        rounds.append((ours, add_models(machines, ids, settings.chunk)))
        del machines

    results = Results(
        mode=settings.name,
        started=when,
        seconds=time.monotonic() - started,
        machine=machine_info(),
        cards=tuple(
            CardInfo(
                id=card.id,
                version=card.version,
                states=len(card.states),
                transitions=len(card.transitions),
                triggers=len(card.triggers),
            )
            for card in cards
        ),
        opens=tuple(opens),
        opens_without_gc=tuple(without_gc),
        rounds=tuple(rounds),
        memory=memory,
        free=free,
        fire=fire,
        fire_batches=settings.fire_batches,
        targets=(),
    )
    return attrs.evolve(results, targets=evaluate(settings, results))


def _split_page(previous: str) -> dict[str, str]:
    """Return the previous page's parts: ``engine``, and ``store``, ``index``, ``start``."""
    headings = (
        ("store", STORE_HEADING),
        ("index", INDEX_HEADING),
        ("start", START_HEADING),
        ("public", PUBLIC_HEADING),
        ("scale", SCALE_HEADING),
        ("load", LOAD_HEADING),
        ("simulation", SIMULATION_HEADING),
    )
    found = sorted(
        (position, name)
        for name, heading in headings
        if (position := previous.find(f"\n{heading}\n")) >= 0
    )
    parts = {"engine": previous[: found[0][0] + 1] if found else previous}
    for number, (position, name) in enumerate(found):
        end = found[number + 1][0] + 1 if number + 1 < len(found) else len(previous)
        parts[name] = previous[position + 1 : end]
    return parts


def compose_page(
    engine: str | None,
    store: str | None,
    previous: str = "",
    *,
    index: str | None = None,
    start: str | None = None,
    public: str | None = None,
    scale: str | None = None,
    load: str | None = None,
    simulation: str | None = None,
) -> str:
    """Return the page: the new engine, store, index, start-up and scale parts, or the old ones."""
    old = _split_page(previous)
    engine_part = (engine if engine is not None else old["engine"]).rstrip("\n")
    store_part = (store if store is not None else old.get("store", "")).rstrip("\n")
    index_part = (index if index is not None else old.get("index", "")).rstrip("\n")
    start_part = (start if start is not None else old.get("start", "")).rstrip("\n")
    public_part = (public if public is not None else old.get("public", "")).rstrip("\n")
    scale_part = (scale if scale is not None else old.get("scale", "")).rstrip("\n")
    if not engine_part:
        engine_part = "# Performance"
    load_part = (load if load is not None else old.get("load", "")).rstrip("\n")
    simulation_part = (simulation if simulation is not None else old.get("simulation", "")).rstrip(
        "\n"
    )
    parts = (
        engine_part,
        store_part,
        index_part,
        start_part,
        public_part,
        scale_part,
        load_part,
        simulation_part,
    )
    return "\n\n".join(part for part in parts if part) + "\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller workloads for a smoke test; does not write the page unless --write",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"write {OUTPUT.relative_to(ROOT)} (the default for a full run)",
    )
    part = parser.add_mutually_exclusive_group()
    part.add_argument(
        "--store-only", action="store_true", help="run only the case-store benchmarks"
    )
    part.add_argument("--no-store", action="store_true", help="skip the case-store benchmarks")
    part.add_argument(
        "--index-only", action="store_true", help="run only the safety-index benchmark"
    )
    part.add_argument("--start-only", action="store_true", help="run only the start-up benchmark")
    part.add_argument(
        "--public-only", action="store_true", help="run only the public-path benchmark"
    )
    part.add_argument(
        "--scale-only", action="store_true", help="run only the lists-at-scale benchmark"
    )
    part.add_argument("--load-only", action="store_true", help="run only the load test")
    part.add_argument(
        "--simulation-only", action="store_true", help="run only the simulation benchmark"
    )
    parser.add_argument("--no-index", action="store_true", help="skip the safety-index benchmark")
    parser.add_argument("--no-start", action="store_true", help="skip the start-up benchmark")
    parser.add_argument("--no-public", action="store_true", help="skip the public-path benchmark")
    parser.add_argument("--no-scale", action="store_true", help="skip the lists-at-scale benchmark")
    parser.add_argument("--no-load", action="store_true", help="skip the PostgreSQL load test")
    parser.add_argument(
        "--no-simulation", action="store_true", help="skip the simulation benchmark"
    )
    return parser


@attrs.frozen
class Part:
    """One later part of the page: how to measure it and how to show what it measured."""

    name: str
    measure: Callable[[bool], Any]
    """Run the part, quick or not; return its results (with ``failed``)."""
    summary: Callable[[Any], str]
    markdown: Callable[[Any], str]


def _store_results(quick: bool) -> Any:  # noqa: FBT001
    found = measure_store(STORE_QUICK if quick else STORE_FULL)
    return attrs.evolve(found, targets=evaluate_store(found))


PARTS = (
    Part("store", _store_results, render_store_summary, render_store_markdown),
    Part(
        "index",
        lambda quick: measure_index(INDEX_QUICK if quick else INDEX_FULL),
        render_index_summary,
        render_index_markdown,
    ),
    Part(
        "start",
        lambda quick: measure_start(START_QUICK if quick else START_FULL),
        render_start_summary,
        render_start_markdown,
    ),
    Part(
        "public",
        lambda quick: measure_public(PUBLIC_QUICK if quick else PUBLIC_FULL),
        render_public_summary,
        render_public_markdown,
    ),
    Part(
        "scale",
        lambda quick: measure_scale(SCALE_QUICK if quick else SCALE_FULL),
        render_scale_summary,
        render_scale_markdown,
    ),
    Part(
        "load",
        lambda quick: measure_load(LOAD_QUICK if quick else LOAD_FULL),
        render_load_summary,
        render_load_markdown,
    ),
    Part(
        "simulation",
        lambda quick: measure_simulation(SIMULATION_QUICK if quick else SIMULATION_FULL),
        render_simulation_summary,
        render_simulation_markdown,
    ),
)
"""The parts after the engine's, in the order they run (each has --NAME-only and --no-NAME)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the summary, write the page; return the exit status."""
    args = _parser().parse_args(argv)
    failed = False
    engine_page: str | None = None
    pages: dict[str, str] = {}
    chosen = [part.name for part in PARTS if getattr(args, f"{part.name}_only")]
    if not chosen:
        settings = QUICK if args.quick else FULL
        results = measure(settings)
        print(render_summary(results))
        engine_page = render_markdown(results)
        failed = results.failed
    for part in PARTS:
        if (part.name in chosen) if chosen else not getattr(args, f"no_{part.name}"):
            found = part.measure(args.quick)
            print(part.summary(found))
            pages[part.name] = part.markdown(found)
            failed = failed or found.failed
    if args.write or not args.quick:
        previous = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(
            compose_page(
                engine_page,
                pages.get("store"),
                previous,
                **{
                    name: pages.get(name)
                    for name in ("index", "start", "public", "scale", "load", "simulation")
                },
            ),
            encoding="utf-8",
        )
        print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
