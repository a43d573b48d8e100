"""The safety-index and reported-crime series of an evaluation: the adapter to ssp_core.index.

The survey file is read with :func:`~ssp_core.index.survey.load_survey` (configured by an
optional index-configuration TOML), estimated by area and year with
:func:`ssp_core.index.estimate`, and reduced to the indicator's measure, areas and
the period's years. Reported crime is read with :func:`~ssp_core.index.crime.load_crime`
and turned into rates with :func:`~ssp_core.index.crime.crime_rates`.

The small-cell rule holds here too: an estimate resting on fewer than ``threshold``
respondents is not shown, nor a crime rate resting on 1 to ``threshold - 1``
reported crimes (the rate and the public population would give the count away).
No respondent count or crime count is shown at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.strategy import Indicator
from ssp_core.evaluation.measures import catalogue_labels
from ssp_core.evaluation.period import Period
from ssp_core.exceptions import ConfigError, DataError
from ssp_core.i18n import N_, _
from ssp_core.index import (
    NOT_OFFICIAL,
    SHARES,
    CrimeTable,
    IndexConfig,
    IndexTable,
    crime_rates,
    estimate,
    load_crime,
    load_survey,
)
from ssp_core.privacy.suppression import THRESHOLD

__all__ = [
    "DEFAULT_INDEX_MEASURE",
    "IndexInputs",
    "Series",
    "SeriesPoint",
    "check",
    "estimates",
    "rates",
    "reported_crime",
    "safety_index",
]

DEFAULT_INDEX_MEASURE = "unsafe_share"
"""What a safety-index indicator shows when it names no ``index_measure``."""

_NAMES = {
    "unsafe_share": catalogue_labels(N_("Share feeling unsafe")),
    "safe_share": catalogue_labels(N_("Share feeling safe")),
    "neither_share": catalogue_labels(N_("Share neither")),
    "safety_mean": catalogue_labels(N_("Mean of the safety item (1 = safe, 7 = unsafe)")),
}

_METHODS = {
    "effective_n": catalogue_labels(N_("linearised standard errors; Wilson intervals for shares")),
    "bootstrap": catalogue_labels(N_("bootstrap percentile intervals")),
}


@attrs.frozen
class SeriesPoint:
    """One estimate of a series: an area, a year, the value and its interval."""

    area: str
    year: int
    value: float
    low: float | None = None
    high: float | None = None


@attrs.frozen
class Series:
    """A series by area and year: what it measures, its points, and what was left out.

    ``percent``: the values are shares from 0 to 1, shown as percentages.
    ``hidden``: how many area-years had too few respondents (or crimes) to be shown.
    ``caption``: how the estimates were made (and, for a composite index, that it is
    not the official police index).
    """

    measure: str
    labels: Labels
    points: tuple[SeriesPoint, ...]
    percent: bool = False
    hidden: int = 0
    confidence: float | None = None
    caption: Labels | None = None


@attrs.frozen
class IndexInputs:
    """The files the safety-index indicators are computed from (each optional)."""

    survey: Path | None = None
    crime: Path | None = None
    config: Path | None = None


def check(inputs: IndexInputs) -> None:
    """Check that the files given exist, before anything is computed or audited."""
    given = (
        (N_("the survey file {path} does not exist"), inputs.survey),
        (N_("the crime file {path} does not exist"), inputs.crime),
        (N_("the index config file {path} does not exist"), inputs.config),
    )
    for what, path in given:
        if path is not None and not path.is_file():
            raise DataError(_(what).format(path=path))


def _config(inputs: IndexInputs) -> IndexConfig:
    return IndexConfig.from_toml(inputs.config) if inputs.config is not None else IndexConfig()


def _keep(indicator: Indicator, area: str, year: int, period: Period) -> bool:
    return (not indicator.areas or area in indicator.areas) and (
        period.start.year <= year <= period.end.year
    )


def _check_areas(indicator: Indicator, found: Sequence[str], source: str) -> None:
    unknown = sorted(set(indicator.areas) - set(found))
    if unknown:
        raise DataError(
            _(
                "indicator {indicator!r} names area {area!r}, which {source} does not have; "
                "its areas: {areas}"
            ).format(
                indicator=indicator.id,
                area=unknown[0],
                source=source,
                areas=", ".join(sorted(set(found))) or _("none"),
            )
        )


def estimates(inputs: IndexInputs) -> IndexTable:
    """Read the survey file and estimate the index by area and year (the survey must be given)."""
    if inputs.survey is None:
        raise DataError(_("the safety index needs a survey file (--survey)"))
    return estimate(load_survey(inputs.survey, _config(inputs)), by=("area", "year"))


def rates(inputs: IndexInputs) -> CrimeTable:
    """Read the crime file and return the rates by area and year (the file must be given)."""
    if inputs.crime is None:
        raise DataError(_("reported crime needs a crime file (--crime)"))
    config = _config(inputs)
    counts = load_crime(inputs.crime, config)
    return crime_rates(counts, per=config.per, confidence=config.confidence)


def safety_index(
    table: IndexTable,
    indicator: Indicator,
    period: Period,
    *,
    source: str = "the survey",
    threshold: int = THRESHOLD,
) -> Series:
    """Return the indicator's safety-index series from ``table``, over the period's years.

    Estimates resting on fewer than ``threshold`` respondents are left out (counted
    in ``hidden``). Raises :class:`~ssp_core.exceptions.ConfigError` for a measure
    the survey's estimates lack, :class:`~ssp_core.exceptions.DataError` for an area
    the survey (named ``source`` in the message) does not have.
    """
    measure = indicator.index_measure or DEFAULT_INDEX_MEASURE
    if measure not in table.measures:
        raise ConfigError(
            _(
                "indicator {indicator!r}: the survey's estimates have no measure {measure!r}; "
                "known: {known}"
            ).format(indicator=indicator.id, measure=measure, known=", ".join(table.measures))
        )
    _check_areas(indicator, [row.group[0] for row in table.rows], source)
    points, hidden = [], 0
    for row in table.rows:
        area, year = row.group[0], int(row.group[1])
        if not _keep(indicator, area, year, period):
            continue
        found = row[measure]
        if found.n < threshold:
            hidden += 1
            continue
        points.append(SeriesPoint(area, year, found.value, found.low, found.high))
    method = _METHODS.get(table.method, Labels(table.method, table.method))
    if measure == table.composite:
        names = catalogue_labels(N_("Composite index, 0-100 (100 = safest)"))
        note = catalogue_labels(NOT_OFFICIAL)
        composite = catalogue_labels(N_("{method}. The composite is {note}."))
        caption = Labels(
            composite.da.format(method=method.da, note=note.da),
            composite.en.format(method=method.en, note=note.en),
        )
    else:
        fallback = measure.removesuffix("_mean").replace("_", " ")
        names = _NAMES.get(measure) or catalogue_labels(N_("Mean of {item}"), item=fallback)
        caption = method
    return Series(
        measure=measure,
        labels=names,
        points=tuple(points),
        percent=measure in SHARES,
        hidden=hidden,
        confidence=table.confidence,
        caption=caption,
    )


def reported_crime(
    rates: CrimeTable,
    indicator: Indicator,
    period: Period,
    *,
    source: str = "the crime file",
    threshold: int = THRESHOLD,
) -> Series:
    """Return reported crimes per 1,000 residents (``per`` of the index config) by area and year.

    A rate resting on 1 to ``threshold - 1`` crimes is left out (counted in ``hidden``).
    """
    _check_areas(indicator, [row.area for row in rates.rows], source)
    points, hidden = [], 0
    for row in rates.rows:
        if not _keep(indicator, row.area, row.year, period):
            continue
        if 0 < row.crimes < threshold:
            hidden += 1
            continue
        points.append(SeriesPoint(row.area, row.year, row.rate, row.low, row.high))
    per = f"{rates.per:,}"
    named = catalogue_labels(N_("Reported crimes per {per} residents"))
    return Series(
        measure="crime_rate",
        labels=Labels(named.da.format(per=per.replace(",", ".")), named.en.format(per=per)),
        points=tuple(points),
        hidden=hidden,
        confidence=rates.confidence,
        caption=catalogue_labels(
            N_("Exact Poisson intervals of the count, divided by the population")
        ),
    )
