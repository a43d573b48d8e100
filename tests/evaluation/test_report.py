"""The report: goals, initiatives, follow-up; no count from 1 to 4 in Markdown or HTML; escaping."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_core import Casework, DataError, Registry, VirtualClock, hookimpl
from ssp_core.domain.strategy import FollowUp, Goal, Indicator, Initiative, Strategy
from ssp_core.evaluation import Evaluation, render, write_report
from ssp_core.evaluation.plots import HIDDEN
from ssp_core.evaluation.report import count_table
from ssp_core.plugins import Labels
from ssp_core.privacy.suppression import TOTAL, SuppressedTable
from ssp_core.testing import make_registry
from tests.evaluation.conftest import START
from tests.evaluation.scenario import (
    EVE,
    LOCALITIES,
    SITUATIONS,
    ConcernPlan,
    EvaluatorPlugin,
    FindingPlan,
    TrackPlan,
    build,
    random_plans,
)

TD = re.compile(r"<td>(.*?)</td>")
NUMBER = re.compile(r"^\d+$")


@pytest.fixture(scope="module", name="evaluation")
def _evaluation(aalborg: Registry) -> Evaluation:
    clock = VirtualClock(START)
    casework = Casework(aalborg, clock=clock)
    build(
        casework,
        clock,
        *random_plans(5, concerns=70, tracks=25, findings=20, years=(2022, 2023, 2024, 2025)),
    )
    return casework.evaluate(EVE, term="2022-2025")


def _body_cells(markdown: str) -> list[list[str]]:
    """The body rows of every Markdown table (header and rule left out), cells stripped."""
    rows: list[list[str]] = []
    lines = markdown.splitlines()
    for number, line in enumerate(lines):
        if (
            line.startswith("| ")
            and number >= 2
            and lines[number - 1].startswith("|")
            and (lines[number - 1].startswith("| ---") or lines[number - 2].startswith("|"))
            and not line.startswith("| ---")
        ):
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def _axes(table: SuppressedTable) -> list[list[str]]:
    axes: list[list[str]] = [[] for _ in table.dimensions]
    for cell in table.cells:
        for dim, level in enumerate(cell.key):
            if level != TOTAL and level not in axes[dim]:
                axes[dim].append(level)
    return [[*levels, TOTAL] for levels in axes]


def assert_published_as_suppressed(evaluation: Evaluation, markdown: str, html: str) -> None:
    """Each count table is in the report cell for cell as published; no count 1-4 anywhere."""
    for _, table in evaluation.tables():
        rendered = count_table(table, evaluation.labels, "da")
        assert rendered in markdown
        counts = {cell.key: cell.count for cell in table.cells}
        axes = _axes(table)
        labels = len(table.dimensions) - 1
        body = _body_cells(rendered)
        keys = list(itertools.product(*axes[:-1]))
        assert len(body) == len(keys)
        for key, row in zip(keys, body, strict=True):
            for level, cell in zip(axes[-1], row[labels:], strict=True):
                count = counts[(*key, level)]
                assert cell == (HIDDEN if count is None else str(count)), (key, level)
    for row in _body_cells(markdown):
        for cell in row:
            if NUMBER.match(cell):
                assert int(cell) == 0 or int(cell) >= 5, row
    for cell in TD.findall(html):
        if NUMBER.match(cell):
            assert int(cell) == 0 or int(cell) >= 5, cell


def test_the_report_follows_goals_initiatives_follow_up(evaluation: Evaluation) -> None:
    markdown = render(evaluation, lang="da").markdown
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == ["## Om rapporten", "## Mål", "## Indsatser", "## Opfølgning"]
    # Headings carry their ids ({#initiative-4}), the targets of the report's links.
    initiatives = [
        re.sub(r" \{#[a-z0-9-]+\}$", "", line)
        for line in markdown.splitlines()
        if line.startswith("### ")
    ]
    assert initiatives[:6] == [
        "### 1. Formidling",
        "### 2. Et trygt natteliv",
        "### 3. En meningsfuld hverdag",
        "### 4. Børn og unges trivsel og udvikling",
        "### 5. Tryghedsvandringer",
        "### 6. Tiltag til forebyggelse af radikalisering",
    ]
    assert initiatives[6:] == ["### Tryghedsindekset", "### Evalueringer"]
    # Each indicator is shown once; later mentions point back to it.
    assert markdown.count("| Actioncard | Aldersgruppe |") == 1
    assert "Se ovenfor under indsats 4." in markdown
    assert "Ingen data fra tryghedsundersøgelsen er givet (--survey)." in markdown
    english = render(evaluation, lang="en").markdown
    assert [line for line in english.splitlines() if line.startswith("## ")] == [
        "## About this report",
        "## Goals (Mål)",
        "## Initiatives (Indsatser)",
        "## Follow-up (Opfølgning)",
    ]


def test_the_report_states_period_sources_rules_and_that_no_person_is_scored(
    evaluation: Evaluation,
) -> None:
    english = render(evaluation, lang="en").markdown
    (period,) = [line for line in english.splitlines() if line.startswith("- **Period:**")]
    assert "2022" in period and "01" in period and "2025" in period and "31" in period
    assert "**Sources:** The case store" in english
    assert "No person is scored, ranked or assessed in this report" in english
    assert f"counts from 1 to 4 are not shown ({HIDDEN})" in english
    assert "only for groups of at least 5 cases" in english
    danish = render(evaluation, lang="da").markdown
    assert "Ingen person får en score" in danish and "antal fra 1 til 4 vises ikke" in danish


def test_no_count_from_1_to_4_appears_in_the_seeded_report(evaluation: Evaluation) -> None:
    report = render(evaluation, lang="da")
    assert len(evaluation.tables()) == 3
    assert any(c.count is None for _, t in evaluation.tables() for c in t.cells)
    assert_published_as_suppressed(evaluation, report.markdown, report.html())


_day = st.dates(dt.date(2022, 1, 2), dt.date(2025, 12, 28))
_concerns = st.builds(
    ConcernPlan,
    opened=_day,
    age=st.sampled_from([13, 16, 17, 18, 25]),
    situation=st.sampled_from(SITUATIONS),
    lag=st.integers(0, 3),
    act_after=st.none() | st.integers(0, 9),
)
_tracks = st.builds(TrackPlan, _day, st.sampled_from(["open", "ended_early", "completed"]))
_findings = st.builds(
    FindingPlan, _day, st.sampled_from(LOCALITIES), st.sampled_from([None, "resolved", "declined"])
)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    concerns=st.lists(_concerns, max_size=24),
    tracks=st.lists(_tracks, max_size=8),
    findings=st.lists(_findings, max_size=8),
)
def test_no_count_from_1_to_4_appears_in_any_small_report(
    aalborg: Registry,
    concerns: list[ConcernPlan],
    tracks: list[TrackPlan],
    findings: list[FindingPlan],
) -> None:
    clock = VirtualClock(START)
    casework = Casework(aalborg, clock=clock)
    build(casework, clock, concerns, tracks, findings)
    evaluation = casework.evaluate(EVE, term="2022-2025")
    report = render(evaluation, lang="da")
    assert_published_as_suppressed(evaluation, report.markdown, report.html())


HOSTILE = "<script>alert(1)</script> **bold** | pipe [link](http://x)"


class HostilePlugin:
    """A strategy whose every text tries to break out of Markdown and HTML."""

    @hookimpl
    def ssp_register_strategy(self) -> list[Strategy]:
        text = Labels(HOSTILE, HOSTILE)
        return [
            Strategy(
                id="test.hostile",
                labels=text,
                goals=(Goal("g", text),),
                initiatives=(Initiative("i", text, goals=("g",), indicators=("c",)),),
                follow_up=FollowUp(
                    indicators=(Indicator("c", text, source=text, measure="concerns"),),
                    evaluations=(text,),
                ),
            )
        ]


def test_user_text_is_escaped_in_markdown_and_html(aalborg: Registry) -> None:
    registry = make_registry(EvaluatorPlugin(), HostilePlugin(), autoload=True)
    casework = Casework(registry, clock=VirtualClock(START))
    with pytest.raises(DataError, match="several strategies are loaded"):
        casework.evaluate(EVE, term="2022-2025")
    evaluation = casework.evaluate(
        EVE,
        initiative="i",
        since=dt.date(2024, 1, 1),
        until=dt.date(2024, 6, 30),
        strategy="test.hostile",
    )
    report = render(evaluation, lang="en")
    html = report.html()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" not in html and 'href="http' not in html
    assert set(re.findall(r'<a href="([^"]*)"', html)) <= {"#initiative-1", "#indicator-c"}
    assert "<title>Evaluation of the initiative: &lt;script&gt;" in html


def test_write_report_writes_markdown_html_and_figures_once(
    evaluation: Evaluation, tmp_path: Path
) -> None:
    written = write_report(evaluation, tmp_path / "r1", lang="en")
    names = sorted(path.name for path in written)
    assert names[:2] == ["concerns_by_card.png", "concerns_by_card.svg"]
    assert {"report.md", "report.html", "track_outcomes.png", "track_outcomes.svg"} <= set(names)
    markdown = (tmp_path / "r1" / "report.md").read_text(encoding="utf-8")
    assert "![Figure: Concerns per action card and age band](concerns_by_card.png)" in markdown
    assert (
        '<img alt="Figure: Concerns per action card and age band" src="concerns_by_card.png"'
        in (tmp_path / "r1" / "report.html").read_text(encoding="utf-8")
    )
    again = write_report(evaluation, tmp_path / "r2", lang="en")
    for first, second in zip(written, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name  # deterministic files
    with pytest.raises(DataError, match="is not an empty directory"):
        write_report(evaluation, tmp_path / "r1")
