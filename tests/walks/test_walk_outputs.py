"""The walk report (Markdown, HTML, map), the list of open findings and the GeoJSON."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import xml.etree.ElementTree as ET

import pytest

import ssp_core
from ssp_core import Actor, Casework, Coordinates, Place, VirtualClock
from ssp_core.reports import escape
from ssp_core.walks.geojson import findings_geojson
from ssp_core.walks.report import open_findings_report, walk_report

REGISTRY = ssp_core.load_registry()
ANNA = Actor("anna", "aalborg.ssp_consultant")
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
EVIL = "<script>alert('x')</script> **bold** | [link](http://evil)"


@pytest.fixture(name="walked")
def _walked() -> tuple[Casework, str]:
    casework = Casework(REGISTRY, clock=VirtualClock(T0), ids=ssp_core.sequential_ids("W-"))
    walk = casework.plan_walk(
        locality="aalborg.gandrup",
        held_on=dt.date(2026, 3, 1),
        participants=["aalborg.grindsted_samraad"],
        citizens=3,
        topics=["lighting"],
        actor=ANNA,
    )
    casework.fire(walk.id, "hold", ANNA)
    casework.record_finding(
        walk.id,
        place=Place("The tunnel", Coordinates(57.0493, 10.1962)),
        category="lighting",
        description=EVIL,
        responsible="aalborg.roads_and_parks",
        actor=ANNA,
    )
    casework.record_finding(
        walk.id,
        place=Place("The square"),
        category="aalborg.plantings",
        description="Hedge",
        actor=ANNA,
    )
    return casework, walk.id


def test_the_walk_report_lists_the_plan_and_findings_with_a_map(
    walked: tuple[Casework, str], tmp_path: pathlib.Path
) -> None:
    casework, walk_id = walked
    (walk,) = casework.walks(ANNA, purpose="casework")
    findings = casework.findings(ANNA, purpose="casework", walk=walk_id)
    report = walk_report(walk, findings, REGISTRY, tmp_path, language="da", today=T0.date())
    text = report.markdown
    assert text.startswith("# Tryghedsvandring: Gandrup, 2026-03-01")
    assert "Grindsted Samråd, 3 borgere" in text
    assert "| 1 | The tunnel ([57.04930, 10.19620](https://www.openstreetmap.org/" in text
    assert "| 2 | The square | Beplantning | Hedge |" in text
    assert "1 fund uden koordinater." in text
    png, svg = report.figures
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert ET.parse(svg).getroot().tag.endswith("svg")  # noqa: S314 (our own file)
    assert f"]({svg.name})" in text
    md, page = report.write(tmp_path, "walk")
    html = page.read_text(encoding="utf-8")
    assert md.read_text(encoding="utf-8") == text
    assert '<img alt="Kort over fundene" src="' in html
    # User text is text: no script element, no emphasis, no link, no broken table.
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" not in html
    assert 'href="http://evil"' not in html
    assert html.count("<tr>") == 3


def test_the_same_findings_draw_the_same_svg(
    walked: tuple[Casework, str], tmp_path: pathlib.Path
) -> None:
    casework, walk_id = walked
    (walk,) = casework.walks(ANNA, purpose="casework")
    findings = casework.findings(ANNA, purpose="casework", walk=walk_id)
    first = walk_report(walk, findings, REGISTRY, tmp_path / "a", today=T0.date())
    second = walk_report(walk, findings, REGISTRY, tmp_path / "b", today=T0.date())
    assert first.figures[1].read_bytes() == second.figures[1].read_bytes()


def test_a_walk_without_coordinates_has_no_map(tmp_path: pathlib.Path) -> None:
    casework = Casework(REGISTRY, clock=VirtualClock(T0), ids=ssp_core.sequential_ids("W-"))
    walk = casework.plan_walk(locality="aalborg.gandrup", held_on=dt.date(2026, 3, 1), actor=ANNA)
    casework.fire(walk.id, "hold", ANNA)
    casework.record_finding(
        walk.id, place=Place("Somewhere"), category="lighting", description="d", actor=ANNA
    )
    (view,) = casework.walks(ANNA, purpose="casework")
    found = casework.findings(ANNA, purpose="casework")
    report = walk_report(view, found, REGISTRY, tmp_path, today=T0.date())
    assert report.figures == ()
    assert "No finding has coordinates; there is no map." in report.markdown
    assert list(tmp_path.iterdir()) == []


def test_open_findings_come_earliest_due_first_and_mark_overdue(
    walked: tuple[Casework, str],
) -> None:
    casework, _ = walked
    first, second = sorted(
        casework.findings(ANNA, purpose="casework"), key=lambda f: f.category, reverse=True
    )
    casework.fire(first.case_id, "assign", ANNA)  # due in 60 business days now
    found = casework.findings(ANNA, purpose="casework", open_only=True)
    report = open_findings_report(found, REGISTRY, today=dt.date(2026, 4, 1))
    lines = [line for line in report.markdown.splitlines() if line.startswith("| W")]
    assert [line.split(" | ")[0] for line in lines] == [
        f"| {escape(second.case_id)}",
        f"| {escape(first.case_id)}",
    ]
    assert "(overdue)" in lines[0]
    assert "(overdue)" not in lines[1]


def test_geojson_is_rfc7946_points_lon_lat_without_descriptions(
    walked: tuple[Casework, str],
) -> None:
    casework, _ = walked
    found = casework.findings(ANNA, purpose="casework")
    collection = findings_geojson(found, REGISTRY)
    json.dumps(collection)  # serialisable as it is
    assert collection["type"] == "FeatureCollection"
    assert collection["without_coordinates"] == 1
    (feature,) = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [10.1962, 57.0493]}
    properties = feature["properties"]
    assert properties["category_label"] == "Lighting"
    assert properties["responsible_label"] == "Aalborg Municipality, roads and parks"
    assert properties["due"] is not None
    assert "description" not in properties
    with_text = findings_geojson(found, REGISTRY, descriptions=True)
    assert with_text["features"][0]["properties"]["description"] == EVIL
