"""The figures of an evaluation report: bars of published counts, lines of a series.

Figures use matplotlib's object API (no pyplot state) and are saved as PNG and SVG
side by side, without dates or version stamps, so the same evaluation gives the
same files. A hidden count is never drawn: its bar is missing and marked ``·``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ssp_core.files import private_file, private_folder

__all__ = ["HIDDEN", "bar_chart", "line_chart", "save"]

HIDDEN = "·"
"""How a report shows a hidden count (in tables and figures)."""


def _style() -> AbstractContextManager[None]:
    """Return the settings every figure is drawn and saved with (fixed SVG ids, small text)."""
    return mpl.rc_context({"svg.hashsalt": "ssp-core", "svg.fonttype": "path", "font.size": 9.0})


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
        if len(lines) > 1:
            axes.legend(fontsize="small", frameon=False)
    return figure
