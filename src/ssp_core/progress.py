"""How a long pass reports how far it got: a plain callable, ``progress(done, total)``.

Store upgrades, research exports, retention runs, key rotation, migrations and the
safety index's bootstrap take one as an optional argument. ``done`` only grows and
reaches ``total`` (first ``(0, total)``, last ``(total, total)``); the command line
draws a bar from it. Below the command line it is a plain callable, nothing to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

__all__ = ["Progress"]

Progress: TypeAlias = Callable[[int, int], object]
"""Called as ``progress(done, total)``; what it returns is ignored."""
