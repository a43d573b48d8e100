"""One registry for a police district: Aalborg's plugin and a second municipality, Hjørring.

Registry level only: homes of contributions, the card picked per municipality,
disclosure profiles per municipality, and the checks on municipalities, police
districts and district-wide grants. The Hjørring plugin is test data
(:mod:`tests.district.hjoerring`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_core import ConfigError, DataError, PluginError, UnknownId, hookimpl
from ssp_core.plugins import (
    FieldGroup,
    Grant,
    Labels,
    Municipality,
    PoliceDistrict,
    Reach,
    Registry,
    Role,
)
from ssp_core.plugins.registry import Contributed
from ssp_core.testing import PluginContract
from tests.district import AALBORG_PLUGIN, HJOERRING_PLUGIN, district_registry, hjoerring

L = Labels(da="Test", en="Test")

MUNICIPALITIES = ("aalborg", "hjoerring")
SITUATIONS = ("aalborg.radicalisation", "aalborg.armed_conflict_travel", "hjoerring.radicalisation")
OWN_SITUATIONS = {
    "aalborg": {"aalborg.radicalisation", "aalborg.armed_conflict_travel"},
    "hjoerring": {"hjoerring.radicalisation"},
}


class Eksempelby:
    """A made-up third plugin, contributing what each test gives it."""

    def __init__(
        self,
        name: str = "eksempelby",
        *,
        municipalities: Iterable[Municipality] = (),
        districts: Iterable[PoliceDistrict] = (),
        roles: Iterable[Role] = (),
        grants: Iterable[Grant] = (),
    ) -> None:
        self.plugin_name = name
        self.municipalities = list(municipalities)
        self.districts = list(districts)
        self.roles = list(roles)
        self.grants = list(grants)

    @hookimpl
    def ssp_register_municipalities(self) -> list[Municipality]:
        return self.municipalities

    @hookimpl
    def ssp_register_police_districts(self) -> list[PoliceDistrict]:
        return self.districts

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return self.roles

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return self.grants


def eksempelby(
    mid: str = "eksempelby", code: str = "999", district: str = "nordjylland"
) -> Municipality:
    return Municipality(id=mid, labels=L, code=code, police_district=district)


def of_kind(registry: Registry, kind: str) -> Contributed[object]:
    """Return the registry's mapping of one kind of contribution (e.g. ``"age band"``)."""
    return next(
        value
        for value in vars(registry).values()
        if isinstance(value, Contributed) and value.kind == kind
    )


@pytest.fixture(name="district", scope="module")
def _district() -> Registry:
    return district_registry()


# -- both plugins together ---------------------------------------------------------------


def test_both_municipalities_load_together(district: Registry) -> None:
    assert [info.name for info in district.plugins] == ["builtin", AALBORG_PLUGIN, HJOERRING_PLUGIN]
    assert list(district.municipalities) == ["aalborg", "hjoerring"]
    assert district.municipalities["hjoerring"].code == "860"
    assert district.municipalities["hjoerring"].labels == Labels(
        da="Hjørring Kommune", en="Hjørring Municipality"
    )
    assert district.home_of_plugin(AALBORG_PLUGIN) == "aalborg"
    assert district.home_of_plugin(HJOERRING_PLUGIN) == "hjoerring"
    assert district.home_of_plugin("builtin") is None


def test_every_id_hjoerring_contributes_is_namespaced_and_at_home(district: Registry) -> None:
    contributed = district.contributions_of(HJOERRING_PLUGIN)
    assert set(contributed) >= {
        "municipality", "role", "partner", "situation", "age band", "workflow", "guard",
        "grant", "disclosure profile", "retention rule",
    }  # fmt: skip
    # The legal bases are national: the core's, shared by both municipalities.
    assert {district.home(district.legal_bases, b) for b in district.legal_bases} == {None}
    for kind, ids in contributed.items():
        items = of_kind(district, kind)
        for item_id in ids:
            assert district.home(items, item_id) == "hjoerring", (kind, item_id)
            if kind == "municipality":
                assert item_id == "hjoerring"
            elif kind == "disclosure profile":  # keyed per plugin: "plugin/partner kind"
                assert item_id.startswith(f"{HJOERRING_PLUGIN}/")
            elif kind == "grant":  # keyed "role:operations:workflows"
                assert item_id.startswith("hjoerring.")
                flows = district.grants[item_id].workflows
                assert all(w == "*" or w.startswith("hjoerring.") for w in flows)
            else:
                assert item_id.startswith("hjoerring."), (kind, item_id)


def test_every_aalborg_contribution_is_at_home_in_aalborg(district: Registry) -> None:
    contributed = district.contributions_of(AALBORG_PLUGIN)
    assert "workflow" in contributed and "role" in contributed
    for kind, ids in contributed.items():
        for item_id in ids:
            assert district.home(of_kind(district, kind), item_id) == "aalborg", (kind, item_id)


def test_the_cores_contributions_are_shared(district: Registry) -> None:
    for kind in ("police", "school", "mosque"):
        assert district.partner_kinds.contributor(kind) == "builtin"
        assert district.home(district.partner_kinds, kind) is None
    assert district.home(district.police_districts, "nordjylland") is None
    assert district.home(district.guards, "responsible_named") is None
    assert district.home(district.purposes, "casework") is None
    assert district.workflow_home("core.safety_walk") is None


def test_role_and_workflow_homes(district: Registry) -> None:
    for role in (
        "aalborg.ssp_consultant",
        "aalborg.frontline_worker",
        "aalborg.police_ssp_coordinator",
        "aalborg.mentor",
    ):
        assert district.role_home(role) == "aalborg"
    for role in (
        "hjoerring.ssp_consultant",
        "hjoerring.frontline_worker",
        "hjoerring.mentor",
        "hjoerring.police_liaison",
    ):
        assert district.role_home(role) == "hjoerring"
    assert district.role_home("no_such_role") is None

    assert district.workflow_home("aalborg.mentor") == "aalborg"
    assert district.workflow_home("aalborg.radicalisation_under_18") == "aalborg"
    assert district.workflow_home("hjoerring.mentor") == "hjoerring"
    assert district.workflow_home("hjoerring.radicalisation_from_18") == "hjoerring"
    with pytest.raises(UnknownId):
        district.workflow_home("hjoerring.no_such_card")


def test_both_municipalities_are_in_the_north_jutland_police_district(district: Registry) -> None:
    assert district.district_of("aalborg") == "nordjylland"
    assert district.district_of("hjoerring") == "nordjylland"
    assert district.district_of(None) is None
    assert district.district_of("no_such_municipality") is None


def test_only_the_police_liaison_reaches_the_district(district: Registry) -> None:
    reaching = [g.role for g in district.grants.values() if g.reach is Reach.DISTRICT]
    assert reaching == ["hjoerring.police_liaison"]
    (liaison,) = (g for g in district.grants.values() if g.role == "hjoerring.police_liaison")
    assert liaison.field_groups == (FieldGroup.SUBJECT,)
    assert set(liaison.operations) == {"case.read", "case.search", "case.note"}


def test_one_retention_rule_per_hjoerring_workflow(district: Registry) -> None:
    workflows = {d.id for d in district.latest_workflows() if d.id.startswith("hjoerring.")}
    ruled = [
        district.retention_rules[rid].workflow
        for rid in district.contributions_of(HJOERRING_PLUGIN)["retention rule"]
    ]
    assert sorted(ruled) == sorted(workflows)


# -- the card of the municipality ----------------------------------------------------------


def test_select_card_picks_hjoerrings_card(district: Registry) -> None:
    card = district.select_card("hjoerring.radicalisation", 15, "hjoerring")
    assert card.name == "hjoerring.radicalisation_under_18@1"
    assert district.select_card("hjoerring.radicalisation", 18, "hjoerring").id == (
        "hjoerring.radicalisation_from_18"
    )
    assert district.select_card("aalborg.radicalisation", 15, "aalborg").id == (
        "aalborg.radicalisation_under_18"
    )


def test_select_card_refuses_another_municipalitys_situation(district: Registry) -> None:
    with pytest.raises(
        DataError,
        match=re.escape(
            "no action card of municipality 'hjoerring' applies to situation 'aalborg.radicalisation' "
            "at age 15"
        ),
    ):
        district.select_card("aalborg.radicalisation", 15, "hjoerring")
    with pytest.raises(DataError, match="of municipality 'aalborg'"):
        district.select_card("hjoerring.radicalisation", 15, "aalborg")
    with pytest.raises(DataError, match="no action card applies"):  # no shared cards
        district.select_card("hjoerring.radicalisation", 15, None)
    with pytest.raises(UnknownId):
        district.select_card("no_such_situation", 15, "hjoerring")


@given(
    municipality=st.sampled_from(MUNICIPALITIES),
    situation=st.sampled_from(SITUATIONS),
    age=st.integers(min_value=0, max_value=120),
)
def test_select_card_never_returns_another_municipalitys_card(
    district: Registry, municipality: str, situation: str, age: int
) -> None:
    try:
        card = district.select_card(situation, age, municipality)
    except DataError:
        assert situation not in OWN_SITUATIONS[municipality]
        return
    assert situation in OWN_SITUATIONS[municipality]
    assert district.workflow_home(card.id) == municipality
    assert card.applies_to is not None
    assert card.applies_to.situation == situation
    assert district.age_bands[card.applies_to.age_band].contains(age)


# -- disclosure profiles per municipality -----------------------------------------------------


def test_disclosure_profiles_are_the_municipalitys_own(district: Registry) -> None:
    hjoerring_police = district.disclosure_profile("police", "hjoerring")
    aalborg_police = district.disclosure_profile("police", "aalborg")
    assert hjoerring_police is not None and aalborg_police is not None
    assert hjoerring_police.field_groups == (FieldGroup.CASE, FieldGroup.SUBJECT)
    assert FieldGroup.IDENTITY in aalborg_police.field_groups
    assert district.home(district.disclosure_profiles, f"{HJOERRING_PLUGIN}/police") == "hjoerring"
    assert district.home(district.disclosure_profiles, f"{AALBORG_PLUGIN}/police") == "aalborg"

    mosque = district.disclosure_profile("mosque", "hjoerring")
    assert mosque is not None and mosque.field_groups == (FieldGroup.CASE,)


def test_no_municipality_gets_anothers_disclosure_profile(district: Registry) -> None:
    # Aalborg has a school profile, Hjørring none and the core none: a school gets nothing.
    assert district.disclosure_profile("school", "aalborg") is not None
    assert district.disclosure_profile("school", "hjoerring") is None
    assert district.disclosure_profile("police", None) is None


# -- clashes and checks -----------------------------------------------------------------------


def test_a_duplicate_id_between_two_plugins_asks_to_rename() -> None:
    clash = Eksempelby("clash", roles=[Role("hjoerring.mentor", L)])
    with pytest.raises(PluginError) as raised:
        district_registry(clash)
    assert str(raised.value) == (
        "role 'hjoerring.mentor' is contributed by both 'hjoerring' and 'clash'; give each "
        "plugin's items ids in its own namespace (e.g. 'aalborg.mentor'). Only to replace the "
        "other plugin's item on purpose, wrap yours in ssp_core.override(...)"
    )


def test_a_police_district_twice_is_a_clash_with_the_core() -> None:
    again = Eksempelby(districts=[PoliceDistrict("nordjylland", L)])
    with pytest.raises(PluginError, match="police district 'nordjylland' is contributed by both"):
        district_registry(again)


def test_a_plugin_may_add_a_police_district_for_its_municipality() -> None:
    registry = district_registry(
        Eksempelby(
            districts=[PoliceDistrict("test_district", L)],
            municipalities=[eksempelby(district="test_district")],
        )
    )
    assert registry.district_of("eksempelby") == "test_district"
    assert registry.district_of("hjoerring") == "nordjylland"


def test_a_municipality_in_an_unknown_police_district_is_refused() -> None:
    plugin = Eksempelby(municipalities=[eksempelby(district="midtjylland")])
    with pytest.raises(ConfigError) as raised:
        district_registry(plugin)
    assert (
        "municipality 'eksempelby' from plugin 'eksempelby': unknown police district "
        "'midtjylland'; known: nordjylland"
    ) in str(raised.value)


def test_a_plugin_with_two_municipalities_is_refused() -> None:
    plugin = Eksempelby(
        municipalities=[eksempelby("eksempelby"), eksempelby("andenby", code="998")]
    )
    with pytest.raises(ConfigError) as raised:
        district_registry(plugin)
    assert (
        "plugin 'eksempelby' contributes 2 municipalities (eksempelby, andenby); a plugin "
        "belongs to one municipality: make one plugin per municipality"
    ) in str(raised.value)


def test_two_municipalities_with_the_same_code_are_refused() -> None:
    plugin = Eksempelby(municipalities=[eksempelby(code="860")])
    with pytest.raises(ConfigError) as raised:
        district_registry(plugin)
    assert (
        "municipality 'eksempelby' from plugin 'eksempelby': municipality code 860 is also "
        "'hjoerring''s"
    ) in str(raised.value)


def test_a_district_grant_needs_a_role_with_a_municipality() -> None:
    plugin = Eksempelby(
        roles=[Role("eksempelby.liaison", L)],
        grants=[Grant(role="eksempelby.liaison", operations=("case.read",), reach=Reach.DISTRICT)],
    )
    with pytest.raises(ConfigError) as raised:
        district_registry(plugin)
    message = str(raised.value)
    assert "from plugin 'eksempelby': reaches the police district" in message
    assert "role 'eksempelby.liaison' belongs to no municipality" in message


def test_a_district_grant_of_a_municipal_role_is_accepted() -> None:
    plugin = Eksempelby(
        municipalities=[eksempelby()],
        roles=[Role("eksempelby.liaison", L)],
        grants=[Grant(role="eksempelby.liaison", operations=("case.read",), reach=Reach.DISTRICT)],
    )
    registry = district_registry(plugin)
    assert registry.role_home("eksempelby.liaison") == "eksempelby"


# -- the contract every plugin meets ----------------------------------------------------------


class TestHjoerringContract(PluginContract):
    """The Hjørring test plugin alone with the built-ins: it needs nothing of Aalborg's."""

    plugins = (hjoerring,)


# -- what the command line shows of it -------------------------------------------------------


def test_ssp_plugins_names_each_municipality_and_its_district_wide_grants(
    district: Registry,
) -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from ssp_core.cli.app import Context  # noqa: PLC0415
    from ssp_core.cli.plugins import plugins_command  # noqa: PLC0415

    obj = Context(autoload=False, block=(), language="en", registry=district)
    result = CliRunner().invoke(plugins_command, ["--json"], obj=obj)
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows[AALBORG_PLUGIN]["municipality"] == "aalborg"
    assert rows[AALBORG_PLUGIN]["district_wide_grants"] == []
    assert rows[HJOERRING_PLUGIN]["municipality"] == "hjoerring"
    assert rows[HJOERRING_PLUGIN]["district_wide_grants"] == [
        "hjoerring.police_liaison: case.read, case.search, case.note on *"
    ]
    assert rows["builtin"]["municipality"] is None
    table = CliRunner().invoke(plugins_command, [], obj=obj, env={"COLUMNS": "220"})
    assert "reaching the whole police district:" in table.output
    assert "hjoerring.police_liaison: case.read, case.search, case.note on *" in table.output
