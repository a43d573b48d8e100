"""The application layer: every use case of ssp_core, one small module per family.

Two shared pieces carry what every use case needs:

* :class:`~ssp_core.application.gate.Gate` checks an operation against the grants
  (auditing a refusal), writes the audit log, and narrows lists of cases to what
  the role may see;
* :class:`~ssp_core.application.repository.CaseRepository` reads a case, loads it
  to change it, commits its new events with its index row, and announces them.

Over them, one module per family of use cases: :mod:`.reads` and :mod:`.commands`
(cases), :mod:`.identity`, :mod:`.disclosure`, :mod:`.walks`, :mod:`.retention`,
:mod:`.admin` (the store and the audit log), :mod:`.research` (exports),
:mod:`.evaluation`, :mod:`.migration`, :mod:`.coming_of_age` (people who turn 18
during a case) and :mod:`.guide` (the help tool, readable).
:class:`~ssp_core.application.casework.Casework` is the facade an embedding system
creates; a new use case goes in its family's module and gets a one-line method there.

The names below are imported on first use (PEP 562), so importing one module of
this package (the command line imports :mod:`.reads` to show a case) does not
import every family of use cases.

Nothing below this layer imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ssp_core.lazy import lazy_names

if TYPE_CHECKING:
    from ssp_core.application.admin import (
        RenamedUse,
        StoreAdministration,
        StoreInfo,
        StoreUpgrade,
        UpgradePlan,
        describe_store,
        plan_upgrade,
        upgrade_store_at,
    )
    from ssp_core.application.casework import Casework
    from ssp_core.application.coming_of_age import ComingOfAgeCases, ComingOfAgeRow
    from ssp_core.application.commands import CaseCommands
    from ssp_core.application.disclosure import DisclosureEntry, Disclosures
    from ssp_core.application.evaluation import EVALUATE, Evaluations
    from ssp_core.application.gate import CaseHead, Gate
    from ssp_core.application.guide import (
        GUIDE_SECTIONS,
        Guide,
        GuideDetail,
        GuideGroup,
        GuideItem,
        GuideSection,
        build_guide,
        guide_markdown,
    )
    from ssp_core.application.identity import Identities
    from ssp_core.application.migration import (
        MigrationItem,
        MigrationPlan,
        MigrationResult,
        Migrations,
    )
    from ssp_core.application.reads import CaseReads, CaseView
    from ssp_core.application.repository import (
        CaseRepository,
        Command,
        Loaded,
        sequential_ids,
        uuid_ids,
    )
    from ssp_core.application.research import ResearchExports
    from ssp_core.application.retention import Retention
    from ssp_core.application.services import Services
    from ssp_core.application.walks import SafetyWalks
    from ssp_core.domain.access import ADMINISTRATION, CASEWORK, RESEARCH, RETENTION

_PUBLIC: dict[str, str] = {
    **dict.fromkeys(
        (
            "RenamedUse",
            "StoreAdministration",
            "StoreInfo",
            "StoreUpgrade",
            "UpgradePlan",
            "build_guide",
            "describe_store",
            "guide_markdown",
            "plan_upgrade",
            "upgrade_store_at",
        ),
        "ssp_core.application.admin",
    ),
    "Casework": "ssp_core.application.casework",
    "CaseCommands": "ssp_core.application.commands",
    **dict.fromkeys(("ComingOfAgeCases", "ComingOfAgeRow"), "ssp_core.application.coming_of_age"),
    **dict.fromkeys(("DisclosureEntry", "Disclosures"), "ssp_core.application.disclosure"),
    **dict.fromkeys(("EVALUATE", "Evaluations"), "ssp_core.application.evaluation"),
    **dict.fromkeys(("CaseHead", "Gate"), "ssp_core.application.gate"),
    **dict.fromkeys(
        (
            "GUIDE_SECTIONS",
            "Guide",
            "GuideDetail",
            "GuideGroup",
            "GuideItem",
            "GuideSection",
            "build_guide",
            "guide_markdown",
        ),
        "ssp_core.application.guide",
    ),
    "Identities": "ssp_core.application.identity",
    **dict.fromkeys(
        ("MigrationItem", "MigrationPlan", "MigrationResult", "Migrations"),
        "ssp_core.application.migration",
    ),
    **dict.fromkeys(("CaseReads", "CaseView"), "ssp_core.application.reads"),
    **dict.fromkeys(
        ("CaseRepository", "Command", "Loaded", "sequential_ids", "uuid_ids"),
        "ssp_core.application.repository",
    ),
    "ResearchExports": "ssp_core.application.research",
    "Retention": "ssp_core.application.retention",
    "Services": "ssp_core.application.services",
    "SafetyWalks": "ssp_core.application.walks",
    **dict.fromkeys(
        ("ADMINISTRATION", "CASEWORK", "RESEARCH", "RETENTION"), "ssp_core.domain.access"
    ),
}
"""Each public name and the module it is defined in (imported on first use)."""

__all__ = [
    "ADMINISTRATION",
    "CASEWORK",
    "EVALUATE",
    "GUIDE_SECTIONS",
    "RESEARCH",
    "RETENTION",
    "CaseCommands",
    "CaseHead",
    "CaseReads",
    "CaseRepository",
    "CaseView",
    "Casework",
    "ComingOfAgeCases",
    "ComingOfAgeRow",
    "Command",
    "DisclosureEntry",
    "Disclosures",
    "Evaluations",
    "Gate",
    "Guide",
    "GuideDetail",
    "GuideGroup",
    "GuideItem",
    "GuideSection",
    "Identities",
    "Loaded",
    "MigrationItem",
    "MigrationPlan",
    "MigrationResult",
    "Migrations",
    "RenamedUse",
    "ResearchExports",
    "Retention",
    "SafetyWalks",
    "Services",
    "StoreAdministration",
    "StoreInfo",
    "StoreUpgrade",
    "UpgradePlan",
    "build_guide",
    "describe_store",
    "guide_markdown",
    "plan_upgrade",
    "sequential_ids",
    "upgrade_store_at",
    "uuid_ids",
]


__getattr__, __dir__ = lazy_names(__name__, _PUBLIC, globals(), __all__)
