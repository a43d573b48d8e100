"""Aalborg Kommune's data for ssp_core ("Tryg Aalborg"), contributed through ssp_core's hooks.

The hook implementations live in :mod:`ssp_aalborg.hooks`; the data in ``data/``.
"""

from __future__ import annotations

__version__ = "0.2.0.dev0"
__all__ = ["__version__"]
