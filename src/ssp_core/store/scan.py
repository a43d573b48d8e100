"""Passes over many cases: their stored events (and keys), read in batches, in a given order.

Every pass over the store that needs more than the case index (the research export,
the facts evaluations count, the facts of safety-walk findings) reads through
:func:`scan_cases`, so the batch size and the order are decided in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import attrs

from ssp_core.store.base import CaseStore
from ssp_core.store.records import CaseRow, KeyRecord, StoredEvent

__all__ = ["SCAN_BATCH", "ScannedCase", "scan_cases"]

SCAN_BATCH = 500
"""How many cases one read of a pass asks the store for."""


@attrs.frozen
class ScannedCase:
    """One case of a pass: its index row, its stored events (oldest first), its key record.

    ``key`` is ``None`` when the pass did not ask for keys, or the case has none (it
    was erased, or stored before sealing).
    """

    row: CaseRow
    events: Sequence[StoredEvent]
    key: KeyRecord | None = None


def scan_cases(
    store: CaseStore,
    rows: Iterable[CaseRow],
    *,
    keys: bool = False,
    batch: int = SCAN_BATCH,
) -> Iterator[ScannedCase]:
    """Yield each case of ``rows``, in their order, with its events (and key record if ``keys``).

    The store is read ``batch`` cases at a time; a case without stored events is
    left out.
    """
    chosen = list(rows)
    for start in range(0, len(chosen), batch):
        chunk = chosen[start : start + batch]
        ids = [row.case_id for row in chunk]
        found = store.read_cases(ids)
        records = store.read_keys(ids) if keys else {}
        for row in chunk:
            events = found.get(row.case_id)
            if events:
                yield ScannedCase(row, events, records.get(row.case_id))
