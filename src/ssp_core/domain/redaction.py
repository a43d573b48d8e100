"""What a reader sees in place of personal data it may not read, or that has been erased.

A field withheld from a role, or sealed under a data key that retention has
destroyed, is replaced on reading by a :class:`Redacted` text (``[withheld]`` or
``[erased]``); a person the reader may not see, or whose data was erased, becomes a
:class:`RedactedPerson` that keeps only the age at the concern, for statistics.
"""

from __future__ import annotations

import attrs

from ssp_core.domain.people import SubjectKind

__all__ = ["ERASED", "WITHHELD", "Redacted", "RedactedPerson"]


class Redacted(str):
    """A text shown in place of a personal field: ``[withheld]`` or ``[erased]``."""

    __slots__ = ()


WITHHELD = Redacted("[withheld]")
"""The field exists but the reader's role may not see it."""

ERASED = Redacted("[erased]")
"""The field was erased: its data key was destroyed under a retention rule."""


@attrs.frozen
class RedactedPerson:
    """A person a reader may not see (or whose data was erased): only the age is kept."""

    age: int | None
    redaction: Redacted

    kind = SubjectKind.PERSON

    @property
    def ref(self) -> str:
        """Return the reference shown for the case's subject."""
        return f"person:{self.redaction}"
