"""The vectorised core: group ids, weighted category tables, linearised moments.

Every answer is a whole number on a known scale, so each variable (the safety item,
each problem or worry item) is summarised per group by three tables over its
categories, made with one ``numpy.bincount`` each over a flat ``group * C + category``
index: respondents, the sum of weights and the sum of squared weights. Every measure
is a linear function ``h`` of the categories (a share: 1 inside the cut range, 0
outside; a mean: the category's value), so its weighted estimate and its linearised
variance follow exactly from the tables, with no loop over rows and no loss of
precision from subtracting large sums:

* estimate ``theta = sum_c h_c W_c / W``
* variance ``n / (n - 1) * sum_c (h_c - theta)^2 W2_c / W^2``

where ``W_c`` and ``W2_c`` are the weight and squared-weight sums of category ``c``,
``W`` their total over answered categories, and ``n`` the number of answers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ssp_core.index.survey import Survey

__all__ = ["Grouping", "Moments", "Tables", "Variable", "grouping", "moments", "tables", "variable"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@attrs.frozen(eq=False)
class Grouping:
    """Respondents' group ids over every combination of the levels of ``by``.

    :ivar by: the grouping variables.
    :ivar ids: each respondent's combination id.
    :ivar labels: each combination's labels, in the order of ``by``; ids index it.
    :ivar counts: respondents per combination.
    """

    by: tuple[str, ...]
    ids: IntArray
    labels: tuple[tuple[str, ...], ...]
    counts: npt.NDArray[np.int64]
    _offsets: dict[tuple[int, int], FloatArray] = attrs.field(factory=dict, init=False, repr=False)

    @property
    def size(self) -> int:
        """Return the number of combinations."""
        return len(self.labels)

    def offsets(self, width: int, low: int) -> FloatArray:
        """Return ``ids * width - low`` as floats, computed once per ``(width, low)``."""
        key = (width, low)
        if key not in self._offsets:
            self._offsets[key] = np.multiply(self.ids, width, dtype=np.float64) - low
        return self._offsets[key]


def grouping(survey: Survey, by: Sequence[str]) -> Grouping:
    """Return the grouping of ``survey`` by the factors ``by`` (empty: one overall group)."""
    factors = [survey.factor(name) for name in by]
    size = math.prod(len(factor.labels) for factor in factors)
    ids = np.zeros(len(survey), dtype=np.intp)
    for factor in factors:
        ids *= len(factor.labels)
        ids += factor.codes
    labels = tuple(itertools.product(*(factor.labels for factor in factors)))
    counts = np.bincount(ids, minlength=size).astype(np.int64)
    return Grouping(tuple(by), ids, labels, counts)


@attrs.frozen(eq=False)
class Variable:
    """One answered item as a flat index ``group * categories + category``.

    :ivar name: the item's column.
    :ivar index: each respondent's cell; the last category of a group means no answer.
    :ivar values: the value of each answer category (without the no-answer one).
    """

    name: str
    index: IntArray
    values: FloatArray

    @property
    def categories(self) -> int:
        """Return the number of categories, the no-answer one included."""
        return int(self.values.shape[0]) + 1


def variable(
    name: str,
    answers: FloatArray,
    scale: tuple[int, int],
    groups: Grouping,
    *,
    answered: bool = False,
) -> Variable:
    """Return ``answers`` (whole numbers on ``scale``, NaN for none) as a :class:`Variable`.

    ``answered=True`` promises that no answer is missing (it saves a pass over the data).
    """
    low, high = scale
    width = high - low + 2
    # fmin returns the number where the answer is NaN: "no answer" becomes category high + 1
    filled = answers if answered else np.fmin(answers, high + 1)
    index = np.add(filled, groups.offsets(width, low)).astype(np.intp)
    return Variable(name, index, np.arange(low, high + 1, dtype=np.float64))


@attrs.frozen(eq=False)
class Tables:
    """Per group (rows) and category (columns): respondents, weights, squared weights."""

    count: FloatArray
    weight: FloatArray
    weight2: FloatArray


def _floats(array: npt.NDArray[Any]) -> FloatArray:
    return array.astype(np.float64, copy=False)


def tables(
    var: Variable,
    weights: FloatArray,
    weights2: FloatArray | None,
    groups: int,
    *,
    counts: npt.NDArray[np.int64] | None = None,
) -> Tables:
    """Return the category tables of ``var``; without ``weights2`` only the weight table.

    With ``counts`` (respondents per group, when nobody left the item unanswered) the
    count table holds only each group's total, in its first column.
    """
    cells = groups * var.categories
    shape = (groups, var.categories)
    weight = _floats(np.bincount(var.index, weights=weights, minlength=cells).reshape(shape))
    if weights2 is None:
        empty = np.empty((0, 0))
        return Tables(empty, weight, empty)
    if counts is not None:  # every respondent answered: the counts are the groups' sizes
        count = np.zeros(shape)
        count[:, 0] = counts
    else:
        count = np.bincount(var.index, minlength=cells).reshape(shape).astype(np.float64)
    weight2 = _floats(np.bincount(var.index, weights=weights2, minlength=cells).reshape(shape))
    return Tables(count, weight, weight2)


@attrs.frozen(eq=False)
class Moments:
    """A measure per group: estimate, linearised variance, answers and their weight."""

    value: FloatArray
    variance: FloatArray
    n: FloatArray
    weight: FloatArray


def moments(table: Tables, h: FloatArray) -> Moments:
    """Return the weighted estimate of ``h`` (one number per answer category) per group.

    The variance is the with-replacement linearisation of the ratio estimator, with
    the ``n / (n - 1)`` correction; it is NaN for a group with fewer than two answers.
    """
    weight = table.weight[:, :-1]
    total = weight.sum(axis=1)
    n = table.count[:, :-1].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = weight @ h / total
        spread = ((h[None, :] - value[:, None]) ** 2 * table.weight2[:, :-1]).sum(axis=1)
        factor = np.where(n > 1, n / (n - 1), np.nan)
        variance = factor * spread / total**2
    return Moments(value, variance, n, total)
