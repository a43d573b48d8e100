"""A plain map of findings: numbered points on longitude and latitude, as PNG and SVG.

No map tiles are fetched: the report must work offline and send nobody's browser
to a tile server. The axes are scaled so that a kilometre is as long north-south
as east-west at the map's latitude; the GeoJSON is there for a real map tool.
The axis labels and the legend are in the current language (numbers with a
decimal comma in Danish); the title is given by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ssp_core.files import private_file, private_folder
from ssp_core.i18n import N_, _, current_language
from ssp_core.walks.views import Finding

__all__ = ["finding_map"]

_COLOURS = {"resolved": "#2e7d32", "declined": "#757575", "assigned": "#ef6c00"}
_OPEN = "#c62828"
_LEGEND = {
    "resolved": N_("resolved"),
    "declined": N_("declined"),
    "assigned": N_("assigned"),
    "reported": N_("reported"),
}
"""The legend's text for the states a finding's point is coloured by (English)."""


def _comma(value: float, _position: float | None = None) -> str:
    return f"{value:.3f}".replace(".", ",")


def finding_map(
    findings: Sequence[Finding], folder: Path, stem: str, *, title: str
) -> tuple[Path, ...]:
    """Draw the findings with coordinates, numbered in order; write ``stem.png`` and ``stem.svg``.

    Returns the written files, or nothing if no finding has coordinates.
    """
    points = [
        (number, f) for number, f in enumerate(findings, start=1) if f.place.coordinates is not None
    ]
    if not points:
        return ()
    figure = Figure(figsize=(6.4, 5.2), layout="constrained")
    axes = figure.add_subplot()
    lats = [f.place.coordinates.latitude for _, f in points if f.place.coordinates]
    lons = [f.place.coordinates.longitude for _, f in points if f.place.coordinates]
    for (number, finding), lat, lon in zip(points, lats, lons, strict=True):
        colour = _COLOURS.get(finding.state, _OPEN)
        axes.scatter([lon], [lat], s=140, color=colour, edgecolors="white", zorder=2)
        axes.annotate(
            str(number), (lon, lat), ha="center", va="center", color="white", fontsize=8, zorder=3
        )
    middle = (min(lats) + max(lats)) / 2
    axes.set_aspect(1 / math.cos(math.radians(middle)))
    pad = max(max(lats) - min(lats), max(lons) - min(lons), 0.002) * 0.2
    axes.set_xlim(min(lons) - pad, max(lons) + pad)
    axes.set_ylim(min(lats) - pad, max(lats) + pad)
    axes.set_xlabel(_("longitude (° E, WGS84)"))
    axes.set_ylabel(_("latitude (° N, WGS84)"))
    axes.grid(visible=True, linewidth=0.3)
    axes.ticklabel_format(useOffset=False)
    if current_language() == "da":
        axes.xaxis.set_major_formatter(FuncFormatter(_comma))
        axes.yaxis.set_major_formatter(FuncFormatter(_comma))
    axes.set_title(title, fontsize=10)
    for state, colour in (*_COLOURS.items(), ("reported", _OPEN)):
        axes.scatter([], [], color=colour, label=_(_LEGEND[state]))
    axes.legend(loc="best", fontsize=7, frameon=True)
    private_folder(folder)
    png, svg = private_file(folder / f"{stem}.png"), private_file(folder / f"{stem}.svg")
    with mpl.rc_context({"svg.hashsalt": stem}):  # the same findings give the same file
        figure.savefig(png, dpi=120, metadata={"Software": None})
        figure.savefig(svg, metadata={"Date": None})
    return png, svg
