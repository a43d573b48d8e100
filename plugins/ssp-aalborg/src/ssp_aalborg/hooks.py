"""The hook implementations of the Aalborg plugin: each reads its TOML file when called.

Nothing is read at import time. Files are read once per call; the registry calls
each hook once when it is built.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from ssp_core.plugins import (
    ActionGroup,
    ActivityKind,
    ActivityPlan,
    AgeBand,
    Corps,
    DisclosureProfile,
    FindingCategory,
    Grant,
    InfoHouse,
    Locality,
    Municipality,
    Partner,
    PartnerKind,
    ReferenceText,
    RenamedId,
    RetentionRule,
    Role,
    Situation,
    Strategy,
    WalkPlan,
    WorkflowDefinition,
    WorkflowExtension,
    WorrySignCatalogue,
    hookimpl,
    load_items,
    load_workflows,
    read_toml,
    structure,
)

__all__ = [
    "DATA",
    "ssp_register_action_groups",
    "ssp_register_activity_kinds",
    "ssp_register_age_bands",
    "ssp_register_catalogues",
    "ssp_register_corps",
    "ssp_register_disclosure_profiles",
    "ssp_register_example_activities",
    "ssp_register_example_walks",
    "ssp_register_finding_categories",
    "ssp_register_grants",
    "ssp_register_info_houses",
    "ssp_register_localities",
    "ssp_register_municipalities",
    "ssp_register_partner_kinds",
    "ssp_register_partners",
    "ssp_register_reference_texts",
    "ssp_register_renamed_ids",
    "ssp_register_retention_rules",
    "ssp_register_roles",
    "ssp_register_situations",
    "ssp_register_strategy",
    "ssp_register_workflows",
]

DATA = files("ssp_aalborg") / "data"
"""The folder of the plugin's TOML files."""


def _path(name: str) -> Path:
    with as_file(DATA / name) as path:
        return Path(path)


@hookimpl
def ssp_register_municipalities() -> list[Municipality]:
    """Register Aalborg Kommune, of Nordjyllands Politikreds: the home of all that follows."""
    return load_items(_path("municipality.toml"), "municipalities", Municipality)


@hookimpl
def ssp_register_renamed_ids() -> list[RenamedId]:
    """Register the plain ids of 0.1 that now live in the ``aalborg`` namespace."""
    return load_items(_path("renamed_ids.toml"), "renamed_ids", RenamedId)


@hookimpl
def ssp_register_roles() -> list[Role]:
    """Register Aalborg's roles: SSP consultants, the police SSP coordinator, corps members, ..."""
    return load_items(_path("roles.toml"), "roles", Role)


@hookimpl
def ssp_register_age_bands() -> list[AgeBand]:
    """Register Aalborg's age bands (under 18, 18 and over, and the SSP/SSP+ bands)."""
    return load_items(_path("age_bands.toml"), "age_bands", AgeBand)


@hookimpl
def ssp_register_situations() -> list[Situation]:
    """Register the situations that select an action card."""
    return load_items(_path("concerns.toml"), "situations", Situation)


@hookimpl
def ssp_register_catalogues() -> list[WorrySignCatalogue]:
    """Register the worry-sign help tool."""
    return load_items(_path("concerns.toml"), "catalogues", WorrySignCatalogue)


@hookimpl
def ssp_register_reference_texts() -> list[ReferenceText]:
    """Register the definitions of radicalisation and extremism, and the risk factors."""
    return load_items(_path("concerns.toml"), "reference_texts", ReferenceText)


@hookimpl
def ssp_register_partner_kinds() -> list[PartnerKind]:
    """Register partner kinds the core does not know."""
    return load_items(_path("partners.toml"), "partner_kinds", PartnerKind)


@hookimpl
def ssp_register_partners() -> list[Partner]:
    """Register Aalborg's partners in civil society and the safety walks."""
    return load_items(_path("partners.toml"), "partners", Partner)


@hookimpl
def ssp_register_info_houses() -> list[InfoHouse]:
    """Register INFO-huset and its staffing."""
    return load_items(_path("organisation.toml"), "info_houses", InfoHouse)


@hookimpl
def ssp_register_action_groups() -> list[ActionGroup]:
    """Register the action group of resource persons."""
    return load_items(_path("organisation.toml"), "action_groups", ActionGroup)


@hookimpl
def ssp_register_corps() -> list[Corps]:
    """Register the mentor, parent-coach and dialogue-ambassador corps."""
    return load_items(_path("organisation.toml"), "corps", Corps)


@hookimpl
def ssp_register_strategy() -> list[Strategy]:
    """Register the "Tryg Aalborg" strategy: goals, initiatives, follow-up."""
    path = _path("strategy.toml")
    return [structure(read_toml(path), Strategy, where=str(path))]


@hookimpl
def ssp_register_workflows() -> list[WorkflowDefinition | WorkflowExtension]:
    """Register the four action cards and the three prevention tracks, every version.

    Each extends a template of the national model in the core (or Aalborg's own
    track template, which does).
    """
    return load_workflows(_path("workflows"))


@hookimpl
def ssp_register_grants() -> list[Grant]:
    """Register who may do what: SSP consultants, the police, INFO house, corps, researchers."""
    return load_items(_path("privacy.toml"), "grants", Grant)


@hookimpl
def ssp_register_disclosure_profiles() -> list[DisclosureProfile]:
    """Register what each kind of partner may ever receive."""
    return load_items(_path("privacy.toml"), "disclosure_profiles", DisclosureProfile)


@hookimpl
def ssp_register_retention_rules() -> list[RetentionRule]:
    """Register when closed cases are erased, by workflow and outcome."""
    return load_items(_path("privacy.toml"), "retention_rules", RetentionRule)


@hookimpl
def ssp_register_localities() -> list[Locality]:
    """Register the localities of the seed's safety walks and of its civil-society activities."""
    return [
        *load_items(_path("walks.toml"), "localities", Locality),
        *load_items(_path("activities.toml"), "localities", Locality),
    ]


@hookimpl
def ssp_register_finding_categories() -> list[FindingCategory]:
    """Register the walk topics beyond crime prevention by design: traffic, fire pond, plantings."""
    return load_items(_path("walks.toml"), "finding_categories", FindingCategory)


@hookimpl
def ssp_register_example_walks() -> list[WalkPlan]:
    """Register the seed's three safety walks as example data (invented dates and findings)."""
    return load_items(_path("walks.toml"), "walks", WalkPlan)


@hookimpl
def ssp_register_activity_kinds() -> list[ActivityKind]:
    """Register Aalborg's own kind of initiative activity: the parent group meeting."""
    return load_items(_path("activities.toml"), "activity_kinds", ActivityKind)


@hookimpl
def ssp_register_example_activities() -> list[ActivityPlan]:
    """Register the seed's two civil-society activities as example data (no dates, no counts)."""
    return load_items(_path("activities.toml"), "activities", ActivityPlan)
