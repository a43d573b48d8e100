"""Cells of microdata columns: text and numbers parsed as arrays, and the bad rows of each kind.

Shared by the survey reader (:mod:`ssp_core.index.survey`) and the crime-count
reader (:mod:`ssp_core.index.crime`). Rows are numbered as in a spreadsheet: row 1
is the header, the first answer is row 2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ssp_core.i18n import N_, _, ngettext

__all__ = [
    "HEADER_NOTE",
    "MAX_ROWS_NAMED",
    "BoolArray",
    "FloatArray",
    "Problem",
    "RowChecks",
    "number_cells",
    "text_cells",
]

MAX_ROWS_NAMED = 10
"""How many row numbers an error message or a drop report names per problem."""

HEADER_NOTE = N_("row 1 is the header")
"""Said with every list of row numbers, so that they are read as in a spreadsheet.

English as written; show it translated, ``_(HEADER_NOTE)``."""

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@attrs.frozen
class Problem:
    """One kind of bad row: what is wrong, in which column, how many rows, the first ones.

    :ivar code: a short stable code, e.g. ``weight_not_positive``.
    :ivar column: the file column concerned.
    :ivar message: what is wrong and what is allowed, in words (in the language of the
        reading).
    :ivar count: how many rows have the problem.
    :ivar rows: the first (at most :data:`MAX_ROWS_NAMED`) row numbers; row 1 is the header.
    """

    code: str
    column: str
    message: str
    count: int
    rows: tuple[int, ...]

    def describe(self) -> str:
        """Return one line: the count, the problem and the first row numbers."""
        shown = ", ".join(str(row) for row in self.rows)
        if self.count > len(self.rows):
            shown = _("{rows} and {more} more").format(rows=shown, more=self.count - len(self.rows))
        return ngettext(
            "{count} row: {column}: {message} (row {rows})",
            "{count} rows: {column}: {message} (rows {rows})",
            self.count,
        ).format(count=self.count, column=self.column, message=self.message, rows=shown)


def text_cells(values: Any) -> npt.NDArray[np.str_]:
    """Return the cells as stripped text (whole numbers without ``.0``, NaN as empty)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        values = [_number_text(value) for value in values.tolist()]
    return np.char.strip(np.asarray(values, dtype=np.str_))


def _number_text(value: float) -> str:
    if math.isnan(value):
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def number_cells(values: Any, missing: Sequence[str]) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Return floats, the empty cells and the cells that are not finite numbers."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        floats = values.astype(np.float64)
        empty = np.isnan(floats)
        return floats, empty, ~empty & ~np.isfinite(floats)
    text = np.char.strip(np.asarray(values, dtype=np.str_))
    empty = (text == "") | np.isin(text, np.asarray(missing, dtype=np.str_))
    filled = np.where(empty, "nan", text)
    try:
        floats = filled.astype(np.float64)
    except ValueError:
        floats = np.array([_float_or_inf(value) for value in filled.tolist()], dtype=np.float64)
    bad = ~empty & ~np.isfinite(floats)
    return np.where(bad, np.nan, floats), empty, bad


def _float_or_inf(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")


@attrs.define
class RowChecks:
    """Collects the bad rows of each kind, in the order they are found."""

    rows: npt.NDArray[np.int64]
    found: list[tuple[str, str, str, BoolArray]] = attrs.Factory(list)

    def add(self, code: str, column: str, message: str, mask: BoolArray) -> None:
        """Note the rows of ``mask`` as having the problem ``code`` in ``column``."""
        if mask.any():
            self.found.append((code, column, message, mask))

    def bad(self) -> BoolArray:
        """Return the rows with any problem."""
        bad = np.zeros(self.rows.shape[0], dtype=np.bool_)
        for *_found, mask in self.found:
            bad |= mask
        return bad

    def problems(self) -> tuple[Problem, ...]:
        """Return each problem found, with its count and first rows."""
        return tuple(
            Problem(
                code,
                column,
                message,
                int(mask.sum()),
                tuple(int(row) for row in self.rows[mask][:MAX_ROWS_NAMED]),
            )
            for code, column, message, mask in self.found
        )
