"""The environment variables ssp_core reads, and the defaults they override: one place for all.

This module imports nothing, so the command line can show its options (and
``ssp --help``) without loading the library.
"""

from __future__ import annotations

__all__ = [
    "ACTOR_ENV",
    "AUTOLOAD_ENV",
    "BLOCK_ENV",
    "DEFAULT_STORE_URL",
    "KEY_DIR_ENV",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "LANG_ENV",
    "LOG_LEVEL_ENV",
    "POOL_MAX",
    "PURPOSE_ENV",
    "ROLE_ENV",
    "STORE_ENV",
]

STORE_ENV = "SSP_STORE"
"""The environment variable that may name the case store's URL."""

DEFAULT_STORE_URL = "sqlite:///ssp.db"
"""The embedded default store: ``ssp.db`` in the working directory."""

POOL_MAX = 8
"""The most connections a PostgreSQL store's pool opens, unless its URL says ``pool_max``."""

KEY_ENV = "SSP_KEY"
"""The environment variable that may hold the municipal key itself, as base64 text."""

KEY_FILE_ENV = "SSP_KEY_FILE"
"""The environment variable that may name the municipal key file."""

KEY_DIR_ENV = "SSP_KEY_DIR"
"""The environment variable that may name the folder of municipalities' own key files."""

AUTOLOAD_ENV = "SSP_DISABLE_PLUGIN_AUTOLOAD"
"""Set to ``1`` (or ``true``/``yes``) to load no plugins from entry points."""

BLOCK_ENV = "SSP_BLOCK_PLUGINS"
"""A comma-separated list of plugin names not to load."""

ACTOR_ENV = "SSP_ACTOR"
"""The command line's actor id, if ``--actor`` is not given."""

ROLE_ENV = "SSP_ROLE"
"""The command line's role, if ``--role`` is not given."""

PURPOSE_ENV = "SSP_PURPOSE"
"""The command line's purpose, if ``--purpose`` is not given (where a default is allowed)."""

LANG_ENV = "SSP_LANG"
"""The command line's language (``da`` or ``en``), if ``--lang`` is not given."""

LOG_LEVEL_ENV = "SSP_LOG_LEVEL"
"""The level of the log shown on standard error (``DEBUG``, ``INFO``, ``WARNING``, ``ERROR``)
when ``-v`` is not given."""
