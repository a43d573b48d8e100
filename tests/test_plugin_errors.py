"""What a plugin author sees when a data file is wrong: the plugin, the file, the line, the fix.

Each test breaks a copy of the example plugin (``examples/vesthavn``) in one place and
checks the whole message.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ssp_core.exceptions import ConfigError, PluginError
from ssp_core.plugins.datafiles import DataPlugin
from ssp_core.testing import make_registry

EXAMPLE = Path(__file__).parents[1] / "examples" / "vesthavn" / "vesthavn_ssp" / "data"
CARD = "workflows/card_under_18.toml"


def broken(tmp_path: Path, change: Callable[[str], str], file: str = "vesthavn.toml") -> Path:
    """Copy the example's data folder with ``change`` made to one file; return that file."""
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the change did not apply"
    path.write_text(changed, encoding="utf-8")
    return path


def load(path: Path) -> None:
    folder = path.parent if path.parent.name == "data" else path.parent.parent
    make_registry(DataPlugin(folder, name="vesthavn"))


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(text))


def test_the_unbroken_example_loads() -> None:
    make_registry(DataPlugin(EXAMPLE, name="vesthavn"))


def test_a_misspelt_key_names_plugin_hook_file_line_and_the_allowed_keys(
    tmp_path: Path,
) -> None:
    path = broken(tmp_path, lambda t: t.replace('acts_as = "police"', 'act_as = "police"'))
    with pytest.raises(PluginError) as caught:
        load(path)
    line = line_of(path, 'id = "vesthavn.police_officer"') - 1
    assert str(caught.value) == (
        "plugin 'vesthavn' failed in hook ssp_register_roles: ConfigError: "
        f"{path}, line {line}: [[roles]] #2: unknown key act_as; "
        "allowed: id, labels, description, acts_as @ $"
    )


def test_a_value_outside_a_choice_lists_the_allowed_values(tmp_path: Path) -> None:
    path = broken(
        tmp_path,
        lambda t: t.replace('purposes = ["casework"]', 'purposes = ["casework"]\nscope = "mine"'),
    )
    with pytest.raises(PluginError) as caught:
        load(path)
    line = line_of(path, "[[grants]]")
    assert str(caught.value) == (
        "plugin 'vesthavn' failed in hook ssp_register_grants: ConfigError: "
        f"{path}, line {line}: [[grants]] #1: 'mine' is not a valid Scope; "
        "allowed: all, assigned @ $.scope"
    )


def test_a_number_where_text_belongs_is_named(tmp_path: Path) -> None:
    path = broken(tmp_path, lambda t: t.replace('code = "999"', "code = 999"))
    with pytest.raises(PluginError) as caught:
        load(path)
    assert str(caught.value) == (
        "plugin 'vesthavn' failed in hook ssp_register_municipalities: ConfigError: "
        f"{path}, line 3: [[municipalities]] #1: expected text in quotes, got int 999 @ $.code"
    )


def test_an_unknown_partner_kind_lists_the_known_ones_and_the_closest(tmp_path: Path) -> None:
    path = broken(tmp_path, lambda t: t.replace('kind = "youth_club"', 'kind = "youth_clubs"'))
    with pytest.raises(ConfigError) as caught:
        load(path)
    (problem,) = str(caught.value).splitlines()[1:]
    line = line_of(path, "[[partners]]")
    assert problem.startswith(
        f"  - partner 'vesthavn.youth_club' from plugin 'vesthavn' ({path}, line {line}): "
        "unknown partner kind 'youth_clubs' (did you mean 'youth_club'?); known: "
    )
    assert "mosque" in problem and "police" in problem


def test_a_semantic_error_in_a_workflow_names_its_file(tmp_path: Path) -> None:
    path = broken(
        tmp_path,
        lambda t: t.replace('roles = ["consultant"]\n\n[[add', 'roles = ["consultnt"]\n\n[[add'),
        file=CARD,
    )
    with pytest.raises(ConfigError) as caught:
        load(path)
    (problem,) = str(caught.value).splitlines()[1:]
    assert problem == (
        "  - workflow vesthavn.radicalisation_under_18@1 from plugin 'vesthavn' "
        f"({path}): transition 'start_intervention' requires unknown role 'consultnt' (known "
        "roles: vesthavn.mentor, vesthavn.police_officer, vesthavn.ssp_consultant; to give a "
        "role of core.radicalisation_under_18@1 another name, map it in [rename_roles])"
    )


def test_an_unknown_table_names_the_file_and_the_tables(tmp_path: Path) -> None:
    path = broken(tmp_path, lambda t: t.replace("[[partners]]", "[[partner]]"))
    with pytest.raises(PluginError) as caught:
        load(path)
    assert str(caught.value).startswith("plugin 'vesthavn' failed in hook ssp_register_") and (
        f"ConfigError: {path}: unknown tables partner; a data file holds arrays of tables "
        "named: action_groups, activities, activity_kinds, age_bands, catalogues, corps, "
    ) in str(caught.value)


def test_one_text_where_a_list_belongs_is_that_one_item(tmp_path: Path) -> None:
    path = broken(
        tmp_path,
        lambda t: t.replace('operations = ["case.*"]', 'operations = "case.*"'),
    )
    registry = make_registry(DataPlugin(path.parent, name="vesthavn"))
    (grant,) = registry.grants.values()
    assert grant.operations == ("case.*",)


WORKFLOWS = "plugin 'vesthavn' failed in hook ssp_register_workflows: ConfigError: "


def card_error(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """Break the example's card (``old`` to ``new``); return the file and the error's text."""
    path = broken(tmp_path, lambda t: t.replace(old, new), file=CARD)
    with pytest.raises(PluginError) as caught:
        load(path)
    return path, str(caught.value)


def test_a_misspelt_key_in_a_workflow_names_the_file_and_the_place(tmp_path: Path) -> None:
    path, message = card_error(tmp_path, "[[add.states]]", "[[add.state]]")
    assert message == (
        f"{WORKFLOWS}{path}: line {line_of(path, '[[add.state]]')}: unknown key state; "
        "allowed: states, transitions, facts, guards, deadlines @ $.add"
    )


def test_a_wrong_value_in_a_workflow_names_the_line_of_its_key(tmp_path: Path) -> None:
    path, message = card_error(tmp_path, 'dest = "intervention"', "dest = 7")
    assert message == (
        f"{WORKFLOWS}{path}: line {line_of(path, 'dest = 7')}: expected text in quotes, "
        "got int 7 @ $.replace.transitions[0].dest"
    )
    inline, message = card_error(tmp_path / "again", "version = 1 }", 'version = "one" }')
    assert message == (
        f"{WORKFLOWS}{inline}: line 5: invalid value for type, expected int @ $.extends.version"
    )
