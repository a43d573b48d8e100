"""What evaluations count of advice requests: quarter, kind of asker and outcome, nothing else.

Reads the case index and each request's :class:`~ssp_core.domain.events.AdviceRequested`
without any key: the kind of asker (the partner kind the asker's role acts as, or the
role) and the INFO house are readable, the question is sealed. A request names no one,
so nothing here is about a person; the table still hides small counts like every other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence

import attrs

from ssp_core.clock import local_date
from ssp_core.domain.events import AdviceRequested
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.suppression import THRESHOLD, CountTable, SuppressedTable, suppress
from ssp_core.privacy.tables import OPEN, quarter_of
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.scan import index_pass, scan_cases
from ssp_core.workflows.definition import WorkflowKind

__all__ = ["ADVICE_DIMENSIONS", "AdviceFacts", "advice_facts", "advice_table"]

ADVICE_DIMENSIONS = ("asker", "outcome", "quarter")
"""The dimensions of the advice-requests table."""


@attrs.frozen
class AdviceFacts:
    """One advice request as evaluations count it: when, by what kind of asker, with what outcome.

    ``outcome`` is the final state it reached (``closed``, ``referred_to_police``,
    ``became_concern``, ``withdrawn``), or ``None`` while it is open.
    """

    workflow: str
    asked: dt.date
    asker: str
    info_house: str
    outcome: str | None


def advice_facts(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
    municipalities: Collection[str] | None = None,
) -> list[AdviceFacts]:
    """Return the facts of every advice request in the store (no access check, no key).

    ``workflows`` and ``municipalities`` limit them (``None``: all). Callers check the
    actor's permission first, as :meth:`~ssp_core.application.casework.Casework.evaluate`
    does. Requests on a workflow no plugin registers any more are left out.
    """
    rows = index_pass(
        store, municipalities, registry.of_kind(WorkflowKind.ADVICE_REQUEST, workflows)
    )
    facts: list[AdviceFacts] = []
    for case in scan_cases(store, rows):
        asked = next(
            (
                event
                for stored in case.events[1:2]
                if isinstance(event := codec.decode(stored, readable=set()), AdviceRequested)
            ),
            None,
        )
        if asked is None:
            continue
        row = case.row
        facts.append(
            AdviceFacts(
                workflow=row.workflow,
                asked=local_date(row.opened_at),
                asker=asked.asker_kind,
                info_house=asked.info_house,
                outcome=row.state if row.closed_at is not None else None,
            )
        )
    return facts


def advice_table(
    facts: Iterable[AdviceFacts],
    quarters: Sequence[str],
    *,
    outcomes: Sequence[str] = (),
    askers: Sequence[str] = (),
    threshold: int = THRESHOLD,
) -> SuppressedTable | None:
    """Return advice requests per kind of asker, outcome and quarter asked, suppressed.

    ``facts`` are the requests of the period; ``quarters`` its quarters (``2026-Q1``);
    ``outcomes`` the final states always shown (then any other seen, then ``open``);
    ``askers`` the kinds of asker always shown (then any other seen). ``None`` if
    ``quarters`` is empty.
    """
    counts: dict[tuple[str, ...], int] = {}
    for fact in facts:
        key = (fact.asker, fact.outcome or OPEN, quarter_of(fact.asked))
        counts[key] = counts.get(key, 0) + 1
    if not quarters:
        return None
    seen = sorted({key[1] for key in counts} - {*outcomes, OPEN})
    levels = {
        "asker": list(dict.fromkeys([*askers, *sorted({key[0] for key in counts})])),
        "outcome": [*(o for o in outcomes if o != OPEN), *seen, OPEN],
        "quarter": sorted({*quarters, *(key[2] for key in counts)}),
    }
    if not levels["asker"]:
        return None
    return suppress(CountTable(ADVICE_DIMENSIONS, counts, levels=levels), threshold)
