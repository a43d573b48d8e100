"""What a case store keeps: stored events, the case index, the audit log, and one commit.

These are plain records shared by every backend. The store never interprets an
event's data; the application layer (:class:`ssp_core.application.casework.Casework`) encodes
events with :mod:`ssp_core.store.codec` and keeps the case index in step with them.
Likewise the data keys of cases (:class:`KeyRecord`) and the identity vault
(:class:`IdentityRecord`) are opaque bytes to the store: it keeps them, and deletes
them on erasure, which leaves the sealed payloads of a case unreadable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

import attrs

from ssp_core.domain.validators import non_empty_text
from ssp_core.exceptions import DataError
from ssp_core.i18n import _
from ssp_core.progress import Progress
from ssp_core.text import token_or_withheld

__all__ = [
    "NO_DUE",
    "AuditAction",
    "AuditEntry",
    "AuditQuery",
    "CaseCursor",
    "CaseQuery",
    "CaseRow",
    "Commit",
    "EventQuery",
    "IdentityRecord",
    "KeyRecord",
    "KeyReplacement",
    "Progress",
    "StoredEvent",
]


@attrs.frozen
class StoredEvent:
    """One event as a store keeps it: case, version, type, stamp, and its data as JSON text.

    ``position`` is the event's place in the global log, given by the store when the
    event is committed: positions increase in commit order and are never interleaved
    between transactions. ``purpose`` is why the actor wrote it: an event with a
    purpose is also the audit entry of that write (:meth:`CaseStore.read_audit` lists
    it), so a write is audited without a second row.
    """

    case_id: str
    version: int
    topic: str
    at: dt.datetime
    actor: str
    role: str
    data: str
    position: int | None = None
    purpose: str | None = None

    def audit_entry(self) -> AuditEntry:
        """Return this event as the audit entry of a write (it must have a purpose)."""
        return AuditEntry(
            at=self.at,
            actor=self.actor,
            role=self.role,
            purpose=self.purpose or "",
            action=AuditAction.WRITE,
            case_id=self.case_id,
            detail=self.topic,
        )


@attrs.frozen
class CaseRow:
    """A case in the case index: the projection kept beside its events, in the same commit.

    ``next_due`` is the earliest running due date (missed or not); it is ``None``
    when the case is on hold, closed or has no deadline running. The row holds no
    version: a note, a fact or an observation leaves it as it was, so such a command
    writes its event alone.

    ``municipality`` is the municipality whose case it is (schema 3); ``None`` for a
    case of a history written before 0.2 until the upgrade's backfill
    (:meth:`CaseStore.set_municipality`) gives it its workflow's. A row written
    without one keeps the municipality stored for the case, so the backfill stays.

    ``opened_by`` is the id of the actor who opened the case (schema 6; the upgrade
    fills it from each case's opening event), so that an actor's own cases are found
    through the index, not by reading the event log.
    """

    case_id: str
    workflow: str
    workflow_version: int
    state: str
    assignee: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    next_due: dt.date | None
    on_hold: bool
    municipality: str | None = None
    opened_by: str | None = None

    @property
    def cursor(self) -> CaseCursor:
        """Return where a page of the case index that ends with this row ends."""
        return CaseCursor(self.next_due, self.case_id)


NO_DUE = dt.date.max
"""Where a case without a running due date sorts: after every case with one."""


@attrs.frozen
class CaseCursor:
    """A place in the case index's order (next due date, none last; then case id).

    A page of a search ends at its last row's cursor (:attr:`CaseRow.cursor`); the
    next page is the same query with ``after`` set to it (keyset pagination). The
    cursor carries its own place, so a page never depends on another case's row,
    and cases changed between pages are neither shown twice nor skipped unless their
    place moved across the cursor. As text (``str(cursor)``, :meth:`parse`) it is
    ``DUE/CASE_ID``, with ``-`` for no due date: ``2026-03-09/C-0a1b2c3d4e5f6a7b``.
    """

    next_due: dt.date | None
    case_id: str

    def key(self) -> tuple[dt.date, str]:
        """Return the cursor's place as a sort key (no due date: after every date)."""
        return (self.next_due or NO_DUE, self.case_id)

    def __str__(self) -> str:
        due = "-" if self.next_due is None else self.next_due.isoformat()
        return f"{due}/{self.case_id}"

    @classmethod
    def parse(cls, text: str) -> CaseCursor:
        """Return the cursor written as ``DUE/CASE_ID`` (``-`` for no due date).

        :raises DataError: the text is not of that form (the error says what is allowed).
        """
        due, sep, case_id = text.partition("/")
        allowed = _(
            "a cursor is DUE/CASE_ID as a list prints it, e.g. {example} (DUE is - for a case "
            "with no due date)"
        ).format(example="2026-03-09/C-0a1b2c3d4e5f6a7b")
        if not sep or not case_id:
            raise DataError(_("not a cursor; {allowed}").format(allowed=allowed))
        try:
            day = None if due == "-" else dt.date.fromisoformat(due)
        except ValueError:
            raise DataError(
                _("not a cursor: no such day before the '/'; {allowed}").format(allowed=allowed)
            ) from None
        return cls(day, case_id)


class AuditAction(StrEnum):
    """What an audit entry records: a write, one of the kinds of read, or an act on identities.

    ``DENIED``: an access refused; ``REIDENTIFY``: a pseudonym resolved to the person
    behind it; ``ERASE``: data keys and vault entries destroyed; ``ENROL``: a person
    entered in the identity vault; ``REWRAP``: a case's data key wrapped under another
    municipal key (a key rotation, or a case moved to a municipality with another key).
    """

    WRITE = "write"
    LOAD = "load"
    SEARCH = "search"
    EXPORT = "export"
    ADMIN = "admin"
    DENIED = "denied"
    REIDENTIFY = "reidentify"
    ERASE = "erase"
    ENROL = "enrol"
    REWRAP = "rewrap"


@attrs.frozen
class AuditEntry:
    """Who read or wrote what, in which role, for which purpose, and when.

    ``detail`` says what was done (e.g. the event type written, or the filters of a
    search); it never holds personal data. ``id`` is given by the store.
    """

    at: dt.datetime
    actor: str = attrs.field(validator=non_empty_text)
    role: str = attrs.field(validator=non_empty_text)
    purpose: str = attrs.field(validator=non_empty_text)
    action: AuditAction = attrs.field(converter=AuditAction)
    case_id: str | None = None
    detail: str | None = None
    id: int | None = None


def _opaque(value: bytes | bytearray | memoryview) -> bytes:
    """Return opaque binary data as ``bytes`` (a ``str`` is refused by the validator)."""
    return bytes(value) if isinstance(value, bytearray | memoryview) else value


_BINARY = attrs.validators.instance_of(bytes)


@attrs.frozen
class KeyRecord:
    """A case's data key, wrapped by the municipality's key: what erasure destroys.

    ``subject`` is the pseudonym of the case's person (``None`` for a case without
    one), so that erasing a person finds the keys of all their cases. The wrapped key
    is opaque to the store and left out of the record's ``repr``.

    ``key_id`` names the municipal key that wrapped it: that key's fingerprint (never
    key material; schema 4). ``None`` for a row written before schema 4: it was wrapped
    under the key its case's municipality used then (its own key if it had one, else
    the default key; see :meth:`ssp_core.privacy.sealing.Keyring.open_case_key`).
    """

    case_id: str
    wrapped: bytes = attrs.field(converter=_opaque, validator=_BINARY, repr=False)
    subject: str | None
    created_at: dt.datetime
    key_id: str | None = None


@attrs.frozen
class KeyReplacement:
    """A case's key row as read (``old``), and the row that replaces it (``new``).

    Only the wrapping changes: the same case, subject and creation time, the same data
    key wrapped under another municipal key (``wrapped`` and ``key_id``). A store
    replaces ``old`` only if it is still the stored row, byte for byte.
    """

    old: KeyRecord
    new: KeyRecord = attrs.field()

    @new.validator
    def _same_case(self, _attribute: object, new: KeyRecord) -> None:
        old = self.old
        if (new.case_id, new.subject, new.created_at) != (old.case_id, old.subject, old.created_at):
            raise DataError(
                f"the key row replacing case {old.case_id}'s must be of the same case, subject "
                "and creation time; only the wrapping changes"
            )


@attrs.frozen
class IdentityRecord:
    """A person's entry in the identity vault: identity data sealed under its own wrapped key.

    Both ``wrapped`` and ``sealed`` are opaque to the store and left out of the ``repr``.
    """

    pseudonym: str
    wrapped: bytes = attrs.field(converter=_opaque, validator=_BINARY, repr=False)
    sealed: bytes = attrs.field(converter=_opaque, validator=_BINARY, repr=False)
    created_at: dt.datetime


def _events(value: Iterable[StoredEvent]) -> tuple[StoredEvent, ...]:
    return tuple(value)


def _rows(value: Iterable[CaseRow]) -> tuple[CaseRow, ...]:
    return tuple(value)


def _entries(value: Iterable[AuditEntry]) -> tuple[AuditEntry, ...]:
    return tuple(value)


def _keys(value: Iterable[KeyRecord]) -> tuple[KeyRecord, ...]:
    return tuple(value)


def _identities(value: Iterable[IdentityRecord]) -> tuple[IdentityRecord, ...]:
    return tuple(value)


def _replacements(value: Iterable[KeyReplacement]) -> tuple[KeyReplacement, ...]:
    return tuple(value)


def _case_ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value))


@attrs.frozen
class Commit:
    """Everything one command writes, atomically: events, index rows, audit entries, keys.

    Each event names the version it takes; if any (case, version) is already taken
    the whole commit is refused with :class:`~ssp_core.exceptions.ConcurrencyError`.
    ``keys`` are the data keys of cases the commit opens: a case has one key row,
    written once, and a second key for a case is refused like a taken version.
    ``identities`` are vault entries of people: one already in the vault is kept as
    it is. ``rewrapped`` replaces the key rows of cases whose data key is wrapped anew
    (a case moved to a municipality with another key): each only if its stored row is
    still the one read, else the whole commit is refused with a
    :class:`~ssp_core.exceptions.ConcurrencyError`. ``keyed`` names stored cases whose
    events in the commit are sealed under their stored data key: each must still have
    its key row when the commit goes in (none erased meanwhile), else the whole commit
    is refused with :meth:`~ssp_core.exceptions.ConcurrencyError.key_row`. A commit
    may carry no events (e.g. only the vault entry of a person).
    """

    events: tuple[StoredEvent, ...] = attrs.field(default=(), converter=_events)
    cases: tuple[CaseRow, ...] = attrs.field(default=(), converter=_rows)
    audit: tuple[AuditEntry, ...] = attrs.field(default=(), converter=_entries)
    keys: tuple[KeyRecord, ...] = attrs.field(default=(), converter=_keys)
    identities: tuple[IdentityRecord, ...] = attrs.field(default=(), converter=_identities)
    rewrapped: tuple[KeyReplacement, ...] = attrs.field(default=(), converter=_replacements)
    keyed: tuple[str, ...] = attrs.field(default=(), converter=_case_ids)


def _municipalities(value: str | Iterable[str] | None) -> frozenset[str] | None:
    """Return the municipalities of a case query as a frozenset (one string is one)."""
    if value is None:
        return None
    return frozenset((value,)) if isinstance(value, str) else frozenset(value)


def _describe(value: object) -> str:
    """Return a filter's value as the audit log keeps it (a set sorted, in braces).

    Text that is not shaped like an id (a name, a CPR number typed as an assignee) is
    kept as a placeholder: the audit log is kept for ever.
    """
    if isinstance(value, frozenset):
        return "{" + ",".join(sorted(token_or_withheld(str(v)) for v in value)) + "}"
    if isinstance(value, str):
        return token_or_withheld(value)
    if isinstance(value, CaseCursor):
        due = "-" if value.next_due is None else value.next_due.isoformat()
        return f"{due}/{token_or_withheld(value.case_id)}"
    return str(value)


@attrs.frozen(kw_only=True)
class CaseQuery:
    """Filters of the case index; all given filters must hold.

    ``due_before``: open cases whose next due date is before that day (overdue on it).
    ``closed_before``: closed cases whose closing time is before that instant.
    ``open_only``: cases not in a final state.
    ``municipalities``: cases of any of these municipalities (an empty set matches
    nothing, and a case without a municipality matches no set).
    ``involving``: cases assigned to this actor or opened by them (their own cases).
    ``after``: only rows after this place in the index's order (the next page of a
    search that ended there; see :class:`CaseCursor`).
    """

    workflow: str | None = None
    workflow_version: int | None = None
    state: str | None = None
    assignee: str | None = None
    due_before: dt.date | None = None
    closed_before: dt.datetime | None = None
    open_only: bool = False
    municipalities: frozenset[str] | None = attrs.field(default=None, converter=_municipalities)
    involving: str | None = None
    after: CaseCursor | None = None
    limit: int | None = None

    def describe(self) -> str:
        """Return the filters as text, for the audit log."""
        parts = [
            f"{field.name}={_describe(value)}"
            for field in attrs.fields(CaseQuery)
            if (value := getattr(self, field.name)) is not None and value is not False
        ]
        return ", ".join(parts) or "all cases"


@attrs.frozen(kw_only=True)
class AuditQuery:
    """Filters of the audit log: by case, actor and period (``since`` inclusive, ``until`` not)."""

    case_id: str | None = None
    actor: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int | None = None


def _topics(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Return the topics of an event query as a tuple (one string is one topic)."""
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen(kw_only=True)
class EventQuery:
    """Filters of the event log: by topic(s), case and period (``since`` inclusive, ``until`` not).

    ``topics``: events of any of these types (an empty tuple matches nothing).
    ``actor``: events written by this actor; ``first_only``: opening events only.
    Matching events come in position order, at most ``limit`` of them.
    """

    topics: tuple[str, ...] | None = attrs.field(default=None, converter=_topics)
    case_id: str | None = None
    actor: str | None = None
    first_only: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int | None = None
