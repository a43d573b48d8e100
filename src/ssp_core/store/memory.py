"""The in-process store (``memory://``): for tests, scenarios and simulations.

It keeps the same rules as the durable stores (a version is written once, a commit
is all or nothing, positions follow commit order) but nothing outlives the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

import attrs

from ssp_core.exceptions import ConcurrencyError, StoreError
from ssp_core.store.base import SCHEMA_VERSION, CaseStore
from ssp_core.store.records import AuditEntry, AuditQuery, CaseQuery, CaseRow, Commit, StoredEvent
from ssp_core.store.select import audit_matches, case_matches, case_order, follows
from ssp_core.store.sql import gap_error

__all__ = ["MemoryStore"]


class MemoryStore(CaseStore):
    """A case store held in memory by this process."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._lock = threading.Lock()
        self._events: dict[str, list[StoredEvent]] = {}
        self._log: list[StoredEvent] = []
        self._cases: dict[str, CaseRow] = {}
        self._audit: list[AuditEntry] = []
        self._closed = False

    def _check(self) -> None:
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")

    def append(self, commit: Commit) -> tuple[int, ...]:
        """Write a commit atomically; see :meth:`CaseStore.append`."""
        with self._lock:
            self._check()
            events = sorted(commit.events, key=lambda e: (e.case_id, e.version))
            for event in events:
                if event.version <= len(self._events.get(event.case_id, ())):
                    raise ConcurrencyError(event.case_id, event.version)
            for case_id, previous in follows(events):
                written = len(self._events.get(case_id, ()))
                if written != previous:
                    raise gap_error(case_id, written + 1, previous + 1)
            positions = []
            start = len(self._log)
            for offset, event in enumerate(events):
                stored = attrs.evolve(event, position=start + offset + 1)
                self._events.setdefault(event.case_id, []).append(stored)
                self._log.append(stored)
                positions.append(stored.position)
            for row in commit.cases:
                self._cases[row.case_id] = row
            self._store_audit(commit.audit)
            return tuple(p for p in positions if p is not None)

    def _store_audit(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self._audit.append(attrs.evolve(entry, id=len(self._audit) + 1))

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries of reads."""
        with self._lock:
            self._check()
            self._store_audit(entries)

    def read_case(self, case_id: str) -> list[StoredEvent]:
        """Return the events of one case in version order."""
        with self._lock:
            self._check()
            return list(self._events.get(case_id, ()))

    def read_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Return the events of several cases."""
        with self._lock:
            self._check()
            return {cid: list(self._events[cid]) for cid in case_ids if cid in self._events}

    def read_log(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Return events after position ``after``."""
        with self._lock:
            self._check()
            events = self._log[after:]
            return events if limit is None else events[:limit]

    def max_position(self) -> int:
        """Return the highest position written."""
        with self._lock:
            self._check()
            return len(self._log)

    def case_row(self, case_id: str) -> CaseRow | None:
        """Return the index row of one case."""
        with self._lock:
            self._check()
            return self._cases.get(case_id)

    def find_cases(self, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query``."""
        with self._lock:
            self._check()
            rows = sorted(
                (row for row in self._cases.values() if case_matches(row, query)), key=case_order
            )
        return rows if query.limit is None else rows[: query.limit]

    def count_cases(self) -> int:
        """Return how many cases the store holds."""
        with self._lock:
            self._check()
            return len(self._events)

    def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        """Return audit entries matching ``query``."""
        with self._lock:
            self._check()
            writes = [
                (event.at, 0, event.position or 0, event.audit_entry())
                for event in self._log
                if event.purpose is not None
            ]
            reads = [(entry.at, 1, entry.id or 0, entry) for entry in self._audit]
        found = [
            entry
            for *_, entry in sorted(writes + reads, key=lambda item: item[:3])
            if audit_matches(entry, query)
        ]
        return found if query.limit is None else found[: query.limit]

    def schema_version(self) -> int:
        """Return the schema version (a memory store is always current)."""
        return SCHEMA_VERSION

    def upgrade(self) -> tuple[int, ...]:
        """Do nothing: a memory store is created at the current schema."""
        return ()

    def close(self) -> None:
        """Forget nothing, but refuse further use."""
        self._closed = True
