"""ssp_core: case work for Danish municipal crime prevention (SSP, safety, radicalisation).

The public surface for a system that embeds the library. Typical use::

    import ssp_core

    registry = ssp_core.load_registry()          # built-ins + installed plugins
    casework = ssp_core.Casework(registry, store="sqlite:///ssp.db", key=key)
    case = casework.open_concern(situation="aalborg.radicalisation", subject=subject,
                                 concern_date=today, actor=actor)
    for option in casework.options(case.id, actor):
        print(option.trigger, option.allowed, [r.message for r in option.reasons])

The names below are imported on first use, so ``import ssp_core`` loads almost
nothing. Everything else stays importable from its subpackage: the events from
:mod:`ssp_core.domain.events`, workflow definitions from
:mod:`ssp_core.workflows.definition`, what plugins contribute from
:mod:`ssp_core.plugins`, the use cases one by one from :mod:`ssp_core.application`.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

# A library logs and leaves the handling to the program (the CLI's --verbose, a
# service's own configuration): nothing is printed unless a handler is added.
logging.getLogger("ssp_core").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from ssp_core.application.casework import Casework
    from ssp_core.application.repository import sequential_ids
    from ssp_core.clock import BusinessCalendar, Clock, SystemClock, VirtualClock, danish_calendar
    from ssp_core.domain.access import CASEWORK
    from ssp_core.domain.cases import Case
    from ssp_core.domain.disclosure import Consent
    from ssp_core.domain.people import Environment, Group, Subject
    from ssp_core.domain.roles import Actor
    from ssp_core.domain.walks import Coordinates, Place
    from ssp_core.exceptions import (
        AccessDenied,
        ActionRefused,
        CardRefused,
        CaseNotFound,
        ConcurrencyError,
        ConfigError,
        DataError,
        DisclosureRefused,
        InvalidCpr,
        MovedSincePlan,
        PluginError,
        SchemaError,
        SealError,
        SspError,
        StoreError,
        StoreUnavailable,
        TransitionRefused,
        UnknownId,
    )
    from ssp_core.plugins.manager import PluginHost, create_plugin_host
    from ssp_core.plugins.registry import Registry, override
    from ssp_core.plugins.spec import hookimpl
    from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys
    from ssp_core.privacy.vault import Identity
    from ssp_core.store.base import CaseStore
    from ssp_core.store.records import AuditEntry, AuditQuery, CaseCursor, CaseQuery, CaseRow
    from ssp_core.store.url import open_store

__version__ = "0.2.0.dev0"

_ERRORS = (
    "AccessDenied",
    "ActionRefused",
    "CardRefused",
    "CaseNotFound",
    "ConcurrencyError",
    "ConfigError",
    "DataError",
    "DisclosureRefused",
    "InvalidCpr",
    "MovedSincePlan",
    "PluginError",
    "SchemaError",
    "SealError",
    "SspError",
    "StoreError",
    "StoreUnavailable",
    "TransitionRefused",
    "UnknownId",
)

_PUBLIC: dict[str, str] = {
    "CASEWORK": "ssp_core.domain.access",
    "Casework": "ssp_core.application.casework",
    "sequential_ids": "ssp_core.application.repository",
    "BusinessCalendar": "ssp_core.clock",
    "Clock": "ssp_core.clock",
    "SystemClock": "ssp_core.clock",
    "VirtualClock": "ssp_core.clock",
    "danish_calendar": "ssp_core.clock",
    "Case": "ssp_core.domain.cases",
    "Consent": "ssp_core.domain.disclosure",
    "Environment": "ssp_core.domain.people",
    "Group": "ssp_core.domain.people",
    "Subject": "ssp_core.domain.people",
    "Actor": "ssp_core.domain.roles",
    "Coordinates": "ssp_core.domain.walks",
    "Place": "ssp_core.domain.walks",
    **dict.fromkeys(_ERRORS, "ssp_core.exceptions"),
    "PluginHost": "ssp_core.plugins.manager",
    "create_plugin_host": "ssp_core.plugins.manager",
    "Registry": "ssp_core.plugins.registry",
    "override": "ssp_core.plugins.registry",
    "hookimpl": "ssp_core.plugins.spec",
    "MunicipalKey": "ssp_core.privacy.keys",
    "MunicipalKeys": "ssp_core.privacy.keys",
    "Identity": "ssp_core.privacy.vault",
    "CaseStore": "ssp_core.store.base",
    "AuditEntry": "ssp_core.store.records",
    "AuditQuery": "ssp_core.store.records",
    "CaseCursor": "ssp_core.store.records",
    "CaseQuery": "ssp_core.store.records",
    "CaseRow": "ssp_core.store.records",
    "open_store": "ssp_core.store.url",
}
"""Each public name and the module it is defined in (imported on first use)."""

_MOVED: dict[str, str] = {
    **dict.fromkeys(
        [
            "Assigned",
            "CaseEvent",
            "CaseOpened",
            "CaseResumed",
            "CaseSuspended",
            "DeadlineExtended",
            "DeadlineMissed",
            "Disclosure",
            "FactRecorded",
            "FindingAssigned",
            "FindingRecorded",
            "NoteAdded",
            "ObservationRecorded",
            "SessionRecorded",
            "Transitioned",
            "WalkPlanned",
            "WorkflowMigrated",
        ],
        "ssp_core.domain.events",
    ),
    **dict.fromkeys(
        [
            "ActionGroup",
            "AgeBand",
            "Corps",
            "CorpsOrientation",
            "DisclosureProfile",
            "FieldGroup",
            "FindingCategory",
            "Grant",
            "Guard",
            "InfoHouse",
            "Labels",
            "LegalBasis",
            "Locality",
            "Override",
            "Partner",
            "PartnerKind",
            "Purpose",
            "ReferenceText",
            "ResourceArea",
            "RetentionPeriod",
            "RetentionRule",
            "Role",
            "Scope",
            "Situation",
            "Source",
            "StaffPosition",
            "Strategy",
            "SubActivity",
            "SubjectKind",
            "WalkPlan",
            "FindingPlan",
            "FollowUp",
            "Goal",
            "Indicator",
            "Initiative",
            "WorrySign",
            "WorrySignCatalogue",
            "WorrySignLevel",
            "WorrySignScope",
            "Observation",
            "DueDate",
            "PluginInfo",
            "load_items",
            "load_workflow",
            "Applicability",
            "DeadlineRule",
            "FactSpec",
            "GuardSpec",
            "MigrationSpec",
            "StateSpec",
            "TransitionSpec",
            "WorkflowDefinition",
            "WorkflowKind",
        ],
        "ssp_core.plugins",
    ),
    **dict.fromkeys(
        ("ERASED", "WITHHELD", "Redacted", "RedactedPerson"), "ssp_core.domain.redaction"
    ),
    **dict.fromkeys(("Pseudonymiser", "birth_date_from_cpr"), "ssp_core.domain.cpr"),
    "age_on": "ssp_core.domain.people",
    **dict.fromkeys(("Deadline", "WorkflowEngine"), "ssp_core.workflows.engine"),
    **dict.fromkeys(("Reason",), "ssp_core.exceptions"),
    "TriggerOption": "ssp_core.workflows.explain",
    **dict.fromkeys(("Finding", "FindingFacts", "Walk"), "ssp_core.walks"),
    **dict.fromkeys(
        ("DisclosureEntry", "MigrationPlan", "MigrationResult"), "ssp_core.application"
    ),
}
"""Names the top level offered in 0.1 and where they live now (served with a warning)."""

__all__ = [
    "CASEWORK",
    "AccessDenied",
    "ActionRefused",
    "Actor",
    "AuditEntry",
    "AuditQuery",
    "BusinessCalendar",
    "CardRefused",
    "Case",
    "CaseCursor",
    "CaseNotFound",
    "CaseQuery",
    "CaseRow",
    "CaseStore",
    "Casework",
    "Clock",
    "ConcurrencyError",
    "ConfigError",
    "Consent",
    "Coordinates",
    "DataError",
    "DisclosureRefused",
    "Environment",
    "Group",
    "Identity",
    "InvalidCpr",
    "MovedSincePlan",
    "MunicipalKey",
    "MunicipalKeys",
    "Place",
    "PluginError",
    "PluginHost",
    "Registry",
    "SchemaError",
    "SealError",
    "SspError",
    "StoreError",
    "StoreUnavailable",
    "Subject",
    "SystemClock",
    "TransitionRefused",
    "UnknownId",
    "VirtualClock",
    "__version__",
    "create_plugin_host",
    "danish_calendar",
    "hookimpl",
    "load_registry",
    "open_store",
    "override",
    "sequential_ids",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use; serve a name of 0.1 from its new home, with a warning."""
    module = _PUBLIC.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    moved = _MOVED.get(name)
    if moved is not None:
        warnings.warn(
            f"ssp_core.{name} is no longer part of the top-level surface (since 0.2); "
            f"import it from {moved}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(moved), name)
    raise AttributeError(f"module 'ssp_core' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    from ssp_core.plugins.manager import create_plugin_host  # noqa: PLC0415 (on first use)
    from ssp_core.plugins.registry import Registry  # noqa: PLC0415

    return Registry.build(create_plugin_host(autoload=autoload, block=block, plugins=plugins))
