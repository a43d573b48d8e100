"""An experiment's outputs as tidy tables: one row per value, written as CSV or Parquet.

Four tables, each a list of rows (dicts whose keys are in the column order of the
matching ``*_COLUMNS``):

* ``figures``: every measure of every replication (arm, replication, measure, group, value);
* ``series``: every point of every time series (arm, replication, series, group, time, value);
* ``summary``: each arm's mean and interval per measure and group
  (:func:`~ssp_core.simulation.statistics.summarise`);
* ``differences``: each arm minus the baseline, paired
  (:func:`~ssp_core.simulation.statistics.differences`).

:func:`write_tables` writes them into a folder. CSV is written with the standard
library; every float as its ``repr``, so reading it back with ``float()`` gives the
very same number (``inf`` and ``nan`` included). Parquet needs pyarrow (the
``parquet`` extra); without it, a :class:`~ssp_core.exceptions.ConfigError` says how
to install it. Files are created for their owner only (:mod:`ssp_core.files`) and
written under a temporary name first, then moved into place, so a reader never sees
half a table.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from ssp_core.extras import parquet
from ssp_core.files import private_folder, staged_file
from ssp_core.simulation.results import Results
from ssp_core.simulation.statistics import Difference, Summary, differences, summarise

__all__ = [
    "DIFFERENCE_COLUMNS",
    "FIGURE_COLUMNS",
    "SERIES_COLUMNS",
    "SUMMARY_COLUMNS",
    "TABLES",
    "ColumnType",
    "Row",
    "difference_rows",
    "figure_rows",
    "series_rows",
    "summary_rows",
    "write_tables",
]

Row = dict[str, object]
"""One row of a table: column name to value, in the table's column order."""

ColumnType = Literal["string", "int64", "float64", "bool"]
"""The Parquet type of a column."""

FIGURE_COLUMNS: Mapping[str, ColumnType] = {
    "arm": "string",
    "replication": "int64",
    "measure": "string",
    "group": "string",
    "value": "float64",
}
"""The columns of the ``figures`` table, with their Parquet types."""

SERIES_COLUMNS: Mapping[str, ColumnType] = {
    "arm": "string",
    "replication": "int64",
    "series": "string",
    "group": "string",
    "time": "float64",
    "value": "float64",
}
"""The columns of the ``series`` table, with their Parquet types."""

_INTERVAL: Mapping[str, ColumnType] = {
    "measure": "string",
    "group": "string",
    "replications": "int64",
    "mean": "float64",
    "sd": "float64",
    "half_width": "float64",
    "low": "float64",
    "high": "float64",
    "level": "float64",
}

SUMMARY_COLUMNS: Mapping[str, ColumnType] = {"arm": "string", **_INTERVAL}
"""The columns of the ``summary`` table, with their Parquet types."""

DIFFERENCE_COLUMNS: Mapping[str, ColumnType] = {
    "arm": "string",
    "baseline": "string",
    **_INTERVAL,
    "excludes_zero": "bool",
}
"""The columns of the ``differences`` table, with their Parquet types."""

TABLES = ("figures", "series", "summary", "differences")
"""The tables :func:`write_tables` writes, in the order of the paths it returns."""


def figure_rows(results: Results) -> list[Row]:
    """Return one row per measure of each replication, in the order of ``results``."""
    return [
        {
            "arm": replication.arm,
            "replication": replication.index,
            "measure": figure.measure,
            "group": figure.group,
            "value": float(figure.value),
        }
        for replication in results.replications
        for figure in replication.figures
    ]


def series_rows(results: Results) -> list[Row]:
    """Return one row per point of each replication's series, in the order of ``results``."""
    return [
        {
            "arm": replication.arm,
            "replication": replication.index,
            "series": point.series,
            "group": point.group,
            "time": float(point.time),
            "value": float(point.value),
        }
        for replication in results.replications
        for point in replication.series
    ]


def _interval_row(item: Summary | Difference) -> Row:
    return {
        "measure": item.measure,
        "group": item.group,
        "replications": item.replications,
        "mean": float(item.mean),
        "sd": float(item.sd),
        "half_width": float(item.half_width),
        "low": float(item.low),
        "high": float(item.high),
        "level": float(item.level),
    }


def summary_rows(summaries: Sequence[Summary]) -> list[Row]:
    """Return one row per summary (arm, measure, group, n, mean, sd, interval, level)."""
    return [{"arm": summary.arm, **_interval_row(summary)} for summary in summaries]


def difference_rows(found: Sequence[Difference]) -> list[Row]:
    """Return one row per paired difference, with whether its interval excludes 0."""
    return [
        {
            "arm": difference.arm,
            "baseline": difference.baseline,
            **_interval_row(difference),
            "excludes_zero": difference.excludes_zero,
        }
        for difference in found
    ]


def _cell(value: object) -> str:
    """Return a CSV cell: floats as their ``repr`` (exact round trip), the rest as ``str``."""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Row]) -> None:
    with staged_file(path) as partial, partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([_cell(row[column]) for column in columns] for row in rows)


def _write_parquet(path: Path, columns: Mapping[str, ColumnType], rows: Sequence[Row]) -> None:
    pa, pq = parquet("writing", "write CSV")
    factories = {"string": pa.string, "int64": pa.int64, "float64": pa.float64, "bool": pa.bool_}
    schema = pa.schema([(name, factories[kind]()) for name, kind in columns.items()])
    table = pa.Table.from_pylist(list(rows), schema=schema)
    with staged_file(path) as partial:
        pq.write_table(table, str(partial))


def write_tables(
    results: Results,
    folder: Path,
    *,
    format: Literal["csv", "parquet"] = "csv",  # noqa: A002 (the word researchers expect)
    level: float = 0.95,
    baseline: str | None = None,
) -> tuple[Path, ...]:
    """Write the four tables (:data:`TABLES`) into ``folder``; return their paths in that order.

    ``level`` is the confidence level of the summaries and differences, ``baseline`` the
    arm the differences are taken against (default: the first). Parquet needs pyarrow:
    without it, :class:`~ssp_core.exceptions.ConfigError` before anything is written.
    """
    if format not in {"csv", "parquet"}:
        raise ValueError(f"unknown format {format!r}; allowed: csv, parquet")
    if format == "parquet":
        parquet("writing", "write CSV")  # fail before any file is written
    tables: list[tuple[Mapping[str, ColumnType], list[Row]]] = [
        (FIGURE_COLUMNS, figure_rows(results)),
        (SERIES_COLUMNS, series_rows(results)),
        (SUMMARY_COLUMNS, summary_rows(summarise(results, level))),
        (DIFFERENCE_COLUMNS, difference_rows(differences(results, baseline, level))),
    ]
    private_folder(folder)
    written = []
    for name, (columns, rows) in zip(TABLES, tables, strict=True):
        path = folder / f"{name}.{format}"
        if format == "parquet":
            _write_parquet(path, columns, rows)
        else:
            _write_csv(path, list(columns), rows)
        written.append(path)
    return tuple(written)
