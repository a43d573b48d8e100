"""What evaluations count of safety-walk findings: nothing but readable, non-personal fields.

Reads the case index and each finding's first two events (its opening and the
:class:`~ssp_core.domain.events.FindingRecorded`) without any key: the category,
the walk, the locality and the dates are not sealed, the description is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import attrs

from ssp_core.clock import local_date
from ssp_core.domain.events import CaseOpened, FindingRecorded
from ssp_core.domain.people import Environment
from ssp_core.plugins.registry import Registry
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.records import StoredEvent
from ssp_core.store.scan import index_pass, scan_cases
from ssp_core.workflows.definition import WorkflowKind

__all__ = ["FindingFacts", "finding_facts"]


@attrs.frozen
class FindingFacts:
    """One finding as evaluations count it: its walk, locality, category, date and outcome.

    ``outcome`` is the final state it reached (``resolved``, ``declined``), or
    ``None`` while it is followed up; ``closed`` is the local date it got there.
    """

    walk: str
    locality: str
    category: str
    reported: dt.date
    outcome: str | None
    closed: dt.date | None = None


def _locality(codec: EventCodec, opening: StoredEvent) -> str:
    event = codec.decode(opening, readable=set())
    subject = event.subject if isinstance(event, CaseOpened) else None
    return subject.id if isinstance(subject, Environment) else ""


def finding_facts(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    municipalities: Collection[str] | None = None,
) -> list[FindingFacts]:
    """Return the facts of every finding in the store, by case id (no access check, no key).

    ``municipalities`` limits them to the findings of these municipalities (``None``: all).

    Callers check the actor's permission first (as
    :meth:`~ssp_core.application.casework.Casework.evaluate` does). Findings on a workflow no
    plugin registers any more are left out.
    """
    rows = index_pass(store, municipalities, registry.of_kind(WorkflowKind.SAFETY_FINDING))
    facts: list[FindingFacts] = []
    for case in scan_cases(store, rows):
        recorded = next(
            (
                event
                for stored in case.events[1:3]
                if isinstance(event := codec.decode(stored, readable=set()), FindingRecorded)
            ),
            None,
        )
        if recorded is None:
            continue
        row = case.row
        facts.append(
            FindingFacts(
                walk=recorded.walk,
                locality=_locality(codec, case.events[0]),
                category=recorded.category,
                reported=local_date(row.opened_at),
                outcome=row.state if row.closed_at is not None else None,
                closed=local_date(row.closed_at) if row.closed_at is not None else None,
            )
        )
    return facts
