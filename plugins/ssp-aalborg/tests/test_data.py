"""The Aalborg plugin's data files, loaded through its hooks, say what the slides say."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import pytest

from ssp_aalborg import hooks
from ssp_core.domain.access import FieldGroup, Scope
from ssp_core.domain.concerns import ReferenceText, WorrySignCatalogue, WorrySignScope
from ssp_core.domain.labels import Labels
from ssp_core.domain.organisation import CorpsOrientation
from ssp_core.domain.strategy import Strategy
from ssp_core.plugins.builtin import PARTNER_KINDS

ROLES = {
    "aalborg.ssp_consultant",
    "aalborg.police_ssp_coordinator",
    "aalborg.frontline_worker",
    "aalborg.partner_contact",
    "aalborg.mentor",
    "aalborg.parent_coach",
    "aalborg.dialogue_ambassador",
    "aalborg.researcher",
    "aalborg.administrator",
}

WORKFLOWS = (
    "aalborg.radicalisation_under_18",
    "aalborg.radicalisation_from_18",
    "aalborg.travel_under_18",
    "aalborg.travel_from_18",
    "aalborg.mentor",
    "aalborg.parent_coach",
    "aalborg.dialogue_ambassador",
)

ALL_HOOKS = (
    hooks.ssp_register_roles,
    hooks.ssp_register_age_bands,
    hooks.ssp_register_situations,
    hooks.ssp_register_catalogues,
    hooks.ssp_register_reference_texts,
    hooks.ssp_register_partner_kinds,
    hooks.ssp_register_partners,
    hooks.ssp_register_info_houses,
    hooks.ssp_register_action_groups,
    hooks.ssp_register_corps,
    hooks.ssp_register_strategy,
    hooks.ssp_register_grants,
)


def _labels_in(value: Any) -> Iterator[Labels]:
    """Yield every :class:`Labels` inside ``value``, however deeply nested."""
    if isinstance(value, Labels):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _labels_in(getattr(value, field.name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _labels_in(item)


def _by_id(items: list[Any]) -> dict[str, Any]:
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)), f"repeated ids: {ids}"
    return {item.id: item for item in items}


@pytest.fixture(name="strategy")
def _strategy() -> Strategy:
    (strategy,) = hooks.ssp_register_strategy()
    return strategy


@pytest.fixture(name="catalogue")
def _catalogue() -> WorrySignCatalogue:
    (catalogue,) = hooks.ssp_register_catalogues()
    return catalogue


@pytest.fixture(name="texts")
def _texts() -> dict[str, ReferenceText]:
    return _by_id(hooks.ssp_register_reference_texts())


# --- All files ------------------------------------------------------------------


@pytest.mark.parametrize("hook", ALL_HOOKS, ids=lambda hook: hook.__name__)
def test_every_label_is_non_empty_in_both_languages(hook: Callable[[], Sequence[Any]]) -> None:
    items = hook()
    assert items
    labels = list(_labels_in(list(items)))
    assert labels
    for label in labels:
        assert label.da.strip()
        assert label.en.strip()


@pytest.mark.parametrize("hook", ALL_HOOKS, ids=lambda hook: hook.__name__)
def test_no_hook_repeats_an_id(hook: Callable[[], Sequence[Any]]) -> None:
    _by_id(list(hook()))


# --- Roles and age bands --------------------------------------------------------


def test_roles_are_the_fixed_ones_each_with_a_description() -> None:
    roles = _by_id(hooks.ssp_register_roles())
    assert set(roles) == ROLES
    for role in roles.values():
        assert role.description is not None
    assert roles["aalborg.ssp_consultant"].labels.da == "SSP-konsulent"


def test_under_18_and_from_18_split_every_age_from_0_to_120() -> None:
    bands = _by_id(hooks.ssp_register_age_bands())
    under, over = bands["aalborg.under_18"], bands["aalborg.from_18"]
    assert (under.min_age, under.max_age) == (0, 17)
    assert (over.min_age, over.max_age) == (18, None)
    for age in range(121):
        assert under.contains(age) != over.contains(age), age


def test_ssp_bands_are_local_and_say_so() -> None:
    bands = _by_id(hooks.ssp_register_age_bands())
    assert (bands["aalborg.ssp"].min_age, bands["aalborg.ssp"].max_age) == (10, 17)
    assert (bands["aalborg.ssp_plus"].min_age, bands["aalborg.ssp_plus"].max_age) == (18, 25)
    for band_id in ("aalborg.ssp", "aalborg.ssp_plus"):
        labels = bands[band_id].labels
        assert "ikke fastsat ved lov" in labels.da
        assert "not set by law" in labels.en


# --- Concerns -------------------------------------------------------------------


def test_situations_select_the_action_cards() -> None:
    situations = _by_id(hooks.ssp_register_situations())
    assert set(situations) == {"aalborg.radicalisation", "aalborg.armed_conflict_travel"}
    assert "væbnet konflikt" in situations["aalborg.armed_conflict_travel"].labels.da


def test_catalogue_has_the_levels_of_the_help_tool(catalogue: WorrySignCatalogue) -> None:
    assert catalogue.id == "aalborg.worry_signs"
    assert catalogue.version == 1
    assert catalogue.source.title.startswith("Hjælperedskab til frontmedarbejdere")
    assert catalogue.source.publisher == "Aalborg Kommune"
    scopes = Counter(level.scope for level in catalogue.levels)
    assert scopes == {
        WorrySignScope.PERSON: 3,
        WorrySignScope.YOUTH_ENVIRONMENT: 1,
        WorrySignScope.COMMUNITY: 1,
    }
    person = " ".join(
        lvl.labels.da for lvl in catalogue.levels if lvl.scope == WorrySignScope.PERSON
    )
    for topic in ("relationer", "adfærd", "holdninger"):
        assert topic in person


def test_every_level_has_signs_and_no_id_repeats(catalogue: WorrySignCatalogue) -> None:
    for level in catalogue.levels:
        assert len(level.signs) >= 3, level.id
    assert catalogue.problems() == []
    first = catalogue.levels[0].signs[0]
    assert catalogue.sign(first.id) == (catalogue.levels[0], first)


def test_catalogue_guidance_says_aid_not_checklist_and_example_data(
    catalogue: WorrySignCatalogue,
) -> None:
    assert catalogue.guidance is not None
    assert "ikke en tjekliste" in catalogue.guidance.da
    assert "not a checklist" in catalogue.guidance.en
    assert "ressourcer" in catalogue.guidance.da
    assert "never be counted" in catalogue.guidance.en
    assert "eksempeldata" in catalogue.guidance.da
    assert "example data" in catalogue.guidance.en


@pytest.mark.parametrize(
    ("text_id", "count", "first_words"),
    [
        ("aalborg.definition.radicalisation", 4, "At en person accepterer ekstremismens idéer"),
        ("aalborg.definition.extremism", 5, "Forenklede verdensopfattelser og fjendebilleder"),
    ],
)
def test_definitions_quote_the_2012_report(
    texts: dict[str, ReferenceText], text_id: str, count: int, first_words: str
) -> None:
    text = texts[text_id]
    assert text.source.title == "Metoder i arbejdet med radikalisering"
    assert text.source.publisher == "Social- og Integrationsministeriet"
    assert text.source.year == 2012
    assert text.source.page == "8"
    assert text.lead is not None
    assert "betegner" in text.lead.da
    assert len(text.items) == count
    assert text.items[0].da.startswith(first_words)


def test_radicalisation_definition_names_dehumanisation(texts: dict[str, ReferenceText]) -> None:
    last = texts["aalborg.definition.radicalisation"].items[-1]
    assert "dehumanisering" in last.da
    assert "dehumanisation" in last.en


def test_civil_society_risk_factors_are_the_five_of_the_slide(
    texts: dict[str, ReferenceText],
) -> None:
    text = texts["aalborg.civil_society_risk_factors"]
    assert "Tryg Aalborg" in text.source.title
    assert text.source.publisher == "Aalborg Kommune"
    assert [item.da for item in text.items] == [
        "Misbrugsproblemer",
        "Sociale problemer i familien eller ringe tilknytning til familien",
        (
            "Forældre eller andre familiemedlemmer har fjendtlige holdninger til samfundet "
            "eller viser sympati for ekstremistiske idéer eller grupper"
        ),
        "Negative påvirkninger blandt den unges venner og omgangskreds",
        (
            "Ringe tilknytning til og få relationer i sociale fællesskaber som skole, "
            "arbejde og foreninger"
        ),
    ]


# --- Partners -------------------------------------------------------------------


def test_every_partner_has_a_known_kind() -> None:
    plugin_kinds = _by_id(hooks.ssp_register_partner_kinds())
    core_kinds = {kind.id for kind in PARTNER_KINDS}
    assert not set(plugin_kinds) & core_kinds, "a core kind is registered again"
    assert "aalborg.sports_hall" in plugin_kinds
    known = core_kinds | set(plugin_kinds)
    for partner in hooks.ssp_register_partners():
        assert partner.kind in known, partner.id


def test_skuret_is_a_youth_centre_in_loevvangen() -> None:
    skuret = _by_id(hooks.ssp_register_partners())["aalborg.skuret"]
    assert skuret.kind == "youth_centre"
    assert skuret.locality == "Løvvangen"
    assert "Skuret" in skuret.labels.da


def test_partners_include_two_mosques_and_hometown_associations() -> None:
    kinds = Counter(partner.kind for partner in hooks.ssp_register_partners())
    assert kinds["mosque"] == 2
    assert kinds["hometown_association"] >= 1
    partners = _by_id(hooks.ssp_register_partners())
    assert {"aalborg.mosque_1", "aalborg.mosque_2"} <= set(partners)


def test_the_safety_walks_partners_are_there() -> None:
    partners = _by_id(hooks.ssp_register_partners())
    councils = {p.labels.da: p for p in partners.values() if p.kind == "community_council"}
    assert set(councils) == {
        "Romdrup/Klarup Samråd",
        "Grindsted/Uggerhalne Samråd",
        "Grindsted Samråd",
    }
    assert councils["Grindsted Samråd"].locality == "Gandrup"
    description = councils["Grindsted Samråd"].description
    assert description is not None
    assert "13 foreninger" in description.da
    assert "13 associations" in description.en
    kinds = {p.kind for p in partners.values()}
    assert {
        "scouts",
        "sports_club",
        "aalborg.sports_hall",
        "residents_association",
        "housing_section",
    } <= kinds
    labels = {p.labels.da for p in partners.values()}
    assert {"DDS Klarup Gruppe", "Nøvling Idræts Forening (NIF)"} <= labels


def test_the_ssp_cooperation_partners_are_there() -> None:
    partners = _by_id(hooks.ssp_register_partners())
    police = partners["aalborg.nordjyllands_politi"]
    assert (police.kind, police.labels.da) == ("police", "Nordjyllands Politi")
    kinds = {p.kind for p in partners.values()}
    assert {"police", "school", "social_services"} <= kinds


# --- Organisation ---------------------------------------------------------------


def test_info_house_is_staffed_by_two_consultants_and_the_police_coordinator() -> None:
    (house,) = hooks.ssp_register_info_houses()
    assert house.id == "aalborg.info_house"
    assert house.labels.da == "INFO-huset"
    assert house.established == 2011
    staffing = {(pos.role, pos.count, pos.employer) for pos in house.staffing}
    assert staffing == {
        ("aalborg.ssp_consultant", 2, "Aalborg Kommune"),
        ("aalborg.police_ssp_coordinator", 1, "Nordjyllands Politi"),
    }
    assert {pos.role for pos in house.staffing} <= ROLES
    assert any("Rådgivning" in task.da for task in house.tasks)
    assert house.network is not None
    assert "politikredsens øvrige kommuner" in house.network.da


def test_action_group_has_example_areas() -> None:
    (group,) = hooks.ssp_register_action_groups()
    assert group.id == "aalborg.action_group"
    assert group.areas
    _by_id(list(group.areas))
    assert group.description is not None
    assert "eksempler" in group.description.da
    assert "examples" in group.description.en


def test_three_corps_with_their_orientations_and_tracks() -> None:
    corps = {c.id: (c.orientation, c.track) for c in hooks.ssp_register_corps()}
    assert corps == {
        "aalborg.mentor_corps": (CorpsOrientation.INDIVIDUAL, "aalborg.mentor"),
        "aalborg.parent_coach_corps": (CorpsOrientation.BOTH, "aalborg.parent_coach"),
        "aalborg.dialogue_ambassador_corps": (
            CorpsOrientation.GROUP,
            "aalborg.dialogue_ambassador",
        ),
    }


# --- Strategy -------------------------------------------------------------------


def test_strategy_has_five_goals_and_six_initiatives(strategy: Strategy) -> None:
    assert strategy.id == "aalborg.tryg_aalborg"
    assert strategy.labels.da == "Tryg Aalborg"
    assert len(strategy.goals) == 5
    assert [i.labels.da for i in strategy.initiatives] == [
        "Formidling",
        "Et trygt natteliv",
        "En meningsfuld hverdag",
        "Børn og unges trivsel og udvikling",
        "Tryghedsvandringer",
        "Tiltag til forebyggelse af radikalisering",
    ]
    assert strategy.problems() == []


def test_every_initiative_serves_known_goals_and_every_goal_is_served(strategy: Strategy) -> None:
    goal_ids = {goal.id for goal in strategy.goals}
    served: set[str] = set()
    for initiative in strategy.initiatives:
        assert initiative.goals, initiative.id
        assert set(initiative.goals) <= goal_ids, initiative.id
        served.update(initiative.goals)
    assert served == goal_ids


def test_sub_activities_are_under_their_initiatives(strategy: Strategy) -> None:
    activities = {i.labels.da: [a.labels.da for a in i.activities] for i in strategy.initiatives}
    assert activities["En meningsfuld hverdag"] == ["Uddannelse, beskæftigelse, sociale netværk"]
    assert activities["Børn og unges trivsel og udvikling"] == [
        "Rusmiddelseminar",
        "Drop-out elever",
    ]


def test_radicalisation_prevention_names_the_cards_and_tracks(strategy: Strategy) -> None:
    initiative = strategy.initiatives[-1]
    assert initiative.id == "radicalisation_prevention"
    assert initiative.workflows == (*WORKFLOWS, "core.advice_request")  # the INFO house
    for corps in hooks.ssp_register_corps():
        assert corps.track in initiative.workflows
    others = [i for i in strategy.initiatives if i is not initiative]
    assert all(not i.workflows for i in others)


def test_follow_up_has_the_safety_index_and_two_evaluations(strategy: Strategy) -> None:
    indicator = strategy.follow_up.indicators[0]
    assert indicator.id == "safety_index"
    assert indicator.measure == "safety_index"
    assert indicator.labels.da == "Tryghedsindekset"
    assert indicator.source is not None
    assert "Tryghedsundersøgelse" in indicator.source.da
    assert [e.da for e in strategy.follow_up.evaluations] == [
        "Evalueringer af de enkelte forløb",
        "Samlet evaluering og vurdering af udbygning i næste byrådsperiode",
    ]


# --- Privacy ----------------------------------------------------------------------


def test_civil_society_receives_no_notes_observations_or_identity() -> None:
    profiles = {
        p.partner_kind: set(p.field_groups) for p in hooks.ssp_register_disclosure_profiles()
    }
    for kind in ("mosque", "hometown_association", "youth_centre", "youth_club"):
        assert profiles[kind] == {FieldGroup.CASE}, kind
    assert profiles["police"] == profiles["social_services"] == set(FieldGroup)


def test_corps_members_see_only_their_own_track_and_no_worry_signs() -> None:
    grants = hooks.ssp_register_grants()
    for role in ("aalborg.mentor", "aalborg.parent_coach", "aalborg.dialogue_ambassador"):
        own = [g for g in grants if g.role == role]
        (track,) = [g for g in own if role in g.workflows]
        assert track.workflows == (role,)  # the track has the id of its role
        # Group-oriented corps also log their group activities (counts, no names).
        assert {g.workflows for g in own} <= {(role,), ("core.initiative_activity",)}
        for grant in own:
            assert grant.scope is Scope.ASSIGNED
            assert FieldGroup.OBSERVATIONS not in grant.field_groups
            assert FieldGroup.IDENTITY not in grant.field_groups
            assert FieldGroup.SUBJECT not in grant.field_groups or grant is track


def test_every_workflow_has_a_retention_rule_and_unfounded_worries_go_sooner() -> None:
    rules = _by_id(hooks.ssp_register_retention_rules())
    assert {r.workflow for r in rules.values() if r.outcome is None} == set(WORKFLOWS)
    for workflow in WORKFLOWS[:4]:
        general = rules[workflow]  # a rule has the id of its workflow
        unfounded = rules[f"{general.id}.unfounded"]
        assert (unfounded.workflow, unfounded.outcome) == (workflow, "closed_unfounded")
        closed = dt.date(2026, 3, 2)
        assert unfounded.due_on(closed) < general.due_on(closed)
