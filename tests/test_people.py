from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_core import Actor, Casework, DataError, Environment, Group, Subject, load_registry
from ssp_core.domain.people import age_on
from ssp_core.domain.validators import check_pseudonym
from ssp_core.plugins import AgeBand, Labels
from ssp_core.testing import pseudonym_for

L = Labels(da="x", en="x")


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (dt.date(2010, 5, 14), dt.date(2026, 5, 13), 15),
        (dt.date(2010, 5, 14), dt.date(2026, 5, 14), 16),
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),  # leap-day birthdays count from 1 March
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
        (dt.date(2008, 2, 29), dt.date(2028, 2, 29), 20),
    ],
)
def test_age_on(born: dt.date, day: dt.date, age: int) -> None:
    assert age_on(born, day) == age
    assert Subject(pseudonym_for("p"), born).age_on(day) == age


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(DataError, match="before the birth date"):
        age_on(dt.date(2020, 1, 2), dt.date(2020, 1, 1))


@given(born=st.dates(dt.date(1900, 1, 1), dt.date(2020, 1, 1)), years=st.integers(0, 100))
def test_age_on_the_birthday_is_the_number_of_years(born: dt.date, years: int) -> None:
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        birthday = dt.date(born.year + years, 3, 1)
    assert age_on(born, birthday) == years
    if years:
        assert age_on(born, birthday - dt.timedelta(days=1)) == years - 1


def test_age_bands() -> None:
    young, adult = AgeBand("sample.young", L, 0, 17), AgeBand("sample.adult", L, 18)
    assert young.contains(17) and not young.contains(18)
    assert adult.contains(18) and adult.contains(120) and not adult.contains(17)
    with pytest.raises(DataError, match="below min_age"):
        AgeBand("bad", L, 18, 10)


def test_subject_refs_tell_kinds_apart() -> None:
    assert Subject("abc" + "0" * 29, dt.date(2000, 1, 1)).ref == "person:abc" + "0" * 29
    assert Group("g.one", L, 4).ref == "group:g.one"
    assert Environment("env.one", L).ref == "environment:env.one"


@pytest.mark.parametrize(
    "value",
    ["311299-4321", "3112994321", "p" * 32, "A" * 32, "a" * 31, "a" * 33, "", " " + "a" * 31],
)
def test_item_3_only_the_pseudonymisers_form_is_a_pseudonym(value: str) -> None:
    with pytest.raises(DataError) as refused:
        check_pseudonym(value)
    message = str(refused.value)
    assert "32 lower-case hexadecimal digits" in message
    assert value.strip() not in message or not value.strip()  # never quotes what it refused
    if value.replace("-", "").isdigit():
        assert "CPR" in message


def test_item_3_a_case_is_opened_only_on_a_pseudonym_of_that_form() -> None:
    casework = Casework(load_registry())
    actor = Actor("anne", "aalborg.ssp_consultant")
    for value in ("311299-4321", "p" * 32):
        with pytest.raises(DataError, match="32 lower-case hexadecimal digits"):
            casework.open_case(
                workflow="aalborg.mentor",
                subject=Subject(value, dt.date(1999, 12, 31)),
                actor=actor,
            )
    assert casework.find(actor) == []
    ok = casework.open_case(
        workflow="aalborg.mentor", subject=Subject("a" * 32, dt.date(2008, 1, 1)), actor=actor
    )
    assert ok.subject == Subject("a" * 32, dt.date(2008, 1, 1))


def test_identifiers_and_labels_are_validated() -> None:
    with pytest.raises(DataError, match="identifier"):
        Environment("Not An Id", L)
    with pytest.raises(DataError, match="non-empty text"):
        Labels(da=" ", en="x")
    assert Labels(da="Tryghed", en="Safety").get("da") == "Tryghed"
    assert str(Labels(da="Tryghed", en="Safety")) == "Safety"
