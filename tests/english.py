"""Find English words in text meant to be Danish: the check behind ``--lang da`` tests.

A word counts as English if it is in :data:`ENGLISH`: common English words that
are not Danish words too (no "for", "at", "by", "under", "store", "time", "note",
"person"), and words of the case-work vocabulary whose Danish form differs ("case"
is "sag", "track" is "forløb"). Ids are not words: a token with a dot, an
underscore, an ``@``, a slash or a digit (``aalborg.mentor``, ``close_unfounded``,
``AAL-0001``) is skipped, and so are options (``--actor``), metavars in capitals
(``CASE_ID``) and text in backticks.
"""

from __future__ import annotations

import re

ENGLISH = frozenset(
    """
    the and with which this that these those from has was were are not of its an or
    into than there their been would should could what when where who whose must may
    cannot none nothing shown hidden each every more less only also after before here how
    why you your see use used needs needed allowed refused opened closed written created
    case cases concern concerns track tracks goal goals report reports finding findings
    walk walks initiative initiatives indicator indicators disclosure disclosed purpose
    consent recipient actor actors role roles state states history details source sources
    measure figure share unsafe safety day days year years people count period key keys
    due overdue deadline deadlines activity activities participants partner partners
    held planned cancelled chosen aged pupil teacher worried subject sealed never shown
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
"""Words that, shown under ``--lang da``, mean a text was left in English."""

_TOKEN = re.compile(r"[\w.@/-]+")
_CODE = re.compile(r"`[^`]*`")


def english_words(text: str) -> list[tuple[int, str, str]]:
    """Return ``(line number, word, line)`` for every English word in ``text``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for token in _TOKEN.findall(_CODE.sub(" ", line)):
            if token.startswith(("-", ".")) or (token.isupper() and len(token) > 1):
                continue  # an option (--actor), a file suffix (.key), a metavar (CASE_ID)
            word = token.strip(".-").lower()
            if re.search(r"[._@/\d]", word):
                continue
            if word in ENGLISH:
                found.append((number, word, line.strip()))
    return found


def summary(found: list[tuple[int, str, str]], limit: int = 40) -> str:
    """Return the English words found, one per line, for an assertion message."""
    lines = [f"line {n}: {word!r} in {line[:140]!r}" for n, word, line in found[:limit]]
    more = len(found) - limit
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))
