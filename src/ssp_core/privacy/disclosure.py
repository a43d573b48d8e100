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
from ssp_core.domain.disclosure import Consent, DisclosureRule, LegalBasis
from ssp_core.exceptions import DisclosureRefused
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
        return ["the person's consent, recorded on the case and named (none was named)"]
    name = f"consent {consent.id}" if consent.id else "the consent"
    lacks = []
    if request.withdrawn_on is not None and request.withdrawn_on <= request.today:
        lacks.append(f"{name} was withdrawn on {request.withdrawn_on.isoformat()}")
    if consent.given_on > request.today:
        lacks.append(f"{name} is dated after today")
    if request.recipient not in consent.recipients:
        covered = ", ".join(consent.recipients) or "no recipient"
        lacks.append(f"{name} does not cover {request.recipient} (it covers: {covered})")
    beyond = [g.value for g in groups if g not in consent.field_groups]
    if beyond:
        lacks.append(f"{name} does not cover {', '.join(beyond)}")
    missing = consent.givers_missing(request.age)
    if missing:
        who = " and ".join(str(giver).replace("_", " ") for giver in missing)
        lacks.append(f"{name} was not given by the {who}")
    return lacks


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
        acts = request.discloser_kind or "no partner kind"
        lacks.append(
            f"a discloser acting as {', '.join(rule.disclosers)} (this one acts as {acts})"
        )
    if kind not in rule.recipients:
        lacks.append(f"a recipient of kind {', '.join(rule.recipients)} (not {kind})")
    elif rule.same_municipality:
        home = registry.home(registry.partners, request.recipient)
        if home is None or home != request.municipality:
            lacks.append(
                "a recipient of the case's own municipality "
                f"({request.municipality or 'none'}; {request.recipient} is {home or 'shared'}'s)"
            )
    if rule.about_a_person_only():
        if request.age is None:
            lacks.append("a case about a person whose age can be read")
        elif not rule.covers_age(request.age):
            low = rule.min_age if rule.min_age is not None else 0
            ages = f"{low} to {rule.max_age}" if rule.max_age is not None else f"{low} and over"
            lacks.append(f"a subject aged {ages} (the subject is {request.age})")
    if rule.workflow_kinds and request.workflow_kind not in rule.workflow_kinds:
        lacks.append(
            f"a case of kind {', '.join(rule.workflow_kinds)} (not {request.workflow_kind})"
        )
    beyond = [g.value for g in groups if g not in rule.field_groups]
    if beyond:
        lacks.append(
            f"field groups within {', '.join(rule.field_groups)} (not {', '.join(beyond)})"
        )
    if rule.consent or basis.requires_consent:
        lacks += _consent_lacks(request, groups)
    return lacks


def _groups(categories: tuple[str, ...]) -> tuple[FieldGroup, ...]:
    if not categories:
        raise DisclosureRefused("a disclosure must name at least one data category")
    known = ", ".join(g.value for g in FieldGroup)
    unknown = [c for c in categories if c not in FieldGroup.__members__.values()]
    if unknown:
        raise DisclosureRefused(f"unknown data category {unknown[0]!r}; known: {known}")
    return tuple(FieldGroup(c) for c in categories)


def judge_disclosure(registry: Registry, request: DisclosureRequest) -> Judgement:
    """Return the judgement of a disclosure the registry's rules allow, or refuse it.

    :raises DisclosureRefused: naming what was wrong: an unknown category, recipient
        or basis, a purpose the basis does not serve, the rule that came closest and
        what it lacks, a civil-society recipient without covering consent, or a field
        group beyond the recipient kind's disclosure profile.
    """
    groups = _groups(request.categories)
    if request.recipient not in registry.partners:
        raise DisclosureRefused(
            f"unknown recipient {shown_id(request.recipient)}: a disclosure goes to a registered "
            "partner"
        )
    if request.legal_basis not in registry.legal_bases:
        raise DisclosureRefused(
            f"unknown legal basis {shown_id(request.legal_basis)}; known: "
            + ", ".join(registry.legal_bases)
        )
    basis = registry.legal_bases[request.legal_basis]
    if not basis.serves(request.purpose):
        raise DisclosureRefused(
            f"{basis.citation} does not allow disclosure for purpose {request.purpose!r} "
            f"(it serves: {', '.join(basis.purposes)})"
        )
    kind = registry.partners[request.recipient].kind
    if not basis.rules:
        raise DisclosureRefused(f"{basis.citation} has no rule in the data: it allows nothing")
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
        what = f" ({rule.note})" if rule.note else ""
        civil = registry.partner_kinds.get(kind)
        hint = (
            f"; {request.recipient} is civil society ({kind}): only the person's recorded "
            "consent can cover it"
            if civil is not None and not civil.authority and not basis.requires_consent
            else ""
        )
        raise DisclosureRefused(
            f"{basis.citation} does not allow this disclosure to {request.recipient}; "
            f"its closest rule, {number}{what}, needs: " + "; ".join(lacks) + hint
        )
    number, rule = allowed[0]
    partner_kind = registry.partner_kinds.get(kind)
    if partner_kind is None or not partner_kind.authority:
        lacks = _consent_lacks(request, groups)
        if lacks:
            raise DisclosureRefused(
                f"{request.recipient} is civil society ({kind}): it receives personal data "
                "only under the person's consent; missing: " + "; ".join(lacks)
            )
    profile = registry.disclosure_profile(kind, request.municipality)
    if profile is None:
        raise DisclosureRefused(
            f"partner kind {kind!r} has no disclosure profile: {request.recipient} may "
            "receive nothing"
        )
    beyond = [g.value for g in groups if g not in profile.field_groups]
    if beyond:
        raise DisclosureRefused(
            f"a {kind} may never receive {', '.join(beyond)} (its disclosure profile "
            f"allows: {', '.join(g.value for g in profile.field_groups) or 'nothing'})"
        )
    return Judgement(groups, basis, rule, number)
