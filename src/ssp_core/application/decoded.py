"""Decoded events, kept for a while: a case read again is not decoded and decrypted again.

Turning a stored row into an event (JSON, the sealed envelope opened with the case's
data key, the event class structured) is most of the work of reading a case, and of
a command, which reads the case before it writes. Stored rows never change (the
event log is append-only), so the event a row decodes into is the same each time it
is read with the same key and for the same field groups. :class:`DecodedEvents`
keeps the most recently decoded events of one
:class:`~ssp_core.application.casework.Casework`, at most ``size`` of them.

What a kept event is found by is everything its decoding depends on: the stored
row (its place in this store's log, which fixes its case, version, type, time, actor
and role, and its data, so a row rewritten by ``store seal`` is a new row), the
field groups the reader may see (a reader who may see fewer never gets an event
opened for one who may see more), and the case's data key itself (no event is found
without the key that opened it; once a case is erased its key is gone and its rows
are decoded as erased, never looked up here).
The events are held in this process's memory only, as the keyring holds opened data
keys, and are dropped when the ``Casework`` is closed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence

from ssp_core.domain.cases import Case
from ssp_core.domain.events import CaseEvent
from ssp_core.store.codec import EventCodec
from ssp_core.store.records import StoredEvent

__all__ = ["DECODED_EVENTS", "DecodedEvents"]

DECODED_EVENTS = 10_000
"""How many decoded events a ``Casework`` keeps by default (0 keeps none)."""

_Key = tuple[int, str, frozenset[str] | None, bytes]


class DecodedEvents:
    """The most recently decoded events of one ``Casework``, by stored row, groups and key.

    :param codec: decodes what is not kept.
    :param size: how many events to keep at most (the least recently used go first).
    """

    def __init__(self, codec: EventCodec, size: int = DECODED_EVENTS) -> None:
        self.codec = codec
        self.size = size
        self._kept: OrderedDict[_Key, CaseEvent] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def replay(
        self, rows: Sequence[StoredEvent], key: bytes, readable: Collection[str] | None
    ) -> Case:
        """Fold a case from its rows, opening the sealed fields of ``readable`` with ``key``."""
        if self.size <= 0:
            return self.codec.replay(rows, key=key, readable=readable)
        groups = None if readable is None else frozenset(readable)
        return Case.replay([self.event(row, key, groups) for row in rows])

    def event(self, row: StoredEvent, key: bytes, groups: frozenset[str] | None) -> CaseEvent:
        """Return the event a row decodes into, opening the sealed fields of ``groups``."""
        if row.position is None or self.size <= 0:  # not a stored row: decoded, never kept
            return self.codec.decode(row, key=key, readable=groups)
        found_key = (row.position, row.data, groups, key)
        kept, lock = self._kept, self._lock
        with lock:
            event = kept.get(found_key)
            if event is not None:
                kept.move_to_end(found_key)
                return event
        event = self.codec.decode(row, key=key, readable=groups)
        with lock:
            kept[found_key] = event
            if len(kept) > self.size:
                kept.popitem(last=False)
        return event

    def clear(self) -> None:
        """Drop every kept event."""
        with self._lock:
            self._kept.clear()
