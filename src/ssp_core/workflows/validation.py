"""Checks on workflow definitions: what makes a definition unusable, in plain words.

:func:`definition_problems` checks a definition on its own and against what the
registry knows (guards implemented in code, roles, situations, age bands). The
registry raises a :class:`~ssp_core.exceptions.ConfigError` naming the definition
and its plugin when the list is not empty.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Collection, Iterable

from ssp_core.workflows.definition import WorkflowDefinition

__all__ = ["definition_problems", "reachable_from"]


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(item for item, count in Counter(ids).items() if count > 1)


def reachable_from(definition: WorkflowDefinition, start: str) -> set[str]:
    """Return the states reachable from ``start`` (itself included), ignoring guards."""
    successors: dict[str, set[str]] = {}
    for source, transition in definition.edges():
        successors.setdefault(source, set()).add(transition.dest)
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in successors.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _structure(definition: WorkflowDefinition) -> list[str]:
    found: list[str] = []
    state_ids = [state.id for state in definition.states]
    states = set(state_ids)
    finals = definition.final_states
    found.extend(f"state {dup!r} is declared more than once" for dup in _duplicates(state_ids))
    if not states:
        found.append("it declares no states")
    if definition.initial not in states:
        found.append(f"initial state {definition.initial!r} is not a declared state")
    elif definition.initial in finals:
        found.append(f"initial state {definition.initial!r} is final, so a case could never move")
    if not finals:
        found.append("it declares no final state, so no case could ever be closed")
    pairs: Counter[tuple[str, str]] = Counter()
    for source, transition in definition.edges():
        pairs[(transition.trigger, source)] += 1
        if source not in states:
            found.append(
                f"transition {transition.trigger!r} starts in unknown state {source!r} "
                f"({_declared('states', state_ids)})"
            )
        elif source in finals:
            found.append(f"transition {transition.trigger!r} leaves final state {source!r}")
    for transition in definition.transitions:
        if not transition.source:
            found.append(f"transition {transition.trigger!r} has no source state")
        if transition.dest not in states:
            found.append(
                f"transition {transition.trigger!r} leads to unknown state {transition.dest!r} "
                f"({_declared('states', state_ids)})"
            )
    found.extend(
        f"trigger {trigger!r} is declared twice from state {source!r}; make one transition of it"
        for (trigger, source), count in sorted(pairs.items())
        if count > 1
    )
    return found


def _declared(what: str, ids: Iterable[str]) -> str:
    """Return ``what`` the workflow declares, for a message about an unknown one."""
    return f"its {what}: {', '.join(dict.fromkeys(ids)) or 'none'}"


def _graph(definition: WorkflowDefinition) -> list[str]:
    states = {state.id for state in definition.states}
    finals = definition.final_states
    if definition.initial not in states:
        return []
    found: list[str] = []
    reachable = reachable_from(definition, definition.initial)
    found.extend(
        f"state {state.id!r} cannot be reached from the initial state {definition.initial!r}"
        for state in definition.states
        if state.id not in reachable
    )
    sources = {source for source, _ in definition.edges()}
    for state in definition.states:
        if state.final:
            continue
        if state.id not in sources:
            found.append(
                f"state {state.id!r} is a dead end: it is not final and no transition leaves it"
            )
        elif not reachable_from(definition, state.id) & finals:
            found.append(f"no final state can be reached from state {state.id!r}")
    return found


def _references(
    definition: WorkflowDefinition,
    known_guards: Collection[str],
    known_roles: Collection[str] | None,
) -> list[str]:
    found: list[str] = []
    states = {state.id: None for state in definition.states}  # declared order
    fact_ids = [fact.id for fact in definition.facts]
    guard_ids = [guard.id for guard in definition.guards]
    found.extend(f"fact {dup!r} is declared more than once" for dup in _duplicates(fact_ids))
    found.extend(f"guard {dup!r} is declared more than once" for dup in _duplicates(guard_ids))
    available = set(guard_ids) | set(known_guards)
    known = ", ".join(sorted(available)) or "none"
    found.extend(
        f"transition {transition.trigger!r} names unknown guard {guard!r} (known: {known})"
        for transition in definition.transitions
        for guard in transition.guards
        if guard not in available
    )
    found.extend(
        f"guard {spec.id!r} names unknown fact {fact!r} ({_declared('facts', fact_ids)})"
        for spec in definition.guards
        for fact in (*spec.all_of, *spec.any_of)
        if fact not in fact_ids
    )
    for rule in definition.deadlines:
        if rule.state not in states:
            found.append(
                f"a deadline names unknown state {rule.state!r} "
                f"({_declared('states', list(states))})"
            )
        elif rule.state in definition.final_states:
            found.append(f"a deadline runs in final state {rule.state!r}")
        if rule.fact is not None:
            if rule.fact not in fact_ids:
                found.append(
                    f"deadline {rule.key!r} waits for unknown fact {rule.fact!r} "
                    f"({_declared('facts', fact_ids)})"
                )
            if rule.id is not None and rule.id != rule.fact:
                found.append(
                    f"deadline {rule.id!r} waits for fact {rule.fact!r}: its id must be the "
                    "fact's, or none"
                )
        elif rule.key in fact_ids:
            found.append(
                f"deadline {rule.key!r} is named after a fact but does not wait for it "
                f"(recording the fact would end it): rename it, or set fact = {rule.key!r}"
            )
    found.extend(
        f"deadline {dup!r} is declared more than once (give the deadlines of a state their own id)"
        for dup in _duplicates(rule.key for rule in definition.deadlines)
    )
    for migration in definition.migrations:
        if migration.from_version >= definition.version:
            found.append(
                f"a migration from version {migration.from_version} must come from an older "
                f"version than {definition.version}"
            )
        found.extend(
            f"migration from version {migration.from_version} maps {old!r} to unknown state {new!r}"
            for old, new in migration.states
            if new not in states
        )
    found.extend(
        f"migrations from version {dup} are declared more than once"
        for dup in _duplicates(str(m.from_version) for m in definition.migrations)
    )
    found.extend(_instructions(definition))
    found.extend(
        f"sessions_in names unknown state {state!r} ({_declared('states', list(states))})"
        for state in definition.sessions_in
        if state not in states
    )
    if not definition.subjects:
        found.append("it allows no kind of subject")
    if known_roles is not None:
        found.extend(_roles(definition, set(known_roles)))
    return found


def _instructions(definition: WorkflowDefinition) -> list[str]:
    found = [
        f"state {state.id!r} is final, so its instruction {instruction.id!r} would never be "
        "shown (instructions are shown while a case is in a state that is not final)"
        for state in definition.states
        if state.final
        for instruction in state.instructions
    ]
    found.extend(
        f"instruction {dup!r} is declared more than once in state {state.id!r}"
        for state in definition.states
        for dup in _duplicates(instruction.id for instruction in state.instructions)
    )
    return found


def _roles(definition: WorkflowDefinition, roles: set[str]) -> list[str]:
    known = f"known roles: {', '.join(sorted(roles)) or 'none'}"
    if definition.extends is not None:
        known += (
            f"; to give a role of {definition.extends.name} another name, map it in [rename_roles]"
        )
    found = [
        f"transition {transition.trigger!r} requires unknown role {role!r} ({known})"
        for transition in definition.transitions
        for role in transition.roles
        if role not in roles
    ]
    found.extend(
        f"fact {fact.id!r} requires unknown role {role!r} ({known})"
        for fact in definition.facts
        for role in fact.roles
        if role not in roles
    )
    return found


def definition_problems(
    definition: WorkflowDefinition,
    *,
    known_guards: Collection[str] = (),
    known_roles: Collection[str] | None = None,
) -> list[str]:
    """Return every problem that makes ``definition`` unusable; empty if it is sound.

    Checked: unknown or duplicate states, facts and guards; a missing or final initial
    state; transitions from final states or ambiguous ones (a trigger twice from one
    state); unreachable states; non-final dead ends and states from which no final
    state can be reached; deadlines in unknown or final states; instructions in a
    final state or declared twice in one state; and, when
    ``known_roles`` is given, roles that no plugin registered. ``known_guards`` are
    guards implemented in code by plugins.
    """
    return [
        *_structure(definition),
        *_graph(definition),
        *_references(definition, known_guards, known_roles),
    ]
