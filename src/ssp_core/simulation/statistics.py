"""Confidence intervals over replications: each arm's mean, and each arm against the baseline.

:func:`summarise` gives, for every arm and every (measure, group), the mean over the
replications and its Student-t interval. :func:`differences` gives every other arm
minus the baseline, paired by replication index: replication ``i`` of both arms ran
on the same random numbers (common random numbers), so the spread of the paired
differences leaves out the noise both arms share, and the interval is usually much
narrower than one from two independent samples.

With one replication (or one pair) no spread is known: the standard deviation is
``nan``, the half-width ``inf`` and the interval ``(-inf, inf)``; nothing is claimed.
A value that is ``nan`` or infinite (a mean wait where nobody waited, say) makes the
mean ``nan`` or infinite and the spread and interval ``nan`` (:func:`estimate`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence

import attrs

from ssp_core.simulation.results import Results, t_interval

__all__ = ["Difference", "Estimate", "Summary", "differences", "estimate", "summarise"]


@attrs.frozen
class Summary:
    """The mean of one measure for one group in one arm, over its replications.

    :ivar arm: the arm's name.
    :ivar measure: the measure's name.
    :ivar group: the group (``""`` for the whole).
    :ivar replications: n, the replications that measured it.
    :ivar mean: the mean over them.
    :ivar sd: their sample standard deviation (``nan`` if n = 1).
    :ivar half_width: the half-width of the Student-t interval (``inf`` if n = 1).
    :ivar low: ``mean - half_width`` (``-inf`` if n = 1).
    :ivar high: ``mean + half_width`` (``inf`` if n = 1).
    :ivar level: the interval's confidence level (0.95 for 95 %).
    """

    arm: str
    measure: str
    group: str
    replications: int
    mean: float
    sd: float
    half_width: float
    low: float
    high: float
    level: float

    @property
    def relative_half_width(self) -> float:
        """Return ``half_width / |mean|`` (the relative precision; ``inf`` for a mean of 0)."""
        if self.mean == 0:
            return math.inf
        return self.half_width / abs(self.mean)


@attrs.frozen
class Difference:
    """One arm minus the baseline, for one measure and group, paired by replication index.

    :ivar arm: the arm compared.
    :ivar baseline: the arm it is compared with.
    :ivar measure: the measure's name.
    :ivar group: the group (``""`` for the whole).
    :ivar replications: the pairs used (indices both arms measured).
    :ivar mean: the mean of ``arm - baseline`` over the pairs.
    :ivar sd: the standard deviation of the paired differences (``nan`` for one pair).
    :ivar half_width: the half-width of the paired Student-t interval (``inf`` for one pair).
    :ivar low: ``mean - half_width``.
    :ivar high: ``mean + half_width``.
    :ivar level: the interval's confidence level.
    """

    arm: str
    baseline: str
    measure: str
    group: str
    replications: int
    mean: float
    sd: float
    half_width: float
    low: float
    high: float
    level: float

    @property
    def excludes_zero(self) -> bool:
        """Tell whether the interval lies wholly above or below 0 (False if it is unknown)."""
        return self.low > 0 or self.high < 0


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1; got {level}")


@attrs.frozen
class Estimate:
    """The mean of some values and its Student-t interval.

    :ivar replications: n, how many values.
    :ivar mean: their mean.
    :ivar sd: their sample standard deviation (``nan`` if n = 1).
    :ivar half_width: the interval's half-width (``inf`` if n = 1).
    :ivar low: ``mean - half_width`` (``-inf`` if n = 1).
    :ivar high: ``mean + half_width`` (``inf`` if n = 1).
    """

    replications: int
    mean: float
    sd: float
    half_width: float
    low: float
    high: float


def _finite(values: Sequence[float], level: float) -> Estimate:
    mean, half_width = t_interval(values, level)
    if len(values) < 2:
        return Estimate(1, mean, math.nan, math.inf, -math.inf, math.inf)
    sd = statistics.stdev(values)
    return Estimate(len(values), mean, sd, half_width, mean - half_width, mean + half_width)


def _not_finite(values: Sequence[float]) -> Estimate:
    """Return the estimate of values not all finite: an infinite mean at most, nothing else."""
    up = any(v == math.inf for v in values)
    down = any(v == -math.inf for v in values)
    nan = any(math.isnan(v) for v in values) or (up and down)
    mean = math.nan if nan else (math.inf if up else -math.inf)
    return Estimate(len(values), mean, math.nan, math.nan, math.nan, math.nan)


def estimate(values: Sequence[float], level: float = 0.95) -> Estimate:
    """Return the mean of ``values`` and its Student-t interval at ``level``.

    One value gives no spread: ``sd`` is ``nan`` and the interval ``(-inf, inf)``. If a
    value is ``nan`` or infinite, the mean is ``nan`` or infinite and the spread and
    interval are ``nan``. Values near the largest float are scaled by a power of two
    while they are summed, so they do not overflow.
    """
    _check_level(level)
    if not values:
        raise ValueError("no values")
    if not all(math.isfinite(v) for v in values):
        return _not_finite(values)
    try:
        return _finite(values, level)
    except OverflowError:
        exponent = max(math.frexp(v)[1] for v in values)
        small = _finite([math.ldexp(v, -exponent) for v in values], level)
        mean, sd, half_width = (
            _scaled(x, exponent) for x in (small.mean, small.sd, small.half_width)
        )
        return Estimate(len(values), mean, sd, half_width, mean - half_width, mean + half_width)


def _scaled(value: float, exponent: int) -> float:
    """Return ``value * 2**exponent``, infinite where that is beyond the largest float."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)


def _by_key(results: Results, arm: str) -> dict[tuple[str, str], dict[int, float]]:
    """Return, for each (measure, group) that ``arm`` measured, its value by replication index."""
    table: dict[tuple[str, str], dict[int, float]] = {}
    for replication in results.of(arm):
        for figure in replication.figures:
            table.setdefault((figure.measure, figure.group), {})[replication.index] = figure.value
    return table


def summarise(results: Results, level: float = 0.95) -> tuple[Summary, ...]:
    """Return the mean and ``level`` interval of every (measure, group) in every arm.

    Ordered by arm (as ``results.arms``), then by (measure, group) in the order first
    measured (``results.keys``). A key an arm never measured is left out for that arm.
    """
    _check_level(level)
    found = []
    for arm in results.arms:
        table = _by_key(results, arm)
        for measure, group in results.keys:
            by_index = table.get((measure, group))
            if not by_index:
                continue
            values = [by_index[index] for index in sorted(by_index)]
            found.append(Summary(arm, measure, group, *_fields(estimate(values, level)), level))
    return tuple(found)


def _fields(e: Estimate) -> tuple[int, float, float, float, float, float]:
    """Return an estimate's figures in the order Summary and Difference take them."""
    return e.replications, e.mean, e.sd, e.half_width, e.low, e.high


def _paired(arm: dict[int, float], baseline: dict[int, float]) -> Iterable[tuple[float, float]]:
    for index in sorted(arm.keys() & baseline.keys()):
        yield arm[index], baseline[index]


def differences(
    results: Results, baseline: str | None = None, level: float = 0.95
) -> tuple[Difference, ...]:
    """Return every other arm minus ``baseline`` (default: the first arm), paired by index.

    Only the replication indices both arms have are used, and only keys both measured.
    Ordered by arm, then by (measure, group) as in ``results.keys``.
    """
    _check_level(level)
    if not results.arms:
        return ()
    base = results.arms[0] if baseline is None else baseline
    if base not in results.arms:
        raise ValueError(f"unknown baseline {base!r}; the arms: {', '.join(results.arms)}")
    base_table = _by_key(results, base)
    found = []
    for arm in results.arms:
        if arm == base:
            continue
        table = _by_key(results, arm)
        for measure, group in results.keys:
            pairs = list(
                _paired(table.get((measure, group), {}), base_table.get((measure, group), {}))
            )
            if not pairs:
                continue
            deltas = [a - b for a, b in pairs]
            found.append(
                Difference(arm, base, measure, group, *_fields(estimate(deltas, level)), level)
            )
    return tuple(found)
