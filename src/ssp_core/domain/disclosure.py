"""Lawful disclosure: the legal bases and their rules, consent, and what each partner kind may get.

Sharing case information with a partner or another agency is recorded as a
:class:`~ssp_core.domain.events.Disclosure` event naming its legal basis, purpose,
recipient and data categories. A legal basis carries the rules of what it allows,
as relations (:class:`DisclosureRule`): who may disclose (the kind of partner the
discloser's role acts as), to which kinds of recipient, about whom (ages, kinds of
case), which field groups, and whether the person's consent must cover it. A
disclosure is lawful only if one rule of its basis covers this discloser, this
recipient, this subject and these data. The legal bases (national ones from the
core), the disclosure profiles (the field groups a kind of partner may ever receive)
and the consents recorded on a case are data, never code.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import attrs

from ssp_core.domain.access import ANY, FieldGroup
from ssp_core.domain.concerns import Source
from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier, non_empty_text

__all__ = [
    "ADULT_AGE",
    "Consent",
    "ConsentGiver",
    "DisclosureProfile",
    "DisclosureRule",
    "LegalBasis",
]

ADULT_AGE = 18
"""The age of majority (myndighedsalder): below it, a custody holder consents too."""


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _groups(value: object) -> tuple[FieldGroup, ...]:
    return tuple(FieldGroup(item) for item in _strings(value))


def _kinds(value: object) -> tuple[str, ...]:
    return tuple(sorted(set(_strings(value))))


@attrs.frozen
class DisclosureRule:
    """One relation a legal basis allows: from which disclosers to which recipients, about whom.

    A rule covers a disclosure only if every one of its conditions below holds.

    :ivar disclosers: an array of the ids of registered partner kinds (at least one), e.g.
        ``["police"]``: the discloser's role must act as one of them (``Role.acts_as``); a
        role that acts as none matches no rule.
    :ivar recipients: an array of the ids of registered partner kinds (at least one): the
        recipient partner's kind must be one of them. The direction counts:
        ``police -> school`` and ``school -> police`` are two different relations.
    :ivar field_groups: the field groups it allows (an array of at least one of ``case``,
        ``subject``, ``notes``, ``observations``, ``identity``; ``case`` is the case itself):
        every group disclosed must be one of them.
    :ivar min_age: the youngest subject covered, as a whole number of years on the day of
        disclosure; left out, no lower limit. A rule with ``min_age`` or ``max_age`` covers
        only cases about a person whose age can be read.
    :ivar max_age: the oldest subject covered, in years on the day of disclosure (not below
        ``min_age``); left out, no upper limit.
    :ivar workflow_kinds: an array of the kinds of case covered: ``action_card``,
        ``prevention_track``, ``safety_walk``, ``safety_finding``, ``advice_request``,
        ``initiative_activity``, ``other``; left out, any kind.
    :ivar same_municipality: ``true``: the recipient must be a partner of the case's own
        municipality, not a shared one (Barnets Lov § 133: *the municipality's* children's
        services); ``false`` (the default): no such condition.
    :ivar consent: ``true``: the person's consent, recorded on the case and not withdrawn,
        must cover the recipient and the field groups; ``false`` (the default): no consent
        needed, unless the basis requires it. A rule with a civil-society recipient kind (not
        an authority) must set it, unless its basis requires consent.
    :ivar note: what the rule encodes, in the words of the law (for the table in
        ``docs/privacy.md`` and for refusals, which name it); optional.
    """

    disclosers: tuple[str, ...] = attrs.field(converter=_kinds)
    recipients: tuple[str, ...] = attrs.field(converter=_kinds)
    field_groups: tuple[FieldGroup, ...] = attrs.field(converter=_groups)
    min_age: int | None = None
    max_age: int | None = None
    workflow_kinds: tuple[str, ...] = attrs.field(default=(), converter=_kinds)
    same_municipality: bool = False
    consent: bool = False
    note: str | None = None

    def about_a_person_only(self) -> bool:
        """Tell whether the rule covers only cases about a person (it has an age limit)."""
        return self.min_age is not None or self.max_age is not None

    def covers_age(self, age: int) -> bool:
        """Tell whether a subject of ``age`` is within the rule's ages."""
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )


@attrs.frozen
class LegalBasis:
    """A provision that allows a disclosure, e.g. Retsplejeloven § 115, stk. 2.

    A disclosure rests on it only if it serves the disclosure's purpose and one of its
    rules covers the disclosure.

    :ivar id: the id a disclosure names as its basis, e.g. ``rpl_115_2`` (lower-case letters,
        digits and ``_``, starting with a letter; parts joined by ``.`` or ``-``); the core's
        national bases are not namespaced, a municipality's plugin's start with its id and a dot.
    :ivar labels: its name in Danish and English.
    :ivar citation: the provision as cited in law, e.g. ``Retsplejeloven § 115, stk. 2``
        (non-empty text); disclosure lists and refusals show it.
    :ivar purposes: an array of the ids of the registered purposes it may serve; a
        disclosure, or a move of a case to another municipality, for another purpose is
        refused. The default ``["*"]`` serves any purpose.
    :ivar requires_consent: ``true``: the basis *is* the person's consent, so every rule of
        it needs a recorded, unwithdrawn consent covering the recipient and the field groups;
        ``false`` (the default): only rules with ``consent = true`` need one.
    :ivar description: a longer explanation in both languages, if any.
    :ivar rules: the relations it allows, as ``[[legal_bases.rules]]`` tables after the
        basis's table (see ``DisclosureRule``); a basis without rules allows nothing.
    :ivar text: the text of the provision it encodes, as read (in Danish), for reference;
        optional, and nothing checks it.
    :ivar source: where that text was read: an inline table with ``title`` (required) and
        optional ``publisher``, ``year``, ``page`` and ``url``.
    :ivar verified: ``true`` if the law's own text was read; ``false`` (the default) if only
        a secondary source was (e.g. a municipal or ministry copy).
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    citation: str = attrs.field(validator=non_empty_text)
    purposes: tuple[str, ...] = attrs.field(default=(ANY,), converter=_strings)
    requires_consent: bool = False
    description: Labels | None = None
    rules: tuple[DisclosureRule, ...] = ()
    text: str | None = None
    source: Source | None = None
    verified: bool = False

    def serves(self, purpose: str) -> bool:
        """Tell whether a disclosure for ``purpose`` may rest on this basis."""
        return ANY in self.purposes or purpose in self.purposes


@attrs.frozen
class DisclosureProfile:
    """The field groups a kind of partner may ever receive; a kind with no profile gets nothing.

    A municipality's own profile for a kind wins over a shared one (from a plugin that
    belongs to no municipality).

    :ivar partner_kind: the id of the registered partner kind the profile is for, e.g.
        ``mosque``; a plugin gives at most one profile per kind.
    :ivar field_groups: the field groups that kind may ever receive, whatever the legal basis:
        an array of ``case``, ``subject``, ``notes``, ``observations``, ``identity``
        (empty: nothing). A disclosure of any other group to it is refused.
    :ivar description: why, in Danish and English, if any.
    """

    partner_kind: str = attrs.field(validator=identifier)
    field_groups: tuple[FieldGroup, ...] = attrs.field(converter=_groups)
    description: Labels | None = None

    @property
    def id(self) -> str:
        """Return the profile's key: the partner kind it is for."""
        return self.partner_kind


class ConsentGiver(StrEnum):
    """Who gave a consent: the young person, or the holder of custody (forældremyndighed)."""

    SUBJECT = "subject"
    CUSTODY_HOLDER = "custody_holder"


def _givers(value: object) -> tuple[ConsentGiver, ...]:
    return tuple(sorted({ConsentGiver(item) for item in _strings(value)}))


def _recipients(value: object) -> tuple[str, ...]:
    return tuple(sorted(set(_strings(value))))


@attrs.frozen
class Consent:
    """A person's consent to disclosure: by whom, to whom, which data, from when.

    A consent recorded on a case (:class:`~ssp_core.domain.events.ConsentGiven`) has
    an ``id``, the ``recipients`` (partner ids) and ``field_groups`` it covers and who
    gave it (``given_by``); it holds until withdrawn
    (:class:`~ssp_core.domain.events.ConsentWithdrawn`). Under 18 (:data:`ADULT_AGE`)
    the young person and a custody holder both consent; from 18 the person alone.
    ``participation``: the consent also covers taking part in the voluntary effort
    (an 18+ card's intervention, a voluntary track); withdrawing it ends the case
    through the workflow's ``consent_withdrawn`` trigger. A consent of 0.1 (only a
    date and a scope) covers nothing any more.
    """

    given_on: dt.date
    scope: str = attrs.field(validator=non_empty_text)
    given_by: tuple[ConsentGiver, ...] = attrs.field(default=(), converter=_givers)
    recipients: tuple[str, ...] = attrs.field(default=(), converter=_recipients)
    field_groups: tuple[FieldGroup, ...] = attrs.field(default=(), converter=_groups)
    id: str | None = None
    participation: bool = False

    def givers_missing(self, age: int | None) -> tuple[ConsentGiver, ...]:
        """Return who else must consent for a subject of ``age`` (``None``: not a person)."""
        needed = {ConsentGiver.SUBJECT}
        if age is not None and age < ADULT_AGE:
            needed.add(ConsentGiver.CUSTODY_HOLDER)
        return tuple(sorted(needed - set(self.given_by)))
