from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ssp_core.exceptions import DataError
from ssp_core.index import comparisons, estimate, plot_comparison, plot_differences, plot_trend
from ssp_core.index.synthetic import SyntheticSurvey

PNG = b"\x89PNG\r\n\x1a\n"


def svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()  # noqa: S314 (our own file)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return path.read_text(encoding="utf-8")


def test_trend_writes_png_and_svg(tmp_path: Path, small: SyntheticSurvey) -> None:
    table = estimate(small.survey())
    paths = plot_trend(table, "unsafe_share", tmp_path / "out" / "trend")
    assert [p.name for p in paths] == ["trend.png", "trend.svg"]
    assert paths[0].read_bytes().startswith(PNG)
    svg_text(paths[1])
    again = plot_trend(table, "unsafe_share", tmp_path / "again")
    assert again[1].read_bytes() == paths[1].read_bytes()  # no date, fixed ids: reproducible
    assert "Weighted estimates with 95% intervals" in svg_text(paths[1])


def test_composite_figures_say_it_is_not_official(tmp_path: Path, small: SyntheticSurvey) -> None:
    table = estimate(small.survey(), by=("area",))
    (svg,) = plot_comparison(table, "composite", tmp_path / "groups", formats=("svg",))
    assert svg_text(svg).count("not the official police safety index") == 2  # title and caption
    (svg,) = plot_comparison(table, "unsafe_share", tmp_path / "unsafe", formats=("svg",))
    assert "not the official" not in svg_text(svg)


def test_differences_and_bad_requests(tmp_path: Path, small: SyntheticSurvey) -> None:
    table = estimate(small.survey())
    (png,) = plot_differences(comparisons(table, "safety_mean"), tmp_path / "d", formats=("png",))
    assert png.read_bytes().startswith(PNG)
    with pytest.raises(DataError, match="a trend needs a table grouped by year"):
        plot_trend(estimate(small.survey(), by=("area",)), "unsafe_share", tmp_path / "x")
    with pytest.raises(DataError, match="unknown plot format pdf; allowed: png, svg"):
        plot_trend(table, "unsafe_share", tmp_path / "x", formats=("pdf",))
    with pytest.raises(DataError, match="unknown measure"):
        plot_comparison(table, "nothing", tmp_path / "x")
