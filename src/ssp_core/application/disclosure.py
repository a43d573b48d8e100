"""Disclosing case information to a partner or agency, lawfully, and listing what went where.

A disclosure is checked against the legal rules of the data
(:func:`ssp_core.privacy.disclosure.judge_disclosure`: this discloser's kind, this
recipient, this subject's age, these field groups, a covering consent) and against
the discloser's own grants; it is recorded on the case as a
:class:`~ssp_core.domain.events.Disclosure` event naming the rule that covered it.
Consents are recorded on the case (:class:`~ssp_core.domain.events.ConsentGiven`)
and withdrawn there; a refusal is audited and records nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.cases import Case
from ssp_core.domain.disclosure import Consent, ConsentGiver
from ssp_core.domain.events import ConsentGiven, ConsentWithdrawn, Disclosure
from ssp_core.domain.people import Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError, DisclosureRefused
from ssp_core.i18n import N_, _, current_language, language
from ssp_core.privacy.disclosure import DisclosureRequest, Judgement, judge_disclosure
from ssp_core.store.records import AuditAction, EventQuery

__all__ = ["WITHDRAWN_TRIGGER", "DisclosureEntry", "Disclosures", "consents_of"]

_GIVERS = {
    ConsentGiver.SUBJECT: N_("the subject"),
    ConsentGiver.CUSTODY_HOLDER: N_("the custody holder"),
}
"""Who gives a consent, in words (the ids are what a user types)."""

WITHDRAWN_TRIGGER = "consent_withdrawn"
"""The trigger a workflow declares to end a case whose person withdrew consent to take part."""


def consents_of(case: Case) -> dict[str, tuple[Consent, dt.date | None]]:
    """Return the consents recorded on a case by id, each with the day it was withdrawn."""
    found: dict[str, tuple[Consent, dt.date | None]] = {}
    for event in case.events:
        if isinstance(event, ConsentGiven) and event.consent.id is not None:
            found[event.consent.id] = (event.consent, None)
        elif isinstance(event, ConsentWithdrawn) and event.consent_id in found:
            consent, _withdrawn = found[event.consent_id]
            found[event.consent_id] = (consent, event.withdrawn_on)
    return found


@attrs.frozen
class DisclosureEntry:
    """One disclosure, as ``ssp disclosures`` lists it: what went to whom, on what basis."""

    case_id: str
    at: dt.datetime
    actor: str
    role: str
    recipient: str
    legal_basis: str
    purpose: str
    categories: tuple[str, ...]
    consent_given_on: dt.date | None

    @classmethod
    def of(cls, event: Disclosure) -> DisclosureEntry:
        """Return the entry of a disclosure event (nothing sealed is needed)."""
        return cls(
            case_id=event.case_id,
            at=event.at,
            actor=event.actor,
            role=event.role,
            recipient=event.recipient,
            legal_basis=event.legal_basis,
            purpose=event.purpose,
            categories=event.categories,
            consent_given_on=event.consent.given_on if event.consent else None,
        )


class Disclosures:
    """The use cases of lawful disclosure."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def disclose(
        self,
        case_id: str,
        actor: Actor,
        *,
        recipient: str,
        legal_basis: str,
        categories: Iterable[str],
        purpose: str,
        consent: str | None = None,
        note: str | None = None,
    ) -> Case:
        """Record that case information is disclosed to a partner or agency, lawfully.

        The disclosure names its legal basis, its purpose, the recipient (a registered
        partner), the data categories (field groups) and, where it rests on consent,
        the id of a consent recorded on the case (:meth:`record_consent`). One rule of
        the basis must cover this discloser (the partner kind the role acts as), this
        recipient, this subject's age today, this kind of case and these field groups
        (:func:`~ssp_core.privacy.disclosure.judge_disclosure`); civil-society
        recipients need covering, unwithdrawn consent. Otherwise it is refused with
        :class:`~ssp_core.exceptions.DisclosureRefused` naming the closest rule and
        what it lacks, audited, and nothing is recorded.
        """
        services = self._services
        wanted = tuple(dict.fromkeys(categories))
        at = services.clock.now()
        today = local_date(at)
        loaded = services.repository.load(case_id, actor, "case.disclose", purpose)
        case = loaded.case
        readable = loaded.permit.field_groups

        def decide() -> tuple[Judgement, tuple[Consent, dt.date | None] | None]:
            """Judge the disclosure (reading only); raise the refusal in the current language."""
            named: tuple[Consent, dt.date | None] | None = None
            if consent is not None:
                named = consents_of(case).get(consent)
                if named is None:
                    known = ", ".join(consents_of(case)) or _("none")
                    raise DisclosureRefused(
                        _(
                            "no consent {consent} is recorded on case {case}; recorded: {known}"
                        ).format(consent=repr(consent), case=case_id, known=known)
                    )
            role = services.registry.roles.get(actor.role)
            subject = case.subject
            definition = services.registry.workflow(case.workflow, case.workflow_version)
            judgement = judge_disclosure(
                services.registry,
                DisclosureRequest(
                    discloser_kind=role.acts_as if role is not None else None,
                    recipient=recipient,
                    legal_basis=legal_basis,
                    purpose=purpose,
                    categories=wanted,
                    municipality=services.policy.walls.municipality(
                        case.workflow, case.municipality
                    ),
                    workflow_kind=definition.kind.value,
                    age=subject.age_on(today) if isinstance(subject, Subject) else None,
                    today=today,
                    consent=named[0] if named else None,
                    withdrawn_on=named[1] if named else None,
                ),
            )
            beyond = [g for g in judgement.groups if g is not FieldGroup.CASE and g not in readable]
            if beyond:
                raise DisclosureRefused(
                    _(
                        "{actor} may not disclose {groups}: their grants show them only {readable}"
                    ).format(
                        actor=actor,
                        groups=", ".join(beyond),
                        readable=", ".join(sorted(readable)) or _("no personal fields"),
                    )
                )
            return judgement, named

        try:
            judgement, named = decide()
        except DisclosureRefused as refused:
            why = str(refused)
            if current_language() != "en":  # the audit log is kept in English
                with language("en"):
                    try:
                        decide()
                    except DisclosureRefused as english:
                        why = str(english)
            services.gate.audit(
                actor, purpose, AuditAction.DENIED, case_id, f"case.disclose: {why}"
            )
            raise
        groups = judgement.groups
        loaded.engine.record_disclosure(
            case,
            actor,
            at=at,
            recipient=recipient,
            legal_basis=legal_basis,
            purpose=purpose,
            categories=tuple(g.value for g in groups),
            consent=named[0] if named else None,
            note=note,
            rule=judgement.number,
        )
        services.repository.commit(loaded, purpose)
        return case

    def record_consent(
        self,
        case_id: str,
        actor: Actor,
        *,
        given_by: Iterable[str],
        recipients: Iterable[str],
        categories: Iterable[str],
        given_on: dt.date,
        scope: str,
        purpose: str,
        participation: bool = False,
    ) -> Consent:
        """Record a person's consent to disclosure on a case; return it, with its new id.

        ``given_by`` names who consented (``subject``; under 18 also
        ``custody_holder``: both are needed then, the rule this library applies);
        ``recipients`` the partners and ``categories`` the field groups it covers;
        ``scope`` what the person was told, in their words (sealed as a note);
        ``participation`` whether it also covers taking part in the voluntary effort
        (its withdrawal then ends the case, see :meth:`withdraw_consent`). Needs
        ``case.disclose``; a consent that cannot hold (an unknown partner or group,
        a date in the future, a missing giver for the subject's age) is refused and
        nothing is recorded.
        """
        services = self._services
        at = services.clock.now()
        loaded = services.repository.load(case_id, actor, "case.disclose", purpose)
        case = loaded.case
        try:
            givers = [ConsentGiver(g) for g in given_by]
        except ValueError:
            raise DataError(
                _("unknown consent giver in {given}; known: {known}").format(
                    given=list(given_by), known=", ".join(g.value for g in ConsentGiver)
                )
            ) from None
        partners = tuple(dict.fromkeys(recipients))
        unknown = [p for p in partners if p not in services.registry.partners]
        if unknown or not partners:
            named = ", ".join(unknown) or _("none named")
            raise DataError(
                _("a consent covers registered partners; unknown: {named}").format(named=named)
            )
        groups = tuple(dict.fromkeys(categories))
        known = [g.value for g in FieldGroup]
        if not groups or any(g not in known for g in groups):
            raise DataError(
                _("a consent covers field groups among {known}").format(known=", ".join(known))
            )
        subject = case.subject
        age = subject.age_on(given_on) if isinstance(subject, Subject) else None
        number = len(consents_of(case)) + 1
        consent = Consent(
            given_on=given_on,
            scope=scope,
            given_by=givers,
            recipients=partners,
            field_groups=groups,
            id=f"consent-{number}",
            participation=participation,
        )
        missing = consent.givers_missing(age)
        if missing:
            raise DataError(
                _(
                    "a consent for a subject aged {age} is given by {givers}; missing: {missing}"
                ).format(
                    age=age,
                    givers=_(" and ").join(_(_GIVERS[g]) for g in (ConsentGiver.SUBJECT, *missing)),
                    missing=", ".join(g.value for g in missing),
                )
            )
        loaded.engine.record_consent(case, consent, actor, at=at)
        services.repository.commit(loaded, purpose)
        return consent

    def withdraw_consent(
        self,
        case_id: str,
        consent_id: str,
        actor: Actor,
        *,
        purpose: str,
        withdrawn_on: dt.date | None = None,
        reason: str | None = None,
    ) -> Case:
        """Record that a consent of the case was withdrawn (today unless ``withdrawn_on``).

        No disclosure may rest on it from that day. A consent that covered taking part
        in the voluntary effort (``participation``) also ends the case, in the same
        commit, through its workflow's ``consent_withdrawn`` trigger where the current
        state has one (an 18+ card in assessment, intervention or follow-up; a
        voluntary track); if the actor may not fire it, nothing is recorded. Needs
        ``case.disclose``.
        """
        services = self._services
        at = services.clock.now()
        loaded = services.repository.load(case_id, actor, "case.disclose", purpose)
        recorded = consents_of(loaded.case)
        if consent_id not in recorded:
            raise DataError(
                _("no consent {consent} is recorded on case {case}; recorded: {known}").format(
                    consent=repr(consent_id), case=case_id, known=", ".join(recorded) or _("none")
                )
            )
        if recorded[consent_id][1] is not None:
            raise DataError(
                _("consent {consent} of case {case} is already withdrawn").format(
                    consent=consent_id, case=case_id
                )
            )
        engine, case = loaded.engine, loaded.case
        engine.withdraw_consent(
            case,
            consent_id,
            actor,
            at=at,
            withdrawn_on=withdrawn_on or local_date(at),
            reason=reason,
        )
        ends = recorded[consent_id][0].participation and any(
            option.trigger == WITHDRAWN_TRIGGER for option in engine.options(case, actor)
        )
        if ends:
            because = f"consent {consent_id} to taking part was withdrawn"
            engine.fire(
                case,
                WITHDRAWN_TRIGGER,
                actor,
                at=at,
                reason=f"{because}: {reason}" if reason else because,
            )
        services.repository.commit(loaded, purpose)
        return case

    def disclosures(
        self,
        actor: Actor,
        *,
        purpose: str,
        recipient: str | None = None,
        case_id: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[DisclosureEntry]:
        """List disclosures (what went to whom, on what basis), oldest first (audited)."""
        gate, store = self._services.gate, self._services.store
        permit = gate.authorise(actor, "disclosure.list", purpose)
        rows = store.read_events(
            EventQuery(topics=("Disclosure",), case_id=case_id, since=since, until=until)
        )
        visible = gate.case_filter(actor, "disclosure.list", purpose, permit)
        if visible is not None:
            rows = [row for row in rows if visible(row.case_id)]
        entries = []
        for row in rows:
            event = self._services.codec.decode(row, readable=frozenset())
            assert isinstance(event, Disclosure)  # noqa: S101 (the query asked for this topic)
            if recipient is None or event.recipient == recipient:
                entries.append(DisclosureEntry.of(event))
        detail = ", ".join(
            f"{name}={value}"
            for name, value in (("recipient", recipient), ("case", case_id))
            if value is not None
        )
        gate.audit(actor, purpose, AuditAction.SEARCH, case_id, f"disclosures {detail}".strip())
        return entries
