"""The routes of a machine: its transitions read once, followed without its dispatch.

``machine.events[trigger].trigger(model, *args)`` is general: it wraps the call in a
partial and an ``EventData``, looks the model's state up, runs the machine's, the
transition's and the states' callbacks, logs at every step and sets the model's
attribute. A workflow's machine is built by the engine with none of those callbacks
(:func:`~ssp_core.workflows.engine.build_machine`): all a trigger does there is try
the transitions from the source in the order the machine holds them, take the first
whose conditions all give their target (``predicate(*args) == target``, exactly as
``transitions.Condition.check`` compares), and name its destination.

:func:`routes` reads that table from the machine once. A machine that has any
callback, a queue, a condition named by a string, or ``send_event`` is refused
(``None``): the engine then calls the machine's trigger as it is. The property test
``tests/workflows/test_routes.py`` checks that following the routes and triggering
the machine agree on every workflow, state, trigger and guard outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine, Transition

__all__ = ["Route", "follow", "routes"]

Route = tuple[tuple[tuple[Callable[..., Any], bool], ...], str | None]
"""One transition from a source: its conditions as (predicate, target), and its destination.

A destination of ``None`` is an internal transition: the state stays.
"""

_MACHINE_CALLBACKS = (
    "prepare_event",
    "before_state_change",
    "after_state_change",
    "finalize_event",
    "on_exception",
    "on_final",
)


def _plain(machine: Machine) -> bool:
    """Tell whether a trigger on ``machine`` does nothing but choose a destination."""
    if machine.send_event or machine.has_queue:
        return False
    if any(getattr(machine, name) for name in _MACHINE_CALLBACKS):
        return False
    for state in machine.states.values():
        if state.on_enter or state.on_exit or getattr(state, "on_final", None):
            return False
    for event in machine.events.values():
        for transitions in event.transitions.values():
            for transition in transitions:
                if transition.prepare or transition.before or transition.after:
                    return False
                if any(not callable(condition.func) for condition in transition.conditions):
                    return False
    return True


def routes(machine: Machine) -> dict[tuple[str, str], tuple[Route, ...]] | None:
    """Return the routes by (source, trigger) of a machine without callbacks, else ``None``."""
    if not _plain(machine):
        return None
    return {
        (source, trigger): tuple((_conditions(t), t.dest) for t in transitions)
        for trigger, event in machine.events.items()
        for source, transitions in event.transitions.items()
    }


def _conditions(transition: Transition) -> tuple[tuple[Callable[..., Any], bool], ...]:
    """Return a transition's conditions as (predicate, target); each is callable (checked)."""
    found = []
    for condition in transition.conditions:
        func = condition.func
        if isinstance(func, str):  # pragma: no cover - refused by _plain first
            raise TypeError(func)
        found.append((func, condition.target))
    return tuple(found)


def follow(found: tuple[Route, ...], source: str, *args: Any) -> str | None:
    """Return the destination of the first route whose conditions all hold, else ``None``.

    ``args`` are what the machine's trigger would pass to each condition.
    """
    for conditions, dest in found:
        for predicate, target in conditions:
            if not predicate(*args) == target:  # noqa: SIM201 (as ``Condition.check``)
                break
        else:
            return source if dest is None else dest
    return None
