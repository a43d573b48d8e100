"""The simulation benchmark: the kernel, the runner's parallel efficiency and seam, a scenario.

Four targets, each a ratio of measurements taken in the same run:

* **kernel**: ``ssp_core.simulation.station.simulate`` against plain SimPy written by
  hand (:func:`plain_simpy`) on the same M/M/5 station (arrivals 4, service 1 per
  server), in events processed per second of CPU time. Both step SimPy's loop the
  same way and count the events they process; the rounds alternate which runs first,
  the first is a discarded warm-up, and the ratio is the median of the rounds' ratios.
* **parallel efficiency**: ``runner.run`` of a :class:`StationModel` whose replications
  take at least 100 ms each (the horizon is calibrated on this machine), with
  ``workers=1`` against a process pool of ``os.cpu_count()`` workers made by the runner,
  wall-clock: ``T1 / (workers · Tn)``. The pool's start-up is inside ``Tn``; enough
  replications run that it is a small share, and the section reports it.
* **the executor seam**: ``runner.run(model, n, workers=1)`` against a plain loop
  calling the same replications, CPU time, rounds alternating. Directly, on the
  station model (the median of the rounds' ``run / loop - 1``, reported), the seam's
  cost drowns in the replications' own variation; so it is also measured apart, on a
  model whose replications cost next to nothing (many of them, the same comparison),
  and that cost per replication over a station replication's time is what is gated.
* **a scenario**: the Aalborg example scenario (``examples/scenarios/aalborg.toml``)
  run in this process, workflow transitions fired per second of CPU time. Reported as
  not measured when the scenario engine cannot be imported.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Generator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import simpy

from bench_report import FAIL, INFO, OK, TIMES, Target, fmt_int, fmt_ratio
from ssp_core.simulation.results import ReplicationResult
from ssp_core.simulation.runner import run
from ssp_core.simulation.station import Station, StationModel, simulate

__all__ = [
    "SIMULATION_FULL",
    "SIMULATION_HEADING",
    "SIMULATION_QUICK",
    "SimulationResults",
    "SimulationSettings",
    "measure_simulation",
    "plain_simpy",
    "render_simulation_markdown",
    "render_simulation_summary",
]

SIMULATION_HEADING = "## Simulation"
"""The first line of the simulation section; a page is split there to replace the section."""

KERNEL_TARGET = 0.8
"""The kernel's events per second over plain SimPy's, at least."""
EFFICIENCY_TARGET = 0.8
"""``T1 / (workers · Tn)``, at least."""
SEAM_TARGET = 0.01
"""The runner's time over the plain loop's, less one, at most."""
TRANSITIONS_TARGET = 30_000.0
"""Workflow transitions fired per second of one core, at least."""
REPLICATION_SECONDS = 0.15
"""What one replication of the parallel-efficiency model is calibrated to take."""

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "examples" / "scenarios" / "aalborg.toml"

ARRIVAL, SERVICE, SERVERS = 4.0, 1.0, 5
"""M/M/5 at 80 % load: the kernel's and plain SimPy's model."""


@attrs.frozen
class SimulationSettings:
    """How big the simulation benchmark is."""

    name: str
    kernel_horizon: float
    kernel_rounds: int
    parallel_replications: int
    parallel_rounds: int
    seam_replications: int
    seam_horizon: float
    seam_rounds: int
    instant_tasks: int
    scenario_replications: int
    scenario_rounds: int


SIMULATION_FULL = SimulationSettings("full", 20_000.0, 11, 48, 3, 40, 400.0, 11, 100_000, 10, 7)
SIMULATION_QUICK = SimulationSettings("quick", 5_000.0, 5, 16, 2, 20, 300.0, 7, 20_000, 3, 3)


@attrs.frozen
class SimulationResults:
    """What the simulation benchmark measured, with its targets."""

    mode: str
    started: str
    seconds: float
    kernel_rates: tuple[tuple[float, float], ...]
    """Events per CPU second of (the kernel, plain SimPy), round by round."""
    kernel_ratio: float
    workers: int
    replications: int
    replication_seconds: float
    parallel_rounds: tuple[tuple[float, float], ...]
    """Wall seconds of (workers=1, the pool) for each round."""
    pool_start_seconds: float
    load_average: float
    """The machine's one-minute load average before the parallel runs (others' work too)."""
    efficiency: float
    seam_replications: int
    seam_overheads: tuple[float, ...]
    """``run / loop - 1`` on the station model, round by round (reported)."""
    seam_task_ns: tuple[float, ...]
    """The seam's own cost per replication (ns): run less loop on instant replications."""
    seam_replication_ns: float
    """A station replication's CPU time in the seam comparison (ns)."""
    instant_tasks: int
    scenario: str
    """What happened to the scenario target: measured, or why not."""
    transitions: int
    transition_seconds: float
    scenario_rates: tuple[float, ...] = ()
    """Transitions per CPU second, round by round; the target takes their median."""
    targets: tuple[Target, ...] = ()

    @property
    def failed(self) -> bool:
        """Tell whether a gated target was missed."""
        return any(target.status == FAIL for target in self.targets)

    @property
    def seam_overhead(self) -> float:
        """Return the seam's cost per replication over a station replication's time."""
        return max(0.0, statistics.median(self.seam_task_ns)) / self.seam_replication_ns

    @property
    def transitions_per_second(self) -> float:
        """Return the median of the rounds' fired transitions per CPU second (0 if not measured)."""
        return statistics.median(self.scenario_rates) if self.scenario_rates else 0.0


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- a. the kernel


def plain_simpy(horizon: float, seed: int) -> tuple[int, float]:
    """Run M/M/5 (arrivals 4, service 1) in plain SimPy; return the events and the mean wait.

    What a modeller writes from SimPy's documentation: a source process, a customer
    process that requests a server, waits, is served and leaves, one random stream.
    """
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []

    def customer() -> Generator[Any, Any, None]:
        arrived = env.now
        with servers.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(SERVICE))

    def source() -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(rng.expovariate(ARRIVAL))
            env.process(customer())

    env.process(source())
    events = 0
    while env.peek() < horizon:
        env.step()
        events += 1
    return events, statistics.fmean(waits)


def _cpu(call: Callable[[], Any]) -> tuple[Any, int]:
    started = time.process_time_ns()
    value = call()
    return value, time.process_time_ns() - started


def measure_kernel(settings: SimulationSettings) -> tuple[tuple[float, float], ...]:
    """Return (kernel, plain) events per CPU second for each round after a warm-up."""
    station = Station(ARRIVAL, SERVICE, SERVERS)
    rates = []
    for round_ in range(settings.kernel_rounds + 1):
        _progress(f"kernel against plain SimPy, round {round_ + 1}/{settings.kernel_rounds + 1}")

        def ours(seed: int = round_) -> int:
            return simulate(station, horizon=settings.kernel_horizon, seed=seed).events

        def plain(seed: int = round_) -> int:
            return plain_simpy(settings.kernel_horizon, seed)[0]

        order = (ours, plain) if round_ % 2 else (plain, ours)
        found = {call: _cpu(call) for call in order}
        (ours_events, ours_ns), (plain_events, plain_ns) = found[ours], found[plain]
        if round_:
            rates.append((ours_events / ours_ns * 1e9, plain_events / plain_ns * 1e9))
    return tuple(rates)


# ---------------------------------------------------------------- b. parallel efficiency


def _model(horizon: float, seed: int = 19) -> StationModel:
    return StationModel(
        stations=(("M/M/5", Station(ARRIVAL, SERVICE, SERVERS)),),
        horizon=horizon,
        warmup=horizon / 20,
        seed=seed,
    )


def _calibrated_horizon() -> tuple[float, float]:
    """Return a horizon whose replication takes about REPLICATION_SECONDS, and its time."""
    horizon = 2_000.0
    _model(horizon).replicate("M/M/5", 0)  # warm-up
    while True:
        model = _model(horizon)
        times = [_cpu(partial(model.replicate, "M/M/5", i))[1] for i in range(3)]
        one = statistics.median(times) / 1e9
        if one >= 0.8 * REPLICATION_SECONDS:
            return horizon, one
        horizon *= REPLICATION_SECONDS / one


def _pool_start(workers: int) -> float:
    """Return the wall time to start a pool and run one trivial task in every worker."""
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(abs, range(workers)))
    return time.perf_counter() - started


def measure_parallel(
    settings: SimulationSettings,
) -> tuple[int, float, tuple[tuple[float, float], ...], float]:
    """Return workers, one replication's time, (T1, Tn) by round, the pool's start-up (s)."""
    workers = os.cpu_count() or 1
    horizon, one = _calibrated_horizon()
    model = _model(horizon)
    n = settings.parallel_replications
    rounds = []
    for round_ in range(settings.parallel_rounds):
        _progress(
            f"parallel efficiency, round {round_ + 1}/{settings.parallel_rounds}: "
            f"{n} replications of {one * 1e3:.0f} ms, workers=1 and {workers} processes"
        )
        started = time.perf_counter()
        serial = run(model, n, workers=1)
        serial_seconds = time.perf_counter() - started
        started = time.perf_counter()
        parallel = run(model, n, workers=workers)
        parallel_seconds = time.perf_counter() - started
        if parallel != serial:
            raise AssertionError("the pool's results differ from this process's")
        rounds.append((serial_seconds, parallel_seconds))
    return workers, one, tuple(rounds), _pool_start(workers)


# ---------------------------------------------------------------- c. the executor seam


@attrs.frozen
class _Instant:
    """A model whose replications cost next to nothing: what is left is the seam's cost."""

    arms: tuple[str, ...] = ("a",)
    seed: int = 0

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        return ReplicationResult(arm, index, ())


def _run_against_loop(model: Any, n: int, rounds: int, what: str) -> list[tuple[int, int]]:
    """Return (run, loop) CPU ns for each round after a warm-up, in alternating order."""

    def seam() -> object:
        return run(model, n, workers=1)

    def loop() -> object:
        return [model.replicate(arm, index) for arm in model.arms for index in range(n)]

    times = []
    for round_ in range(rounds + 1):
        _progress(f"the executor seam against a plain loop, {what}, round {round_ + 1}")
        order = (seam, loop) if round_ % 2 else (loop, seam)
        found = {call: _cpu(call) for call in order}
        if round_:
            times.append((found[seam][1], found[loop][1]))
    return times


def measure_seam(
    settings: SimulationSettings,
) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    """Return ``run / loop - 1`` by round, the seam's ns per task by round, a replication's ns."""
    n = settings.seam_replications
    station = _run_against_loop(
        _model(settings.seam_horizon, seed=7), n, settings.seam_rounds, "station model"
    )
    instant = _run_against_loop(
        _Instant(), settings.instant_tasks, settings.seam_rounds, "instant replications"
    )
    return (
        tuple(ours / loop - 1.0 for ours, loop in station),
        tuple((ours - loop) / settings.instant_tasks for ours, loop in instant),
        statistics.median(loop for _, loop in station) / n,
    )


# ---------------------------------------------------------------- d. a scenario


def measure_scenario(
    settings: SimulationSettings,
) -> tuple[str, int, float, tuple[float, ...]]:
    """Return what happened, the transitions fired, the CPU seconds, and each round's rate.

    Measured in a fresh process (as ``ssp simulate`` runs), one core, so that what the
    benchmark itself made before (the other parts' objects) does not weigh on it.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(scenario_rounds, settings).result()


def scenario_rounds(
    settings: SimulationSettings,
) -> tuple[str, int, float, tuple[float, ...]]:
    """Measure the scenario in this process (see :func:`measure_scenario`)."""
    try:
        from ssp_core.simulation import scenario as engine  # noqa: PLC0415
    except ImportError as error:
        return f"not measured: engine not available ({error})", 0, 0.0, ()
    if not SCENARIO.is_file():
        return f"not measured: {SCENARIO.relative_to(ROOT)} is missing", 0, 0.0, ()
    try:
        loaded: Any = engine.load_scenario(SCENARIO)
        # the runner takes a Model (arms by name); a scenario may need its wrapper
        wrapper = getattr(engine, "ScenarioModel", None)
        named = all(isinstance(arm, str) for arm in loaded.arms)
        model = loaded if named or wrapper is None else wrapper(loaded)
        n, rounds = settings.scenario_replications, settings.scenario_rounds
        _progress(
            f"the Aalborg scenario, {rounds} rounds of {n} replications of each arm, "
            "in a fresh process"
        )
        run(model, 1, workers=1)  # warm-up: plugins, imports, caches
        measured = [_cpu(lambda: run(model, n, workers=1)) for _ in range(rounds)]
    except Exception as error:  # noqa: BLE001 (the engine is young: say why, measure the rest)
        reason = f"not measured: the scenario did not run ({type(error).__name__}: {error})"
        return reason, 0, 0.0, ()
    fired = [sum(r.transitions for r in results.replications) for results, _ns in measured]
    rates = tuple(f / (ns / 1e9) for f, (_results, ns) in zip(fired, measured, strict=True))
    arms = len(measured[0][0].arms)
    return (
        f"measured: {rounds} rounds of {n} replications of {arms} arms",
        sum(fired),
        sum(ns for _results, ns in measured) / 1e9,
        rates,
    )


# ---------------------------------------------------------------- all of it


def evaluate_simulation(results: SimulationResults) -> tuple[Target, ...]:
    """Check each target against the measured figures."""
    measured = results.transition_seconds > 0
    rate = results.transitions_per_second
    return (
        Target(
            "Kernel (`station.simulate`) events per second over plain SimPy's, M/M/5",
            fmt_ratio(results.kernel_ratio),
            f"≥ {KERNEL_TARGET}{TIMES}",
            OK if results.kernel_ratio >= KERNEL_TARGET else FAIL,
        ),
        Target(
            f"Parallel efficiency, {results.workers} worker processes: T1 / (workers · Tn)",
            f"{results.efficiency:.2f}",
            f"≥ {EFFICIENCY_TARGET}",
            OK if results.efficiency >= EFFICIENCY_TARGET else FAIL,
        ),
        Target(
            "The executor seam's cost per replication, share of a station replication",
            f"{results.seam_overhead:.3%}",
            f"< {SEAM_TARGET:.0%}",
            OK if results.seam_overhead < SEAM_TARGET else FAIL,
        ),
        Target(
            "Aalborg scenario: workflow transitions fired per second of one core",
            fmt_int(round(rate)) if measured else results.scenario,
            f"≥ {fmt_int(round(TRANSITIONS_TARGET))}",
            (OK if rate >= TRANSITIONS_TARGET else FAIL) if measured else INFO,
        ),
    )


def measure_simulation(settings: SimulationSettings) -> SimulationResults:
    """Run the four parts of the simulation benchmark with ``settings``."""
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rates = measure_kernel(settings)
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    workers, one, parallel_rounds, pool = measure_parallel(settings)
    overheads, task_ns, replication_ns = measure_seam(settings)
    scenario, transitions, seconds, scenario_rates = measure_scenario(settings)
    results = SimulationResults(
        mode=settings.name,
        started=when,
        seconds=time.monotonic() - started,
        kernel_rates=rates,
        kernel_ratio=statistics.median(ours / plain for ours, plain in rates),
        workers=workers,
        replications=settings.parallel_replications,
        replication_seconds=one,
        parallel_rounds=parallel_rounds,
        pool_start_seconds=pool,
        load_average=load_average,
        efficiency=statistics.median(t1 / (workers * tn) for t1, tn in parallel_rounds),
        seam_replications=settings.seam_replications,
        seam_overheads=overheads,
        seam_task_ns=task_ns,
        seam_replication_ns=replication_ns,
        instant_tasks=settings.instant_tasks,
        scenario=scenario,
        transitions=transitions,
        transition_seconds=seconds,
        scenario_rates=scenario_rates,
    )
    return attrs.evolve(results, targets=evaluate_simulation(results))


def render_simulation_summary(results: SimulationResults) -> str:
    """Return a plain-text summary of the simulation targets, for the terminal."""
    lines = [f"{t.name}: {t.measured} (limit {t.limit}) {t.status}" for t in results.targets]
    verdict = "some targets were MISSED" if results.failed else "all gated targets met"
    lines.append(f"simulation benchmark, {results.mode} run, {results.seconds:.0f} s: {verdict}")
    return "\n".join(lines)


def render_simulation_markdown(results: SimulationResults) -> str:
    """Return the simulation section of ``docs/performance.md``, starting with its heading."""
    ours = statistics.median(o for o, _ in results.kernel_rates)
    plain = statistics.median(p for _, p in results.kernel_rates)
    pool_share = results.pool_start_seconds / statistics.median(
        tn for _, tn in results.parallel_rounds
    )
    lines = [
        SIMULATION_HEADING,
        "",
        (
            "The simulation kernel against plain SimPy, the replication runner's parallel "
            "efficiency and the cost of its executor seam, and a workflow-level scenario. "
            f"Written by `benchmarks/run.py` (`bench_simulation.py` measures and writes this "
            f"section); {results.mode} run, {results.started}, {results.seconds:.0f} s."
        ),
        "",
        "### Simulation targets",
        "",
        "| Target | Measured | Limit | Status |",
        "| :-- | --: | --: | :-: |",
        *(f"| {t.name} | {t.measured} | {t.limit} | {t.status} |" for t in results.targets),
        "",
        "### How they were measured",
        "",
        (
            f"- **Kernel**: M/M/{SERVERS} (arrivals {ARRIVAL:g}, service {SERVICE:g} per "
            f"server), {len(results.kernel_rates)} rounds in alternating order after a "
            f"warm-up, CPU time. Medians: the kernel {fmt_int(round(ours))} events/s, plain "
            f"SimPy {fmt_int(round(plain))} events/s; the ratio is the median of the "
            "rounds' ratios. The kernel does more per event (three random streams, the "
            "time-average number in the system, the window's tallies)."
        ),
        (
            f"- **Parallel efficiency**: {results.replications} replications of "
            f"{results.replication_seconds * 1e3:.0f} ms each, with workers=1 and with a pool "
            f"of {results.workers} processes made by the runner, wall-clock, start-up "
            f"included; by round (T1, Tn): "
            + ", ".join(f"{t1:.2f} s and {tn:.2f} s" for t1, tn in results.parallel_rounds)
            + f"; the efficiency is the median of the rounds'. Starting a pool and reaching "
            f"every worker alone takes {results.pool_start_seconds * 1e3:.0f} ms, "
            f"{pool_share:.1%} of the pool's time. Both runs' results were checked to be "
            f"identical. The machine's load average before these runs was "
            f"{results.load_average:.2f}: on a machine of {results.workers} CPUs, any other "
            "work lowers this figure."
        ),
        (
            f"- **Executor seam**: {results.seam_replications} replications of the station "
            f"model ({results.seam_replication_ns / 1e6:.1f} ms each) run by "
            "`runner.run(model, n, workers=1)` and by a loop calling `model.replicate` "
            f"directly, {len(results.seam_overheads)} rounds in alternating order, CPU time; "
            "run over loop, less one, by round: "
            + ", ".join(f"{o:+.2%}" for o in results.seam_overheads)
            + f" (median {statistics.median(results.seam_overheads):+.2%}): the seam is lost "
            "in the replications' own variation. Measured apart, the same two ways on "
            f"{fmt_int(results.instant_tasks)} replications that do nothing, it costs "
            + ", ".join(f"{ns:.0f}" for ns in results.seam_task_ns)
            + " ns per replication by round; the median over a station replication's time "
            "is the figure gated."
        ),
        (
            f"- **Scenario**: {results.scenario}; "
            + (
                f"{fmt_int(results.transitions)} transitions fired in "
                f"{results.transition_seconds:.2f} s of CPU time, in a fresh process; by round, "
                + ", ".join(fmt_int(round(rate)) for rate in results.scenario_rates)
                + " transitions per second (the target is their median). Every "
                "replication opens its cases, fires their transitions and tallies its "
                "figures: its fixed cost (random streams, rosters, the backlog series) "
                "is counted too."
                if results.transition_seconds
                else "the target is reported, not gated."
            )
        ),
    ]
    return "\n".join(lines) + "\n"
