"""The engine follows a machine's routes exactly as the machine's own trigger would."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssp_core
from ssp_core.workflows.definition import WorkflowDefinition
from ssp_core.workflows.engine import build_machine
from ssp_core.workflows.routes import follow, routes

DEFINITIONS: list[WorkflowDefinition] = sorted(
    ssp_core.load_registry().workflows.values(), key=lambda d: d.key
)
"""Every workflow version the installed plugins contribute (Aalborg's among them)."""

# what a guard may answer: the machine compares it with ``== target``, so 1 passes and
# "yes" does not; the routes must agree on each
ANSWERS = st.sampled_from([True, False, 1, 0, None, "yes", 2])


class _Model:
    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _answer(value: Any) -> Any:
    return lambda _case: value


def _checks(definition: WorkflowDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    guards = {g for t in definition.transitions for g in t.guards}
    return {guard: _answer(answers.get(guard, True)) for guard in guards}


def test_every_plugin_workflow_is_followed_by_routes() -> None:
    assert len(DEFINITIONS) >= 4  # Aalborg's four action cards at least
    for definition in DEFINITIONS:
        machine = build_machine(definition, _checks(definition, {}))
        found = routes(machine)
        assert found is not None, definition.key
        assert {trigger for _source, trigger in found} == set(definition.triggers)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_routes_choose_what_the_machine_chooses(data: st.DataObject) -> None:
    definition = data.draw(st.sampled_from(DEFINITIONS))
    guards = sorted({g for t in definition.transitions for g in t.guards})
    answers = {guard: data.draw(ANSWERS, label=guard) for guard in guards}
    machine = build_machine(definition, _checks(definition, answers))
    found = routes(machine)
    assert found is not None
    state = data.draw(st.sampled_from([s.id for s in definition.states]))
    for trigger in definition.triggers:
        if (state, trigger) not in found:
            assert state not in machine.events[trigger].transitions
            continue
        model = _Model(state)
        fired = machine.events[trigger].trigger(model, object())
        dest = follow(found[state, trigger], state, object())
        assert dest == (model.state if fired else None)


def test_a_machine_with_callbacks_is_triggered_as_it_is() -> None:
    definition = next(d for d in DEFINITIONS if any(t.guards for t in d.transitions))
    machine = build_machine(definition, _checks(definition, {}))
    assert routes(machine) is not None
    entered: list[str] = []
    machine.states[definition.initial].on_enter.append(lambda *_: entered.append("in"))
    assert routes(machine) is None


@pytest.mark.parametrize("where", ["prepare_event", "before_state_change", "finalize_event"])
def test_machine_callbacks_refuse_routes(where: str) -> None:
    definition = DEFINITIONS[0]
    machine = build_machine(definition, _checks(definition, {}))
    getattr(machine, where).append(lambda *_: None)
    assert routes(machine) is None


def test_a_condition_named_by_a_string_refuses_routes() -> None:
    definition = next(d for d in DEFINITIONS if any(t.guards for t in d.transitions))
    machine = build_machine(definition, _checks(definition, {}))
    event = next(
        e
        for e in machine.events.values()
        for ts in e.transitions.values()
        for t in ts
        if t.conditions
    )
    transition = next(t for ts in event.transitions.values() for t in ts if t.conditions)
    transition.conditions[0].func = "holds"
    assert routes(machine) is None
