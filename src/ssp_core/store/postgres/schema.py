"""The schema of a PostgreSQL store: its versioned migrations and the names they define.

The migrations create the tables, the append-only triggers and the functions the
writes call (``ssp_append_event``, ``ssp_version_gap``).
"""

from __future__ import annotations

from ssp_core.store.base import Migration
from ssp_core.store.sql import schema_6_indexes

__all__ = ["DUE_KEY", "EVENTS_UPDATE_TRIGGER", "GAP_SQLSTATE", "POSTGRES_MIGRATIONS"]

DUE_KEY = "coalesce(next_due, DATE '9999-12-31')"
"""A row's next due date with no date sorting last: the first key of the index's order.

Queries order by exactly this expression, so the indexes on it serve them.
"""


_APPEND_ONLY = (
    (
        "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION ssp_append_only()"
    ),
    (
        "CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION ssp_append_only()"
    ),
)

EVENTS_UPDATE_TRIGGER = "events_append_only"
"""The trigger refusing updates of events, disabled by :meth:`PostgresStore.rewrite_event_data`."""

GAP_SQLSTATE = "SSP01"
"""The SQLSTATE of the error the server raises for a gap in a case's versions."""

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "events, case index and audit log",
        (
            """CREATE TABLE ssp_schema (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL)""",
            """CREATE TABLE events (
                position BIGINT PRIMARY KEY,
                case_id TEXT COLLATE "C" NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                topic TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                data TEXT NOT NULL,
                purpose TEXT,
                UNIQUE (case_id, version))""",
            """CREATE TABLE cases (
                case_id TEXT COLLATE "C" PRIMARY KEY,
                workflow TEXT NOT NULL,
                workflow_version INTEGER NOT NULL,
                state TEXT NOT NULL,
                assignee TEXT,
                opened_at TIMESTAMPTZ NOT NULL,
                closed_at TIMESTAMPTZ,
                next_due DATE,
                on_hold BOOLEAN NOT NULL)""",
            "CREATE INDEX cases_due ON cases (next_due) WHERE closed_at IS NULL",
            """CREATE TABLE audit (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                purpose TEXT NOT NULL,
                action TEXT NOT NULL,
                case_id TEXT COLLATE "C",
                detail TEXT)""",
            "CREATE INDEX audit_case ON audit (case_id, at)",
            "CREATE INDEX audit_actor ON audit (actor, at)",
            "CREATE INDEX audit_at ON audit (at)",
            """CREATE FUNCTION ssp_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END
            $$""",
            # Raises the error of a commit that would leave a gap in the versions of a
            # case, with the counts of its versions as if ``gap_version`` were written
            # (``gap_version`` NULL: as they are).
            f"""CREATE FUNCTION ssp_version_gap(gap_case TEXT, gap_version INTEGER)
            RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            DECLARE
                written BIGINT;
                highest INTEGER;
            BEGIN
                SELECT count(*) + (gap_version IS NOT NULL)::integer,
                    greatest(max(version), gap_version)
                INTO written, highest FROM events WHERE case_id = gap_case;
                RAISE EXCEPTION USING ERRCODE = '{GAP_SQLSTATE}',
                    MESSAGE = format('case %s: version %s would leave a gap after %s written '
                        'versions; versions must follow each other', gap_case, highest,
                        written - 1),
                    DETAIL = json_build_object(
                        'case_id', gap_case, 'count', written, 'highest', highest)::text;
            END
            $$""",
            # Appends one event of a commit (called for each, in (case, version) order):
            # takes the writers' lock, held until the transaction ends (readers do not
            # wait for it); checks that the version before is stored; inserts the event
            # at the next position and answers it. Being VOLATILE, its statements see
            # what was committed before the lock and the events inserted before it.
            """CREATE FUNCTION ssp_append_event(
                e_case TEXT, e_version INTEGER, e_topic TEXT, e_at TIMESTAMPTZ, e_actor TEXT,
                e_role TEXT, e_data TEXT, e_purpose TEXT)
            RETURNS BIGINT LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
            DECLARE
                given BIGINT;
            BEGIN
                LOCK TABLE events IN EXCLUSIVE MODE;
                IF e_version > 1 AND NOT EXISTS (
                    SELECT FROM events WHERE case_id = e_case AND version = e_version - 1
                ) THEN
                    PERFORM ssp_version_gap(e_case, e_version);
                END IF;
                INSERT INTO events (case_id, version, topic, at, actor, role, data, purpose,
                    position)
                SELECT e_case, e_version, e_topic, e_at, e_actor, e_role, e_data, e_purpose,
                    coalesce(max(position), 0) + 1
                FROM events
                RETURNING position INTO given;
                RETURN given;
            END
            $$""",
            *(
                statement.format(table=table)
                for table in ("events", "audit")
                for statement in _APPEND_ONLY
            ),
        ),
    ),
    Migration(
        2,
        "data keys of cases and the identity vault",
        (
            """CREATE TABLE case_keys (
                case_id TEXT COLLATE "C" PRIMARY KEY,
                subject TEXT COLLATE "C",
                wrapped BYTEA NOT NULL,
                created_at TIMESTAMPTZ NOT NULL)""",
            "CREATE INDEX case_keys_subject ON case_keys (subject)",
            """CREATE TABLE identities (
                pseudonym TEXT COLLATE "C" PRIMARY KEY,
                wrapped BYTEA NOT NULL,
                sealed BYTEA NOT NULL,
                created_at TIMESTAMPTZ NOT NULL)""",
            # Keys are written once and deleted once (erasure): never updated.
            """CREATE FUNCTION ssp_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% rows are never updated', TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END
            $$""",
            (
                "CREATE TRIGGER case_keys_no_update BEFORE UPDATE ON case_keys "
                "FOR EACH ROW EXECUTE FUNCTION ssp_no_update()"
            ),
        ),
    ),
    Migration(
        3,
        "the municipality of each case",
        (
            # NULL for the rows of histories written before 0.2, until the backfill
            # (CaseStore.set_municipality). A column without a default rewrites no row.
            "ALTER TABLE cases ADD COLUMN municipality TEXT",
            # The cases of some municipalities, in the order find_cases reads them (an
            # ascending index puts NULLs last). Built inside the upgrade's transaction, so
            # writers wait for it (not CONCURRENTLY).
            "CREATE INDEX cases_municipality ON cases (municipality, next_due, case_id)",
        ),
    ),
    Migration(
        4,
        "the municipal key of each case's key row",
        (
            # The fingerprint of the municipal key that wrapped the row (never key
            # material). NULL for rows written before: wrapped under the key their
            # case's municipality used then (its own, else the default key). A column
            # without a default rewrites no row. Rows are still never updated (the
            # trigger stays): re-wrapping a key deletes its row and inserts the new one
            # in one transaction (CaseStore.replace_keys).
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
                recorded_at TIMESTAMPTZ NOT NULL
            )""",
            # An older store: the key of each municipality's newest key row.
            """INSERT INTO sealing_keys (slot, fingerprint, recorded_at)
               SELECT DISTINCT ON (coalesce(c.municipality, ''))
                      coalesce(c.municipality, ''), k.key_id, k.created_at
               FROM case_keys AS k JOIN cases AS c ON c.case_id = k.case_id
               WHERE k.key_id IS NOT NULL
               ORDER BY coalesce(c.municipality, ''), k.created_at DESC""",
        ),
    ),
    Migration(
        6,
        "the opener of each case, the case count, and indexes in the order of every list",
        (
            # The actor who opened each case, from its opening event, so that an actor's
            # own cases are found through the index (never by reading the event log).
            "ALTER TABLE cases ADD COLUMN opened_by TEXT",
            """UPDATE cases SET opened_by = e.actor FROM events AS e
               WHERE e.case_id = cases.case_id AND e.version = 1""",
            *schema_6_indexes(DUE_KEY),
            # How many cases were opened (their opening events; the log is append-only),
            # kept as each is stored, so counting does not read the log.
            """CREATE TABLE case_count (
                one INTEGER PRIMARY KEY CHECK (one = 1),
                cases BIGINT NOT NULL)""",
            "INSERT INTO case_count (one, cases) SELECT 1, count(*) FROM events WHERE version = 1",
            """CREATE FUNCTION ssp_count_case() RETURNS trigger LANGUAGE plpgsql
            SET search_path FROM CURRENT AS $$
            BEGIN
                UPDATE case_count SET cases = cases + 1;
                RETURN NULL;
            END
            $$""",
            (
                "CREATE TRIGGER events_opening_counted AFTER INSERT ON events "
                "FOR EACH ROW WHEN (NEW.version = 1) EXECUTE FUNCTION ssp_count_case()"
            ),
        ),
    ),
)
"""The schema of a PostgreSQL store, as versioned migrations (same versions as SQLite)."""
