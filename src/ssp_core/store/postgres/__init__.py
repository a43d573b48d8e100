"""A store on a PostgreSQL server (``postgresql://user@host/db?schema=ssp``).

Every table lives in one PostgreSQL schema (``ssp`` unless the URL names another),
so several stores can share a database. The schema is created on first use, under
an advisory lock, so two processes opening a new store at once are safe. Writers
lock the events table (``LOCK TABLE ... IN EXCLUSIVE MODE``, which readers do not
wait for) for the length of their transaction, so positions follow commit order and
never interleave; a ``UNIQUE (case_id, version)`` constraint detects a concurrent
writer. Connections come from a pool (psycopg 3 and psycopg_pool), one per call.

A commit of a few events is one statement, which is its own transaction (one round
trip): the function ``ssp_append_event`` appends its events one by one (it takes the
lock, checks that the version before each is stored and gives it the next position),
and the same statement upserts the index rows and inserts the audit entries. A gap in
a case's versions raises an error with SQLSTATE ``SSP01``, so nothing is committed.
A larger commit is one explicit transaction: the lock, its events loaded with
``COPY``, a check of the versions, then the rows. Connections use ``READ COMMITTED``,
so whatever runs after the lock sees every commit made before it. An event written
with a purpose is the audit entry of its write: :meth:`PostgresStore.read_audit`
reads these and the audit table in one query. Statements are rendered once, with
schema-qualified names.

A commit carrying data keys or vault entries is one explicit transaction of a few
statements (the same statement of its events and rows, then the keys and the
entries). :meth:`PostgresStore.erase` deletes key rows and vault entries; the bytes
stay in dead tuples until ``VACUUM`` reclaims them, and in the write-ahead log and
backups as long as those are kept: that is the operator's to manage.

The schema carries its version in the ``ssp_schema`` table; a foreign, older or
newer schema is refused before anything in it is changed. Migration statements are
plain SQL run with the store's schema first on the ``search_path``.

The package: :mod:`~ssp_core.store.postgres.schema` holds the migrations,
:mod:`~ssp_core.store.postgres.migrator` applies them,
:mod:`~ssp_core.store.postgres.statements` renders the statements,
:mod:`~ssp_core.store.postgres.rows` converts rows,
:mod:`~ssp_core.store.postgres.connection` runs pipelines and transactions and
:mod:`~ssp_core.store.postgres.store` is the store.
"""

from __future__ import annotations

from ssp_core.store.postgres.schema import GAP_SQLSTATE as GAP_SQLSTATE
from ssp_core.store.postgres.schema import POSTGRES_MIGRATIONS
from ssp_core.store.postgres.store import PostgresStore

__all__ = ["POSTGRES_MIGRATIONS", "PostgresStore"]
