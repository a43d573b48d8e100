"""The queueing kernel against queueing theory: Erlang C, Erlang B, Erlang A, Little's law.

The birth-death solution agrees with the closed forms wherever both apply; the
SimPy station's replications cover the analytic value with their 95 % interval; and
Little's law holds in every run. Seeds are fixed: a run is the same wherever it runs.
"""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ssp_core.simulation.analytic import erlang_b, erlang_c, stationary
from ssp_core.simulation.station import Station, StationRun, simulate

REPLICATIONS = 20


@given(servers=st.integers(1, 12), utilisation=st.floats(0.05, 0.95))
def test_the_birth_death_solution_is_erlang_c(servers: int, utilisation: float) -> None:
    load = utilisation * servers
    measures = stationary(load, 1.0, servers)
    assert measures.waiting == pytest.approx(erlang_c(servers, load), rel=1e-9)
    # Erlang C's mean wait: C / (c·μ - λ)
    assert measures.wait == pytest.approx(erlang_c(servers, load) / (servers - load), rel=1e-9)
    assert measures.in_system == pytest.approx(measures.in_queue + load, rel=1e-9)


@given(servers=st.integers(1, 12), load=st.floats(0.1, 20.0))
def test_the_birth_death_solution_with_no_waiting_room_is_erlang_b(
    servers: int, load: float
) -> None:
    measures = stationary(load, 1.0, servers, capacity=servers)
    assert measures.blocking == pytest.approx(erlang_b(servers, load), rel=1e-9)
    assert measures.wait == 0.0


def test_an_unstable_station_is_refused_with_what_would_make_it_stable() -> None:
    with pytest.raises(ValueError, match="give a capacity or a patience"):
        stationary(2.0, 1.0, 2)
    assert stationary(2.0, 1.0, 2, patience=0.5).abandonment > 0
    with pytest.raises(ValueError, match="capacity 1 is below the 2 servers"):
        Station(1.0, 1.0, 2, capacity=1)


def _replicate(station: Station, horizon: float, warmup: float) -> list[StationRun]:
    return [simulate(station, horizon=horizon, warmup=warmup, seed=s) for s in range(REPLICATIONS)]


def _covers(values: list[float], expected: float) -> tuple[float, float]:
    mean = statistics.fmean(values)
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    assert mean - half <= expected <= mean + half, (mean, half, expected)
    return mean, half


def _little(run: StationRun) -> None:
    assert run.in_system == pytest.approx(run.admitted_rate * run.mean_sojourn, rel=0.02)


def test_m_m_c_matches_erlang_c() -> None:
    station = Station(arrival_rate=0.6, service_rate=0.5, servers=2)  # rates, not means
    runs = _replicate(station, horizon=8000.0, warmup=400.0)
    theory = stationary(0.6, 0.5, 2)
    _covers([r.mean_wait for r in runs], theory.wait)
    _covers([r.waited / r.served for r in runs], theory.waiting)
    for run in runs:
        _little(run)


def test_m_m_c_k_matches_erlang_b() -> None:
    station = Station(arrival_rate=2.5, service_rate=1.0, servers=3, capacity=3)
    runs = _replicate(station, horizon=3000.0, warmup=100.0)
    _covers([r.blocking for r in runs], erlang_b(3, 2.5))
    for run in runs:
        assert run.mean_wait == 0.0
        _little(run)


def test_impatient_callers_match_erlang_a() -> None:
    station = Station(arrival_rate=2.2, service_rate=1.0, servers=2, patience_rate=0.5)
    runs = _replicate(station, horizon=3000.0, warmup=200.0)
    theory = stationary(2.2, 1.0, 2, patience=0.5)
    _covers([r.abandonment for r in runs], theory.abandonment)
    _covers([r.in_system for r in runs], theory.in_system)
    for run in runs:
        _little(run)


def test_the_same_seed_gives_the_same_run_and_arms_share_their_arrivals() -> None:
    station = Station(arrival_rate=1.2, service_rate=1.0, servers=2)
    first = simulate(station, horizon=500.0, seed=7)
    assert simulate(station, horizon=500.0, seed=7) == first
    assert simulate(station, horizon=500.0, seed=8) != first
    # another arm (a third server) under common random numbers: the same callers arrive
    other = simulate(attrs_evolve(station, servers=3), horizon=500.0, seed=7)
    assert other.arrivals == first.arrivals
    assert other.mean_wait < first.mean_wait


def attrs_evolve(station: Station, **changes: object) -> Station:
    import attrs  # noqa: PLC0415

    return attrs.evolve(station, **changes)
