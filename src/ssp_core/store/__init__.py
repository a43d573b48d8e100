"""The case store: events, the case index and the audit log, on memory, SQLite or PostgreSQL.

Open one with :func:`open_store` and hand it to :class:`ssp_core.Casework`; the
calling code is the same whatever the backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ssp_core.lazy import lazy_names

if TYPE_CHECKING:
    from ssp_core.store.base import SCHEMA_VERSION, CaseStore, Migration
    from ssp_core.store.codec import EVENT_TYPES, EventCodec, codec
    from ssp_core.store.memory import MemoryStore
    from ssp_core.store.records import (
        AuditAction,
        AuditEntry,
        AuditQuery,
        CaseCursor,
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

_PUBLIC: dict[str, str] = {
    **dict.fromkeys(("SCHEMA_VERSION", "CaseStore", "Migration"), "ssp_core.store.base"),
    **dict.fromkeys(("EVENT_TYPES", "EventCodec", "codec"), "ssp_core.store.codec"),
    "MemoryStore": "ssp_core.store.memory",
    **dict.fromkeys(
        (
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
            "StoredEvent",
        ),
        "ssp_core.store.records",
    ),
    **dict.fromkeys(
        ("DEFAULT_STORE_URL", "default_store_url", "open_store", "redact"), "ssp_core.store.url"
    ),
}
"""Each public name and the module it is defined in (imported on first use, as a backend
module of this package does not need the codec or the memory store)."""

__all__ = [
    "DEFAULT_STORE_URL",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "AuditAction",
    "AuditEntry",
    "AuditQuery",
    "CaseCursor",
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


__getattr__, __dir__ = lazy_names(__name__, _PUBLIC, globals(), __all__)
