"""Reports from Jinja2 templates: real nesting, escaping, Danish text, the index table, links.

The evaluation report and the safety-walk report are rendered from the templates in
``ssp_core/reports/templates``; these tests render them (Markdown and HTML) and
check what a reader sees: the goals as a nested list, a hostile label kept as text,
Danish fixed text with no English left under ``language("da")``, the safety-index
table saying it shows the share who feel unsafe, a single year drawn as points
(not a trend), and every cross-reference landing on the heading it names.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import matplotlib.figure
import pytest

import ssp_core
from ssp_core import Actor, Casework, Coordinates, Place, Registry, VirtualClock, hookimpl
from ssp_core.domain.strategy import FollowUp, Goal, Indicator, Initiative, Strategy
from ssp_core.evaluation import Evaluation, render, write_report
from ssp_core.evaluation import report as evaluation_report
from ssp_core.evaluation.measures import MEASURES
from ssp_core.i18n import label, language
from ssp_core.index import estimate, plot_trend
from ssp_core.index.synthetic import generate
from ssp_core.plugins import Labels
from ssp_core.reports.environment import Markdown, markdown_environment
from ssp_core.testing import make_registry
from ssp_core.walks.report import open_findings_report, walk_report
from ssp_core.workflows.diagrams import to_text
from tests.english import english_words, summary
from tests.evaluation.conftest import START
from tests.evaluation.scenario import EVE, EvaluatorPlugin, build, random_plans
from tests.sample_plugin import card

HOSTILE = "<script>alert(1)</script> **bold** _it_ | pipe [link](http://x) {#id} `code`"


@pytest.fixture(scope="module", name="registry")
def _registry() -> Registry:
    registry = make_registry(EvaluatorPlugin(), autoload=True)
    assert "aalborg.mentor@1" in registry.workflows, "the ssp-aalborg plugin is not installed"
    return registry


@pytest.fixture(scope="module", name="survey")
def _survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A safety survey of one year (2024) only."""
    folder = tmp_path_factory.mktemp("survey")
    return generate(3000, areas=3, years=(2024,), seed=7).to_csv(folder / "survey.csv")


@pytest.fixture(scope="module", name="evaluation")
def _evaluation(registry: Registry, survey: Path) -> Evaluation:
    clock = VirtualClock(START)
    casework = Casework(registry, clock=clock)
    plans = random_plans(5, concerns=40, tracks=15, findings=10, years=(2022, 2023, 2024, 2025))
    build(casework, clock, *plans)
    return casework.evaluate(EVE, term="2022-2025", survey=survey)


class _Tree(HTMLParser):
    """The HTML's elements as (tag, attributes, depth in lists, text) in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.elements: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lists = [t for t in self.stack if t in {"ol", "ul"}]
        self.elements.append({"tag": tag, "attrs": dict(attrs), "lists": lists, "text": ""})
        if tag not in {"meta", "img", "br", "hr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.elements:
            self.elements[-1]["text"] += data


def _tree(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    return tree


def _section(html: str, heading: str) -> str:
    """Return the HTML from the ``<h2>`` named ``heading`` up to the next ``<h2>``."""
    start = html.index(f"<h2>{heading}</h2>")
    end = html.find("<h2>", start + 1)
    return html[start : end if end >= 0 else None]


def _danish_outside(text: str, data: list[str]) -> list[tuple[int, str, str]]:
    """Return the English words of ``text`` once the data texts (labels of plugins) are cut."""
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, " ")
    return english_words(text)


def _data_texts(evaluation: Evaluation) -> list[str]:
    """The texts a Danish report shows that are data of plugins and other modules, not ours."""
    strategy = evaluation.strategy
    texts = [label(strategy.labels)]
    texts += [label(g.labels) for g in strategy.goals]
    for initiative in strategy.initiatives:
        texts.append(label(initiative.labels))
        texts += [label(a.labels) for a in initiative.activities]
    for result in evaluation.indicators.values():
        texts.append(label(result.indicator.labels))
        if result.indicator.source is not None:
            texts.append(label(result.indicator.source))
        if result.note is not None:
            texts.append(label(result.note))
        if result.kind is not None:
            measure = MEASURES[result.kind]
            texts += [label(measure.labels), label(measure.description)]
        if result.series is not None and result.series.caption is not None:
            texts.append(label(result.series.caption))
    for found in evaluation.initiatives:
        if found.activities is not None and found.activities.note is not None:
            texts.append(label(found.activities.note))
    texts += [label(e) for e in strategy.follow_up.evaluations]
    texts += [label(x) for x in evaluation.labels.values()]
    return [t for t in texts if t]


# -- the goals as a nested list ---------------------------------------------------------


def test_goals_are_a_nested_list_in_html(evaluation: Evaluation) -> None:
    html = render(evaluation, lang="da").html()
    goals = _tree(_section(html, "Mål")).elements
    top = [e for e in goals if e["tag"] == "li" and e["lists"] == ["ol"]]
    assert [e["text"] for e in top] == [""] * len(evaluation.goals)  # 5 goals, not 1-15
    assert len(top) == len(evaluation.goals) == 5
    # Each goal holds a list (initiatives, indicators), each of which holds a list of links.
    second = [e for e in goals if e["tag"] == "li" and e["lists"] == ["ol", "ul"]]
    assert [e["text"].strip() for e in second[:2]] == ["Indsatser:", "Indikatorer:"]
    third = [e for e in goals if e["tag"] == "li" and e["lists"] == ["ol", "ul", "ul"]]
    assert len(third) > len(second)
    markdown = render(evaluation, lang="da").markdown
    assert "\n    - Indsatser:\n        - [1. Formidling](#initiative-1)\n" in markdown


# -- cross-references -------------------------------------------------------------------


def test_every_link_in_the_report_lands_on_a_heading_of_the_report(
    evaluation: Evaluation,
) -> None:
    html = render(evaluation, lang="da").html()
    elements = _tree(html).elements
    ids = {e["attrs"]["id"]: e for e in elements if "id" in e["attrs"]}
    links = [e for e in elements if e["tag"] == "a"]
    assert links
    for link in links:
        target = link["attrs"]["href"]
        assert target.startswith("#"), target
        assert target[1:] in ids, target


def test_see_above_points_to_the_indicator_shown_under_that_initiative(
    evaluation: Evaluation,
) -> None:
    markdown = render(evaluation, lang="da").markdown
    lines = markdown.splitlines()
    name = label(evaluation.indicators["concerns_by_card"].indicator.labels)
    with language("da"):
        name = label(evaluation.indicators["concerns_by_card"].indicator.labels)
    reference = "[Se ovenfor under indsats 4.](#indicator-concerns-by-card)"
    assert reference in lines
    # The target is the indicator's own heading, inside the section of initiative 4.
    target = lines.index(f"#### {name} {{#indicator-concerns-by-card}}")
    initiative = max(n for n, line in enumerate(lines[:target]) if line.startswith("### "))
    assert lines[initiative].startswith("### 4. ")
    assert lines[initiative].endswith("{#initiative-4}")
    # The reference itself is under initiative 6, after the target.
    assert lines.index(reference) > target
    # The safety index is referred to its heading under the follow-up.
    assert "[Se under Opfølgning: Tryghedsindekset.](#indicator-safety-index)" in lines
    follow_up = lines.index("## Opfølgning")
    assert any(line.endswith("{#indicator-safety-index}") for line in lines[follow_up:])


# -- escaping ---------------------------------------------------------------------------


class HostilePlugin:
    """A strategy whose every label tries to break out of Markdown and HTML."""

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


def test_a_hostile_label_stays_text_in_the_danish_report() -> None:
    registry = make_registry(EvaluatorPlugin(), HostilePlugin(), autoload=True)
    casework = Casework(registry, clock=VirtualClock(START))
    evaluation = casework.evaluate(
        EVE,
        initiative="i",
        since=dt.date(2024, 1, 1),
        until=dt.date(2024, 6, 30),
        strategy="test.hostile",
    )
    with language("da"):
        report = render(evaluation)
    html = report.html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" not in html and "<em>it</em>" not in html
    assert "<code>" not in html and 'href="http' not in html
    assert 'id="id"' not in html
    assert "\\*\\*bold\\*\\* \\_it\\_ \\| pipe \\[link\\](http://x) \\{#id\\} \\`code\\`" in (
        report.markdown
    )
    assert report.markdown.startswith("# Evaluering af indsatsen: &lt;script&gt;")
    assert "<title>Evaluering af indsatsen: &lt;script&gt;" in html


def test_the_markdown_environment_escapes_every_value_once() -> None:
    template = markdown_environment().from_string(
        "{{ text }} / {{ text|md }} / {{ made }} / {{ _('Goals') }}"
    )
    with language("da"):
        shown = template.render(text="<b>*x*</b>", made=Markdown("**y**"))
    assert shown == "&lt;b&gt;\\*x\\*&lt;/b&gt; / &lt;b&gt;\\*x\\*&lt;/b&gt; / **y** / Mål"


# -- Danish -----------------------------------------------------------------------------


def test_the_danish_evaluation_report_has_no_english_fixed_text(evaluation: Evaluation) -> None:
    with language("da"):
        report = render(evaluation)
        data = _data_texts(evaluation)
    markdown = report.markdown
    for text in (
        "## Om rapporten",
        "- **Kilder:** Sagsarkivet: sager oprettet i perioden",
        "## Mål",
        "## Indsatser",
        "## Opfølgning",
        "### Evalueringer",
        "Småtalsreglen: antal fra 1 til 4 vises ikke (·)",
        "Hvert estimat vises med sit 95 %-konfidensinterval i parentes.",
        "| Område | 2024 |",
    ):
        assert text in markdown, text
    assert re.search(r"\| \d+,\d % \(\d+,\d\N{EN DASH}\d+,\d\) \|", markdown)  # decimal commas
    found = _danish_outside(markdown, data)
    assert not found, summary(found)
    english = render(evaluation, lang="en").markdown
    assert "## Goals (Mål)" in english and "Each estimate is shown with its 95 %" in english


def test_the_safety_index_table_says_it_shows_the_share_who_feel_unsafe(
    evaluation: Evaluation,
) -> None:
    with language("da"):
        markdown = render(evaluation).markdown
        measured = label(evaluation.indicators["safety_index"].series.labels)  # type: ignore[union-attr]
    (line,) = [line for line in markdown.splitlines() if line.startswith("Tabellen viser:")]
    assert line == f"Tabellen viser: {measured} (%), pr. område og år."
    assert "utrygge" in line
    english = render(evaluation, lang="en").markdown
    assert "The table shows: Share feeling unsafe (%), by area and year." in english


def test_a_single_year_is_not_drawn_as_a_trend(
    evaluation: Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_line(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a single year drawn as a line")

    monkeypatch.setattr(evaluation_report, "line_chart", no_line)
    written = write_report(evaluation, tmp_path / "da", lang="da")
    assert tmp_path / "da" / "safety_index.png" in written
    markdown = (tmp_path / "da" / "report.md").read_text(encoding="utf-8")
    assert "Der er kun tal for ét år (2024)" in markdown
    assert "ét år viser ingen tendens" in markdown
    assert "![Figur: " in markdown
    english = render(evaluation, lang="en").markdown
    assert "one year shows no trend" in english


def test_a_single_year_trend_plot_says_there_is_no_trend(tmp_path: Path) -> None:
    table = estimate(generate(2000, areas=2, years=(2024,), seed=3).survey())
    with language("da"):
        (svg,) = plot_trend(table, "unsafe_share", tmp_path / "trend", formats=("svg",))
    text = svg.read_text(encoding="utf-8")
    assert "Kun ét år (2024): ét år viser ingen tendens." in text
    assert "Andel, der føler sig utrygge (%)" in text
    assert "Vægtede estimater med 95 %-intervaller" in text


ANNA = Actor("anna", "aalborg.ssp_consultant")
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


@pytest.fixture(name="walked")
def _walked() -> tuple[Casework, str]:
    registry = ssp_core.load_registry()
    casework = Casework(registry, clock=VirtualClock(T0), ids=ssp_core.sequential_ids("W-"))
    walk = casework.plan_walk(
        locality="aalborg.gandrup",
        held_on=dt.date(2026, 3, 1),
        participants=["aalborg.grindsted_samraad"],
        citizens=3,
        topics=["lighting"],
        note=HOSTILE,
        actor=ANNA,
    )
    casework.fire(walk.id, "hold", ANNA)
    casework.record_finding(
        walk.id,
        place=Place("Tunnellen", Coordinates(57.0493, 10.1962)),
        category="lighting",
        description=HOSTILE,
        responsible="aalborg.roads_and_parks",
        actor=ANNA,
    )
    casework.record_finding(
        walk.id, place=Place("Torvet"), category="aalborg.plantings", description="Hæk", actor=ANNA
    )
    return casework, walk.id


def test_the_danish_walk_report_and_its_map(
    walked: tuple[Casework, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    casework, walk_id = walked
    (walk,) = casework.walks(ANNA, purpose="casework")
    findings = casework.findings(ANNA, purpose="casework", walk=walk_id)
    drawn: list[list[str]] = []
    save = matplotlib.figure.Figure.savefig

    def record(figure: matplotlib.figure.Figure, *args: Any, **kwargs: Any) -> None:
        (axes,) = figure.axes
        legend = axes.get_legend()
        texts = [] if legend is None else [t.get_text() for t in legend.get_texts()]
        ticks = [t.get_text() for t in axes.get_xticklabels()]
        drawn.append([axes.get_xlabel(), axes.get_ylabel(), *texts, *ticks])
        save(figure, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", record)
    with language("da"):
        report = walk_report(walk, findings, casework.registry, tmp_path, today=T0.date())
        listed = open_findings_report(findings, casework.registry, today=dt.date(2026, 9, 1))
    text = report.markdown
    assert text.startswith("# Tryghedsvandring: Gandrup, 2026-03-01\n")
    for expected in (
        "- **Dato:** 2026-03-01",
        "- **Deltagere:** Grindsted Samråd, 3 borgere",
        "## Fund",
        "| # | Sted | Kategori | Beskrivelse | Ansvarlig | Tilstand | Frist |",
        "## Kort over fundene",
        "1 fund uden koordinater.",
    ):
        assert expected in text, expected
    assert "(overskredet frist)" in listed.markdown
    assert listed.markdown.startswith("# Åbne fund på tværs af vandringer (opgjort 2026-09-01)")
    html = report.html()
    assert "<script>" not in html and "<strong>bold</strong>" not in html
    for shown in (text, listed.markdown):
        found = english_words(shown.replace(HOSTILE, " ").replace("Tunnellen", " "))
        assert not found, summary(found)
    (png_labels, _svg_labels) = drawn
    assert png_labels[:6] == [
        "længdegrad (° Ø, WGS84)",
        "breddegrad (° N, WGS84)",
        "løst",
        "afvist",
        "tildelt",
        "registreret",
    ]
    assert any("," in tick for tick in png_labels[6:])  # decimal commas on the axis


def test_the_danish_workflow_text_has_no_english_fixed_text() -> None:
    definition = card("x.card", "sample.young")
    with language("da"):
        text = to_text(definition)
    assert "tilstande:" in text and "handlinger:" in text and "oplysninger:" in text
    assert "[start; skridt 1; frist 2 arbejdsdage]" in text
    assert "(betingelser: parents_informed, notified; roller: sample.consultant)" in text
    assert "(begrundelse kræves)" in text and "(uddybning kræves)" in text
    assert "gælder: situation sample.worry, aldersgruppe sample.young" in text
    labels = [f.labels.da for f in definition.facts] + [s.labels.da for s in definition.states]
    for data in sorted(labels, key=len, reverse=True):  # the plugin's labels, not ours
        text = text.replace(data, " ")
    fixed = re.sub(r"^\s*\S+: ", "", text, flags=re.MULTILINE)  # ids before the colon
    ids = {state.id for state in definition.states}  # ids stay as they are
    found = [f for f in english_words(fixed) if f[1] not in ids]
    assert not found, summary(found)
