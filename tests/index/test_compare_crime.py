from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import stats

from ssp_core.exceptions import DataError
from ssp_core.index import compare, comparisons, crime_rates, difference, estimate, load_crime
from ssp_core.index.estimate import Estimate
from ssp_core.index.intervals import normal_quantile, poisson_interval, regularized_gamma
from ssp_core.index.synthetic import SyntheticSurvey
from tests.index.conftest import write_csv


def test_difference_of_independent_estimates() -> None:
    a, b = Estimate(0.2, 0.1, 0.3, 0.03, 100), Estimate(0.3, 0.2, 0.4, 0.04, 100)
    value, low, high, se = difference(a, b, 0.95)
    assert value == pytest.approx(0.1)
    assert se == pytest.approx(0.05)
    assert (low, high) == pytest.approx((0.1 - 1.959964 * 0.05, 0.1 + 1.959964 * 0.05))


def test_compare_and_comparisons(small: SyntheticSurvey) -> None:
    table = estimate(small.survey())
    one = compare(table, "unsafe_share", ("Area 01", 2024), ("Area 03", 2024))
    a, b = table.row("Area 01", 2024)["unsafe_share"], table.row("Area 03", 2024)["unsafe_share"]
    assert one.difference == pytest.approx(b.value - a.value)
    assert one.se == pytest.approx(math.hypot(a.se, b.se))
    assert one.clear  # the synthetic areas differ a lot
    years = comparisons(table, "safety_mean")
    assert [(c.first, c.second) for c in years.rows] == [
        (("Area 01", "2024"), ("Area 01", "2025")),
        (("Area 02", "2024"), ("Area 02", "2025")),
        (("Area 03", "2024"), ("Area 03", "2025")),
    ]
    areas = comparisons(table, "composite", along="area")
    assert len(areas.rows) == 2 * 3  # three pairs in each of two years
    assert areas.columns()[:4] == ["first_area", "first_year", "second_area", "second_year"]
    assert len(areas.records()[0]) == len(areas.columns())
    with pytest.raises(DataError, match="compare two different groups"):
        compare(table, "unsafe_share", ("Area 01", 2024), ("Area 01", 2024))
    with pytest.raises(DataError, match="cannot compare along 'age'"):
        comparisons(table, "unsafe_share", along="age")
    with pytest.raises(DataError, match="unknown measure 'x'"):
        comparisons(table, "x")


@pytest.mark.parametrize("count", [0, 1, 3, 10, 57, 1000, 25_000])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_poisson_interval_is_scipys_exact_one(count: int, confidence: float) -> None:
    alpha = 1 - confidence
    low, high = poisson_interval(count, confidence)
    expected_low = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count else 0.0
    assert low == pytest.approx(expected_low, rel=1e-9, abs=1e-12)
    assert high == pytest.approx(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2, rel=1e-9)


@pytest.mark.parametrize(("a", "x"), [(0.5, 0.1), (3, 2.5), (10, 30), (200, 180), (1e4, 1.01e4)])
def test_regularized_gamma_is_scipys(a: float, x: float) -> None:
    lower, upper = regularized_gamma(a, x)
    assert lower == pytest.approx(stats.gamma.cdf(x, a), rel=1e-9, abs=1e-14)
    assert upper == pytest.approx(stats.gamma.sf(x, a), rel=1e-9, abs=1e-14)


def test_normal_quantile() -> None:
    assert normal_quantile(0.95) == pytest.approx(stats.norm.ppf(0.975))


def test_crime_rates_per_1000(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        ("area", "year", "crimes", "population"),
        [("Syd", 2025, 40, 8000), ("Nord", 2025, 0, 1200), ("Nord", 2024, 12, 1000)],
    )
    table = crime_rates(load_crime(path))
    assert [(r.area, r.year) for r in table.rows] == [("Nord", 2024), ("Nord", 2025), ("Syd", 2025)]
    syd = table.rows[2]
    assert syd.rate == pytest.approx(5.0)
    assert syd.low == pytest.approx(stats.chi2.ppf(0.025, 80) / 2 / 8)
    assert syd.high == pytest.approx(stats.chi2.ppf(0.975, 82) / 2 / 8)
    assert table.rows[1].rate == 0 and table.rows[1].low == 0 and table.rows[1].high > 0
    assert table.columns()[4] == "rate_per_1000"
    assert crime_rates(load_crime(path), per=100_000).rows[2].rate == pytest.approx(500)


def test_bad_crime_rows_are_named(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        ("area", "year", "crimes", "population"),
        [
            ("Syd", 2025, -1, 8000),
            ("Nord", 2025, 3, 0),
            ("Nord", 2025, 2.5, 100),
            ("", 2025, 1, 10),
            ("Øst", 2025, 1, 10),
        ],
    )
    with pytest.raises(DataError) as info:
        load_crime(path)
    message = str(info.value)
    assert "crimes: not a whole number from 0 (rows 2, 4)" in message
    assert "population: not a whole number from 1 (row 3)" in message
    assert "the same area and year as an earlier row (row 4)" in message
    assert "area: no area (row 5)" in message
    counts = load_crime(path, drop_invalid=True)
    assert counts.areas == ("Øst",)
