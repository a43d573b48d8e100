"""The pluggy seam, and the public surface for plugin authors.

A plugin (see ``plugins/ssp-aalborg``) implements hooks of :mod:`ssp_core.plugins.spec`
with the :data:`hookimpl` marker and returns the items below: what a municipality
contributes (roles, partners, catalogues, cards and tracks, grants, legal bases,
retention rules, localities, activity kinds, ...), loaded from TOML with :func:`load_items` and
:func:`load_workflows` (a card or track that extends a template of the national model is a
:class:`~ssp_core.workflows.extension.WorkflowExtension`). Import them from here::

    from ssp_core.plugins import Partner, WorkflowDefinition, hookimpl, load_items

The loading machinery itself is in :mod:`~ssp_core.plugins.manager` (one factory,
:func:`~ssp_core.plugins.manager.create_plugin_host`) and
:mod:`~ssp_core.plugins.registry` (the validated world of contributions).
"""

from ssp_core.domain.access import FieldGroup, Grant, Purpose, Scope
from ssp_core.domain.activities import ActivityKind, ActivityPlan
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import (
    Observation,
    ReferenceText,
    Situation,
    Source,
    WorrySign,
    WorrySignCatalogue,
    WorrySignLevel,
    WorrySignScope,
)
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.disclosure import DisclosureProfile, DisclosureRule, LegalBasis
from ssp_core.domain.district import Municipality, PoliceDistrict, Reach
from ssp_core.domain.events import CaseEvent
from ssp_core.domain.labels import Labels
from ssp_core.domain.organisation import (
    ActionGroup,
    Corps,
    CorpsOrientation,
    InfoHouse,
    Partner,
    PartnerKind,
    ResourceArea,
    StaffPosition,
)
from ssp_core.domain.people import AgeBand, SubjectKind
from ssp_core.domain.renames import RenamedId
from ssp_core.domain.retention import RetentionPeriod, RetentionRule
from ssp_core.domain.roles import Role
from ssp_core.domain.strategy import FollowUp, Goal, Indicator, Initiative, Strategy, SubActivity
from ssp_core.domain.walks import FindingCategory, FindingPlan, Locality, WalkPlan
from ssp_core.loading import load_items, load_workflow, load_workflows, read_toml, structure
from ssp_core.plugins.manager import PluginHost, PluginInfo, create_plugin_host
from ssp_core.plugins.registry import Override, Registry, override
from ssp_core.plugins.spec import hookimpl
from ssp_core.workflows.definition import (
    Applicability,
    DeadlineRule,
    FactSpec,
    GuardSpec,
    Instruction,
    MigrationSpec,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowKind,
    WorkflowRef,
)
from ssp_core.workflows.engine import Deadline
from ssp_core.workflows.extension import Parts, Placement, Removals, WorkflowExtension
from ssp_core.workflows.guards import EventFacts, Guard, GuardView

__all__ = [
    "ActionGroup",
    "ActivityKind",
    "ActivityPlan",
    "AgeBand",
    "Applicability",
    "Case",
    "CaseEvent",
    "Corps",
    "CorpsOrientation",
    "Deadline",
    "DeadlineRule",
    "DisclosureProfile",
    "DisclosureRule",
    "DueDate",
    "EventFacts",
    "FactSpec",
    "FieldGroup",
    "FindingCategory",
    "FindingPlan",
    "FollowUp",
    "Goal",
    "Grant",
    "Guard",
    "GuardSpec",
    "GuardView",
    "Indicator",
    "InfoHouse",
    "Initiative",
    "Instruction",
    "Labels",
    "LegalBasis",
    "Locality",
    "MigrationSpec",
    "Municipality",
    "Observation",
    "Override",
    "Partner",
    "PartnerKind",
    "Parts",
    "Placement",
    "PluginHost",
    "PluginInfo",
    "PoliceDistrict",
    "Purpose",
    "Reach",
    "ReferenceText",
    "Registry",
    "Removals",
    "RenamedId",
    "ResourceArea",
    "RetentionPeriod",
    "RetentionRule",
    "Role",
    "Scope",
    "Situation",
    "Source",
    "StaffPosition",
    "StateSpec",
    "Strategy",
    "SubActivity",
    "SubjectKind",
    "TransitionSpec",
    "WalkPlan",
    "WorkflowDefinition",
    "WorkflowExtension",
    "WorkflowKind",
    "WorkflowRef",
    "WorrySign",
    "WorrySignCatalogue",
    "WorrySignLevel",
    "WorrySignScope",
    "create_plugin_host",
    "hookimpl",
    "load_items",
    "load_workflow",
    "load_workflows",
    "override",
    "read_toml",
    "structure",
]
