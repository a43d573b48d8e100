"""Testing kit for plugin authors: a pytest plugin, hypothesis strategies, contract tests.

Opt in from a plugin's ``conftest.py``::

    pytest_plugins = ["ssp_core.testing"]

Then use the ``ssp_registry_factory`` fixture, the strategies below, and subclass
:class:`PluginContract` to run the contract every plugin must meet::

    from ssp_core.testing import PluginContract
    import my_plugin

    class TestMyPlugin(PluginContract):
        plugins = (my_plugin,)

Needs the ``testing`` extra: ``pip install ssp-core[testing]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ssp_core.clock import local_date
from ssp_core.domain.access import Grant
from ssp_core.domain.cases import Case
from ssp_core.domain.coming_of_age import coming_of_age
from ssp_core.domain.disclosure import ADULT_AGE, Consent, ConsentGiver
from ssp_core.domain.district import Reach
from ssp_core.domain.events import CaseOpened, ConsentGiven, Transitioned
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import (
    CaseSubject,
    Environment,
    Group,
    Subject,
    SubjectKind,
    Unnamed,
)
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import (
    ActionRefused,
    DataError,
    NewerTemplateWarning,
    SspError,
    TransitionRefused,
)
from ssp_core.plugins.manager import create_plugin_host
from ssp_core.plugins.registry import Registry
from ssp_core.plugins.spec import PROJECT
from ssp_core.privacy.sealing import new_data_key
from ssp_core.store.codec import codec
from ssp_core.workflows.definition import WorkflowDefinition
from ssp_core.workflows.explain import INSTRUCTION
from ssp_core.workflows.validation import reachable_from

__all__ = [
    "PluginContract",
    "actors",
    "cpr_numbers",
    "make_registry",
    "pseudonym_for",
    "run_workflow_machine",
    "ssp_registry_factory",
    "subjects_for",
    "wall_problems",
    "workflow_machine",
]

EPOCH = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
"""The start of the virtual time used by the workflow state machine."""


def make_registry(*plugins: object, autoload: bool = False, block: Iterable[str] = ()) -> Registry:
    """Build a registry from the built-ins and ``plugins`` (no entry points unless ``autoload``)."""
    return Registry.build(create_plugin_host(autoload=autoload, block=block, plugins=plugins))


@pytest.fixture(name="ssp_registry_factory")
def ssp_registry_factory() -> Callable[..., Registry]:
    """Return :func:`make_registry`: build a registry from explicit plugins, for one test."""
    return make_registry


# -- strategies -----------------------------------------------------------------------------


@st.composite
def cpr_numbers(draw: st.DrawFn, *, dashed: bool | None = None) -> str:
    """Draw a well-formed CPR number with a real birth date; the control digits are arbitrary.

    Roughly half fail the old modulus-11 check, as real numbers issued since 2007 may.
    """
    birth = draw(st.dates(min_value=dt.date(1858, 1, 1), max_value=dt.date(2057, 12, 31)))
    yy = birth.year % 100
    century = birth.year - yy
    choices = [
        d
        for d in range(10)
        if (d <= 3 and century == 1900)
        or (d in (4, 9) and century == (2000 if yy <= 36 else 1900))
        or (5 <= d <= 8 and century == (2000 if yy <= 57 else 1800))
    ]
    digit7 = draw(st.sampled_from(choices))
    rest = draw(st.integers(0, 999))
    number = f"{birth:%d%m}{yy:02d}{digit7}{rest:03d}"
    use_dash = draw(st.booleans()) if dashed is None else dashed
    return f"{number[:6]}-{number[6:]}" if use_dash else number


def actors(roles: Sequence[str]) -> st.SearchStrategy[Actor]:
    """Draw actors acting in one of ``roles``."""
    return st.builds(
        Actor, id=st.sampled_from(["a1", "a2", "a3"]), role=st.sampled_from(list(roles))
    )


def pseudonym_for(label: str) -> str:
    """Return a pseudonym of the pseudonymiser's form (32 hex digits) made from ``label``.

    For tests that name people by hand: the same label gives the same pseudonym, and
    no label gives a CPR number. Real pseudonyms come from the municipal key
    (:meth:`~ssp_core.Casework.enrol`).
    """
    return hashlib.sha256(label.encode()).hexdigest()[:32]


def subjects_for(definition: WorkflowDefinition) -> st.SearchStrategy[CaseSubject]:
    """Draw subjects of the kinds ``definition`` accepts."""
    label = Labels(da="Test", en="Test")
    options: list[st.SearchStrategy[CaseSubject]] = []
    for kind in definition.subjects:
        if kind == SubjectKind.PERSON:
            options.append(
                st.builds(
                    Subject,
                    pseudonym=st.text("0123456789abcdef", min_size=32, max_size=32),
                    birth_date=st.dates(dt.date(1950, 1, 1), dt.date(2020, 12, 31)),
                )
            )
        elif kind == SubjectKind.GROUP:
            options.append(
                st.builds(
                    Group, id=st.just("test.group"), labels=st.just(label), size=st.integers(1, 30)
                )
            )
        elif kind == SubjectKind.UNNAMED:
            options.append(st.just(Unnamed()))
        else:
            options.append(
                st.builds(Environment, id=st.just("test.environment"), labels=st.just(label))
            )
    return st.one_of(options)


# -- the stateful test of a workflow -----------------------------------------------------


def _snapshot(case: Case) -> tuple[Any, ...]:
    return (
        case.state,
        case.version,
        case.facts,
        case.assignee,
        case.sessions,
        case.events,
        case.due,
        case.suspended_at,
    )


def workflow_machine(
    registry: Registry, definition: WorkflowDefinition
) -> type[RuleBasedStateMachine]:
    """Return a hypothesis state machine that drives one case of ``definition`` at random.

    Random triggers are fired by random actors (every registered role), with or without
    a reason, between random facts, assignments, sessions, suspensions and resumptions,
    deadline extensions and recorded misses, as time passes. Invariants: the state is a
    declared state; a refused action changes nothing; an accepted trigger adds exactly
    one :class:`Transitioned` event; a case on hold allows no trigger; resuming never
    moves a due date earlier; the running due dates are those of the state's rules;
    every non-final state can still reach a final state; a fact limited to roles is
    recorded only by one of them; the state's instructions, and only those, are shown
    with every option (none in a final state); consents recorded and withdrawn
    change no state, fact or due date; years passing (the person turning 18) change
    nothing the actors may do, and the case's coming of age is the 18th birthday of a
    person under 18 at the concern; the case equals the replay of
    its own history, also after a round trip through the store's codec, plain and
    sealed under a random data key (as every case is stored); and without the key the
    sealed rows still replay to the same state, facts, assignee, sessions and due dates
    (only personal fields are withheld).
    """
    engine = registry.engine(definition.id, definition.version)
    roles = sorted(registry.roles) or ["anyone"]
    states = {state.id for state in definition.states}
    finals = definition.final_states
    triggers = [*definition.triggers, "no_such_trigger"]
    facts = [fact.id for fact in definition.facts] or ["no_such_fact"]
    fact_roles = {fact.id: fact.roles for fact in definition.facts}
    instructions = {
        state.id: tuple(i.labels for i in state.instructions)
        for state in definition.states
        if not state.final
    }

    class WorkflowMachine(RuleBasedStateMachine):
        case: Case
        now: dt.datetime
        data_key: bytes

        @initialize(subject=subjects_for(definition), actor=actors(roles))
        def open_case(self, subject: CaseSubject, actor: Actor) -> None:
            self.now = EPOCH
            self.data_key = new_data_key()
            self.case = engine.open(case_id="T-1", subject=subject, actor=actor, at=self.now)
            assert self.case.state == definition.initial

        def _tick(self) -> dt.datetime:
            self.now += dt.timedelta(hours=5)
            return self.now

        @rule(
            trigger=st.sampled_from(triggers),
            actor=actors(roles),
            reason=st.sampled_from([None, "", "because"]),
        )
        def fire(self, trigger: str, actor: Actor, reason: str | None) -> None:
            before = _snapshot(self.case)
            try:
                event = engine.fire(self.case, trigger, actor, at=self._tick(), reason=reason)
            except TransitionRefused as refused:
                assert refused.reasons, "a refusal must give a reason"
                assert _snapshot(self.case) == before, "a refused trigger changed the case"
                options = {option.trigger: option for option in engine.options(self.case, actor)}
                shown = {r.code for r in options[trigger].reasons}
                assert shown <= {r.code for r in refused.reasons}
                return
            except SspError:
                assert trigger == "no_such_trigger"
                assert _snapshot(self.case) == before
                return
            assert len(self.case.events) == len(before[5]) + 1
            assert self.case.events[-1] is event
            assert isinstance(event, Transitioned)
            assert event.source == before[0]
            assert self.case.state == event.dest

        @rule(
            fact=st.sampled_from(facts), actor=actors(roles), detail=st.sampled_from([None, "why"])
        )
        def record_fact(self, fact: str, actor: Actor, detail: str | None) -> None:
            before = _snapshot(self.case)
            try:
                engine.record_fact(self.case, fact, actor, at=self._tick(), detail=detail)
            except (ActionRefused, DataError):
                assert _snapshot(self.case) == before
            else:
                assert fact in self.case.facts
                allowed = fact_roles.get(fact, ())
                assert not allowed or actor.role in allowed, "a fact limited to roles was recorded"

        @rule(actor=actors(roles), assignee=st.sampled_from([None, "a1", "a2"]))
        def assign(self, actor: Actor, assignee: str | None) -> None:
            before = _snapshot(self.case)
            try:
                engine.assign(self.case, assignee, actor, at=self._tick())
            except ActionRefused:
                assert _snapshot(self.case) == before
            else:
                assert self.case.assignee == assignee

        @rule(actor=actors(roles))
        def record_session(self, actor: Actor) -> None:
            before = _snapshot(self.case)
            try:
                now = self._tick()
                engine.record_session(self.case, actor, at=now, held_on=now.date())
            except ActionRefused:
                assert _snapshot(self.case) == before
            else:
                assert self.case.sessions == before[4] + 1

        @rule(actor=actors(roles), reason=st.sampled_from(["", "family abroad"]))
        def suspend(self, actor: Actor, reason: str) -> None:
            before = _snapshot(self.case)
            try:
                engine.suspend(self.case, actor, at=self._tick(), reason=reason)
            except ActionRefused:
                assert _snapshot(self.case) == before
                return
            assert self.case.suspended_at is not None
            for option in engine.options(self.case, actor):
                assert not option.allowed, "a case on hold allowed a trigger"

        @rule(actor=actors(roles), days=st.integers(min_value=0, max_value=20))
        def resume(self, actor: Actor, days: int) -> None:
            before = _snapshot(self.case)
            self.now += dt.timedelta(days=days)
            try:
                engine.resume(self.case, actor, at=self._tick())
            except ActionRefused:
                assert _snapshot(self.case) == before
                return
            assert self.case.suspended_at is None
            assert [d.rule for d in self.case.due] == [d.rule for d in before[6]]
            assert all(
                new.due >= old.due for new, old in zip(self.case.due, before[6], strict=True)
            )

        @rule(actor=actors(roles), days=st.integers(min_value=-3, max_value=30))
        def extend_deadline(self, actor: Actor, days: int) -> None:
            before = _snapshot(self.case)
            rule_id = self.case.due[0].rule if self.case.due else "no_such_deadline"
            current = self.case.due[0].due if self.case.due else self.now.date()
            due = current + dt.timedelta(days=days)
            try:
                engine.extend_deadline(self.case, rule_id, due, actor, at=self._tick(), reason="r")
            except ActionRefused:
                assert _snapshot(self.case) == before
                assert days <= 0 or not before[6] or before[0] in finals
                return
            assert self.case.due[0].due == due > current

        @rule(actor=actors(roles), days=st.integers(min_value=0, max_value=40))
        def record_missed(self, actor: Actor, days: int) -> None:
            self.now += dt.timedelta(days=days)
            before = _snapshot(self.case)
            rule_id = self.case.due[0].rule if self.case.due else "no_such_deadline"
            try:
                engine.record_missed(self.case, rule_id, actor, at=self._tick())
            except ActionRefused:
                assert _snapshot(self.case) == before
                return
            assert self.case.due[0].missed
            assert local_date(self.now) > self.case.due[0].due

        @rule(
            actor=actors(roles),
            givers=st.sets(st.sampled_from(list(ConsentGiver)), min_size=1),
            withdraw=st.booleans(),
        )
        def consent(self, actor: Actor, givers: set[ConsentGiver], *, withdraw: bool) -> None:
            before = _snapshot(self.case)
            number = 1 + sum(isinstance(e, ConsentGiven) for e in self.case.events)
            consent = Consent(
                self.now.date(), "told", sorted(givers), ["p-1"], ["case"], id=f"consent-{number}"
            )
            try:
                engine.record_consent(self.case, consent, actor, at=self._tick())
                if withdraw:
                    at = self._tick()
                    engine.withdraw_consent(
                        self.case, consent.id or "", actor, at=at, withdrawn_on=at.date()
                    )
            except ActionRefused:
                assert before[0] in finals  # only a closed case refuses a consent
                assert _snapshot(self.case) == before
                return
            # A consent or its withdrawal is history: the state, facts and due dates stay.
            after = _snapshot(self.case)
            assert (after[0], *after[2:5], *after[6:]) == (before[0], *before[2:5], *before[6:])
            assert after[1] == before[1] + (2 if withdraw else 1)

        @rule(years=st.integers(min_value=1, max_value=20))
        def time_passes(self, years: int) -> None:
            """Let years pass (the person may turn 18): the card's rules do not change."""
            before = {
                role: [(o.trigger, o.allowed) for o in engine.options(self.case, Actor("x", role))]
                for role in roles
            }
            self.now += dt.timedelta(days=365 * years)
            after = {
                role: [(o.trigger, o.allowed) for o in engine.options(self.case, Actor("x", role))]
                for role in roles
            }
            assert after == before, "the passing of time changed what may be done"
            today = self.now.date()
            came = coming_of_age(self.case, until=today, today=today)
            subject = self.case.subject
            age = self.case.opening.age_at_concern
            if came is not None:
                assert isinstance(subject, Subject)
                assert age is not None
                assert age < ADULT_AGE
                assert came.turns_18_on <= today
                assert subject.age_on(came.turns_18_on) == ADULT_AGE

        @invariant()
        def state_is_declared(self) -> None:
            assert self.case.state in states

        @invariant()
        def due_dates_are_those_of_the_state(self) -> None:
            # A state's own deadlines; and a fact deadline from the state it starts in
            # until its fact is recorded (none once the case is closed).
            case = self.case
            first = case.events[0]
            assert isinstance(first, CaseOpened)
            entered = {first.state} | {
                event.dest for event in case.events if isinstance(event, Transitioned)
            }
            expected = sorted(
                rule.key
                for rule in definition.deadlines
                if case.state not in definition.final_states
                and (
                    rule.state == case.state
                    if rule.fact is None
                    else rule.state in entered and rule.fact not in case.facts
                )
            )
            assert sorted(due.rule for due in case.due) == expected

        @invariant()
        def the_stored_form_replays_to_the_same_case(self) -> None:
            assert codec.replay(codec.encode(event) for event in self.case.events) == self.case

        @invariant()
        def the_sealed_form_replays_to_the_same_case(self) -> None:
            key = self.data_key
            rows = [codec.encode(event, key=key) for event in self.case.events]
            assert [codec.decode(row, key=key) for row in rows] == list(self.case.events)
            assert codec.replay(rows, key=key) == self.case
            withheld = codec.replay(rows, readable=frozenset())
            assert _snapshot(withheld)[:5] == _snapshot(self.case)[:5]
            assert _snapshot(withheld)[6:] == _snapshot(self.case)[6:]

        @invariant()
        def instructions_show_while_in_their_state(self) -> None:
            # Exactly the state's instructions, on every option, and none in a final state.
            expected = instructions.get(self.case.state, ())
            assert tuple(i.labels for i in engine.instructions(self.case)) == expected
            for option in engine.options(self.case, Actor("x", roles[0])):
                shown = tuple(n.labels for n in option.notes if n.code == INSTRUCTION)
                assert shown == expected

        @invariant()
        def a_final_state_stays_reachable(self) -> None:
            if self.case.state not in finals:
                assert reachable_from(definition, self.case.state) & finals

        @invariant()
        def the_case_is_the_fold_of_its_events(self) -> None:
            assert Case.replay(self.case.events) == self.case

        @invariant()
        def versions_run_one_to_n(self) -> None:
            assert [event.version for event in self.case.events] == list(
                range(1, self.case.version + 1)
            )

    WorkflowMachine.__name__ = f"WorkflowMachine[{definition.name}]"
    return WorkflowMachine


def run_workflow_machine(
    registry: Registry, definition: WorkflowDefinition, *, max_examples: int = 60, steps: int = 40
) -> None:
    """Run :func:`workflow_machine` for ``definition`` as a test."""
    run_state_machine_as_test(
        workflow_machine(registry, definition),
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# -- the contract every plugin meets --------------------------------------------------------


def wall_problems(registry: Registry, plugin: str) -> list[str]:
    """Return where ``plugin`` names another municipality's ids (its roles, cards, grants ...).

    A municipality's plugin names only its own ids and shared ones (the core's, a
    police district's); what another municipality contributes stays behind its walls.
    Two relations the district's data allow are not reported: extending another
    municipality's workflow (``extends``), and a grant that reaches the police district
    (``reach = "district"``, the district's agreement) naming the workflows of a
    municipality in the same district.
    """
    home = registry.home_of_plugin(plugin)
    others = sorted(
        municipality for municipality in registry.municipalities if municipality != home
    )
    if home is None or not others:
        return []
    district = registry.district_of(home)
    problems = []
    for kind, item_id, item in registry.items_of(plugin):
        district_wide = isinstance(item, Grant) and item.reach is Reach.DISTRICT
        for where, text in _texts(item):
            owner = next((m for m in others if text.startswith(f"{m}.")), None)
            if owner is None:
                continue
            agreed = district_wide and where.startswith("workflows")
            if agreed and registry.district_of(owner) == district:
                continue
            problems.append(
                f"{kind} {item_id!r}: {where} names {text!r}, municipality {owner!r}'s; "
                f"a municipality's plugin names only its own ids ({home}.*) and shared ones"
            )
    return problems


def _texts(value: object, where: str = "") -> Iterable[tuple[str, str]]:
    """Yield every text in an attrs item with where it is, leaving ``extends`` and labels out."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Labels):
        return
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            if field.name in {"extends", "origins", "labels", "description"}:
                continue
            yield from _texts(getattr(value, field.name), f"{where}.{field.name}".lstrip("."))
    elif isinstance(value, tuple | list | frozenset):
        for index, one in enumerate(value):
            yield from _texts(one, f"{where}[{index}]")


class PluginContract:
    """Contract tests every plugin package runs: subclass it and name the plugin.

    Name an installed plugin by its entry point (``entry_point = "vesthavn"``): the kit
    loads it as ssp_core does, under that name. ``plugins`` (plugin objects) name one
    that is not installed, e.g. in a repository's own tests. The kit then checks it
    alone with the built-ins, and beside every other installed plugin (no clashing
    ids, every age one card per municipality, no id of another municipality named),
    and runs the stateful workflow test over each of its workflows.
    """

    entry_point: ClassVar[str | None] = None
    plugins: ClassVar[tuple[object, ...]] = ()

    @classmethod
    def _installed(cls) -> list[str]:
        return sorted(ep.name for ep in importlib.metadata.entry_points(group=PROJECT))

    @classmethod
    def _installed_copies(cls) -> list[str]:
        """Return the entry points that load one of ``plugins`` (it is registered once)."""
        names = {getattr(plugin, "plugin_name", None) for plugin in cls.plugins}
        copies = []
        for entry_point in importlib.metadata.entry_points(group=PROJECT):
            if entry_point.name in names:
                copies.append(entry_point.name)
                continue
            try:
                loaded = entry_point.load()
            except Exception:  # noqa: BLE001, S112 - the plugin host reports it, by name
                continue
            if any(loaded is plugin for plugin in cls.plugins):
                copies.append(entry_point.name)
        return copies

    @classmethod
    def registry(cls, *, beside_installed: bool = False) -> Registry:
        """Build the registry the kit checks: the plugin with the built-ins, or with all.

        :param beside_installed: load every installed plugin too (the plugin under test
            once, if it is installed and also named in ``plugins``).
        """
        installed = cls._installed()
        if cls.entry_point is not None and cls.entry_point not in installed:
            pytest.fail(
                f"no installed plugin has the entry point {cls.entry_point!r} in the group "
                f"{PROJECT!r}; installed: {', '.join(installed) or 'none'}. Install the "
                "package (pip install -e .) or check [project.entry-points.ssp_core] in its "
                "pyproject.toml"
            )
        if beside_installed:
            return make_registry(*cls.plugins, autoload=True, block=cls._installed_copies())
        others = [name for name in installed if name != cls.entry_point]
        if cls.entry_point is None:
            return make_registry(*cls.plugins)
        return make_registry(*cls.plugins, autoload=True, block=others)

    @pytest.fixture(name="contract_registry")
    def _contract_registry(self) -> Registry:
        return self.registry(beside_installed=False)

    @classmethod
    def _under_test(cls) -> list[str]:
        """Return the names of the plugins under test (loaded, not checked, to name them)."""
        if cls.entry_point is not None:
            return [cls.entry_point]
        host = create_plugin_host(autoload=False, block=("builtin",), plugins=cls.plugins)
        return [info.name for info in host.plugins]

    @staticmethod
    def _names(registry: Registry) -> list[str]:
        return [info.name for info in registry.plugins if info.name != "builtin"]

    def test_registers_cleanly(self, contract_registry: Registry) -> None:
        """The plugin loads with the built-ins alone, under its name, and contributes."""
        names = self._names(contract_registry)
        if self.entry_point is not None:
            assert self.entry_point in names, f"loaded {names}, not {self.entry_point!r}"
        assert names, "name the plugin: set entry_point (or plugins) on the test class"
        contributed = [contract_registry.contributions_of(name) for name in names]
        assert any(contributed), "the plugin contributes nothing"

    def test_hooks_are_ssp_hooks(self, contract_registry: Registry) -> None:
        """Every hook the plugin implements is an ssp_core hook."""
        for info in contract_registry.plugins:
            assert all(hook.startswith(("ssp_register_", "ssp_after_")) for hook in info.hooks)

    def test_registers_beside_every_installed_plugin(self) -> None:
        """With every installed plugin: no clash of ids, every age has one card, no breach.

        Building the registry checks clashes, namespaces and card coverage per
        municipality; then no plugin under test names another municipality's ids.
        """
        try:
            registry = self.registry(beside_installed=True)
        except SspError as exc:
            pytest.fail(
                f"the plugin does not load beside the installed plugins "
                f"({', '.join(self._installed()) or 'none'}): {exc}"
            )
        under_test = self._under_test()
        problems = [p for name in under_test for p in wall_problems(registry, name)]
        if problems:
            pytest.fail("\n".join(problems))

    def test_workflows_survive_random_use(self, contract_registry: Registry) -> None:
        """Every workflow the plugin contributes passes the stateful workflow test.

        Templates are left out: no case is opened on one; the workflows made from it
        run here with all its parts. A workflow pinned to an older version of the one it
        extends passes, with a :class:`NewerTemplateWarning`.
        """
        names = self._names(contract_registry)
        keys = {
            key
            for name in names
            for key in contract_registry.contributions_of(name).get("workflow", [])
        }
        for key in sorted(keys):
            definition = contract_registry.workflows[key]
            newer = contract_registry.newer_base(definition)
            if newer is not None:
                warnings.warn(
                    f"{definition.name} extends {definition.extends.id}@"  # type: ignore[union-attr]
                    f"{definition.extends.version}, and {newer.name} exists: to follow it, "  # type: ignore[union-attr]
                    f"register version {definition.version + 1} extending it",
                    NewerTemplateWarning,
                    stacklevel=1,
                )
            if not definition.template:
                run_workflow_machine(contract_registry, definition, max_examples=25, steps=30)
