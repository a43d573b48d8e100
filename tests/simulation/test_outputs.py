"""An experiment's outputs: tidy tables in CSV and Parquet, and its figures.

Tables round-trip exactly (every float, ``inf`` and ``nan`` included), keep their
column order, and an experiment without series still writes its (empty) series
table. Figures are real PNG and SVG files, and the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import math
import struct
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_core.exceptions import ConfigError, DataError
from ssp_core.i18n import language
from ssp_core.simulation.plots import plot_series, plot_summaries
from ssp_core.simulation.results import Figure, Point, ReplicationResult, Results
from ssp_core.simulation.statistics import differences, summarise
from ssp_core.simulation.tables import (
    DIFFERENCE_COLUMNS,
    FIGURE_COLUMNS,
    SERIES_COLUMNS,
    SUMMARY_COLUMNS,
    TABLES,
    difference_rows,
    figure_rows,
    series_rows,
    summary_rows,
    write_tables,
)

try:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover (the parquet extra is in the test group)
    pq = None

NEEDS_PYARROW = pytest.mark.skipif(pq is None, reason="pyarrow (the parquet extra) is missing")
AWKWARD = (0.1 + 0.2, 1e-300, 5e-324, -0.0, 1 / 3, 2.0**60 + 1, math.inf, -math.inf, math.nan)


def experiment(values: tuple[float, ...] = AWKWARD, *, series: bool = True) -> Results:
    """Two arms of three replications; ``values`` land in the base arm's figures."""
    replications = []
    for arm, shift in (("base", 0.0), ("more staff", -1.5)):
        for index in range(3):
            figures = (
                Figure("wait", "", 4.0 + index * 0.25 + shift),
                Figure("wait", "card a", 2.0 + index * 0.5 + shift),
                *(
                    (Figure(f"odd {n}", "", v) for n, v in enumerate(values))
                    if arm == "base"
                    else ()
                ),
            )
            points = (
                tuple(
                    Point("backlog", "", float(day), day * 0.5 + index + shift)
                    for day in range(0, 30, 3)
                )
                if series
                else ()
            )
            replications.append(ReplicationResult(arm, index, figures, points))
    return Results(("base", "more staff"), 42, tuple(replications))


def same(a: object, b: object) -> bool:
    """Equal, with nan equal to nan and -0.0 told from 0.0 (bit for bit)."""
    if isinstance(a, float) and isinstance(b, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    return a == b


def read_csv(path: Path, columns: dict[str, str]) -> tuple[list[str], list[dict[str, object]]]:
    convert: dict[str, Callable[[str], object]] = {
        "string": str,
        "int64": int,
        "float64": float,
        "bool": lambda cell: cell == "True",
    }
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [
            {name: convert[columns[name]](cell) for name, cell in zip(header, row, strict=True)}
            for row in reader
        ]
    return header, rows


def assert_same_rows(read: list[dict[str, object]], wanted: list[dict[str, object]]) -> None:
    assert len(read) == len(wanted)
    for got, expected in zip(read, wanted, strict=True):
        assert list(got) == list(expected)
        assert all(same(got[k], expected[k]) for k in expected), (got, expected)


# -- rows ----------------------------------------------------------------------------


def test_rows_are_tidy_in_a_stable_column_order() -> None:
    results = experiment((7.0,))
    figures = figure_rows(results)
    assert figures[0] == {
        "arm": "base", "replication": 0, "measure": "wait", "group": "", "value": 4.0,
    }  # fmt: skip
    assert all(list(row) == list(FIGURE_COLUMNS) for row in figures)
    assert len(figures) == 3 * 3 + 3 * 2
    series = series_rows(results)
    assert list(series[1]) == list(SERIES_COLUMNS)
    assert series[1] == {
        "arm": "base", "replication": 0, "series": "backlog", "group": "", "time": 3.0, "value": 1.5,
    }  # fmt: skip
    summaries = summary_rows(summarise(results))
    assert all(list(row) == list(SUMMARY_COLUMNS) for row in summaries)
    found = difference_rows(differences(results))
    assert [list(row) for row in found] == [list(DIFFERENCE_COLUMNS)] * 2
    assert [(row["group"], row["mean"], row["excludes_zero"]) for row in found] == [
        ("", -1.5, True),
        ("card a", -1.5, True),
    ]


# -- CSV and Parquet -----------------------------------------------------------------


def test_csv_round_trips_every_value_exactly(tmp_path: Path) -> None:
    results = experiment()
    paths = write_tables(results, tmp_path / "out", level=0.9)
    assert [p.name for p in paths] == [f"{name}.csv" for name in TABLES]
    wanted = (
        figure_rows(results),
        series_rows(results),
        summary_rows(summarise(results, 0.9)),
        difference_rows(differences(results, level=0.9)),
    )
    columns = (FIGURE_COLUMNS, SERIES_COLUMNS, SUMMARY_COLUMNS, DIFFERENCE_COLUMNS)
    for path, rows, kinds in zip(paths, wanted, columns, strict=True):
        header, read = read_csv(path, dict(kinds))
        assert header == list(kinds)
        assert_same_rows(read, rows)
        assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)


@given(values=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20))
def test_any_float_survives_csv(values: list[float]) -> None:
    results = experiment(tuple(values), series=False)
    with tempfile.TemporaryDirectory() as folder:
        figures, *_ = write_tables(results, Path(folder))
        _, read = read_csv(figures, dict(FIGURE_COLUMNS))
    assert_same_rows(read, figure_rows(results))


@NEEDS_PYARROW
def test_parquet_round_trips_every_value_exactly(tmp_path: Path) -> None:
    results = experiment()
    paths = write_tables(results, tmp_path, format="parquet", baseline="more staff")
    assert [p.name for p in paths] == [f"{name}.parquet" for name in TABLES]
    wanted = (
        figure_rows(results),
        series_rows(results),
        summary_rows(summarise(results)),
        difference_rows(differences(results, baseline="more staff")),
    )
    for path, rows in zip(paths, wanted, strict=True):
        table = pq.read_table(path)
        assert_same_rows(table.to_pylist(), rows)
    differences_table = pq.read_table(paths[3])
    assert differences_table.column_names == list(DIFFERENCE_COLUMNS)
    assert str(differences_table.schema.field("excludes_zero").type) == "bool"
    assert str(differences_table.schema.field("replications").type) == "int64"
    assert differences_table.column("baseline").to_pylist() == ["more staff", "more staff"]


@pytest.mark.parametrize("fmt", ["csv", pytest.param("parquet", marks=NEEDS_PYARROW)])
def test_an_experiment_without_series_writes_an_empty_series_table(
    tmp_path: Path, fmt: str
) -> None:
    results = experiment((1.0,), series=False)
    _, series, *_ = write_tables(results, tmp_path, format=fmt)  # type: ignore[arg-type]
    if fmt == "csv":
        assert series.read_bytes() == (",".join(SERIES_COLUMNS) + "\r\n").encode()
    else:
        table = pq.read_table(series)
        assert table.num_rows == 0
        assert table.column_names == list(SERIES_COLUMNS)
        assert str(table.schema.field("time").type) == "double"


def test_without_pyarrow_parquet_is_refused_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(
        ConfigError, match=r"writing Parquet needs pyarrow: pip install .*\[parquet\]"
    ):
        write_tables(experiment(), tmp_path / "out", format="parquet")
    assert not (tmp_path / "out").exists()  # refused before anything was written
    with pytest.raises(ValueError, match="unknown format 'xlsx'"):
        write_tables(experiment(), tmp_path, format="xlsx")  # type: ignore[arg-type]


def test_a_table_is_replaced_whole(tmp_path: Path) -> None:
    write_tables(experiment((1.0,)), tmp_path)
    write_tables(experiment((2.0, 3.0)), tmp_path)
    _, read = read_csv(tmp_path / "figures.csv", dict(FIGURE_COLUMNS))
    odd = [row["value"] for row in read if str(row["measure"]).startswith("odd")]
    assert odd == [2.0, 3.0] * 3  # the base arm's three replications, none of the first run
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial file left


# -- figures -------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n"


def _svg_ok(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)  # noqa: S314 (our own file)
    assert root.tag.endswith("svg")
    return text


def test_summaries_are_drawn_as_png_and_svg_the_same_each_time(tmp_path: Path) -> None:
    summaries = summarise(experiment())
    png = plot_summaries(summaries, "wait", tmp_path / "wait.png")
    assert png.read_bytes().startswith(PNG)
    first = plot_summaries(summaries, "wait", tmp_path / "a" / "wait.svg")
    again = plot_summaries(summaries, "wait", tmp_path / "b" / "wait.svg")
    assert first.read_bytes() == again.read_bytes()
    text = _svg_ok(first)
    assert "more staff" in text  # the legend: two groups, so one entry per arm
    assert "card a" in text
    assert "95 % confidence interval" in text
    assert first.stat().st_mode & 0o777 == 0o600


def test_one_group_is_drawn_per_arm_and_one_replication_without_a_bar(tmp_path: Path) -> None:
    one = Results(
        ("base", "fast"),
        0,
        (
            ReplicationResult("base", 0, (Figure("wait", "", 3.0),)),
            ReplicationResult("fast", 0, (Figure("wait", "", 2.0),)),
        ),
    )
    text = _svg_ok(plot_summaries(summarise(one), "wait", tmp_path / "one.svg"))
    assert "A mean from one replication has no interval." in text
    assert "fast" in text


def test_a_series_is_drawn_with_its_band_the_same_each_time(tmp_path: Path) -> None:
    results = experiment()
    png = plot_series(results, "backlog", tmp_path / "backlog.png")
    assert png.read_bytes().startswith(PNG)
    assert len(png.read_bytes()) > 1000
    first = plot_series(results, "backlog", tmp_path / "a.svg")
    again = plot_series(results, "backlog", tmp_path / "b.svg")
    assert first.read_bytes() == again.read_bytes()
    text = _svg_ok(first)
    assert "backlog" in text
    assert "pointwise 95 % interval" in text
    # one replication: the band is the min-max, a line of width 0; still drawn
    single = Results(("base",), 0, tuple(r for r in results.replications if r.index == 0)[:1])
    _svg_ok(plot_series(single, "backlog", tmp_path / "single.svg"))


def test_what_cannot_be_drawn_is_refused_with_what_can(tmp_path: Path) -> None:
    results = experiment((1.0,))
    with pytest.raises(
        DataError, match=r"no summary of the measure 'queue'; the measures: wait, odd 0"
    ):
        plot_summaries(summarise(results), "queue", tmp_path / "q.svg")
    with pytest.raises(
        DataError, match=r"no series 'backlog' for the group card a; the series: backlog \(all\)"
    ):
        plot_series(results, "backlog", tmp_path / "b.svg", group="card a")
    with pytest.raises(DataError, match=r"a figure is written as \.png or \.svg, not '\.pdf'"):
        plot_series(results, "backlog", tmp_path / "b.pdf")
    assert list(tmp_path.iterdir()) == []


def test_figures_speak_danish_when_asked(tmp_path: Path) -> None:
    results = experiment((1.0,))
    with language("da"):
        summaries = _svg_ok(plot_summaries(summarise(results), "wait", tmp_path / "s.svg"))
        series = _svg_ok(plot_series(results, "backlog", tmp_path / "b.svg"))
    assert "Gruppe" in summaries
    assert "95 %-konfidensinterval for hver arm" in summaries
    assert "alle" in summaries  # the group "" is the whole
    assert "punktvist 95 %-interval" in series
    assert "2,5" in series  # a decimal comma on the axis
