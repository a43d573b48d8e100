from __future__ import annotations

import json
from pathlib import Path

import pytest

from ssp_core import ConfigError
from ssp_core.loading import converter, read_toml, structure
from ssp_core.plugins import Labels, Role, load_items, load_workflow
from ssp_core.workflows.definition import WorkflowDefinition
from ssp_core.workflows.diagrams import to_data
from tests.sample_plugin import TRACK, card

GOOD = """
id = "t.flow"
version = 2
kind = "prevention_track"
labels = { da = "Forløb", en = "Track" }
initial = "a"
subjects = ["person", "group"]
sessions_in = ["a"]

[[states]]
id = "a"
labels = { da = "A", en = "A" }

[[states]]
id = "b"
labels = { da = "B", en = "B" }
final = true

[[transitions]]
trigger = "go"
source = "a"
dest = "b"
labels = { da = "Gå", en = "Go" }
guards = ["g"]

[[guards]]
id = "g"
labels = { da = "G", en = "G" }
min_sessions = 2

[[deadlines]]
state = "a"
days = 3
labels = { da = "3 dage", en = "3 days" }
business_days = false
"""


def write(tmp_path: Path, text: str, name: str = "flow.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_workflow_loads_from_toml(tmp_path: Path) -> None:
    definition = load_workflow(write(tmp_path, GOOD))
    assert definition.name == "t.flow@2"
    assert definition.transitions[0].source == ("a",)  # a single source may be written as a string
    assert definition.guards[0].min_sessions == 2
    assert definition.deadlines[0].business_days is False
    assert [s.value for s in definition.subjects] == ["person", "group"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace('initial = "a"', 'initial = "a"\ncolour = "red"'),
            "unknown key colour; allowed: id, version, kind, labels, initial, states, ",
        ),
        (lambda t: t.replace("version = 2\n", ""), "required key missing @ $.version"),
        (lambda t: t.replace('kind = "prevention_track"', 'kind = "wish"'), "$.kind"),
        (lambda t: t.replace("days = 3", 'days = "three"'), "$.deadlines[0].days"),
        (lambda t: t.replace('id = "g"', 'id = "Not Valid"'), "$.guards[0]"),
        (
            lambda t: t.replace('labels = { da = "A", en = "A" }', 'labels = { da = "A" }'),
            "$.states[0].labels.en",
        ),
    ],
)
def test_bad_files_name_the_file_and_the_place(tmp_path: Path, change, message: str) -> None:
    path = write(tmp_path, change(GOOD))
    with pytest.raises(ConfigError) as info:
        load_workflow(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        read_toml(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_toml(write(tmp_path, "id = ", "broken.toml"))


def test_load_items(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[roles]]\nid = "aalborg.mentor"\nlabels = { da = "Mentor", en = "Mentor" }\n',
        "roles.toml",
    )
    assert load_items(path, "roles", Role) == [
        Role("aalborg.mentor", Labels(da="Mentor", en="Mentor"))
    ]
    with pytest.raises(ConfigError, match=r"expected an array of tables \[\[partners\]\]"):
        load_items(path, "partners", Role)
    bad = write(tmp_path, '[[roles]]\nid = "x"\n', "bad.toml")
    with pytest.raises(ConfigError) as caught:
        load_items(bad, "roles", Role)
    assert str(caught.value) == f"{bad}, line 1: [[roles]] #1: required key missing @ $.labels"


@pytest.mark.parametrize(
    "definition", [TRACK, card("x.card", "sample.young")], ids=["track", "card"]
)
def test_definitions_round_trip_through_plain_data_and_json(definition: WorkflowDefinition) -> None:
    data = json.loads(json.dumps(to_data(definition)))
    assert structure(data, WorkflowDefinition, where="round trip") == definition
    assert converter.unstructure(definition) == to_data(definition)


def test_no_configuration_is_evaluated(tmp_path: Path) -> None:
    # A guard is data: a string where a number belongs is an error, never code.
    text = GOOD.replace("min_sessions = 2", "min_sessions = \"__import__('os').getcwd()\"")
    with pytest.raises(ConfigError, match=r"\$.guards\[0\].min_sessions"):
        load_workflow(write(tmp_path, text))
