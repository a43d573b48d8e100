"""The rules of a lawful disclosure, checked as relations: this discloser, recipient and subject.

:func:`judge_disclosure` checks one :class:`DisclosureRequest` against the
registry's data. The categories must be field groups and the recipient a registered
partner. The legal basis must be registered and serve the purpose. Then one of the
basis's :class:`~ssp_core.domain.disclosure.DisclosureRule` must cover all of
this request:

* the kind of partner the discloser's role acts as;
* the recipient's kind (and its municipality, where the rule says so);
* the subject's age on the day;
* the kind of case;
* the field groups;
* where the rule or the basis needs it, a consent recorded on the case that
  covers the recipient and the field groups, was given by the right people, and
  is not withdrawn.

Civil-society recipients (partner kinds that are not authorities) receive nothing
without such a consent, whatever the rule. Every field group must also be within the
disclosure profile of the recipient's kind. A refusal is a
:class:`~ssp_core.exceptions.DisclosureRefused` that names the rule that came
closest and what it lacks.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.domain.access import FieldGroup
from ssp_core.domain.disclosure import Consent, ConsentGiver, DisclosureRule, LegalBasis
from ssp_core.exceptions import DisclosureRefused
from ssp_core.i18n import N_, _, current_language
from ssp_core.plugins.registry import Registry
from ssp_core.text import shown_id

__all__ = ["DisclosureRequest", "Judgement", "judge_disclosure"]


@attrs.frozen
class DisclosureRequest:
    """One disclosure asked for, with everything its rules are checked against.

    :param discloser_kind: the partner kind the discloser's role acts as (``None``:
        the role discloses for no partner).
    :param recipient: the partner id of the recipient.
    :param legal_basis: the id of the basis it rests on.
    :param purpose: the purpose of processing.
    :param categories: the field groups asked for, in order.
    :param municipality: the municipality of the case.
    :param workflow_kind: the kind of the case's workflow.
    :param age: the subject's age on ``today``; ``None`` for a case about a group or
        an environment, or when the age cannot be read.
    :param consent: the consent named, as recorded on the case (``None``: none named).
    :param withdrawn_on: the day that consent was withdrawn, if it was.
    :param today: the Danish date of the disclosure.
    """

    discloser_kind: str | None
    recipient: str
    legal_basis: str
    purpose: str
    categories: tuple[str, ...]
    municipality: str | None
    workflow_kind: str | None
    age: int | None
    today: dt.date
    consent: Consent | None = None
    withdrawn_on: dt.date | None = None


@attrs.frozen
class Judgement:
    """A disclosure the rules allow: its field groups, and the rule of its basis that covers it."""

    groups: tuple[FieldGroup, ...]
    basis: LegalBasis
    rule: DisclosureRule
    number: int


def _consent_lacks(request: DisclosureRequest, groups: tuple[FieldGroup, ...]) -> list[str]:
    consent = request.consent
    if consent is None:
        return [_("the person's consent, recorded on the case and named (none was named)")]
    name = _("consent {consent}").format(consent=consent.id) if consent.id else _("the consent")
    lacks = []
    if request.withdrawn_on is not None and request.withdrawn_on <= request.today:
        lacks.append(
            _("{name} was withdrawn on {day}").format(
                name=name, day=request.withdrawn_on.isoformat()
            )
        )
    if consent.given_on > request.today:
        lacks.append(_("{name} is dated after today").format(name=name))
    if request.recipient not in consent.recipients:
        covered = ", ".join(consent.recipients) or _("no recipient")
        lacks.append(
            _("{name} does not cover {recipient} (it covers: {covered})").format(
                name=name, recipient=request.recipient, covered=covered
            )
        )
    beyond = [g.value for g in groups if g not in consent.field_groups]
    if beyond:
        lacks.append(
            _("{name} does not cover {groups}").format(name=name, groups=", ".join(beyond))
        )
    missing = consent.givers_missing(request.age)
    if missing:
        lacks.append(_(_NOT_GIVEN_BY[missing]).format(name=name))
    return lacks


_NOT_GIVEN_BY = {
    (ConsentGiver.SUBJECT,): N_("{name} was not given by the subject"),
    (ConsentGiver.CUSTODY_HOLDER,): N_("{name} was not given by the custody holder"),
    (ConsentGiver.CUSTODY_HOLDER, ConsentGiver.SUBJECT): N_(
        "{name} was not given by the custody holder and subject"
    ),
}
"""What a consent lacks when those who must give it did not, by who is missing."""


def _lacks(
    registry: Registry,
    request: DisclosureRequest,
    *,
    basis: LegalBasis,
    rule: DisclosureRule,
    groups: tuple[FieldGroup, ...],
    kind: str,
) -> list[str]:
    """Return what ``rule`` lacks to cover ``request`` (nothing: it covers it)."""
    lacks = []
    if request.discloser_kind not in rule.disclosers:
        acts = request.discloser_kind or _("no partner kind")
        lacks.append(
            _("a discloser acting as {kinds} (this one acts as {acts})").format(
                kinds=", ".join(rule.disclosers), acts=acts
            )
        )
    if kind not in rule.recipients:
        lacks.append(
            _("a recipient of kind {kinds} (not {kind})").format(
                kinds=", ".join(rule.recipients), kind=kind
            )
        )
    elif rule.same_municipality:
        home = registry.home(registry.partners, request.recipient)
        if home is None or home != request.municipality:
            lacks.append(
                _(
                    "a recipient of the case's own municipality "
                    "({municipality}; {recipient} is {home}'s)"
                ).format(
                    municipality=request.municipality or _("none"),
                    recipient=request.recipient,
                    home=home or _("shared"),
                )
            )
    if rule.about_a_person_only():
        if request.age is None:
            lacks.append(_("a case about a person whose age can be read"))
        elif not rule.covers_age(request.age):
            low = rule.min_age if rule.min_age is not None else 0
            if rule.max_age is not None:
                text = _("a subject aged {low} to {high} (the subject is {age})")
            else:
                text = _("a subject aged {low} and over (the subject is {age})")
            lacks.append(text.format(low=low, high=rule.max_age, age=request.age))
    if rule.workflow_kinds and request.workflow_kind not in rule.workflow_kinds:
        lacks.append(
            _("a case of kind {kinds} (not {kind})").format(
                kinds=", ".join(rule.workflow_kinds), kind=request.workflow_kind
            )
        )
    beyond = [g.value for g in groups if g not in rule.field_groups]
    if beyond:
        lacks.append(
            _("field groups within {groups} (not {beyond})").format(
                groups=", ".join(rule.field_groups), beyond=", ".join(beyond)
            )
        )
    if rule.consent or basis.requires_consent:
        lacks += _consent_lacks(request, groups)
    return lacks


def _groups(categories: tuple[str, ...]) -> tuple[FieldGroup, ...]:
    if not categories:
        raise DisclosureRefused(_("a disclosure must name at least one data category"))
    known = ", ".join(g.value for g in FieldGroup)
    unknown = [c for c in categories if c not in FieldGroup.__members__.values()]
    if unknown:
        raise DisclosureRefused(
            _("unknown data category {category}; known: {known}").format(
                category=repr(unknown[0]), known=known
            )
        )
    return tuple(FieldGroup(c) for c in categories)


def judge_disclosure(registry: Registry, request: DisclosureRequest) -> Judgement:
    """Return the judgement of a disclosure the registry's rules allow, or refuse it.

    :raises DisclosureRefused: naming what was wrong: an unknown category, recipient
        or basis, a purpose the basis does not serve, the rule that came closest and
        what it lacks, a civil-society recipient without covering consent, or a field
        group beyond the recipient kind's disclosure profile. The message is in the
        current language (:func:`ssp_core.i18n.language`).
    """
    groups = _groups(request.categories)
    if request.recipient not in registry.partners:
        raise DisclosureRefused(
            _("unknown recipient {recipient}: a disclosure goes to a registered partner").format(
                recipient=shown_id(request.recipient)
            )
        )
    if request.legal_basis not in registry.legal_bases:
        raise DisclosureRefused(
            _("unknown legal basis {basis}; known: {known}").format(
                basis=shown_id(request.legal_basis), known=", ".join(registry.legal_bases)
            )
        )
    basis = registry.legal_bases[request.legal_basis]
    if not basis.serves(request.purpose):
        raise DisclosureRefused(
            _(
                "{citation} does not allow disclosure for purpose {purpose} (it serves: {served})"
            ).format(
                citation=basis.citation,
                purpose=repr(request.purpose),
                served=", ".join(basis.purposes),
            )
        )
    kind = registry.partners[request.recipient].kind
    if not basis.rules:
        raise DisclosureRefused(
            _("{citation} has no rule in the data: it allows nothing").format(
                citation=basis.citation
            )
        )
    judged = [
        (
            number,
            rule,
            _lacks(registry, request, basis=basis, rule=rule, groups=groups, kind=kind),
        )
        for number, rule in enumerate(basis.rules, start=1)
    ]
    allowed = [(number, rule) for number, rule, lacks in judged if not lacks]
    if not allowed:
        number, rule, lacks = min(judged, key=lambda item: len(item[2]))
        # A rule's note is English data (the words of the law, for the English table):
        # shown in English only.
        shown_rule = (
            f"{number} ({rule.note})" if rule.note and current_language() == "en" else str(number)
        )
        civil = registry.partner_kinds.get(kind)
        text = _(
            "{citation} does not allow this disclosure to {recipient}; "
            "its closest rule, {rule}, needs: {lacks}"
        ).format(
            citation=basis.citation,
            recipient=request.recipient,
            rule=shown_rule,
            lacks="; ".join(lacks),
        )
        if civil is not None and not civil.authority and not basis.requires_consent:
            text += _(
                "; {recipient} is civil society ({kind}): only the person's recorded "
                "consent can cover it"
            ).format(recipient=request.recipient, kind=kind)
        raise DisclosureRefused(text)
    number, rule = allowed[0]
    partner_kind = registry.partner_kinds.get(kind)
    if partner_kind is None or not partner_kind.authority:
        lacks = _consent_lacks(request, groups)
        if lacks:
            raise DisclosureRefused(
                _(
                    "{recipient} is civil society ({kind}): it receives personal data "
                    "only under the person's consent; missing: {lacks}"
                ).format(recipient=request.recipient, kind=kind, lacks="; ".join(lacks))
            )
    profile = registry.disclosure_profile(kind, request.municipality)
    if profile is None:
        raise DisclosureRefused(
            _(
                "partner kind {kind} has no disclosure profile: {recipient} may receive nothing"
            ).format(kind=repr(kind), recipient=request.recipient)
        )
    beyond = [g.value for g in groups if g not in profile.field_groups]
    if beyond:
        raise DisclosureRefused(
            _(
                "a {kind} may never receive {groups} (its disclosure profile allows: {allowed})"
            ).format(
                kind=kind,
                groups=", ".join(beyond),
                allowed=", ".join(g.value for g in profile.field_groups) or _("nothing"),
            )
        )
    return Judgement(groups, basis, rule, number)
