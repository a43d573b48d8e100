"""Coming of age: a person under 18 at the concern who turns 18 while the case is open.

The case keeps its card and its history: the card was chosen by the age on the
concern date, and its rules do not change by themselves on a birthday. What changes
is that people should know, so the case view, the options and a list say so
(:mod:`ssp_core.application.coming_of_age`), and a plugin can react.

The 18th birthday is computed from the sealed birth date, so only a reader granted
the ``subject`` field group learns it. A reader without it is told nothing (not even
"turns 18 during this case"): a flag that flips from one day to the next would give
away the exact birthday to anyone who looked on both days.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.domain.cases import Case
from ssp_core.domain.events import CaseOpened, ComingOfAgeAnnounced
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import Subject
from ssp_core.i18n import N_, _, language

__all__ = ["ADULT_AGE", "ComingOfAge", "announced", "coming_of_age", "earliest_18th_birthday"]

ADULT_AGE = 18
"""The age of majority in Denmark: a child under it is covered by Barnets Lov."""


@attrs.frozen
class ComingOfAge:
    """When the person a case is about turns (or turned) 18, during the case.

    ``turns_18_on`` is the 18th birthday (29 February: 1 March in common years);
    ``turned`` tells whether it is on or before the day asked; ``closed`` whether the
    case was closed then (it turned 18 while the case was still open). ``workflow``
    is the card (or track) the case stays on; ``card`` whether it is an action card.
    """

    turns_18_on: dt.date
    workflow: str
    turned: bool
    closed: bool = False
    card: bool = True

    @property
    def statement(self) -> Labels:
        """Return the plain statement shown with the case, in Danish and English."""
        if self.closed:
            text = N_("turned 18 on {day}, while this case was open; it stayed on {workflow}")
        elif self.turned:
            text = (
                N_("turned 18 on {day}, during this case; the card stays {workflow}")
                if self.card
                else N_("turned 18 on {day}, during this case; it stays on {workflow}")
            )
        else:
            text = (
                N_("turns 18 on {day}, during this case; the card stays {workflow}")
                if self.card
                else N_("turns 18 on {day}, during this case; it stays on {workflow}")
            )
        values = {"day": self.turns_18_on.isoformat(), "workflow": self.workflow}
        with language("da"):
            danish = _(text).format(**values)
        return Labels(da=danish, en=text.format(**values))

    def to_dict(self) -> dict[str, object]:
        """Return the coming of age as JSON-ready data."""
        return {
            "turns_18_on": self.turns_18_on.isoformat(),
            "turned": self.turned,
            "closed": self.closed,
            "workflow": self.workflow,
            "statement": {"da": self.statement.da, "en": self.statement.en},
        }


def coming_of_age(
    case: Case,
    *,
    until: dt.date,
    today: dt.date,
    closed_on: dt.date | None = None,
    card: bool = True,
) -> ComingOfAge | None:
    """Return the coming of age of ``case``'s person, if it falls in the case up to ``until``.

    Something is returned only when the subject is a person whose birth date the
    reader may see, under 18 on the concern day, who turns 18 on or before ``until``
    and, for a closed case (``closed_on``: the day it closed), on or before that day.
    ``turned`` compares the birthday with ``today`` (or the closing day).
    """
    subject = case.opening.subject
    age = case.opening.age_at_concern
    if not isinstance(subject, Subject) or age is None or age >= ADULT_AGE:
        return None
    birthday = subject.turns_on(ADULT_AGE)
    last = until if closed_on is None else min(until, closed_on)
    if birthday > last:
        return None
    reference = today if closed_on is None else min(today, closed_on)
    return ComingOfAge(
        turns_18_on=birthday,
        workflow=case.workflow,
        turned=birthday <= reference,
        closed=closed_on is not None,
        card=card,
    )


def earliest_18th_birthday(opening: CaseOpened) -> dt.date | None:
    """Return a day on or before the 18th birthday, from the readable age at the concern.

    A person aged ``age`` on the concern day turns ``age + 1`` after it, so turns 18
    more than ``17 - age`` years after it. The bound needs no sealed field (the age at
    the concern stays readable, as for statistics), so a list can skip the cases whose
    person cannot turn 18 in its window without opening them. ``None`` when the
    subject is not a person, or the age is unknown or 18 or more.
    """
    age = opening.age_at_concern
    if age is None or age >= ADULT_AGE:
        return None
    day = opening.concern_day
    years = ADULT_AGE - 1 - age
    try:
        later = day.replace(year=day.year + years)
    except ValueError:  # 29 February: the 28th is still on or before the bound
        later = dt.date(day.year + years, 2, 28)
    return later


def announced(case: Case) -> bool:
    """Tell whether the case's coming of age was announced already (it is, once)."""
    return any(isinstance(event, ComingOfAgeAnnounced) for event in case.events)
