"""The example plugin of a second (fictitious) municipality: pure data, next to Aalborg's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ssp_aalborg import hooks as aalborg
from ssp_core.exceptions import ConfigError
from ssp_core.plugins.datafiles import DataPlugin, data_plugin
from ssp_core.plugins.manager import create_plugin_host
from ssp_core.plugins.registry import Registry
from ssp_core.testing import PluginContract, make_registry

EXAMPLE = Path(__file__).parents[1] / "examples" / "vesthavn"
sys.path.insert(0, str(EXAMPLE))  # the example is not installed in the test environment
import vesthavn_ssp  # noqa: E402

VESTHAVN = data_plugin(vesthavn_ssp, name="vesthavn")


class TestVesthavnBesideAalborg(PluginContract):
    """The kit, run on the example and Aalborg's plugin together."""

    plugins = (VESTHAVN, aalborg)


@pytest.fixture(name="registry", scope="module")
def _registry() -> Registry:
    return make_registry(VESTHAVN, aalborg)


def test_the_example_is_at_most_150_lines_of_toml_and_python() -> None:
    files = [p for p in EXAMPLE.rglob("*") if p.suffix in {".toml", ".py"}]
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)
    assert 0 < lines <= 150, lines
    assert not [p for p in files if p.suffix == ".py" and p.name != "__init__.py"]


def test_its_card_adds_one_step_to_the_national_template(registry: Registry) -> None:
    card = registry.workflow("vesthavn.radicalisation_under_18")
    national = registry.workflow("core.radicalisation_under_18")
    assert [s.id for s in card.states] == [
        *[s.id for s in national.states][:4],
        "family_meeting",
        *[s.id for s in national.states][4:],
    ]
    assert card.origin("state family_meeting") == card.name
    assert card.origin("state analysis") == national.name
    assert {r for t in card.transitions for r in t.roles} == {
        "vesthavn.ssp_consultant",
        "vesthavn.police_officer",
    }


def test_each_municipality_picks_its_own_card(registry: Registry) -> None:
    assert registry.select_card("vesthavn.radicalisation", 15, "vesthavn").id == (
        "vesthavn.radicalisation_under_18"
    )
    assert registry.select_card("vesthavn.radicalisation", 40, "vesthavn").id == (
        "vesthavn.radicalisation_from_18"
    )
    assert registry.select_card("aalborg.radicalisation", 15, "aalborg").id == (
        "aalborg.radicalisation_under_18"
    )
    assert registry.workflow("vesthavn.mentor").extends is not None
    assert [b.id for b in registry.age_bands.values() if b.id.startswith("vesthavn.ssp")] == [
        "vesthavn.ssp",
        "vesthavn.ssp_plus",
    ]


def test_a_package_without_hooks_is_read_as_data() -> None:
    host = create_plugin_host(autoload=False, plugins=[vesthavn_ssp])
    info = next(i for i in host.plugins if i.name == "vesthavn_ssp")
    assert info.module == "vesthavn_ssp"
    assert "ssp_register_workflows" in info.hooks
    assert "ssp_register_roles" in info.hooks


def test_an_unknown_table_in_a_data_file_names_the_file_and_the_tables(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text('[[partnrs]]\nid = "x.p"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        DataPlugin(tmp_path, name="x").items("partners")
    assert str(caught.value) == (
        f"{tmp_path / 'x.toml'}: unknown tables partnrs; a data file holds arrays of tables "
        "named: action_groups, activities, activity_kinds, age_bands, catalogues, corps, "
        "disclosure_profiles, finding_categories, grants, info_houses, legal_bases, "
        "localities, municipalities, partner_kinds, partners, police_districts, purposes, "
        "reference_texts, renamed_ids, retention_rules, roles, situations, strategies, walks"
    )


def test_a_package_without_a_data_folder_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        data_plugin("ssp_core.cli")
    assert str(caught.value) == (
        "plugin package 'ssp_core.cli' has no data folder; put its TOML files in ssp_core/cli/data"
    )
