"""The kernel against Ciw, an independent queueing simulator, on M/M/3 (and both against Erlang C).

The same station (arrivals 2.4, service 1 per server, 3 servers: 80 % busy) is run
for the same horizon and warm-up in both, seeded replications in each. The mean
wait and the time-average number in the system agree within the 95 % interval of
their difference, and each simulator's 95 % interval covers the analytic value.
"""

from __future__ import annotations

import math
import statistics

import pytest
from scipy import stats

from ssp_core.simulation.analytic import erlang_c, stationary
from ssp_core.simulation.runner import run
from ssp_core.simulation.station import Station, StationModel

ciw = pytest.importorskip("ciw")

ARRIVAL, SERVICE, SERVERS = 2.4, 1.0, 3
HORIZON, WARMUP = 3000.0, 200.0
REPLICATIONS = 15
DRAIN = 100.0
"""Ciw runs this long past the horizon, so that callers still there at the horizon have left."""


def _interval(values: list[float]) -> tuple[float, float]:
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values)
    return statistics.fmean(values), half / math.sqrt(len(values))


def _ciw_run(seed: int) -> tuple[float, float]:
    """Return Ciw's mean wait and time-average number in the system over the window."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL)],
        service_distributions=[ciw.dists.Exponential(rate=SERVICE)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(HORIZON + DRAIN)
    records = simulation.get_all_records()
    waits = [
        r.waiting_time
        for r in records
        if WARMUP <= r.arrival_date < HORIZON and r.service_start_date < HORIZON
    ]
    area = math.fsum(
        max(0.0, min(r.exit_date, HORIZON) - max(r.arrival_date, WARMUP)) for r in records
    )
    return statistics.fmean(waits), area / (HORIZON - WARMUP)


def test_the_kernel_and_ciw_agree_on_m_m_3_and_both_cover_erlang_c() -> None:
    theory = stationary(ARRIVAL, SERVICE, SERVERS)
    assert theory.wait == pytest.approx(erlang_c(SERVERS, ARRIVAL / SERVICE) / (3 - 2.4))
    model = StationModel(
        stations=(("M/M/3", Station(ARRIVAL, SERVICE, SERVERS)),),
        horizon=HORIZON,
        warmup=WARMUP,
        seed=3,
    )
    ours = run(model, REPLICATIONS, workers=1)
    theirs = [_ciw_run(seed) for seed in range(REPLICATIONS)]
    for index, (ours_values, their_values, expected) in enumerate(
        (
            (list(ours.values("M/M/3", "mean_wait")), [w for w, _ in theirs], theory.wait),
            (list(ours.values("M/M/3", "in_system")), [n for _, n in theirs], theory.in_system),
        )
    ):
        our_mean, our_half = _interval(ours_values)
        their_mean, their_half = _interval(their_values)
        assert abs(our_mean - their_mean) <= math.hypot(our_half, their_half), index
        assert our_mean - our_half <= expected <= our_mean + our_half, (index, our_mean, expected)
        assert their_mean - their_half <= expected <= their_mean + their_half, (index, expected)
        # the intervals are narrow enough for the comparison to mean something
        assert our_half < 0.1 * expected
        assert their_half < 0.1 * expected
