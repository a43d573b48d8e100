"""The in-process store (``memory://``): for tests, scenarios and simulations.

It keeps the same rules as the durable stores (a version is written once, a commit
is all or nothing, positions follow commit order, a case's key is written once) but
nothing outlives the process.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence

import attrs

from ssp_core.exceptions import ConcurrencyError, StoreError
from ssp_core.store.base import SCHEMA_VERSION, CaseStore
from ssp_core.store.records import (
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    Commit,
    EventQuery,
    IdentityRecord,
    KeyRecord,
    KeyReplacement,
    Progress,
    StoredEvent,
)
from ssp_core.store.select import audit_matches, case_matches, case_order, event_matches, follows
from ssp_core.store.sql import gap_error, key_conflict, missing_events, repeated_replacement

__all__ = ["MemoryStore"]


class MemoryStore(CaseStore):
    """A case store held in memory by this process."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._lock = threading.Lock()
        self._events: dict[str, list[StoredEvent]] = {}
        self._log: list[StoredEvent] = []
        self._cases: dict[str, CaseRow] = {}
        self._sealing: dict[str, str] = {}
        self._audit: list[AuditEntry] = []
        self._keys: dict[str, KeyRecord] = {}
        self._identities: dict[str, IdentityRecord] = {}
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
            self._check_keys([key.case_id for key in commit.keys], events)
            self._check_replacements(commit.rewrapped)
            for case_id in commit.keyed:
                if case_id not in self._keys:
                    raise ConcurrencyError.key_row(case_id)
            positions = []
            start = len(self._log)
            for offset, event in enumerate(events):
                stored = attrs.evolve(event, position=start + offset + 1)
                self._events.setdefault(event.case_id, []).append(stored)
                self._log.append(stored)
                positions.append(stored.position)
            for row in commit.cases:
                self._put_row(row)
            self._store_audit(commit.audit)
            self._keys.update((key.case_id, key) for key in commit.keys)
            self._keys.update((r.new.case_id, r.new) for r in commit.rewrapped)
            for identity in commit.identities:
                self._identities.setdefault(identity.pseudonym, identity)
            return tuple(p for p in positions if p is not None)

    def _put_row(self, row: CaseRow) -> None:
        """Insert or replace an index row; one without a municipality keeps the stored one."""
        stored = self._cases.get(row.case_id)
        if row.municipality is None and stored is not None and stored.municipality is not None:
            row = attrs.evolve(row, municipality=stored.municipality)
        self._cases[row.case_id] = row

    def _check_keys(self, case_ids: Sequence[str], events: Sequence[StoredEvent] = ()) -> None:
        """Refuse key rows of cases that have one (or get two): a concurrency conflict."""
        conflict = key_conflict(case_ids, self._keys.keys(), events)
        if conflict is not None:
            raise conflict

    def _check_replacements(self, replacements: Sequence[KeyReplacement]) -> None:
        """Refuse replacements of key rows that are not (or no longer) the ones stored."""
        repeated = repeated_replacement(replacements)
        if repeated is not None:
            raise repeated
        for replacement in sorted(replacements, key=lambda r: r.old.case_id):
            if self._keys.get(replacement.old.case_id) != replacement.old:
                raise ConcurrencyError.key_row(replacement.old.case_id)

    def _store_audit(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self._audit.append(attrs.evolve(entry, id=len(self._audit) + 1))

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries of reads."""
        with self._lock:
            self._check()
            self._store_audit(entries)

    def put_identity(self, record: IdentityRecord, audit: Sequence[AuditEntry]) -> None:
        """Insert or replace a person's vault entry, with audit entries."""
        with self._lock:
            self._check()
            self._identities[record.pseudonym] = record
            self._store_audit(audit)

    def erase(
        self, case_ids: Sequence[str], pseudonyms: Sequence[str], audit: Sequence[AuditEntry]
    ) -> tuple[str, ...]:
        """Forget the key rows of ``case_ids`` and the vault entries of ``pseudonyms``."""
        with self._lock:
            self._check()
            for case_id in case_ids:
                self._keys.pop(case_id, None)
            for pseudonym in pseudonyms:
                self._identities.pop(pseudonym, None)
            self._store_audit(audit)
        return ()

    def rewrite_event_data(
        self,
        updates: Sequence[tuple[str, int, str]],
        keys: Sequence[KeyRecord],
        audit: Sequence[AuditEntry],
    ) -> None:
        """Replace the data of stored events, with key rows and audit entries; see the base."""
        with self._lock:
            self._check()
            stored = {
                (case_id, version)
                for case_id, version, _ in updates
                if 1 <= version <= len(self._events.get(case_id, ()))
            }
            missing = missing_events(updates, stored)
            if missing is not None:
                raise missing
            self._check_keys([key.case_id for key in keys])
            for case_id, version, data in updates:
                event = attrs.evolve(self._events[case_id][version - 1], data=data)
                self._events[case_id][version - 1] = event
                self._log[(event.position or 0) - 1] = event
            self._keys.update((key.case_id, key) for key in keys)
            self._store_audit(audit)

    def set_municipality(self, workflow: str, municipality: str) -> int:
        """Give ``municipality`` to the rows of ``workflow`` without one; see the base."""
        with self._lock:
            self._check()
            chosen = [
                row
                for row in self._cases.values()
                if row.workflow == workflow and row.municipality is None
            ]
            for row in chosen:
                self._cases[row.case_id] = attrs.evolve(row, municipality=municipality)
            return len(chosen)

    def read_case(self, case_id: str, after: int = 0) -> list[StoredEvent]:
        """Return the events of one case in version order (those after version ``after``)."""
        with self._lock:
            self._check()
            return list(self._events.get(case_id, ())[max(after, 0) :])

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

    def read_events(self, query: EventQuery) -> list[StoredEvent]:
        """Return the events matching ``query``, in position order."""
        with self._lock:
            self._check()
            found = [event for event in self._log if event_matches(event, query)]
        return found if query.limit is None else found[: query.limit]

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

    def read_keys(self, case_ids: Iterable[str]) -> dict[str, KeyRecord]:
        """Return the key rows of the cases that have one."""
        with self._lock:
            self._check()
            return {cid: self._keys[cid] for cid in case_ids if cid in self._keys}

    def subject_cases(self, pseudonym: str) -> list[str]:
        """Return the ids of the cases whose key row names this subject, sorted."""
        with self._lock:
            self._check()
            return sorted(key.case_id for key in self._keys.values() if key.subject == pseudonym)

    def read_identity(self, pseudonym: str) -> IdentityRecord | None:
        """Return the vault entry of a pseudonym, if there is one."""
        with self._lock:
            self._check()
            return self._identities.get(pseudonym)

    def seal_under(
        self, slot: str, fingerprint: str, at: dt.datetime, *, replacing: Sequence[str] = ()
    ) -> str:
        """Record the key ``slot`` is sealed under, unless one is; return the kept one (base)."""
        del at
        with self._lock:
            self._check()
            kept = self._sealing.get(slot)
            if kept is None or kept in replacing:
                kept = self._sealing[slot] = fingerprint
            return kept

    def schema_version(self) -> int:
        """Return the schema version (a memory store is always current)."""
        return SCHEMA_VERSION

    def upgrade(self, progress: Progress | None = None) -> tuple[int, ...]:
        """Do nothing: a memory store is created at the current schema."""
        if progress is not None:
            progress(0, 0)
        return ()

    def close(self) -> None:
        """Forget nothing, but refuse further use."""
        self._closed = True
