from __future__ import annotations

import datetime as dt

import pytest

from ssp_core import UnknownId
from ssp_core.plugins import (
    Goal,
    Initiative,
    Labels,
    Observation,
    Source,
    Strategy,
    WorrySign,
    WorrySignCatalogue,
    WorrySignLevel,
    WorrySignScope,
)

L = Labels(da="x", en="x")


def test_strategy_problems_name_unknown_goals_and_repeats() -> None:
    strategy = Strategy(
        "s.one",
        L,
        goals=(Goal("safer", L), Goal("safer", L)),
        initiatives=(Initiative("walks", L, goals=("safer", "happier")),),
    )
    assert strategy.problems() == [
        "goal 'safer' appears more than once",
        "initiative 'walks' names unknown goal 'happier'",
    ]
    assert strategy.goal("safer").id == "safer"
    with pytest.raises(KeyError):
        strategy.goal("happier")


def catalogue(*signs: str) -> WorrySignCatalogue:
    return WorrySignCatalogue(
        id="c.one",
        version=1,
        labels=L,
        source=Source("Help tool", publisher="A municipality", year=2016, page="4"),
        levels=(
            WorrySignLevel(
                "relations", L, WorrySignScope.PERSON, tuple(WorrySign(s, L) for s in signs)
            ),
        ),
    )


def test_a_catalogue_finds_its_signs_and_names_repeats() -> None:
    level, sign = catalogue("a", "b").sign("b")
    assert (level.id, sign.id) == ("relations", "b")
    with pytest.raises(UnknownId, match="'z'; known: a, b"):
        catalogue("a", "b").sign("z")
    assert catalogue("a", "a").problems() == ["catalogue 'c.one': id 'a' appears more than once"]
    assert catalogue("relations").problems() == [
        "catalogue 'c.one': id 'relations' appears more than once"
    ]


def test_sources_read_as_citations() -> None:
    assert str(
        Source(
            "Metoder i arbejdet med radikalisering", publisher="Ministeriet", year=2012, page="8"
        )
    ) == ("Metoder i arbejdet med radikalisering (Ministeriet, 2012), p. 8")
    assert str(Source("Slides")) == "Slides"


def test_an_observation_is_who_saw_what_when() -> None:
    seen = Observation("c.one", "a", "sample.teacher", dt.date(2026, 3, 2), "In the schoolyard.")
    assert (seen.sign, seen.observed_by, seen.observed_on) == (
        "a",
        "sample.teacher",
        dt.date(2026, 3, 2),
    )
    with pytest.raises(Exception, match="observed_by must be a non-empty text"):
        Observation("c.one", "a", " ", dt.date(2026, 3, 2))
