"""Differences between groups of an index table: two areas in a year, two years of an area.

The groups of a table are disjoint sets of respondents, sampled independently, so
the difference ``second - first`` has the standard error
``sqrt(se_first^2 + se_second^2)`` and the normal interval
``difference +- z se``. Groups that overlap (an area and the whole survey) cannot be
compared this way, and a table only holds disjoint groups.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from ssp_core.exceptions import DataError
from ssp_core.files import open_private
from ssp_core.i18n import _
from ssp_core.index.config import NOT_OFFICIAL
from ssp_core.index.estimate import Estimate, IndexRow, IndexTable
from ssp_core.index.intervals import normal_quantile

__all__ = ["Comparison", "ComparisonTable", "compare", "comparisons", "difference"]


@attrs.frozen
class Comparison:
    """The difference ``second - first`` of one measure between two groups.

    :ivar measure: the measure compared.
    :ivar first: the first group's labels.
    :ivar second: the second group's labels.
    :ivar first_value: the first group's estimate.
    :ivar second_value: the second group's estimate.
    :ivar difference: ``second_value - first_value``.
    :ivar low: the interval's lower end.
    :ivar high: the interval's upper end.
    :ivar se: the difference's standard error.
    """

    measure: str
    first: tuple[str, ...]
    second: tuple[str, ...]
    first_value: float
    second_value: float
    difference: float
    low: float
    high: float
    se: float

    @property
    def clear(self) -> bool:
        """Tell whether the interval excludes zero (a difference at the table's confidence)."""
        return self.low > 0 or self.high < 0


def difference(
    first: Estimate, second: Estimate, confidence: float
) -> tuple[float, float, float, float]:
    """Return ``(second - first, low, high, se)`` for estimates from independent samples."""
    value = second.value - first.value
    se = math.hypot(first.se, second.se)
    z = normal_quantile(confidence)
    return value, value - z * se, value + z * se, se


@attrs.frozen
class ComparisonTable:
    """Comparisons of one measure, with the settings of the index table they come from.

    ``note`` is "not the official police safety index" when the measure is the composite.
    """

    by: tuple[str, ...]
    measure: str
    confidence: float
    method: str
    rows: tuple[Comparison, ...]
    note: str = ""

    def columns(self) -> list[str]:
        """Return the flat column names of :meth:`records`."""
        names = [f"first_{name}" for name in self.by] + [f"second_{name}" for name in self.by]
        names += ["measure", "first_value", "second_value", "difference", "low", "high", "se"]
        return [*names, "note"] if self.note else names

    def records(self) -> list[list[Any]]:
        """Return one flat list per comparison, in the order of :meth:`columns`."""
        note = [self.note] if self.note else []
        return [
            [
                *c.first,
                *c.second,
                c.measure,
                c.first_value,
                c.second_value,
                c.difference,
                c.low,
                c.high,
                c.se,
                *note,
            ]
            for c in self.rows
        ]

    def to_csv(self, path: str | Path) -> Path:
        """Write the comparisons as CSV and return the path."""
        file = Path(path)
        with open_private(file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns())
            writer.writerows(self.records())
        return file


def _check_measure(table: IndexTable, measure: str) -> None:
    if measure not in table.measures:
        raise DataError(
            _("unknown measure {measure!r}; known: {known}").format(
                measure=measure, known=", ".join(table.measures)
            )
        )


def compare(
    table: IndexTable, measure: str, first: Sequence[str | int], second: Sequence[str | int]
) -> Comparison:
    """Compare ``measure`` between two groups of ``table`` (labels in the order of ``by``)."""
    _check_measure(table, measure)
    a, b = table.row(*first), table.row(*second)
    if a.group == b.group:
        raise DataError(
            _("compare two different groups, not {group} with itself").format(
                group=", ".join(a.group)
            )
        )
    value, low, high, se = difference(a[measure], b[measure], table.confidence)
    return Comparison(
        measure, a.group, b.group, a[measure].value, b[measure].value, value, low, high, se
    )


def comparisons(
    table: IndexTable,
    measure: str,
    *,
    along: str = "year",
    pairs: Literal["consecutive", "all"] | None = None,
) -> ComparisonTable:
    """Compare ``measure`` along one grouping variable, within each level of the others.

    ``pairs="consecutive"`` (the default along ``year``) compares each level with the
    next one present; ``"all"`` (the default otherwise) compares every pair.
    """
    _check_measure(table, measure)
    if along not in table.by:
        raise DataError(
            _("cannot compare along {along!r}; the table is by {by}").format(
                along=along, by=", ".join(table.by) or _("(none)")
            )
        )
    pairs = pairs or ("consecutive" if along == "year" else "all")
    position = table.by.index(along)
    within: dict[tuple[str, ...], list[IndexRow]] = {}
    for row in table.rows:
        rest = row.group[:position] + row.group[position + 1 :]
        within.setdefault(rest, []).append(row)
    out: list[Comparison] = []
    for rows in within.values():
        chosen = (
            itertools.pairwise(rows) if pairs == "consecutive" else itertools.combinations(rows, 2)
        )
        out.extend(compare(table, measure, a.group, b.group) for a, b in chosen)
    note = NOT_OFFICIAL if measure == table.composite else ""
    return ComparisonTable(table.by, measure, table.confidence, table.method, tuple(out), note)
