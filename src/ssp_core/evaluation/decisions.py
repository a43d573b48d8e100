"""How often each way out of each state was taken: transitions counted, small cells suppressed.

:func:`transition_counts` counts the ``Transitioned`` events of a period by
workflow, the state left and the trigger fired, over every version of a workflow,
and suppresses the table with the rules of every published count
(:func:`ssp_core.privacy.suppression.suppress`: no count from 1 to 4, nor one a
reader could work out). It is what a scenario's decision shares are fitted from
(:mod:`ssp_core.simulation.fit`): aggregates over all cases, never anything about
one case. Only the events' types, times and non-personal fields are read; no key
is used.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection

from ssp_core.clock import local_date
from ssp_core.domain import events as ev
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.suppression import THRESHOLD, CountTable, SuppressedTable, suppress
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.scan import index_pass, scan_cases

__all__ = ["DECISION_DIMENSIONS", "transition_counts"]

DECISION_DIMENSIONS = ("trigger",)
"""The dimension of each state's table: the trigger fired (its total: the cases that left)."""

_TOPIC = "Transitioned"


def transition_counts(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    since: dt.date,
    until: dt.date,
    workflows: Collection[str] | None = None,
    municipalities: Collection[str] | None = None,
    threshold: int = THRESHOLD,
) -> dict[tuple[str, str], SuppressedTable]:
    """Return, per (workflow, state), the transitions out of it from ``since`` to ``until``.

    Each state's table counts the triggers fired from it, with their total (the
    transitions out of the state), over every version of the workflow, of the cases
    on ``workflows`` (all if None) of ``municipalities`` (all if None), by the Danish
    date of each transition (both ends included), and is suppressed on its own: a
    state's counts are never published summed across states, so no total over
    states can give a hidden count away. Workflows the registry does not know, and
    states left by no transition in the period, are left out.
    """
    known = {definition.id for definition in registry.workflows.values()}

    def keep(row: object) -> bool:
        workflow = getattr(row, "workflow", "")
        return workflow in known and (workflows is None or workflow in workflows)

    counts: dict[tuple[str, str], Counter[tuple[str, ...]]] = {}
    for case in scan_cases(store, index_pass(store, municipalities, keep)):
        for stored in case.events:
            if stored.topic != _TOPIC or not since <= local_date(stored.at) <= until:
                continue
            event = codec.decode(stored, readable=frozenset())  # no key: nothing is opened
            if isinstance(event, ev.Transitioned):
                found = counts.setdefault((case.row.workflow, event.source), Counter())
                found[(event.trigger,)] += 1
    return {
        key: suppress(CountTable(DECISION_DIMENSIONS, dict(found)), threshold)
        for key, found in sorted(counts.items())
    }
