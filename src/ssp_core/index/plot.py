"""Plots of the index: trends over years and comparisons of groups, as PNG and SVG.

matplotlib's object API only (``matplotlib.figure.Figure``, no ``pyplot`` state),
so plotting is safe in a server or a test. Every figure says in its caption that
the estimates are weighted and which intervals are drawn; a figure of the
composite says it is not the official police safety index. SVG output keeps text as
text (searchable, read aloud by screen readers), carries no date and a fixed hash
salt, so the same call gives the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ssp_core.exceptions import DataError
from ssp_core.files import private_file, private_folder
from ssp_core.i18n import N_, _, current_language
from ssp_core.index.compare import ComparisonTable
from ssp_core.index.config import SHARES
from ssp_core.index.estimate import IndexTable

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["FORMATS", "measure_label", "plot_comparison", "plot_differences", "plot_trend"]

FORMATS = ("png", "svg")
"""The file formats a plot can be written in."""

_METHODS = {
    "effective_n": N_("linearised standard errors; Wilson intervals for shares"),
    "bootstrap": N_("bootstrap percentile intervals"),
}

_SHARE_LABELS = {
    "unsafe_share": N_("Share feeling unsafe (%)"),
    "safe_share": N_("Share feeling safe (%)"),
    "neither_share": N_("Share feeling neither safe nor unsafe (%)"),
}


def measure_label(measure: str, table: IndexTable | None = None) -> str:
    """Return a readable label of a measure (shares in per cent), in the current language."""
    if measure in _SHARE_LABELS:
        return _(_SHARE_LABELS[measure])
    if measure in SHARES:
        return _("Share {answer} (%)").format(answer=measure.removesuffix("_share"))
    if measure == "safety_mean":
        return _("Mean of the safety item (1 = safe, 7 = unsafe)")
    if table is not None and measure == table.composite:
        return _("Composite index, 0-100 (not the official police safety index)")
    return _("Mean of {measure}").format(measure=measure.removesuffix("_mean").replace("_", " "))


def _axis_label(measure: str, table: IndexTable) -> str:
    if measure == table.composite:
        return _("Composite index (0-100, 100 = safest)")
    return measure_label(measure, table)


def _comma(value: float, _position: float | None = None) -> str:
    return f"{value:g}".replace(".", ",")


def _numbers(axes: Axes, *which: str) -> None:
    """Write the tick numbers of the ``x`` and/or ``y`` axis with a decimal comma in Danish."""
    if current_language() == "da":
        for name in which:
            getattr(axes, f"{name}axis").set_major_formatter(FuncFormatter(_comma))


def _group(names: Sequence[str]) -> str:
    return ", ".join(names) or _("all")


def _scale(measure: str) -> float:
    return 100.0 if measure in SHARES else 1.0


def _caption(table: IndexTable | ComparisonTable, measure: str, composite: str | None) -> str:
    level = f"{table.confidence * 100:g}"
    if current_language() == "da":
        level = level.replace(".", ",") + " %"
    else:
        level += "%"
    known = _METHODS.get(table.method)
    method = _(known) if known is not None else table.method
    text = _("Weighted estimates with {level} intervals ({method}).").format(
        level=level, method=method
    )
    if measure == composite:
        text += " " + _("The composite is not the official police safety index.")
    return text


def _save(figure: Figure, out: str | Path, formats: Sequence[str]) -> tuple[Path, ...]:
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise DataError(
            f"unknown plot format {', '.join(unknown) or '(none)'}; allowed: {', '.join(FORMATS)}"
        )
    stem = Path(out)
    private_folder(stem.parent)
    written = []
    with mpl.rc_context({"svg.hashsalt": "ssp-core", "svg.fonttype": "none"}):
        for fmt in formats:
            path = private_file(stem.with_name(f"{stem.name}.{fmt}"))
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            figure.savefig(path, format=fmt, metadata=metadata, dpi=120)
            written.append(path)
    return tuple(written)


def _check(table: IndexTable, measure: str) -> None:
    if measure not in table.measures:
        raise DataError(f"unknown measure {measure!r}; known: {', '.join(table.measures)}")
    if not table.rows:
        raise DataError("the table has no groups to plot")


def _finish(figure: Figure, axes: Axes, title: str, caption: str) -> None:
    axes.set_title(title)
    axes.grid(visible=True, alpha=0.3)
    figure.supxlabel(caption, fontsize=7, wrap=True)


def plot_trend(
    table: IndexTable,
    measure: str,
    out: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    title: str | None = None,
) -> tuple[Path, ...]:
    """Plot ``measure`` over the years, one line (with an interval band) per other group.

    ``out`` is the path without suffix; one file per format is written and returned.
    The table must be grouped by ``year``.
    """
    _check(table, measure)
    if "year" not in table.by:
        raise DataError(
            f"a trend needs a table grouped by year; it is by {', '.join(table.by) or '(none)'}"
        )
    position = table.by.index("year")
    scale = _scale(measure)
    lines: dict[str, list[tuple[int, float, float, float]]] = {}
    for row in table.rows:
        rest = row.group[:position] + row.group[position + 1 :]
        e = row[measure]
        point = (int(row.group[position]), e.value * scale, e.low * scale, e.high * scale)
        lines.setdefault(_group(rest), []).append(point)
    years_found = sorted({point[0] for points in lines.values() for point in points})
    caption = _caption(table, measure, table.composite)
    if len(years_found) == 1:  # one year is no trend: each group's estimate as a dot
        rows = [(name, *points[0][1:]) for name, points in lines.items()]
        figure = Figure(figsize=(8, max(3.0, 0.35 * len(rows) + 1.5)), layout="constrained")
        axes = figure.subplots()
        _dots(
            axes,
            [name for name, *_ in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
            [row[3] for row in rows],
        )
        axes.set_xlabel(_axis_label(measure, table))
        _numbers(axes, "x")
        one_year = _("One year only ({year}): one year shows no trend.").format(year=years_found[0])
        _finish(figure, axes, title or measure_label(measure, table), f"{one_year} {caption}")
        return _save(figure, out, formats)
    figure = Figure(figsize=(8, 5), layout="constrained")
    axes = figure.subplots()
    for name, points in lines.items():
        years, values, lows, highs = (np.array(column) for column in zip(*points, strict=True))
        (line,) = axes.plot(years, values, marker="o", label=name)
        axes.fill_between(years, lows, highs, alpha=0.15, color=line.get_color(), linewidth=0)
    axes.set_xlabel(_("year"))
    axes.set_ylabel(_axis_label(measure, table))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _numbers(axes, "y")
    axes.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    _finish(figure, axes, title or measure_label(measure, table), caption)
    return _save(figure, out, formats)


def _dots(
    axes: Axes,
    labels: Sequence[str],
    values: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
) -> None:
    y = np.arange(len(labels))[::-1]
    v, lo, hi = np.array(values), np.array(lows), np.array(highs)
    axes.errorbar(v, y, xerr=np.vstack([v - lo, hi - v]), fmt="o", capsize=3)
    axes.set_yticks(y, labels=list(labels), fontsize=8)


def plot_comparison(
    table: IndexTable,
    measure: str,
    out: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    title: str | None = None,
) -> tuple[Path, ...]:
    """Plot ``measure`` of every group as a dot with its interval (dot-and-whisker)."""
    _check(table, measure)
    scale = _scale(measure)
    rows = table.rows
    figure = Figure(figsize=(8, max(3.0, 0.35 * len(rows) + 1.5)), layout="constrained")
    axes = figure.subplots()
    _dots(
        axes,
        [_group(row.group) for row in rows],
        [row[measure].value * scale for row in rows],
        [row[measure].low * scale for row in rows],
        [row[measure].high * scale for row in rows],
    )
    axes.set_xlabel(_axis_label(measure, table))
    _numbers(axes, "x")
    _finish(
        figure,
        axes,
        title or measure_label(measure, table),
        _caption(table, measure, table.composite),
    )
    return _save(figure, out, formats)


def _pair_label(first: Sequence[str], second: Sequence[str]) -> str:
    """Return ``second - first``, with the labels the two share said once, in brackets."""
    same = [a for a, b in zip(first, second, strict=True) if a == b]
    one = ", ".join(a for a, b in zip(first, second, strict=True) if a != b)
    two = ", ".join(b for a, b in zip(first, second, strict=True) if a != b)
    return f"{two} \N{MINUS SIGN} {one}" + (f" ({', '.join(same)})" if same else "")


def plot_differences(
    comparisons: ComparisonTable,
    out: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    title: str | None = None,
    composite: str | None = "composite",
) -> tuple[Path, ...]:
    """Plot each difference ``second - first`` with its interval, and a line at zero."""
    if not comparisons.rows:
        raise DataError("there are no comparisons to plot")
    measure = comparisons.measure
    scale = _scale(measure)
    rows = comparisons.rows
    figure = Figure(figsize=(8, max(3.0, 0.35 * len(rows) + 1.5)), layout="constrained")
    axes = figure.subplots()
    _dots(
        axes,
        [_pair_label(c.first, c.second) for c in rows],
        [c.difference * scale for c in rows],
        [c.low * scale for c in rows],
        [c.high * scale for c in rows],
    )
    axes.axvline(0, color="grey", linewidth=1)
    if measure == composite:
        name = _("the composite index")
    else:
        name = measure_label(measure).removesuffix(" (%)")
    if measure in SHARES:
        axes.set_xlabel(_("Difference in {measure} (percentage points)").format(measure=name))
    else:
        axes.set_xlabel(_("Difference in {measure}").format(measure=name))
    _numbers(axes, "x")
    caption = _caption(comparisons, measure, composite)
    _finish(figure, axes, title or _("Differences in {measure}").format(measure=name), caption)
    return _save(figure, out, formats)
