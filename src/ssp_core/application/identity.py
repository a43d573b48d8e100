"""People: entering them into the identity vault, re-identifying them, and opening a case about one.

A CPR number is turned into the keyed pseudonym and the birth date at the
boundary; the number, the name and the contact are kept only sealed in the vault.
Reading them back is re-identification: permission-checked and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ssp_core.application.commands import CaseCommands
from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.cases import Case
from ssp_core.domain.cpr import birth_date_from_cpr
from ssp_core.domain.people import Subject, SubjectKind
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.i18n import _
from ssp_core.privacy.access import Where
from ssp_core.privacy.vault import Identity, open_identity, seal_identity
from ssp_core.store.records import AuditAction, Commit

__all__ = ["Identities"]


class Identities:
    """The use cases of the identity vault."""

    def __init__(self, services: Services, commands: CaseCommands) -> None:
        self._services = services
        self._commands = commands

    def enrol(
        self,
        cpr: str,
        actor: Actor,
        *,
        name: str | None = None,
        contact: str | None = None,
        purpose: str = CASEWORK,
        municipality: str | None = None,
    ) -> Subject:
        """Enter a person into the identity vault and return the :class:`Subject` cases use.

        The CPR number is turned into the keyed pseudonym and the birth date at once;
        it, the name and the contact are kept only sealed in the vault. A person
        already in the vault keeps their entry as it is: enrolling cannot change a
        name or contact someone else entered (that is :meth:`correct`, for those who
        may read the person's cases). The audit entry names the person by pseudonym
        and says whether they were entered or known.

        The person is enrolled in ``municipality`` (by default the actor's, or the only
        one loaded), whose key derives the pseudonym and wraps the vault entry: the same
        number enrolled in two municipalities with keys of their own gives two
        pseudonyms and two entries.
        """
        services = self._services
        where = services.repository.municipality_for(actor, None, municipality)
        services.gate.authorise(actor, "identity.enrol", purpose, where=Where(where))
        services.repository.check_sealing_key(where)  # the pseudonym comes from the key too
        subject = self.subject_of(cpr, where)
        at = services.clock.now()
        person = f"person {subject.pseudonym}"
        if services.store.read_identity(subject.pseudonym) is not None:
            detail = f"identity vault entry of {person} kept: the person is known"
            services.gate.audit(actor, purpose, AuditAction.ENROL, None, detail)
            return subject
        record = seal_identity(
            services.keyring,
            subject.pseudonym,
            Identity(cpr, name, contact),
            at,
            municipality=where,
        )
        entry = services.gate.entry(
            actor, purpose, AuditAction.ENROL, None, f"identity vault entry of {person}", at
        )
        # A commit keeps an entry another writer made in the meantime: never a silent overwrite.
        services.store.append(Commit(identities=(record,), audit=(entry,)))
        return subject

    def correct(
        self,
        case_id: str,
        actor: Actor,
        *,
        name: str | None,
        contact: str | None,
        purpose: str,
    ) -> None:
        """Change the name and contact kept for the person of a case (permission-checked, audited).

        Only a role granted ``identity.correct`` on this case (its workflow,
        municipality and walls) may, and the case must be about a person in the
        vault; the CPR number and so the pseudonym stay. ``None`` clears a value.
        """
        services = self._services
        person, municipality = self._person_of(case_id, actor, "identity.correct", purpose)
        stored = services.store.read_identity(person)
        if stored is None:
            raise DataError(
                _(
                    "the person of case {case} is not in the identity vault (the case was "
                    "opened with a pseudonym only, or the entry was erased)"
                ).format(case=case_id)
            )
        identity = open_identity(services.keyring, stored, municipality=municipality)
        at = services.clock.now()
        corrected = seal_identity(
            services.keyring,
            person,
            Identity(identity.cpr, name, contact),
            at,
            municipality=municipality,
        )
        entry = services.gate.entry(
            actor,
            purpose,
            AuditAction.ENROL,
            case_id,
            f"identity vault entry of person {person} corrected (name, contact)",
            at,
        )
        services.store.put_identity(corrected, [entry])

    def _person_of(
        self, case_id: str, actor: Actor, operation: str, purpose: str
    ) -> tuple[str, str | None]:
        """Return the pseudonym of a case's person and the case's municipality, checked."""
        repository = self._services.repository
        rows, _permit = repository.checked_rows(case_id, actor, operation, purpose)
        record = self._services.store.read_keys([case_id]).get(case_id)
        if record is None or record.subject is None:
            raise DataError(
                _(
                    "case {case} has no person in the identity vault: it is about a group or "
                    "an environment, or its data were erased"
                ).format(case=case_id)
            )
        return record.subject, repository.municipality_of(rows)

    def subject_of(self, cpr: str, municipality: str | None = None) -> Subject:
        """Return the :class:`Subject` of a CPR number in ``municipality``; no record.

        The pseudonym is keyed with the municipality's key (``None``, or a municipality
        without a key of its own: the default key).
        """
        pseudonymiser = self._services.keyring.key_for(municipality).pseudonymiser()
        return Subject(pseudonymiser.pseudonym(cpr), birth_date_from_cpr(cpr))

    def reidentify(self, case_id: str, actor: Actor, *, purpose: str) -> Identity:
        """Return the identity of the person a case is about (permission-checked, audited).

        Raises :class:`~ssp_core.exceptions.DataError` if the case is not about a
        person, was erased, or its person was entered by pseudonym only.
        """
        services = self._services
        person, municipality = self._person_of(case_id, actor, "identity.reidentify", purpose)
        services.keyring.key_for(municipality)  # no key for it: refused before the audit entry
        identity = services.store.read_identity(person)
        services.gate.audit(actor, purpose, AuditAction.REIDENTIFY, case_id, "identity vault entry")
        if identity is None:
            raise DataError(
                _(
                    "the person of case {case} is not in the identity vault (the case was "
                    "opened with a pseudonym only, or the entry was erased)"
                ).format(case=case_id)
            )
        return open_identity(services.keyring, identity, municipality=municipality)

    def open_for_person(
        self,
        cpr: str | Callable[[], str],
        *,
        actor: Actor,
        situation: str | None = None,
        concern_date: dt.date | None = None,
        workflow: str | None = None,
        version: int | None = None,
        name: str | None = None,
        contact: str | None = None,
        reason: str | None = None,
        purpose: str = CASEWORK,
        municipality: str | None = None,
        outside_band: bool = False,
    ) -> Case:
        """Enter a person into the vault and open a case about them: a concern or a workflow.

        The case belongs to ``municipality`` (by default the actor's, the workflow's or
        the only one loaded).

        Give ``situation`` (a concern; the card is chosen by the person's age on
        ``concern_date``, default today) or ``workflow`` (and ``version``). Whatever
        would refuse the opening (a bad CPR number, a concern date in the future, no
        card for the age, a card named whose age band the person is outside of, no
        permission to open, a workflow that takes no person) is found before the
        person is enrolled, so no vault entry is left without a case. ``outside_band``
        asks to open a card outside its age band (see
        :meth:`.CaseCommands.open_case`).
        ``cpr`` may be a function that reads the number (from a prompt, say): it is
        called only once the municipal key is known to be there.
        """
        if (workflow is None) == (situation is None):
            raise DataError(
                _("give either a situation (a concern) or a workflow, not both or neither")
            )
        services = self._services
        where = services.repository.municipality_for(actor, workflow, municipality)
        # The municipality's key (its own or the default): no key, refused before asking.
        pseudonymiser = services.keyring.key_for(where).pseudonymiser()
        number = cpr() if callable(cpr) else cpr
        subject = Subject(pseudonymiser.pseudonym(number), birth_date_from_cpr(number))
        today = local_date(services.clock.now())
        day = concern_date or today
        if situation is not None:
            if day > today:
                raise DataError(
                    _("the concern date {day} is in the future").format(day=day.isoformat())
                )
            definition = services.registry.select_card(situation, subject.age_on(day), where)
        else:
            assert workflow is not None  # noqa: S101 (checked above)
            definition = services.registry.engine(workflow, version).definition
        services.gate.authorise(
            actor, "case.open", purpose, workflow=definition.id, where=Where(where)
        )
        if SubjectKind.PERSON not in definition.subjects:
            allowed = ", ".join(kind.value for kind in definition.subjects)
            raise DataError(
                _("workflow {workflow} takes cases about {allowed}, not a {kind}").format(
                    workflow=definition.name, allowed=allowed, kind="person"
                )
            )
        if situation is None:
            # A card named directly: its age band is checked before anyone is enrolled.
            self._commands.check_card(
                definition,
                subject,
                actor,
                situation=None,
                concern_date=concern_date,
                reason=reason,
                outside_band=outside_band,
                purpose=purpose,
                municipality=where,
            )
        enrolled = self.enrol(
            number, actor, name=name, contact=contact, purpose=purpose, municipality=where
        )
        if situation is not None:
            return self._commands.open_concern(
                situation=situation,
                subject=enrolled,
                concern_date=day,
                actor=actor,
                reason=reason,
                purpose=purpose,
                municipality=where,
            )
        return self._commands.open_case(
            workflow=definition.id,
            subject=enrolled,
            actor=actor,
            version=definition.version,
            reason=reason,
            purpose=purpose,
            municipality=where,
            concern_date=concern_date,
            outside_band=outside_band,
        )
