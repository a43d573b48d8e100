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

    :ivar id: the instruction's id, an identifier unique within its state, e.g.
        ``acute_departure``.
    :ivar labels: the instruction's text, ``{ da = "…", en = "…" }`` (both required), shown
        while a case is in the state.
    :ivar sources: where its content comes from: an array of at least one table
        ``{ title = "…", publisher = "…", year = …, page = "…", url = "…" }``, of which only
        ``title`` is required.
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

    :ivar id: the state's id, an identifier unique in the workflow, e.g. ``received``; it is
        what ``initial``, transitions, deadlines, ``sessions_in`` and migrations name.
    :ivar labels: the state's name, ``{ da = "…", en = "…" }`` (both required).
    :ivar final: ``true`` for a state that ends the case: no transition may leave it and no
        deadline or instruction may be in it. Default ``false``; a workflow needs one or more.
    :ivar step: optional whole number that numbers the state in a national method (``1`` to
        ``3``: the steps of the national assessment tool); it is only shown with the state.
    :ivar description: optional longer text about the state, ``{ da = "…", en = "…" }``.
    :ivar instructions: what to do at once while a case is in the state, as
        ``[[states.instructions]]`` tables (:class:`~ssp_core.workflows.definition.Instruction`);
        default none; a final state may not have any.
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

    :ivar trigger: the name it is fired by, an identifier such as ``assess``; one trigger may
        be declared in several transitions, but only once from each state.
    :ivar source: the states it leaves from: an array of state ids of this workflow, none of
        them final; write an array also for one state (``source = ["received"]``).
    :ivar dest: the id of the state of this workflow it leads to.
    :ivar labels: the option's name, ``{ da = "…", en = "…" }`` (both required).
    :ivar guards: the guards that must all hold for it to fire: an array of ids of guards
        declared in ``[[guards]]`` or registered in code by a plugin; default none.
    :ivar roles: an array of the role ids that may fire it (roles registered by a plugin; in a
        template, placeholders an extension renames); empty (the default): any role.
    :ivar requires_reason: ``true``: it fires only with a written reason. Default ``false``.
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

    :ivar id: the fact's id, an identifier unique in the workflow, e.g.
        ``children_services_notified``; guards and fact deadlines name it.
    :ivar labels: what the fact says, ``{ da = "…", en = "…" }`` (both required).
    :ivar requires_detail: ``true``: it is recorded only with a text, e.g. why parents were
        not involved. Default ``false``.
    :ivar legal_basis: optional free text naming the law behind it, e.g.
        ``"Barnets Lov § 133"``; it is shown with the fact (not a registered legal basis's id).
    :ivar roles: an array of the role ids that may record it (roles registered by a plugin; in
        a template, placeholders an extension renames); empty (the default): any role.
    :ivar automatic: ``true``: recorded only by the code that does what it names (the core's
        ``concern_opened`` and ``took_place``), and refused by hand. Default ``false``.
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

    :ivar id: the guard's id, an identifier unique in the workflow, e.g. ``parents_informed``;
        transitions name it in their ``guards``.
    :ivar labels: shown as what is missing when the guard does not hold,
        ``{ da = "…", en = "…" }`` (both required).
    :ivar all_of: an array of ids of this workflow's facts that must all be recorded; default
        none.
    :ivar any_of: an array of ids of this workflow's facts of which at least one must be
        recorded; empty (the default): no such condition.
    :ivar assigned: ``true``: the case must have an assignee. Default ``false``.
    :ivar min_sessions: the fewest sessions that must be recorded on the case, a whole number
        0 or more; default ``0``.
    :ivar under_age: optional age in whole years (1 or more): the guard then asks its
        conditions only of a case about a person younger than that on the concern date and
        holds for any other case (also one without an age). Left out: it asks every case.
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

    :ivar state: the id of the state of this workflow in which it starts (when a case enters
        it); not a final state.
    :ivar days: how many days after the date the case enters ``state`` it is due (that day
        not counted), a whole number 0 or more.
    :ivar labels: what is due, ``{ da = "…", en = "…" }`` (both required), shown with the
        due date.
    :ivar business_days: ``true`` (the default): ``days`` are business days (by default
        Danish: weekdays that are not public holidays); ``false``: calendar days.
    :ivar id: optional identifier naming the rule; left out, it is named after its ``fact``,
        else its ``state``. Names must be unique, and only a fact deadline bears a fact's id.
    :ivar fact: optional id of a fact of this workflow: the deadline is then met when the fact
        is recorded and runs on through the states that follow until then or until the case
        closes; its ``id``, if given, must be the fact's.
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

    :ivar from_version: the older version of this workflow whose cases it moves, a whole
        number from 1 and below this version; at most one table per version.
    :ivar states: a table mapping an old state id to a state id of this version, e.g.
        ``states = { assessment = "analysis" }``; default empty. A state not named keeps its
        id if this version has it; otherwise a case in it cannot be migrated.
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
    """When an action card applies: a situation and an age band (ids of registered data).

    :ivar situation: the id of a situation registered by a plugin, e.g.
        ``aalborg.radicalisation``.
    :ivar age_band: the id of an age band registered by a plugin, e.g. ``aalborg.under_18``;
        a municipality's newest cards for one situation must give every age from 0 up
        exactly one card.
    """

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

    :ivar id: the id of the workflow named, e.g. ``core.radicalisation_under_18``.
    :ivar version: the version named, a whole number from 1; some plugin must register it.
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

    :ivar id: the workflow's id, an identifier of lower-case letters, digits and ``_``, parts
        joined by ``.`` or ``-``, usually prefixed with the municipality: ``aalborg.mentor``.
    :ivar version: the version, a whole number from 1; ``id@version`` must be unique across
        all plugins, and a case stays on the version it was opened on.
    :ivar kind: what it is for: ``action_card``, ``prevention_track`` or ``other``, or a kind
        of the core's own workflows: ``safety_walk``, ``safety_finding``, ``advice_request``
        or ``initiative_activity``.
    :ivar labels: the workflow's name, ``{ da = "…", en = "…" }`` (both required).
    :ivar initial: the id of the state of this workflow every case starts in; not final.
    :ivar states: the states, as ``[[states]]`` tables; ids unique, one or more final, each
        reachable from ``initial`` and, unless final, with a way on to a final state.
    :ivar transitions: the transitions, as ``[[transitions]]`` tables.
    :ivar facts: the facts people record on a case, as ``[[facts]]`` tables; default none.
    :ivar guards: the guards declared as data, as ``[[guards]]`` tables; default none
        (guards registered in code by a plugin need no table).
    :ivar deadlines: the deadlines, as ``[[deadlines]]`` tables; default none.
    :ivar subjects: what its cases may be about: a non-empty array of ``person``, ``group``,
        ``environment`` and ``unnamed`` (no one named: an advice request); default
        ``["person"]``.
    :ivar applies_to: for an action card, the ``[applies_to]`` table (``situation``,
        ``age_band``) by which a concern selects it; left out, no concern selects it by them.
    :ivar sessions_in: an array of the ids of the states of this workflow in which sessions
        may be recorded, e.g. ``["active"]``; default none: no sessions can be recorded.
    :ivar description: optional longer text about the workflow, ``{ da = "…", en = "…" }``.
    :ivar migrations: how running cases of its older versions move to this one, as
        ``[[migrations]]`` tables (``from_version``, ``states``); default none.
    :ivar template: ``true`` for a template: validated and shown, its roles not checked (an
        extension renames them), but no case is opened on it. Default ``false``.
    :ivar extends: not written in a file (a file with ``extends`` is read as an extension):
        on a definition made from an extension, the workflow version it was made from.
    :ivar origins: not written in a file: set when an extension is made, as
        ``(part, workflow name)`` pairs for the parts that came from a workflow extended; only
        how parts are marked when shown depends on it.
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
