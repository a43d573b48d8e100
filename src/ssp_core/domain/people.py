"""People and the other things a case can be about: a person, a group, an environment.

A person is known only by a pseudonym and a birth date. Their CPR number is turned
into both at the boundary (:mod:`ssp_core.domain.cpr`) and then forgotten.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier, non_empty_text
from ssp_core.exceptions import DataError
from ssp_core.i18n import _

__all__ = [
    "AgeBand",
    "CaseSubject",
    "Environment",
    "Group",
    "Subject",
    "SubjectKind",
    "Unnamed",
    "age_on",
    "turns_age_on",
]


class SubjectKind(StrEnum):
    """What a case is about: one person, a group of people, an environment, or no one named.

    ``unnamed``: an advice request, which describes a situation without naming anyone.
    """

    PERSON = "person"
    GROUP = "group"
    ENVIRONMENT = "environment"
    UNNAMED = "unnamed"


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``birth_date``.

    A person born on 29 February turns a year older on 1 March in common years.
    """
    if day < birth_date:
        raise DataError(_("the date is before the birth date"))
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def turns_age_on(birth_date: dt.date, age: int) -> dt.date:
    """Return the day someone born on ``birth_date`` turns ``age`` years old.

    Danish practice, as :func:`age_on` counts: a person born on 29 February turns a
    year older on 1 March in common years. (Python's ``date.replace`` refuses 29
    February in a common year, and ``dateutil``'s ``relativedelta`` gives 28
    February; neither is used.) ``age_on(birth_date, turns_age_on(birth_date, n))``
    is ``n``, and the day before it is ``n - 1``.
    """
    if age < 0:
        raise DataError(_("an age must be 0 or more, got {age}").format(age=age))
    year = birth_date.year + age
    if (birth_date.month, birth_date.day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 3, 1)
    return birth_date.replace(year=year)


@attrs.frozen
class Subject:
    """A person a case is about: a keyed pseudonym and a birth date, nothing else.

    A case opened about a person takes only a pseudonym of the pseudonymiser's form
    (:func:`~ssp_core.domain.validators.check_pseudonym`, checked where a case is
    opened); a history stored before that rule still reads.
    """

    pseudonym: str = attrs.field(validator=non_empty_text)
    birth_date: dt.date = attrs.field(validator=attrs.validators.instance_of(dt.date))

    kind = SubjectKind.PERSON

    def age_on(self, day: dt.date) -> int:
        """Return the person's age in whole years on ``day``."""
        return age_on(self.birth_date, day)

    def turns_on(self, age: int) -> dt.date:
        """Return the day the person turns ``age`` (29 February: 1 March in common years)."""
        return turns_age_on(self.birth_date, age)

    @property
    def ref(self) -> str:
        """Return the reference a case stores for its subject."""
        return f"person:{self.pseudonym}"


@attrs.frozen
class Group:
    """A group of people, e.g. the parents in a group course of the parent-coach corps."""

    id: str = attrs.field(validator=identifier)
    labels: Labels
    size: int = attrs.field(validator=attrs.validators.ge(1))

    kind = SubjectKind.GROUP

    @property
    def ref(self) -> str:
        """Return the reference a case stores for its subject."""
        return f"group:{self.id}"


@attrs.frozen
class Environment:
    """A youth environment, a place or a community: the subject of group-oriented work."""

    id: str = attrs.field(validator=identifier)
    labels: Labels

    kind = SubjectKind.ENVIRONMENT

    @property
    def ref(self) -> str:
        """Return the reference a case stores for its subject."""
        return f"environment:{self.id}"


@attrs.frozen
class Unnamed:
    """No one named: the subject of an advice request to the INFO house.

    An advice request describes a situation; it names no person, group or place, so
    its subject carries nothing. If the worry turns into a concern, the person is
    pseudonymised then, on the concern's own case.
    """

    kind = SubjectKind.UNNAMED

    @property
    def ref(self) -> str:
        """Return the reference a case stores for its subject."""
        return "unnamed"


CaseSubject = Subject | Group | Environment | Unnamed
"""Anything a case can be about."""


@attrs.frozen
class AgeBand:
    """An age range used to pick an action card or to report; local data, not law.

    An age is in the band if it is at least ``min_age`` and, if ``max_age`` is given, at
    most ``max_age``.

    :ivar id: the band's id, e.g. ``aalborg.under_18`` (lower-case letters, digits and
        ``_``, starting with a letter; parts joined by ``.`` or ``-``); a municipality's
        plugin names it ``<municipality>.<name>``. An action card names it in
        ``applies_to.age_band``.
    :ivar labels: its name in Danish and English.
    :ivar min_age: the youngest age in the band, in whole years: 0 or more; required.
    :ivar max_age: the oldest age in the band, in whole years, included; not below
        ``min_age``. Left out: no upper limit (a band such as 18 and over).
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    min_age: int = attrs.field(validator=attrs.validators.ge(0))
    max_age: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.max_age is not None and self.max_age < self.min_age:
            raise DataError(
                f"age band {self.id!r}: max_age {self.max_age} is below min_age {self.min_age}"
            )

    def contains(self, age: int) -> bool:
        """Tell whether ``age`` lies in this band."""
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)
