"""The one interface every case store implements, whatever keeps the data.

A backend subclasses :class:`CaseStore` and proves itself by subclassing the
contract tests in ``tests/store/contract.py``. Stores are opened by URL with
:func:`ssp_core.store.url.open_store`.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import Self

import attrs

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

__all__ = ["SCHEMA_VERSION", "CaseStore", "Migration", "utc"]

SCHEMA_VERSION = 6
"""The schema version this library writes and reads (6: each case's opener, the case count
and the list indexes)."""


def utc(moment: dt.datetime) -> dt.datetime:
    """Return an aware ``moment`` in UTC (stores keep every time in UTC)."""
    return moment.astimezone(dt.UTC)


@attrs.frozen
class Migration:
    """One step of a backend's schema: the version it brings the schema to, and its SQL."""

    version: int
    description: str
    statements: tuple[str, ...]


class CaseStore(abc.ABC):
    """Events of cases, the case index and the audit log, in one transactional store.

    All methods are safe to call from several threads. Writes are atomic: a
    :class:`Commit` is written whole or not at all.
    """

    url: str
    """The URL the store was opened with (with any password removed)."""

    read_only: bool = False
    """Whether the store can only be read: every write then raises ``StoreUnavailable``."""

    # -- writing ---------------------------------------------------------------------

    @abc.abstractmethod
    def append(self, commit: Commit) -> tuple[int, ...]:
        """Write a commit atomically and return the positions given to its events.

        Events are written (and positions given) in order of case id, then version;
        the positions are returned in that order.

        The commit's key rows are inserted with it (a case has one key row, written
        once); its vault entries are inserted unless the pseudonym is in the vault
        already, in which case the stored entry is kept. A commit of no events (say,
        only a vault entry) gives no positions.

        Index rows are inserted or replaced, except that a row without a municipality
        keeps the one stored for its case (given by :meth:`set_municipality`).

        The commit's ``rewrapped`` key rows replace the stored ones, as
        :meth:`replace_keys` does, in the same transaction as its events.

        The cases the commit names ``keyed`` must each still have a key row when it
        goes in, checked in the same transaction as the events are written (a case
        erased meanwhile takes no more sealed events).

        Raises :class:`~ssp_core.exceptions.ConcurrencyError` naming the first
        (case, version) already taken, or a case whose key row exists already, or
        whose row to replace is no longer the one read, or a ``keyed`` case without a
        key row; then nothing of the commit is written.
        """

    def replace_keys(
        self, replacements: Sequence[KeyReplacement], audit: Sequence[AuditEntry]
    ) -> None:
        """Replace the key rows of cases with their re-wrapped rows, and write ``audit``, at once.

        This is how a municipal key is rotated (and how a case moving to a municipality
        with another key takes it, as part of :meth:`append`). All or nothing, in one
        transaction: each stored row must still be the ``old`` row of its replacement,
        byte for byte (its wrapped key and ``key_id``); if any was re-wrapped or erased
        by another writer since it was read, nothing is written and
        :class:`~ssp_core.exceptions.ConcurrencyError` names the case (an erased case's
        key is never brought back). A case given twice is a
        :class:`~ssp_core.exceptions.DataError`, and nothing is written either.

        Key rows are still never *updated* (the trigger refusing ``UPDATE`` stays):
        the old row is deleted and the new one inserted in the same transaction, so a
        crash leaves either the old row or the new one, never half of one. The old
        wrapped bytes are not kept anywhere (no history table): they hold the same
        data key, under a key being retired, and a copy kept would keep readable under
        the old key what a rotation (or erasure) means to put out of its reach. What
        happened is kept where history belongs, in the append-only audit log (``audit``:
        the entries the caller gives, one per case, naming the keys by fingerprint).
        The data key itself is unchanged, so no sealed event changes or is lost.
        """
        self.append(Commit(audit=tuple(audit), rewrapped=tuple(replacements)))

    @abc.abstractmethod
    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries (of reads) in their own transaction."""

    def record_reads(self, entries: Sequence[AuditEntry]) -> None:
        """Append the audit entries of reads of cases or of the index, before they return.

        By default as :meth:`record_audit`: durable before this returns. A backend may
        commit them at once and make them durable in a group right after (the SQLite
        store does: :mod:`ssp_core.store.sqlite.sync`), saying what is at risk.
        """
        self.record_audit(entries)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Serve this thread's calls in the block with what one call would take, kept once.

        A use case that makes several calls (a read and its audit entry, a read and its
        append) wraps them in this block. A PostgreSQL store lends the thread one pooled
        connection for the whole block instead of one per call; the calls are still
        each their own transaction, as outside the block. Blocks nest (the outer one
        holds). By default nothing is kept.
        """
        yield

    def wait_durable(self, timeout: float | None = None) -> bool:
        """Wait until every audit entry of a read is durable; tell whether it is (see above)."""
        del timeout
        return True

    @abc.abstractmethod
    def put_identity(self, record: IdentityRecord, audit: Sequence[AuditEntry]) -> None:
        """Insert or replace the vault entry of a pseudonym, and write ``audit``, atomically."""

    @abc.abstractmethod
    def erase(
        self, case_ids: Sequence[str], pseudonyms: Sequence[str], audit: Sequence[AuditEntry]
    ) -> tuple[str, ...]:
        """Delete the key rows of ``case_ids`` and the vault entries of ``pseudonyms``.

        One transaction, which also writes ``audit``. Nothing else changes: the events
        (whose sealed payloads can no longer be opened), the case index and the audit
        log stay. Ids and pseudonyms without a row are ignored. Afterwards a backend
        makes the deleted bytes really gone where it can (SQLite: ``secure_delete``
        and a WAL checkpoint).

        Returns where copies of the deleted bytes may remain, one sentence each
        (empty: nowhere the backend knows of); :meth:`scrub` may clear them later.
        """

    def scrub(self) -> tuple[str, ...]:
        """Make the bytes of earlier erasures gone where the backend can; say what may remain.

        SQLite checkpoints its write-ahead log into the (securely deleted) file, which
        a reader in another connection may have held back at the erasure; PostgreSQL
        vacuums the tables of keys and vault entries. The default does nothing.
        """
        return ()

    @abc.abstractmethod
    def rewrite_event_data(
        self,
        updates: Sequence[tuple[str, int, str]],
        keys: Sequence[KeyRecord],
        audit: Sequence[AuditEntry],
    ) -> None:
        """Replace the data of stored events, and write key rows and audit entries, atomically.

        ``updates`` are (case id, version, new data). This is the one sanctioned way
        around the append-only events table: sealing the plaintext payloads of a case
        written before schema 2, once, together with the key that seals them.

        Raises :class:`~ssp_core.exceptions.DataError` naming a (case, version) that
        is not stored or given twice, and
        :class:`~ssp_core.exceptions.ConcurrencyError` for a case that has a key row
        already; then nothing is changed.
        """

    @abc.abstractmethod
    def set_municipality(self, workflow: str, municipality: str) -> int:
        """Give ``municipality`` to the index rows of ``workflow`` that have none; return how many.

        The backfill of the upgrade to schema 3: rows of histories written before 0.2
        have no municipality, and take the municipality of their workflow, which only
        the registry knows (the application layer calls this once per workflow after
        ``ssp store upgrade``). Rows with a municipality are left as they are, so a
        second call changes nothing; the events are not touched. One transaction.
        """

    # -- reading ---------------------------------------------------------------------

    @abc.abstractmethod
    def read_case(self, case_id: str, after: int = 0) -> list[StoredEvent]:
        """Return the events of one case in version order; empty if there is no such case.

        ``after`` leaves out the versions up to it: a reader that holds a case at
        version ``after`` reads only what was appended since (empty if nothing was).
        """

    def read_case_and_key(
        self, case_id: str, after: int = 0
    ) -> tuple[list[StoredEvent], KeyRecord | None]:
        """Return a case's events after version ``after`` and its key row, read together.

        What :meth:`read_case` and :meth:`read_keys` return, for a reader that needs
        both (a command, an audited read). The default reads one after the other; a
        server store reads both in one round trip.
        """
        return self.read_case(case_id, after), self.read_keys([case_id]).get(case_id)

    @abc.abstractmethod
    def read_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Return the events of several cases, each in version order; unknown ids are left out."""

    @abc.abstractmethod
    def read_log(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Return events with a position after ``after``, in position order."""

    @abc.abstractmethod
    def read_events(self, query: EventQuery) -> list[StoredEvent]:
        """Return the events matching ``query``, in position order."""

    @abc.abstractmethod
    def max_position(self) -> int:
        """Return the highest position written (0 for an empty store)."""

    @abc.abstractmethod
    def case_row(self, case_id: str) -> CaseRow | None:
        """Return the index row of one case, if there is such a case."""

    @abc.abstractmethod
    def find_cases(self, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query``, by next due date then case id."""

    def iter_cases(self, query: CaseQuery) -> Iterator[CaseRow]:
        """Yield the index rows matching ``query`` as :meth:`find_cases` lists them, streamed.

        For a pass over many cases (an export, an evaluation): the rows are read as
        they are used, in one consistent read where the backend gives one, never all
        held at once. The default reads them all with :meth:`find_cases`.
        """
        yield from self.find_cases(query)

    @abc.abstractmethod
    def count_cases(self) -> int:
        """Return how many cases the store holds."""

    @abc.abstractmethod
    def read_audit(self, query: AuditQuery) -> list[AuditEntry]:
        """Return audit entries matching ``query``, oldest first.

        Writes are the events stored with a purpose (each read back as an entry with
        action ``write``, the event type as detail and no id); reads are the entries
        recorded with :meth:`record_audit` or a commit. At the same instant writes come
        first, then each kind in the order it was stored.
        """

    # -- keys and the identity vault ---------------------------------------------------

    @abc.abstractmethod
    def read_keys(self, case_ids: Iterable[str]) -> dict[str, KeyRecord]:
        """Return the key rows of the cases that have one, by case id (others are left out)."""

    @abc.abstractmethod
    def subject_cases(self, pseudonym: str) -> list[str]:
        """Return the ids of the cases whose key row names this subject, sorted."""

    @abc.abstractmethod
    def read_identity(self, pseudonym: str) -> IdentityRecord | None:
        """Return the vault entry of a pseudonym, if there is one."""

    # -- schema ------------------------------------------------------------------------

    @abc.abstractmethod
    def seal_under(
        self, slot: str, fingerprint: str, at: dt.datetime, *, replacing: Sequence[str] = ()
    ) -> str:
        """Record the key the store seals ``slot``'s data under, unless one is; return the one kept.

        ``slot`` is a municipality's id (``""``: the deployment's default, no
        municipality). With no key recorded for the slot, ``fingerprint`` is (the first
        key is the store's); with one recorded, it stays, unless it is one of
        ``replacing`` (a rotation), when ``fingerprint`` takes its place. Atomic: of two
        writers racing with different keys on an empty store, one key is recorded and
        the other writer is told. Only fingerprints are kept, never key material.
        """

    @abc.abstractmethod
    def schema_version(self) -> int:
        """Return the version of the store's schema."""

    @abc.abstractmethod
    def upgrade(self, progress: Progress | None = None) -> tuple[int, ...]:
        """Apply the schema migrations the store lacks; return the versions applied.

        ``progress(done, total)``, if given, is called after each migration applied
        (``total``: how many the store lacks), and once with ``(0, 0)`` if it lacks none.
        """

    # -- lifetime --------------------------------------------------------------------

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"
