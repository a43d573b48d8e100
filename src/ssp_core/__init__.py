"""ssp_core: case work for Danish municipal crime prevention (SSP, safety, radicalisation).

The public surface. Typical use::

    import ssp_core

    registry = ssp_core.load_registry()          # built-ins + installed plugins
    casework = ssp_core.Casework(registry)
    case = casework.open_concern(situation="radicalisation", subject=subject,
                                 concern_date=today, actor=actor)
    for option in casework.options(case.id, actor):
        print(option.trigger, option.allowed, [r.message for r in option.reasons])
"""

from __future__ import annotations

from collections.abc import Iterable

from ssp_core.clock import BusinessCalendar, Clock, SystemClock, VirtualClock, danish_calendar
from ssp_core.domain.access import FieldGroup, Grant, Purpose, Scope
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
from ssp_core.domain.cpr import Pseudonymiser, birth_date_from_cpr
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.disclosure import Consent, DisclosureProfile, LegalBasis
from ssp_core.domain.events import (
    Assigned,
    CaseEvent,
    CaseOpened,
    CaseResumed,
    CaseSuspended,
    DeadlineExtended,
    DeadlineMissed,
    Disclosure,
    FactRecorded,
    FindingAssigned,
    FindingRecorded,
    NoteAdded,
    ObservationRecorded,
    SessionRecorded,
    Transitioned,
    WalkPlanned,
    WorkflowMigrated,
)
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
from ssp_core.domain.people import AgeBand, Environment, Group, Subject, SubjectKind, age_on
from ssp_core.domain.redaction import ERASED, WITHHELD, Redacted, RedactedPerson
from ssp_core.domain.retention import RetentionPeriod, RetentionRule
from ssp_core.domain.roles import Actor, Role
from ssp_core.domain.strategy import FollowUp, Goal, Indicator, Initiative, Strategy, SubActivity
from ssp_core.domain.walks import (
    Coordinates,
    FindingCategory,
    FindingPlan,
    Locality,
    Place,
    WalkPlan,
)
from ssp_core.exceptions import (
    AccessDenied,
    CaseNotFound,
    ConcurrencyError,
    ConfigError,
    DataError,
    InvalidCpr,
    PluginError,
    SchemaError,
    SspError,
    StoreError,
    StoreUnavailable,
    TransitionRefused,
    UnknownId,
)
from ssp_core.loading import load_items, load_workflow
from ssp_core.migration import MigrationPlan, MigrationResult, migrate, plan_migration
from ssp_core.plugins.manager import PluginHost, PluginInfo, create_plugin_host
from ssp_core.plugins.registry import Override, Registry, override
from ssp_core.plugins.spec import hookimpl
from ssp_core.privacy.keys import MunicipalKey
from ssp_core.privacy.vault import Identity
from ssp_core.service import (
    CASEWORK,
    Casework,
    DisclosureEntry,
    DisclosureRefused,
    sequential_ids,
)
from ssp_core.store import AuditEntry, AuditQuery, CaseQuery, CaseRow, CaseStore, open_store
from ssp_core.walks import Finding, FindingFacts, Walk
from ssp_core.workflows.definition import (
    Applicability,
    DeadlineRule,
    FactSpec,
    GuardSpec,
    MigrationSpec,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowKind,
)
from ssp_core.workflows.engine import ActionRefused, Deadline, WorkflowEngine
from ssp_core.workflows.explain import Reason, TriggerOption
from ssp_core.workflows.guards import Guard

__version__ = "0.1.0"

__all__ = [
    "CASEWORK",
    "ERASED",
    "WITHHELD",
    "AccessDenied",
    "ActionGroup",
    "ActionRefused",
    "Actor",
    "AgeBand",
    "Applicability",
    "Assigned",
    "AuditEntry",
    "AuditQuery",
    "BusinessCalendar",
    "Case",
    "CaseEvent",
    "CaseNotFound",
    "CaseOpened",
    "CaseQuery",
    "CaseResumed",
    "CaseRow",
    "CaseStore",
    "CaseSuspended",
    "Casework",
    "Clock",
    "ConcurrencyError",
    "ConfigError",
    "Consent",
    "Coordinates",
    "Corps",
    "CorpsOrientation",
    "DataError",
    "Deadline",
    "DeadlineExtended",
    "DeadlineMissed",
    "DeadlineRule",
    "Disclosure",
    "DisclosureEntry",
    "DisclosureProfile",
    "DisclosureRefused",
    "DueDate",
    "Environment",
    "FactRecorded",
    "FactSpec",
    "FieldGroup",
    "Finding",
    "FindingAssigned",
    "FindingCategory",
    "FindingFacts",
    "FindingPlan",
    "FindingRecorded",
    "FollowUp",
    "Goal",
    "Grant",
    "Group",
    "Guard",
    "GuardSpec",
    "Identity",
    "Indicator",
    "InfoHouse",
    "Initiative",
    "InvalidCpr",
    "Labels",
    "LegalBasis",
    "Locality",
    "MigrationPlan",
    "MigrationResult",
    "MigrationSpec",
    "MunicipalKey",
    "NoteAdded",
    "Observation",
    "ObservationRecorded",
    "Override",
    "Partner",
    "PartnerKind",
    "Place",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "Pseudonymiser",
    "Purpose",
    "Reason",
    "Redacted",
    "RedactedPerson",
    "ReferenceText",
    "Registry",
    "ResourceArea",
    "RetentionPeriod",
    "RetentionRule",
    "Role",
    "SchemaError",
    "Scope",
    "SessionRecorded",
    "Situation",
    "Source",
    "SspError",
    "StaffPosition",
    "StateSpec",
    "StoreError",
    "StoreUnavailable",
    "Strategy",
    "SubActivity",
    "Subject",
    "SubjectKind",
    "SystemClock",
    "TransitionRefused",
    "TransitionSpec",
    "Transitioned",
    "TriggerOption",
    "UnknownId",
    "VirtualClock",
    "Walk",
    "WalkPlan",
    "WalkPlanned",
    "WorkflowDefinition",
    "WorkflowEngine",
    "WorkflowKind",
    "WorkflowMigrated",
    "WorrySign",
    "WorrySignCatalogue",
    "WorrySignLevel",
    "WorrySignScope",
    "__version__",
    "age_on",
    "birth_date_from_cpr",
    "create_plugin_host",
    "danish_calendar",
    "hookimpl",
    "load_items",
    "load_registry",
    "load_workflow",
    "migrate",
    "open_store",
    "override",
    "plan_migration",
    "sequential_ids",
]


def load_registry(
    *,
    autoload: bool | None = None,
    block: Iterable[str] = (),
    plugins: Iterable[object] = (),
) -> Registry:
    """Load the plugins and return the validated :class:`Registry` of everything they contribute.

    Arguments as for :func:`create_plugin_host`: ``autoload`` of entry-point plugins
    (default: yes, unless ``SSP_DISABLE_PLUGIN_AUTOLOAD`` is set), ``block`` names of
    plugins not to load, and ``plugins`` to register explicitly.
    """
    return Registry.build(create_plugin_host(autoload=autoload, block=block, plugins=plugins))
