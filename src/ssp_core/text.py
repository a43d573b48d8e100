r"""Text that users typed or the data hold, made safe to show: control characters written out.

A terminal obeys control characters (``ESC[2J`` clears the screen, ``ESC[8m`` hides
text, a newline adds a fake table row); :func:`visible` writes each one out as
``\xNN`` instead, so stored or typed text is shown as the text it is, wherever it
is shown: tables, histories, error lines, reports.
"""

from __future__ import annotations

import re

__all__ = [
    "CPR_SHAPE",
    "PSEUDONYM_SHAPE",
    "WITHHELD_TOKEN",
    "shown_id",
    "token_or_withheld",
    "visible",
    "whole_number",
]

CPR_SHAPE = re.compile(
    r"(?<![0-9])(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}[ \-]?[0-9]{4}(?![0-9])"
)
"""Ten digits whose first six are a day and month (``DDMMYY``), a dash or space allowed."""

PSEUDONYM_SHAPE = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32}(?![0-9A-Fa-f])")
"""32 hexadecimal digits: the form of a pseudonym."""

_TOKEN = re.compile(r"^[^\W_][\w.@+\-]{0,127}$")

WITHHELD_TOKEN = "(withheld: not an id)"  # noqa: S105 (a placeholder, not a secret)
"""What is kept or shown in place of a value that is not shaped like an id."""


def token_or_withheld(value: str) -> str:
    """Return ``value`` if it has an id's form (``aalborg.mentor``, ``AAL-0002``), else "withheld".

    For what is kept for ever (the audit log) and what error messages repeat: an id
    is kept as it is; anything else a user typed where an id belongs, which may be a
    name or a CPR number, is not.
    """
    if _TOKEN.match(value) and not CPR_SHAPE.search(value) and not PSEUDONYM_SHAPE.search(value):
        return value
    return WITHHELD_TOKEN


def shown_id(value: str) -> str:
    """Return ``value`` quoted for a message if it has an id's form, else the placeholder."""
    found = token_or_withheld(value)
    return repr(found) if found == value else found


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    r"""Return ``text`` with each control character written out (``\x1b``), never sent.

    A tab and a newline are kept (a multi-line note stays multi-line); every other C0
    and C1 control, the line and paragraph separators and the bidirectional overrides
    are written out.
    """
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


def whole_number(text: str) -> int | None:
    """Return ``text`` as a whole number if it is ASCII digits only (``"16"``), else ``None``.

    ``str.isdigit`` alone also takes ``"²"`` (which ``int`` refuses with a bare
    ``ValueError``) and other scripts' digits; a number in a URL or an option is ASCII.
    More digits than ``int`` converts (over 4,300, ``sys.get_int_max_str_digits``) are
    ``None`` too: no count or size a caller asks for is anywhere near that long.
    """
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:  # longer than the interpreter's limit for a decimal string
        return None
