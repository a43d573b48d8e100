"""An arm of a scenario, resolved against the registry: what the engine looks up while it runs.

:func:`plan` checks the arm against the plugins' registry (every id it names exists,
every decision point reached has probabilities, every step has someone to do it) and
returns a :class:`Plan`: the engines of the cards each situation and age lead to
(with the arm's workflow versions and deadlines), each decision point's choices, and
for each choice the steps a worker does before firing it (the facts its guards
need, an assignment, sessions). Problems raise
:class:`~ssp_core.exceptions.ConfigError`, naming what is wrong and what is allowed.

The steps are read from the guards' data (``all_of``, ``any_of``, ``assigned``,
``min_sessions``), so the simulated worker records exactly what production requires
before a transition is allowed, and the engine still checks it when it fires. A
guard written in a plugin's code cannot be read; if it refuses, the simulation
counts the refusal and takes another way out (see :mod:`ssp_core.simulation.engine`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import attrs

from ssp_core.exceptions import ConfigError, SspError
from ssp_core.i18n import _
from ssp_core.plugins.registry import Registry
from ssp_core.simulation.scenario import (
    ANY_WORKFLOW,
    Arm,
    Arrivals,
    Distribution,
    Scenario,
    Staff,
)
from ssp_core.workflows.definition import TransitionSpec
from ssp_core.workflows.engine import WorkflowEngine

__all__ = ["Choice", "Plan", "Step", "plan"]


@attrs.frozen(cache_hash=True)
class Step:
    """One thing a worker does on a case: ``kind`` is fact, assign, session or fire."""

    kind: str
    name: str
    role: str
    """The role of who does it (a fact some roles only may record is done by one of them)."""
    detail: bool = False
    """For a fact or a transition: whether it needs a written text (a detail or reason)."""

    @property
    def work(self) -> str:
        """Return the step's name in ``[[work]]``: the trigger, ``fact:<id>``, assign or session."""
        if self.kind == "fire":
            return self.name
        return f"fact:{self.name}" if self.kind == "fact" else self.kind


@attrs.frozen
class Choice:
    """A way out of a state: the trigger, its probability, who does it and the steps before it."""

    trigger: str
    probability: float
    role: str
    steps: tuple[Step, ...]


@attrs.frozen
class Plan:
    """One arm of a scenario, resolved: looked up by the engine on every step."""

    arm: Arm
    staff: tuple[Staff, ...]
    arrivals: tuple[tuple[Arrivals, float, str | None], ...]
    """Each arrival process with its rate factor and the municipality its cases belong to."""
    engines: Mapping[tuple[str, int], WorkflowEngine]
    """The engine for (situation, age) of every arrival process and age in its range."""
    choices: Mapping[tuple[str, str], tuple[Choice, ...]]
    """(workflow id, state) to its ways out."""
    work: Mapping[tuple[str, str], Distribution]
    default_work: Distribution
    dwell: Mapping[tuple[str, str], Distribution]
    holds: Mapping[tuple[str, str], tuple[float, Distribution]]
    due_facts: Mapping[tuple[str, int], Mapping[str, Step]] = attrs.Factory(dict)
    """Per workflow version, its fact deadlines: the step that records each fact.

    A worker records a fact whose deadline runs with their next step on the case,
    whatever way out that step takes (a notification due at once is made at once).
    """

    def work_for(self, workflow: str, step: str) -> Distribution:
        """Return how long ``step`` takes on ``workflow`` (its rule, any workflow's, or default)."""
        found = self.work.get((workflow, step)) or self.work.get((ANY_WORKFLOW, step))
        return found if found is not None else self.default_work


def _known(kind: str, value: str, allowed: Iterable[str]) -> None:
    names = sorted(allowed)
    if value not in names:
        raise ConfigError(
            _("unknown {kind} {value}; known: {known}").format(
                kind=kind, value=repr(value), known=", ".join(names) or _("none")
            )
        )


def _by_workflow(rules: Iterable[tuple[str, str, object]]) -> dict[tuple[str, str], object]:
    return {(workflow, key): value for workflow, key, value in rules}


def plan(scenario: Scenario, arm_name: str, registry: Registry) -> Plan:
    """Resolve arm ``arm_name`` of ``scenario`` with ``registry``; ConfigError if it cannot."""
    arm = scenario.arm(arm_name)
    roles = set(registry.roles)
    staff = _staff(scenario, arm, roles)
    staffed = {member.role for member in staff}
    for workflow, version in arm.versions.items():
        try:
            registry.workflow(workflow, version)
        except SspError as exc:
            raise ConfigError(
                _("arm {arm}: no workflow {workflow} version {version} ({reason})").format(
                    arm=repr(arm.name), workflow=workflow, version=version, reason=exc
                )
            ) from None
    deadline_days = {(c.workflow, c.rule): c.days for c in arm.deadlines}
    build = functools.lru_cache(maxsize=None)(
        lambda key: _engine(registry, key[0], key[1], deadline_days)
    )
    situations = {a.situation for a in scenario.arrivals}
    for situation in arm.arrivals:
        _known(_("situation of an arrival factor"), situation, situations)
    arrivals = []
    engines: dict[tuple[str, int], WorkflowEngine] = {}
    for process in scenario.arrivals:
        _known(_("situation"), process.situation, registry.situations)
        _known(_("role"), process.reporter, roles)
        if process.municipality is not None:
            _known(_("municipality"), process.municipality, registry.municipalities)
        where = (
            process.municipality
            or registry.role_home(process.reporter)
            or registry.only_municipality()
        )
        arrivals.append((process, arm.arrivals.get(process.situation, 1.0), where))
        for age in range(process.ages[0], process.ages[1] + 1):
            try:
                card = registry.select_card(process.situation, age, where)
            except SspError as exc:
                raise ConfigError(
                    _("arrivals of {situation} at age {age}: {reason}").format(
                        situation=process.situation, age=age, reason=exc
                    )
                ) from None
            version = arm.versions.get(card.id, card.version)
            engines[process.situation, age] = build((card.id, version))
    for workflow, _rule in deadline_days:
        if not any(e.definition.id == workflow for e in engines.values()):
            raise ConfigError(
                _("arm {arm}: deadline change for {workflow}, which no arrival leads to").format(
                    arm=repr(arm.name), workflow=workflow
                )
            )
    decisions = {(d.workflow, d.state): d for d in scenario.decisions}
    decisions.update({(d.workflow, d.state): d for d in arm.decisions})
    choices: dict[tuple[str, str], tuple[Choice, ...]] = {}
    for engine in {id(e): e for e in engines.values()}.values():
        _choices_of(engine, decisions, staffed, choices)
    for workflow, state in decisions:
        _known(_("workflow of a decision"), workflow, {d.id for d in registry.workflows.values()})
        states = {s.id for d in registry.workflows.values() if d.id == workflow for s in d.states}
        _known(_("state of {workflow}").format(workflow=workflow), state, states)
    due_facts = {
        engine.definition.key: _due_facts(engine, staffed)
        for engine in {id(e): e for e in engines.values()}.values()
    }
    return Plan(
        due_facts=due_facts,
        arm=arm,
        staff=tuple(staff),
        arrivals=tuple(arrivals),
        engines=engines,
        choices=choices,
        work={(w.workflow, w.step): w.hours for w in scenario.work},
        default_work=scenario.default_work,
        dwell={(d.workflow, d.state): d.days for d in scenario.dwell},
        holds={(h.workflow, h.state): (h.probability, h.days) for h in scenario.holds},
    )


def _staff(scenario: Scenario, arm: Arm, roles: set[str]) -> list[Staff]:
    """Return the scenario's staff with the arm's head counts; refuse unknown roles."""
    staff = []
    for member in scenario.staff:
        _known(_("role"), member.role, roles)
        staff.append(attrs.evolve(member, count=arm.staff.get(member.role, member.count)))
    for role in arm.staff:
        _known(_("staff role"), role, {member.role for member in staff})
    return staff


def _due_facts(engine: WorkflowEngine, staffed: set[str]) -> dict[str, Step]:
    """Return the steps that record the facts a deadline waits for (those a person records)."""
    definition = engine.definition
    found = {}
    for rule in definition.deadlines:
        if rule.fact is None:
            continue
        spec = definition.fact(rule.fact)
        if spec.automatic:
            continue
        role = _role(definition.id, f"fact:{rule.fact}", spec.roles, staffed)
        found[rule.key] = Step("fact", rule.fact, role, spec.requires_detail)
    return found


def _engine(
    registry: Registry, workflow: str, version: int, days: Mapping[tuple[str, str], int]
) -> WorkflowEngine:
    """Return the engine of a workflow version, with the arm's deadline changes if any."""
    engine = registry.engine(workflow, version)
    changes = {rule: n for (wid, rule), n in days.items() if wid == workflow}
    if not changes:
        return engine
    definition = engine.definition
    keys = [rule.key for rule in definition.deadlines]
    for rule in changes:
        _known(_("deadline of {workflow}").format(workflow=workflow), rule, keys)
    changed = attrs.evolve(
        definition,
        deadlines=tuple(
            attrs.evolve(rule, days=changes[rule.key]) if rule.key in changes else rule
            for rule in definition.deadlines
        ),
    )
    return WorkflowEngine(changed, dict(registry.guards.items()))


def _choices_of(
    engine: WorkflowEngine,
    decisions: Mapping[tuple[str, str], object],
    staffed: set[str],
    out: dict[tuple[str, str], tuple[Choice, ...]],
) -> None:
    """Walk the states a case of ``engine`` can reach; record each one's choices in ``out``."""
    from ssp_core.simulation.scenario import Decision  # noqa: PLC0415

    definition = engine.definition
    finals = definition.final_states
    leaving: dict[str, list[str]] = {}
    specs = {}
    for source, spec in definition.edges():
        leaving.setdefault(source, []).append(spec.trigger)
        specs[source, spec.trigger] = spec
    todo = [definition.initial]
    seen: set[str] = set()
    while todo:
        state = todo.pop()
        if state in seen or state in finals:
            continue
        seen.add(state)
        key = (definition.id, state)
        decision = decisions.get(key)
        ways = leaving.get(state, [])
        if isinstance(decision, Decision):
            for trigger in decision.choices:
                if trigger not in ways:
                    raise ConfigError(
                        _(
                            "decision at {workflow} state {state}: {trigger} does not leave "
                            "that state; these do: {allowed}"
                        ).format(
                            workflow=definition.id,
                            state=repr(state),
                            trigger=repr(trigger),
                            allowed=", ".join(ways),
                        )
                    )
            picked = [(t, p) for t, p in decision.choices.items() if p > 0]
        elif len(ways) == 1:
            picked = [(ways[0], 1.0)]
        else:
            raise ConfigError(
                _(
                    "{workflow} state {state} is a decision point: give the probabilities of "
                    "its ways out ({allowed}) in a [[decisions]] table"
                ).format(workflow=definition.id, state=repr(state), allowed=", ".join(ways))
            )
        made = []
        for trigger, probability in picked:
            spec = specs[state, trigger]
            role = _role(definition.id, spec.trigger, spec.roles, staffed)
            made.append(Choice(trigger, probability, role, _steps(engine, spec, role, staffed)))
            todo.append(spec.dest)
        if key in out and out[key] != tuple(made):
            continue  # another version of the workflow: the first one planned is kept
        out.setdefault(key, tuple(made))


def _role(workflow: str, trigger: str, roles: tuple[str, ...], staffed: set[str]) -> str:
    """Return the first of ``roles`` the scenario staffs (any staffed role if none is named)."""
    if not roles:
        return sorted(staffed)[0] if staffed else ""
    for role in roles:
        if role in staffed:
            return role
    raise ConfigError(
        _(
            "{workflow}: {trigger} is done by {roles}; the scenario has no staff in those roles"
        ).format(workflow=workflow, trigger=repr(trigger), roles=_(" or ").join(roles))
    )


def _steps(
    engine: WorkflowEngine, spec: TransitionSpec, role: str, staffed: set[str]
) -> tuple[Step, ...]:
    """Return what a worker does to fire ``spec``: the facts, assignment and sessions it needs."""
    definition = engine.definition
    guards = {guard.id: guard for guard in definition.guards}
    steps: list[Step] = []
    facts: list[str] = []
    for guard_id in spec.guards:
        guard = guards.get(guard_id)
        if guard is None:
            continue  # a guard in a plugin's code: the engine decides when the step fires
        wanted = list(guard.all_of) + list(guard.any_of[:1])
        facts.extend(f for f in wanted if f not in facts)
        if guard.assigned and not any(s.kind == "assign" for s in steps):
            steps.append(Step("assign", "assign", role))
        steps.extend(Step("session", "session", role) for _ in range(guard.min_sessions))
    for fact in facts:
        fact_spec = definition.fact(fact)
        if fact_spec.automatic:
            raise ConfigError(
                _(
                    "{workflow}: {trigger} needs fact {fact}, which the library records itself "
                    "when it happens; a scenario cannot choose that way out"
                ).format(workflow=definition.id, trigger=repr(spec.trigger), fact=repr(fact))
            )
        who = role
        if fact_spec.roles and role not in fact_spec.roles:
            who = _role(definition.id, f"fact:{fact}", fact_spec.roles, staffed)
        steps.append(Step("fact", fact, who, fact_spec.requires_detail))
    steps.append(Step("fire", spec.trigger, role, spec.requires_reason))
    return tuple(steps)
