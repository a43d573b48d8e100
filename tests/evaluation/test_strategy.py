"""Strategies link initiatives to indicators and indicators to measures: validated data."""

from __future__ import annotations

import datetime as dt

import pytest

from ssp_core import ConfigError, DataError, Registry, hookimpl
from ssp_core.domain.strategy import (
    CouncilTerm,
    FollowUp,
    Goal,
    Indicator,
    Initiative,
    MeasureKind,
    Strategy,
)
from ssp_core.evaluation import MEASURES, Period
from ssp_core.loading import structure
from ssp_core.plugins import Labels
from ssp_core.testing import make_registry

L = Labels("x (da)", "x")


def _strategy(*indicators: Indicator, linked: tuple[str, ...] = ("a",)) -> Strategy:
    return Strategy(
        id="test.strategy",
        labels=L,
        goals=(Goal("safer", L),),
        initiatives=(Initiative("walks", L, goals=("safer",), indicators=linked),),
        follow_up=FollowUp(indicators=indicators),
    )


def test_aalborg_links_every_initiative_to_indicators_with_known_measures(
    aalborg: Registry,
) -> None:
    strategy = aalborg.strategies["aalborg.tryg_aalborg"]
    assert strategy.problems() == []
    assert all(initiative.indicators for initiative in strategy.initiatives)
    kinds = {indicator.kind for indicator in strategy.follow_up.indicators}
    assert kinds == set(MeasureKind)
    assert strategy.follow_up.terms() == (CouncilTerm(2022), CouncilTerm(2026))
    walks = strategy.initiative("safety_walks")
    assert walks.indicators == ("walk_findings_resolved", "safety_index")


def test_every_measure_kind_is_described_in_both_languages() -> None:
    assert set(MEASURES) == set(MeasureKind)
    for measure in MEASURES.values():
        assert measure.labels.da and measure.description.en


@pytest.mark.parametrize(
    ("indicators", "linked", "message"),
    [
        (
            (Indicator("a", L, measure="concerns"),),
            ("b",),
            "initiative 'walks' names unknown indicator 'b'; known: a",
        ),
        (
            (Indicator("a", L, measure="happiness"),),
            ("a",),
            "indicator 'a' names unknown measure 'happiness'; known: safety_index",
        ),
        (
            (Indicator("a", L, measure="concerns", areas=("nord",)),),
            ("a",),
            "measure 'concerns' takes no 'areas' (it takes: age_bands, workflows)",
        ),
        (
            (Indicator("a", L, measure="walk_findings", workflows=("x",)),),
            ("a",),
            "measure 'walk_findings' takes no 'workflows'",
        ),
        (
            (Indicator("a", L, index_measure="unsafe_share"),),
            ("a",),
            "indicator 'a' sets index_measure but names no measure",
        ),
        (
            (Indicator("a", L, measure="safety_index", index_measure="Unsafe share"),),
            ("a",),
            "index measure 'Unsafe share' is not a measure name",
        ),
        ((Indicator("a", L), Indicator("a", L)), ("a",), "indicator 'a' appears more than once"),
    ],
)
def test_strategy_problems_name_what_is_wrong(
    indicators: tuple[Indicator, ...], linked: tuple[str, ...], message: str
) -> None:
    problems = _strategy(*indicators, linked=linked).problems()
    assert any(message in problem for problem in problems), problems


def test_a_plugin_strategy_with_an_unknown_indicator_is_refused_on_load() -> None:
    class BadStrategy:
        @hookimpl
        def ssp_register_strategy(self) -> list[Strategy]:
            return [_strategy(Indicator("a", L, measure="concerns"), linked=("nope",))]

    with pytest.raises(ConfigError, match="names unknown indicator 'nope'"):
        make_registry(BadStrategy())


def test_indicators_and_council_terms_load_from_toml_data() -> None:
    data = {
        "id": "t.s",
        "labels": {"da": "S", "en": "S"},
        "initiatives": [{"id": "i", "labels": {"da": "I", "en": "I"}, "indicators": ["c"]}],
        "follow_up": {
            "council_terms": ["2026-2029"],
            "indicators": [
                {"id": "c", "labels": {"da": "C", "en": "C"}, "measure": "concerns",
                 "workflows": ["aalborg.radicalisation_under_18"], "age_bands": ["aalborg.ssp"]},
            ],
        },
    }  # fmt: skip
    strategy = structure(data, Strategy, where="strategy.toml")
    (indicator,) = strategy.follow_up.indicators
    assert indicator.kind is MeasureKind.CONCERNS
    assert indicator.workflows == ("aalborg.radicalisation_under_18",)
    assert strategy.follow_up.terms() == (CouncilTerm(2026),)
    data["follow_up"]["council_terms"] = ["2026-2030"]  # type: ignore[index]
    with pytest.raises(
        ConfigError, match=r"strategy.toml: .*2026-2030.* is not four calendar years"
    ):
        structure(data, Strategy, where="strategy.toml")


@pytest.mark.parametrize(
    ("text", "first"), [("2022-2025", 2022), ("2026\u20132029", 2026), (" 2018 - 2021 ", 2018)]
)
def test_council_terms_parse(text: str, first: int) -> None:
    term = CouncilTerm.parse(text)
    assert term.first_year == first
    assert (term.start, term.end) == (dt.date(first, 1, 1), dt.date(first + 3, 12, 31))
    assert str(term) == f"{first}-{first + 3}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022", "written like 2022-2025"),
        ("2022-2026", "not four calendar years"),
        ("2023-2026", "no council term begins in 2023"),
    ],
)
def test_bad_council_terms_are_refused(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        CouncilTerm.parse(text)


def test_a_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(DataError, match="ends .* before it starts"):
        Period(dt.date(2025, 1, 2), dt.date(2025, 1, 1))
    period = Period.of_term("2022-2025")
    assert period.years() == ("2022", "2023", "2024", "2025")
    assert dt.date(2025, 12, 31) in period
    assert dt.date(2026, 1, 1) not in period
