"""What a replication returns, the model seam replications run through, and the seeds.

Every model (a :class:`~ssp_core.simulation.scenario.Scenario`, or a
:class:`~ssp_core.simulation.station.StationModel` for the kernel) answers
:class:`Model`: it names its arms and runs one replication of one arm from its index
alone. The seed of replication ``i`` is ``SeedSequence(seed, spawn_key=(i,))``, the
same in every arm (common random numbers) and wherever it runs, so results do not
depend on the executor, the number of workers or the order tasks finish in.

A replication's figures are tidy: one :class:`Figure` per measure and group (a card,
a role, a deadline rule; ``""`` for the whole), and one :class:`Point` per time of a
series (the backlog each day). Nothing in them is about a person.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import attrs
import numpy as np

__all__ = [
    "Figure",
    "Model",
    "Point",
    "ReplicationResult",
    "Results",
    "replication_seed",
    "t_interval",
]


def replication_seed(seed: int, index: int) -> np.random.SeedSequence:
    """Return the seed sequence of replication ``index`` of an experiment seeded ``seed``."""
    return np.random.SeedSequence(seed, spawn_key=(index,))


@attrs.frozen
class Figure:
    """One measure of one replication: its name, its group (``""`` for the whole), its value."""

    measure: str
    group: str
    value: float


@attrs.frozen
class Point:
    """One point of a time series of one replication (e.g. the backlog on day ``time``)."""

    series: str
    group: str
    time: float
    value: float


@attrs.frozen
class ReplicationResult:
    """What one replication of one arm measured.

    :ivar arm: the arm's name.
    :ivar index: the replication's index (its seed is ``replication_seed(seed, index)``).
    :ivar figures: the key measures, one per measure and group.
    :ivar series: time series, one point per time and group.
    :ivar events: the simulation events processed (for speed figures).
    :ivar transitions: the workflow transitions fired (0 for the queueing kernel).
    """

    arm: str
    index: int
    figures: tuple[Figure, ...]
    series: tuple[Point, ...] = ()
    events: int = 0
    transitions: int = 0

    def value(self, measure: str, group: str = "") -> float:
        """Return the value of ``measure`` for ``group``; KeyError if it was not measured."""
        for figure in self.figures:
            if figure.measure == measure and figure.group == group:
                return figure.value
        raise KeyError((measure, group))


@runtime_checkable
class Model(Protocol):
    """A model replications run through: picklable, deterministic for an arm and an index."""

    @property
    def arms(self) -> tuple[str, ...]:
        """The arms' names; the first is the baseline differences are taken against."""
        ...

    @property
    def seed(self) -> int:
        """The experiment's seed."""
        ...

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        """Run replication ``index`` of ``arm`` and return what it measured."""
        ...


@attrs.frozen
class Results:
    """The replications of an experiment, ordered by arm (as the model names them) and index."""

    arms: tuple[str, ...]
    seed: int
    replications: tuple[ReplicationResult, ...]

    def of(self, arm: str) -> tuple[ReplicationResult, ...]:
        """Return the replications of ``arm``, by index."""
        return tuple(r for r in self.replications if r.arm == arm)

    def values(self, arm: str, measure: str, group: str = "") -> tuple[float, ...]:
        """Return ``measure`` for ``group`` in every replication of ``arm``, by index."""
        return tuple(r.value(measure, group) for r in self.of(arm))

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """Return every (measure, group) measured, in the order first measured."""
        seen: dict[tuple[str, str], None] = {}
        for replication in self.replications:
            for figure in replication.figures:
                seen.setdefault((figure.measure, figure.group), None)
        return tuple(seen)


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Return the mean of ``values`` and the half-width of its Student-t interval at ``level``.

    The half-width is ``inf`` for fewer than two values (no spread is known).
    """
    from scipy import stats  # noqa: PLC0415  (an optional dependency, loaded when used)

    if not values:
        raise ValueError("no values")
    mean = math.fsum(values) / len(values)
    if len(values) < 2:
        return mean, math.inf
    sd = statistics.stdev(values)
    quantile = float(stats.t.ppf(0.5 + level / 2, len(values) - 1))
    return mean, quantile * sd / math.sqrt(len(values))
