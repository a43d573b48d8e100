"""Instructions of a state: data, validated, shown at intake and with the options while there.

An instruction (e.g. "call the police on 112 now") belongs to a state that is not
final. It is shown when a case is opened in that state, with every option while the
case stays there, and never after; it refuses nothing. The CLI prints it as inert
text, with its sources.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from ssp_core import (
    Actor,
    Casework,
    ConfigError,
    DataError,
    Registry,
    Subject,
    VirtualClock,
    sequential_ids,
)
from ssp_core.cli.app import Context
from ssp_core.cli.case import case as case_group
from ssp_core.loading import load_workflow
from ssp_core.plugins import (
    Instruction,
    Labels,
    Source,
    StateSpec,
    WorkflowDefinition,
    WorkflowKind,
    hookimpl,
)
from ssp_core.testing import make_registry, pseudonym_for
from ssp_core.workflows.explain import INSTRUCTION
from ssp_core.workflows.validation import definition_problems
from tests.sample_plugin import ACUTE, SamplePlugin, card

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
CONSULTANT = Actor("anne", "sample.consultant")
TEACHER = Actor("tom", "sample.teacher")
L = Labels(da="x", en="x")
SOURCE = Source("a source")
MARKUP = Labels(
    da="[bold red]Ring 112[/bold red] [link=https://example.org]nu[/link]",
    en="[bold red]Call 112[/bold red] [link=https://example.org]now[/link]",
)


def with_instructions(*states: StateSpec) -> WorkflowDefinition:
    """Return the sample card with ``states`` in place of its states of the same ids."""
    base = card("x.card", "sample.young")
    by_id = {state.id: state for state in states}
    return attrs.evolve(base, states=tuple(by_id.get(s.id, s) for s in base.states))


# --- the data -----------------------------------------------------------------------------


def test_an_instruction_needs_a_source_and_an_identifier() -> None:
    with pytest.raises(DataError, match="Instruction.sources must name at least one source"):
        Instruction("call", L, sources=())
    with pytest.raises(DataError, match="Instruction.id must be an identifier"):
        Instruction("Call now!", L, sources=[SOURCE])
    made = Instruction("call", L, sources=[SOURCE])
    assert made.sources == (SOURCE,)  # a list given is kept as a tuple (hashable)
    assert hash(made) == hash(Instruction("call", L, sources=(SOURCE,)))


def test_the_sample_card_with_its_instruction_is_sound() -> None:
    definition = card("x.card", "sample.young")
    assert definition.state("assessment").instructions == (ACUTE,)
    assert definition_problems(definition) == []


def test_an_instruction_in_a_final_state_would_never_be_shown() -> None:
    closed = StateSpec("closed", L, final=True, instructions=(ACUTE,))
    problems = definition_problems(with_instructions(closed))
    assert problems == [
        (
            "state 'closed' is final, so its instruction 'acute' would never be shown "
            "(instructions are shown while a case is in a state that is not final)"
        )
    ]


def test_an_instruction_declared_twice_in_a_state_is_a_problem() -> None:
    twice = StateSpec("received", L, instructions=(ACUTE, attrs.evolve(ACUTE, labels=L)))
    problems = definition_problems(with_instructions(twice))
    assert problems == ["instruction 'acute' is declared more than once in state 'received'"]


TOML = """
id = "t.card"
version = 1
kind = "other"
labels = { da = "Kort", en = "Card" }
initial = "screening"

[[states]]
id = "screening"
labels = { da = "Screening", en = "Screening" }

[[states.instructions]]
id = "acute"
labels = { da = "Ring 112 nu", en = "Call 112 now" }
sources = [{ title = "Alarm 112", publisher = "Rigspolitiet", url = "https://politi.dk/" }]

[[states]]
id = "done"
labels = { da = "Færdig", en = "Done" }
final = true

[[transitions]]
trigger = "finish"
source = "screening"
dest = "done"
labels = { da = "Afslut", en = "Finish" }
"""


def test_instructions_load_from_toml_with_their_sources(tmp_path: Path) -> None:
    path = tmp_path / "card.toml"
    path.write_text(TOML, encoding="utf-8")
    definition = load_workflow(path)
    (instruction,) = definition.state("screening").instructions
    assert instruction.id == "acute"
    assert instruction.labels == Labels(da="Ring 112 nu", en="Call 112 now")
    assert instruction.sources == (Source("Alarm 112", "Rigspolitiet", url="https://politi.dk/"),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("sources = [{ title", "sources = []\n#"),
        ('id = "acute"', 'id = "acute"\nwhen = "always"'),
    ],
)
def test_a_bad_instruction_in_toml_is_a_clear_error(
    tmp_path: Path, change: str, message: str
) -> None:
    path = tmp_path / "card.toml"
    path.write_text(TOML.replace(change, message, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_workflow(path)
    text = str(refused.value)
    assert str(path) in text and "instructions" in text


# --- shown while in the state, and only then ---------------------------------------------


@pytest.fixture(name="casework")
def _casework(registry: Registry) -> Casework:
    return Casework(registry, clock=VirtualClock(T0), ids=sequential_ids())


def _young() -> Subject:
    return Subject("c" * 32, dt.date(2012, 5, 1))


def test_the_options_carry_the_instruction_exactly_while_in_its_state(
    casework: Casework,
) -> None:
    case = casework.open_concern(
        situation="sample.worry", subject=_young(), concern_date=T0.date(), actor=TEACHER
    )
    engine = casework.registry.engine_for(case)
    assert engine.instructions(case) == ()
    assert not any(o.notes for o in casework.options(case.id, CONSULTANT))
    casework.fire(case.id, "assess", CONSULTANT)
    view = casework.view(case.id, TEACHER)
    assert view.instructions == (ACUTE,)
    for option in casework.options(case.id, TEACHER):  # whatever the role may do
        assert [(n.code, n.labels) for n in option.notes] == [(INSTRUCTION, ACUTE.labels)]
        assert option.to_dict()["notes"] == [
            {"code": "instruction", "message": "call 112 now", "da": "call 112 now (da)"}
        ]
    # It refuses nothing: the same options are allowed as without it.
    bare = casework.registry.engine_for(case)
    allowed = {o.trigger: o.allowed for o in casework.options(case.id, CONSULTANT)}
    plain = attrs.evolve(
        bare.definition,
        states=tuple(attrs.evolve(s, instructions=()) for s in bare.definition.states),
    )
    from ssp_core.workflows.engine import WorkflowEngine  # noqa: PLC0415

    loaded = casework.case(case.id, CONSULTANT, purpose="casework")
    unguided = WorkflowEngine(plain).options(loaded, CONSULTANT)
    assert {o.trigger: o.allowed for o in unguided} == allowed
    closed = casework.fire(case.id, "close", CONSULTANT, reason="Done.")
    assert casework.view_of(closed, CONSULTANT).instructions == ()
    assert not any(o.notes for o in casework.options(case.id, CONSULTANT))


class _AcuteAtIntake:
    """A card that starts in a state with an instruction whose text looks like markup."""

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        base = card("sample.acute", "sample.young")
        received = attrs.evolve(
            base.state("received"),
            instructions=(Instruction("markup", MARKUP, sources=[Source("[b]a source[/b]")]),),
        )
        states = tuple(received if s.id == "received" else s for s in base.states)
        return [attrs.evolve(base, states=states, applies_to=None, kind=WorkflowKind.OTHER)]


@pytest.fixture(name="acute")
def _acute() -> Casework:
    registry = make_registry(SamplePlugin(), _AcuteAtIntake())
    return Casework(registry, clock=VirtualClock(T0), ids=sequential_ids())


def _cli(casework: Casework, *args: str, language: str = "en") -> tuple[int, str]:
    obj = Context(autoload=False, block=(), language=language, casework=casework)  # type: ignore[arg-type]
    result = CliRunner().invoke(case_group, list(args), obj=obj, env={"COLUMNS": "200"})
    return result.exit_code, result.output


OPEN = (
    "open", "--workflow", "sample.acute", "--pseudonym", pseudonym_for("p-1"), "--birth-date", "2012-05-01",
    "--actor", "anne", "--role", "sample.consultant",
)  # fmt: skip


@pytest.mark.parametrize("language", ["en", "da"])
def test_ssp_case_open_and_show_print_the_instruction_as_inert_text(
    acute: Casework, language: str
) -> None:
    code, out = _cli(acute, *OPEN, language=language)
    assert code == 0, out
    text = MARKUP.get(language)  # type: ignore[arg-type]
    assert text in out  # the brackets are printed, not interpreted
    source = {"da": "kilde: ", "en": "source: "}[language]
    assert f"{source}[b]a source[/b]" in out
    assert "note: " not in out  # printed once, above the options, not again as a note
    (row,) = acute.find(CONSULTANT)
    me = ("--actor", "anne", "--role", "sample.consultant")
    code, shown = _cli(acute, "show", row.case_id, *me, language=language)
    assert code == 0 and text in shown
    code, listed = _cli(acute, "show", row.case_id, "--json", *me, language=language)
    data = json.loads(listed)
    assert data["instructions"] == [
        {"id": "markup", "da": MARKUP.da, "en": MARKUP.en, "sources": ["[b]a source[/b]"]}
    ]
    assert all(o["notes"] == [MARKUP.en] for o in data["options"])
    # Once the case has left the state, its instruction is gone; the next state's shows.
    code, moved = _cli(acute, "fire", row.case_id, "assess", *me, language=language)
    assert code == 0, moved
    assert text not in moved and "[b]a source[/b]" not in moved
    assert ACUTE.labels.get(language) in moved and f"{source}sample source" in moved  # type: ignore[arg-type]
    code, closed = _cli(
        acute, "fire", row.case_id, "close", "--reason", "Done.", "--json", *me, language=language
    )
    assert code == 0, closed
    assert json.loads(closed)["instructions"] == []
