"""What the SQL backends share: column lists, query clauses, schema checks, conflict reports.

Each backend keeps its own statements and types; what must read the same in every
one of them (the columns its rows are read and written in, filters, refusals,
messages) lives here once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from ssp_core.exceptions import ConcurrencyError, DataError, SchemaError, StoreError
from ssp_core.i18n import _
from ssp_core.store.records import AuditQuery, CaseQuery, EventQuery, KeyReplacement, StoredEvent

__all__ = [
    "AUDIT_COLUMNS",
    "CASE_COLUMNS",
    "CHUNK",
    "EVENT_COLUMNS",
    "EVENT_WIDTH",
    "IDENTITY_COLUMNS",
    "ITER_BATCH",
    "KEY_COLUMNS",
    "NEW_AUDIT_COLUMNS",
    "NEW_EVENT_COLUMNS",
    "audit_where",
    "case_and_key",
    "case_where",
    "event_where",
    "first_conflict",
    "gap_error",
    "key_conflict",
    "missing_events",
    "needs_upgrade",
    "newer_schema",
    "repeated_replacement",
    "schema_6_indexes",
]

EVENT_COLUMNS = "case_id, version, topic, at, actor, role, data, position, purpose"
"""The columns of an event as read, in the order of :class:`StoredEvent`'s fields."""

EVENT_WIDTH = len(EVENT_COLUMNS.split(","))
"""How many columns an event has as read: in :func:`case_and_key`'s rows, the key's follow."""

NEW_EVENT_COLUMNS = "case_id, version, topic, at, actor, role, data, purpose"
"""The columns of an event as inserted (the store gives the position)."""

CASE_COLUMNS = (
    "case_id, workflow, workflow_version, state, assignee, opened_at, closed_at, next_due, "
    "on_hold, municipality, opened_by"
)
"""The columns of an index row, in the order of :class:`CaseRow`'s fields."""

AUDIT_COLUMNS = "at, actor, role, purpose, action, case_id, detail, id"
"""The columns of an audit entry as read, in the order of :class:`AuditEntry`'s fields."""

NEW_AUDIT_COLUMNS = "at, actor, role, purpose, action, case_id, detail"
"""The columns of an audit entry as inserted (the store gives the id)."""

KEY_COLUMNS = "case_id, wrapped, subject, created_at, key_id"
"""The columns of a case's data key row, in the order of :class:`KeyRecord`'s fields."""

IDENTITY_COLUMNS = "pseudonym, wrapped, sealed, created_at"
"""The columns of a vault entry, in the order of :class:`IdentityRecord`'s fields."""

ITER_BATCH = 1_000
"""How many index rows a streamed read (``iter_cases``) fetches from the store at a time."""

CHUNK = 500
"""The most case ids (or pseudonyms) one statement reads or deletes."""


def schema_6_indexes(due_key: str) -> tuple[str, ...]:
    """Return the statements of schema 6 that index every list (both backends; never change).

    ``due_key`` is the backend's expression of the next due date with none last. Every
    list reads the case index in one order (that key, then case id), so a limited page
    reads its rows off an index and never sorts them all.
    """
    order = f"{due_key}, case_id"
    return (
        f"CREATE INDEX cases_order ON cases ({order})",
        f"CREATE INDEX cases_workflow ON cases (workflow, {order})",
        f"CREATE INDEX cases_workflow_state ON cases (workflow, state, {order})",
        f"CREATE INDEX cases_assignee ON cases (assignee, {order}) WHERE assignee IS NOT NULL",
        f"CREATE INDEX cases_opened_by ON cases (opened_by, {order})",
        "DROP INDEX cases_municipality",
        f"CREATE INDEX cases_municipality ON cases (municipality, {order})",
        "CREATE INDEX cases_closed ON cases (closed_at) WHERE closed_at IS NOT NULL",
        # The open cases, in the same order (the overdue list).
        "DROP INDEX cases_due",
        f"CREATE INDEX cases_due ON cases ({order}) WHERE closed_at IS NULL",
        # Who wrote what, in time order: the audit log of one actor reads the actor's
        # writes here (the events are the audit entries of writes), not the whole log.
        # It holds staff ids and times only, nothing of a case's data.
        "CREATE INDEX events_actor ON events (actor, at)",
    )


def _aliased(alias: str, columns: str) -> str:
    """Return ``columns`` (comma-separated) each qualified by a table's ``alias``."""
    return ", ".join(f"{alias}.{column.strip()}" for column in columns.split(","))


def case_and_key(prefix: str = "", mark: str = "?", text: str = "") -> str:
    """Return the query of a case's events after a version, each with its key row.

    Parameters: the case id, the version. It answers at least one row (the key's
    columns, or NULLs, beside NULL events when there are none), each row an event's
    :data:`EVENT_WIDTH` columns then the key's, in version order. ``prefix`` qualifies
    the tables (a PostgreSQL schema and a dot); ``text`` casts the id's placeholder.
    """
    return (
        f"SELECT {_aliased('e', EVENT_COLUMNS)}, {_aliased('k', KEY_COLUMNS)} "
        f"FROM (SELECT {mark}{text} AS case_id) AS q "
        f"LEFT JOIN {prefix}case_keys k ON k.case_id = q.case_id "
        f"LEFT JOIN {prefix}events e ON e.case_id = q.case_id AND e.version > {mark} "
        "ORDER BY e.version"
    )


def case_where(
    query: CaseQuery, mark: str = "?", due_key: str = "next_due"
) -> tuple[str, list[Any]]:
    """Return the SQL ``WHERE`` clause and parameters of a case query (``mark``: placeholder).

    ``due_key`` is the backend's expression of a row's next due date with no date
    sorting last: the first part of the index order a cursor (``after``) is a place in.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for column in ("workflow", "workflow_version", "state", "assignee"):
        value = getattr(query, column)
        if value is not None:
            clauses.append(f"{column} = {mark}")
            params.append(value)
    if query.open_only:
        clauses.append("closed_at IS NULL")
    if query.due_before is not None:
        # A due date before the day has one: the same as next_due < day, in the terms
        # of the open cases' index (cases_due), which then also gives the order.
        clauses.append(f"closed_at IS NULL AND {due_key} < {mark}")
        params.append(query.due_before)
    if query.closed_before is not None:
        clauses.append(f"closed_at IS NOT NULL AND closed_at < {mark}")
        params.append(query.closed_before)
    if query.municipalities is not None:
        # NULL IN (...) is not true: a row without a municipality matches no set.
        if query.municipalities:
            chosen = sorted(query.municipalities)
            clauses.append(f"municipality IN ({', '.join([mark] * len(chosen))})")
            params.extend(chosen)
        else:
            clauses.append("1 = 0")
    if query.involving is not None:
        clauses.append(f"(assignee = {mark} OR opened_by = {mark})")
        params.extend([query.involving, query.involving])
    if query.after is not None:
        # The first bound alone is implied by the second; it is there so that SQLite
        # reads the index from the cursor on (it does not seek on a row value).
        due, case_id = query.after.key()
        clauses.append(f"{due_key} >= {mark} AND ({due_key}, case_id) > ({mark}, {mark})")
        params.extend([due, due, case_id])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def event_where(query: EventQuery, mark: str = "?") -> tuple[str, list[Any]]:
    """Return the SQL ``WHERE`` clause and parameters of an event query.

    No index serves ``topics``: the events table is kept lean for writing, so a
    search by type scans it (the case id and the position are indexed).
    """
    clauses: list[str] = []
    params: list[Any] = []
    if query.topics is not None:
        if query.topics:
            clauses.append(f"topic IN ({', '.join([mark] * len(query.topics))})")
            params.extend(query.topics)
        else:
            clauses.append("1 = 0")
    if query.case_id is not None:
        clauses.append(f"case_id = {mark}")
        params.append(query.case_id)
    if query.actor is not None:
        clauses.append(f"actor = {mark}")
        params.append(query.actor)
    if query.first_only:
        clauses.append("version = 1")
    if query.since is not None:
        clauses.append(f"at >= {mark}")
        params.append(query.since)
    if query.until is not None:
        clauses.append(f"at < {mark}")
        params.append(query.until)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def audit_where(query: AuditQuery, mark: str = "?") -> tuple[str, list[Any]]:
    """Return the SQL ``WHERE`` clause and parameters of an audit query."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.case_id is not None:
        clauses.append(f"case_id = {mark}")
        params.append(query.case_id)
    if query.actor is not None:
        clauses.append(f"actor = {mark}")
        params.append(query.actor)
    if query.since is not None:
        clauses.append(f"at >= {mark}")
        params.append(query.since)
    if query.until is not None:
        clauses.append(f"at < {mark}")
        params.append(query.until)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def needs_upgrade(url: str, version: int, latest: int, *, upgrade: bool) -> bool:
    """Tell whether a store at schema ``version`` must be upgraded to ``latest``.

    A newer schema is refused; an older one is refused unless ``upgrade`` is asked for.
    """
    if version > latest:
        raise SchemaError(
            _(
                "store {url} has schema version {version}, newer than this library's "
                "{latest}; upgrade ssp-core to open it"
            ).format(url=url, version=version, latest=latest)
        )
    if version < latest and not upgrade:
        raise SchemaError(
            _(
                "store {url} has schema version {version}, older than this library's "
                "{latest}; run `ssp store upgrade` to migrate it"
            ).format(url=url, version=version, latest=latest)
        )
    return version < latest


def newer_schema(url: str, version: int, latest: int) -> SchemaError:
    """Return the error for an upgrade of a store whose schema is newer than this library's."""
    return SchemaError(
        _("store {url} has schema version {version}, newer than this library's {latest}").format(
            url=url, version=version, latest=latest
        )
    )


def first_conflict(
    events: Sequence[StoredEvent],
    taken: Collection[tuple[str, int]],
    keys: Sequence[str] = (),
    keys_taken: Collection[str] = (),
) -> StoreError:
    """Return the error for a refused commit: the first (case, version) taken or repeated.

    If no version is, the first of ``keys`` (the case ids of the commit's key rows)
    whose case has a key row already (``keys_taken``) or is repeated.
    """
    seen: set[tuple[str, int]] = set()
    for event in events:
        key = (event.case_id, event.version)
        if key in seen or key in taken:
            return ConcurrencyError(*key)
        seen.add(key)
    return key_conflict(keys, keys_taken, events) or StoreError(
        "the commit was refused by a constraint of the store"
    )


def key_conflict(
    keys: Sequence[str], taken: Collection[str], events: Iterable[StoredEvent] = ()
) -> ConcurrencyError | None:
    """Return the error for the first of ``keys`` (case ids of key rows) taken or repeated.

    A case has one key row, written once with its opening. The error names the
    case's first version among ``events`` (1 without any): another writer opened
    the case, or sealed it, first. ``None`` if no key row conflicts.
    """
    seen: set[str] = set()
    for case_id in keys:
        if case_id in seen or case_id in taken:
            versions = [event.version for event in events if event.case_id == case_id]
            return ConcurrencyError(case_id, min(versions, default=1))
        seen.add(case_id)
    return None


def missing_events(
    updates: Sequence[tuple[str, int, str]], stored: Collection[tuple[str, int]]
) -> DataError | None:
    """Return the error for event updates naming a (case, version) not stored or twice, if any."""
    seen: set[tuple[str, int]] = set()
    for case_id, version, _data in updates:
        if (case_id, version) in seen:
            return DataError(
                f"case {case_id}: version {version} is given twice; no event data was rewritten"
            )
        if (case_id, version) not in stored:
            return DataError(
                f"case {case_id}: version {version} is not stored; no event data was rewritten"
            )
        seen.add((case_id, version))
    return None


def gap_error(case_id: str, count: int, highest: int) -> DataError:
    """Return the error for a commit that would leave a gap in a case's versions."""
    return DataError(
        f"case {case_id}: version {highest} would leave a gap after {count - 1} "
        "written versions; versions must follow each other"
    )


def repeated_replacement(replacements: Sequence[KeyReplacement]) -> DataError | None:
    """Return the error for key rows to replace that name a case twice, if any."""
    seen: set[str] = set()
    for replacement in replacements:
        case_id = replacement.old.case_id
        if case_id in seen:
            return DataError(
                f"case {case_id}: its key row is given twice to be replaced; nothing was re-wrapped"
            )
        seen.add(case_id)
    return None
