"""The safety-index and crime series: the indicator's measure and areas, small groups hidden."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ssp_core import ConfigError, DataError
from ssp_core.domain.strategy import Indicator
from ssp_core.evaluation import IndexInputs, Period
from ssp_core.evaluation.index_series import check, estimates, rates, reported_crime, safety_index
from ssp_core.plugins import Labels

L = Labels("x", "x")
TERM = Period.of_term("2022-2025")


def _survey(tmp_path: Path) -> Path:
    rows = ["respondent,area,year,weight,safety"]
    number = 0
    for area, year, answers in (
        ("Nord", 2024, [1, 2, 5, 6, 7, 3, 2, 1]),
        ("Nord", 2025, [1, 1, 6]),  # three respondents: not shown
        ("Syd", 2025, [7, 6, 6, 5, 1, 2]),
        ("Syd", 2021, [1, 1, 1, 1, 1, 1]),  # before the term
    ):
        for answer in answers:
            number += 1
            rows.append(f"r{number},{area},{year},1.5,{answer}")
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_series_keeps_the_term_and_hides_groups_under_five_respondents(tmp_path: Path) -> None:
    table = estimates(IndexInputs(survey=_survey(tmp_path)))
    series = safety_index(table, Indicator("s", L, measure="safety_index"), TERM)
    assert series.measure == "unsafe_share" and series.percent
    assert [(p.area, p.year) for p in series.points] == [("Nord", 2024), ("Syd", 2025)]
    assert series.points[0].value == pytest.approx(3 / 8)
    assert series.hidden == 1
    assert series.points[0].low is not None and series.points[0].low < 3 / 8
    only = Indicator("s", L, measure="safety_index", index_measure="safety_mean", areas=("Syd",))
    (point,) = safety_index(table, only, TERM).points
    assert (point.area, point.value) == ("Syd", pytest.approx(27 / 6))


def test_a_measure_or_area_the_survey_lacks_is_named(tmp_path: Path) -> None:
    table = estimates(IndexInputs(survey=_survey(tmp_path)))
    with pytest.raises(ConfigError, match="no measure 'worry_mean'; known: safe_share"):
        safety_index(
            table, Indicator("s", L, measure="safety_index", index_measure="worry_mean"), TERM
        )
    with pytest.raises(
        DataError, match="names area 'Vest', which the survey does not have; its areas: Nord, Syd"
    ):
        safety_index(table, Indicator("s", L, measure="safety_index", areas=("Vest",)), TERM)


def test_crime_rates_resting_on_one_to_four_crimes_are_hidden(tmp_path: Path) -> None:
    path = tmp_path / "crime.csv"
    path.write_text(
        "area,year,crimes,population\nNord,2024,3,900\nNord,2025,0,900\nSyd,2025,45,1500\n",
        encoding="utf-8",
    )
    series = reported_crime(
        rates(IndexInputs(crime=path)), Indicator("c", L, measure="reported_crime"), TERM
    )
    assert [(p.area, p.year, p.value) for p in series.points] == [
        ("Nord", 2025, 0.0),
        ("Syd", 2025, 30.0),
    ]
    assert series.hidden == 1
    assert series.labels.en == "Reported crimes per 1,000 residents"


def test_files_must_exist_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="the survey file .*nope.csv does not exist"):
        check(IndexInputs(survey=tmp_path / "nope.csv"))
    with pytest.raises(DataError, match="needs a survey file"):
        estimates(IndexInputs())
    assert Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)).years() == ("2024",)
