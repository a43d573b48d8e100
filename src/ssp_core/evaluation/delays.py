"""Time from a concern to the first action on its card: median and quartiles, for large groups.

The days from the concern date (else the opening) to the case's first step on its
action card are summarised per card and year of opening, per card over the period,
per year over all cards, and over everything. A group's statistics are shown only
when at least ``threshold`` (5) of its cases have had a first action **and** the
concerns table publishes the group's number of cases (so the statistics tell
nothing about a count the table hides). No group's number of cases is shown here;
the concerns table shows it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

import attrs

from ssp_core.evaluation.facts import FirstAction
from ssp_core.privacy.suppression import THRESHOLD, TOTAL, SuppressedTable

__all__ = ["Delay", "delays"]


@attrs.frozen
class Delay:
    """The days from concern to first action in one group: ``card`` and ``year`` or ``Total``.

    ``median``, ``lower_quartile`` and ``upper_quartile`` are ``None`` when the
    group is too small to show (or its count is hidden).
    """

    card: str
    year: str
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None

    @property
    def shown(self) -> bool:
        """Tell whether the group's statistics are shown."""
        return self.median is not None


def _published(concerns: SuppressedTable | None) -> dict[tuple[str, str], int]:
    """Return the published counts of (card, year) over all age bands in the concerns table."""
    if concerns is None:
        return {}
    band = concerns.dimensions.index("age_band")
    card, year = concerns.dimensions.index("card"), concerns.dimensions.index("year")
    return {
        (cell.key[card], cell.key[year]): cell.count
        for cell in concerns.cells
        if cell.key[band] == TOTAL and cell.count is not None
    }


def _summary(days: Sequence[int]) -> tuple[float, float, float]:
    q1, median, q3 = statistics.quantiles(days, n=4, method="inclusive")
    return float(median), float(q1), float(q3)


def delays(
    actions: Iterable[FirstAction],
    concerns: SuppressedTable | None,
    years: Sequence[str],
    cards: Sequence[str],
    *,
    threshold: int = THRESHOLD,
) -> list[Delay]:
    """Return one :class:`Delay` per group: each card by each year, then totals.

    ``actions`` are the cases of the period on the ``cards`` counted; ``concerns`` the
    suppressed concerns table over the same cases (its published totals decide which
    groups may be shown). Quartiles are the inclusive ones (as
    ``statistics.quantiles(method="inclusive")`` and numpy's default).
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for action in actions:
        if action.days is None or action.workflow not in cards:
            continue
        year = str(action.opened.year)
        for key in (
            (action.workflow, year),
            (action.workflow, TOTAL),
            (TOTAL, year),
            (TOTAL, TOTAL),
        ):
            groups.setdefault(key, []).append(action.days)
    published = _published(concerns)
    found: list[Delay] = []
    for card in [*cards, TOTAL]:
        for year in [*years, TOTAL]:
            days = groups.get((card, year), [])
            if len(days) >= max(threshold, 2) and published.get((card, year), 0) >= threshold:
                median, low, high = _summary(days)
                found.append(Delay(card, year, median, low, high))
            else:
                found.append(Delay(card, year))
    return found
