"""The estimates against independent implementations: statsmodels and a naive pure-Python groupby."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.regression.linear_model import WLS
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from ssp_core.exceptions import DataError
from ssp_core.index import Columns, Cuts, IndexConfig, estimate
from ssp_core.index.intervals import normal_quantile
from tests.index.conftest import make_survey

Z = normal_quantile(0.95)


@st.composite
def weighted_answers(
    draw: st.DrawFn, min_size: int = 2, max_size: int = 60
) -> tuple[list[float], list[int]]:
    n = draw(st.integers(min_size, max_size))
    weights = draw(st.lists(st.floats(0.05, 20, allow_nan=False), min_size=n, max_size=n))
    safety = draw(st.lists(st.integers(1, 7), min_size=n, max_size=n))
    return weights, safety


def linearised_se(y: np.ndarray, w: np.ndarray) -> float:
    """statsmodels: WLS on a constant with HC1 (sandwich) errors is the linearised SE."""
    return float(WLS(y, np.ones_like(y), weights=w).fit(cov_type="HC1").bse[0])


@given(weighted_answers())
def test_mean_and_se_match_statsmodels(data: tuple[list[float], list[int]]) -> None:
    weights, safety = data
    w, y = np.array(weights), np.array(safety, dtype=float)
    row = estimate(make_survey(weights, safety), by=()).rows[0]
    e = row["safety_mean"]
    assert e.value == pytest.approx(DescrStatsW(y, weights=w).mean, rel=1e-12)
    if np.ptp(y) > 0:
        assert e.se == pytest.approx(linearised_se(y, w), rel=1e-9)
    else:
        assert e.se == pytest.approx(0, abs=1e-12)
    assert e.low == pytest.approx(e.value - Z * e.se)
    assert e.high == pytest.approx(e.value + Z * e.se)
    assert row.n == len(w)
    assert row.weight_sum == pytest.approx(w.sum())
    assert row.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())


@given(st.lists(st.integers(1, 7), min_size=2, max_size=50))
def test_with_equal_weights_the_se_is_descrstatsw_std_mean(safety: list[int]) -> None:
    # DescrStatsW treats weights as frequencies: std_mean^2 = sum w (y - m)^2 / sum w / (sum w - 1),
    # which for unit weights is our n / (n - 1) * sum (y - m)^2 / n^2.
    y = np.array(safety, dtype=float)
    e = estimate(make_survey([1.0] * len(y), safety), by=()).rows[0]["safety_mean"]
    assert e.se == pytest.approx(
        DescrStatsW(y, weights=np.ones_like(y)).std_mean, rel=1e-9, abs=1e-12
    )


@given(weighted_answers(), st.sampled_from([(1, 3), (1, 2), (1, 4)]))
def test_shares_are_weighted_means_of_indicators(
    data: tuple[list[float], list[int]], safe: tuple[int, int]
) -> None:
    weights, safety = data
    cuts = Cuts(
        safe=safe,
        neither=(safe[1] + 1, 4) if safe[1] < 4 else (5, 5),
        unsafe=(5, 7) if safe[1] < 4 else (6, 7),
    )
    config = IndexConfig(cuts=cuts)
    w, y = np.array(weights), np.array(safety)
    row = estimate(make_survey(weights, safety, config=config), by=()).rows[0]
    total = 0.0
    for name, (low, high) in cuts.ranges().items():
        indicator = ((y >= low) & (y <= high)).astype(float)
        e = row[f"{name}_share"]
        assert e.value == pytest.approx(DescrStatsW(indicator, weights=w).mean, abs=1e-12)
        total += e.value
        assert 0 <= e.low <= e.value <= e.high <= 1
        if 0 < e.value < 1:
            assert e.se == pytest.approx(linearised_se(indicator, w), rel=1e-9)
            n_star = e.value * (1 - e.value) / e.se**2
            expected = proportion_confint(e.value * n_star, n_star, alpha=0.05, method="wilson")
            assert (e.low, e.high) == pytest.approx(expected, rel=1e-9)
    assert total == pytest.approx(1)


def test_a_share_of_zero_gets_a_wilson_interval_on_kish_n() -> None:
    weights = [1.0, 2.0, 1.0, 3.0]
    e = estimate(make_survey(weights, [1, 2, 3, 1]), by=()).rows[0]["unsafe_share"]
    kish = sum(weights) ** 2 / sum(v * v for v in weights)
    low, high = proportion_confint(0, kish, alpha=0.05, method="wilson")
    assert (e.value, e.se) == (0.0, 0.0)
    assert e.low == pytest.approx(max(low, 0), abs=1e-12)
    assert e.high == pytest.approx(high)


@st.composite
def grouped(draw: st.DrawFn) -> dict[str, list]:
    n = draw(st.integers(1, 80))
    return {
        "w": draw(st.lists(st.floats(0.1, 10), min_size=n, max_size=n)),
        "y": draw(st.lists(st.integers(1, 7), min_size=n, max_size=n)),
        "area": draw(st.lists(st.sampled_from(["Nord", "Syd", "Øst"]), min_size=n, max_size=n)),
        "year": draw(st.lists(st.sampled_from([2023, 2024, 2025]), min_size=n, max_size=n)),
        "item": draw(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=n, max_size=n)),
    }


def naive(data: dict[str, list], by: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, float]]:
    """A pure-Python groupby: the weighted unsafe share, the mean of the item, and its SE."""
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(data["w"])):
        groups[tuple(str(data[name][i]) for name in by)].append(i)
    out = {}
    for key, members in groups.items():
        weight = sum(data["w"][i] for i in members)
        unsafe = sum(data["w"][i] for i in members if data["y"][i] >= 5) / weight
        answered = [i for i in members if data["item"][i] is not None]
        result = {"n": len(members), "unsafe": unsafe, "item_n": len(answered)}
        if answered:
            wi = sum(data["w"][i] for i in answered)
            mean = sum(data["w"][i] * data["item"][i] for i in answered) / wi
            result["item"] = mean
            if len(answered) > 1:
                spread = sum((data["w"][i] * (data["item"][i] - mean)) ** 2 for i in answered)
                result["item_se"] = math.sqrt(len(answered) / (len(answered) - 1) * spread / wi**2)
        out[key] = result
    return out


@given(grouped(), st.sampled_from([("area", "year"), ("year",), ("area",), (), ("year", "area")]))
def test_grouping_matches_a_naive_groupby(data: dict[str, list], by: tuple[str, ...]) -> None:
    config = IndexConfig(columns=Columns(problems=("item",)))
    items = {"item": [math.nan if v is None else v for v in data["item"]]}
    survey = make_survey(
        data["w"], data["y"], areas=data["area"], years=data["year"], items=items, config=config
    )
    table = estimate(survey, by=by)
    expected = naive(data, by)
    assert {row.group for row in table.rows} == set(expected)
    assert [row.group for row in table.rows] == sorted(
        (row.group for row in table.rows),
        key=lambda g: tuple(int(x) if x.isdigit() else x for x in g),
    )
    for row in table.rows:
        want = expected[row.group]
        assert row.n == want["n"]
        assert row["unsafe_share"].value == pytest.approx(want["unsafe"], abs=1e-12)
        item = row["item_mean"]
        assert item.n == want["item_n"]
        if "item" in want:
            assert item.value == pytest.approx(want["item"], rel=1e-12)
        else:
            assert math.isnan(item.value)
        if "item_se" in want:
            assert item.se == pytest.approx(want["item_se"], rel=1e-9, abs=1e-12)
        else:
            assert math.isnan(item.se)
    total = len(data["w"])
    assert sum(row.n for row in table.rows) == total


def test_composite_is_its_formula_and_its_se_is_the_linearised_one() -> None:
    rng = np.random.default_rng(3)
    n = 400
    w = rng.uniform(0.5, 3, n)
    y = rng.integers(1, 8, n).astype(float)
    item = rng.integers(1, 6, n).astype(float)
    item[rng.random(n) < 0.1] = np.nan
    config = IndexConfig(columns=Columns(problems=("litter",)))
    row = estimate(make_survey(w, y, items={"litter": item}, config=config), by=()).rows[0]
    c = row["composite"]
    expected = (
        0.5 * 100 * (7 - row["safety_mean"].value) / 6
        + 0.5 * 100 * (5 - row["litter_mean"].value) / 4
    )
    assert c.value == pytest.approx(expected)
    # the influence values, spelled out: u_i = sum_k a_k w_i (y_ik - m_k) / W_k
    answered = ~np.isnan(item)
    m1, m2 = row["safety_mean"].value, row["litter_mean"].value
    u = -50 / 6 * w * (y - m1) / w.sum() + np.where(
        answered, -50 / 4 * w * (np.nan_to_num(item) - m2) / w[answered].sum(), 0
    )
    assert c.se == pytest.approx(math.sqrt(n / (n - 1) * (u**2).sum()), rel=1e-9)
    assert row["composite"].low == pytest.approx(c.value - Z * c.se)


def test_bootstrap_agrees_with_linearisation_and_is_seeded() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    w = rng.uniform(0.5, 4, n)
    y = rng.integers(1, 8, n).astype(float)
    areas = rng.choice(["A", "B"], n)
    survey = make_survey(w, y, areas=areas)
    linear = estimate(survey, by=("area",))
    boot = estimate(survey, by=("area",), method="bootstrap", replicates=400, seed=5)
    again = estimate(survey, by=("area",), method="bootstrap", replicates=400, seed=5)
    assert boot == again
    assert boot.method == "bootstrap"
    for a, b in zip(linear.rows, boot.rows, strict=True):
        for measure in ("unsafe_share", "safety_mean", "composite"):
            assert b[measure].value == a[measure].value
            assert b[measure].se == pytest.approx(a[measure].se, rel=0.15)
            assert b[measure].low < b[measure].value < b[measure].high
            assert b[measure].low == pytest.approx(a[measure].low, abs=1.5 * a[measure].se)


def test_explicit_levels_and_empty_groups() -> None:
    survey = make_survey(
        [1, 1, 1, 1], [1, 2, 6, 7], areas=["A", "A", "B", "B"], years=[2024, 2025, 2024, 2024]
    )
    table = estimate(survey)
    assert [row.group for row in table.rows] == [("A", "2024"), ("A", "2025"), ("B", "2024")]
    assert table.empty_groups == (("B", "2025"),)
    with pytest.raises(
        DataError,
        match=r"2 requested group\(s\) have no respondents \(area, year\): B, 2025; C, 2025",
    ):
        estimate(survey, levels={"area": ["A", "B", "C"], "year": [2025]})
    dropped = estimate(survey, levels={"area": ["A", "B", "C"], "year": [2025]}, drop_empty=True)
    assert [row.group for row in dropped.rows] == [("A", "2025")]
    assert dropped.empty_groups == (("B", "2025"), ("C", "2025"))
    only = estimate(survey, levels={"year": ["2024"]})
    assert [row.group for row in only.rows] == [("A", "2024"), ("B", "2024")]
    with pytest.raises(DataError, match="levels given for 'age'"):
        estimate(survey, levels={"age": ["sample.young"]})
    with pytest.raises(DataError, match="cannot group by 'district'; allowed: area, year"):
        estimate(survey, by=("district",))
    with pytest.raises(DataError, match="names a variable twice"):
        estimate(survey, by=("area", "area"))
    with pytest.raises(DataError, match="unknown interval method 'jackknife'"):
        estimate(survey, method="jackknife")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="confidence 1.2: must be between 0 and 1"):
        estimate(survey, confidence=1.2)


def test_a_group_of_one_has_no_se_but_a_share_interval() -> None:
    row = estimate(make_survey([2.0], [6]), by=()).rows[0]
    assert math.isnan(row["safety_mean"].se)
    assert math.isnan(row["safety_mean"].low)
    e = row["unsafe_share"]
    assert e.value == 1.0
    assert 0 < e.low < 1 and e.high == 1.0


def test_table_outputs(tmp_path) -> None:
    config = IndexConfig(columns=Columns(problems=("litter",)))
    survey = make_survey(
        [1, 2, 1],
        [1, 5, 7],
        areas=["A", "A", "B"],
        items={"litter": [1, math.nan, 2]},
        config=config,
    )
    table = estimate(survey, by=("area",))
    assert table.columns()[:4] == ["area", "n", "n_eff", "weight_sum"]
    assert table.columns()[-1] == "composite_note"
    records = table.records()
    assert records[0][0] == "A" and records[0][-1] == "not the official police safety index"
    path = table.to_csv(tmp_path / "t.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == table.columns()
    assert ",," in lines[2]  # NaN (the SE of a group of one) is an empty cell
    dicts = table.as_dicts()
    assert dicts[1]["safety_mean_se"] is None
    assert table.row("B").n == 1
    with pytest.raises(DataError, match="no group"):
        table.row("C")
    with pytest.raises(DataError, match="unknown measure 'happiness'"):
        table.rows[0]["happiness"]
