"""Weighted estimates of the safety index by group, with confidence intervals.

:func:`estimate` computes, for every group of a grouping (``by``: any of ``area``,
``year`` and the configured ``groups``; empty for the whole survey): respondents,
the sum of weights, Kish's effective sample size ``(sum w)^2 / sum w^2``, the
weighted shares safe / neither / unsafe, the weighted mean of the safety item and of
each problem and worry item, and the composite index, each with an interval.

Intervals (``IndexConfig.interval``):

``effective_n`` (default)
    Standard errors by linearisation of the ratio estimator, with replacement and
    without a finite-population correction, times ``n / (n - 1)``:
    ``se^2 = n / (n - 1) * sum w_i^2 (y_i - ybar)^2 / (sum w_i)^2``. Means and the
    composite get ``estimate +- z se``; shares get Wilson's score interval on the
    effective sample size ``p (1 - p) / se^2`` (Kish's ``(sum w)^2 / sum w^2`` when
    ``p`` is 0 or 1), so they stay within [0, 1].
``bootstrap``
    Percentile intervals from respondents resampled within each group
    (:mod:`ssp_core.index.bootstrap`); the standard error is the replicates' standard
    deviation.

See ``docs/methodology.md`` for the formulas and their limits.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ssp_core.exceptions import DataError
from ssp_core.files import open_private
from ssp_core.i18n import _
from ssp_core.index.bootstrap import Progress, replicate_estimates
from ssp_core.index.composite import LinearForm, formula, resolve
from ssp_core.index.config import NOT_OFFICIAL, SHARES, IndexConfig, IntervalMethod
from ssp_core.index.design import (
    Grouping,
    Moments,
    Tables,
    Variable,
    grouping,
    moments,
    tables,
    variable,
)
from ssp_core.index.intervals import normal_quantile, wilson
from ssp_core.index.survey import DropReport, Survey

__all__ = ["Estimate", "IndexRow", "IndexTable", "estimate"]

FloatArray = npt.NDArray[np.float64]

_MAX_NAMED = 10


@attrs.frozen
class Estimate:
    """A weighted estimate with its interval and standard error.

    :ivar value: the estimate (a share from 0 to 1, or a mean on the item's scale).
    :ivar low: the interval's lower end.
    :ivar high: the interval's upper end.
    :ivar se: the standard error.
    :ivar n: the respondents who answered.
    """

    value: float
    low: float
    high: float
    se: float
    n: int


@attrs.frozen
class IndexRow:
    """The estimates of one group.

    :ivar group: the group's labels, in the order of the table's ``by``.
    :ivar n: respondents.
    :ivar n_eff: Kish's effective sample size ``(sum w)^2 / sum w^2``.
    :ivar weight_sum: the sum of the design weights.
    :ivar estimates: the estimates by measure name.
    """

    group: tuple[str, ...]
    n: int
    n_eff: float
    weight_sum: float
    estimates: Mapping[str, Estimate]

    def __getitem__(self, measure: str) -> Estimate:
        try:
            return self.estimates[measure]
        except KeyError:
            raise DataError(
                _("unknown measure {measure!r}; known: {known}").format(
                    measure=measure, known=", ".join(self.estimates)
                )
            ) from None


def _cell(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


@attrs.frozen
class IndexTable:
    """The estimates of every group: one :class:`IndexRow` per group with respondents.

    :ivar by: the grouping variables.
    :ivar rows: the groups, in label order.
    :ivar measures: the measure names, the composite's last.
    :ivar method: how the intervals were computed.
    :ivar confidence: their confidence level.
    :ivar composite: the composite's measure name, or None.
    :ivar composite_formula: the composite's formula in words.
    :ivar empty_groups: level combinations without respondents (not in ``rows``).
    :ivar report: what loading dropped, if the survey came from a file.
    :ivar note: the label of the composite: not the official police index.
    """

    by: tuple[str, ...]
    rows: tuple[IndexRow, ...]
    measures: tuple[str, ...]
    method: IntervalMethod
    confidence: float
    composite: str | None
    composite_formula: str
    empty_groups: tuple[tuple[str, ...], ...] = ()
    report: DropReport | None = None
    note: str = NOT_OFFICIAL

    def row(self, *labels: str | int) -> IndexRow:
        """Return the row of the group with ``labels`` (in the order of ``by``)."""
        wanted = tuple(str(label) for label in labels)
        for row in self.rows:
            if row.group == wanted:
                return row
        raise DataError(
            _("no group {group} in the table; groups are by {by}").format(
                group=", ".join(wanted) or _("(none)"), by=", ".join(self.by) or _("(none)")
            )
        )

    def columns(self) -> list[str]:
        """Return the flat column names of :meth:`records` and :meth:`to_csv`."""
        names = [*self.by, "n", "n_eff", "weight_sum"]
        for measure in self.measures:
            names += [measure, f"{measure}_low", f"{measure}_high", f"{measure}_se", f"{measure}_n"]
        if self.composite is not None:
            names.append(f"{self.composite}_note")
        return names

    def records(self) -> list[list[Any]]:
        """Return one flat list of values per row, in the order of :meth:`columns`."""
        out = []
        for row in self.rows:
            values: list[Any] = [*row.group, row.n, row.n_eff, row.weight_sum]
            for measure in self.measures:
                e = row.estimates[measure]
                values += [e.value, e.low, e.high, e.se, e.n]
            if self.composite is not None:
                values.append(self.note)
            out.append(values)
        return out

    def as_dicts(self) -> list[dict[str, Any]]:
        """Return the rows as dictionaries keyed by :meth:`columns` (NaN becomes None)."""
        names = self.columns()
        return [
            {
                name: None if isinstance(v, float) and math.isnan(v) else v
                for name, v in zip(names, record, strict=True)
            }
            for record in self.records()
        ]

    def to_csv(self, path: str | Path) -> Path:
        """Write the table as CSV (NaN as an empty cell) and return the path."""
        file = Path(path)
        with open_private(file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns())
            for record in self.records():
                writer.writerow(_cell(v) if isinstance(v, float) else v for v in record)
        return file


@attrs.frozen(eq=False)
class _Measure:
    name: str
    variable: int
    h: FloatArray
    share: bool


def _measures(config: IndexConfig, variables: Sequence[Variable]) -> list[_Measure]:
    values = variables[0].values
    out = [
        _Measure(name, 0, ((values >= low) & (values <= high)).astype(np.float64), share=True)
        for name, (low, high) in zip(SHARES, config.cuts.ranges().values(), strict=True)
    ]
    out.append(_Measure("safety_mean", 0, values, share=False))
    out.extend(
        _Measure(f"{var.name}_mean", position, var.values, share=False)
        for position, var in enumerate(variables[1:], start=1)
    )
    return out


def _select(
    groups: Grouping, levels: Mapping[str, Sequence[str | int]] | None, *, drop_empty: bool
) -> tuple[list[int], tuple[tuple[str, ...], ...]]:
    """Return the combination ids to report and the empty combinations."""
    if levels is None:
        chosen = [g for g in range(groups.size) if groups.counts[g] > 0]
        return chosen, tuple(groups.labels[g] for g in range(groups.size) if groups.counts[g] == 0)
    unknown = sorted(set(levels) - set(groups.by))
    if unknown:
        raise DataError(
            _("levels given for {name!r}, which is not grouped by; by: {by}").format(
                name=unknown[0], by=", ".join(groups.by)
            )
        )
    index = {labels: g for g, labels in enumerate(groups.labels)}
    seen = [sorted({labels[i] for labels in groups.labels}) for i in range(len(groups.by))]
    wanted = [
        [str(level) for level in levels[name]] if name in levels else seen[i]
        for i, name in enumerate(groups.by)
    ]
    chosen, empty = [], []
    for labels in itertools.product(*wanted):
        g = index.get(labels)
        if g is None or groups.counts[g] == 0:
            empty.append(labels)
        else:
            chosen.append(g)
    if empty and not drop_empty:
        shown = "; ".join(", ".join(labels) for labels in empty[:_MAX_NAMED])
        if len(empty) > _MAX_NAMED:
            shown = _("{rows} and {more} more").format(rows=shown, more=len(empty) - _MAX_NAMED)
        raise DataError(
            _(
                "{n} requested group(s) have no respondents ({by}): {groups}. "
                "Ask for other levels, or drop empty groups (--drop-invalid)"
            ).format(n=len(empty), by=", ".join(groups.by), groups=shown)
        )
    return chosen, tuple(empty)


def _composite_variance(
    groups: Grouping,
    *,
    variables: Sequence[Variable],
    weights2: FloatArray,
    measures: Sequence[_Measure],
    results: Sequence[Moments],
    form: LinearForm,
) -> FloatArray:
    """Linearised variance of the composite: the same formula on its influence values."""
    influence = np.zeros(len(weights2))
    for position, var in enumerate(variables):
        lookup = np.zeros((groups.size, var.categories))
        for measure, result in zip(measures, results, strict=True):
            a = form.coefficients.get(measure.name, 0.0)
            if measure.variable != position or a == 0.0:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                part = a * (measure.h[None, :] - result.value[:, None]) / result.weight[:, None]
            lookup[:, :-1] += np.nan_to_num(part, nan=0.0, posinf=0.0, neginf=0.0)
        if lookup.any():
            influence += lookup.ravel()[var.index]
    spread = np.bincount(groups.ids, weights=weights2 * influence**2, minlength=groups.size)
    n = groups.counts.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, n / (n - 1), np.nan) * spread


def _bounds_linearised(
    measure: _Measure, result: Moments, kish: FloatArray, z: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    se = np.sqrt(result.variance)
    if not measure.share:
        return se, result.value - z * se, result.value + z * se
    p = result.value
    with np.errstate(invalid="ignore", divide="ignore"):
        n_star = p * (1 - p) / result.variance
    usable = np.isfinite(n_star) & (n_star > 0)
    low, high = wilson(p, np.where(usable, n_star, kish), z)
    return se, low, high


_COMPOSITE = "\x00composite"
_Columns = dict[str, tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]]


def _linearised_columns(
    groups: Grouping,
    *,
    variables: Sequence[Variable],
    tabs: Sequence[Tables],
    measures: Sequence[_Measure],
    results: Sequence[Moments],
    form: LinearForm | None,
    weights2: FloatArray,
    confidence: float,
) -> _Columns:
    """Value, low, high, se and n of every measure (and the composite) by linearisation."""
    z = normal_quantile(confidence)
    columns: _Columns = {}
    for m, result in zip(measures, results, strict=True):
        with np.errstate(invalid="ignore", divide="ignore"):
            kish = result.weight**2 / tabs[m.variable].weight2[:, :-1].sum(axis=1)
        se, low, high = _bounds_linearised(m, result, kish, z)
        columns[m.name] = (result.value, low, high, se, result.n)
    if form is not None:
        value = form.apply({m.name: r.value for m, r in zip(measures, results, strict=True)})
        variance = _composite_variance(
            groups,
            variables=variables,
            weights2=weights2,
            measures=measures,
            results=results,
            form=form,
        )
        se = np.sqrt(variance)
        n = groups.counts.astype(np.float64)
        columns[_COMPOSITE] = (value, value - z * se, value + z * se, se, n)
    return columns


def _bootstrap_columns(
    groups: Grouping,
    *,
    measures: Sequence[_Measure],
    results: Sequence[Moments],
    form: LinearForm | None,
    reps: FloatArray,
    confidence: float,
) -> _Columns:
    """Value, low, high, se and n of every measure (and the composite) from the replicates."""
    columns: _Columns = {}
    for position, (m, result) in enumerate(zip(measures, results, strict=True)):
        columns[m.name] = (result.value, *_percentiles(reps[:, position], confidence), result.n)
    if form is not None:
        value = form.apply({m.name: r.value for m, r in zip(measures, results, strict=True)})
        stacked = form.apply({m.name: reps[:, i] for i, m in enumerate(measures)})
        n = groups.counts.astype(np.float64)
        columns[_COMPOSITE] = (value, *_percentiles(stacked, confidence), n)
    return columns


def estimate(
    survey: Survey,
    by: Sequence[str] = ("area", "year"),
    *,
    confidence: float | None = None,
    method: IntervalMethod | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    levels: Mapping[str, Sequence[str | int]] | None = None,
    drop_empty: bool = False,
    progress: Progress | None = None,
) -> IndexTable:
    """Estimate the safety index of every group of ``survey`` by ``by``.

    Unset options come from ``survey.config``. Groups are the level combinations
    that have respondents; the others are listed in ``IndexTable.empty_groups``.
    With explicit ``levels`` (labels per grouping variable), a requested combination
    without respondents is a :class:`~ssp_core.exceptions.DataError`, or, with
    ``drop_empty``, left out and listed in ``empty_groups``.

    ``progress`` (a plain callable) is told ``(done, total)`` replicates as a
    bootstrap runs (see :func:`~ssp_core.index.bootstrap.replicate_estimates`); the
    ``effective_n`` method calls it not at all.
    """
    config = survey.config
    confidence = config.confidence if confidence is None else confidence
    method = method or config.interval
    if method not in ("effective_n", "bootstrap"):
        raise DataError(
            _("unknown interval method {method!r}; allowed: effective_n, bootstrap").format(
                method=method
            )
        )
    if not 0 < confidence < 1:
        raise DataError(
            _("confidence {value}: must be between 0 and 1, e.g. 0.95").format(value=confidence)
        )
    if len(set(by)) != len(by):
        raise DataError(_("by names a variable twice: {by}").format(by=", ".join(by)))
    groups = grouping(survey, by)
    chosen, empty = _select(groups, levels, drop_empty=drop_empty)
    weights = survey.weights
    weights2 = weights * weights
    variables = [variable("safety", survey.safety, config.scale, groups, answered=True)]
    variables += [
        variable(name, values, config.item_scale(name), groups)
        for name, values in survey.items.items()
    ]
    tabs: list[Tables] = [
        tables(var, weights, weights2, groups.size, counts=groups.counts if i == 0 else None)
        for i, var in enumerate(variables)
    ]
    measures = _measures(config, variables)
    results = [moments(tabs[m.variable], m.h) for m in measures]
    safety_table = tabs[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        kish = safety_table.weight.sum(axis=1) ** 2 / safety_table.weight2.sum(axis=1)
    form = resolve(config.composite, config)
    if method == "effective_n":
        columns = _linearised_columns(
            groups,
            variables=variables,
            tabs=tabs,
            measures=measures,
            results=results,
            form=form,
            weights2=weights2,
            confidence=confidence,
        )
    else:
        reps = replicate_estimates(
            groups,
            variables,
            weights,
            [(m.variable, m.h) for m in measures],
            replicates=replicates or config.replicates,
            seed=config.seed if seed is None else seed,
            progress=progress,
        )
        columns = _bootstrap_columns(
            groups,
            measures=measures,
            results=results,
            form=form,
            reps=reps,
            confidence=confidence,
        )
    if form is not None:
        columns[config.composite.name] = columns.pop(_COMPOSITE)
    rows = tuple(
        IndexRow(
            group=groups.labels[g],
            n=int(groups.counts[g]),
            n_eff=float(kish[g]),
            weight_sum=float(safety_table.weight[g].sum()),
            estimates=MappingProxyType(
                {
                    name: Estimate(float(v[g]), float(lo[g]), float(hi[g]), float(se[g]), int(n[g]))
                    for name, (v, lo, hi, se, n) in columns.items()
                }
            ),
        )
        for g in chosen
    )
    return IndexTable(
        by=groups.by,
        rows=rows,
        measures=tuple(columns),
        method=method,
        confidence=confidence,
        composite=config.composite.name if form is not None else None,
        composite_formula=formula(config.composite, config),
        empty_groups=empty,
        report=survey.report,
    )


def _percentiles(reps: Any, confidence: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return the low and high percentile and the standard deviation over replicates (axis 0)."""
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low, high = np.quantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)
        se = np.std(reps, axis=0, ddof=1)
    return low, high, se
