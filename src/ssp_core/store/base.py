"""The one interface every case store implements, whatever keeps the data.

A backend subclasses :class:`CaseStore` and proves itself by subclassing the
contract tests in ``tests/store/contract.py``. Stores are opened by URL with
:func:`ssp_core.store.url.open_store`.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Self

import attrs

from ssp_core.store.records import AuditEntry, AuditQuery, CaseQuery, CaseRow, Commit, StoredEvent

__all__ = ["SCHEMA_VERSION", "CaseStore", "Migration", "utc"]

SCHEMA_VERSION = 1
"""The schema version this library writes and reads."""


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

    # -- writing ---------------------------------------------------------------------

    @abc.abstractmethod
    def append(self, commit: Commit) -> tuple[int, ...]:
        """Write a commit atomically and return the positions given to its events.

        Events are written (and positions given) in order of case id, then version;
        the positions are returned in that order.

        Raises :class:`~ssp_core.exceptions.ConcurrencyError` naming the first
        (case, version) already taken; then nothing of the commit is written.
        """

    @abc.abstractmethod
    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries (of reads) in their own transaction."""

    # -- reading ---------------------------------------------------------------------

    @abc.abstractmethod
    def read_case(self, case_id: str) -> list[StoredEvent]:
        """Return the events of one case in version order; empty if there is no such case."""

    @abc.abstractmethod
    def read_cases(self, case_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Return the events of several cases, each in version order; unknown ids are left out."""

    @abc.abstractmethod
    def read_log(self, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """Return events with a position after ``after``, in position order."""

    @abc.abstractmethod
    def max_position(self) -> int:
        """Return the highest position written (0 for an empty store)."""

    @abc.abstractmethod
    def case_row(self, case_id: str) -> CaseRow | None:
        """Return the index row of one case, if there is such a case."""

    @abc.abstractmethod
    def find_cases(self, query: CaseQuery) -> list[CaseRow]:
        """Return the index rows matching ``query``, by next due date then case id."""

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

    # -- schema ------------------------------------------------------------------------

    @abc.abstractmethod
    def schema_version(self) -> int:
        """Return the version of the store's schema."""

    @abc.abstractmethod
    def upgrade(self) -> tuple[int, ...]:
        """Apply the schema migrations the store lacks; return the versions applied."""

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
