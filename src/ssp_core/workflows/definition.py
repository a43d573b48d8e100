"""Workflow definitions: action cards and prevention tracks as plain, versioned data.

A :class:`WorkflowDefinition` says which states a case can be in, which triggers
move it, who may fire them, which recorded facts must be present first (guards),
and which deadlines run in a state. It contains no code; a definition loads from
Python or from TOML (:mod:`ssp_core.loading`) and is validated when it is
registered (:mod:`ssp_core.workflows.validation`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from functools import cached_property

import attrs

from ssp_core.domain.concerns import Source
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import SubjectKind
from ssp_core.domain.validators import identifier
from ssp_core.exceptions import DataError

__all__ = [
    "Applicability",
    "DeadlineRule",
    "FactSpec",
    "GuardSpec",
    "Instruction",
    "MigrationSpec",
    "StateSpec",
    "TransitionSpec",
    "Versioned",
    "WorkflowDefinition",
    "WorkflowKind",
    "WorkflowRef",
]


class WorkflowKind(StrEnum):
    """What a workflow is for."""

    ACTION_CARD = "action_card"
    PREVENTION_TRACK = "prevention_track"
    SAFETY_WALK = "safety_walk"
    SAFETY_FINDING = "safety_finding"
    ADVICE_REQUEST = "advice_request"
    INITIATIVE_ACTIVITY = "initiative_activity"
    OTHER = "other"


def _sources(value: Iterable[Source]) -> tuple[Source, ...]:
    return tuple(value)


def _some_source(
    inst: object, attr: attrs.Attribute[tuple[Source, ...]], value: tuple[Source, ...]
) -> None:
    if not value:
        raise DataError(
            f"{type(inst).__name__}.{attr.name} must name at least one source "
            "(where the instruction's content comes from)"
        )


@attrs.frozen
class Instruction:
    """What to do at once while a case is in a state, e.g. "call the police on 112 now".

    It is shown to whoever sees the case in that state: when the case is opened there
    and with every option while it stays there (as a note with the code
    ``instruction``). It refuses nothing and decides nothing. ``sources`` say where its
    content comes from; at least one is required.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    sources: tuple[Source, ...] = attrs.field(converter=_sources, validator=_some_source)


@attrs.frozen
class StateSpec:
    """A state of a workflow; a final state ends the case.

    ``step`` optionally numbers the state in a national method, e.g. the three steps
    of the national assessment tool. ``instructions`` are shown while a case is in the
    state (never in a final one), e.g. what to do at once on an acute departure.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    final: bool = False
    step: int | None = None
    description: Labels | None = None
    instructions: tuple[Instruction, ...] = ()


def _tuple_of_ids(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@attrs.frozen
class TransitionSpec:
    """A trigger that moves a case from one of ``source`` to ``dest``.

    ``guards`` name conditions that must hold (all of them); ``roles`` list the roles
    allowed to fire it (empty: any role); ``requires_reason`` demands a written reason.
    """

    trigger: str = attrs.field(validator=identifier)
    source: tuple[str, ...] = attrs.field(converter=_tuple_of_ids)
    dest: str = attrs.field(validator=identifier)
    labels: Labels
    guards: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_ids)
    roles: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_ids)
    requires_reason: bool = False


@attrs.frozen
class FactSpec:
    """A fact people record on a case, e.g. "children's services notified (Barnets Lov § 133)".

    ``requires_detail`` demands a text with it (e.g. why parents were not involved);
    ``roles`` limits who may record it (empty: any role). An ``automatic`` fact is
    recorded only by the use case that does what it names (e.g. ``concern_opened``
    when a concern is opened from an advice request), never by hand, so a guard on it
    holds only once that happened.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    requires_detail: bool = False
    legal_basis: str | None = None
    roles: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_ids)
    automatic: bool = False


@attrs.frozen
class GuardSpec:
    """A named condition on a case, declared as data.

    It holds when every fact in ``all_of`` and at least one in ``any_of`` (if given)
    are recorded, the case is assigned (if ``assigned``), and at least
    ``min_sessions`` sessions are recorded. With ``under_age``, it asks this only of
    a case about a person younger than that on the concern date (a minor's
    voluntariness and the custody holder's involvement); for anyone else it holds.
    It never looks at worry signs.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    all_of: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_ids)
    any_of: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_ids)
    assigned: bool = False
    min_sessions: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    under_age: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )


@attrs.frozen
class DeadlineRule:
    """A deadline that starts when a case enters ``state``, e.g. within 2 business days.

    ``id`` names the rule in a case's due dates; it defaults to the state's id, so a
    state with more than one deadline must name them.

    Without ``fact``, the deadline runs while the case stays in ``state``. With
    ``fact`` (a fact deadline), it is met when that fact is recorded: it starts when
    the case enters ``state`` and runs on through the states that follow until the
    fact is recorded or the case is closed; it is named after the fact. A fact
    deadline makes a duty due (the notification to children's services when a
    concern comes in) without tying it to a step of the procedure.
    """

    state: str = attrs.field(validator=identifier)
    days: int = attrs.field(validator=attrs.validators.ge(0))
    labels: Labels
    business_days: bool = True
    id: str | None = attrs.field(default=None, validator=attrs.validators.optional(identifier))
    fact: str | None = attrs.field(default=None, validator=attrs.validators.optional(identifier))

    @property
    def key(self) -> str:
        """Return the rule's id, else the fact it waits for, else its state's id."""
        return self.id or self.fact or self.state


def _state_map(value: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(dict(value).items()))


@attrs.frozen
class MigrationSpec:
    """How running cases of an older version move to this one: old state id -> new state id.

    States not named keep their id if this version still has it; any other state
    cannot be migrated, and
    :meth:`ssp_core.application.migration.Migrations.plan_migration` says so.
    """

    from_version: int = attrs.field(validator=attrs.validators.ge(1))
    states: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_state_map)

    def target(self, state: str) -> str | None:
        """Return the state ``state`` maps to, if it is named here."""
        for old, new in self.states:
            if old == state:
                return new
        return None


@attrs.frozen
class Applicability:
    """When an action card applies: a situation and an age band (ids of registered data)."""

    situation: str = attrs.field(validator=identifier)
    age_band: str = attrs.field(validator=identifier)


class Versioned:
    """A workflow version's id and version, and the two names made of them."""

    __slots__ = ()
    id: str
    version: int

    @property
    def key(self) -> tuple[str, int]:
        """Return ``(id, version)``, which identifies the workflow version."""
        return (self.id, self.version)

    @property
    def name(self) -> str:
        """Return ``id@version``, as shown to users."""
        return f"{self.id}@{self.version}"


@attrs.frozen
class WorkflowRef(Versioned):
    """One version of a workflow, named by id and version, e.g. what an extension extends.

    The version is pinned: a newer version of the workflow named does not change
    what refers to this one.
    """

    id: str = attrs.field(validator=identifier)
    version: int = attrs.field(validator=attrs.validators.ge(1))


def _origins(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((part, origin) for part, origin in value)


@attrs.frozen
class WorkflowDefinition(Versioned):
    """One version of a workflow: states, transitions, facts, guards and deadlines.

    ``subjects`` says what its cases may be about; ``sessions_in`` lists the states
    in which sessions may be recorded (prevention tracks); ``applies_to`` makes an
    action card selectable by situation and age band.

    A ``template`` (e.g. the national model of an action card) is validated and shown
    like any workflow, but no case is opened on it: a municipality's workflow extends
    it (:class:`~ssp_core.workflows.extension.WorkflowExtension`). A definition made by
    extending another names it in ``extends``, and ``origins`` says where each of its
    parts came from (see :meth:`origin`).
    """

    id: str = attrs.field(validator=identifier)
    version: int = attrs.field(validator=attrs.validators.ge(1))
    kind: WorkflowKind
    labels: Labels
    initial: str
    states: tuple[StateSpec, ...]
    transitions: tuple[TransitionSpec, ...]
    facts: tuple[FactSpec, ...] = ()
    guards: tuple[GuardSpec, ...] = ()
    deadlines: tuple[DeadlineRule, ...] = ()
    subjects: tuple[SubjectKind, ...] = (SubjectKind.PERSON,)
    applies_to: Applicability | None = None
    sessions_in: tuple[str, ...] = ()
    description: Labels | None = None
    migrations: tuple[MigrationSpec, ...] = ()
    template: bool = False
    extends: WorkflowRef | None = None
    origins: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_origins, eq=False, repr=False
    )
    """``(part, workflow name)`` for each part that came from a workflow extended, e.g.
    ``("state received", "core.card_under_18@1")``; parts not named are this one's own."""

    def origin(self, part: str) -> str:
        """Return the name of the workflow ``part`` (e.g. ``"state received"``) came from.

        A part this definition declares itself (or that an extension added or
        replaced) is its own: the answer is its own ``name``.
        """
        for named, origin in self.origins:
            if named == part:
                return origin
        return self.name

    def state(self, state_id: str) -> StateSpec:
        """Return the state with ``state_id``; ``KeyError`` if there is none."""
        for state in self.states:
            if state.id == state_id:
                return state
        raise KeyError(state_id)

    def migration_from(self, version: int) -> MigrationSpec | None:
        """Return how cases of ``version`` migrate to this version, if it says so."""
        for migration in self.migrations:
            if migration.from_version == version:
                return migration
        return None

    def fact(self, fact_id: str) -> FactSpec:
        """Return the fact with ``fact_id``; ``KeyError`` if there is none."""
        for fact in self.facts:
            if fact.id == fact_id:
                return fact
        raise KeyError(fact_id)

    @cached_property
    def final_states(self) -> frozenset[str]:
        """Return the ids of the final states (worked out once per definition)."""
        return frozenset(state.id for state in self.states if state.final)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Return the distinct triggers in the order they are declared."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    def edges(self) -> Iterator[tuple[str, TransitionSpec]]:
        """Yield ``(source, transition)`` for every source of every transition."""
        for transition in self.transitions:
            for source in transition.source:
                yield source, transition
