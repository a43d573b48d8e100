"""The events of a case: frozen, append-only, each stamped with actor, role and time.

A case's state is the fold of its events (:class:`ssp_core.domain.cases.Case`).
Every event carries the case id and its version (1 for the opening event, then
one more for each event), the time from the injectable clock, the actor's id and
the role they acted in.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.clock import local_date
from ssp_core.domain.concerns import Observation
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.disclosure import Consent
from ssp_core.domain.people import CaseSubject, Subject
from ssp_core.domain.redaction import RedactedPerson
from ssp_core.domain.walks import Place

__all__ = [
    "ActivityLogged",
    "AdviceRequested",
    "Assigned",
    "CaseEvent",
    "CaseOpened",
    "CaseResumed",
    "CaseSuspended",
    "ComingOfAgeAnnounced",
    "ConsentGiven",
    "ConsentWithdrawn",
    "DeadlineExtended",
    "DeadlineMissed",
    "Disclosure",
    "FactRecorded",
    "FindingAssigned",
    "FindingRecorded",
    "MovedToMunicipality",
    "NoteAdded",
    "ObservationRecorded",
    "OpenedFromAdvice",
    "ResourceObserved",
    "SessionRecorded",
    "Transitioned",
    "WalkPlanned",
    "WorkflowMigrated",
]


@attrs.frozen(kw_only=True)
class CaseEvent:
    """What every event of a case carries."""

    case_id: str
    version: int
    at: dt.datetime
    actor: str
    role: str


@attrs.frozen(kw_only=True)
class CaseOpened(CaseEvent):
    """A case was opened on a workflow definition version, in its initial state."""

    workflow: str
    workflow_version: int
    state: str
    subject: CaseSubject | RedactedPerson
    situation: str | None = None
    concern_date: dt.date | None = None
    reason: str | None = None
    due: tuple[DueDate, ...] = ()
    municipality: str | None = None
    """The municipality whose case it is; ``None`` in histories written before 0.2 (the
    municipality of the case's workflow then) and where no plugin declares one."""

    @property
    def concern_day(self) -> dt.date:
        """Return the day of the concern: its concern date, else the Danish date of the opening."""
        return self.concern_date or local_date(self.at)

    @property
    def age_at_concern(self) -> int | None:
        """Return the person's age in whole years on :attr:`concern_day`.

        ``None`` if the subject is not a person, or was born after that day. A person
        whose birth date is withheld (:class:`RedactedPerson`) gives the age stored with
        the opening, if any.
        """
        subject = self.subject
        if isinstance(subject, RedactedPerson):
            return subject.age
        if not isinstance(subject, Subject):
            return None
        day = self.concern_day
        return subject.age_on(day) if day >= subject.birth_date else None


@attrs.frozen(kw_only=True)
class Transitioned(CaseEvent):
    """A trigger moved the case from ``source`` to ``dest``; ``due``: the new due dates."""

    trigger: str
    source: str
    dest: str
    reason: str | None = None
    due: tuple[DueDate, ...] = ()


@attrs.frozen(kw_only=True)
class FactRecorded(CaseEvent):
    """A fact the workflow asks for was recorded, e.g. that parents were involved."""

    fact: str
    detail: str | None = None


@attrs.frozen(kw_only=True)
class ObservationRecorded(CaseEvent):
    """An observation of a worry sign was recorded."""

    observation: Observation


@attrs.frozen(kw_only=True)
class ResourceObserved(CaseEvent):
    """An observation of a resource or protective factor was recorded (who saw what, when).

    ``observation.catalogue`` is a catalogue of kind ``resources``. It is shown beside
    the worry signs and never counted into anything about the person.
    """

    observation: Observation


@attrs.frozen(kw_only=True)
class NoteAdded(CaseEvent):
    """A free-text note was added to the case."""

    text: str


@attrs.frozen(kw_only=True)
class Assigned(CaseEvent):
    """The case was assigned to someone (``None``: the assignment was removed)."""

    assignee: str | None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class MovedToMunicipality(CaseEvent):
    """The case moved to another municipality (the person moved), on a legal basis.

    From this event on the case is ``to_municipality``'s: its walls, its staff.
    ``from_municipality`` is the one it left (``None`` for a history before 0.2 whose
    municipality was its workflow's); ``legal_basis`` the registered basis of handing
    the case over; ``reason`` why (sealed like a note).
    """

    from_municipality: str | None
    to_municipality: str
    legal_basis: str
    reason: str


@attrs.frozen(kw_only=True)
class SessionRecorded(CaseEvent):
    """A session of a prevention track took place."""

    held_on: dt.date
    participants: int | None = None
    note: str | None = None


@attrs.frozen(kw_only=True)
class CaseSuspended(CaseEvent):
    """The case was put on hold: its deadlines stop running and no trigger can be fired."""

    reason: str


@attrs.frozen(kw_only=True)
class CaseResumed(CaseEvent):
    """The case was taken off hold; ``due`` are its due dates moved by the business days on hold."""

    reason: str | None = None
    due: tuple[DueDate, ...] = ()


@attrs.frozen(kw_only=True)
class DeadlineExtended(CaseEvent):
    """A person moved one due date of the case to a later date, giving a reason."""

    rule: str
    due: dt.date
    reason: str


@attrs.frozen(kw_only=True)
class DeadlineMissed(CaseEvent):
    """A due date passed with the case still in its state; recorded once, then announced."""

    rule: str
    due: dt.date


@attrs.frozen(kw_only=True)
class ComingOfAgeAnnounced(CaseEvent):
    """The person the case is about turned 18 while it was open; announced once.

    It carries no date: the 18th birthday follows from the sealed birth date, and only
    a reader of the ``subject`` field group learns it. The case keeps its card.
    """


@attrs.frozen(kw_only=True)
class WorkflowMigrated(CaseEvent):
    """The case moved to a newer version of its workflow, from state ``source`` to ``dest``."""

    from_version: int
    to_version: int
    source: str
    dest: str
    due: tuple[DueDate, ...] = ()


@attrs.frozen(kw_only=True)
class Disclosure(CaseEvent):
    """Case information was disclosed to a partner or agency, on a legal basis, for a purpose.

    ``categories`` are the field groups disclosed (``case``, ``subject``, ``notes``,
    ``observations``, ``identity``); the information itself is not stored again.
    ``consent`` is the consent it rests on, as it was when disclosed (its ``id`` names
    the :class:`ConsentGiven` of the case); ``rule`` the number of the basis's rule
    that covered it (``None`` in histories written before rules, 0.1).
    """

    recipient: str
    legal_basis: str
    purpose: str
    categories: tuple[str, ...]
    consent: Consent | None = None
    note: str | None = None
    rule: int | None = None


@attrs.frozen(kw_only=True)
class ConsentGiven(CaseEvent):
    """The person (and, under 18, a custody holder) consented to disclosure: see :class:`Consent`.

    ``consent.id`` names it on the case, for disclosures and a withdrawal.
    """

    consent: Consent


@attrs.frozen(kw_only=True)
class ConsentWithdrawn(CaseEvent):
    """A consent of the case was withdrawn: no disclosure rests on it from ``withdrawn_on``."""

    consent_id: str
    withdrawn_on: dt.date
    reason: str | None = None


@attrs.frozen(kw_only=True)
class WalkPlanned(CaseEvent):
    """A safety walk was planned (or its plan changed): where, when, who, which topics.

    ``locality`` is a registered locality, ``participants`` registered partners;
    citizens take part by count only. A later ``WalkPlanned`` replaces the plan.
    ``source`` names the example walk it was imported from, if it was.
    """

    locality: str
    held_on: dt.date
    participants: tuple[str, ...] = ()
    citizens: int = 0
    topics: tuple[str, ...] = ()
    note: str | None = None
    source: str | None = None


@attrs.frozen(kw_only=True)
class FindingRecorded(CaseEvent):
    """A finding of the safety walk ``walk`` (a case id): where, of what category, what.

    ``responsible`` is the partner expected to follow it up, if known already.
    """

    walk: str
    place: Place
    category: str
    description: str
    responsible: str | None = None


@attrs.frozen(kw_only=True)
class FindingAssigned(CaseEvent):
    """A partner was made responsible for following up a finding."""

    partner: str
    reason: str | None = None


@attrs.frozen(kw_only=True)
class AdviceRequested(CaseEvent):
    """Someone asked the INFO house for advice about a situation, naming no one.

    ``question`` is the situation in the asker's words (sealed like a note; it may
    hold nothing shaped like a CPR number or a pseudonym); ``asker_kind`` what kind
    of asker it is (the partner kind the asker's role acts as, else the role), kept
    readable for counting; ``info_house`` the registered INFO house asked.
    """

    question: str
    asker_kind: str
    info_house: str


@attrs.frozen(kw_only=True)
class OpenedFromAdvice(CaseEvent):
    """The concern was opened from an advice request: ``advice_request`` is its case."""

    advice_request: str


@attrs.frozen(kw_only=True)
class ActivityLogged(CaseEvent):
    """An activity of an initiative was logged: what, when, with whom, where, how many.

    ``strategy`` and ``initiative`` name the initiative, ``activity_kind`` a registered
    kind of activity, ``partners`` registered partners, ``locality`` a registered
    locality; these, the date and the counts stay readable for counting. ``place`` (a
    free place name) and ``description`` are sealed like a note. ``participants`` is
    how many took part and ``young_people`` how many of them were children or young
    people (``None``: not counted); no field takes a person. Logged again on the same
    case (when a planned activity is held with its count), the latest one holds, and
    one that leaves the place or the description out keeps the earlier ones.
    ``source`` is the example activity it was imported from, if any.
    """

    strategy: str
    initiative: str
    activity_kind: str
    held_on: dt.date
    partners: tuple[str, ...] = ()
    locality: str | None = None
    place: str | None = None
    participants: int | None = None
    young_people: int | None = None
    description: str | None = None
    source: str | None = None
