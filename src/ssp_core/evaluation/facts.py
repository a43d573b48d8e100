"""What an evaluation counts, read from the case store without opening anything personal.

:func:`~ssp_core.privacy.tables.case_facts` of the research export gives each case's
workflow, opening date, age at the concern and outcome. :func:`first_actions` adds,
for the cases on action cards, the concern date and the date of the first step
taken on the card (the case's first ``Transitioned`` event). Both read the store in
batches, decode only the opening event, and withhold every personal field: no key
is used.
:func:`walk_findings` gives the safety-walk findings (``ssp_core.walks.finding_facts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import attrs

from ssp_core.clock import local_date
from ssp_core.domain import events as ev
from ssp_core.exceptions import DataError
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.tables import CaseFacts, case_facts
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.records import CaseRow, StoredEvent
from ssp_core.store.scan import index_pass, scan_cases
from ssp_core.walks import FindingFacts, finding_facts
from ssp_core.workflows.definition import WorkflowKind

__all__ = [
    "FIRST_ACTION_TOPIC",
    "CaseFacts",
    "FindingFacts",
    "FirstAction",
    "case_facts",
    "first_actions",
    "walk_findings",
]

FIRST_ACTION_TOPIC = "Transitioned"
"""The event that counts as the first action on a case: the first step on its workflow."""


@attrs.frozen
class FirstAction:
    """When a concern on an action card arose and when the card's first step was taken.

    ``concern`` is the concern date given at the opening, else the opening date;
    ``acted`` the Danish date of the first ``Transitioned`` event, ``None`` while no
    step has been taken. Nothing personal: no id, no person, no text.
    """

    workflow: str
    opened: dt.date
    concern: dt.date
    acted: dt.date | None

    @property
    def days(self) -> int | None:
        """Return the days from the concern to the first action (``None`` if none yet)."""
        return None if self.acted is None else (self.acted - self.concern).days


def _first_action(codec: EventCodec, row: CaseRow, stored: Sequence[StoredEvent]) -> FirstAction:
    opening = codec.decode(stored[0], readable=frozenset())  # no key: nothing is opened
    if not isinstance(opening, ev.CaseOpened):
        raise DataError(f"the first event of case {row.case_id} is not its opening")
    opened = local_date(opening.at)
    acted = next((local_date(s.at) for s in stored if s.topic == FIRST_ACTION_TOPIC), None)
    return FirstAction(
        workflow=row.workflow,
        opened=opened,
        concern=opening.concern_date or opened,
        acted=acted,
    )


def first_actions(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
    municipalities: Collection[str] | None = None,
) -> list[FirstAction]:
    """Return a :class:`FirstAction` for every case on an action card (on ``workflows`` only).

    Cases on a workflow the registry does not know are left out. Only the opening of
    each case is decoded, with every personal field withheld; the first action is
    found by the events' types and times alone.
    """
    rows = index_pass(store, municipalities, registry.of_kind(WorkflowKind.ACTION_CARD, workflows))
    return [_first_action(codec, case.row, case.events) for case in scan_cases(store, rows)]


def walk_findings(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
    municipalities: Collection[str] | None = None,
) -> list[FindingFacts]:
    """Return the facts of the safety-walk findings (on ``workflows`` only, if given).

    A limit that names no workflow of kind ``safety_finding`` leaves no finding.
    """
    if workflows is not None and not any(
        definition.kind is WorkflowKind.SAFETY_FINDING and definition.id in workflows
        for definition in registry.workflows.values()
    ):
        return []
    return finding_facts(store, codec, registry, municipalities=municipalities)
