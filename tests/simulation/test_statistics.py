"""Intervals over replications: each arm's mean, and each arm against the baseline, paired.

Known values are checked against scipy.stats directly; hypothesis checks the
properties (the interval holds the mean; an arm equal to the baseline plus a
constant differs by that constant with no width; pairing narrows the interval when
the arms move together); and the real queueing kernel, run on common random numbers,
shows what pairing buys.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from ssp_core.simulation.results import Figure, ReplicationResult, Results, replication_seed
from ssp_core.simulation.station import Station, simulate
from ssp_core.simulation.statistics import Difference, differences, estimate, summarise

FINITE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def results_of(
    arms: Mapping[str, Sequence[float]], measure: str = "wait", seed: int = 1
) -> Results:
    """Build results with one measure for the whole, replication i holding values[i]."""
    replications = tuple(
        ReplicationResult(arm, index, (Figure(measure, "", value),))
        for arm, values in arms.items()
        for index, value in enumerate(values)
    )
    return Results(tuple(arms), seed, replications)


def welch_half_width(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> float:
    """The half-width of the unpaired (Welch) interval of mean(a) - mean(b)."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(va + vb)


# -- known values -----------------------------------------------------------------------


def test_a_summary_is_scipys_t_interval() -> None:
    values = [4.0, 7.5, 6.25, 3.0, 9.0, 5.5]
    (summary,) = summarise(results_of({"a": values}), level=0.9)
    low, high = stats.t.interval(
        0.9, len(values) - 1, loc=statistics.fmean(values), scale=stats.sem(values)
    )
    assert (summary.arm, summary.measure, summary.group, summary.replications, summary.level) == (
        "a", "wait", "", 6, 0.9,
    )  # fmt: skip
    assert summary.mean == pytest.approx(statistics.fmean(values))
    assert summary.sd == pytest.approx(statistics.stdev(values))
    assert summary.half_width == pytest.approx((high - low) / 2)
    assert summary.low == pytest.approx(low)
    assert summary.high == pytest.approx(high)


def test_a_difference_is_scipys_paired_t_interval() -> None:
    base = [10.0, 12.5, 9.0, 14.0, 11.0]
    arm = [8.0, 11.0, 8.5, 11.5, 9.75]
    (difference,) = differences(results_of({"base": base, "arm": arm}))
    interval = stats.ttest_rel(arm, base).confidence_interval(0.95)
    assert (difference.arm, difference.baseline, difference.replications) == ("arm", "base", 5)
    assert difference.mean == pytest.approx(statistics.fmean(arm) - statistics.fmean(base))
    assert difference.low == pytest.approx(interval.low)
    assert difference.high == pytest.approx(interval.high)
    assert difference.sd == pytest.approx(
        statistics.stdev([a - b for a, b in zip(arm, base, strict=True)])
    )
    assert difference.excludes_zero  # every pair went down


def test_one_replication_claims_no_interval() -> None:
    (summary,) = summarise(results_of({"a": [3.5]}))
    assert summary.mean == 3.5
    assert summary.replications == 1
    assert math.isnan(summary.sd)
    assert (summary.half_width, summary.low, summary.high) == (math.inf, -math.inf, math.inf)
    (difference,) = differences(results_of({"a": [3.5], "b": [100.0]}))
    assert difference.mean == 96.5
    assert not difference.excludes_zero  # nothing is known about its spread


# -- properties ------------------------------------------------------------------------


@given(values=st.lists(FINITE, min_size=1, max_size=30), level=st.floats(0.5, 0.999))
def test_the_interval_holds_the_mean(values: list[float], level: float) -> None:
    (summary,) = summarise(results_of({"a": values}), level)
    assert summary.replications == len(values)
    assert summary.low <= summary.mean <= summary.high
    assert summary.half_width >= 0
    assert min(values) - 1e-6 <= summary.mean <= max(values) + 1e-6


@given(
    base=st.lists(st.integers(-1000, 1000), min_size=2, max_size=30),
    constant=st.integers(-50, 50),
)
def test_an_arm_shifted_by_a_constant_differs_by_it_exactly(base: list[int], constant: int) -> None:
    results = results_of(
        {"base": [float(b) for b in base], "arm": [float(b + constant) for b in base]}
    )
    (difference,) = differences(results)
    assert difference.mean == constant
    assert (difference.sd, difference.half_width) == (0.0, 0.0)
    assert difference.low == difference.high == constant
    assert difference.excludes_zero == (constant != 0)


@given(base=st.lists(FINITE, min_size=2, max_size=30), constant=st.floats(-1e3, 1e3))
def test_an_arm_shifted_by_a_constant_differs_by_it_up_to_rounding(
    base: list[float], constant: float
) -> None:
    (difference,) = differences(results_of({"base": base, "arm": [b + constant for b in base]}))
    scale = max(abs(b) for b in base) + abs(constant)
    assert difference.mean == pytest.approx(constant, abs=1e-12 * scale)
    assert difference.half_width <= 1e-9 * scale  # float rounding only


@given(
    base=st.lists(st.integers(-100, 100), min_size=3, max_size=30),
    noise=st.lists(st.floats(-0.1, 0.1), min_size=30, max_size=30),
    constant=st.floats(-10, 10),
)
def test_pairing_narrows_the_interval_of_arms_that_move_together(
    base: list[int], noise: list[float], constant: float
) -> None:
    assume(statistics.stdev(base) >= 1)
    arm = [b + constant + e for b, e in zip(base, noise, strict=False)]
    (difference,) = differences(results_of({"base": [float(b) for b in base], "arm": arm}))
    assert difference.half_width < welch_half_width(arm, [float(b) for b in base])


# -- pairing, order, the baseline ------------------------------------------------------


def test_only_the_indices_both_arms_ran_are_paired() -> None:
    replications = (
        ReplicationResult("base", 0, (Figure("wait", "", 1.0),)),
        ReplicationResult("base", 1, (Figure("wait", "", 2.0),)),
        ReplicationResult("base", 2, (Figure("wait", "", 3.0),)),
        ReplicationResult("arm", 1, (Figure("wait", "", 12.0),)),
        ReplicationResult("arm", 2, (Figure("wait", "", 13.0),)),
        ReplicationResult("arm", 3, (Figure("wait", "", 99.0),)),
    )
    (difference,) = differences(Results(("base", "arm"), 0, replications))
    assert difference.replications == 2
    assert difference.mean == 10.0


def test_summaries_and_differences_follow_the_arms_and_keys_and_skip_what_is_unmeasured() -> None:
    def replication(
        arm: str, index: int, figures: dict[tuple[str, str], float]
    ) -> ReplicationResult:
        return ReplicationResult(
            arm, index, tuple(Figure(m, g, v) for (m, g), v in figures.items())
        )

    replications = tuple(
        replication(arm, i, {("wait", ""): i + shift, ("wait", "card"): 2 * i + shift} | extra)
        for arm, shift, extra in (
            ("base", 0.0, {}),
            ("fast", -1.0, {("only_fast", ""): 1.0}),
            ("slow", 2.0, {}),
        )
        for i in range(3)
    )
    results = Results(("base", "fast", "slow"), 0, replications)
    assert [(s.arm, s.measure, s.group) for s in summarise(results)] == [
        ("base", "wait", ""), ("base", "wait", "card"),
        ("fast", "wait", ""), ("fast", "wait", "card"), ("fast", "only_fast", ""),
        ("slow", "wait", ""), ("slow", "wait", "card"),
    ]  # fmt: skip
    assert [(d.arm, d.group, d.mean) for d in differences(results)] == [
        ("fast", "", -1.0), ("fast", "card", -1.0), ("slow", "", 2.0), ("slow", "card", 2.0),
    ]  # fmt: skip
    against_slow = differences(results, baseline="slow")
    assert {d.baseline for d in against_slow} == {"slow"}
    assert [(d.arm, d.group, d.mean) for d in against_slow][:2] == [
        ("base", "", -2.0),
        ("base", "card", -2.0),
    ]


def test_a_wrong_baseline_or_level_is_refused() -> None:
    results = results_of({"a": [1.0, 2.0], "b": [2.0, 3.0]})
    with pytest.raises(ValueError, match="unknown baseline 'c'; the arms: a, b"):
        differences(results, baseline="c")
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        summarise(results, level=95)
    assert differences(Results((), 0, ())) == ()
    assert summarise(Results((), 0, ())) == ()


# -- the real kernel on common random numbers ------------------------------------------


def _kernel_results(replications: int = 10) -> Results:
    arms = {"base": Station(2.0, 1.0, 3), "faster": Station(2.0, 1.1, 3)}
    found = []
    for index in range(replications):
        for arm, station in arms.items():
            run = simulate(station, horizon=400.0, warmup=50.0, seed=replication_seed(19, index))
            figures = (
                Figure("in_system", "", run.in_system),
                Figure("mean_wait", "", run.mean_wait),
                Figure("arrivals", "", float(run.arrivals)),
            )
            found.append(ReplicationResult(arm, index, figures, events=run.events))
    return Results(tuple(arms), 19, tuple(sorted(found, key=lambda r: (r.arm != "base", r.index))))


def test_on_common_random_numbers_pairing_beats_independent_samples() -> None:
    results = _kernel_results()
    found = {d.measure: d for d in differences(results)}
    # both arms saw the same arrivals: their difference is exactly 0, with no width
    assert (found["arrivals"].mean, found["arrivals"].half_width) == (0.0, 0.0)
    for measure in ("in_system", "mean_wait"):
        base, faster = results.values("base", measure), results.values("faster", measure)
        paired = found[measure]
        interval = stats.ttest_rel(faster, base).confidence_interval(0.95)
        assert paired.low == pytest.approx(interval.low)
        assert paired.high == pytest.approx(interval.high)
        # the same arrivals and work in both arms: the paired interval is less than half as wide
        assert paired.half_width < welch_half_width(faster, base) / 2, measure
        assert paired.high < 0  # faster service shortens the queue, and the interval says so
        assert paired.excludes_zero
    summaries = {(s.arm, s.measure): s for s in summarise(results)}
    assert isinstance(found["in_system"], Difference)
    means = summaries["faster", "in_system"].mean, summaries["base", "in_system"].mean
    assert means[0] - means[1] == pytest.approx(found["in_system"].mean)


@given(values=st.lists(st.floats(), min_size=1, max_size=20))
def test_any_floats_give_an_honest_estimate(values: list[float]) -> None:
    found = estimate(values)
    assert found.replications == len(values)
    if any(math.isnan(v) for v in values) or {math.inf, -math.inf} <= set(values):
        assert math.isnan(found.mean)
    if not all(math.isfinite(v) for v in values):
        assert math.isnan(found.half_width)
        assert not (found.low <= found.mean <= found.high)  # no interval is claimed
    elif len(values) > 1 and math.isfinite(found.mean) and math.isfinite(found.half_width):
        assert found.low <= found.mean <= found.high
        assert min(values) <= found.mean <= max(values)


def test_values_near_the_largest_float_do_not_overflow() -> None:
    big = 1.5e308
    found = estimate([big, big, big])
    assert (found.mean, found.sd, found.half_width) == (big, 0.0, 0.0)
    spread = estimate([big, 1.7e308, 1.6e308])
    assert spread.mean == pytest.approx(1.6e308)
    assert spread.sd == pytest.approx(0.1e308)
    assert (estimate([math.inf, 1.0]).mean, estimate([-math.inf, 1.0]).mean) == (
        math.inf,
        -math.inf,
    )
