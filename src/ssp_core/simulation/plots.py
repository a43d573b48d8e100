"""Figures of an experiment: each arm's mean with its interval, and time series with a band.

matplotlib's object API only (``matplotlib.figure.Figure``, no ``pyplot`` state, so
plotting is safe in a server or a test; PNG is drawn by Agg). The file format is the
path's suffix, ``.png`` or ``.svg``. The SVG keeps no date or creator and a fixed hash
salt, the PNG no software stamp, so the same input gives the same file. Files are
created for their owner only and written under a temporary name first, then moved
into place. Titles and labels are in the current language; numbers on the axes have a
decimal comma in Danish. Measure, series, arm and group names are the model's own and
are shown as they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import matplotlib as mpl
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ssp_core.exceptions import DataError
from ssp_core.files import private_folder, staged_file
from ssp_core.i18n import _, current_language
from ssp_core.simulation.results import Results
from ssp_core.simulation.statistics import Summary, estimate

__all__ = ["FORMATS", "plot_series", "plot_summaries"]

FORMATS = ("png", "svg")
"""The file formats a figure can be written in (the path's suffix)."""


def _style() -> AbstractContextManager[None]:
    """Return the settings every figure is drawn and saved with (fixed SVG ids, small text)."""
    return mpl.rc_context({"svg.hashsalt": "ssp-core", "svg.fonttype": "path", "font.size": 9.0})


def _comma_tick(value: float, _position: float | None = None) -> str:
    return f"{value:g}".replace(".", ",")


def _decimal_commas(*axes: Axis) -> None:
    """Write the tick numbers of ``axes`` with a decimal comma in Danish."""
    if current_language() == "da":
        for axis in axes:
            axis.set_major_formatter(FuncFormatter(_comma_tick))


def _percent(level: float) -> str:
    text = f"{level * 100:g}"
    return text.replace(".", ",") if current_language() == "da" else text


def _group_name(group: str) -> str:
    return group or _("all")


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().removeprefix(".")
    if fmt not in FORMATS:
        raise DataError(
            _("{path}: a figure is written as .png or .svg, not {suffix!r}").format(
                path=path, suffix=path.suffix
            )
        )
    return fmt


def _save(figure: Figure, path: Path) -> Path:
    fmt = _format_of(path)
    private_folder(path.parent)
    with _style(), staged_file(path) as partial:
        if fmt == "png":
            figure.savefig(partial, format="png", dpi=110, metadata={"Software": None})
        else:
            figure.savefig(partial, format="svg", metadata={"Date": None, "Creator": None})
    return path


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def plot_summaries(summaries: Sequence[Summary], measure: str, path: Path) -> Path:
    """Draw the mean of ``measure`` per arm (and group, if more than one) with its interval.

    Each mean is a dot, its confidence interval an error bar; a mean from one
    replication has no bar (no interval is known) and the caption says so. Returns
    ``path``; :class:`~ssp_core.exceptions.DataError` if no summary is of ``measure``.
    """
    _format_of(path)  # a wrong suffix is refused before anything is drawn
    chosen = [s for s in summaries if s.measure == measure]
    if not chosen:
        names = ", ".join(_unique([s.measure for s in summaries])) or _("none")
        raise DataError(
            _("no summary of the measure {measure!r}; the measures: {names}").format(
                measure=measure, names=names
            )
        )
    arms = _unique([s.arm for s in chosen])
    groups = _unique([s.group for s in chosen])
    by_key = {(s.arm, s.group): s for s in chosen}
    unknown = False
    labelled: set[str] = set()
    with _style():
        figure = Figure(figsize=(7.0, 3.6), layout="constrained")
        axes = figure.add_subplot()
        categories = groups if len(groups) > 1 else arms
        width = 0.8 / max(len(arms), 1) if len(groups) > 1 else 0.0
        for number, arm in enumerate(arms):
            offset = (number - (len(arms) - 1) / 2) * width
            colour = f"C{number % 10}" if len(groups) > 1 else "C0"
            for i, group in enumerate(groups):
                summary = by_key.get((arm, group))
                if summary is None or math.isnan(summary.mean):
                    continue
                x = (i if len(groups) > 1 else number) + offset
                known = math.isfinite(summary.half_width)
                unknown = unknown or not known
                axes.errorbar(
                    [x],
                    [summary.mean],
                    yerr=[[summary.half_width]] if known else None,
                    fmt="o",
                    capsize=4,
                    color=colour,
                    label=arm if len(groups) > 1 and arm not in labelled else None,
                )
                labelled.add(arm)
        axes.set_xticks(
            range(len(categories)),
            [_group_name(c) for c in categories] if len(groups) > 1 else categories,
        )
        axes.set_xlim(-0.6, len(categories) - 0.4)
        axes.set_xlabel(_("Group") if len(groups) > 1 else _("Arm"))
        axes.set_ylabel(measure if len(groups) > 1 else f"{measure} ({_group_name(groups[0])})")
        axes.set_title(
            _("{measure}: mean and {level} % confidence interval per arm").format(
                measure=measure, level=_percent(chosen[0].level)
            )
        )
        axes.grid(visible=True, axis="y", alpha=0.3)
        _decimal_commas(axes.yaxis)
        if len(groups) > 1:
            axes.legend(fontsize="small", frameon=False)
        if unknown:
            figure.text(
                0.01,
                0.005,
                _("A mean from one replication has no interval."),
                fontsize="small",
            )
    return _save(figure, path)


def _band(values: Sequence[float], level: float) -> tuple[float, float, float]:
    """Return the mean and the band of ``values``: the t-interval, or min-max if n < 2."""
    found = estimate(values, level)
    if len(values) < 2:
        return found.mean, min(values), max(values)
    return found.mean, found.low, found.high


def plot_series(
    results: Results, series: str, path: Path, group: str = "", *, level: float = 0.95
) -> Path:
    """Draw, per arm, the mean over replications of ``series`` for ``group`` at each time.

    The band around each line is the pointwise Student-t interval at ``level`` (95 %)
    of the replications' values at that time, or their minimum and maximum where fewer
    than two replications have a value. Returns ``path``;
    :class:`~ssp_core.exceptions.DataError` if no replication has the series.
    """
    _format_of(path)
    lines: list[tuple[str, list[float], list[tuple[float, float, float]]]] = []
    for arm in results.arms:
        by_time: dict[float, list[float]] = {}
        for replication in results.of(arm):
            for point in replication.series:
                if point.series == series and point.group == group:
                    by_time.setdefault(float(point.time), []).append(float(point.value))
        if by_time:
            times = sorted(by_time)
            lines.append((arm, times, [_band(by_time[t], level) for t in times]))
    if not lines:
        names = sorted({(p.series, p.group) for r in results.replications for p in r.series})
        listed = ", ".join(f"{name} ({_group_name(g)})" for name, g in names) or _("none")
        raise DataError(
            _("no series {series!r} for the group {group}; the series: {names}").format(
                series=series, group=_group_name(group), names=listed
            )
        )
    with _style():
        figure = Figure(figsize=(7.0, 3.6), layout="constrained")
        axes = figure.add_subplot()
        for number, (arm, times, bands) in enumerate(lines):
            colour = f"C{number % 10}"
            axes.plot(
                times,
                [b[0] for b in bands],
                color=colour,
                marker="o" if len(times) == 1 else None,
                label=arm,
            )
            axes.fill_between(
                times, [b[1] for b in bands], [b[2] for b in bands], color=colour, alpha=0.2
            )
        axes.set_xlabel(_("Time"))
        axes.set_ylabel(f"{series} ({_group_name(group)})")
        axes.set_title(
            _("{series}: mean over the replications, with a pointwise {level} % interval").format(
                series=series, level=_percent(level)
            )
        )
        axes.grid(visible=True, alpha=0.3)
        _decimal_commas(axes.xaxis, axes.yaxis)
        axes.legend(fontsize="small", frameon=False)
    return _save(figure, path)
