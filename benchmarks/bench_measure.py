"""The measurements behind ``benchmarks/run.py``: workloads, baselines, timers.

Everything here builds its engines directly from the Aalborg plugin's workflow
definitions (``WorkflowEngine(definition)``), without a registry, so the benchmarks
depend only on the engine and on the plugin's four action cards.

The baselines use the ``transitions`` library the way the engine deliberately does
not: one ``Machine`` per definition with every case added to it as a model
(``machine.add_model``). They are built from the same definitions, with the same
compiled guards as conditions.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import tracemalloc
import weakref
from collections.abc import Callable, Sequence
from time import perf_counter_ns
from typing import Any, Self

import attrs
from transitions import Machine

from ssp_aalborg import hooks
from ssp_core.domain.cases import Case
from ssp_core.domain.events import Transitioned
from ssp_core.domain.people import CaseSubject, Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import TransitionRefused
from ssp_core.plugins.manager import create_plugin_host
from ssp_core.plugins.registry import Registry
from ssp_core.workflows.definition import WorkflowDefinition, WorkflowKind
from ssp_core.workflows.engine import WorkflowEngine, build_machine
from ssp_core.workflows.guards import compile_guard

__all__ = [
    "ACTOR",
    "AT",
    "FIRE_CARD",
    "FIRE_FROM",
    "FIRE_TRIGGER",
    "SUBJECT",
    "ChunkedRun",
    "FireResult",
    "FreeResult",
    "MemoryResult",
    "PlainCaseRow",
    "PlainModel",
    "action_cards",
    "add_models",
    "baseline_machine",
    "case_ids",
    "fire_vs_bare",
    "freed_without_collector",
    "memory_per_case",
    "open_cases",
]

AT = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
"""The one timestamp every benchmark event carries (created once, reused)."""

SUBJECT = Subject(pseudonym="b" * 32, birth_date=dt.date(2010, 5, 17))
"""The one subject every benchmark case is about (created once, reused)."""

ACTOR = Actor(id="bench-consultant", role="aalborg.ssp_consultant")
"""The one actor of every benchmark action (created once, reused)."""

FIRE_CARD = "aalborg.radicalisation_under_18"
FIRE_TRIGGER = "start_intervention"
FIRE_FROM = "assessment"
FIRE_REASON = "Plan agreed with the family"
FIRE_FACTS = ("concern_described", "children_services_notified", "parents_involved")
"""Facts recorded so that every guard on the way to ``FIRE_FROM`` and on ``FIRE_TRIGGER`` holds."""

CLOSE_REASON = "The concern is not substantiated"


# -- fixtures -----------------------------------------------------------------------------


def action_cards() -> list[WorkflowDefinition]:
    """Return the first version of each of the Aalborg plugin's four action cards (its TOML).

    The first versions keep the figures comparable from run to run; later versions of
    a card change its text and guards, not its size. The cards extend the core's
    templates, so they are taken from a registry of the core and the plugin, made
    into definitions (each makes exactly the definition its file held before).
    """
    registry = Registry.build(create_plugin_host(autoload=False, plugins=[hooks]))
    first: dict[str, WorkflowDefinition] = {}
    for d in registry.workflows.values():
        if (
            d.kind is WorkflowKind.ACTION_CARD
            and not d.template
            and d.id.startswith("aalborg.")
            and (d.id not in first or d.version < first[d.id].version)
        ):
            first[d.id] = d
    cards = [first[name] for name in sorted(first)]
    if len(cards) != 4:
        names = ", ".join(card.id for card in cards)
        raise RuntimeError(f"expected the four Aalborg action cards, found {len(cards)}: {names}")
    return cards


def case_ids(count: int, prefix: str = "case") -> list[str]:
    """Return ``count`` distinct case ids, computed before any timed section."""
    return [f"{prefix}-{number:07d}" for number in range(count)]


def baseline_machine(definition: WorkflowDefinition) -> Machine:
    """Build the same ``transitions`` machine the engine builds, for models added one by one.

    It is :func:`~ssp_core.workflows.engine.build_machine` itself, with the definition's
    guards compiled exactly as the engine compiles them. Roles and required reasons have
    no ``transitions`` equivalent and stay out, which only makes the baseline cheaper.
    """
    checks = {spec.id: compile_guard(spec) for spec in definition.guards}
    missing = {g for t in definition.transitions for g in t.guards} - checks.keys()
    if missing:
        raise RuntimeError(f"{definition.name} uses guards implemented in code: {sorted(missing)}")
    return build_machine(definition, checks)


class PlainModel:
    """The baseline's case: a plain object that only knows its id until a machine binds it."""

    state: str
    """Set by the machine when the model is added, then on every transition."""

    def __init__(self, case_id: str) -> None:
        self.id = case_id


@attrs.define
class PlainCaseRow:
    """What opening a case records, held as one plain attrs record with no workflow binding.

    The memory control for :class:`~ssp_core.domain.cases.Case`: the same data the
    caller hands to ``engine.open`` (id, subject, time, actor and role, and the
    optional situation, concern date and reason), the same attrs class style as
    ``Case`` (slotted, with a weak-reference slot), and nothing about a workflow.
    """

    id: str
    subject: CaseSubject
    opened_at: dt.datetime
    opened_by: str
    role: str
    situation: str | None = None
    concern_date: dt.date | None = None
    reason: str | None = None


def _prepared_case(engine: WorkflowEngine, case_id: str) -> Case:
    """Open a case on the ``FIRE_CARD`` engine and bring it to ``FIRE_FROM`` with its facts."""
    case = engine.open(case_id=case_id, subject=SUBJECT, actor=ACTOR, at=AT)
    for fact in FIRE_FACTS:
        engine.record_fact(case, fact, ACTOR, at=AT)
    engine.fire(case, "begin_analysis", ACTOR, at=AT)
    engine.fire(case, "complete_analysis", ACTOR, at=AT)
    if case.state != FIRE_FROM:
        raise RuntimeError(f"the prepared case is in {case.state!r}, not {FIRE_FROM!r}")
    return case


# -- timing with the collector's full collections accounted for ---------------------------


class FullCollectionClock:
    """Add up the time CPython's collector spends in full (generation 2) collections.

    Installed as a ``gc.callbacks`` hook while a timed section runs; the collector
    stays enabled. Young-generation collections are not counted: they run at a
    steady rate per allocation and belong to the per-case cost.
    """

    def __init__(self) -> None:
        self.ns = 0
        self.count = 0
        self._started = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = perf_counter_ns()
        else:
            self.ns += perf_counter_ns() - self._started
            self.count += 1

    def __enter__(self) -> Self:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)


@attrs.frozen
class ChunkedRun:
    """One timed run over many cases, split into equal chunks of consecutive cases."""

    chunk: int
    wall_ns: tuple[int, ...]
    """Wall time of each chunk, everything included (the collector was enabled)."""
    full_gc_ns: tuple[int, ...]
    """Time the collector spent in full collections during each chunk."""
    full_gc_count: int
    gc_enabled: bool = True

    @property
    def cases(self) -> int:
        """Return the number of cases in the run."""
        return self.chunk * len(self.wall_ns)

    @property
    def total_ns(self) -> int:
        """Return the wall time of the whole run."""
        return sum(self.wall_ns)

    @property
    def mutator_ns(self) -> tuple[int, ...]:
        """Return each chunk's time without the full collections that ran in it."""
        return tuple(w - g for w, g in zip(self.wall_ns, self.full_gc_ns, strict=True))


def _chunks(plan: list[tuple[Any, str]], chunk: int) -> list[list[tuple[Any, str]]]:
    if chunk <= 0 or len(plan) % chunk:
        raise ValueError(f"{len(plan)} cases do not split into chunks of {chunk}")
    return [plan[start : start + chunk] for start in range(0, len(plan), chunk)]


def open_cases(
    engines: Sequence[WorkflowEngine], ids: Sequence[str], chunk: int, *, gc_enabled: bool = True
) -> ChunkedRun:
    """Time ``engine.open`` for every id, round-robin over ``engines``, chunk by chunk.

    Ids, subject, actor and timestamp exist before the clock starts; the cases are
    kept alive in a list until the run ends, as a case store would keep them.
    """
    plan = [(engines[n % len(engines)].open, case_id) for n, case_id in enumerate(ids)]
    parts = _chunks(plan, chunk)
    subject, actor, at = SUBJECT, ACTOR, AT
    cases: list[Case] = []
    append = cases.append
    wall: list[int] = []
    full: list[int] = []
    gc.collect()
    if not gc_enabled:
        gc.disable()
    try:
        with FullCollectionClock() as clock:
            for part in parts:
                collected = clock.ns
                started = perf_counter_ns()
                for open_, case_id in part:
                    append(open_(case_id=case_id, subject=subject, actor=actor, at=at))
                wall.append(perf_counter_ns() - started)
                full.append(clock.ns - collected)
    finally:
        gc.enable()
    if (
        len(cases) != len(ids)
        or cases[-1].state != engines[(len(ids) - 1) % len(engines)].definition.initial
    ):
        raise RuntimeError("the cases were not opened as expected")
    del cases
    gc.collect()
    return ChunkedRun(chunk, tuple(wall), tuple(full), clock.count, gc_enabled=gc_enabled)


def add_models(machines: Sequence[Machine], ids: Sequence[str], chunk: int) -> ChunkedRun:
    """Time the baseline: one ``PlainModel(id)`` per case, bound with ``machine.add_model``.

    The same round-robin over the cards, the same chunks and the same bookkeeping
    (a list keeping every case alive) as :func:`open_cases`.
    """
    plan = [(machines[n % len(machines)].add_model, case_id) for n, case_id in enumerate(ids)]
    parts = _chunks(plan, chunk)
    models: list[PlainModel] = []
    append = models.append
    wall: list[int] = []
    full: list[int] = []
    gc.collect()
    with FullCollectionClock() as clock:
        for part in parts:
            collected = clock.ns
            started = perf_counter_ns()
            for add_model, case_id in part:
                model = PlainModel(case_id)
                add_model(model)
                append(model)
            wall.append(perf_counter_ns() - started)
            full.append(clock.ns - collected)
    expected = machines[(len(ids) - 1) % len(machines)].initial
    if len(models) != len(ids) or models[-1].state != expected:
        raise RuntimeError("the models were not bound as expected")
    del models
    for machine in machines:
        machine.models.clear()
    gc.collect()
    return ChunkedRun(chunk, tuple(wall), tuple(full), clock.count)


# -- a dropped case is freed by reference counting alone ----------------------------------


@attrs.frozen
class FreeResult:
    """Whether dropped objects died at once, with the collector disabled."""

    events: int
    """Events recorded on the case (all of them watched as well)."""
    alive_after_del: int
    """Watched objects still alive right after ``del`` (0: all freed at once)."""
    refused_alive_after_del: int
    """The same, for a case on which a refused trigger raised and was caught."""
    cycles_found: int
    """Unreachable objects a collection found afterwards (0: no cycles were created)."""
    baseline_alive_after_del: bool
    """Whether a ``transitions`` model was still alive after ``remove_model`` and ``del``."""
    baseline_freed_by_collection: bool
    """Whether a collection then freed that model (it sat in a reference cycle)."""

    @property
    def passed(self) -> bool:
        """Tell whether the case and all its events died without a collector pass."""
        return self.alive_after_del == 0 and self.refused_alive_after_del == 0


def freed_without_collector(engine: WorkflowEngine) -> FreeResult:
    """Drop a case after a few transitions, with the collector disabled, and watch it die.

    Weak references watch the case and every one of its events; after ``del`` they
    must all be dead, which proves the case took part in no reference cycle (the
    machine keeps no reference to it either). The same is checked for a case on which
    a refused trigger raised :class:`~ssp_core.exceptions.TransitionRefused`.
    """
    gc.collect()
    gc.disable()
    try:
        case = _prepared_case(engine, "free-1")
        engine.fire(case, FIRE_TRIGGER, ACTOR, at=AT, reason=FIRE_REASON)
        engine.fire(case, "begin_follow_up", ACTOR, at=AT)
        engine.fire(case, "close", ACTOR, at=AT, reason="Goals reached")
        watched = [weakref.ref(case), *(weakref.ref(event) for event in case.events)]
        events = len(watched) - 1
        del case
        alive = sum(ref() is not None for ref in watched)

        refused = _prepared_case(engine, "free-2")
        try:
            engine.fire(refused, "close", ACTOR, at=AT, reason="Not allowed from assessment")
        except TransitionRefused:
            pass
        else:
            raise RuntimeError("the trigger should have been refused")
        watched = [weakref.ref(refused), *(weakref.ref(event) for event in refused.events)]
        del refused
        refused_alive = sum(ref() is not None for ref in watched)

        cycles = gc.collect()

        machine = baseline_machine(engine.definition)
        model = PlainModel("free-baseline")
        machine.add_model(model)
        machine.events["close_unfounded"].trigger(model)
        machine.remove_model(model)
        watched_model = weakref.ref(model)
        del model
        baseline_alive = watched_model() is not None
        gc.collect()
        baseline_collected = baseline_alive and watched_model() is None
    finally:
        gc.enable()
    return FreeResult(
        events=events,
        alive_after_del=alive,
        refused_alive_after_del=refused_alive,
        cycles_found=cycles,
        baseline_alive_after_del=baseline_alive,
        baseline_freed_by_collection=baseline_collected,
    )


# -- memory ---------------------------------------------------------------------------------


def _traced_bytes(count: int, build: Callable[[list[Any]], None]) -> int:
    """Return the bytes still allocated after ``build`` filled a list of ``count`` slots.

    The list itself and every input exist before tracing starts, so only what
    ``build`` creates and keeps is counted (tracemalloc counts requested bytes,
    including the collector's header of tracked objects).
    """
    holder: list[Any] = [None] * count
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        build(holder)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    if any(item is None for item in holder):
        raise RuntimeError("the memory workload did not fill every slot")
    del holder
    gc.collect()
    return after - before


@attrs.frozen
class MemoryResult:
    """Bytes per case for ssp_core, for a plain record, and for the add_model baseline."""

    cases: int
    case_bytes: float
    """Per case opened with ``engine.open``: the Case and its CaseOpened event."""
    row_bytes: float
    """Per plain record holding the same opening data (PlainCaseRow)."""
    baseline_cases: int
    model_bytes: float
    """Per unbound ``PlainModel`` (the baseline's control)."""
    bound_model_bytes: float
    """Per ``PlainModel`` bound with ``add_model`` (model, triggers, state helpers, list slot)."""
    transition_bytes: float
    """Added to a case by one fired transition (its Transitioned event and list growth)."""

    @property
    def overhead(self) -> float:
        """Return what the workflow binding adds per case: Case minus plain record."""
        return self.case_bytes - self.row_bytes

    @property
    def baseline_overhead(self) -> float:
        """Return what ``add_model`` adds per case: bound model minus unbound model."""
        return self.bound_model_bytes - self.model_bytes


def memory_per_case(
    engines: Sequence[WorkflowEngine], count: int, baseline_count: int
) -> MemoryResult:
    """Measure, with tracemalloc, the bytes each kind of case record keeps alive."""
    ids = case_ids(count, "mem")
    opens = [(engines[n % len(engines)].open, case_id) for n, case_id in enumerate(ids)]
    subject, actor, at = SUBJECT, ACTOR, AT

    def build_cases(holder: list[Any]) -> None:
        for n, (open_, case_id) in enumerate(opens):
            holder[n] = open_(case_id=case_id, subject=subject, actor=actor, at=at)

    def build_rows(holder: list[Any]) -> None:
        for n, case_id in enumerate(ids):
            holder[n] = PlainCaseRow(
                id=case_id, subject=subject, opened_at=at, opened_by=actor.id, role=actor.role
            )

    case_total = _traced_bytes(count, build_cases)
    row_total = _traced_bytes(count, build_rows)

    base_ids = ids[:baseline_count]
    machines = [baseline_machine(engine.definition) for engine in engines]
    adds = [(machines[n % len(machines)].add_model, case_id) for n, case_id in enumerate(base_ids)]

    def build_models(holder: list[Any]) -> None:
        for n, case_id in enumerate(base_ids):
            holder[n] = PlainModel(case_id)

    def build_bound(holder: list[Any]) -> None:
        for n, (add_model, case_id) in enumerate(adds):
            model = PlainModel(case_id)
            add_model(model)
            holder[n] = model

    model_total = _traced_bytes(baseline_count, build_models)
    bound_total = _traced_bytes(baseline_count, build_bound)
    for machine in machines:
        machine.models.clear()
    gc.collect()

    engine = next(e for e in engines if e.definition.id == FIRE_CARD)
    opened = [engine.open(case_id=case_id, subject=subject, actor=actor, at=at) for case_id in ids]
    fire = engine.fire

    def build_transitions(holder: list[Any]) -> None:
        for n, case in enumerate(opened):
            holder[n] = fire(case, "close_unfounded", actor, at=at, reason=CLOSE_REASON)

    transition_total = _traced_bytes(count, build_transitions)
    opened.clear()
    gc.collect()

    return MemoryResult(
        cases=count,
        case_bytes=case_total / count,
        row_bytes=row_total / count,
        baseline_cases=baseline_count,
        model_bytes=model_total / baseline_count,
        bound_model_bytes=bound_total / baseline_count,
        transition_bytes=transition_total / count,
    )


# -- one fired transition versus the bare transitions trigger -------------------------------


@attrs.frozen
class FireResult:
    """Per-operation times (ns) of each timed batch, for the four loops."""

    iterations: int
    ours_ns: tuple[float, ...]
    bare_ns: tuple[float, ...]
    case_reset_ns: tuple[float, ...]
    model_reset_ns: tuple[float, ...]

    @property
    def ours(self) -> float:
        """Return the median time of ``engine.fire`` plus its reset."""
        return statistics.median(self.ours_ns)

    @property
    def bare(self) -> float:
        """Return the median time of the bare trigger plus its reset."""
        return statistics.median(self.bare_ns)

    @property
    def case_reset(self) -> float:
        """Return the median time of the reset alone (``case.state = ...``)."""
        return statistics.median(self.case_reset_ns)

    @property
    def model_reset(self) -> float:
        """Return the median time of the reset alone (``model.state = ...``)."""
        return statistics.median(self.model_reset_ns)

    @property
    def ratio_raw(self) -> float:
        """Return the median over batches of ours over bare, each with its reset.

        Each batch of ours is paired with the batch of bare timed right after it, so
        that a change in the machine's speed during the run affects both sides alike.
        """
        return statistics.median(o / b for o, b in zip(self.ours_ns, self.bare_ns, strict=True))

    @property
    def ratio_net(self) -> float:
        """Return the median over paired batches of ours over bare, resets subtracted."""
        return statistics.median(
            (o - cr) / (b - mr)
            for o, b, cr, mr in zip(
                self.ours_ns, self.bare_ns, self.case_reset_ns, self.model_reset_ns, strict=True
            )
        )


def _time_fire(fire: Callable[..., object], case: Case, iterations: int) -> float:
    actor, at, trigger, reason, source = ACTOR, AT, FIRE_TRIGGER, FIRE_REASON, FIRE_FROM
    version = case.version
    gc.collect()
    started = perf_counter_ns()
    for _ in range(iterations):
        fire(case, trigger, actor, at=at, reason=reason)
        case.state = source
    elapsed = perf_counter_ns() - started
    last = case.last_event
    if case.version != version + iterations or not (
        isinstance(last, Transitioned) and last.dest == "intervention"
    ):
        raise RuntimeError("engine.fire did not record every transition")
    return elapsed / iterations


def _time_bare(
    trigger: Callable[..., bool], model: PlainModel, case: Case, iterations: int
) -> float:
    source = FIRE_FROM
    gc.collect()
    started = perf_counter_ns()
    for _ in range(iterations):
        trigger(model, case)
        model.state = source
    elapsed = perf_counter_ns() - started
    if not trigger(model, case) or model.state != "intervention":
        raise RuntimeError("the bare trigger did not fire")
    model.state = source
    return elapsed / iterations


def _time_reset(target: Case | PlainModel, iterations: int) -> float:
    source = FIRE_FROM
    gc.collect()
    started = perf_counter_ns()
    for _ in range(iterations):
        target.state = source
    return (perf_counter_ns() - started) / iterations


def fire_vs_bare(engine: WorkflowEngine, iterations: int, batches: int) -> FireResult:
    """Time ``engine.fire`` against ``machine.events[trigger].trigger`` on the same definition.

    Both loops fire ``FIRE_TRIGGER`` from ``FIRE_FROM``, where both of its guards
    hold, and then put the state back with one attribute store. ``engine.fire`` also
    checks role and reason, builds the Transitioned event and appends it to the
    case; a fresh prepared case is used for each batch, so its list of events starts
    short every time. The bare trigger gets the same case as its argument, so its
    conditions (the same compiled guards) read the same facts. Batches alternate
    between the loops; one warm-up batch of each is discarded.
    """
    machine = baseline_machine(engine.definition)
    model = PlainModel("fire-baseline")
    machine.add_model(model, initial=FIRE_FROM)
    trigger = machine.events[FIRE_TRIGGER].trigger
    facts_case = _prepared_case(engine, "fire-facts")

    ours: list[float] = []
    bare: list[float] = []
    case_reset: list[float] = []
    model_reset: list[float] = []
    for batch in range(batches + 1):
        case = _prepared_case(engine, f"fire-{batch}")
        timed_ours = _time_fire(engine.fire, case, iterations)
        timed_bare = _time_bare(trigger, model, facts_case, iterations)
        timed_case_reset = _time_reset(case, iterations)
        timed_model_reset = _time_reset(model, iterations)
        del case
        if batch:
            ours.append(timed_ours)
            bare.append(timed_bare)
            case_reset.append(timed_case_reset)
            model_reset.append(timed_model_reset)
    gc.collect()
    return FireResult(iterations, tuple(ours), tuple(bare), tuple(case_reset), tuple(model_reset))
