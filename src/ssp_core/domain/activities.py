"""Initiative activities: what an initiative did, when, with which partners and how many took part.

An initiative of a strategy (a visit of an imam at a youth centre, an evening event
for parents, a dialogue meeting) logs its activities as cases of workflow kind
``initiative_activity`` (the core's ``core.initiative_activity``), so they are
checked, sealed and audited like any case. An activity names no person: its subject
is :class:`~ssp_core.domain.people.Unnamed`, its partners are registered partners,
and the people who took part are a number (how many, and of them how many children
and young people), never names. Every free text on one (the place, the description,
reasons, notes) is checked for anything shaped like a CPR number or a pseudonym
(:func:`~ssp_core.domain.advice.check_unnamed`) and sealed like a note.

What is here is the data: the kinds of activity plugins register
(:class:`ActivityKind`), the example activities they ship (:class:`ActivityPlan`),
and the check of a head count (:func:`headcount_problem`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier
from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _

__all__ = [
    "ACTIVITY_GUIDANCE",
    "CANCELLED",
    "HELD",
    "PLANNED",
    "TOOK_PLACE",
    "ActivityKind",
    "ActivityPlan",
    "check_headcount",
    "headcount_problem",
]

PLANNED = "planned"
"""The state of an activity logged before its date."""

HELD = "held"
"""The state of an activity that took place: the state the goal report counts."""

CANCELLED = "cancelled"
"""The state of an activity that did not take place."""

TOOK_PLACE = "took_place"
"""The automatic fact the library records when it marks an activity held (on or after its day)."""

ACTIVITY_GUIDANCE = N_(
    "an activity names no one: record how many took part, never a name, CPR number, "
    "pseudonym or anything else that identifies a person"
)
"""What the one who logs an activity is told when a text is refused; show it with ``_()``."""


@attrs.frozen
class ActivityKind:
    """A kind of activity an initiative holds, e.g. a visit, an evening event, a dialogue meeting.

    The core registers the common kinds; a municipality's plugin adds its own
    (``aalborg.parent_group_meeting``).

    :ivar id: the kind's id, unique in the deployment, e.g. the core's ``visit`` or
        ``evening_event`` (lower-case letters, digits and ``_``, starting with a letter; parts
        joined by ``.`` or ``-``); in a municipality's plugin it starts with the
        municipality's id and a dot.
    :ivar labels: its name in Danish and English.
    :ivar description: a longer explanation in both languages, if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    description: Labels | None = None


def headcount_problem(participants: object, young_people: object) -> str | None:
    """Return what is wrong with a head count (``None``: nothing).

    ``participants`` is how many took part, ``young_people`` how many of them were
    children or young people; each is a whole number of 0 or more, or ``None`` (not
    counted). Young people can be counted only with the participants, and are at most
    as many.
    """
    for name, value in ((N_("participants"), participants), (N_("young people"), young_people)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            return _("{name} is a whole number of 0 or more, not {value}").format(
                name=_(name), value=repr(value)
            )
        if isinstance(value, int) and value < 0:
            return _("{name} is a whole number of 0 or more, not {value}").format(
                name=_(name), value=value
            )
    if young_people is not None and participants is None:
        return _("young people are counted among the participants: give the participants too")
    if (
        isinstance(young_people, int)
        and isinstance(participants, int)
        and young_people > participants
    ):
        return _(
            "the young people ({young}) are counted among the participants "
            "({participants}), so they cannot be more"
        ).format(young=young_people, participants=participants)
    return None


def check_headcount(participants: int | None, young_people: int | None) -> None:
    """Raise :class:`~ssp_core.exceptions.DataError` if the head count is not one."""
    problem = headcount_problem(participants, young_people)
    if problem is not None:
        raise DataError(problem)


def _headcount(inst: ActivityPlan, _attribute: attrs.Attribute[Any], value: Any) -> None:
    problem = headcount_problem(inst.participants, value)
    if problem is not None:
        raise DataError(
            _("example activity {activity}: {problem}").format(
                activity=repr(inst.id), problem=problem
            )
        )


def _optional_id(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        identifier(inst, attribute, value)


@attrs.frozen
class ActivityPlan:
    """An activity as data: a plugin's example of what an initiative did.

    Plugins ship activities such as the seed's (an imam's visits at a youth centre, an
    evening event) through ``ssp_register_example_activities``;
    :meth:`InitiativeActivities.import_example
    <ssp_core.application.activities.InitiativeActivities.import_example>` logs one.
    What the source does not say stays empty: ``held_on`` (then the date is given when
    it is imported), ``participants`` and ``young_people``.

    :ivar id: the example's id, unique in the deployment, e.g. ``aalborg.imam_visits_skuret``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by ``.``
        or ``-``); in a municipality's plugin it starts with the municipality's id and a dot.
        An example is logged once per id: importing it again does nothing.
    :ivar strategy: the id of the registered strategy the activity is logged under, e.g.
        ``aalborg.tryg_aalborg``.
    :ivar initiative: the id of one of that strategy's initiatives, e.g.
        ``radicalisation_prevention``.
    :ivar kind: the id of a registered activity kind: the core's (``visit``,
        ``evening_event``, ...) or a plugin's.
    :ivar held_on: the day it took place, a TOML date (``2016-04-19``); left out, the day is
        given when it is imported. An activity dated after the day of the import is logged
        as planned, without its counts.
    :ivar partners: an array of the ids of the registered partners that took part; left out,
        none.
    :ivar locality: the id of the registered locality it took place in; optional.
    :ivar place: a free place name, sealed like a note; optional. Anything shaped like a CPR
        number or a pseudonym in it is refused.
    :ivar participants: how many took part, a whole number of 0 or more; left out, not
        counted.
    :ivar young_people: how many of the participants were children or young people: a whole
        number from 0 up to ``participants``, which must be given too; left out, not counted.
    :ivar description: what happened, a free text sealed like a note; optional. It names no
        one: anything shaped like a CPR number or a pseudonym in it is refused.
    """

    id: str = attrs.field(validator=identifier)
    strategy: str = attrs.field(validator=identifier)
    initiative: str = attrs.field(validator=identifier)
    kind: str = attrs.field(validator=identifier)
    held_on: dt.date | None = None
    partners: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    locality: str | None = attrs.field(default=None, validator=_optional_id)
    place: str | None = None
    participants: int | None = None
    young_people: int | None = attrs.field(default=None, validator=_headcount)
    description: str | None = None
