"""Workflows that extend workflows: adding, replacing, removing, renaming, and the errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ssp_core
from ssp_core.exceptions import ActionRefused, ConfigError, ExtensionProblems
from ssp_core.plugins import (
    DeadlineRule,
    FactSpec,
    Labels,
    Parts,
    Placement,
    Removals,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowExtension,
    WorkflowKind,
    WorkflowRef,
    hookimpl,
    load_workflow,
)
from ssp_core.testing import make_registry, pseudonym_for
from ssp_core.workflows.diagrams import to_text
from ssp_core.workflows.extension import extend, resolve_extensions
from tests.sample_plugin import SamplePlugin

L = Labels(da="x", en="x")
BASE = WorkflowDefinition(
    id="t.base",
    version=1,
    kind=WorkflowKind.ACTION_CARD,
    labels=Labels(da="Grundlag", en="Base"),
    initial="a",
    states=(StateSpec("a", L), StateSpec("b", L), StateSpec("end", L, final=True)),
    transitions=(
        TransitionSpec("go", "a", "b", L, roles=("consultant",)),
        TransitionSpec("stop", "b", "end", L, roles=("consultant", "police")),
    ),
    facts=(FactSpec("f", L, roles=("police",)),),
    deadlines=(DeadlineRule("a", 2, L),),
    template=True,
)


def ext(**changes: Any) -> WorkflowExtension:
    """An extension of BASE with ``changes``."""
    return WorkflowExtension(id="t.card", version=1, extends=WorkflowRef("t.base", 1), **changes)


def problems_of(extension: WorkflowExtension) -> list[str]:
    with pytest.raises(ExtensionProblems) as caught:
        extend(BASE, extension)
    return caught.value.problems


def test_an_extension_without_changes_is_the_base_under_its_own_name() -> None:
    made = extend(BASE, ext())
    assert made.name == "t.card@1"
    assert made.extends == WorkflowRef("t.base", 1)
    assert not made.template
    assert attrs.evolve(made, id="t.base", extends=None, template=True) == BASE
    assert made.origin("state a") == "t.base@1"
    assert made.origin("transition go") == "t.base@1"
    assert made.origin("deadline a") == "t.base@1"


def test_parts_are_added_in_place_replaced_where_they_were_and_removed() -> None:
    made = extend(
        BASE,
        ext(
            add=Parts(
                states=(StateSpec("check", L),),
                transitions=(TransitionSpec("checked", "check", "b", L),),
            ),
            replace=Parts(transitions=(TransitionSpec("go", "a", "check", L),)),
            remove=Removals(deadlines=("a",)),
            placements=(Placement("states", "check", before="b"),),
        ),
    )
    assert [s.id for s in made.states] == ["a", "check", "b", "end"]
    assert [(t.trigger, t.dest) for t in made.transitions] == [
        ("go", "check"),
        ("stop", "end"),
        ("checked", "b"),
    ]
    assert made.deadlines == ()
    assert made.origin("state check") == "t.card@1"
    assert made.origin("transition go") == "t.card@1"
    assert made.origin("transition stop") == "t.base@1"


def test_replacing_a_trigger_replaces_every_transition_with_it() -> None:
    base = attrs.evolve(
        BASE,
        transitions=(
            TransitionSpec("stop", "a", "end", L),
            TransitionSpec("go", "a", "b", L),
            TransitionSpec("stop", "b", "end", L),
        ),
    )
    made = extend(
        base, ext(replace=Parts(transitions=(TransitionSpec("stop", ("a", "b"), "end", L),)))
    )
    assert [(t.trigger, t.source) for t in made.transitions] == [
        ("stop", ("a", "b")),
        ("go", ("a",)),
    ]
    assert made.origin("transition stop") == "t.card@1"


def test_roles_are_renamed_one_to_one_or_to_several() -> None:
    made = extend(
        BASE,
        ext(rename_roles={"consultant": "x.ssp", "police": ["x.police", "x.ssp"]}),
    )
    assert [t.roles for t in made.transitions] == [("x.ssp",), ("x.ssp", "x.police")]
    assert made.facts[0].roles == ("x.police", "x.ssp")


def test_the_extension_s_own_settings_replace_the_base_s() -> None:
    made = extend(BASE, ext(labels=Labels(da="Kort", en="Card"), initial="b", subjects=("group",)))
    assert made.labels.en == "Card"
    assert made.initial == "b"
    assert [s.value for s in made.subjects] == ["group"]


def test_adding_a_part_the_base_has_says_to_replace_it() -> None:
    assert problems_of(ext(add=Parts(states=(StateSpec("b", L),)))) == [
        "adds state 'b', which t.base@1 already has; to change it, put it under [[replace.states]]"
    ]


def test_replacing_or_removing_a_part_the_base_lacks_names_what_it_has() -> None:
    assert problems_of(
        ext(
            replace=Parts(transitions=(TransitionSpec("zap", "a", "b", L),)),
            remove=Removals(facts=("nope",)),
        )
    ) == [
        (
            "replaces transition 'zap', which t.base@1 lacks (t.base@1 has: go, stop); to add it, "
            "put it under [[add.transitions]]"
        ),
        "removes fact 'nope', which t.base@1 lacks (t.base@1 has: f)",
    ]


def test_replacing_and_removing_one_part_is_refused() -> None:
    assert problems_of(
        ext(replace=Parts(states=(StateSpec("b", L),)), remove=Removals(states=("b",)))
    ) == ["both replaces and removes state 'b'; keep one"]


def test_a_role_renamed_that_no_part_names_is_an_error() -> None:
    assert problems_of(ext(rename_roles={"wizard": "x.ssp"})) == [
        "renames role 'wizard', which no part names (they name: consultant, police)"
    ]


def test_placements_must_name_a_part_added_and_an_anchor_that_exists() -> None:
    assert problems_of(
        ext(
            add=Parts(states=(StateSpec("c", L),)),
            placements=(
                Placement("states", "c", after="zzz"),
                Placement("states", "b", after="a"),
                Placement("transitions", "go", before="stop", after="stop"),
            ),
        )
    ) == [
        "places state 'c' after state 'zzz', which it does not have (it has: a, b, end)",
        "places state 'b', which it does not add (it adds: c)",
        "places transition 'go', which it does not add (it adds: none)",
        "places transition 'go': give exactly one of before and after",
    ]


def test_a_missing_base_and_a_cycle_are_named() -> None:
    made, problems = resolve_extensions(
        {
            "t.base@1": BASE,
            "t.a@1": WorkflowExtension(id="t.a", version=1, extends=WorkflowRef("t.b", 1)),
            "t.b@1": WorkflowExtension(id="t.b", version=1, extends=WorkflowRef("t.a", 1)),
            "t.c@1": WorkflowExtension(id="t.c", version=1, extends=WorkflowRef("t.base", 2)),
            "t.d@1": WorkflowExtension(id="t.d", version=1, extends=WorkflowRef("t.none", 1)),
        }
    )
    assert set(made) == {"t.base@1"}
    assert problems == {
        "t.a@1": ["extends t.b@1, which could not be made"],
        "t.b@1": ["extends itself through t.a@1 -> t.b@1 -> t.a@1"],
        "t.c@1": ["extends t.base@2, which no plugin registers (registered versions of t.base: 1)"],
        "t.d@1": [
            (
                "extends t.none@1, which no plugin registers (registered workflows: t.a, t.b, t.base, "
                "t.c, t.d)"
            )
        ],
    }


def test_an_extension_of_an_extension_keeps_where_each_part_came_from() -> None:
    middle = WorkflowExtension(
        id="t.middle",
        version=1,
        extends=WorkflowRef("t.base", 1),
        add=Parts(facts=(FactSpec("g", L),)),
        template=True,
    )
    top = WorkflowExtension(
        id="t.top",
        version=3,
        extends=WorkflowRef("t.middle", 1),
        add=Parts(facts=(FactSpec("h", L),)),
    )
    made, problems = resolve_extensions({"t.top@3": top, "t.middle@1": middle, "t.base@1": BASE})
    assert problems == {}
    final = made["t.top@3"]
    assert [f.id for f in final.facts] == ["f", "g", "h"]
    assert [final.origin(f"fact {f}") for f in "fgh"] == ["t.base@1", "t.middle@1", "t.top@3"]
    text = to_text(final)
    assert "extends: t.middle@1" in text
    assert "  f: x (roles: police) (from t.base@1)\n" in text
    assert "  h: x\n" in text


@given(
    added=st.lists(st.sampled_from(["p", "q", "r"]), unique=True),
    removed=st.lists(st.sampled_from(["a", "b"]), unique=True),
)
def test_the_parts_are_the_base_s_less_those_removed_plus_those_added(
    added: list[str], removed: list[str]
) -> None:
    extension = ext(
        add=Parts(facts=tuple(FactSpec(f, L) for f in added)),
        remove=Removals(facts=("f",) if "a" in removed else ()),
    )
    made = extend(BASE, extension)
    expected = ([] if "a" in removed else ["f"]) + added
    assert [f.id for f in made.facts] == expected
    assert all(made.origin(f"fact {f}") == "t.card@1" for f in added)


# -- from TOML -------------------------------------------------------------------------------

EXTENSION_TOML = """
id = "t.card"
version = 2
extends = { id = "t.base", version = 1 }

[rename_roles]
consultant = "x.ssp"
police = ["x.police"]

[[add.states]]
id = "check"
before = "b"
labels = { da = "Tjek", en = "Check" }

[[replace.transitions]]
trigger = "go"
source = ["a"]
dest = "check"
labels = { da = "Gå", en = "Go" }

[[add.transitions]]
trigger = "checked"
after = "go"
source = ["check"]
dest = "b"
labels = { da = "Tjekket", en = "Checked" }

[remove]
deadlines = ["a"]
"""


def test_an_extension_loads_from_toml_with_its_placements(tmp_path: Path) -> None:
    path = tmp_path / "card.toml"
    path.write_text(EXTENSION_TOML, encoding="utf-8")
    loaded = load_workflow(path)
    assert isinstance(loaded, WorkflowExtension)
    assert loaded.placements == (
        Placement("states", "check", before="b"),
        Placement("transitions", "checked", after="go"),
    )
    made = extend(BASE, loaded)
    assert [s.id for s in made.states] == ["a", "check", "b", "end"]
    assert [t.trigger for t in made.transitions] == ["go", "checked", "stop"]
    assert [t.roles for t in made.transitions] == [(), (), ("x.ssp", "x.police")]


def test_a_malformed_role_rename_in_toml_says_what_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "card.toml"
    path.write_text(
        'id = "t.card"\nversion = 2\nextends = { id = "t.base", version = 1 }\n'
        "[rename_roles]\nconsultant = 3\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_workflow(path)
    assert str(caught.value) == (
        f"{path}: rename_roles must map each role id to a role id or a list of role ids "
        '(e.g. consultant = "aalborg.ssp_consultant")'
    )


def test_an_unknown_key_in_an_extension_is_named(tmp_path: Path) -> None:
    path = tmp_path / "card.toml"
    path.write_text(
        'id = "t.card"\nversion = 2\nextends = { id = "t.base", version = 1 }\n'
        '[[add.sates]]\nid = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"card\.toml: .*sates"):
        load_workflow(path)


# -- in the registry -------------------------------------------------------------------------


class Extending:
    """A plugin whose card extends the national template (and, on request, something else)."""

    plugin_name = "extending"

    def __init__(self, *extra: WorkflowDefinition | WorkflowExtension, renames: bool = True):
        self.extra = extra
        self.renames = renames

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition | WorkflowExtension]:
        rename = {"consultant": "sample.consultant", "police": "sample.police"}
        return [
            WorkflowExtension(
                id="sample.national",
                version=1,
                extends=WorkflowRef("core.radicalisation_under_18", 1),
                rename_roles=rename if self.renames else {},
            ),
            *self.extra,
        ]


def test_a_card_made_from_the_national_template_is_registered_and_runs(
    sample: SamplePlugin,
) -> None:
    registry = make_registry(sample, Extending())
    made = registry.workflow("sample.national")
    template = registry.workflow("core.radicalisation_under_18")
    assert template.template
    assert not made.template
    assert [s.id for s in made.states] == [s.id for s in template.states]
    assert made.transitions[0].roles == ("sample.consultant", "sample.police")
    assert registry.workflows.contributor("sample.national@1") == "extending"
    assert registry.newer_base(made) is None
    case = registry.engine("sample.national").open(
        case_id="C-1",
        subject=ssp_core.Subject(pseudonym_for("p"), dt.date(2010, 1, 1)),
        actor=ssp_core.Actor("a", "sample.consultant"),
        at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
    )
    assert case.state == "received"


def test_no_case_is_opened_on_a_template(registry: ssp_core.Registry) -> None:
    with pytest.raises(ActionRefused) as caught:
        registry.engine("core.radicalisation_under_18").open(
            case_id="C-1",
            subject=ssp_core.Subject(pseudonym_for("p"), dt.date(2010, 1, 1)),
            actor=ssp_core.Actor("a", "sample.consultant"),
            at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        )
    assert str(caught.value) == (
        "workflow core.radicalisation_under_18@1 is a template: no case is opened on it; "
        "open the case on a workflow that extends it (ssp workflows list)"
    )


def test_a_template_role_left_unrenamed_names_the_known_roles_and_the_fix(
    sample: SamplePlugin,
) -> None:
    with pytest.raises(ConfigError) as caught:
        make_registry(sample, Extending(renames=False))
    known = ", ".join(sorted(make_registry(sample).roles))
    assert (
        "  - workflow sample.national@1 from plugin 'extending': transition 'begin_analysis' "
        f"requires unknown role 'consultant' (known roles: {known}; to give a role of "
        "core.radicalisation_under_18@1 another name, map it in [rename_roles])"
    ) in str(caught.value).splitlines()


def test_an_extension_of_an_unregistered_version_fails_the_registry_naming_the_plugin(
    sample: SamplePlugin,
) -> None:
    broken = WorkflowExtension(
        id="sample.other", version=1, extends=WorkflowRef("core.radicalisation_under_18", 7)
    )
    with pytest.raises(ConfigError) as caught:
        make_registry(sample, Extending(broken))
    assert (
        "  - workflow sample.other@1 from plugin 'extending': extends "
        "core.radicalisation_under_18@7, which no plugin registers (registered versions of "
        "core.radicalisation_under_18: 1)"
    ) in str(caught.value).splitlines()


def test_a_newer_version_of_the_base_changes_nothing_and_is_reported(
    sample: SamplePlugin,
) -> None:
    plain = make_registry(sample, Extending()).workflow("sample.national")
    newer = attrs.evolve(
        make_registry(sample).workflow("core.radicalisation_under_18"),
        id="sample.template",
        version=2,
        labels=Labels(da="Ny", en="New"),
    )
    older = attrs.evolve(newer, version=1)
    pinned = WorkflowExtension(
        id="sample.pinned",
        version=1,
        extends=WorkflowRef("sample.template", 1),
        rename_roles={"consultant": "sample.consultant", "police": "sample.police"},
    )
    registry = make_registry(sample, Extending(older, newer, pinned))
    made = registry.workflow("sample.pinned")
    assert made.labels == older.labels
    assert registry.newer_base(made) == newer
    assert registry.newer_base(plain) is None
