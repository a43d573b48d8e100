from __future__ import annotations

import attrs
import pytest

from ssp_core.plugins import (
    FactSpec,
    GuardSpec,
    Labels,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowKind,
)
from ssp_core.workflows.definition import DeadlineRule
from ssp_core.workflows.validation import definition_problems, reachable_from
from tests.sample_plugin import TRACK, card

L = Labels(da="x", en="x")


def base() -> WorkflowDefinition:
    return WorkflowDefinition(
        id="v.flow",
        version=1,
        kind=WorkflowKind.OTHER,
        labels=L,
        initial="a",
        states=(StateSpec("a", L), StateSpec("b", L), StateSpec("end", L, final=True)),
        transitions=(TransitionSpec("go", "a", "b", L), TransitionSpec("stop", "b", "end", L)),
    )


def test_the_sample_definitions_are_sound() -> None:
    assert definition_problems(base()) == []
    assert definition_problems(TRACK, known_guards=["sample.even_sessions"]) == []
    assert (
        definition_problems(
            card("x.card", "sample.young"), known_roles=["sample.consultant", "sample.police"]
        )
        == []
    )


def change(**kwargs: object) -> WorkflowDefinition:
    return attrs.evolve(base(), **kwargs)


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        (change(initial="nowhere"), "initial state 'nowhere' is not a declared state"),
        (change(initial="end"), "initial state 'end' is final"),
        (
            change(
                states=(
                    StateSpec("a", L),
                    StateSpec("a", L),
                    StateSpec("b", L),
                    StateSpec("end", L, final=True),
                )
            ),
            "state 'a' is declared more than once",
        ),
        (
            change(
                transitions=(
                    TransitionSpec("go", "a", "b", L),
                    TransitionSpec("stop", "b", "gone", L),
                )
            ),
            "transition 'stop' leads to unknown state 'gone'",
        ),
        (
            change(
                transitions=(
                    TransitionSpec("go", "x", "b", L),
                    TransitionSpec("stop", "b", "end", L),
                )
            ),
            "transition 'go' starts in unknown state 'x'",
        ),
        (
            change(transitions=(*base().transitions, TransitionSpec("back", "end", "a", L))),
            "transition 'back' leaves final state 'end'",
        ),
        (
            change(transitions=(*base().transitions, TransitionSpec("go", "a", "end", L))),
            "trigger 'go' is declared twice from state 'a'",
        ),
        (
            change(states=(*base().states, StateSpec("island", L, final=True))),
            "state 'island' cannot be reached from the initial state 'a'",
        ),
        (
            change(
                transitions=(
                    TransitionSpec("go", "a", "b", L),
                    TransitionSpec("stop", "a", "end", L),
                )
            ),
            "state 'b' is a dead end",
        ),
        (
            change(
                states=(*base().states, StateSpec("loop", L)),
                transitions=(
                    *base().transitions,
                    TransitionSpec("spin", "b", "loop", L),
                    TransitionSpec("spin", "loop", "loop", L),
                ),
            ),
            "no final state can be reached from state 'loop'",
        ),
        (
            change(
                states=(StateSpec("a", L), StateSpec("b", L)),
                transitions=(
                    TransitionSpec("go", "a", "b", L),
                    TransitionSpec("back", "b", "a", L),
                ),
            ),
            "no final state",
        ),
        (
            change(
                transitions=(
                    TransitionSpec("go", "a", "b", L, guards=("ghost",)),
                    TransitionSpec("stop", "b", "end", L),
                )
            ),
            "transition 'go' names unknown guard 'ghost'",
        ),
        (
            change(guards=(GuardSpec("g", L, all_of=("nofact",)),)),
            "guard 'g' names unknown fact 'nofact'",
        ),
        (change(facts=(FactSpec("f", L), FactSpec("f", L))), "fact 'f' is declared more than once"),
        (change(deadlines=(DeadlineRule("zzz", 2, L),)), "a deadline names unknown state 'zzz'"),
        (change(deadlines=(DeadlineRule("end", 2, L),)), "a deadline runs in final state 'end'"),
        (change(sessions_in=("nope",)), "sessions_in names unknown state 'nope'"),
        (change(subjects=()), "it allows no kind of subject"),
    ],
)
def test_each_problem_is_named(definition: WorkflowDefinition, problem: str) -> None:
    problems = definition_problems(definition)
    assert any(problem in found for found in problems), problems


def test_unknown_roles_are_named_when_roles_are_known() -> None:
    definition = change(
        transitions=(
            TransitionSpec("go", "a", "b", L, roles=("wizard",)),
            TransitionSpec("stop", "b", "end", L),
        ),
        facts=(FactSpec("f", L, roles=("ghost",)),),
    )
    assert definition_problems(definition) == []
    problems = definition_problems(definition, known_roles=["sample.consultant"])
    assert problems == [
        "transition 'go' requires unknown role 'wizard' (known roles: sample.consultant)",
        "fact 'f' requires unknown role 'ghost' (known roles: sample.consultant)",
    ]


def test_guards_implemented_in_code_count_as_known() -> None:
    definition = change(
        transitions=(
            TransitionSpec("go", "a", "b", L, guards=("coded",)),
            TransitionSpec("stop", "b", "end", L),
        )
    )
    assert definition_problems(definition, known_guards=["coded"]) == []


def test_reachability_ignores_guards() -> None:
    assert reachable_from(base(), "a") == {"a", "b", "end"}
    assert reachable_from(base(), "end") == {"end"}
