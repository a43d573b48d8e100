"""Turn the benchmark results into ``docs/performance.md`` and a summary table for stdout.

The page is Markdown that MyST (and so the Sphinx docs) reads as is: one ``#``
title, headings that go down one level at a time, plain tables, no raw HTML.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import attrs

from bench_measure import (
    FIRE_CARD,
    FIRE_FROM,
    FIRE_TRIGGER,
    ChunkedRun,
    FireResult,
    FreeResult,
    MemoryResult,
)

__all__ = ["CardInfo", "Results", "Target", "render_markdown", "render_summary"]

OK = "PASS"
FAIL = "FAIL"
INFO = "not gated"
TIMES = "\N{MULTIPLICATION SIGN}"
DASH = "\N{EN DASH}"


@attrs.frozen
class Target:
    """One target: what was measured, the limit, and whether it was met."""

    name: str
    measured: str
    limit: str
    status: str

    @property
    def failed(self) -> bool:
        """Tell whether the target was checked and missed."""
        return self.status == FAIL


@attrs.frozen
class CardInfo:
    """A workflow definition used by the benchmarks."""

    id: str
    version: int
    states: int
    transitions: int
    triggers: int


@attrs.frozen
class Results:
    """Everything one run measured, with the settings it used."""

    mode: str
    started: str
    seconds: float
    machine: tuple[tuple[str, str], ...]
    cards: tuple[CardInfo, ...]
    opens: tuple[ChunkedRun, ...]
    opens_without_gc: tuple[ChunkedRun, ...]
    rounds: tuple[tuple[ChunkedRun, ChunkedRun], ...]
    """The speed-up's rounds: an ssp_core run, and the baseline's run made right after it."""
    memory: MemoryResult
    free: FreeResult
    fire: FireResult
    fire_batches: int
    targets: tuple[Target, ...]

    @property
    def failed(self) -> bool:
        """Tell whether any gated target was missed."""
        return any(target.failed for target in self.targets)

    @property
    def speedups(self) -> list[float]:
        """Return each round's speed-up: the baseline's time over ssp_core's run beside it."""
        return [base.total_ns / ours.total_ns for ours, base in self.rounds]

    @property
    def speedup(self) -> float:
        """Return the median of the rounds' speed-ups (the gated figure)."""
        return statistics.median(self.speedups)

    @property
    def baseline(self) -> ChunkedRun:
        """Return the baseline's run of the round of median speed-up (of two, the lower's)."""
        speedups = self.speedups
        order = sorted(range(len(self.rounds)), key=lambda n: speedups[n])
        return self.rounds[order[(len(order) - 1) // 2]][1]


# -- formatting ---------------------------------------------------------------------------


def fmt_ns(ns: float) -> str:
    """Format a duration in nanoseconds with a unit that keeps 3-4 significant digits."""
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_ratio(value: float) -> str:
    """Format a ratio such as a speed-up or a slow-down."""
    return f"{value:,.0f}{TIMES}" if value >= 100 else f"{value:.2f}{TIMES}"


def fmt_int(value: int) -> str:
    """Format a count with thousands separators."""
    return f"{value:,}"


def chunk_medians(runs: Sequence[ChunkedRun], field: str) -> list[float]:
    """Return, chunk by chunk, the median over ``runs`` of one per-chunk field.

    ``field`` is ``wall_ns``, ``full_gc_ns`` or ``mutator_ns``.
    """
    series = [getattr(run, field) for run in runs]
    return [statistics.median(values) for values in zip(*series, strict=True)]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


# -- the summary on stdout ------------------------------------------------------------------


def render_summary(results: Results) -> str:
    """Return a plain-text table of the targets, for the terminal."""
    header = ("Target", "Measured", "Limit", "Result")
    rows = [(t.name, t.measured, t.limit, t.status) for t in results.targets]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    rule = "  ".join("-" * width for width in widths)
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    lines.insert(1, rule)
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    lines.append(rule)
    lines.append(f"{results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


# -- the Markdown page ----------------------------------------------------------------------


def render_markdown(results: Results) -> str:
    """Return the whole ``docs/performance.md`` page."""
    lines: list[str] = [
        "# Performance",
        "",
        (
            "This page is written by `benchmarks/run.py` (run it with `tox -e bench`); change "
            "the script, not the page. Every target is a ratio of two measurements taken in the "
            "same run on the same machine, so the figures below say how the design compares "
            "with the alternative it replaces, not how fast any other machine is."
        ),
        "",
        "## Summary",
        "",
        *_table(
            ("Target", "Measured", "Limit", "Result"),
            [(t.name, t.measured, t.limit, f"**{t.status}**") for t in results.targets],
            "lrrc",
        ),
        "",
        "## Machine and run",
        "",
        *(f"- {key}: {value}" for key, value in results.machine),
        f"- Run: {results.mode}, started {results.started}, took {results.seconds:.0f} s",
        "",
        *_workload(results),
        *_creation(results),
        *_memory(results),
        *_fire(results),
        "## Reproducing",
        "",
        (
            "- `tox -e bench` runs the full benchmark, rewrites this page and fails if a target is "
            "missed."
        ),
        (
            "- `python benchmarks/run.py --quick` is a smoke test with fewer cases; it prints the "
            "summary and leaves this page alone unless `--write` is given too. Its creation "
            "speed-up is not gated, because the baseline's cost per case grows with the number of "
            "cases and the target is set at 100,000."
        ),
        "",
    ]
    return "\n".join(lines)


def _workload(results: Results) -> list[str]:
    rows = [
        (
            f"`{card.id}`",
            str(card.version),
            str(card.states),
            str(card.transitions),
            str(card.triggers),
        )
        for card in results.cards
    ]
    return [
        "## The workload",
        "",
        (
            "All benchmarks use the first version of each of the four action cards of the "
            "Aalborg plugin, read from its TOML files (each extends a template of the core; a "
            "registry of the core and the plugin makes them into definitions). Each card gets "
            "its own `WorkflowEngine(definition)`, built directly."
        ),
        "",
        *_table(("Action card", "Version", "States", "Transitions", "Triggers"), rows),
        "",
        (
            "The **baseline** is what the engine is designed to avoid: for each card one "
            "`transitions.Machine(model=None, states=..., transitions=..., initial=..., "
            "auto_transitions=False)` built from the same definition (states keep `final`; "
            "transitions keep their triggers, sources and destinations, with the same compiled "
            "guards as `conditions`), and every case added to it as a model with "
            "`machine.add_model`. Roles and required reasons have no `transitions` counterpart and "
            "are left out of the baseline, which only makes it cheaper."
        ),
        "",
        (
            "One subject, one actor (an SSP consultant) and one timestamp are created before any "
            "timed section and reused; case ids are computed beforehand. Times come from "
            "`time.perf_counter_ns`."
        ),
        "",
    ]


def _round_speedup(ours: ChunkedRun, base: ChunkedRun) -> str:
    """Return one round of the speed-up: the baseline's time / ssp_core's = the ratio."""
    ratio = fmt_ratio(base.total_ns / ours.total_ns)
    return f"{fmt_ns(base.total_ns)} / {fmt_ns(ours.total_ns)} = {ratio}"


def _creation(results: Results) -> list[str]:
    opens, without_gc, baseline = results.opens, results.opens_without_gc, results.baseline
    chunk, cases = opens[0].chunk, opens[0].cases
    wall = chunk_medians(opens, "wall_ns")
    full = chunk_medians(opens, "full_gc_ns")
    mutator = chunk_medians(opens, "mutator_ns")
    no_gc = chunk_medians(without_gc, "wall_ns")
    rows = [
        (
            f"{fmt_int(n * chunk + 1)}{DASH}{fmt_int((n + 1) * chunk)}",
            fmt_ns(wall[n]),
            fmt_ns(full[n]) if full[n] else DASH,
            fmt_ns(mutator[n]),
            fmt_ns(no_gc[n]),
            fmt_ns(baseline.wall_ns[n]),
        )
        for n in range(len(wall))
    ]
    totals = [run.total_ns for run in opens]
    ours_total = statistics.median(totals)
    ours_gc = statistics.median(sum(run.full_gc_ns) for run in opens)
    full_counts = sorted({run.full_gc_count for run in opens})
    base_total = baseline.total_ns
    collections = (
        f"of which {fmt_ns(ours_gc)} in {'/'.join(map(str, full_counts))} full collections"
        if ours_gc
        else "no full collection ran"
    )
    return [
        f"## 1. Creating and binding {fmt_int(cases)} cases",
        "",
        "### Method",
        "",
        (
            f"{fmt_int(cases)} cases are opened round-robin across the four cards "
            f"({fmt_int(cases // 4)} per card), in chunks of {fmt_int(chunk)} consecutive cases, "
            "each chunk timed on its own. Every case stays alive in a list until the run ends, as "
            "a case store would keep it."
        ),
        "",
        (
            "- **ssp_core**: `engine.open(case_id=..., subject=..., actor=..., at=...)` per case, "
            "which builds the `CaseOpened` event and the `Case` record. The collector is enabled. "
            f"The run is repeated {len(opens)} times (a full collection before each) and the "
            "median of each chunk is reported. It is also repeated "
            f"{len(without_gc)} times with the collector disabled (`gc.disable()`), for "
            "comparison only."
        ),
        (
            "- **Baseline**: `machine.add_model(PlainModel(case_id))` per case on the card's "
            "baseline machine, collector enabled (it is slow: `add_model` first checks whether "
            "the model is already in the machine's list of models, so each case costs more than "
            "the one before). Its models keep about "
            f"{results.memory.bound_model_bytes * cases / 1e9:.1f} GB alive at the end of the "
            "run, which is most of the benchmark's peak memory."
        ),
        (
            f"- **The speed-up** is measured in {len(results.rounds)} rounds, one after the "
            "other: in each, one more ssp_core run (collector enabled) and right after it one "
            "baseline run, and the round's speed-up is the baseline's time over that run's. The "
            "target is the median of the rounds. This machine's speed changes from one minute "
            "to the next and the baseline takes most of a minute, so a single baseline run "
            "compared with ssp_core runs made minutes before it would gauge the machine's drift "
            "as much as the design."
        ),
        "",
        (
            "A `gc.callbacks` hook times every full (generation 2) collection that runs during a "
            "chunk; young-generation collections are left in the chunk's time."
        ),
        "",
        "### Results",
        "",
        *_table(
            (
                "Cases",
                "ssp_core",
                "of which full collections",
                "ssp_core without full collections",
                "ssp_core, collector disabled",
                "Baseline `add_model`",
            ),
            rows,
        ),
        "",
        (
            f"- ssp_core: {fmt_ns(ours_total)} for {fmt_int(cases)} cases "
            f"({fmt_ns(ours_total / cases)} per case), {collections} "
            f"(median of {len(opens)} runs; each run: {', '.join(fmt_ns(t) for t in totals)})."
        ),
        (
            "- ssp_core with the collector disabled: "
            f"{fmt_ns(statistics.median(run.total_ns for run in without_gc))} "
            f"(median of {len(without_gc)} runs)."
        ),
        (
            f"- Baseline: {fmt_ns(base_total)} ({fmt_ns(base_total / cases)} per case on average; "
            f"{fmt_ns(baseline.wall_ns[0] / chunk)} per case in the first chunk, "
            f"{fmt_ns(baseline.wall_ns[-1] / chunk)} in the last), of which "
            f"{fmt_ns(sum(baseline.full_gc_ns))} in {baseline.full_gc_count} full collections."
        ),
        (
            f"- **Speed-up**: baseline time over ssp_core time, both with every collection "
            f"included: {fmt_ratio(results.speedup)}, the median of the rounds "
            f"({', '.join(_round_speedup(ours, base) for ours, base in results.rounds)}; "
            f"target: at least 100{TIMES}). The table and the baseline's figures above are those "
            "of the median round."
        ),
        (
            f"- **Per-case cost, last chunk over first**, the engine's own work (collector "
            f"disabled): {fmt_ratio(no_gc[-1] / no_gc[0])} (target: at most 1.2{TIMES}). With "
            f"the collector enabled, without full collections: "
            f"{fmt_ratio(mutator[-1] / mutator[0])}; with every collection: "
            f"{fmt_ratio(wall[-1] / wall[0])}. Baseline, with everything: "
            f"{fmt_ratio(baseline.wall_ns[-1] / baseline.wall_ns[0])}."
        ),
        "",
        "### Full collections and the flatness target",
        "",
        (
            "The flatness target asks whether opening a case costs the same whether it is the "
            "first or the 100,000th: whether the engine has any per-case cost that grows with the "
            "number of cases, as `add_model`'s list scan does. It is therefore checked on the runs "
            "with the collector disabled, which time the engine's own work alone. The two views "
            "with the collector enabled are reported beside it and not gated, because what grows "
            "there is CPython's cyclic garbage collector, which any program that keeps this many "
            "objects alive pays (the baseline pays it too, and the speed-up target includes it). "
            "CPython runs a full collection when the objects that survived the younger "
            "generations since the last one exceed a quarter of all long-lived objects. As cases "
            "accumulate, full collections therefore come at geometrically growing intervals and "
            "each one walks every live object, so a chunk that happens to contain one is slower "
            "although the cost spread over all cases stays constant. Where they fall is "
            "deterministic, so repeating the run does not average them out. Opening a case "
            "creates two objects the collector tracks (the `Case` and its `CaseOpened` event; "
            "the list of later events is made with the second event). The table shows the full "
            "collections separately; the speed-up target includes them. Young-generation "
            "collections stay in the middle view; on this "
            "shared virtual machine they also grow somewhat with the heap (more cache misses when "
            "they follow references into older objects), and its speed varies from run to run, "
            "which is why every figure is a median of several runs."
        ),
        "",
    ]


def _memory(results: Results) -> list[str]:
    memory, free = results.memory, results.free
    rows = [
        (
            "`Case` opened with `engine.open` (with its `CaseOpened` event)",
            f"{memory.case_bytes:.0f}",
        ),
        ("`PlainCaseRow`: the same opening data, no workflow binding", f"{memory.row_bytes:.0f}"),
        ("**Workflow binding overhead** (difference)", f"**{memory.overhead:.0f}**"),
        (
            "One fired transition (its `Transitioned` event and the list growth)",
            f"{memory.transition_bytes:.0f}",
        ),
        ("Baseline: `PlainModel` alone", f"{memory.model_bytes:.0f}"),
        ("Baseline: `PlainModel` bound with `add_model`", f"{memory.bound_model_bytes:,.0f}"),
        ("Baseline binding overhead (difference)", f"{memory.baseline_overhead:,.0f}"),
    ]
    verdict = OK if free.passed else FAIL
    baseline_note = (
        "still alive after `remove_model` and `del`, and freed only by a collection (it sits in "
        "a reference cycle: the trigger functions `add_model` put on it refer back to it)"
        if free.baseline_alive_after_del and free.baseline_freed_by_collection
        else f"alive after `del`: {free.baseline_alive_after_del}; "
        f"freed by a collection: {free.baseline_freed_by_collection}"
    )
    return [
        "## 2. Memory per case",
        "",
        "### Method",
        "",
        (
            "`tracemalloc` measures the bytes still allocated after "
            f"{fmt_int(memory.cases)} records of a kind are created and kept in a list; the "
            "list, the ids and the shared subject, actor and timestamp exist before tracing "
            "starts, so only what each record adds is counted (tracemalloc counts requested "
            "bytes, including the collector's header of tracked objects)."
        ),
        "",
        (
            "The **workflow binding overhead** is the memory of a case opened with `engine.open` "
            "(the `Case` record and its `CaseOpened` event, with its due dates) minus the memory "
            "of the same opening data held as a plain attrs record without any workflow binding "
            "(`PlainCaseRow`: id, subject, time, actor id, role, situation, concern date, reason; "
            "the same attrs class style as `Case`). It is what a case store pays, beyond the data "
            "itself, for having each case on its workflow: the workflow id and version, the state, "
            "the version counter, the derived fields and the event history. The baseline's "
            f"overhead is measured the same way on {fmt_int(memory.baseline_cases)} cases: a model "
            "bound with `add_model` minus the same unbound model."
        ),
        "",
        "### Results",
        "",
        *_table(("Record", "Bytes per case"), rows),
        "",
        "### A dropped case is freed without the collector",
        "",
        (
            "With the collector disabled (`gc.disable()`), a case is opened, given its facts and "
            f"moved through five transitions to `closed` ({free.events} events); weak references "
            "watch the case and each event; then `del case`. The same is done for a case on which "
            "a refused trigger raised `TransitionRefused` and was caught."
        ),
        "",
        (
            f"- Case and events still alive after `del`: {free.alive_after_del} of "
            f"{free.events + 1}; after a refused trigger: {free.refused_alive_after_del}. "
            f"**{verdict}**"
        ),
        (
            f"- Unreachable objects a collection found afterwards: {free.cycles_found} "
            "(no reference cycles were created)."
        ),
        f"- For comparison, a baseline model was {baseline_note}.",
        "",
    ]


def _fire(results: Results) -> list[str]:
    fire = results.fire
    rows = [
        (
            f"`engine.fire(case, {FIRE_TRIGGER!r}, actor, at=..., reason=...)` + reset",
            fmt_ns(fire.ours),
            fmt_ns(min(fire.ours_ns)),
            fmt_ns(max(fire.ours_ns)),
        ),
        (
            f"`machine.events[{FIRE_TRIGGER!r}].trigger(model, case)` + reset",
            fmt_ns(fire.bare),
            fmt_ns(min(fire.bare_ns)),
            fmt_ns(max(fire.bare_ns)),
        ),
        (
            "reset alone: `case.state = ...`",
            fmt_ns(fire.case_reset),
            fmt_ns(min(fire.case_reset_ns)),
            fmt_ns(max(fire.case_reset_ns)),
        ),
        (
            "reset alone: `model.state = ...`",
            fmt_ns(fire.model_reset),
            fmt_ns(min(fire.model_reset_ns)),
            fmt_ns(max(fire.model_reset_ns)),
        ),
    ]
    return [
        "## 3. Firing a transition",
        "",
        "### Method",
        "",
        (
            f"The trigger `{FIRE_TRIGGER}` of `{FIRE_CARD}` is fired from `{FIRE_FROM}`, where "
            "both of its guards (`children_services_notified` and `parents_informed`) hold, "
            "because the facts were recorded beforehand."
        ),
        "",
        (
            "- **ssp_core**: `engine.fire(case, trigger, actor, at=now, reason=...)`: it checks "
            "the workflow version, the source state, the actor's role and the reason, follows "
            "the shared machine's transitions from the state (read from the machine once, "
            "`ssp_core.workflows.routes`: the guards choose the destination as the machine's "
            "conditions would), builds the `Transitioned` event and appends it to the case."
        ),
        (
            "- **Bare**: a `PlainModel` added to the card's baseline machine, fired with "
            "`machine.events[trigger].trigger(model, case)`, the machine's own entry point (the "
            "engine calls it for a machine given callbacks); the case is passed as the argument "
            "so that the same compiled guards read the same facts."
        ),
        "",
        (
            "After each fire both loops put the state back with one attribute store (`case.state = "
            f"{FIRE_FROM!r}` or `model.state = {FIRE_FROM!r}`); the case's version and history "
            "keep growing, as they would. The cost of the reset alone is measured with the same "
            "loop and subtracted for the net ratio. Each batch runs "
            f"{fmt_int(fire.iterations)} iterations after a full collection, on a freshly "
            "prepared case (a case with a few thousand events is already far longer than any "
            "real one); the loops alternate batch by batch and one warm-up batch of each is "
            f"discarded. The table gives the median of {results.fire_batches} batches; the "
            "ratios are the medians of the per-batch ratios, each batch of `engine.fire` "
            "divided by the batch of the bare trigger timed right after it, so that the "
            "machine's changing speed (this is a shared virtual machine) affects both sides "
            "alike."
        ),
        "",
        "### Results",
        "",
        *_table(("Loop (per iteration)", "Median", "Fastest batch", "Slowest batch"), rows),
        "",
        (
            f"- Ratio with the resets: {fmt_ratio(fire.ratio_raw)}; with the reset costs "
            f"subtracted: {fmt_ratio(fire.ratio_net)}. The target (at most 1.5{TIMES}) is "
            "checked on the larger of the two."
        ),
        (
            f"- What `engine.fire` adds to the bare trigger: {fmt_ns(fire.ours - fire.bare)} per "
            "transition."
            if fire.ours >= fire.bare
            else f"- `engine.fire` takes {fmt_ns(fire.bare - fire.ours)} less per transition "
            "than the bare trigger, its own checks and event included: it skips the "
            "machine's general dispatch (partials, event data, callbacks, logging), which a "
            "workflow's machine has no use for."
        ),
        "",
    ]
