"""One rule for the age at the concern: the concern date, else the Danish date of the opening.

The store keeps the age in clear for statistics (the birth date is sealed) and the
research export reads it; both take it from :attr:`CaseOpened.age_at_concern`. An
opening late in the UTC evening falls on the next Danish day, which can be the
person's birthday: the UTC date would make them a year younger.
"""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from ssp_core.domain.events import CaseOpened
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import CaseSubject, Environment, Group, Subject
from ssp_core.domain.redaction import WITHHELD, RedactedPerson
from ssp_core.privacy.sealing import new_data_key
from ssp_core.privacy.tables import opening_of
from ssp_core.store.codec import codec

BIRTHDAY = dt.date(2010, 6, 15)
SUMMER_EVE = dt.datetime(2024, 6, 14, 23, 30, tzinfo=dt.UTC)
"""23:30 UTC on the eve of the 14th birthday: 01:30 on the birthday in Denmark (UTC+2)."""


def opening(
    subject: CaseSubject | RedactedPerson,
    at: dt.datetime = SUMMER_EVE,
    concern_date: dt.date | None = None,
) -> CaseOpened:
    return CaseOpened(
        case_id="C-1",
        version=1,
        at=at,
        actor="anne",
        role="r",
        workflow="w",
        workflow_version=1,
        state="start",
        subject=subject,
        concern_date=concern_date,
    )


def test_an_opening_late_in_the_utc_evening_counts_the_danish_day() -> None:
    event = opening(Subject("9" * 32, BIRTHDAY))
    assert SUMMER_EVE.date() == dt.date(2024, 6, 14)  # the old rule's day: age 13
    assert event.concern_day == dt.date(2024, 6, 15)
    assert event.age_at_concern == 14


@pytest.mark.parametrize(
    ("birth", "at", "age"),
    [
        # Winter (UTC+1): 23:30 UTC is 00:30 the next day in Denmark.
        (dt.date(2010, 1, 15), dt.datetime(2024, 1, 14, 23, 30, tzinfo=dt.UTC), 14),
        (dt.date(2010, 1, 15), dt.datetime(2024, 1, 14, 22, 59, tzinfo=dt.UTC), 13),
        (BIRTHDAY, dt.datetime(2024, 6, 14, 21, 59, tzinfo=dt.UTC), 13),
        # Born on the Danish day of the opening, the UTC day before: 0, not "not born yet".
        (dt.date(2024, 6, 15), SUMMER_EVE, 0),
        (dt.date(2024, 6, 16), SUMMER_EVE, None),
    ],
)
def test_the_age_is_taken_on_the_danish_date(
    birth: dt.date, at: dt.datetime, age: int | None
) -> None:
    assert opening(Subject("9" * 32, birth), at).age_at_concern == age


def test_a_concern_date_wins_and_only_a_person_has_an_age() -> None:
    person = Subject("9" * 32, BIRTHDAY)
    event = opening(person, concern_date=dt.date(2024, 6, 1))
    assert event.concern_day == dt.date(2024, 6, 1)
    assert event.age_at_concern == 13
    assert opening(person, concern_date=dt.date(2009, 1, 1)).age_at_concern is None
    for subject in (
        Group("g", Labels("Forældre", "Parents"), 4),
        Environment("e", Labels("Byen", "The town")),
    ):
        assert opening(subject).age_at_concern is None
    assert opening(RedactedPerson(15, WITHHELD)).age_at_concern == 15
    assert opening(RedactedPerson(None, WITHHELD)).age_at_concern is None


def test_the_store_and_the_export_keep_the_same_age() -> None:
    event = opening(Subject("9" * 32, BIRTHDAY))
    sealed = codec.encode(event, key=new_data_key())
    assert orjson.loads(sealed.data)["subject"]["age"] == 14  # the UTC rule stored 13
    withheld = codec.decode(sealed, readable=set())
    assert isinstance(withheld, CaseOpened)
    assert withheld.subject == RedactedPerson(14, WITHHELD)
    for row in (sealed, codec.encode(event)):  # sealed, and unsealed (before schema 2)
        _, age = opening_of(codec, row)
        assert age == 14
