"""One station simulated with SimPy: servers, a waiting room, impatient callers.

The kernel the scenarios are built on, checked against :mod:`.analytic`. Each source
of randomness (arrivals, service, patience) draws from its own stream, spawned from
one :class:`numpy.random.SeedSequence`, so two arms run with the same seed see the
same arrivals and the same work (common random numbers), and a run is the same for
the same seed wherever it runs. Nothing reads the wall clock: time is SimPy's.

Measures are taken over ``[warmup, horizon)``: the time-average number in the
system (``L``), and for callers who arrived in the window, their waits and
sojourns and what became of them (served, blocked, abandoned). Little's law
(``L = λ_admitted · W``) holds for every run up to the edges of the window.

:class:`StationModel` puts stations under the :class:`~.results.Model` seam: each arm
is one station, and replication ``i`` of every arm is seeded
``replication_seed(seed, i)``, so the runner can run it anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable, Iterator
from typing import Any

import attrs
import numpy as np
import simpy

from ssp_core.simulation.results import Figure, ReplicationResult, replication_seed

__all__ = ["MEASURES", "Station", "StationModel", "StationRun", "simulate"]


@attrs.frozen
class Station:
    """A station: ``servers`` serving at ``service_rate`` each, callers at ``arrival_rate``.

    :ivar arrival_rate: λ, Poisson arrivals per unit of time.
    :ivar service_rate: μ, per server (exponential service times of mean 1/μ).
    :ivar servers: c, at least 1.
    :ivar capacity: K, the most callers in the system (waiting or served); an arrival
        that finds K is blocked. None: no limit.
    :ivar patience_rate: θ, a waiting caller gives up after an exponential time of mean
        1/θ. None: callers wait as long as it takes.
    """

    arrival_rate: float = attrs.field(validator=attrs.validators.gt(0))
    service_rate: float = attrs.field(validator=attrs.validators.gt(0))
    servers: int = attrs.field(validator=attrs.validators.ge(1))
    capacity: int | None = None
    patience_rate: float | None = None

    def __attrs_post_init__(self) -> None:
        """Refuse a capacity below the number of servers."""
        if self.capacity is not None and self.capacity < self.servers:
            raise ValueError(f"capacity {self.capacity} is below the {self.servers} servers")


@attrs.frozen
class StationRun:
    """What one run measured over its window (``horizon - warmup`` units of time).

    :ivar window: the length of time measured.
    :ivar arrivals: callers who arrived in the window.
    :ivar blocked: of those, how many found the station full.
    :ivar abandoned: of those, how many gave up waiting.
    :ivar served: of those, how many began service before the horizon.
    :ivar waited: of those served, how many waited at all.
    :ivar mean_wait: the mean wait of the admitted callers who were served or gave up.
    :ivar mean_sojourn: the mean time in the system of the admitted callers who left
        (served to the end, or gave up) before the horizon.
    :ivar in_system: the time-average number in the system over the window.
    :ivar events: how many events SimPy processed.
    """

    window: float
    arrivals: int
    blocked: int
    abandoned: int
    served: int
    waited: int
    mean_wait: float
    mean_sojourn: float
    in_system: float
    events: int

    @property
    def admitted_rate(self) -> float:
        """Return the rate of callers let in over the window."""
        return (self.arrivals - self.blocked) / self.window

    @property
    def blocking(self) -> float:
        """Return the share of arrivals blocked."""
        return self.blocked / self.arrivals if self.arrivals else 0.0

    @property
    def abandonment(self) -> float:
        """Return the share of admitted callers who gave up."""
        admitted = self.arrivals - self.blocked
        return self.abandoned / admitted if admitted else 0.0


@attrs.define
class _Tally:
    """Running sums of one run (mutable while the run lasts)."""

    warmup: float
    horizon: float
    count: int = 0
    last: float = 0.0
    area: float = 0.0
    arrivals: int = 0
    blocked: int = 0
    abandoned: int = 0
    served: int = 0
    waited: int = 0
    waits: list[float] = attrs.Factory(list)
    sojourns: list[float] = attrs.Factory(list)

    def change(self, now: float, step: int) -> None:
        """Add ``step`` to the number in the system at ``now``, integrating over the window."""
        start = max(self.last, self.warmup)
        if now > start:
            self.area += self.count * (now - start)
        self.last = now
        self.count += step


_BLOCK = 256
"""Draws are taken from a stream this many at a time (the same values as one at a time)."""


def _exponentials(rng: np.random.Generator, scale: float) -> Iterator[float]:
    """Yield exponential draws of mean ``scale`` from ``rng``, in the order drawn.

    NumPy fills an array with the values successive scalar draws would return, so a
    block costs one call instead of one per draw and changes no run.
    """
    while True:
        yield from rng.exponential(scale, _BLOCK).tolist()


def simulate(
    station: Station,
    *,
    horizon: float,
    warmup: float = 0.0,
    seed: int | np.random.SeedSequence = 0,
) -> StationRun:
    """Run ``station`` from empty until ``horizon``; measure from ``warmup`` on."""
    if not 0 <= warmup < horizon:
        raise ValueError(f"need 0 <= warmup < horizon; got warmup {warmup}, horizon {horizon}")
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    streams = [np.random.default_rng(s) for s in sequence.spawn(3)]
    arrivals = _exponentials(streams[0], 1.0 / station.arrival_rate)
    services = _exponentials(streams[1], 1.0 / station.service_rate)
    patience = _exponentials(streams[2], 1.0 / (station.patience_rate or 1.0))
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=station.servers)
    tally = _Tally(warmup, horizon)

    def caller(arrived: float) -> Generator[Any, Any, None]:
        counted = arrived >= warmup
        if station.capacity is not None and tally.count >= station.capacity:
            tally.blocked += counted
            return
        tally.change(env.now, +1)
        with servers.request() as request:
            if station.patience_rate is None:
                yield request
            else:
                limit = env.timeout(next(patience))
                yield request | limit
                if not request.triggered:  # leaving the with block withdraws the request
                    tally.change(env.now, -1)
                    if counted:
                        tally.abandoned += 1
                        tally.waits.append(env.now - arrived)
                        tally.sojourns.append(env.now - arrived)
                    return
            if counted:
                tally.served += 1
                tally.waited += env.now > arrived
                tally.waits.append(env.now - arrived)
            yield env.timeout(next(services))
        tally.change(env.now, -1)
        if counted:
            tally.sojourns.append(env.now - arrived)

    def source() -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(next(arrivals))
            if env.now >= horizon:
                return
            tally.arrivals += env.now >= warmup
            env.process(caller(env.now))

    env.process(source())
    events = 0
    while env.peek() < horizon:
        env.step()
        events += 1
    tally.change(horizon, 0)
    window = horizon - warmup
    return StationRun(
        window=window,
        arrivals=tally.arrivals,
        blocked=tally.blocked,
        abandoned=tally.abandoned,
        served=tally.served,
        waited=tally.waited,
        mean_wait=math.fsum(tally.waits) / len(tally.waits) if tally.waits else 0.0,
        mean_sojourn=math.fsum(tally.sojourns) / len(tally.sojourns) if tally.sojourns else 0.0,
        in_system=tally.area / window,
        events=events,
    )


MEASURES = (
    "mean_wait",
    "share_waited",
    "blocking",
    "abandonment",
    "in_system",
    "mean_sojourn",
)
"""The figures a :class:`StationModel` replication measures, each for the whole (group ``""``)."""


def _stations(value: Iterable[tuple[str, Station]]) -> tuple[tuple[str, Station], ...]:
    return tuple((str(name), station) for name, station in value)


@attrs.frozen
class StationModel:
    """Stations as arms of one experiment: a :class:`~.results.Model` for the runner.

    :ivar stations: the arms, as (name, station) pairs; the first is the baseline.
    :ivar horizon: how long each replication runs.
    :ivar warmup: when measuring starts (the queue starts empty).
    :ivar seed: the experiment's seed; replication ``i`` of every arm runs with
        ``replication_seed(seed, i)`` (common random numbers across the arms).
    """

    stations: tuple[tuple[str, Station], ...] = attrs.field(converter=_stations)
    horizon: float = attrs.field(validator=attrs.validators.gt(0))
    warmup: float = 0.0
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        """Refuse no arms, two arms of one name, and a warm-up outside the horizon."""
        names = [name for name, _ in self.stations]
        if not names:
            raise ValueError("a station model needs at least one arm")
        if len(set(names)) != len(names):
            raise ValueError(f"arm names must differ; got {names}")
        if not 0 <= self.warmup < self.horizon:
            raise ValueError(
                f"need 0 <= warmup < horizon; got warmup {self.warmup}, horizon {self.horizon}"
            )

    @property
    def arms(self) -> tuple[str, ...]:
        """Return the arms' names, in the order given."""
        return tuple(name for name, _ in self.stations)

    def station(self, arm: str) -> Station:
        """Return the station of ``arm``; KeyError if there is no such arm."""
        for name, station in self.stations:
            if name == arm:
                return station
        raise KeyError(arm)

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        """Run replication ``index`` of ``arm`` and return its figures (see :data:`MEASURES`)."""
        run = simulate(
            self.station(arm),
            horizon=self.horizon,
            warmup=self.warmup,
            seed=replication_seed(self.seed, index),
        )
        values = (
            run.mean_wait,
            run.waited / run.served if run.served else 0.0,
            run.blocking,
            run.abandonment,
            run.in_system,
            run.mean_sojourn,
        )
        return ReplicationResult(
            arm=arm,
            index=index,
            figures=tuple(
                Figure(measure, "", value) for measure, value in zip(MEASURES, values, strict=True)
            ),
            events=run.events,
        )
