"""Reported crime per 1,000 residents, a series of its own beside the survey's estimates.

A crime file has one row per area and year with the number of reported crimes and
the number of residents (column names in ``IndexConfig.crime``). The rate is
``per * crimes / population``; its interval treats the count as Poisson and the
population as known: the exact (Garwood) interval of the count, divided by the
population (:func:`~ssp_core.index.intervals.poisson_interval`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from ssp_core.exceptions import DataError
from ssp_core.files import open_private
from ssp_core.i18n import _
from ssp_core.index.cells import HEADER_NOTE, RowChecks, number_cells, text_cells
from ssp_core.index.config import IndexConfig
from ssp_core.index.intervals import poisson_interval
from ssp_core.index.survey import read_table

__all__ = ["CrimeCounts", "CrimeRate", "CrimeTable", "crime_rates", "load_crime"]


@attrs.frozen
class CrimeRate:
    """Reported crimes per ``per`` residents in one area and year, with its interval."""

    area: str
    year: int
    crimes: int
    population: int
    rate: float
    low: float
    high: float


@attrs.frozen
class CrimeTable:
    """Crime rates by area and year (rows sorted by area, then year)."""

    per: int
    confidence: float
    rows: tuple[CrimeRate, ...]

    def columns(self) -> list[str]:
        """Return the flat column names of :meth:`records`."""
        return ["area", "year", "crimes", "population", f"rate_per_{self.per}", "low", "high"]

    def records(self) -> list[list[Any]]:
        """Return one flat list per row, in the order of :meth:`columns`."""
        return [[r.area, r.year, r.crimes, r.population, r.rate, r.low, r.high] for r in self.rows]

    def to_csv(self, path: str | Path) -> Path:
        """Write the table as CSV and return the path."""
        file = Path(path)
        with open_private(file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns())
            writer.writerows(self.records())
        return file


@attrs.frozen
class CrimeCounts:
    """Checked crime counts: one entry per area and year."""

    areas: tuple[str, ...]
    years: tuple[int, ...]
    crimes: tuple[int, ...]
    population: tuple[int, ...]


def load_crime(
    path: str | Path, config: IndexConfig | None = None, *, drop_invalid: bool = False
) -> CrimeCounts:
    """Read and check a crime file (CSV or Parquet) of area, year, crimes and population.

    Crimes must be whole numbers from 0, residents whole numbers from 1, and each
    area and year may appear once; bad rows raise :class:`DataError` naming them, or
    are dropped with ``drop_invalid``.
    """
    config = config or IndexConfig()
    cols = config.crime
    missing = config.missing
    wanted = [cols.area, cols.year, cols.crimes, cols.population]
    data = read_table(
        path, wanted, text=(cols.area,), delimiter=config.delimiter, decimal=config.decimal
    )
    rows = data["__rows__"]
    checks = RowChecks(rows)
    areas = text_cells(data[cols.area])
    checks.add("group_missing", cols.area, _("no area"), areas == "")
    numbers = {}
    for name, smallest in ((cols.year, None), (cols.crimes, 0), (cols.population, 1)):
        values, empty, bad = number_cells(data[name], missing)
        with np.errstate(invalid="ignore"):
            wrong = bad | (~empty & (values != np.round(values)))
            if smallest is not None:
                wrong |= ~empty & (values < smallest)
        if smallest is None:
            expected, invalid = _("no value; expected a year"), _("not a year")
        else:
            expected = _("no value; expected a whole number from {least}").format(least=smallest)
            invalid = _("not a whole number from {least}").format(least=smallest)
        checks.add("value_missing", name, expected, empty)
        checks.add("value_invalid", name, invalid, wrong)
        numbers[name] = values
    keys = np.char.add(
        np.char.add(areas, "\x00"), np.nan_to_num(numbers[cols.year]).astype(np.int64).astype(str)
    )
    _unique, first = np.unique(keys, return_index=True)
    repeated = np.ones(len(keys), dtype=np.bool_)
    repeated[first] = False
    checks.add("duplicate", cols.area, _("the same area and year as an earlier row"), repeated)
    problems = checks.problems()
    keep = ~checks.bad()
    if problems and not drop_invalid:
        found = "; ".join(problem.describe() for problem in problems)
        raise DataError(
            _(
                "{source}: {bad} of {size} rows are not valid ({note}): {found}. "
                "Fix them, or drop them with drop_invalid=True (--drop-invalid)"
            ).format(
                source=path,
                bad=int((~keep).sum()),
                size=len(keep),
                note=_(HEADER_NOTE),
                found=found,
            )
        )
    if not keep.any():
        raise DataError(_("{source}: no valid rows").format(source=path))
    order = sorted(np.flatnonzero(keep), key=lambda i: (areas[i], numbers[cols.year][i]))
    return CrimeCounts(
        areas=tuple(str(areas[i]) for i in order),
        years=tuple(int(numbers[cols.year][i]) for i in order),
        crimes=tuple(int(numbers[cols.crimes][i]) for i in order),
        population=tuple(int(numbers[cols.population][i]) for i in order),
    )


def crime_rates(counts: CrimeCounts, *, per: int = 1000, confidence: float = 0.95) -> CrimeTable:
    """Return reported crimes per ``per`` residents with exact Poisson intervals."""
    rows = []
    for area, year, crimes, population in zip(
        counts.areas, counts.years, counts.crimes, counts.population, strict=True
    ):
        low, high = poisson_interval(crimes, confidence)
        scale = per / population
        rows.append(
            CrimeRate(area, year, crimes, population, crimes * scale, low * scale, high * scale)
        )
    return CrimeTable(per, confidence, tuple(rows))
