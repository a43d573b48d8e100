"""A second municipality for the tests of a police district: Hjørring, as a one-module plugin.

TEST DATA. Hjørring Kommune (municipality code 860, Nordjyllands Politikreds) is real;
its roles, action cards, track, partners, grants, legal bases and retention rules here
are invented for the tests and are not Hjørring Kommune's real procedures.

Every id it contributes is namespaced ``hjoerring.``, so it loads beside Aalborg's
plugin without a clash. The TOML files are in ``hjoerring_data/`` beside this module
and are read when a hook is called, never at import time. Register the module
explicitly (``make_registry(hjoerring)``); its name is :data:`plugin_name`.
"""

from __future__ import annotations

from pathlib import Path

from ssp_core.plugins import (
    AgeBand,
    DisclosureProfile,
    Grant,
    Guard,
    GuardView,
    Labels,
    Municipality,
    Partner,
    RetentionRule,
    Role,
    Situation,
    WorkflowDefinition,
    hookimpl,
    load_items,
    load_workflow,
)

__all__ = [
    "DATA",
    "MUNICIPALITY",
    "plugin_name",
    "session_in_this_state",
    "ssp_register_age_bands",
    "ssp_register_disclosure_profiles",
    "ssp_register_grants",
    "ssp_register_guards",
    "ssp_register_municipalities",
    "ssp_register_partners",
    "ssp_register_retention_rules",
    "ssp_register_roles",
    "ssp_register_situations",
    "ssp_register_workflows",
]

plugin_name = "hjoerring"
"""The plugin's name when registered explicitly (see ``create_plugin_host``)."""

MUNICIPALITY = "hjoerring"
"""The id of the municipality this plugin belongs to, and the namespace of its ids."""

DATA = Path(__file__).with_name("hjoerring_data")
"""The folder of the plugin's TOML files."""


@hookimpl
def ssp_register_municipalities() -> list[Municipality]:
    """Register Hjørring Kommune, of Nordjyllands Politikreds: the home of all that follows."""
    return load_items(DATA / "municipality.toml", "municipalities", Municipality)


@hookimpl
def ssp_register_roles() -> list[Role]:
    """Register the (invented) roles, one of them reaching across the police district."""
    return load_items(DATA / "roles.toml", "roles", Role)


@hookimpl
def ssp_register_age_bands() -> list[AgeBand]:
    """Register the age bands that select the cards: under 18, 18 and over."""
    return load_items(DATA / "age_bands.toml", "age_bands", AgeBand)


@hookimpl
def ssp_register_situations() -> list[Situation]:
    """Register the situation that selects the cards."""
    return load_items(DATA / "concerns.toml", "situations", Situation)


@hookimpl
def ssp_register_partners() -> list[Partner]:
    """Register the (invented) partners: the police, a school, a mosque."""
    return load_items(DATA / "partners.toml", "partners", Partner)


@hookimpl
def ssp_register_workflows() -> list[WorkflowDefinition]:
    """Register the two action cards and the mentor track."""
    return [load_workflow(path) for path in sorted((DATA / "workflows").glob("*.toml"))]


def session_in_this_state(case: GuardView) -> bool:
    """Hold when a session was recorded since the case entered its current state."""
    return any(
        event.kind == "SessionRecorded" and event.at >= case.entered_at for event in case.events
    )


@hookimpl
def ssp_register_guards() -> list[Guard]:
    """Register the guard in code of the mentor track, namespaced like every other id."""
    return [
        Guard(
            id="hjoerring.session_in_this_state",
            labels=Labels(
                da="Mindst én session i denne fase", en="At least one session in this phase"
            ),
            check=session_in_this_state,
        )
    ]


@hookimpl
def ssp_register_grants() -> list[Grant]:
    """Register who may do what; the police liaison's grant reaches the whole district."""
    return load_items(DATA / "privacy.toml", "grants", Grant)


@hookimpl
def ssp_register_disclosure_profiles() -> list[DisclosureProfile]:
    """Register what the police and a mosque may ever receive of Hjørring's cases."""
    return load_items(DATA / "privacy.toml", "disclosure_profiles", DisclosureProfile)


@hookimpl
def ssp_register_retention_rules() -> list[RetentionRule]:
    """Register one retention rule per workflow."""
    return load_items(DATA / "privacy.toml", "retention_rules", RetentionRule)
