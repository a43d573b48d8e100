"""The period an evaluation covers: two dates, or a council term."""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.domain.strategy import CouncilTerm
from ssp_core.exceptions import DataError
from ssp_core.i18n import _

__all__ = ["DASH", "Period"]

DASH = "\u2013"
"""The en dash (U+2013) between the ends of a range in a report."""


@attrs.frozen
class Period:
    """The days from ``start`` to ``end``, both included; ``term`` when it is a council term."""

    start: dt.date
    end: dt.date
    term: CouncilTerm | None = None

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise DataError(
                _(
                    "the period ends ({end}) before it starts ({start}); give --from before --to"
                ).format(end=self.end.isoformat(), start=self.start.isoformat())
            )

    @classmethod
    def of_term(cls, term: CouncilTerm | str) -> Period:
        """Return the period of a council term, e.g. ``Period.of_term("2022-2025")``."""
        parsed = CouncilTerm.parse(term) if isinstance(term, str) else term
        return cls(parsed.start, parsed.end, parsed)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def years(self) -> tuple[str, ...]:
        """Return the calendar years the period touches, in order, as text."""
        return tuple(str(year) for year in range(self.start.year, self.end.year + 1))

    def quarters(self) -> tuple[str, ...]:
        """Return the calendar quarters the period touches, in order, e.g. ``2026-Q1``."""
        found = []
        for year in range(self.start.year, self.end.year + 1):
            for quarter in range(1, 5):
                first = dt.date(year, 3 * quarter - 2, 1)
                last = dt.date(year + quarter // 4, 3 * quarter % 12 + 1, 1) - dt.timedelta(days=1)
                if first <= self.end and last >= self.start:
                    found.append(f"{year}-Q{quarter}")
        return tuple(found)

    def describe(self) -> str:
        """Return the period as text, e.g. ``2022-01-01`` to ``2025-12-31 (2022-2025)``."""
        text = f"{self.start.isoformat()} {DASH} {self.end.isoformat()}"
        return f"{text} ({self.term})" if self.term is not None else text
