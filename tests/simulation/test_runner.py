"""The runner: ordering, bit-identical results on every executor, and Auto's replication rule.

Auto is checked against a plain sequential transcription of Hoad, Robinson and Davies'
algorithm (run the next replication, test the precision, look ahead ``kLimit``
replications, go on from where it failed), written here independently of the runner's
batched search.
"""

from __future__ import annotations

import itertools
import math
import pickle
import statistics
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ssp_core.simulation.results import Figure, ReplicationResult, replication_seed
from ssp_core.simulation.runner import Auto, relative_half_width, run, run_auto
from ssp_core.simulation.station import MEASURES, Station, StationModel, simulate


@pytest.fixture(name="model")
def _model() -> StationModel:
    return StationModel(
        stations=(
            ("two servers", Station(arrival_rate=0.6, service_rate=0.5, servers=2)),
            ("three servers", Station(arrival_rate=0.6, service_rate=0.5, servers=3)),
            ("impatient", Station(0.9, 0.5, 2, capacity=6, patience_rate=0.5)),
        ),
        horizon=300.0,
        warmup=30.0,
        seed=19,
    )


# ---------------------------------------------------------------- the station model


def test_a_station_model_replication_is_the_kernel_run_with_the_replication_seed(
    model: StationModel,
) -> None:
    result = model.replicate("impatient", 4)
    kernel = simulate(
        model.station("impatient"), horizon=300.0, warmup=30.0, seed=replication_seed(19, 4)
    )
    assert (result.arm, result.index, result.events) == ("impatient", 4, kernel.events)
    assert [f.measure for f in result.figures] == list(MEASURES)
    assert result.value("mean_wait") == kernel.mean_wait
    assert result.value("share_waited") == kernel.waited / kernel.served
    assert result.value("blocking") == kernel.blocking > 0
    assert result.value("abandonment") == kernel.abandonment > 0
    assert result.value("in_system") == kernel.in_system
    assert result.value("mean_sojourn") == kernel.mean_sojourn
    assert pickle.loads(pickle.dumps(model)) == model  # noqa: S301 (our own bytes)
    assert model.arms == ("two servers", "three servers", "impatient")


def test_a_station_model_refuses_no_arms_twin_arms_and_a_late_warmup() -> None:
    station = Station(1.0, 2.0, 1)
    with pytest.raises(ValueError, match="at least one arm"):
        StationModel(stations=(), horizon=10.0)
    with pytest.raises(ValueError, match="must differ"):
        StationModel(stations=(("a", station), ("a", station)), horizon=10.0)
    with pytest.raises(ValueError, match="warmup"):
        StationModel(stations=(("a", station),), horizon=10.0, warmup=10.0)
    with pytest.raises(KeyError):
        StationModel(stations=(("a", station),), horizon=10.0).station("b")


# ---------------------------------------------------------------- a fixed number


def test_results_are_bit_identical_whatever_the_executor(model: StationModel) -> None:
    alone = run(model, 4, workers=1)
    assert len(alone.replications) == 12
    with ProcessPoolExecutor(2) as processes:
        assert run(model, 4, executor=processes) == alone
    with ThreadPoolExecutor(3) as threads:
        assert run(model, 4, executor=threads) == alone
    assert run(model, 4, workers=2) == alone  # a pool made and shut down by the runner
    assert run(attrs.evolve(model, seed=20), 4, workers=1) != alone


@attrs.frozen
class Sleepy:
    """Later replications finish first: each sleeps less the higher its index."""

    arms: tuple[str, ...] = ("b", "a")
    seed: int = 0

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        time.sleep(0.004 * (6 - index))
        return ReplicationResult(arm, index, (Figure("x", "", float(index)),))


def test_results_are_ordered_by_the_models_arms_then_index_whatever_finishes_first() -> None:
    calls: list[tuple[int, int]] = []
    with ThreadPoolExecutor(4) as threads:
        results = run(Sleepy(), 6, executor=threads, progress=lambda d, t: calls.append((d, t)))
        assert threads.submit(int, "7").result() == 7  # a given executor is not shut down
    assert results.arms == ("b", "a")
    assert [(r.arm, r.index) for r in results.replications] == [
        (arm, index) for arm in ("b", "a") for index in range(6)
    ]
    assert calls[0] == (0, 12)
    assert calls[-1] == (12, 12)
    assert [d for d, _ in calls] == list(range(13))


@attrs.frozen
class Faulty:
    """Fails in replication 2, or (``mislabel``) answers for replication 3 when asked for 2."""

    arms: tuple[str, ...] = ("a",)
    seed: int = 0
    mislabel: bool = False

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        if index == 2 and not self.mislabel:
            raise ArithmeticError("replication 2 failed")
        return ReplicationResult(arm, index + (index == 2), (Figure("x", "", 1.0),))


def test_a_failing_replication_fails_the_run_and_a_mislabelled_one_is_refused() -> None:
    with pytest.raises(ArithmeticError, match="replication 2 failed"):
        run(Faulty(), 3, workers=1)
    with ThreadPoolExecutor(2) as threads, pytest.raises(ArithmeticError):
        run(Faulty(), 5, executor=threads)
    with pytest.raises(ValueError, match=r"answered replication \('a', 3\) for task \('a', 2\)"):
        run(Faulty(mislabel=True), 3, workers=1)


def test_wrong_arguments_are_refused(model: StationModel) -> None:
    with pytest.raises(ValueError, match="replications must be at least 1"):
        run(model, 0, workers=1)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        run(model, 2, workers=0)
    with pytest.raises(ValueError, match="most"):
        Auto(initial=5, most=4)
    with pytest.raises(ValueError, match="initial"):
        Auto(initial=1)
    with pytest.raises(ValueError, match="level"):
        Auto(level=1.0)


# ---------------------------------------------------------------- Auto: the rule


def _d(values: list[float], level: float) -> float:
    """The relative half-width, computed here from its definition."""
    mean = math.fsum(values) / len(values)
    half = (
        float(stats.t.ppf(0.5 + level / 2, len(values) - 1))
        * statistics.stdev(values)
        / math.sqrt(len(values))
    )
    if half == 0:
        return 0.0
    return half / abs(mean) if mean else math.inf


def _hoad(
    series: list[list[float]], precision: float, initial: int, k_limit: int, most: int
) -> int | None:
    """Hoad, Robinson and Davies' replication algorithm, one replication at a time."""

    def precise(n: int) -> bool:
        return max(_d(values[:n], 0.95) for values in series) <= precision

    n = initial
    while n <= most:
        if precise(n):
            solution = n
            look = k_limit if n <= 100 else k_limit * n // 100
            k = 1
            while k <= look:
                if n + k > most:
                    return None
                if not precise(n + k):
                    break
                k += 1
            else:
                return solution
            n += k
        n += 1
    return None


@attrs.frozen
class Normal:
    """Two arms of normal outcomes: mean 10, sd 1 (``a``) and mean 20, sd 4 (``b``)."""

    arms: tuple[str, ...] = ("a", "b")
    seed: int = 5

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        rng = np.random.default_rng(replication_seed(self.seed, index))
        value = rng.normal(10.0, 1.0) if arm == "a" else rng.normal(20.0, 4.0)
        return ReplicationResult(arm, index, (Figure("outcome", "", float(value)),))


def test_auto_needs_what_the_hand_computed_rule_needs_on_a_model_of_known_variance() -> None:
    model = Normal()
    outcome = run_auto(model, Auto(precision=0.05), workers=1)
    draws = run(model, outcome.ran, workers=1)
    series = [list(draws.values(arm, "outcome")) for arm in model.arms]
    assert outcome.needed == _hoad(series, 0.05, 3, 5, 200)
    # arm b decides: (t · sd / (precision · mean))² = (1.96 · 4 / (0.05 · 20))² ≈ 62 expected
    assert outcome.needed is not None
    assert 40 <= outcome.needed <= 90
    assert outcome.reached
    assert outcome.precision == max(_d(s[: outcome.needed], 0.95) for s in series) <= 0.05
    assert outcome.ran >= outcome.needed + 5
    # what is returned is what a fixed run of that many returns
    assert outcome.results == run(model, outcome.needed, workers=1)
    assert run(model, Auto(precision=0.05), workers=1) == outcome.results
    # one arm alone needs fewer: about (1.96 · 1 / (0.05 · 10))² ≈ 15
    alone = run_auto(attrs.evolve(model, arms=("a",)), Auto(precision=0.05), workers=1)
    assert alone.needed == _hoad(series[:1], 0.05, 3, 5, 200)
    assert alone.needed is not None
    assert alone.needed < outcome.needed


def test_auto_decides_the_same_on_every_executor() -> None:
    model = Normal()
    alone = run_auto(model, Auto(precision=0.05), workers=1)
    with ThreadPoolExecutor(3) as threads:
        batched = run_auto(model, Auto(precision=0.05), executor=threads, workers=7)
    # only how many look-ahead replications ran past the decision may differ
    assert batched.ran >= alone.ran
    assert attrs.evolve(batched, ran=alone.ran) == alone


def test_auto_stops_at_most_and_says_the_precision_was_not_reached(model: StationModel) -> None:
    calls: list[tuple[int, int]] = []
    outcome = run_auto(
        model, Auto(precision=0.001, most=6), workers=1, progress=lambda d, t: calls.append((d, t))
    )
    assert outcome.needed is None
    assert not outcome.reached
    assert outcome.ran == 6
    assert outcome.results == run(model, 6, workers=1)
    assert outcome.precision > 0.001
    assert calls[-1] == (18, 18)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(calls))


def test_auto_judges_only_the_measures_asked_for(model: StationModel) -> None:
    # blocking is 0 in two arms: 0 ± 0 is exact, so it never holds the rule back
    chosen = Auto(precision=0.2, measures=(("in_system", ""), ("blocking", "")))
    outcome = run_auto(attrs.evolve(model, stations=model.stations[:2]), chosen, workers=2)
    assert outcome.reached
    assert outcome.results.values("two servers", "blocking") == (0.0,) * (outcome.needed or 0)
    with pytest.raises(ValueError, match="'missing'"):
        run_auto(model, Auto(measures=(("missing", ""),)), workers=1)


@attrs.frozen
class _Listed:
    """One arm whose replication ``i`` measures ``values[i]``."""

    values: tuple[float, ...]
    arms: tuple[str, ...] = ("only",)
    seed: int = 0

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        return ReplicationResult(arm, index, (Figure("x", "", self.values[index]),))


@settings(max_examples=60)
@given(
    seed=st.integers(0, 2**32 - 1),
    spread=st.floats(0.0, 0.6),
    outlier=st.none() | st.tuples(st.integers(2, 39), st.sampled_from([0.0, 3.0, 10.0])),
    precision=st.floats(0.02, 0.3),
    initial=st.integers(2, 5),
    look_ahead=st.integers(0, 6),
    most=st.integers(5, 40),
    width=st.integers(1, 9),
)
def test_auto_is_the_sequential_rule_whatever_the_batch(
    *,
    seed: int,
    spread: float,
    outlier: tuple[int, float] | None,
    precision: float,
    initial: int,
    look_ahead: int,
    most: int,
    width: int,
) -> None:
    # about half the cases reach the precision, most of those after a refuted candidate
    values = [float(v) for v in np.random.default_rng(seed).normal(1.0, spread, 40)]
    if outlier is not None:
        values[outlier[0]] = outlier[1]
    rule = Auto(precision=precision, initial=initial, look_ahead=look_ahead, most=most)
    model = _Listed(tuple(values))
    expected = _hoad([values], precision, initial, look_ahead, most)
    alone = run_auto(model, rule, workers=1)
    with ThreadPoolExecutor(2) as threads:
        batched = run_auto(model, rule, executor=threads, workers=width)
    for outcome in (alone, batched):
        assert outcome.needed == expected
        assert outcome.reached == (expected is not None)
        count = expected if expected is not None else most
        assert outcome.results.values("only", "x") == tuple(values[:count])
        assert outcome.precision == _d(values[:count], 0.95)
        assert outcome.ran <= most


def test_the_relative_half_width_of_exact_zeros_is_zero_and_of_spread_around_zero_inf() -> None:
    assert relative_half_width([0.0, 0.0, 0.0]) == 0.0
    assert relative_half_width([-1.0, 1.0]) == math.inf
    assert relative_half_width([2.0, 2.0]) == 0.0
    assert relative_half_width([1.0, 3.0]) == pytest.approx(_d([1.0, 3.0], 0.95))
