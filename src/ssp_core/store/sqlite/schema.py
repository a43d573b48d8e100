"""The schema of an SQLite store: its file mark and its versioned migrations."""

from __future__ import annotations

from ssp_core.store.base import Migration
from ssp_core.store.sql import schema_6_indexes

__all__ = ["APPLICATION_ID", "DUE_KEY", "EVENTS_UPDATE_TRIGGER", "SQLITE_MIGRATIONS"]

APPLICATION_ID = 0x53535043
"""``PRAGMA application_id`` of an ssp store file ("SSPC")."""

DUE_KEY = "coalesce(next_due, '9999-12-31')"
"""A row's next due date with no date sorting last: the first key of the index's order.

Queries order by exactly this expression, so the indexes on it serve them.
"""


_APPEND_ONLY = """
CREATE TRIGGER {table}_append_only_u BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
CREATE TRIGGER {table}_append_only_d BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
"""

SQLITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "events, case index and audit log",
        (
            """CREATE TABLE ssp_schema (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at TEXT NOT NULL)""",
            """CREATE TABLE events (
                position INTEGER PRIMARY KEY,
                case_id TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                topic TEXT NOT NULL,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                data TEXT NOT NULL,
                purpose TEXT,
                UNIQUE (case_id, version))""",
            """CREATE TABLE cases (
                case_id TEXT PRIMARY KEY,
                workflow TEXT NOT NULL,
                workflow_version INTEGER NOT NULL,
                state TEXT NOT NULL,
                assignee TEXT,
                opened_at TEXT NOT NULL,
                closed_at TEXT,
                next_due TEXT,
                on_hold INTEGER NOT NULL) WITHOUT ROWID""",
            "CREATE INDEX cases_due ON cases (next_due) WHERE closed_at IS NULL",
            """CREATE TABLE audit (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                purpose TEXT NOT NULL,
                action TEXT NOT NULL,
                case_id TEXT,
                detail TEXT)""",
            "CREATE INDEX audit_case ON audit (case_id, at)",
            "CREATE INDEX audit_actor ON audit (actor, at)",
            "CREATE INDEX audit_at ON audit (at)",
            *(
                statement.strip()
                for table in ("events", "audit")
                for statement in _APPEND_ONLY.format(table=table).strip().split(";\n")
                if statement.strip()
            ),
        ),
    ),
    Migration(
        2,
        "data keys of cases and the identity vault",
        (
            # Keys are written once and deleted once (erasure): never updated.
            """CREATE TABLE case_keys (
                case_id TEXT PRIMARY KEY,
                subject TEXT,
                wrapped BLOB NOT NULL,
                created_at TEXT NOT NULL) WITHOUT ROWID""",
            "CREATE INDEX case_keys_subject ON case_keys (subject)",
            """CREATE TRIGGER case_keys_no_update BEFORE UPDATE ON case_keys
            BEGIN SELECT RAISE(ABORT, 'case_keys rows are never updated'); END""",
            """CREATE TABLE identities (
                pseudonym TEXT PRIMARY KEY,
                wrapped BLOB NOT NULL,
                sealed BLOB NOT NULL,
                created_at TEXT NOT NULL)""",
        ),
    ),
    Migration(
        3,
        "the municipality of each case",
        (
            # NULL for the rows of histories written before 0.2, until the backfill
            # (CaseStore.set_municipality). Adding a column rewrites no row.
            "ALTER TABLE cases ADD COLUMN municipality TEXT",
            # The cases of some municipalities, in the order find_cases reads them (the
            # table is WITHOUT ROWID: the index also holds case_id, its primary key).
            "CREATE INDEX cases_municipality ON cases (municipality, next_due)",
        ),
    ),
    Migration(
        4,
        "the municipal key of each case's key row",
        (
            # The fingerprint of the municipal key that wrapped the row (never key
            # material). NULL for rows written before: wrapped under the key their
            # case's municipality used then (its own, else the default key). Adding a
            # column rewrites no row. Rows are still never updated (the trigger stays):
            # re-wrapping a key deletes its row and inserts the new one in one
            # transaction (CaseStore.replace_keys).
            "ALTER TABLE case_keys ADD COLUMN key_id TEXT",
        ),
    ),
    Migration(
        5,
        "the municipal key the store seals each municipality's data under",
        (
            # One row per municipality ('' for the default): the fingerprint of the key
            # its new case keys and vault entries are wrapped under (never key material).
            """CREATE TABLE sealing_keys (
                slot TEXT PRIMARY KEY,
                fingerprint TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            ) WITHOUT ROWID""",
            # An older store: the key of each municipality's newest key row (a bare
            # column beside max() is taken from the row with the maximum, in SQLite).
            """INSERT INTO sealing_keys (slot, fingerprint, recorded_at)
               SELECT coalesce(c.municipality, ''), k.key_id, max(k.created_at)
               FROM case_keys AS k JOIN cases AS c ON c.case_id = k.case_id
               WHERE k.key_id IS NOT NULL
               GROUP BY coalesce(c.municipality, '')""",
        ),
    ),
    Migration(
        6,
        "the opener of each case, the case count, and indexes in the order of every list",
        (
            # The actor who opened each case, from its opening event, so that an actor's
            # own cases are found through the index (never by reading the event log).
            "ALTER TABLE cases ADD COLUMN opened_by TEXT",
            """UPDATE cases SET opened_by = (
                SELECT actor FROM events AS e WHERE e.case_id = cases.case_id AND e.version = 1)""",
            *schema_6_indexes(DUE_KEY),
            # How many cases were opened (their opening events), kept by each commit
            # that opens some (SqliteStore.append), so counting does not read the log.
            """CREATE TABLE case_count (
                one INTEGER PRIMARY KEY CHECK (one = 1),
                cases INTEGER NOT NULL)""",
            "INSERT INTO case_count (one, cases) SELECT 1, count(*) FROM events WHERE version = 1",
        ),
    ),
)
"""The schema of an SQLite store, as versioned migrations."""

EVENTS_UPDATE_TRIGGER = "events_append_only_u"
"""The trigger refusing updates of events, set aside by :meth:`SqliteStore.rewrite_event_data`."""
