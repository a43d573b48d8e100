"""Load survey microdata (CSV or Parquet) into arrays, checking every row.

:func:`load_survey` reads the columns named by :class:`~ssp_core.index.config.Columns`
and checks each row: a respondent id (unique), an area, a whole-number year, a
positive weight, a safety answer that is a whole number on the scale, and problem
and worry answers (optional) on their scales. A row that fails is named by its row
number, counted as in a spreadsheet: row 1 is the header, the first answer is row 2
(for Parquet too). By default any bad row is a :class:`~ssp_core.exceptions.DataError`
listing up to ten row numbers per problem and how many rows have it; with
``drop_invalid=True`` those rows are dropped and :class:`DropReport` says how many,
and why.

A weight of zero is refused like a negative one: a respondent who should not count
has no place in the file, and a zero weight in a small group would make its
estimates undefined.

A CSV file's field separator and decimal sign are the configuration's ``delimiter``
and ``decimal`` (``delimiter = ";"`` and ``decimal = ","`` for a file Excel wrote in
Danish). A header with semicolons and no comma is read with ``;`` without being told;
a file whose semicolons cannot be seen that way, or whose numbers have decimal
commas the configuration does not allow, is an error that names the setting.
Messages are in the current language (:mod:`ssp_core.i18n`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ssp_core.exceptions import DataError
from ssp_core.extras import parquet
from ssp_core.i18n import _
from ssp_core.index.cells import (
    HEADER_NOTE,
    MAX_ROWS_NAMED,
    FloatArray,
    Problem,
    RowChecks,
    number_cells,
    text_cells,
)
from ssp_core.index.config import IndexConfig

__all__ = [
    "DECIMAL_COMMA",
    "MAX_ROWS_NAMED",
    "DropReport",
    "Factor",
    "Problem",
    "Survey",
    "load_survey",
    "parquet_modules",
    "read_table",
    "survey_from_columns",
]

IntArray = npt.NDArray[np.intp]


@attrs.frozen
class DropReport:
    """What loading dropped: rows read, rows kept, and each problem found.

    A row with two problems counts under both, and once in ``dropped``.
    """

    read: int
    kept: int
    problems: tuple[Problem, ...] = ()

    @property
    def dropped(self) -> int:
        """Return how many rows were dropped."""
        return self.read - self.kept

    def counts(self) -> dict[str, int]:
        """Return the number of rows per problem code (codes of one column add up)."""
        totals: dict[str, int] = {}
        for problem in self.problems:
            totals[problem.code] = totals.get(problem.code, 0) + problem.count
        return totals

    def describe(self) -> str:
        """Return a short text: how many rows were dropped and why."""
        head = _("read {read} rows, kept {kept}, dropped {dropped}").format(
            read=self.read, kept=self.kept, dropped=self.dropped
        )
        if not self.problems:
            return head
        lines = "\n".join(f"  {problem.describe()}" for problem in self.problems)
        return f"{head} ({_(HEADER_NOTE)}):\n{lines}"


@attrs.frozen(eq=False)
class Factor:
    """A grouping variable as category codes (``0..len(labels)-1``) and their labels."""

    codes: IntArray
    labels: tuple[str, ...]


@attrs.frozen(eq=False)
class Survey:
    """Checked survey answers as arrays, one entry per kept respondent.

    :ivar config: the configuration the survey was read with.
    :ivar factors: grouping variables by name: ``area``, ``year`` and any ``groups``.
    :ivar weights: design weights (positive, finite).
    :ivar safety: the safety item (whole numbers on the scale, as floats).
    :ivar items: problem and worry items by column name (NaN = no answer).
    :ivar respondents: respondent ids.
    :ivar report: what loading dropped.
    :ivar source: where the data came from.
    """

    config: IndexConfig
    factors: Mapping[str, Factor]
    weights: FloatArray
    safety: FloatArray
    items: Mapping[str, FloatArray]
    respondents: npt.NDArray[np.str_]
    report: DropReport
    source: str = "<memory>"

    def __len__(self) -> int:
        return int(self.weights.shape[0])

    def factor(self, name: str) -> Factor:
        """Return the grouping variable ``name``; an unknown name is a :class:`DataError`."""
        try:
            return self.factors[name]
        except KeyError:
            allowed = ", ".join(self.factors)
            raise DataError(
                _("cannot group by {name!r}; allowed: {allowed}").format(name=name, allowed=allowed)
            ) from None


# -- reading files ---------------------------------------------------------------------


def parquet_modules() -> tuple[ModuleType, ModuleType]:
    """Return ``pyarrow`` and ``pyarrow.parquet`` to read Parquet, or say how to install them."""
    return parquet("reading", "use CSV")


def _missing_columns(
    path: Path, header: Sequence[str], wanted: Sequence[str], delimiter: str | None = None
) -> None:
    absent = [name for name in wanted if name not in header]
    if not absent:
        return
    names = ", ".join(repr(name) for name in absent)
    have = ", ".join(header) or _("none")
    if delimiter is not None and delimiter != ";" and any(";" in name for name in header):
        raise DataError(
            _(
                "{path}: missing column(s) {names}; the header has semicolons between its "
                'names: if they separate the fields, set delimiter = ";" (and decimal = "," '
                "for numbers like 1,5) in the index configuration (ssp index --config FILE). "
                "The header read: {have}"
            ).format(path=path, names=names, have=have)
        )
    raise DataError(
        _(
            "{path}: missing column(s) {names}; the file has: {have}. "
            "Name your columns in the [columns] table of the configuration"
        ).format(path=path, names=names, have=have)
    )


DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
"""A number written with a decimal comma, e.g. ``1,5`` (as Danish spreadsheets write it)."""


def _excel_da(first_line: str, delimiter: str) -> str:
    """Return the delimiter: ``;`` for a file Excel wrote in Danish, else ``delimiter``.

    Excel in Danish separates fields with ``;`` (the comma is the decimal sign): a
    header with semicolons and no comma, read with the default ``,``, is such a file
    (read with ``,`` it would be one column, which no survey is).
    """
    if delimiter == "," and ";" in first_line and "," not in first_line:
        return ";"
    return delimiter


def _decimal_point(cell: str) -> str:
    """Return ``3,5`` as ``3.5`` (a number with a decimal comma); other text as it is."""
    return cell.replace(",", ".") if DECIMAL_COMMA.match(cell) else cell


def _read_csv(
    path: Path, wanted: Sequence[str], delimiter: str, decimal: str | None
) -> dict[str, Any]:
    """Read a CSV file; with a decimal comma (by default with ``;``), ``1,5`` is a number."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        first_line = handle.readline()
        handle.seek(0)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(
            _("{path}: cannot read the file: {reason}").format(path=path, reason=reason)
        ) from None
    delimiter = _excel_da(first_line, delimiter)
    decimal_comma = (decimal or ("," if delimiter == ";" else ".")) == ","
    with handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise DataError(
                _("{path}: the file is empty; expected a header row").format(path=path)
            ) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(
                _("{path}: not a readable CSV file: {reason}").format(path=path, reason=exc)
            ) from None
        doubled = sorted({name for name in header if header.count(name) > 1})
        if doubled:
            raise DataError(
                _("{path}: the header names column(s) twice: {names}").format(
                    path=path, names=", ".join(doubled)
                )
            )
        _missing_columns(path, header, wanted, delimiter)
        index = [header.index(name) for name in wanted]
        values: list[list[str]] = [[] for _name in wanted]
        ragged: list[int] = []
        row_numbers: list[int] = []
        row = 1
        try:
            for record in reader:
                row += 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # a blank line
                cells = record
                if len(record) != len(header):
                    ragged.append(row)
                    cells = [*record, *[""] * len(header)]
                row_numbers.append(row)
                for column, position in zip(values, index, strict=True):
                    cell = cells[position]
                    column.append(_decimal_point(cell) if decimal_comma else cell)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(
                _("{path}: not a readable CSV file near row {row}: {reason}").format(
                    path=path, row=row + 1, reason=exc
                )
            ) from None
    data: dict[str, Any] = dict(zip(wanted, values, strict=True))
    data["__rows__"] = np.asarray(row_numbers, dtype=np.int64)
    data["__ragged__"] = np.asarray(ragged, dtype=np.int64)
    return data


def _read_parquet(path: Path, wanted: Sequence[str], text: Sequence[str]) -> dict[str, Any]:
    pa, pq = parquet_modules()
    try:
        header = list(pq.read_schema(str(path)).names)
        table = pq.read_table(
            str(path), columns=list(dict.fromkeys(name for name in wanted if name in header))
        )
    except (OSError, pa.ArrowException) as exc:
        raise DataError(
            _("{path}: not a readable Parquet file: {reason}").format(path=path, reason=exc)
        ) from None
    _missing_columns(path, header, wanted)
    data: dict[str, Any] = {}
    for name in wanted:
        column = table.column(name)
        numeric = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
        if numeric and name not in text:
            data[name] = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        else:
            data[name] = ["" if value is None else str(value) for value in column.to_pylist()]
    data["__rows__"] = np.arange(2, table.num_rows + 2, dtype=np.int64)
    data["__ragged__"] = np.zeros(0, dtype=np.int64)
    return data


def read_table(
    path: str | Path,
    wanted: Sequence[str],
    *,
    text: Sequence[str] = (),
    delimiter: str = ",",
    decimal: str | None = None,
) -> dict[str, Any]:
    """Read the columns ``wanted`` of a CSV or Parquet file (by its suffix).

    Returns each column as a list of text (CSV, and the ``text`` columns of Parquet)
    or a float array with NaN for nulls (numeric Parquet columns),
    plus ``__rows__``, the spreadsheet row number of each entry (row 1 is the header),
    and ``__ragged__``, the rows of a CSV file with a wrong number of fields.

    ``delimiter`` separates a CSV file's fields (``,`` also reads a file whose header
    has semicolons and no comma, as Excel writes in Danish, with ``;``). With
    ``decimal=","`` (by default with ``;`` between the fields) a cell like ``1,5`` is
    read as the number 1.5; other text keeps its commas.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return _read_parquet(file, wanted, text)
    if suffix in {".csv", ".txt", ".tsv"}:
        return _read_csv(file, wanted, "\t" if suffix == ".tsv" else delimiter, decimal)
    raise DataError(
        _("{path}: unknown file type {suffix!r}; allowed: .csv, .parquet").format(
            path=file, suffix=suffix or _("(none)")
        )
    )


# -- parsing and checking --------------------------------------------------------------


def _factor(values: Any, *, numeric: bool = False) -> Factor:
    if numeric:
        labels, codes = np.unique(values.astype(np.int64), return_inverse=True)
        return Factor(codes.astype(np.intp), tuple(str(label) for label in labels.tolist()))
    labels, codes = np.unique(values, return_inverse=True)
    return Factor(codes.astype(np.intp), tuple(str(label) for label in labels.tolist()))


def _check_scale(
    checks: RowChecks,
    column: str,
    values: Any,
    scale: tuple[int, int],
    missing: Sequence[str],
    *,
    required: bool,
) -> FloatArray:
    floats, empty, bad = number_cells(values, missing)
    low, high = scale
    with np.errstate(invalid="ignore"):
        off = ~empty & (bad | (floats != np.round(floats)) | (floats < low) | (floats > high))
    if required:
        checks.add(
            "answer_missing",
            column,
            _("no answer; allowed: whole numbers {low} to {high}").format(low=low, high=high),
            empty,
        )
    checks.add(
        "answer_outside_scale",
        column,
        _("answer outside the scale; allowed: whole numbers {low} to {high}").format(
            low=low, high=high
        ),
        off,
    )
    return np.where(off, np.nan, floats)


def _decimal_commas(data: Mapping[str, Any], columns: Sequence[str]) -> bool:
    """Tell whether a text cell of a numeric column is a number with a decimal comma."""
    for name in columns:
        values = data[name]
        if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
            continue
        if any(isinstance(cell, str) and DECIMAL_COMMA.match(cell) for cell in values):
            return True
    return False


def survey_from_columns(
    data: Mapping[str, Any],
    config: IndexConfig | None = None,
    *,
    source: str = "<memory>",
    drop_invalid: bool = False,
    rows: npt.NDArray[np.int64] | None = None,
) -> Survey:
    """Check columns of answers (by file column name) and return a :class:`Survey`.

    ``data`` maps the column names of ``config.columns`` to sequences of text or to
    numeric arrays. ``rows`` gives each entry's row number for messages (default:
    2, 3, ... as in a spreadsheet with a header). Bad rows raise
    :class:`~ssp_core.exceptions.DataError`, or are dropped with ``drop_invalid``.
    """
    config = config or IndexConfig()
    cols = config.columns
    wanted = (*cols.required(), *cols.items(), *cols.groups)
    absent = [name for name in wanted if name not in data]
    if absent:
        raise DataError(
            _("{source}: missing column(s) {names}").format(
                source=source, names=", ".join(map(repr, absent))
            )
        )
    size = len(data[cols.respondent])
    row_numbers = np.arange(2, size + 2, dtype=np.int64) if rows is None else np.asarray(rows)
    checks = RowChecks(row_numbers)
    ragged = data.get("__ragged__")
    if ragged is not None and len(ragged):
        checks.add(
            "wrong_field_count",
            _("(row)"),
            _("a different number of fields than the header"),
            np.isin(row_numbers, ragged),
        )
    ids = text_cells(data[cols.respondent])
    checks.add("respondent_missing", cols.respondent, _("no respondent id"), ids == "")
    _unique, first = np.unique(ids, return_index=True)
    repeated = np.ones(size, dtype=np.bool_)
    repeated[first] = False
    checks.add(
        "respondent_duplicate",
        cols.respondent,
        _("a respondent id already used on an earlier row"),
        repeated & (ids != ""),
    )
    labels = {}
    for name in (cols.area, *cols.groups):
        labels[name] = text_cells(data[name])
        checks.add("group_missing", name, _("no value; every row needs one"), labels[name] == "")
    years, year_empty, year_bad = number_cells(data[cols.year], config.missing)
    checks.add("group_missing", cols.year, _("no year; every row needs one"), year_empty)
    with np.errstate(invalid="ignore"):
        year_bad = year_bad | (~year_empty & (years != np.round(years)))
    checks.add("year_invalid", cols.year, _("the year is not a whole number"), year_bad)
    weights, weight_empty, weight_bad = number_cells(data[cols.weight], config.missing)
    checks.add(
        "weight_missing",
        cols.weight,
        _("no weight; weights must be positive numbers"),
        weight_empty,
    )
    checks.add(
        "weight_invalid",
        cols.weight,
        _("the weight is not a number; weights must be positive numbers"),
        weight_bad,
    )
    with np.errstate(invalid="ignore"):
        checks.add(
            "weight_not_positive",
            cols.weight,
            _("the weight is zero or negative; weights must be positive"),
            weights <= 0,
        )
    safety = _check_scale(
        checks, cols.safety, data[cols.safety], config.scale, config.missing, required=True
    )
    items = {
        name: _check_scale(
            checks, name, data[name], config.item_scale(name), config.missing, required=False
        )
        for name in cols.items()
    }
    problems = checks.problems()
    keep = ~checks.bad()
    if problems and not drop_invalid:
        found = "; ".join(problem.describe() for problem in problems)
        message = _(
            "{source}: {bad} of {size} rows are not valid ({note}): {found}. Fix them, "
            "or drop them with drop_invalid=True (ssp index --drop-invalid)"
        ).format(source=source, bad=int((~keep).sum()), size=size, note=_(HEADER_NOTE), found=found)
        if _decimal_commas(data, (cols.year, cols.weight, cols.safety, *cols.items())):
            message += " " + _(
                "Some numbers are written with a decimal comma (1,5): if the file uses "
                'decimal commas, set decimal = "," in the index configuration '
                "(ssp index --config FILE)."
            )
        raise DataError(message)
    kept = int(keep.sum())
    if kept == 0:
        raise DataError(
            _("{source}: no valid rows left after dropping the bad ones").format(source=source)
            if size
            else _("{source}: no valid rows").format(source=source)
        )
    factors = {"area": _factor(labels[cols.area][keep]), "year": _factor(years[keep], numeric=True)}
    factors.update((name, _factor(labels[name][keep])) for name in cols.groups)
    return Survey(
        config=config,
        factors=MappingProxyType(factors),
        weights=np.ascontiguousarray(weights[keep]),
        safety=np.ascontiguousarray(safety[keep]),
        items=MappingProxyType(
            {name: np.ascontiguousarray(values[keep]) for name, values in items.items()}
        ),
        respondents=ids[keep],
        report=DropReport(read=size, kept=kept, problems=problems),
        source=source,
    )


def load_survey(
    path: str | Path, config: IndexConfig | None = None, *, drop_invalid: bool = False
) -> Survey:
    """Read and check a survey file (``.csv`` or ``.parquet``) and return a :class:`Survey`.

    Bad rows raise :class:`~ssp_core.exceptions.DataError` naming them; with
    ``drop_invalid=True`` they are dropped and counted in ``Survey.report``.
    Parquet needs pyarrow (the ``parquet`` extra).
    """
    config = config or IndexConfig()
    cols = config.columns
    wanted = list(dict.fromkeys((*cols.required(), *cols.items(), *cols.groups)))
    text = (cols.respondent, cols.area, *cols.groups)
    data = read_table(path, wanted, text=text, delimiter=config.delimiter, decimal=config.decimal)
    return survey_from_columns(
        data, config, source=str(path), drop_invalid=drop_invalid, rows=data["__rows__"]
    )
