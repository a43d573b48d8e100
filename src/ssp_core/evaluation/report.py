"""An evaluation as a report: Markdown and HTML with figures, following the strategy's slides.

The report follows the structure of the strategy: **Mål** (goals) → **Indsatser**
(initiatives, each with the indicators that follow it up and the activities it held)
→ **Opfølgning** (the safety index and reported crime, other indicators, the
evaluations). It opens with
what it covers: the period, the sources, the small-cell rule, and that no person is
scored. Headings and fixed text are in Danish (``lang="da"``) or in English with the
Danish term beside it (``lang="en"``).

Every count is shown as published by the suppressed table: a hidden count is
:data:`~ssp_core.evaluation.plots.HIDDEN` (``·``), in tables and figures alike.
Text from plugins and files (labels, file names) is escaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from ssp_core.domain.labels import Labels, Language
from ssp_core.domain.strategy import Indicator, MeasureKind
from ssp_core.evaluation.activities import ActivityCounts
from ssp_core.evaluation.delays import Delay
from ssp_core.evaluation.evaluate import Evaluation, IndicatorResult
from ssp_core.evaluation.index_series import Series
from ssp_core.evaluation.measures import MEASURES
from ssp_core.evaluation.period import DASH
from ssp_core.evaluation.plots import HIDDEN, bar_chart, line_chart, save
from ssp_core.exceptions import DataError
from ssp_core.privacy.suppression import TOTAL, SuppressedTable
from ssp_core.reports import Report, escape, table

__all__ = [
    "DIMENSION_LABELS",
    "TEXT",
    "check_out",
    "count_table",
    "delay_table",
    "render",
    "series_table",
    "write_report",
]

TEXT: Mapping[str, Labels] = {
    "goals": Labels("Mål", "Goals (Mål)"),
    "initiatives": Labels("Indsatser", "Initiatives (Indsatser)"),
    "follow_up": Labels("Opfølgning", "Follow-up (Opfølgning)"),
    "index": Labels("Tryghedsindekset", "The safety index (Tryghedsindekset)"),
    "other": Labels("Øvrige indikatorer", "Other indicators"),
    "evaluations": Labels("Evalueringer", "Evaluations (Evalueringer)"),
    "about": Labels("Om rapporten", "About this report"),
    "period": Labels("Periode", "Period"),
    "strategy": Labels("Strategi", "Strategy"),
    "made_on": Labels("Udarbejdet", "Made on"),
    "sources": Labels("Kilder", "Sources"),
    "case_store": Labels(
        "Sagssystemet: sager oprettet i perioden (bekymringer, forløb, fund fra "
        "tryghedsvandringer), læst uden at åbne personoplysninger",
        "The case store: cases opened in the period (concerns, tracks, safety-walk "
        "findings), read without opening any personal data",
    ),
    "total": Labels("I alt", "Total"),
    "served_goals": Labels("Mål", "Goals"),
    "activities": Labels("Delaktiviteter", "Activities"),
    "held": Labels("Gennemførte aktiviteter", "Activities held (Gennemførte aktiviteter)"),
    "held_note": Labels(
        "Aktiviteter registreret som gennemført i perioden, pr. art og år; planlagte og aflyste "
        "tælles ikke. En aktivitet nævner ingen person.",
        "Activities logged as held in the period, per kind and year; planned and cancelled "
        "ones are not counted. An activity names no person.",
    ),
    "participants_note": Labels(
        "Deltagere: summen af de registrerede deltagertal (deltagelser, ikke forskellige "
        "personer); en aktivitet uden deltagertal tæller ikke med.",
        "Participants: the sum of the numbers logged (attendances, not distinct people); an "
        "activity logged without a number adds nothing.",
    ),
    "workflows": Labels("Arbejdsgange", "Workflows"),
    "indicators": Labels("Indikatorer", "Indicators"),
    "initiatives_serving": Labels("Indsatser", "Initiatives"),
    "no_indicator": Labels(
        "Ingen indikator er knyttet til indsatsen (kommunen vælger dem i strategiens data).",
        "No indicator is linked to this initiative (the municipality chooses them in the "
        "strategy's data).",
    ),
    "no_initiative": Labels("Ingen indsats i denne rapport.", "No initiative in this report."),
    "see_index": Labels(
        "Se under Opfølgning: Tryghedsindekset.", "See Follow-up: the safety index."
    ),
    "see_above": Labels("Se ovenfor under indsats {n}.", "See above under initiative {n}."),
    "measure": Labels("Måling", "Measure"),
    "source": Labels("Kilde", "Source"),
    "counted": Labels("Optalt", "Counted"),
    "figure": Labels("Figur", "Figure"),
    "cases": Labels("Antal", "Count"),
    "days": Labels("Dage", "Days"),
    "delay_note": Labels(
        "Median (nedre-øvre kvartil) af dage fra bekymring til første handling. Vist kun for "
        "grupper med mindst {t} sager med en første handling, og hvis antal sager "
        "bekymringstabellen viser (ikke skjuler); ellers {h}.",
        "Median (lower-upper quartile) of days from concern to first action. Shown only for "
        "groups with at least {t} cases with a first action, and whose number of cases the "
        "concerns table shows (does not hide); else {h}.",
    ),
    "series_note": Labels(
        "Estimat (konfidensinterval{c}). Grupper med færre end {t} svarpersoner vises ikke"
        "{hidden}.",
        "Estimate (confidence interval{c}). Groups with fewer than {t} respondents are not "
        "shown{hidden}.",
    ),
    "crime_note": Labels(
        "Rate (konfidensinterval{c}). Rater, der bygger på 1 til {m} anmeldelser, vises ikke"
        "{hidden}.",
        "Rate (confidence interval{c}). Rates resting on 1 to {m} reported crimes are not "
        "shown{hidden}.",
    ),
    "intervals": Labels("Intervaller", "Intervals"),
    "hidden_groups": Labels(" ({n} område-år skjult)", " ({n} area-years hidden)"),
    "no_points": Labels("Ingen grupper at vise.", "No group to show."),
    "this_initiative": Labels(
        "Denne rapport er en evaluering af én indsats.",
        "This report evaluates one initiative.",
    ),
    "this_term": Labels(
        "Denne rapport er den samlede evaluering for byrådsperioden {term}.",
        "This report is the overall evaluation for the council term {term}.",
    ),
    "human": Labels(
        "Tallene er et grundlag for vurderingen; om en indsats skal fortsætte eller udbygges, "
        "afgør mennesker.",
        "The figures inform the assessment; whether an initiative continues or grows is for "
        "people to decide.",
    ),
    "no_person": Labels(
        "Ingen person får en score, en rangering eller en vurdering i denne rapport: den "
        "viser kun antal og statistik over grupper af sager og svar.",
        "No person is scored, ranked or assessed in this report: it shows only counts and "
        "statistics over groups of cases and answers.",
    ),
    "small_cells": Labels(
        "Småtalsreglen: antal fra 1 til {m} vises ikke ({h}), og flere antal skjules, så et "
        "skjult antal ikke kan regnes ud af totalerne. Nuller vises.",
        "The small-cell rule: counts from 1 to {m} are not shown ({h}), and further counts "
        "are hidden so that no hidden count can be worked out from the totals. Zeros are "
        "shown.",
    ),
    "statistics_rule": Labels(
        "Statistik over sager (median og kvartiler) vises kun for grupper med mindst {t} "
        "sager; estimater fra tryghedsundersøgelsen kun for grupper med mindst {t} "
        "svarpersoner.",
        "Statistics over cases (median and quartiles) are shown only for groups of at "
        "least {t} cases; safety-survey estimates only for groups of at least {t} "
        "respondents.",
    ),
    "title_term": Labels(
        "Samlet evaluering: {s}, byrådsperioden {term}",
        "Overall evaluation: {s}, council term {term}",
    ),
    "title_initiative": Labels("Evaluering af indsatsen: {i}", "Evaluation of the initiative: {i}"),
}
"""The fixed text of a report, in Danish and English, by key."""

DIMENSION_LABELS: Mapping[str, Labels] = {
    "card": Labels("Actioncard", "Action card"),
    "age_band": Labels("Aldersgruppe", "Age band"),
    "year": Labels("År", "Year"),
    "track": Labels("Forløb", "Track"),
    "outcome": Labels("Udfald", "Outcome"),
    "area": Labels("Område", "Area"),
    "asker": Labels("Spørger", "Asked by"),
    "quarter": Labels("Kvartal", "Quarter"),
    "activity_kind": Labels("Aktivitet", "Kind of activity"),
    "participants": Labels("Deltagere", "Participants"),
}
"""Column headings of the dimensions of a table."""

_INDEX_KINDS = (MeasureKind.SAFETY_INDEX, MeasureKind.REPORTED_CRIME)


def _t(key: str, lang: Language, **values: object) -> str:
    return TEXT[key].get(lang).format(**values)


def _number(value: float, lang: Language, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "da" else text


def _name(labels: Mapping[str, Labels], level: str, lang: Language) -> str:
    if level == TOTAL:
        return _t("total", lang)
    found = labels.get(level)
    return found.get(lang) if found is not None else level


def _axes(published: SuppressedTable) -> list[list[str]]:
    """Return the levels of each dimension in publication order, ``Total`` last."""
    axes: list[list[str]] = [[] for _ in published.dimensions]
    for cell in published.cells:
        for dim, level in enumerate(cell.key):
            if level not in axes[dim]:
                axes[dim].append(level)
    return [[*(lv for lv in levels if lv != TOTAL), TOTAL] for levels in axes]


def count_table(
    published: SuppressedTable, labels: Mapping[str, Labels], lang: Language = "da"
) -> str:
    """Return a suppressed table as Markdown: the last dimension across, the others down.

    Each cell is the published count, or :data:`~ssp_core.evaluation.plots.HIDDEN`
    where it is suppressed; the ``Total`` rows and column are the marginal totals.
    """
    counts = {cell.key: cell.count for cell in published.cells}
    axes = _axes(published)
    headers = [
        *(
            escape(DIMENSION_LABELS[d].get(lang)) if d in DIMENSION_LABELS else escape(d)
            for d in published.dimensions[:-1]
        ),
        *(escape(_name(labels, level, lang)) for level in axes[-1]),
    ]
    rows = []
    for key in itertools.product(*axes[:-1]):
        cells = [counts[(*key, level)] for level in axes[-1]]
        rows.append(
            [
                *(_name(labels, level, lang) for level in key),
                *(HIDDEN if count is None else str(count) for count in cells),
            ]
        )
    return table(headers, rows)


def delay_table(found: Sequence[Delay], labels: Mapping[str, Labels], lang: Language = "da") -> str:
    """Return the time-to-first-action groups as Markdown: cards down, years across."""
    cards = list(dict.fromkeys(d.card for d in found))
    years = list(dict.fromkeys(d.year for d in found))
    by = {(d.card, d.year): d for d in found}
    headers = [
        escape(DIMENSION_LABELS["card"].get(lang)),
        *(escape(_name(labels, year, lang)) for year in years),
    ]
    rows = []
    for card in cards:
        cells = []
        for year in years:
            d = by[(card, year)]
            if d.median is None or d.lower_quartile is None or d.upper_quartile is None:
                cells.append(HIDDEN)
            else:
                low = _number(d.lower_quartile, lang)
                high = _number(d.upper_quartile, lang)
                cells.append(f"{_number(d.median, lang)} ({low}{DASH}{high})")
        rows.append([_name(labels, card, lang), *cells])
    return table(headers, rows)


def _value(value: float, series: Series, lang: Language) -> str:
    return f"{_number(value * 100, lang)} %" if series.percent else _number(value, lang, 2)


def _plain(value: float, series: Series, lang: Language) -> str:
    return _number(value * 100, lang) if series.percent else _number(value, lang, 2)


def series_table(series: Series, lang: Language = "da") -> str:
    """Return a series as Markdown: areas down, years across, ``value (low-high)``."""
    areas = list(dict.fromkeys(p.area for p in series.points))
    years = sorted({p.year for p in series.points})
    by = {(p.area, p.year): p for p in series.points}
    headers = [escape(DIMENSION_LABELS["area"].get(lang)), *(str(y) for y in years)]
    rows = []
    for area in areas:
        cells = []
        for year in years:
            point = by.get((area, year))
            if point is None:
                cells.append(HIDDEN)
                continue
            text = _value(point.value, series, lang)
            if point.low is not None and point.high is not None:
                low, high = _plain(point.low, series, lang), _plain(point.high, series, lang)
                text += f" ({low}{DASH}{high})"
            cells.append(text)
        rows.append([area, *cells])
    return table(headers, rows)


class _Writer:
    """Builds one report: its Markdown parts and the figures written so far."""

    def __init__(self, evaluation: Evaluation, lang: Language, folder: Path | None) -> None:
        self.evaluation = evaluation
        self.lang = lang
        self.folder = folder
        self.parts: list[str] = []
        self.figures: list[Path] = []
        self.shown: dict[str, int] = {}
        self.numbers = {
            initiative.id: n
            for n, initiative in enumerate(evaluation.strategy.initiatives, start=1)
        }

    def t(self, key: str, **values: object) -> str:
        return _t(key, self.lang, **values)

    def label(self, labels: Labels) -> str:
        return escape(labels.get(self.lang))

    def name(self, level: str) -> str:
        return _name(self.evaluation.labels, level, self.lang)

    def add(self, *blocks: str) -> None:
        self.parts.extend(blocks)

    # -- sections ---------------------------------------------------------------------

    def title(self) -> str:
        evaluation = self.evaluation
        strategy = evaluation.strategy.labels.get(self.lang)
        if evaluation.initiative is None:
            term = str(evaluation.term).replace("-", DASH)
            return self.t("title_term", s=strategy, term=term)
        chosen = evaluation.strategy.initiative(evaluation.initiative)
        return self.t("title_initiative", i=chosen.labels.get(self.lang))

    def about(self) -> None:
        evaluation, lang = self.evaluation, self.lang
        sources = [self.t("case_store")]
        for result in evaluation.indicators.values():
            source = result.indicator.source
            if source is not None and source.get(lang) not in sources:
                sources.append(source.get(lang))
        facts = [
            f"- **{self.t('strategy')}:** {self.label(evaluation.strategy.labels)}",
            f"- **{self.t('period')}:** {escape(evaluation.period.describe())}",
            f"- **{self.t('made_on')}:** {evaluation.made_on.isoformat()}",
            f"- **{self.t('sources')}:** " + "; ".join(escape(s) for s in sources),
            *(f"  - {escape(item)}" for item in evaluation.inputs),
        ]
        threshold = evaluation.threshold
        self.add(
            f"## {self.t('about')}",
            "\n".join(facts),
            "\n".join(
                [
                    f"> {self.t('no_person')}",
                    ">",
                    f"> {self.t('small_cells', m=threshold - 1, h=HIDDEN)}",
                    ">",
                    f"> {self.t('statistics_rule', t=threshold)}",
                ]
            ),
        )

    def goals(self) -> None:
        lines = []
        initiatives = {r.initiative.id: r.initiative for r in self.evaluation.initiatives}
        for n, result in enumerate(self.evaluation.goals, start=1):
            lines.append(f"{n}. **{self.label(result.goal.labels)}**")
            serving = ", ".join(
                f"{self.numbers[i]}. {self.label(initiatives[i].labels)}"
                for i in result.initiatives
            )
            if serving:
                lines.append(f"   - {self.t('initiatives_serving')}: {serving}")
            named = ", ".join(self.indicator_name(i) for i in result.indicators)
            if named:
                lines.append(f"   - {self.t('indicators')}: {named}")
        self.add(f"## {self.t('goals')}", "\n".join(lines) or "—")

    def indicator_name(self, indicator_id: str) -> str:
        return self.label(self.evaluation.indicators[indicator_id].indicator.labels)

    def initiatives(self) -> None:
        self.add(f"## {self.t('initiatives')}")
        if not self.evaluation.initiatives:
            self.add(self.t("no_initiative"))
        strategy = self.evaluation.strategy
        for result in self.evaluation.initiatives:
            initiative = result.initiative
            number = self.numbers[initiative.id]
            self.add(f"### {number}. {self.label(initiative.labels)}")
            facts = []
            if initiative.goals:
                goals = ", ".join(self.label(strategy.goal(g).labels) for g in initiative.goals)
                facts.append(f"- **{self.t('served_goals')}:** {goals}")
            if initiative.activities:
                acts = ", ".join(self.label(a.labels) for a in initiative.activities)
                facts.append(f"- **{self.t('activities')}:** {acts}")
            if initiative.workflows:
                flows = "; ".join(escape(self.name(w)) for w in initiative.workflows)
                facts.append(f"- **{self.t('workflows')}:** {flows}")
            if facts:
                self.add("\n".join(facts))
            if not result.indicators:
                self.add(self.t("no_indicator"))
            for indicator_id in result.indicators:
                found = self.evaluation.indicators[indicator_id]
                if found.kind in _INDEX_KINDS:
                    self.add(f"#### {self.label(found.indicator.labels)}", self.t("see_index"))
                elif indicator_id in self.shown:
                    self.add(
                        f"#### {self.label(found.indicator.labels)}",
                        self.t("see_above", n=self.shown[indicator_id]),
                    )
                else:
                    self.shown[indicator_id] = number
                    self.indicator(found, "####")
            if result.activities is not None:
                self.activities(result.activities)

    def activities(self, found: ActivityCounts) -> None:
        """Show the initiative's held activities per kind and year, and who took part."""
        self.add(f"#### {self.t('held')}")
        if found.workflows:
            counted = "; ".join(escape(self.name(w)) for w in found.workflows)
            self.add(f"- **{self.t('counted')}:** {counted}")
        labels = self.evaluation.labels
        if found.activities is not None:
            self.add(count_table(found.activities, labels, self.lang), self.t("held_note"))
        if found.participants is not None:
            self.add(
                count_table(found.participants, labels, self.lang), self.t("participants_note")
            )
        if found.note is not None:
            self.add(f"*{self.label(found.note)}*")

    def follow_up(self) -> None:
        evaluation = self.evaluation
        self.add(f"## {self.t('follow_up')}")
        index = [i for i in evaluation.follow_up if evaluation.indicators[i].kind in _INDEX_KINDS]
        other = [i for i in evaluation.follow_up if i not in index]
        if index:
            self.add(f"### {self.t('index')}")
            for indicator_id in index:
                self.indicator(evaluation.indicators[indicator_id], "####")
        if other:
            self.add(f"### {self.t('other')}")
            for indicator_id in other:
                self.indicator(evaluation.indicators[indicator_id], "####")
        self.add(f"### {self.t('evaluations')}")
        listed = "\n".join(
            f"- {self.label(labels)}" for labels in evaluation.strategy.follow_up.evaluations
        )
        if listed:
            self.add(listed)
        if evaluation.initiative is None:
            this = self.t("this_term", term=str(evaluation.term).replace("-", DASH))
        else:
            this = self.t("this_initiative")
        self.add(f"{this} {self.t('human')}")

    # -- one indicator ----------------------------------------------------------------

    def indicator(self, result: IndicatorResult, level: str) -> None:
        indicator = result.indicator
        self.add(f"{level} {self.label(indicator.labels)}")
        lines = []
        kind = result.kind
        if kind is not None:
            measure = MEASURES[kind]
            lines.append(
                f"- **{self.t('measure')}:** {self.label(measure.labels)}. "
                f"{self.label(measure.description)}"
            )
        if indicator.source is not None:
            lines.append(f"- **{self.t('source')}:** {self.label(indicator.source)}")
        if result.workflows:
            counted = "; ".join(escape(self.name(w)) for w in result.workflows)
            lines.append(f"- **{self.t('counted')}:** {counted}")
        if lines:
            self.add("\n".join(lines))
        if result.note is not None:
            self.add(f"*{self.label(result.note)}*")
        if result.counts is not None:
            self.add(count_table(result.counts, self.evaluation.labels, self.lang))
            self.count_figure(indicator, result.counts)
        if result.delays:
            note = self.t("delay_note", t=self.evaluation.threshold, h=HIDDEN)
            self.add(delay_table(result.delays, self.evaluation.labels, self.lang), note)
        if result.series is not None:
            self.series(indicator, result.series, result.kind)

    def count_figure(self, indicator: Indicator, published: SuppressedTable) -> None:
        """Draw the published counts per year, one bar per level of the dimension before it.

        The other dimensions are summed out (their totals), which are the counts most
        often published; nothing is drawn if no such count is above zero.
        """
        if self.folder is None or published.dimensions[-1] != "year":
            return
        counts = {cell.key: cell.count for cell in published.cells}
        axes = _axes(published)
        years = axes[-1][:-1]
        outer = (TOTAL,) * (len(axes) - 2)
        series = [
            (self.name(level), [counts[(*outer, level, year)] for year in years])
            for level in axes[-2][:-1]
        ]
        if not any(value for _, values in series for value in values):
            return
        figure = bar_chart(indicator.labels.get(self.lang), years, series, ylabel=self.t("cases"))
        self.figure(indicator, figure)

    def series(self, indicator: Indicator, series: Series, kind: MeasureKind | None) -> None:
        if series.caption is not None:
            self.add(f"*{self.t('intervals')}: {self.label(series.caption)}.*")
        if not series.points:
            self.add(self.t("no_points"))
            return
        self.add(series_table(series, self.lang))
        confidence = (
            f" {_number(series.confidence * 100, self.lang, 0)} %"
            if series.confidence is not None
            else ""
        )
        hidden = self.t("hidden_groups", n=series.hidden) if series.hidden else ""
        threshold = self.evaluation.threshold
        key = "crime_note" if kind is MeasureKind.REPORTED_CRIME else "series_note"
        self.add(self.t(key, c=confidence, t=threshold, m=threshold - 1, hidden=hidden))
        if self.folder is None:
            return
        scale = 100.0 if series.percent else 1.0
        lines = []
        for area in dict.fromkeys(p.area for p in series.points):
            points = sorted((p for p in series.points if p.area == area), key=lambda p: p.year)
            lines.append(
                (
                    area,
                    [
                        (
                            float(p.year),
                            p.value * scale,
                            None if p.low is None else p.low * scale,
                            None if p.high is None else p.high * scale,
                        )
                        for p in points
                    ],
                )
            )
        unit = f"{series.labels.get(self.lang)}{' (%)' if series.percent else ''}"
        figure = line_chart(indicator.labels.get(self.lang), lines, ylabel=unit)
        self.figure(indicator, figure)

    def figure(self, indicator: Indicator, figure: Figure) -> None:
        if self.folder is None:
            return
        png, svg = save(figure, self.folder, indicator.id)
        self.figures += [png, svg]
        alt = escape(f"{self.t('figure')}: {indicator.labels.get(self.lang)}")
        self.add(f"![{alt}]({png.name})\n\n[SVG]({svg.name})")


def render(evaluation: Evaluation, *, lang: Language = "da", folder: Path | None = None) -> Report:
    """Return the evaluation as a :class:`~ssp_core.reports.markdown.Report`.

    With ``folder``, the figures are written there (PNG and SVG, named by indicator
    id) and linked; without, the report has tables only.
    """
    writer = _Writer(evaluation, lang, folder)
    title = writer.title()
    writer.add(f"# {escape(title)}")
    writer.about()
    writer.goals()
    writer.initiatives()
    writer.follow_up()
    markdown = "\n\n".join(writer.parts) + "\n"
    return Report(title=title, markdown=markdown, figures=tuple(writer.figures), lang=lang)


def check_out(out: Path) -> None:
    """Check that ``out`` can receive a report: it is missing or an empty directory."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(f"{out} exists and is not an empty directory; choose a new one")
    if not out.parent.is_dir():
        raise DataError(f"the directory {out.parent} does not exist")


def write_report(
    evaluation: Evaluation, out: Path, *, lang: Language = "da", stem: str = "report"
) -> tuple[Path, ...]:
    """Write ``report.md``, ``report.html`` and the figures into the new directory ``out``.

    ``out`` must not exist or be an empty directory (an earlier report is never
    overwritten). Returns the paths written: the Markdown, the HTML, then the figures.
    """
    check_out(out)
    report = render(evaluation, lang=lang, folder=out)
    markdown, page = report.write(out, stem)
    return (markdown, page, *report.figures)
