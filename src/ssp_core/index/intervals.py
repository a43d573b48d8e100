"""Interval formulas: the normal quantile, Wilson's score interval, the exact Poisson interval.

Only the standard library and numpy: the normal quantile is
``statistics.NormalDist.inv_cdf``, and the Poisson limits are found by bisection
on the regularised incomplete gamma function, computed by its series and continued
fraction (as in *Numerical Recipes*, section 6.2). The Poisson limits are the exact
(Garwood) ones: the same numbers as ``scipy.stats.chi2.ppf(alpha / 2, 2k) / 2`` and
``chi2.ppf(1 - alpha / 2, 2k + 2) / 2``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = ["normal_quantile", "poisson_interval", "regularized_gamma", "wilson"]

FloatArray = npt.NDArray[np.float64]

_EPS = 1e-15
_TINY = 1e-300
_MAX_TERMS = 10_000


def normal_quantile(confidence: float) -> float:
    """Return ``z`` such that ``[-z, z]`` holds ``confidence`` of a standard normal."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(p: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Return Wilson's score interval for proportions ``p`` out of (effective) sizes ``n``.

    ``n`` may be fractional (an effective sample size); the interval always lies
    within [0, 1]. Entries with ``n`` not positive give NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        z2n = z * z / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
        low = np.where(p <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(p >= 1, 1.0, np.clip(centre + half, 0.0, 1.0))
    bad = ~(n > 0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def _lower_series(a: float, x: float) -> float:
    term = total = 1.0 / a
    ap = a
    for _ in range(_MAX_TERMS):
        ap += 1
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_fraction(a: float, x: float) -> float:
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def regularized_gamma(a: float, x: float) -> tuple[float, float]:
    """Return ``(P(a, x), Q(a, x))``, the regularised lower and upper incomplete gamma."""
    if a <= 0:
        raise ValueError("a must be positive")
    if x <= 0:
        return 0.0, 1.0
    if x < a + 1:
        lower = _lower_series(a, x)
        return lower, 1.0 - lower
    upper = _upper_fraction(a, x)
    return 1.0 - upper, upper


def _solve(func: Callable[[float], float], target: float, k: float) -> float:
    """Bisect for ``mu`` with ``func(mu) == target``; ``func`` is monotonic in ``mu``."""
    low, high = 0.0, max(1.0, 2 * k + 10 * math.sqrt(k + 1) + 10)
    rising = func(high) > func(low)
    while (func(high) < target) if rising else (func(high) > target):
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        above = func(mid) > target
        if above == rising:
            high = mid
        else:
            low = mid
        if high - low <= 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


def poisson_interval(count: int, confidence: float) -> tuple[float, float]:
    """Return the exact (Garwood) interval of a Poisson mean from one observed ``count``."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    alpha = 1 - confidence
    if count == 0:
        lower = 0.0
    else:
        lower = _solve(lambda mu: regularized_gamma(count, mu)[0], alpha / 2, count)
    upper = _solve(lambda mu: regularized_gamma(count + 1, mu)[1], alpha / 2, count)
    return lower, upper
