"""The figures of an evaluation report: bars of published counts, lines or points of a series.

Figures use matplotlib's object API (no pyplot state) and are saved as PNG and SVG
side by side, without dates or version stamps, so the same evaluation gives the
same files. A hidden count is never drawn: its bar is missing and marked ``·``.
A series of one year is drawn as points (:func:`point_chart`), never as a line.
Numbers on the axes have a decimal comma when the current language is Danish;
the titles and labels are given by the caller in that language.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import matplotlib as mpl
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ssp_core.files import private_file, private_folder
from ssp_core.i18n import current_language

__all__ = ["HIDDEN", "bar_chart", "line_chart", "number", "point_chart", "save"]

HIDDEN = "·"
"""How a report shows a hidden count (in tables and figures)."""


def _style() -> AbstractContextManager[None]:
    """Return the settings every figure is drawn and saved with (fixed SVG ids, small text)."""
    return mpl.rc_context({"svg.hashsalt": "ssp-core", "svg.fonttype": "path", "font.size": 9.0})


def number(value: float, digits: int = 1) -> str:
    """Return ``value`` with ``digits`` decimals, with a decimal comma in Danish (``4,5``)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if current_language() == "da" else text


def _comma_tick(value: float, _position: float | None = None) -> str:
    return f"{value:g}".replace(".", ",")


def _decimal_commas(*axes: Axis) -> None:
    """Write the tick numbers of ``axes`` with a decimal comma in Danish."""
    if current_language() == "da":
        for axis in axes:
            axis.set_major_formatter(FuncFormatter(_comma_tick))


def save(figure: Figure, folder: Path, stem: str) -> tuple[Path, Path]:
    """Write ``figure`` as ``stem.png`` and ``stem.svg`` into ``folder``; return both paths."""
    private_folder(folder)
    png, svg = private_file(folder / f"{stem}.png"), private_file(folder / f"{stem}.svg")
    with _style():
        figure.savefig(png, format="png", dpi=110, metadata={"Software": None})
        figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png, svg


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    *,
    ylabel: str,
) -> Figure:
    """Return grouped bars: one group per category (e.g. a year), one bar per series.

    A value ``None`` (hidden) gets no bar, only the mark :data:`HIDDEN` at the axis.
    """
    with _style():
        figure = Figure(figsize=(7.0, 3.6), layout="constrained")
        axes = figure.add_subplot()
        width = 0.8 / max(len(series), 1)
        for number, (name, values) in enumerate(series):
            offset = (number - (len(series) - 1) / 2) * width
            xs = [i + offset for i, v in enumerate(values) if v is not None]
            axes.bar(xs, [v for v in values if v is not None], width, label=name)
            for i, value in enumerate(values):
                if value is None:
                    axes.annotate(HIDDEN, (i + offset, 0), ha="center", va="bottom")
        axes.set_xticks(range(len(categories)), list(categories))
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.set_ylim(bottom=0)
        _decimal_commas(axes.yaxis)
        if len(series) > 1:
            axes.legend(fontsize="small", frameon=False)
    return figure


def line_chart(
    title: str,
    lines: Sequence[tuple[str, Sequence[tuple[float, float, float | None, float | None]]]],
    *,
    ylabel: str,
) -> Figure:
    """Return one line per series of ``(x, value, low, high)`` points, intervals shaded."""
    with _style():
        figure = Figure(figsize=(7.0, 3.6), layout="constrained")
        axes = figure.add_subplot()
        every_x: list[float] = []
        for name, points in lines:
            xs = [p[0] for p in points]
            every_x += xs
            (line,) = axes.plot(xs, [p[1] for p in points], marker="o", label=name)
            bounded = [p for p in points if p[2] is not None and p[3] is not None]
            if len(bounded) == 1:  # a single point: an error bar, as a band needs two
                (x, value, low, high) = bounded[0]
                axes.errorbar(
                    [x],
                    [value],
                    yerr=[[value - float(low or value)], [float(high or value) - value]],
                    color=line.get_color(),
                    capsize=4,
                )
            elif bounded:
                axes.fill_between(
                    [p[0] for p in bounded],
                    [float(p[2]) for p in bounded if p[2] is not None],
                    [float(p[3]) for p in bounded if p[3] is not None],
                    color=line.get_color(),
                    alpha=0.15,
                )
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        if every_x and min(every_x) == max(every_x):  # one year: not a century of axis
            axes.set_xlim(min(every_x) - 1, max(every_x) + 1)
        _decimal_commas(axes.yaxis)
        if len(lines) > 1:
            axes.legend(fontsize="small", frameon=False)
    return figure


def point_chart(
    title: str,
    points: Sequence[tuple[str, float, float | None, float | None]],
    *,
    xlabel: str,
) -> Figure:
    """Return one dot per group ``(name, value, low, high)``, with its interval as a whisker.

    For a series of one year: the level of each group, with nothing that reads as a trend.
    """
    with _style():
        figure = Figure(figsize=(7.0, max(2.4, 0.4 * len(points) + 1.4)), layout="constrained")
        axes = figure.add_subplot()
        ys = list(range(len(points)))[::-1]
        for y, (_name, value, low, high) in zip(ys, points, strict=True):
            if low is not None and high is not None:
                axes.errorbar(
                    [value],
                    [y],
                    xerr=[[value - low], [high - value]],
                    fmt="o",
                    capsize=4,
                    color="C0",
                )
            else:
                axes.plot([value], [y], "o", color="C0")
        axes.set_yticks(ys, [name for name, *_rest in points])
        axes.set_ylim(-0.7, len(points) - 0.3)
        axes.set_xlabel(xlabel)
        axes.set_title(title)
        axes.grid(visible=True, axis="x", alpha=0.3)
        _decimal_commas(axes.xaxis)
    return figure
