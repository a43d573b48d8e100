"""Escape text as Markdown, and build a Markdown table of escaped cells.

Python-Markdown passes raw HTML through, so every piece of text that did not come
from the library itself (a place description, a partner's name, a finding) goes
through :func:`escape` first: a finding described as ``<script>`` stays text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from ssp_core.text import visible

__all__ = ["escape", "table"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def escape(text: object) -> str:
    r"""Return ``text`` as Markdown that renders literally: no markup, no raw HTML.

    HTML's ``<``, ``>`` and ``&`` become entities and Markdown's inline markup
    (emphasis, code, links, table bars, attribute lists) is backslash-escaped; line
    breaks become spaces, so a value never breaks a table or starts a block of its
    own; control characters are written out (``\x1b``), so a report shown in a
    terminal is inert too.
    """
    plain = visible(" ".join(str(text).split()))
    return _SPECIAL.sub(r"\\\1", html.escape(plain, quote=False))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a Markdown table; headers are the library's own text, cells are escaped."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(" --- " for _ in headers) + "|",
    ]
    lines.extend("| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)
