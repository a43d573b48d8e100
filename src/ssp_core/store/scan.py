"""Passes over many cases: their stored events (and keys), read in batches, in a given order.

Every pass over the store that needs more than the case index (the research export,
the facts evaluations count, the facts of safety-walk findings) reads through
:func:`scan_cases`, so the batch size and the order are decided in one place; the
index rows come streamed from :func:`index_pass`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

import attrs

from ssp_core.store.base import CaseStore
from ssp_core.store.records import CaseQuery, CaseRow, KeyRecord, StoredEvent

__all__ = ["SCAN_BATCH", "ScannedCase", "index_pass", "scan_cases", "scan_ids"]

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


def index_pass(
    store: CaseStore,
    municipalities: Collection[str] | None,
    keep: Callable[[CaseRow], bool] | None = None,
) -> Iterator[CaseRow]:
    """Yield the index rows of the cases of ``municipalities`` (``None``: all) that ``keep`` keeps.

    Streamed (:meth:`~ssp_core.store.base.CaseStore.iter_cases`), in the index's order:
    a pass over a million cases never holds their rows at once.
    """
    query = CaseQuery(municipalities=None if municipalities is None else frozenset(municipalities))
    rows = store.iter_cases(query)
    return rows if keep is None else (row for row in rows if keep(row))


def scan_cases(
    store: CaseStore,
    rows: Iterable[CaseRow],
    *,
    keys: bool = False,
    batch: int = SCAN_BATCH,
) -> Iterator[ScannedCase]:
    """Yield each case of ``rows``, in their order, with its events (and key record if ``keys``).

    The store is read ``batch`` cases at a time, and ``rows`` as far as each batch
    needs (a stream stays a stream); a case without stored events is left out.
    """
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, batch)):
        found, records = _read(store, [row.case_id for row in chunk], keys=keys)
        for row in chunk:
            events = found.get(row.case_id)
            if events:
                yield ScannedCase(row, events, records.get(row.case_id))


def scan_ids(
    store: CaseStore, case_ids: Iterable[str], *, keys: bool = False, batch: int = SCAN_BATCH
) -> Iterator[tuple[str, list[StoredEvent], KeyRecord | None]]:
    """Yield (case id, events, key record) of each of ``case_ids``, as :func:`scan_cases` does."""
    iterator = iter(case_ids)
    while chunk := list(itertools.islice(iterator, batch)):
        found, records = _read(store, chunk, keys=keys)
        for case_id in chunk:
            events = found.get(case_id)
            if events:
                yield case_id, events, records.get(case_id)


def _read(
    store: CaseStore, case_ids: list[str], *, keys: bool
) -> tuple[dict[str, list[StoredEvent]], dict[str, KeyRecord]]:
    """Read the events of a batch of cases (and their key rows if ``keys``)."""
    return store.read_cases(case_ids), store.read_keys(case_ids) if keys else {}
