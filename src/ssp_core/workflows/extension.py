"""Workflows that extend workflows, as data: a card made from the national template.

A :class:`WorkflowExtension` names the workflow version it extends (pinned: a newer
version of that workflow changes nothing here until the extension names it) and
says what is different: parts it adds, replaces or removes, roles it renames, and
its own labels, applicability and subjects. :func:`extend` applies it to the
definition it extends and returns an ordinary
:class:`~ssp_core.workflows.definition.WorkflowDefinition`, which the registry then
validates like any other; the result's ``origins`` say where each part came from.

The parts are keyed as a definition keys them: states, facts and guards by id,
transitions by trigger (every transition with that trigger), deadlines by their
key (:attr:`~ssp_core.workflows.definition.DeadlineRule.key`). Adding a part the
base already has, or replacing or removing one it does not have, is an error that
says which section to use instead. Nothing here is evaluated as code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.people import SubjectKind
from ssp_core.domain.validators import identifier
from ssp_core.exceptions import ExtensionProblems
from ssp_core.workflows.definition import (
    Applicability,
    DeadlineRule,
    FactSpec,
    GuardSpec,
    MigrationSpec,
    StateSpec,
    TransitionSpec,
    Versioned,
    WorkflowDefinition,
    WorkflowRef,
)

__all__ = [
    "PART_KINDS",
    "Parts",
    "Placement",
    "Removals",
    "WorkflowExtension",
    "extend",
    "resolve_extensions",
]

PART_KINDS: tuple[str, ...] = ("states", "transitions", "facts", "guards", "deadlines")
"""The kinds of part an extension adds, replaces or removes, as the data files name them."""

_SINGULAR = {
    "states": "state",
    "transitions": "transition",
    "facts": "fact",
    "guards": "guard",
    "deadlines": "deadline",
}


def _part_key(kind: str, item: Any) -> str:
    if kind == "transitions":
        return str(item.trigger)
    if kind == "deadlines":
        return str(item.key)
    return str(item.id)


@attrs.frozen
class Parts:
    """States, transitions, facts, guards and deadlines that an extension adds or replaces.

    :ivar states: states, as ``[[add.states]]`` or ``[[replace.states]]`` tables written as
        ``[[states]]`` in a whole workflow; keyed by ``id``. Default none.
    :ivar transitions: transitions, as ``[[add.transitions]]`` or ``[[replace.transitions]]``
        tables written as ``[[transitions]]`` in a whole workflow; keyed by ``trigger``.
        Default none.
    :ivar facts: facts, as ``[[add.facts]]`` or ``[[replace.facts]]`` tables written as
        ``[[facts]]`` in a whole workflow; keyed by ``id``. Default none.
    :ivar guards: declared guards, as ``[[add.guards]]`` or ``[[replace.guards]]`` tables
        written as ``[[guards]]`` in a whole workflow; keyed by ``id``. Default none.
    :ivar deadlines: deadlines, as ``[[add.deadlines]]`` or ``[[replace.deadlines]]`` tables
        written as ``[[deadlines]]``; keyed by ``id``, else ``fact``, else ``state``. Default
        none.
    """

    states: tuple[StateSpec, ...] = attrs.field(default=(), converter=tuple)
    transitions: tuple[TransitionSpec, ...] = attrs.field(default=(), converter=tuple)
    facts: tuple[FactSpec, ...] = attrs.field(default=(), converter=tuple)
    guards: tuple[GuardSpec, ...] = attrs.field(default=(), converter=tuple)
    deadlines: tuple[DeadlineRule, ...] = attrs.field(default=(), converter=tuple)

    def of(self, kind: str) -> tuple[Any, ...]:
        """Return the parts of ``kind`` (one of :data:`PART_KINDS`)."""
        found: tuple[Any, ...] = getattr(self, kind)
        return found


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class Removals:
    """Parts an extension removes: state, fact and guard ids, triggers, deadline keys.

    :ivar states: an array of ids of the base's states to remove; default none.
    :ivar transitions: an array of the base's triggers to remove: every transition with that
        trigger goes. Default none.
    :ivar facts: an array of ids of the base's facts to remove; default none.
    :ivar guards: an array of ids of the guards the base declares, to remove; default none.
    :ivar deadlines: an array of keys of the base's deadlines to remove (a deadline's ``id``,
        else its ``fact``, else its ``state``); default none.
    """

    states: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    transitions: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    facts: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    guards: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    deadlines: tuple[str, ...] = attrs.field(default=(), converter=_ids)

    def of(self, kind: str) -> tuple[str, ...]:
        """Return the keys of ``kind`` (one of :data:`PART_KINDS`) to remove."""
        found: tuple[str, ...] = getattr(self, kind)
        return found


@attrs.frozen
class Placement:
    """Where an added part goes: just ``before`` or ``after`` a part of the same kind.

    Without a placement an added part comes after the others of its kind. Only the
    order in which parts are shown depends on it (``ssp workflows show``, diagrams).

    :ivar kind: the kind of part placed: ``states``, ``transitions``, ``facts``, ``guards`` or
        ``deadlines``.
    :ivar key: the key of the part placed, one this extension adds under ``[add]``: a state's,
        fact's or guard's id, a transition's trigger or a deadline's key.
    :ivar before: the key of a part of the same kind to put it just before: the base's (not
        removed) or one added above it; give ``before`` or ``after``, not both.
    :ivar after: the key of a part of the same kind to put it just after: the base's (not
        removed) or one added above it; give ``before`` or ``after``, not both.
    """

    kind: Literal["states", "transitions", "facts", "guards", "deadlines"]
    key: str
    before: str | None = None
    after: str | None = None


def _subject_kinds(value: Iterable[SubjectKind | str] | None) -> tuple[SubjectKind, ...] | None:
    return None if value is None else tuple(SubjectKind(kind) for kind in value)


def _role_map(
    value: Mapping[str, str | Sequence[str]] | Iterable[tuple[str, Sequence[str]]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple((old, _ids(new)) for old, new in pairs)


@attrs.frozen
class WorkflowExtension(Versioned):
    """A workflow version made from another: what it adds, replaces, removes and renames.

    ``extends`` pins the workflow version it is made from. ``rename_roles`` renames the
    roles the parts name (a template's ``consultant`` to ``aalborg.ssp_consultant``;
    one role may become several). ``labels``, ``description``, ``initial``,
    ``subjects``, ``applies_to`` and ``sessions_in`` replace the base's when given.
    ``migrations`` are this workflow's own (from its older versions); the base's are
    not inherited. ``template`` makes the result a template too.

    :ivar id: its own id, an identifier of lower-case letters, digits and ``_``, parts joined
        by ``.`` or ``-``, e.g. ``vesthavn.radicalisation_under_18``.
    :ivar version: its own version, a whole number from 1; ``id@version`` must be unique
        across all plugins.
    :ivar extends: the workflow version it is made from, written
        ``extends = { id = "…", version = N }``: a workflow or extension some plugin
        registers. A file with this key is read as an extension.
    :ivar labels: the result's name, ``{ da = "…", en = "…" }``; left out: the base's.
    :ivar description: the result's longer text, ``{ da = "…", en = "…" }``; left out: the
        base's.
    :ivar initial: the id of the state the result's cases start in; left out: the base's.
    :ivar subjects: what the result's cases may be about, an array of ``person``, ``group``,
        ``environment`` and ``unnamed``; left out or empty: the base's.
    :ivar applies_to: the result's ``[applies_to]`` table (``situation``, ``age_band``); left
        out: the base's.
    :ivar sessions_in: an array of the ids of the states in which sessions may be recorded;
        left out: the base's; an empty array: none.
    :ivar rename_roles: a ``[rename_roles]`` table mapping a role id to a role id or an array
        of them, e.g. ``consultant = "vesthavn.ssp_consultant"``: every transition and fact
        of the result that names it names the new role(s) instead. Left out: none; renaming a
        role no part names is an error.
    :ivar add: new parts, as ``[[add.states]]``, ``[[add.transitions]]``, ``[[add.facts]]``,
        ``[[add.guards]]`` and ``[[add.deadlines]]`` tables, each optionally with
        ``before = "<key>"`` or ``after = "<key>"`` (a placement). Left out: none; a key the
        base has and this does not remove is an error.
    :ivar replace: parts written out whole in place of the base's with the same key, as
        ``[[replace.states]]``, ``[[replace.transitions]]``, ... tables. Left out: none; a key
        the base lacks is an error.
    :ivar remove: a ``[remove]`` table of arrays of keys of the base's parts to leave out:
        ``states``, ``transitions`` (triggers), ``facts``, ``guards`` and ``deadlines``. Left
        out: none.
    :ivar placements: where added parts go, as ``[[placements]]`` tables (``kind``, ``key``,
        ``before`` or ``after``); usually written instead as ``before``/``after`` on an
        ``[add]`` item, which becomes a placement here. An added part without one comes last.
    :ivar migrations: how running cases of its own older versions move to this one, as
        ``[[migrations]]`` tables (``from_version``, ``states``); default none (the base's are
        not inherited).
    :ivar template: ``true`` makes the result a template, on which no case is opened; default
        ``false``, also when the base is a template.
    """

    id: str = attrs.field(validator=identifier)
    version: int = attrs.field(validator=attrs.validators.ge(1))
    extends: WorkflowRef
    labels: Labels | None = None
    description: Labels | None = None
    initial: str | None = None
    subjects: tuple[SubjectKind, ...] | None = attrs.field(default=None, converter=_subject_kinds)
    applies_to: Applicability | None = None
    sessions_in: tuple[str, ...] | None = None
    rename_roles: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(
        default=(), converter=_role_map
    )
    add: Parts = Parts()
    replace: Parts = Parts()
    remove: Removals = Removals()
    placements: tuple[Placement, ...] = ()
    migrations: tuple[MigrationSpec, ...] = ()
    template: bool = False


def _listing(keys: Iterable[str]) -> str:
    return ", ".join(keys) or "none"


@attrs.define
class _Merge:
    """The merging of one kind of part: the base's parts, then the extension's changes."""

    kind: str
    base: WorkflowDefinition
    extension: WorkflowExtension
    problems: list[str]
    origins: dict[str, str]

    def run(self) -> tuple[Any, ...]:
        kind, one = self.kind, _SINGULAR[self.kind]
        base_items: tuple[Any, ...] = getattr(self.base, kind)
        keys = list(dict.fromkeys(_part_key(kind, item) for item in base_items))
        has = f"{self.base.name} has: {_listing(keys)}"
        removed = set(self.extension.remove.of(kind))
        for key in self.extension.remove.of(kind):
            if key not in keys:
                self.problems.append(f"removes {one} {key!r}, which {self.base.name} lacks ({has})")
        replaced: dict[str, list[Any]] = {}
        for item in self.extension.replace.of(kind):
            replaced.setdefault(_part_key(kind, item), []).append(item)
        for key in replaced:
            if key not in keys:
                self.problems.append(
                    f"replaces {one} {key!r}, which {self.base.name} lacks ({has}); "
                    f"to add it, put it under [[add.{kind}]]"
                )
            elif key in removed:
                self.problems.append(f"both replaces and removes {one} {key!r}; keep one")
        replacing = set(replaced)
        merged: list[tuple[str, Any]] = []
        for item in base_items:
            key = _part_key(kind, item)
            if key in removed:
                continue
            if (
                key in replacing
            ):  # every part with the key goes; the new ones take the first's place
                if key in replaced:
                    merged.extend((key, new) for new in replaced.pop(key))
                    self.origins.pop(f"{one} {key}", None)
                continue
            merged.append((key, item))
            self.origins.setdefault(f"{one} {key}", self.base.origin(f"{one} {key}"))
        for item in self.extension.add.of(kind):
            key = _part_key(kind, item)
            if key in keys and key not in removed:
                self.problems.append(
                    f"adds {one} {key!r}, which {self.base.name} already has; "
                    f"to change it, put it under [[replace.{kind}]]"
                )
                continue
            merged.insert(self._position(merged, key), (key, item))
        return tuple(item for _, item in merged)

    def _position(self, merged: list[tuple[str, Any]], key: str) -> int:
        one = _SINGULAR[self.kind]
        for place in self.extension.placements:
            if place.kind != self.kind or place.key != key:
                continue
            anchor = place.before if place.before is not None else place.after
            at = [i for i, (k, _) in enumerate(merged) if k == anchor]
            if not at:
                known = _listing(dict.fromkeys(k for k, _ in merged))
                self.problems.append(
                    f"places {one} {key!r} {'before' if place.before else 'after'} "
                    f"{one} {anchor!r}, which it does not have (it has: {known})"
                )
                break
            return at[0] if place.before is not None else at[-1] + 1
        return len(merged)


def _renamed(
    roles: tuple[str, ...], mapping: Mapping[str, tuple[str, ...]], used: set[str]
) -> tuple[str, ...]:
    out: list[str] = []
    for role in roles:
        if role in mapping:
            used.add(role)
            out.extend(mapping[role])
        else:
            out.append(role)
    return tuple(dict.fromkeys(out))


def _rename_roles(
    definition: WorkflowDefinition,
    extension: WorkflowExtension,
    problems: list[str],
) -> WorkflowDefinition:
    mapping = dict(extension.rename_roles)
    if not mapping:
        return definition
    used: set[str] = set()
    transitions = tuple(
        attrs.evolve(t, roles=_renamed(t.roles, mapping, used)) for t in definition.transitions
    )
    facts = tuple(attrs.evolve(f, roles=_renamed(f.roles, mapping, used)) for f in definition.facts)
    named = sorted(
        {r for t in definition.transitions for r in t.roles}
        | {r for f in definition.facts for r in f.roles}
    )
    problems.extend(
        f"renames role {old!r}, which no part names (they name: {_listing(named)})"
        for old in mapping
        if old not in used
    )
    return attrs.evolve(definition, transitions=transitions, facts=facts)


def extend(base: WorkflowDefinition, extension: WorkflowExtension) -> WorkflowDefinition:
    """Return the definition ``extension`` makes of ``base``.

    :raises ExtensionProblems: the extension does not fit ``base`` (each problem says
        what was wrong and which section to use instead). Whether the result is a
        sound workflow is checked afterwards, like any definition's.
    """
    if base.key != (extension.extends.id, extension.extends.version):
        raise ValueError(f"{extension.name} extends {extension.extends.name}, not {base.name}")
    problems: list[str] = []
    origins: dict[str, str] = {}
    parts = {kind: _Merge(kind, base, extension, problems, origins).run() for kind in PART_KINDS}
    for place in extension.placements:
        added = {_part_key(place.kind, item) for item in extension.add.of(place.kind)}
        if place.key not in added:
            problems.append(
                f"places {_SINGULAR[place.kind]} {place.key!r}, which it does not add "
                f"(it adds: {_listing(sorted(added))})"
            )
        if (place.before is None) == (place.after is None):
            problems.append(
                f"places {_SINGULAR[place.kind]} {place.key!r}: give exactly one of "
                "before and after"
            )
    made = WorkflowDefinition(
        id=extension.id,
        version=extension.version,
        kind=base.kind,
        labels=extension.labels or base.labels,
        initial=extension.initial or base.initial,
        states=parts["states"],
        transitions=parts["transitions"],
        facts=parts["facts"],
        guards=parts["guards"],
        deadlines=parts["deadlines"],
        subjects=extension.subjects or base.subjects,
        applies_to=extension.applies_to or base.applies_to,
        sessions_in=base.sessions_in if extension.sessions_in is None else extension.sessions_in,
        description=extension.description or base.description,
        migrations=extension.migrations,
        template=extension.template,
        extends=extension.extends,
        origins=tuple(origins.items()),
    )
    made = _rename_roles(made, extension, problems)
    if problems:
        raise ExtensionProblems(problems)
    return made


def _missing_base(
    extension: WorkflowExtension, contributed: Mapping[str, Any], versions: dict[str, list[int]]
) -> str | None:
    """Say what is missing if no plugin registers the version ``extension`` extends."""
    ref = extension.extends
    if ref.name in contributed:
        return None
    registered = versions.get(ref.id)
    if registered:
        have = f"registered versions of {ref.id}: {_listing(str(v) for v in sorted(registered))}"
    else:
        have = f"registered workflows: {_listing(sorted(versions))}"
    return f"extends {ref.name}, which no plugin registers ({have})"


def resolve_extensions(
    contributed: Mapping[str, WorkflowDefinition | WorkflowExtension],
) -> tuple[dict[str, WorkflowDefinition], dict[str, list[str]]]:
    """Turn every extension among ``contributed`` (by ``id@version``) into a definition.

    Returns the definitions by name and, by name, the problems of each extension that
    could not be made (a base no plugin registers, a cycle, parts that do not fit).
    An extension may extend another extension; each is made once.
    """
    made: dict[str, WorkflowDefinition] = {}
    problems: dict[str, list[str]] = {}
    versions: dict[str, list[int]] = {}
    for item in contributed.values():
        versions.setdefault(item.id, []).append(item.version)

    def make(name: str, seen: tuple[str, ...]) -> WorkflowDefinition | None:
        item = contributed[name]
        if isinstance(item, WorkflowDefinition):
            made[name] = item
        elif name not in made and name not in problems:
            try:
                made[name] = extend(base_of(item, (*seen, name)), item)
            except ExtensionProblems as exc:
                problems.setdefault(name, exc.problems)
        return made.get(name)

    def base_of(item: WorkflowExtension, seen: tuple[str, ...]) -> WorkflowDefinition:
        missing = _missing_base(item, contributed, versions)
        if missing is not None:
            raise ExtensionProblems([missing])
        if item.extends.name in seen:
            raise ExtensionProblems(
                [f"extends itself through {' -> '.join((*seen, item.extends.name))}"]
            )
        base = make(item.extends.name, seen)
        if base is None:
            raise ExtensionProblems([f"extends {item.extends.name}, which could not be made"])
        return base

    for name in contributed:
        make(name, ())
    return {name: made[name] for name in contributed if name in made}, problems
