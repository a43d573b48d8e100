"""Optional dependencies, imported when a feature needs them, with a clear error if missing.

Parquet files (research exports, survey microdata) need pyarrow, the ``parquet``
extra; CSV needs nothing more.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ssp_core.exceptions import ConfigError

__all__ = ["parquet"]


def parquet(doing: str, instead: str) -> tuple[ModuleType, ModuleType]:
    """Return ``pyarrow`` and ``pyarrow.parquet``, or raise :class:`ConfigError` saying how.

    ``doing`` is ``"reading"`` or ``"writing"``; ``instead`` the alternative without
    pyarrow (e.g. ``"use CSV"``). The modules load on first use only.
    """
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ConfigError(
            f"{doing} Parquet needs pyarrow: pip install 'ssp-core[parquet]' (or {instead})"
        ) from None
