"""The embedded store: one SQLite file (``sqlite:///path/to/ssp.db``), the default.

The file is created on first use, in WAL mode with ``synchronous=FULL``, so an
acknowledged commit survives a crash of the process or the machine. Writers take
the database's write lock at the start of a transaction (``BEGIN IMMEDIATE``), so
positions follow commit order; a ``UNIQUE (case_id, version)`` constraint detects
a concurrent writer. Each thread gets its own connection.

The file is marked as an ssp store (``PRAGMA application_id``) and carries its
schema version; a foreign, corrupt, older or newer file is refused before anything
in it is changed.

Every connection runs with ``secure_delete`` on, so deleted rows (the data keys and
vault entries removed by :meth:`SqliteStore.erase`) are overwritten with zeros in
the file; after an erasure a ``TRUNCATE`` checkpoint copies the zeroed pages into
the file and empties the write-ahead log, which still held the old pages.

The package: :mod:`~ssp_core.store.sqlite.schema` holds the migrations,
:mod:`~ssp_core.store.sqlite.statements` the statements,
:mod:`~ssp_core.store.sqlite.rows` the conversion of rows,
:mod:`~ssp_core.store.sqlite.writes` the writes inside a transaction and
:mod:`~ssp_core.store.sqlite.store` the store.
"""

from __future__ import annotations

from ssp_core.store.sqlite.schema import APPLICATION_ID, SQLITE_MIGRATIONS
from ssp_core.store.sqlite.store import SqliteStore

__all__ = ["APPLICATION_ID", "SQLITE_MIGRATIONS", "SqliteStore"]
