"""Optional dependencies, imported when a feature needs them, with a clear error if missing.

Parquet files (research exports, survey microdata) need pyarrow, the ``parquet``
extra; CSV needs nothing more. Scenarios need SimPy and SciPy, the ``simulation`` extra.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from importlib import metadata
from types import ModuleType
from urllib.parse import unquote, urlsplit

from ssp_core.exceptions import ConfigError
from ssp_core.i18n import N_, _

__all__ = ["install_hint", "parquet", "simulation"]

_PARQUET = {
    "reading": N_("reading Parquet needs pyarrow: {install} (or {instead})"),
    "writing": N_("writing Parquet needs pyarrow: {install} (or {instead})"),
}
_INSTEAD = (N_("use CSV"), N_("write CSV"))  # what callers pass as ``instead``, translated


def install_hint(extra: str) -> str:
    """Return the command that installs ``extra`` for this installation of ssp-core.

    From a package index: ``pip install 'ssp-core[EXTRA]'``. From a checkout installed
    in development mode (``pip install -e``), that command would fetch a release
    instead; the hint names the checkout's folder: ``pip install -e 'FOLDER[EXTRA]'``.
    """
    try:
        found = metadata.distribution("ssp-core").read_text("direct_url.json")
        origin = json.loads(found) if found else {}
    except (metadata.PackageNotFoundError, ValueError):
        origin = {}
    url = str(origin.get("url", ""))
    if origin.get("dir_info", {}).get("editable") and url.startswith("file://"):
        folder = unquote(urlsplit(url).path)
        return f"pip install -e '{folder}[{extra}]'"
    return f"pip install 'ssp-core[{extra}]'"


def parquet(doing: str, instead: str) -> tuple[ModuleType, ModuleType]:
    """Return ``pyarrow`` and ``pyarrow.parquet``, or raise :class:`ConfigError` saying how.

    ``doing`` is ``"reading"`` or ``"writing"``; ``instead`` the alternative without
    pyarrow (e.g. ``"use CSV"``). The modules load on first use only. The message is in
    the current language.
    """
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        text = _PARQUET.get(doing, doing + " Parquet needs pyarrow: {install} (or {instead})")
        raise ConfigError(
            _(text).format(install=install_hint("parquet"), instead=_(instead))
        ) from None


def simulation() -> None:
    """Check that the ``simulation`` extra (SimPy, SciPy) is installed; else say how to get it."""
    missing = [name for name in ("simpy", "scipy") if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            _("scenarios need {missing}: {install}").format(
                missing=", ".join(missing), install=install_hint("simulation")
            )
        )
