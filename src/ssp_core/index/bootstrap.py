"""The bootstrap: respondents resampled with replacement within each group, vectorised.

Each replicate draws, in every group of ``n`` respondents, ``n`` respondents with
replacement (so group sizes stay fixed, as in a sample stratified by group), keeps
their design weights, and recomputes every measure from the category tables of
:mod:`ssp_core.index.design`. The loop runs over replicates, never over rows; a
replicate costs a few passes over the data. Seeded with ``numpy.random.default_rng``,
so the same seed gives the same intervals.

A bootstrap of a large survey takes a while (a million respondents and 1,000
replicates, over a minute): ``progress``, a plain callable, is told how many
replicates are done, so that a caller can show it (the command line draws a bar).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ssp_core.index.design import Grouping, Variable, tables
from ssp_core.progress import Progress

__all__ = ["Progress", "replicate_estimates"]

FloatArray = npt.NDArray[np.float64]


_STEPS = 100
"""About how many times ``progress`` is told during a bootstrap (besides the start)."""


def replicate_estimates(
    groups: Grouping,
    variables: Sequence[Variable],
    weights: FloatArray,
    measures: Sequence[tuple[int, FloatArray]],
    *,
    replicates: int,
    seed: int,
    progress: Progress | None = None,
) -> FloatArray:
    """Return the measures' estimates in each replicate: shape (replicates, measures, groups).

    ``measures`` are pairs of a position in ``variables`` and the measure's value per
    answer category. ``progress``, if given, is called with ``(done, total)``: at the
    start, then about a hundred times as replicates are done, last with
    ``(replicates, replicates)``.
    """
    rng = np.random.default_rng(seed)
    size = len(weights)
    order = np.argsort(groups.ids, kind="stable")
    counts = groups.counts.astype(np.intp)
    starts = np.cumsum(counts) - counts
    sorted_ids = groups.ids[order]
    start_of = starts[sorted_ids].astype(np.float64)
    size_of = counts[sorted_ids].astype(np.float64)
    out = np.empty((replicates, len(measures), groups.size))
    step = max(1, replicates // _STEPS)
    if progress is not None:
        progress(0, replicates)
    for replicate in range(replicates):
        draw = rng.random(size)
        draw *= size_of
        draw += start_of
        chosen = order[draw.astype(np.intp)]
        resampled = weights * np.bincount(chosen, minlength=size)
        weight_tables = [tables(var, resampled, None, groups.size).weight for var in variables]
        for position, (which, h) in enumerate(measures):
            weight = weight_tables[which][:, :-1]
            with np.errstate(invalid="ignore", divide="ignore"):
                out[replicate, position] = weight @ h / weight.sum(axis=1)
        done = replicate + 1
        if progress is not None and (done % step == 0 or done == replicates):
            progress(done, replicates)
    return out
