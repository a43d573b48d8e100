"""Opening a case store by URL: ``memory://``, ``sqlite:///path`` or ``postgresql://...``."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ssp_core.exceptions import DataError, StoreUnavailable
from ssp_core.extras import install_hint
from ssp_core.i18n import _
from ssp_core.settings import DEFAULT_STORE_URL, POOL_MAX, STORE_ENV
from ssp_core.store.base import CaseStore
from ssp_core.store.records import Progress
from ssp_core.text import shown_id, whole_number

__all__ = ["DEFAULT_STORE_URL", "default_store_url", "open_store", "redact"]

_SCHEMES = "memory://, sqlite:///path/to/file.db, postgresql://user@host/db"


_log = logging.getLogger(__name__)


def default_store_url() -> str:
    """Return the store URL from ``SSP_STORE`` if set, else :data:`DEFAULT_STORE_URL`."""
    return os.environ.get(STORE_ENV) or DEFAULT_STORE_URL


def redact(url: str) -> str:
    """Return ``url`` without its password, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def open_store(
    url: str | None = None,
    *,
    upgrade: bool = False,
    create: bool = True,
    progress: Progress | None = None,
) -> CaseStore:
    """Open the case store at ``url`` (default: :func:`default_store_url`).

    SQLite paths follow the usual URL form: ``sqlite:///ssp.db`` is relative to the
    working directory, ``sqlite:////var/lib/ssp/ssp.db`` is absolute. A PostgreSQL
    URL may name the schema to use with ``?schema=name`` (default ``ssp``) and the most
    connections its pool opens with ``?pool_max=16`` (default 8: give a process with more
    threads sharing the store one connection per thread); an SQLite URL may carry
    ``?read_sync=each`` and ``?cache_mb=256`` (see ``ssp_core.store.sqlite.SqliteStore``).
    ``upgrade=True`` applies missing schema migrations instead of refusing an older
    store. ``create=False`` refuses a store that does not exist yet (a missing SQLite
    file, an empty PostgreSQL schema) with :class:`~ssp_core.exceptions.StoreUnavailable`
    instead of creating it: a mistyped URL is then an error, not a new empty store.
    ``progress(done, total)`` reports the migrations an opening with ``upgrade`` applies
    (see :meth:`~ssp_core.store.base.CaseStore.upgrade`).
    """
    url = url or default_store_url()
    store = _open(url, upgrade=upgrade, create=create, progress=progress)
    _log.info("opened the case store %s", redact(url))
    return store


def _open(url: str, *, upgrade: bool, create: bool, progress: Progress | None) -> CaseStore:
    """Open the store of ``url`` by its scheme (see :func:`open_store`)."""
    scheme, _sep, rest = url.partition("://")
    if scheme == "memory":
        from ssp_core.store.memory import MemoryStore  # noqa: PLC0415 (backends load on demand)

        return MemoryStore(url)
    if scheme == "sqlite":
        rest, _sep, query = rest.partition("?")
        path = rest[1:] if rest.startswith("/") else ""
        if not path:
            raise DataError(
                _("store URL {url} names no file; use e.g. {example}").format(
                    url=repr(url), example="sqlite:///ssp.db"
                )
            )
        options = _sqlite_options(query)
        from ssp_core.store.sqlite import SqliteStore  # noqa: PLC0415

        return SqliteStore(
            Path(path),
            url=url,
            upgrade=upgrade,
            create=create,
            read_sync=options.get("read_sync", "group"),
            cache_mb=_cache_mb(options.get("cache_mb")),
            progress=progress,
        )
    if scheme in ("postgresql", "postgres"):
        try:
            from ssp_core.store.postgres import PostgresStore  # noqa: PLC0415
        except ImportError as exc:
            raise StoreUnavailable(
                _("PostgreSQL stores need psycopg 3: {hint} ({reason})").format(
                    hint=install_hint("postgresql"), reason=exc
                )
            ) from None
        dsn, schema, pool_max = _postgres_options(url)
        return PostgresStore(
            dsn,
            schema=schema,
            upgrade=upgrade,
            create=create,
            url=redact(url),
            max_size=pool_max,
            progress=progress,
        )
    raise DataError(
        _("unknown store URL {url}; use one of: {schemes}").format(
            url=repr(redact(url)), schemes=_SCHEMES
        )
    )


_SQLITE_OPTIONS = ("read_sync", "cache_mb")
"""The parameters an SQLite store URL may carry."""


def _cache_mb(value: str | None) -> int | None:
    """Return the ``cache_mb`` of an SQLite URL as a number (the store checks its range)."""
    if value is None:
        return None
    number = whole_number(value)
    if number is None:
        raise DataError(
            _("cache_mb is a whole number of MiB, e.g. cache_mb=256; not {value}").format(
                value=shown_id(value)
            )
        )
    return number


def _sqlite_options(query: str) -> dict[str, str]:
    """Return the options of an SQLite URL's query (``read_sync=each``); refuse any other."""
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in _SQLITE_OPTIONS:
            raise DataError(
                _("an SQLite store URL takes the parameters {names}; not {name}").format(
                    names=", ".join(_SQLITE_OPTIONS), name=shown_id(name)
                )
            )
        options[name] = value
    return options


_POOL_LIMIT = 1000
"""The highest ``pool_max`` taken (a PostgreSQL server allows 100 connections by default)."""

_OWN_PARAMETERS = ("schema", "pool_max")
"""The parameters of a PostgreSQL URL that are the store's own, not libpq's."""


def _pool_max(value: str | None) -> int:
    """Return the ``pool_max`` of a PostgreSQL URL as a number; refuse any other value."""
    if value is None:
        return POOL_MAX
    number = whole_number(value)
    if number is None or not 1 <= number <= _POOL_LIMIT:
        raise DataError(
            _(
                "pool_max is the most connections the pool opens, a whole number from 1 to "
                "{limit}, e.g. pool_max=16; not {value}"
            ).format(limit=_POOL_LIMIT, value=shown_id(value))
        )
    return number


def _postgres_options(url: str) -> tuple[str, str, int]:
    """Return a PostgreSQL URL's DSN for libpq, its ``schema`` and its ``pool_max``.

    ``schema=`` and ``pool_max=`` are taken out (the last of each counts); every other
    parameter stays for libpq.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    own = {key: value for key, value in query if key in _OWN_PARAMETERS}
    rest = [(key, value) for key, value in query if key not in _OWN_PARAMETERS]
    dsn = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), parts.fragment))
    return dsn, own.get("schema", "ssp"), _pool_max(own.get("pool_max"))
