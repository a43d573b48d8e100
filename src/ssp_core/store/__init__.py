"""The case store: events, the case index and the audit log, on memory, SQLite or PostgreSQL.

Open one with :func:`open_store` and hand it to :class:`ssp_core.Casework`; the
calling code is the same whatever the backend.
"""

from __future__ import annotations

from ssp_core.store.base import SCHEMA_VERSION, CaseStore, Migration
from ssp_core.store.codec import EVENT_TYPES, EventCodec, codec
from ssp_core.store.memory import MemoryStore
from ssp_core.store.records import (
    AuditAction,
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    Commit,
    EventQuery,
    IdentityRecord,
    KeyRecord,
    KeyReplacement,
    StoredEvent,
)
from ssp_core.store.url import DEFAULT_STORE_URL, default_store_url, open_store, redact

__all__ = [
    "DEFAULT_STORE_URL",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "AuditAction",
    "AuditEntry",
    "AuditQuery",
    "CaseQuery",
    "CaseRow",
    "CaseStore",
    "Commit",
    "EventCodec",
    "EventQuery",
    "IdentityRecord",
    "KeyRecord",
    "KeyReplacement",
    "MemoryStore",
    "Migration",
    "StoredEvent",
    "codec",
    "default_store_url",
    "open_store",
    "redact",
]
