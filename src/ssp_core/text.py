r"""Text that users typed or the data hold, made safe to show: control characters written out.

A terminal obeys control characters (``ESC[2J`` clears the screen, ``ESC[8m`` hides
text, a newline adds a fake table row); :func:`visible` writes each one out as
``\xNN`` instead, so stored or typed text is shown as the text it is, wherever it
is shown: tables, histories, error lines, reports.
"""

from __future__ import annotations

import re

__all__ = ["visible"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    r"""Return ``text`` with each control character written out (``\x1b``), never sent.

    A tab and a newline are kept (a multi-line note stays multi-line); every other C0
    and C1 control, the line and paragraph separators and the bidirectional overrides
    are written out.
    """
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)
