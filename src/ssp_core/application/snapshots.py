"""Cases kept as folded, by version: a case read again reads only what was appended since.

A command reads its case before it writes, and a read replays the case's whole
history. :class:`CaseSnapshots` keeps the case each of the last ``size`` cases of
one :class:`~ssp_core.application.casework.Casework` folded into, at the version it
was read at, with its head (what the access check needs). The next read of that
case asks the store only for the events after that version
(:meth:`~ssp_core.store.base.CaseStore.read_case` with ``after``), checks access on
the head those events bring it to, and applies them to a copy of the kept case.

Why this is safe:

* A case's stored events are never changed once it has a data key (the event log
  is append-only; the one sanctioned rewrite, ``store seal``, is of histories that
  have no key yet), so the events up to a kept version fold into the same case.
* A kept case is found only with the data key and the field groups it was opened
  with: a reader who may see fewer groups never gets a case opened for one who may
  see more, and the key is read from the store on every read (a case whose key
  was erased is never found here).
* The kept case is never handed out: each reader gets a copy, so a command that
  applies events and then fails to commit leaves nothing behind.
* The access check runs on every read, on the head brought up to date.

Like the decoded events (:mod:`ssp_core.application.decoded`), the cases are held
in this process's memory only and dropped when the ``Casework`` is closed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import attrs

from ssp_core.application.gate import CaseHead
from ssp_core.domain.cases import Case

__all__ = ["SNAPSHOTS", "CaseSnapshots", "Snapshot"]

SNAPSHOTS = 2_000
"""How many cases a ``Casework`` keeps folded by default (0 keeps none)."""


@attrs.frozen
class Snapshot:
    """A case as folded at ``version``, with the key and field groups it was opened with."""

    version: int
    head: CaseHead
    key: bytes = attrs.field(repr=False)
    groups: frozenset[str]
    case: Case = attrs.field(repr=False)

    def fits(self, key: bytes, groups: frozenset[str]) -> bool:
        """Tell whether the kept case was opened with this data key for these field groups."""
        return self.key == key and self.groups == groups


class CaseSnapshots:
    """The most recently read cases of one ``Casework``, folded, at most ``size`` of them.

    :param size: how many cases to keep at most (the least recently read go first).
    """

    def __init__(self, size: int = SNAPSHOTS) -> None:
        self.size = size
        self._kept: OrderedDict[str, Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, case_id: str) -> Snapshot | None:
        """Return the snapshot kept of a case, if any."""
        with self._lock:
            found = self._kept.get(case_id)
            if found is not None:
                self._kept.move_to_end(case_id)
            return found

    def keep(self, head: CaseHead, key: bytes, groups: frozenset[str], case: Case) -> None:
        """Keep a copy of ``case`` as folded now (a newer one kept meanwhile stays)."""
        if self.size <= 0:
            return
        snapshot = Snapshot(case.version, head, key, groups, case.copy())
        with self._lock:
            found = self._kept.get(case.id)
            if found is not None and found.version > snapshot.version:
                return
            self._kept[case.id] = snapshot
            self._kept.move_to_end(case.id)
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def drop(self, case_id: str) -> None:
        """Forget the case (its key is gone, or it was read otherwise)."""
        with self._lock:
            self._kept.pop(case_id, None)

    def clear(self) -> None:
        """Forget every case."""
        with self._lock:
            self._kept.clear()
