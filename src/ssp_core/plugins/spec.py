"""Every hook of ssp_core, in one module: the contract between the core and its plugins.

Hooks come in two families:

* ``ssp_register_*`` contribute data (roles, partners, workflows, ...). Each returns
  an iterable of items; wrap an item in :func:`ssp_core.override` to replace an item
  with the same id from another plugin on purpose. They are called once, when the
  :class:`~ssp_core.plugins.registry.Registry` is built.
* ``ssp_after_*`` react to what happened (a case event, the registry being loaded).
  Their return value is ignored.

Hooks evolve by adding arguments only; an implementation may accept fewer arguments
than the spec names. Implement a hook with :data:`ssp_core.hookimpl`::

    from ssp_core import hookimpl


    @hookimpl
    def ssp_register_roles():
        return [Role(id="aalborg.mentor", labels=Labels(da="Mentor", en="Mentor"))]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import datetime as dt

    from ssp_core.domain.access import Grant, Purpose
    from ssp_core.domain.activities import ActivityKind, ActivityPlan
    from ssp_core.domain.cases import Case
    from ssp_core.domain.concerns import ReferenceText, Situation, WorrySignCatalogue
    from ssp_core.domain.disclosure import DisclosureProfile, LegalBasis
    from ssp_core.domain.district import Municipality, PoliceDistrict
    from ssp_core.domain.events import CaseEvent
    from ssp_core.domain.organisation import ActionGroup, Corps, InfoHouse, Partner, PartnerKind
    from ssp_core.domain.people import AgeBand
    from ssp_core.domain.renames import RenamedId
    from ssp_core.domain.retention import RetentionRule
    from ssp_core.domain.roles import Role
    from ssp_core.domain.strategy import Strategy
    from ssp_core.domain.walks import FindingCategory, Locality, WalkPlan
    from ssp_core.plugins.registry import Override, Registry
    from ssp_core.workflows.definition import WorkflowDefinition
    from ssp_core.workflows.engine import Deadline
    from ssp_core.workflows.extension import WorkflowExtension
    from ssp_core.workflows.guards import Guard

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "ssp_core"
"""The pluggy project name, which is also the entry-point group plugins register under."""

hookspec = pluggy.HookspecMarker(PROJECT)
"""Marks a hook specification (used in this module only)."""

hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a hook implementation in a plugin; re-exported as :data:`ssp_core.hookimpl`."""


# --------------------------------------------------------------------------------------
# Contributions of people and organisation
# --------------------------------------------------------------------------------------


@hookspec
def ssp_register_municipalities() -> Iterable[Municipality | Override[Municipality]]:  # type: ignore[empty-body]
    """Contribute the municipality this plugin belongs to (at most one per plugin).

    Everything the plugin contributes then belongs to that municipality: its roles
    act behind its walls, its cards open its cases. A plugin that contributes no
    municipality contributes shared data (like the core's partner kinds).

    :return: at most one municipality; its ``police_district`` must be registered.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_renamed_ids() -> Iterable[RenamedId]:  # type: ignore[empty-body]
    """Contribute the ids this plugin renamed, so histories written before still read.

    Each :class:`~ssp_core.domain.renames.RenamedId` says that what was stored as ``old``
    (a role, situation, locality, ...) is now the plugin's ``new``; the registry checks
    that ``new`` is this plugin's and ``old`` is no longer anybody's. Stored events
    keep their ids and are read with the new ones; ``ssp store upgrade`` records the
    renames in the store. An old id given by a user is refused with the new one named.

    :return: the renames, one per old id and kind.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_police_districts() -> Iterable[PoliceDistrict | Override[PoliceDistrict]]:  # type: ignore[empty-body]
    """Contribute police districts (the core registers Nordjyllands Politikreds).

    :return: police districts.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_roles() -> Iterable[Role | Override[Role]]:  # type: ignore[empty-body]
    """Contribute the roles actors act in, e.g. SSP consultant, mentor, researcher.

    :return: roles; ids must be unique across plugins.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_partner_kinds() -> Iterable[PartnerKind | Override[PartnerKind]]:  # type: ignore[empty-body]
    """Contribute kinds of partner (the core registers the common ones: mosque, school, ...).

    :return: partner kinds; ids must be unique across plugins.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_partners() -> Iterable[Partner | Override[Partner]]:  # type: ignore[empty-body]
    """Contribute partners: associations, clubs, schools, authorities, ...

    :return: partners; each names a registered partner kind.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_corps() -> Iterable[Corps | Override[Corps]]:  # type: ignore[empty-body]
    """Contribute prevention corps (mentors, parent coaches, dialogue ambassadors).

    :return: corps; each names the workflow id of the track it runs.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_info_houses() -> Iterable[InfoHouse | Override[InfoHouse]]:  # type: ignore[empty-body]
    """Contribute INFO houses with their staffing (roles must be registered).

    :return: INFO houses.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_action_groups() -> Iterable[ActionGroup | Override[ActionGroup]]:  # type: ignore[empty-body]
    """Contribute action groups: resource persons with specialised knowledge.

    :return: action groups.

    .. versionadded:: 0.1
    """


# --------------------------------------------------------------------------------------
# Contributions of concerns and reference data
# --------------------------------------------------------------------------------------


@hookspec
def ssp_register_catalogues() -> Iterable[WorrySignCatalogue | Override[WorrySignCatalogue]]:  # type: ignore[empty-body]
    """Contribute worry-sign catalogues (help tools), each with its source and version.

    :return: catalogues.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_reference_texts() -> Iterable[ReferenceText | Override[ReferenceText]]:  # type: ignore[empty-body]
    """Contribute reference texts shown to users, e.g. definitions of radicalisation.

    :return: reference texts, each with its source.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_situations() -> Iterable[Situation | Override[Situation]]:  # type: ignore[empty-body]
    """Contribute situations that select action cards, e.g. worry about radicalisation.

    :return: situations.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_age_bands() -> Iterable[AgeBand | Override[AgeBand]]:  # type: ignore[empty-body]
    """Contribute age bands (local data, not law), e.g. under 18 and 18+.

    :return: age bands.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_strategy() -> Iterable[Strategy | Override[Strategy]]:  # type: ignore[empty-body]
    """Contribute safety strategies: goals, initiatives and follow-up.

    :return: strategies (usually one per municipality).

    .. versionadded:: 0.1
    """


# --------------------------------------------------------------------------------------
# Contributions of workflows
# --------------------------------------------------------------------------------------


@hookspec
def ssp_register_workflows() -> Iterable[  # type: ignore[empty-body]
    WorkflowDefinition
    | WorkflowExtension
    | Override[WorkflowDefinition]
    | Override[WorkflowExtension]
]:
    """Contribute workflow definitions: action cards, prevention tracks, others.

    Each ``(id, version)`` must be unique across plugins. A
    :class:`~ssp_core.workflows.extension.WorkflowExtension` names the version it
    extends (e.g. a template of the national model, ``core.radicalisation_under_18``
    version 1) and what it changes; it is made into a definition when the registry is
    built. Every definition is validated then; problems raise
    :class:`~ssp_core.exceptions.ConfigError` naming the workflow and this plugin.

    :return: workflow definitions and extensions (load a folder of TOML files with
        :func:`ssp_core.loading.load_workflows`).

    .. versionadded:: 0.1
    """


@hookspec
def ssp_register_guards() -> Iterable[Guard | Override[Guard]]:  # type: ignore[empty-body]
    """Contribute guards implemented in code, for conditions data cannot express.

    A guard only reads a case. It must never score, rank or threshold a person.

    :return: guards; a workflow names them by id.

    .. versionadded:: 0.1
    """


# --------------------------------------------------------------------------------------
# Contributions of safety work
# --------------------------------------------------------------------------------------


@hookspec
def ssp_register_finding_categories() -> Iterable[  # type: ignore[empty-body]
    FindingCategory | Override[FindingCategory]
]:
    """Contribute categories of safety-walk findings (the core has crime prevention by design).

    :return: categories, e.g. traffic safety or a fire pond.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_localities() -> Iterable[Locality | Override[Locality]]:  # type: ignore[empty-body]
    """Contribute the localities safety walks are held in (villages, housing areas).

    :return: localities, each with an optional centre point.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_example_walks() -> Iterable[WalkPlan | Override[WalkPlan]]:  # type: ignore[empty-body]
    """Contribute example safety walks with their findings, for demos, tests and training.

    They are not in any store until imported
    (:meth:`ssp_core.application.casework.Casework.import_walk`, ``ssp walk import``).

    :return: walk plans naming registered localities, partners and categories.

    .. versionadded:: 0.2
    """


# --------------------------------------------------------------------------------------
# Contributions of initiatives' activities
# --------------------------------------------------------------------------------------


@hookspec
def ssp_register_activity_kinds() -> Iterable[ActivityKind | Override[ActivityKind]]:  # type: ignore[empty-body]
    """Contribute kinds of initiative activity (the core has visits, evening events, ...).

    :return: activity kinds, e.g. a parent group meeting.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_example_activities() -> Iterable[ActivityPlan | Override[ActivityPlan]]:  # type: ignore[empty-body]
    """Contribute example activities of the strategy's initiatives, for demos, tests and training.

    They are not in any store until imported
    (:meth:`ssp_core.application.activities.InitiativeActivities.import_example`,
    ``ssp initiative activity import``).

    :return: activity plans naming a registered strategy and one of its initiatives,
        a registered activity kind, partners and locality.

    .. versionadded:: 0.2
    """


# --------------------------------------------------------------------------------------
# Contributions of privacy and access
# --------------------------------------------------------------------------------------


@hookspec
def ssp_register_purposes() -> Iterable[Purpose | Override[Purpose]]:  # type: ignore[empty-body]
    """Contribute purposes personal data may be read or written for (the core has the common ones).

    :return: purposes; every call of the public API names one.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_grants() -> Iterable[Grant | Override[Grant]]:  # type: ignore[empty-body]
    """Contribute grants: which role may do which operations, on which workflows and fields.

    Anything no grant allows is refused with :class:`~ssp_core.exceptions.AccessDenied`.

    :return: grants (load TOML with :func:`ssp_core.loading.load_items`).

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_legal_bases() -> Iterable[LegalBasis | Override[LegalBasis]]:  # type: ignore[empty-body]
    """Contribute legal bases for disclosure, e.g. Retsplejeloven § 115, or consent.

    :return: legal bases; a disclosure must name one.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_disclosure_profiles() -> Iterable[  # type: ignore[empty-body]
    DisclosureProfile | Override[DisclosureProfile]
]:
    """Contribute disclosure profiles: the field groups each partner kind may ever receive.

    A partner kind without a profile receives nothing.

    :return: one profile per partner kind.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_register_retention_rules() -> Iterable[  # type: ignore[empty-body]
    RetentionRule | Override[RetentionRule]
]:
    """Contribute retention rules: when closed cases of a workflow (and outcome) are erased.

    :return: rules; a workflow without a rule is never erased (and is listed as such).

    .. versionadded:: 0.2
    """


# --------------------------------------------------------------------------------------
# Reactions
# --------------------------------------------------------------------------------------


@hookspec
def ssp_after_registry_loaded(registry: Registry) -> None:
    """React once the registry is built and validated, e.g. to check cross-plugin data.

    :param registry: the loaded world of contributions. Raise an error (e.g.
        :class:`~ssp_core.exceptions.ConfigError`) to refuse it; the caller receives a
        :class:`~ssp_core.exceptions.PluginError` naming your plugin, with your error
        as its cause.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_after_case_event(case: Case, event: CaseEvent, definition: WorkflowDefinition) -> None:
    """React after an event was recorded on a case, e.g. to notify a partner.

    Called once per event, after the event is part of the case's history; the event
    stands even if a hook fails.

    :param case: the case, with the event applied.
    :param event: the event just recorded.
    :param definition: the workflow definition version the case runs on.

    .. versionadded:: 0.1
    """


@hookspec
def ssp_after_deadline_missed(
    case: Case, deadline: Deadline, definition: WorkflowDefinition
) -> None:
    """Escalate a missed deadline, e.g. tell the SSP coordinator or the case's team leader.

    Called once per missed due date, after the :class:`~ssp_core.domain.events.DeadlineMissed`
    event is stored (by :meth:`ssp_core.Casework.record_missed_deadlines`, e.g. from
    ``ssp case overdue --record``); the event stands even if a hook fails.

    :param case: the case, with the missed deadline recorded.
    :param deadline: the deadline that was missed, with its labels.
    :param definition: the workflow definition version the case runs on.

    .. versionadded:: 0.2
    """


@hookspec
def ssp_after_coming_of_age(case: Case, on: dt.date, definition: WorkflowDefinition) -> None:
    """React when the person a case is about has turned 18 during it, e.g. tell the team.

    Called once per case, after the
    :class:`~ssp_core.domain.events.ComingOfAgeAnnounced` event is stored (by
    :meth:`ssp_core.Casework.record_coming_of_age`, e.g. from ``ssp case coming-of-age
    --record``); the event stands even if a hook fails. The case keeps its card: the
    rules do not change by themselves, a person decides what follows.

    :param case: the open case, with the announcement recorded; its subject was under
        18 on the concern day.
    :param on: the 18th birthday (29 February: 1 March in common years). It derives
        from the sealed birth date: treat it as the ``subject`` field group.
    :param definition: the workflow definition version the case runs on (unchanged).

    .. versionadded:: 0.2
    """
