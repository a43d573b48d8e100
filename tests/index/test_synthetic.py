"""The synthetic generator: deterministic, its weights remove the bias, and intervals cover the truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ssp_core.index import estimate, generate, generate_crime, load_survey, synthetic_config
from ssp_core.index.synthetic import PROBLEMS

MEASURES = ("unsafe_share", "safe_share", "safety_mean", f"{PROBLEMS[0]}_mean", "composite")


def test_same_seed_same_data_and_files_round_trip(tmp_path: Path) -> None:
    a, b, c = generate(500, seed=4), generate(500, seed=4), generate(500, seed=5)
    for name in a.columns:
        assert np.array_equal(
            a.columns[name], b.columns[name], equal_nan=a.columns[name].dtype.kind == "f"
        )
    assert not np.array_equal(a.columns["safety"], c.columns["safety"])
    direct = estimate(a.survey())
    for path in (a.write(tmp_path / "s.csv"), a.write(tmp_path / "s.parquet")):
        loaded = estimate(load_survey(path, synthetic_config()))
        assert [row.group for row in loaded.rows] == [row.group for row in direct.rows]
        for x, y in zip(loaded.rows, direct.rows, strict=True):
            assert x["composite"].value == pytest.approx(y["composite"].value)
            assert x["unsafe_share"] == y["unsafe_share"]
    assert "Øst" in (tmp_path / "s.csv").read_text(encoding="utf-8")


def test_truth_is_a_distribution() -> None:
    truth = generate(10, seed=0).truth
    for probabilities in truth.safety.values():
        assert sum(probabilities) == pytest.approx(1)
        assert min(probabilities) > 0
    shares = truth.shares("Nord", 2023)
    assert sum(shares.values()) == pytest.approx(1)
    assert truth.value("unsafe_share", "Øst", 2021) > truth.value("unsafe_share", "Centrum", 2021)


def test_weights_remove_the_non_response_bias() -> None:
    survey = generate(60_000, areas=("A",), years=(2025,), seed=1)
    truth = survey.truth.value("unsafe_share", "A", 2025)
    weighted = estimate(survey.survey(), by=())
    e = weighted.rows[0]["unsafe_share"]
    unweighted = float(np.mean(survey.columns["safety"] >= 5))
    assert abs(e.value - truth) < 3 * e.se
    assert truth - unweighted > 10 * e.se  # the young answer less and feel less safe


def test_intervals_cover_the_truth_at_about_the_nominal_rate() -> None:
    config = synthetic_config()
    covered = dict.fromkeys(MEASURES, 0)
    total = 0
    for seed in range(200):
        synthetic = generate(500, areas=("A", "B"), years=(2025,), seed=1000 + seed)
        table = estimate(synthetic.survey(), by=("area",))
        for row in table.rows:
            total += 1
            area = row.group[0]
            for measure in MEASURES:
                if measure == "composite":
                    truth = synthetic.truth.composite(area, 2025, config)
                else:
                    truth = synthetic.truth.value(measure, area, 2025)
                covered[measure] += row[measure].low <= truth <= row[measure].high
    rates = {measure: count / total for measure, count in covered.items()}
    assert all(0.88 <= rate <= 0.99 for rate in rates.values()), rates


def test_bootstrap_intervals_cover_too() -> None:
    covered = total = 0
    for seed in range(40):
        synthetic = generate(400, areas=("A",), years=(2025,), seed=5000 + seed)
        row = estimate(synthetic.survey(), by=(), method="bootstrap", replicates=200).rows[0]
        truth = synthetic.truth.value("safety_mean", "A", 2025)
        covered += row["safety_mean"].low <= truth <= row["safety_mean"].high
        total += 1
    assert covered / total >= 0.8


def test_crime_counts(tmp_path: Path) -> None:
    crime = generate_crime(areas=3, years=(2024, 2025), seed=2)
    assert crime.crimes.shape == (3, 2)
    assert crime.areas == ("Area 01", "Area 02", "Area 03")
    assert (crime.population > 0).all()
    path = crime.to_csv(tmp_path / "c.csv")
    assert path.read_text(encoding="utf-8").splitlines()[0] == "area,year,crimes,population"
    again = generate_crime(areas=3, years=(2024, 2025), seed=2)
    assert np.array_equal(crime.crimes, again.crimes)
