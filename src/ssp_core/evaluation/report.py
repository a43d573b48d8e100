"""An evaluation as a report: Markdown and HTML with figures, following the strategy's slides.

The report follows the structure of the strategy: **Mål** (goals) → **Indsatser**
(initiatives, each with the indicators that follow it up and the activities it held)
→ **Opfølgning** (the safety index and reported crime, other indicators, the
evaluations). It opens with what it covers: the period, the sources, the small-cell
rule, and that no person is scored.

The Markdown is rendered from the template ``evaluation.md.jinja`` (and
``indicator.md.jinja``) in ``ssp_core/reports/templates``; its fixed text is in the
message catalogue and shown in the current language (:func:`ssp_core.i18n.language`,
or ``lang``); numbers have a decimal comma in Danish. An indicator shown under one
initiative is linked, not repeated, from the others: each reference points to the
indicator's own heading (``{#indicator-<id>}``).

Every count is shown as published by the suppressed table: a hidden count is
:data:`~ssp_core.evaluation.plots.HIDDEN` (``·``), in tables and figures alike.
Text from plugins and files (labels, file names) is escaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
from matplotlib.figure import Figure

from ssp_core.domain.labels import Labels, Language
from ssp_core.domain.strategy import Indicator, MeasureKind
from ssp_core.evaluation.activities import ActivityCounts
from ssp_core.evaluation.delays import Delay
from ssp_core.evaluation.evaluate import INPUT_TEXTS, Evaluation, IndicatorResult
from ssp_core.evaluation.index_series import Series
from ssp_core.evaluation.measures import MEASURES
from ssp_core.evaluation.period import DASH
from ssp_core.evaluation.plots import HIDDEN, bar_chart, line_chart, number, point_chart, save
from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _, current_language, label, language, ngettext
from ssp_core.privacy.suppression import TOTAL, SuppressedTable
from ssp_core.reports import Report, escape, table
from ssp_core.reports.environment import Markdown, anchor
from ssp_core.reports.environment import render as render_template

__all__ = [
    "DIMENSION_LABELS",
    "check_out",
    "count_table",
    "delay_table",
    "render",
    "series_table",
    "write_report",
]

DIMENSION_LABELS: Mapping[str, str] = {
    "card": N_("Action card"),
    "age_band": N_("Age band"),
    "year": N_("Year"),
    "track": N_("Track"),
    "outcome": N_("Outcome"),
    "area": N_("Area"),
    "asker": N_("Asked by"),
    "quarter": N_("Quarter"),
    "activity_kind": N_("Kind of activity"),
    "participants": N_("Participants"),
}
"""Column headings of the dimensions of a table (English; shown with ``_()``)."""

_INDEX_KINDS = (MeasureKind.SAFETY_INDEX, MeasureKind.REPORTED_CRIME)


def _name(labels: Mapping[str, Labels], level: str) -> str:
    if level == TOTAL:
        return _("Total")
    found = labels.get(level)
    return label(found) if found is not None else level


def _dimension(dimension: str) -> str:
    known = DIMENSION_LABELS.get(dimension)
    return _(known) if known is not None else dimension


def _axes(published: SuppressedTable) -> list[list[str]]:
    """Return the levels of each dimension in publication order, ``Total`` last."""
    axes: list[list[str]] = [[] for _ in published.dimensions]
    for cell in published.cells:
        for dim, level in enumerate(cell.key):
            if level not in axes[dim]:
                axes[dim].append(level)
    return [[*(lv for lv in levels if lv != TOTAL), TOTAL] for levels in axes]


def count_table(
    published: SuppressedTable, labels: Mapping[str, Labels], lang: Language | None = None
) -> str:
    """Return a suppressed table as Markdown: the last dimension across, the others down.

    Each cell is the published count, or :data:`~ssp_core.evaluation.plots.HIDDEN`
    where it is suppressed; the ``Total`` rows and column are the marginal totals.
    ``lang`` (default: the current language) is the language of the headings.
    """
    with language(lang or current_language()):
        counts = {cell.key: cell.count for cell in published.cells}
        axes = _axes(published)
        headers = [
            *(escape(_dimension(d)) for d in published.dimensions[:-1]),
            *(escape(_name(labels, level)) for level in axes[-1]),
        ]
        rows = []
        for key in itertools.product(*axes[:-1]):
            cells = [counts[(*key, level)] for level in axes[-1]]
            rows.append(
                [
                    *(_name(labels, level) for level in key),
                    *(HIDDEN if count is None else str(count) for count in cells),
                ]
            )
        return table(headers, rows)


def delay_table(
    found: Sequence[Delay], labels: Mapping[str, Labels], lang: Language | None = None
) -> str:
    """Return the time-to-first-action groups as Markdown: cards down, years across."""
    with language(lang or current_language()):
        cards = list(dict.fromkeys(d.card for d in found))
        years = list(dict.fromkeys(d.year for d in found))
        by = {(d.card, d.year): d for d in found}
        headers = [escape(_dimension("card")), *(escape(_name(labels, year)) for year in years)]
        rows = []
        for card in cards:
            cells = []
            for year in years:
                d = by[(card, year)]
                if d.median is None or d.lower_quartile is None or d.upper_quartile is None:
                    cells.append(HIDDEN)
                else:
                    low, high = number(d.lower_quartile), number(d.upper_quartile)
                    cells.append(f"{number(d.median)} ({low}{DASH}{high})")
            rows.append([_name(labels, card), *cells])
        return table(headers, rows)


def _value(value: float, series: Series) -> str:
    return f"{number(value * 100)} %" if series.percent else number(value, 2)


def _plain(value: float, series: Series) -> str:
    return number(value * 100) if series.percent else number(value, 2)


def _measured(series: Series) -> str:
    """Return what a series measures, with its unit: ``Share feeling unsafe (%)``."""
    name = label(series.labels)
    return _("{measure} (%)").format(measure=name) if series.percent else name


def series_table(series: Series, lang: Language | None = None) -> str:
    """Return a series as Markdown: areas down, years across, ``value (low-high)``."""
    with language(lang or current_language()):
        areas = list(dict.fromkeys(p.area for p in series.points))
        years = sorted({p.year for p in series.points})
        by = {(p.area, p.year): p for p in series.points}
        headers = [escape(_dimension("area")), *(str(y) for y in years)]
        rows = []
        for area in areas:
            cells = []
            for year in years:
                point = by.get((area, year))
                if point is None:
                    cells.append(HIDDEN)
                    continue
                text = _value(point.value, series)
                if point.low is not None and point.high is not None:
                    low, high = _plain(point.low, series), _plain(point.high, series)
                    text += f" ({low}{DASH}{high})"
                cells.append(text)
            rows.append([area, *cells])
        return table(headers, rows)


@attrs.frozen
class _Link:
    """A reference to a heading of the report: its text and the heading's id."""

    text: str
    anchor: Markdown


@attrs.frozen
class _SeriesView:
    """A safety-index or reported-crime series, ready for the template."""

    measured: str
    caption: str | None
    table: Markdown | None
    notes: tuple[str, ...]
    figure: Markdown | None


@attrs.frozen
class _IndicatorView:
    """One indicator: shown in full, or as a reference to where it is shown."""

    name: str
    anchor: Markdown
    reference: _Link | None = None
    measure: str | None = None
    description: str | None = None
    source: str | None = None
    counted: tuple[str, ...] = ()
    note: str | None = None
    counts: Markdown | None = None
    counts_figure: Markdown | None = None
    delays: Markdown | None = None
    series: _SeriesView | None = None


@attrs.frozen
class _ActivitiesView:
    """The activities an initiative held: what is counted, the tables, or why none."""

    counted: tuple[str, ...]
    activities: Markdown | None
    participants: Markdown | None
    note: str | None


@attrs.frozen
class _InitiativeView:
    """One initiative: its number, name and id, facts, indicators and activities."""

    number: int
    name: str
    anchor: Markdown
    goals: tuple[str, ...]
    activities: tuple[str, ...]
    workflows: tuple[str, ...]
    indicators: tuple[_IndicatorView, ...]
    held: _ActivitiesView | None


@attrs.frozen
class _GoalView:
    """One goal: its name, and links to the initiatives and indicators that serve it."""

    name: str
    initiatives: tuple[_Link, ...]
    indicators: tuple[_Link, ...]


def initiative_anchor(number: int) -> Markdown:
    """Return the heading id of the initiative numbered ``number`` (``initiative-4``)."""
    return anchor("initiative", str(number))


def indicator_anchor(indicator_id: str) -> Markdown:
    """Return the heading id of the one place where an indicator is shown in full."""
    return anchor("indicator", indicator_id)


class _Writer:
    """Builds the parts of one report, and writes its figures."""

    def __init__(self, evaluation: Evaluation, folder: Path | None) -> None:
        self.evaluation = evaluation
        self.folder = folder
        self.figures: list[Path] = []
        self.numbers = {
            initiative.id: n
            for n, initiative in enumerate(evaluation.strategy.initiatives, start=1)
        }
        self.first = self._first_shown()

    def _first_shown(self) -> dict[str, int]:
        """Return the initiative each indicator is shown in full under (the index: none)."""
        first: dict[str, int] = {}
        for result in self.evaluation.initiatives:
            for indicator_id in result.indicators:
                if self.evaluation.indicators[indicator_id].kind not in _INDEX_KINDS:
                    first.setdefault(indicator_id, self.numbers[result.initiative.id])
        return first

    def name(self, level: str) -> str:
        return _name(self.evaluation.labels, level)

    # -- the parts ------------------------------------------------------------------

    def title(self) -> str:
        evaluation = self.evaluation
        strategy = label(evaluation.strategy.labels)
        if evaluation.initiative is None:
            term = str(evaluation.term).replace("-", DASH)
            return _("Overall evaluation: {strategy}, council term {term}").format(
                strategy=strategy, term=term
            )
        chosen = evaluation.strategy.initiative(evaluation.initiative)
        return _("Evaluation of the initiative: {initiative}").format(
            initiative=label(chosen.labels)
        )

    def sources(self) -> list[str]:
        sources = [
            _(
                "The case store: cases opened in the period (concerns, tracks, safety-walk "
                "findings), read without opening any personal data"
            )
        ]
        for result in self.evaluation.indicators.values():
            source = result.indicator.source
            if source is not None and label(source) not in sources:
                sources.append(label(source))
        return sources

    def indicator_link(self, indicator_id: str) -> _Link:
        found = self.evaluation.indicators[indicator_id]
        return _Link(label(found.indicator.labels), indicator_anchor(indicator_id))

    def goals(self) -> list[_GoalView]:
        initiatives = {r.initiative.id: r.initiative for r in self.evaluation.initiatives}
        return [
            _GoalView(
                name=label(result.goal.labels),
                initiatives=tuple(
                    _Link(
                        f"{self.numbers[i]}. {label(initiatives[i].labels)}",
                        initiative_anchor(self.numbers[i]),
                    )
                    for i in result.initiatives
                ),
                indicators=tuple(self.indicator_link(i) for i in result.indicators),
            )
            for result in self.evaluation.goals
        ]

    def initiatives(self) -> list[_InitiativeView]:
        strategy = self.evaluation.strategy
        views = []
        for result in self.evaluation.initiatives:
            initiative = result.initiative
            number = self.numbers[initiative.id]
            views.append(
                _InitiativeView(
                    number=number,
                    name=label(initiative.labels),
                    anchor=initiative_anchor(number),
                    goals=tuple(label(strategy.goal(g).labels) for g in initiative.goals),
                    activities=tuple(label(a.labels) for a in initiative.activities),
                    workflows=tuple(self.name(w) for w in initiative.workflows),
                    indicators=tuple(
                        self.indicator_under(indicator_id, number)
                        for indicator_id in result.indicators
                    ),
                    held=None if result.activities is None else self.held(result.activities),
                )
            )
        return views

    def indicator_under(self, indicator_id: str, number: int) -> _IndicatorView:
        """Return an initiative's indicator: in full the first time, else a reference."""
        found = self.evaluation.indicators[indicator_id]
        name = label(found.indicator.labels)
        if found.kind in _INDEX_KINDS:
            text = _("See the follow-up: the safety index.")
        elif self.first[indicator_id] != number:
            text = _("See above under initiative {number}.").format(number=self.first[indicator_id])
        else:
            return self.indicator(found)
        reference = _Link(text, indicator_anchor(indicator_id))
        return _IndicatorView(name=name, anchor=Markdown(""), reference=reference)

    def held(self, found: ActivityCounts) -> _ActivitiesView:
        labels = self.evaluation.labels
        return _ActivitiesView(
            counted=tuple(self.name(w) for w in found.workflows),
            activities=(
                None
                if found.activities is None
                else Markdown(count_table(found.activities, labels))
            ),
            participants=(
                None
                if found.participants is None
                else Markdown(count_table(found.participants, labels))
            ),
            note=None if found.note is None else label(found.note),
        )

    def follow_up(self) -> tuple[list[_IndicatorView], list[_IndicatorView]]:
        evaluation = self.evaluation
        index = [i for i in evaluation.follow_up if evaluation.indicators[i].kind in _INDEX_KINDS]
        other = [i for i in evaluation.follow_up if i not in index]
        return (
            [self.indicator(evaluation.indicators[i]) for i in index],
            [self.indicator(evaluation.indicators[i]) for i in other],
        )

    def this_report(self) -> str:
        evaluation = self.evaluation
        if evaluation.initiative is None:
            return _("This report is the overall evaluation for the council term {term}.").format(
                term=str(evaluation.term).replace("-", DASH)
            )
        return _("This report evaluates one initiative.")

    # -- one indicator --------------------------------------------------------------

    def indicator(self, result: IndicatorResult) -> _IndicatorView:
        indicator = result.indicator
        measure = MEASURES[result.kind] if result.kind is not None else None
        labels = self.evaluation.labels
        return _IndicatorView(
            name=label(indicator.labels),
            anchor=indicator_anchor(indicator.id),
            measure=None if measure is None else label(measure.labels),
            description=None if measure is None else label(measure.description),
            source=None if indicator.source is None else label(indicator.source),
            counted=tuple(self.name(w) for w in result.workflows),
            note=None if result.note is None else label(result.note),
            counts=None if result.counts is None else Markdown(count_table(result.counts, labels)),
            counts_figure=(
                None if result.counts is None else self.count_figure(indicator, result.counts)
            ),
            delays=Markdown(delay_table(result.delays, labels)) if result.delays else None,
            series=(
                None
                if result.series is None
                else self.series(indicator, result.series, result.kind)
            ),
        )

    def count_figure(self, indicator: Indicator, published: SuppressedTable) -> Markdown | None:
        """Draw the published counts per year, one bar per level of the dimension before it.

        The other dimensions are summed out (their totals), which are the counts most
        often published; nothing is drawn if no such count is above zero.
        """
        if self.folder is None or published.dimensions[-1] != "year":
            return None
        counts = {cell.key: cell.count for cell in published.cells}
        axes = _axes(published)
        years = axes[-1][:-1]
        outer = (TOTAL,) * (len(axes) - 2)
        series = [
            (self.name(level), [counts[(*outer, level, year)] for year in years])
            for level in axes[-2][:-1]
        ]
        if not any(value for _, values in series for value in values):
            return None
        figure = bar_chart(label(indicator.labels), years, series, ylabel=_("Count"))
        return self.figure(indicator, figure)

    def series(self, indicator: Indicator, series: Series, kind: MeasureKind | None) -> _SeriesView:
        caption = None if series.caption is None else label(series.caption)
        measured = _measured(series)
        if not series.points:
            return _SeriesView(measured, caption, None, (_("No group to show."),), None)
        threshold = self.evaluation.threshold
        crime = kind is MeasureKind.REPORTED_CRIME
        notes = []
        if series.confidence is not None:
            level = f"{number(series.confidence * 100, 0)} %"
            notes.append(
                _("Each rate is shown with its {level} confidence interval in brackets.")
                if crime
                else _("Each estimate is shown with its {level} confidence interval in brackets.")
            )
            notes[-1] = notes[-1].format(level=level)
        if crime:
            notes.append(
                _("Rates resting on 1 to {most} reported crimes are not shown.").format(
                    most=threshold - 1
                )
            )
        else:
            notes.append(
                _("Groups with fewer than {threshold} respondents are not shown.").format(
                    threshold=threshold
                )
            )
        if series.hidden:
            notes.append(
                ngettext(
                    "{n} area-year is hidden.", "{n} area-years are hidden.", series.hidden
                ).format(n=series.hidden)
            )
        years = sorted({p.year for p in series.points})
        if len(years) == 1:
            notes.append(
                _(
                    "There are figures for one year only ({year}): the figure shows the level "
                    "per area, not a trend, as one year shows no trend."
                ).format(year=years[0])
            )
        figure = self.series_figure(indicator, series, measured, years)
        return _SeriesView(measured, caption, Markdown(series_table(series)), tuple(notes), figure)

    def series_figure(
        self, indicator: Indicator, series: Series, measured: str, years: list[int]
    ) -> Markdown | None:
        if self.folder is None:
            return None
        scale = 100.0 if series.percent else 1.0
        title = label(indicator.labels)
        if len(years) == 1:  # one year is no trend: a point per area, no line
            points = [
                (
                    p.area,
                    p.value * scale,
                    None if p.low is None else p.low * scale,
                    None if p.high is None else p.high * scale,
                )
                for p in series.points
            ]
            heading = _("{indicator}, {year}").format(indicator=title, year=years[0])
            return self.figure(indicator, point_chart(heading, points, xlabel=measured))
        lines = []
        for area in dict.fromkeys(p.area for p in series.points):
            points_of = sorted((p for p in series.points if p.area == area), key=lambda p: p.year)
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
                        for p in points_of
                    ],
                )
            )
        return self.figure(indicator, line_chart(title, lines, ylabel=measured))

    def figure(self, indicator: Indicator, figure: Figure) -> Markdown | None:
        if self.folder is None:
            return None
        png, svg = save(figure, self.folder, indicator.id)
        self.figures += [png, svg]
        alt = escape(_("Figure: {name}").format(name=label(indicator.labels)))
        return Markdown(f"![{alt}]({png.name})\n\n[SVG]({svg.name})")


def render(
    evaluation: Evaluation, *, lang: Language | None = None, folder: Path | None = None
) -> Report:
    """Return the evaluation as a :class:`~ssp_core.reports.markdown.Report`.

    ``lang`` is the report's language (default: the current language). With
    ``folder``, the figures are written there (PNG and SVG, named by indicator id)
    and linked; without, the report has tables only.
    """
    chosen = lang or current_language()
    with language(chosen):
        writer = _Writer(evaluation, folder)
        title = writer.title()
        index, other = writer.follow_up()
        markdown = render_template(
            "evaluation.md.jinja",
            title=title,
            strategy=label(evaluation.strategy.labels),
            period=evaluation.period.describe(),
            made_on=evaluation.made_on.isoformat(),
            sources=writer.sources(),
            inputs=[_(INPUT_TEXTS[kind]).format(file=name) for kind, name in evaluation.inputs],
            threshold=evaluation.threshold,
            hidden=HIDDEN,
            goals=writer.goals(),
            initiatives=writer.initiatives(),
            index=index,
            other=other,
            evaluations=[label(e) for e in evaluation.strategy.follow_up.evaluations],
            this_report=writer.this_report(),
        )
    return Report(title=title, markdown=markdown, figures=tuple(writer.figures), lang=chosen)


def check_out(out: Path) -> None:
    """Check that ``out`` can receive a report: it is missing or an empty directory."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(
            _("{out} exists and is not an empty directory; choose a new one").format(out=out)
        )
    if not out.parent.is_dir():
        raise DataError(_("the directory {folder} does not exist").format(folder=out.parent))


def write_report(
    evaluation: Evaluation, out: Path, *, lang: Language | None = None, stem: str = "report"
) -> tuple[Path, ...]:
    """Write ``report.md``, ``report.html`` and the figures into the new directory ``out``.

    ``out`` must not exist or be an empty directory (an earlier report is never
    overwritten). Returns the paths written: the Markdown, the HTML, then the figures.
    """
    check_out(out)
    report = render(evaluation, lang=lang, folder=out)
    markdown, page = report.write(out, stem)
    return (markdown, page, *report.figures)
