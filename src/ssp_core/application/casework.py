"""The facade an embedding system creates: :class:`Casework`, every use case in one object.

Each method hands over to the family of use cases it belongs to (reads, commands,
identity, disclosure, safety walks, retention, store administration, research
export, evaluation, migration), all built over the same
:class:`~ssp_core.application.services.Services`. A new use case goes in the module
of its family and gets a one-line method here.

The module is longer than the others because it repeats each use case's signature
once, so that an editor, the API reference and ``mypy --strict`` see every call on
the one object an embedder holds; it holds no rule of its own.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ssp_core.application.reads import CaseReads, CaseView
from ssp_core.application.services import Services
from ssp_core.domain.access import ADMINISTRATION, CASEWORK, RESEARCH, RETENTION
from ssp_core.progress import Progress

if TYPE_CHECKING:
    from ssp_core.application.activities import InitiativeActivities
    from ssp_core.application.admin import StoreAdministration
    from ssp_core.application.advice import AdviceRequests
    from ssp_core.application.coming_of_age import ComingOfAgeCases, ComingOfAgeRow
    from ssp_core.application.commands import CaseCommands
    from ssp_core.application.disclosure import DisclosureEntry, Disclosures
    from ssp_core.application.evaluation import Evaluations
    from ssp_core.application.guide import Guide
    from ssp_core.application.identity import Identities
    from ssp_core.application.migration import MigrationPlan, MigrationResult, Migrations
    from ssp_core.application.research import ResearchExports
    from ssp_core.application.retention import Retention
    from ssp_core.application.rotation import KeyRotation, RotationReport
    from ssp_core.application.walks import SafetyWalks
    from ssp_core.clock import BusinessCalendar, Clock
    from ssp_core.domain.cases import Case
    from ssp_core.domain.coming_of_age import ComingOfAge
    from ssp_core.domain.cpr import Pseudonymiser
    from ssp_core.domain.disclosure import Consent
    from ssp_core.domain.events import CaseEvent
    from ssp_core.domain.labels import Language
    from ssp_core.domain.people import CaseSubject, Subject
    from ssp_core.domain.roles import Actor
    from ssp_core.domain.walks import Place, WalkPlan
    from ssp_core.evaluation.evaluate import Evaluation
    from ssp_core.plugins.registry import Registry
    from ssp_core.privacy.access import AccessPolicy
    from ssp_core.privacy.export import ExportResult
    from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys
    from ssp_core.privacy.retention import ErasureItem, ErasureReport
    from ssp_core.privacy.sealing import Keyring
    from ssp_core.privacy.suppression import SuppressedTable
    from ssp_core.privacy.vault import Identity
    from ssp_core.store.base import CaseStore
    from ssp_core.store.codec import EventCodec
    from ssp_core.store.records import AuditEntry, AuditQuery, CaseQuery, CaseRow
    from ssp_core.walks.views import Finding, Walk
    from ssp_core.workflows.engine import Deadline
    from ssp_core.workflows.explain import TriggerOption

__all__ = ["Casework"]


class Casework:
    """Open, move and read cases on the workflows of a :class:`Registry`, kept in a store.

    :param registry: the loaded plugins' data and engines.
    :param store: a :class:`~ssp_core.store.base.CaseStore` or a store URL (default: a new
        in-memory store; the CLI uses the embedded SQLite file).
    :param clock: stamps every event and audit entry (default: the system clock, UTC).
    :param calendar: business days for deadlines (default: Danish).
    :param ids: makes new case ids (default: random).
    :param key: the municipal keys (:class:`~ssp_core.privacy.keys.MunicipalKeys`: a
        default key and a key of their own for some municipalities), or one
        :class:`~ssp_core.privacy.keys.MunicipalKey`, the default key. A municipality's
        key derives its pseudonyms and wraps the data key of each of its cases. A store
        that outlives the process needs it for anything that seals or opens personal
        data; there is no default key. An in-memory store without one gets a random key
        that dies with it.
    :param event_codec: turns events into stored rows and back (default: the core codec).
    :param create: with a store URL, create the store if it does not exist (default);
        ``False`` refuses a missing one (:class:`~ssp_core.exceptions.StoreUnavailable`).

    Every method takes the ``actor`` who reads or writes and the ``purpose`` they do it
    for; both go to the audit log with the time. Reads of personal data must name
    their purpose. Every call is checked against the plugins' grants; a refusal raises
    :class:`~ssp_core.exceptions.AccessDenied`, is audited, and changes nothing.

    The parts it is made of are attributes: :attr:`registry`, :attr:`store`,
    :attr:`codec`, :attr:`keyring`, :attr:`policy`, :attr:`clock`, :attr:`calendar`,
    and :attr:`services`, which the families of use cases share.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        store: CaseStore | str | None = None,
        key: MunicipalKey | MunicipalKeys | None = None,
        clock: Clock | None = None,
        calendar: BusinessCalendar | None = None,
        ids: Callable[[], str] | None = None,
        event_codec: EventCodec | None = None,
        create: bool = True,
    ) -> None:
        if isinstance(store, str):
            from ssp_core.store.url import open_store  # noqa: PLC0415 (loaded when used)

            opened = open_store(store, create=create)
        elif store is None:
            from ssp_core.store.memory import MemoryStore  # noqa: PLC0415

            opened = MemoryStore()
        else:
            opened = store
        #: The parts the families of use cases share.
        self.services = Services(
            registry,
            opened,
            key=key,
            clock=clock,
            calendar=calendar,
            ids=ids,
            event_codec=event_codec,
        )
        services = self.services
        #: The registry of the loaded plugins.
        self.registry = registry
        #: The case store.
        self.store: CaseStore = opened
        #: The codec of events and stored rows.
        self.codec: EventCodec = services.codec
        #: The keyring of the cases' data keys.
        self.keyring: Keyring = services.keyring
        #: The access policy over the plugins' grants.
        self.policy: AccessPolicy = services.policy
        #: The clock every event and audit entry is stamped with.
        self.clock: Clock = services.clock
        #: The business days deadlines are counted in.
        self.calendar: BusinessCalendar = services.calendar
        self._reads = CaseReads(services)

    # The other families are made (and their modules imported) on first use, so that
    # reading a case does not import what opening, disclosing or exporting one needs.

    @cached_property
    def _commands(self) -> CaseCommands:
        from ssp_core.application.commands import CaseCommands  # noqa: PLC0415 (on first use)

        return CaseCommands(self.services)

    @cached_property
    def _coming_of_age(self) -> ComingOfAgeCases:
        from ssp_core.application.coming_of_age import ComingOfAgeCases  # noqa: PLC0415

        return ComingOfAgeCases(self.services)

    @cached_property
    def _identities(self) -> Identities:
        from ssp_core.application.identity import Identities  # noqa: PLC0415

        return Identities(self.services, self._commands)

    @cached_property
    def _disclosures(self) -> Disclosures:
        from ssp_core.application.disclosure import Disclosures  # noqa: PLC0415

        return Disclosures(self.services)

    @cached_property
    def _walks(self) -> SafetyWalks:
        from ssp_core.application.walks import SafetyWalks  # noqa: PLC0415

        return SafetyWalks(self.services, self._reads, self._commands)

    @cached_property
    def _retention(self) -> Retention:
        from ssp_core.application.retention import Retention  # noqa: PLC0415

        return Retention(self.services)

    @cached_property
    def _admin(self) -> StoreAdministration:
        from ssp_core.application.admin import StoreAdministration  # noqa: PLC0415

        return StoreAdministration(self.services)

    @cached_property
    def _research(self) -> ResearchExports:
        from ssp_core.application.research import ResearchExports  # noqa: PLC0415

        return ResearchExports(self.services)

    @cached_property
    def _evaluations(self) -> Evaluations:
        from ssp_core.application.evaluation import Evaluations  # noqa: PLC0415

        return Evaluations(self.services)

    @cached_property
    def advice(self) -> AdviceRequests:
        """The advice requests to the INFO house: ask, answer, refer, close, open a concern.

        A family of use cases exposed as one namespace (``casework.advice.ask(...)``),
        as new families are: see :class:`~ssp_core.application.advice.AdviceRequests`.
        """
        from ssp_core.application.advice import AdviceRequests  # noqa: PLC0415 (on first use)

        return AdviceRequests(self.services, self._reads, self._commands)

    @cached_property
    def activities(self) -> InitiativeActivities:
        """The activities of the strategy's initiatives: log, hold, cancel, read, import, count.

        A family of use cases exposed as one namespace (``casework.activities.log(...)``):
        see :class:`~ssp_core.application.activities.InitiativeActivities`.
        """
        from ssp_core.application.activities import (  # noqa: PLC0415 (on first use)
            InitiativeActivities,
        )

        return InitiativeActivities(self.services, self._reads)

    @cached_property
    def _migrations(self) -> Migrations:
        from ssp_core.application.migration import Migrations  # noqa: PLC0415

        return Migrations(self.services, self._reads)

    @cached_property
    def _rotation(self) -> KeyRotation:
        from ssp_core.application.rotation import KeyRotation  # noqa: PLC0415

        return KeyRotation(self.services)

    @property
    def pseudonymiser(self) -> Pseudonymiser:
        """Return the pseudonymiser of the default key (needs it): a deployment of one."""
        return self.services.keyring.key.pseudonymiser()

    def pseudonymiser_for(self, municipality: str | None) -> Pseudonymiser:
        """Return the pseudonymiser of ``municipality``'s key (its own, else the default)."""
        return self.services.keyring.key_for(municipality).pseudonymiser()

    def close(self) -> None:
        """Close the store, and drop the events and cases decoded lately (kept in memory only)."""
        self.services.repository.decoded.clear()
        self.services.repository.snapshots.clear()
        self.services.store.close()

    # -- reading (CaseReads) -------------------------------------------------------------

    def case(self, case_id: str, actor: Actor, *, purpose: str) -> Case:
        """Load a case (audited; fields outside the grants withheld): :meth:`.CaseReads.case`."""
        return self._reads.case(case_id, actor, purpose=purpose)

    def load_cases(self, case_ids: Iterable[str], actor: Actor, *, purpose: str) -> list[Case]:
        """Load several cases at once (audited): :meth:`.CaseReads.load_cases`."""
        return self._reads.load_cases(case_ids, actor, purpose=purpose)

    def find(
        self, actor: Actor, query: CaseQuery | None = None, *, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Search the case index (audited): :meth:`.CaseReads.find`."""
        return self._reads.find(actor, query, purpose=purpose)

    def overdue(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Return the open cases past a due date on ``on``: :meth:`.CaseReads.overdue`."""
        return self._reads.overdue(actor, on=on, purpose=purpose)

    def history(self, case_id: str, actor: Actor, *, purpose: str) -> tuple[CaseEvent, ...]:
        """Return the events of a case, oldest first: :meth:`.CaseReads.history`."""
        return self._reads.history(case_id, actor, purpose=purpose)

    def export(self, case_id: str, actor: Actor, *, purpose: str) -> list[dict[str, Any]]:
        """Return a case's history as JSON-ready records (audited): :meth:`.CaseReads.export`."""
        return self._reads.export(case_id, actor, purpose=purpose)

    def options(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[TriggerOption, ...]:
        """Return what ``actor`` can do now, and why not: :meth:`.CaseReads.options`."""
        return self._reads.options(case_id, actor, purpose=purpose)

    def deadlines(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[Deadline, ...]:
        """Return the deadlines running for the case: :meth:`.CaseReads.deadlines`."""
        return self._reads.deadlines(case_id, actor, purpose=purpose)

    def view(self, case_id: str, actor: Actor, *, purpose: str = CASEWORK) -> CaseView:
        """Return a case, its deadlines and the actor's options: :meth:`.CaseReads.view`."""
        return self._reads.view(case_id, actor, purpose=purpose)

    def view_of(self, case: Case, actor: Actor) -> CaseView:
        """Return the view of a case already read or changed: :meth:`.CaseReads.view_of`."""
        return self._reads.view_of(case, actor)

    # -- opening and changing (CaseCommands) ---------------------------------------------

    def open_concern(
        self,
        *,
        situation: str,
        subject: Subject,
        concern_date: dt.date,
        actor: Actor,
        reason: str | None = None,
        purpose: str = CASEWORK,
        municipality: str | None = None,
    ) -> Case:
        """Open a concern on the card for situation and age: :meth:`.CaseCommands.open_concern`."""
        return self._commands.open_concern(
            situation=situation,
            subject=subject,
            concern_date=concern_date,
            actor=actor,
            reason=reason,
            purpose=purpose,
            municipality=municipality,
        )

    def open_case(
        self,
        *,
        workflow: str,
        subject: CaseSubject,
        actor: Actor,
        version: int | None = None,
        reason: str | None = None,
        purpose: str = CASEWORK,
        municipality: str | None = None,
        situation: str | None = None,
        concern_date: dt.date | None = None,
        outside_band: bool = False,
    ) -> Case:
        """Open a case on ``workflow`` (a card: age checked): :meth:`.CaseCommands.open_case`."""
        return self._commands.open_case(
            workflow=workflow,
            subject=subject,
            actor=actor,
            version=version,
            reason=reason,
            purpose=purpose,
            municipality=municipality,
            situation=situation,
            concern_date=concern_date,
            outside_band=outside_band,
        )

    def fire(
        self,
        case_id: str,
        trigger: str,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Fire ``trigger``; a refusal raises and changes nothing: :meth:`.CaseCommands.fire`."""
        return self._commands.fire(case_id, trigger, actor, reason=reason, purpose=purpose)

    def record_fact(
        self,
        case_id: str,
        fact: str,
        actor: Actor,
        *,
        detail: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record a fact the case's workflow declares: :meth:`.CaseCommands.record_fact`."""
        return self._commands.record_fact(case_id, fact, actor, detail=detail, purpose=purpose)

    def record_observation(
        self,
        case_id: str,
        *,
        catalogue: str,
        sign: str,
        observed_by: str,
        observed_on: dt.date,
        actor: Actor,
        text: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record who saw which worry sign and when: :meth:`.CaseCommands.record_observation`."""
        return self._commands.record_observation(
            case_id,
            catalogue=catalogue,
            sign=sign,
            observed_by=observed_by,
            observed_on=observed_on,
            actor=actor,
            text=text,
            purpose=purpose,
        )

    def record_resource(
        self,
        case_id: str,
        *,
        catalogue: str,
        factor: str,
        observed_by: str,
        observed_on: dt.date,
        actor: Actor,
        text: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record who saw which protective factor: :meth:`.CaseCommands.record_resource`."""
        return self._commands.record_resource(
            case_id,
            catalogue=catalogue,
            factor=factor,
            observed_by=observed_by,
            observed_on=observed_on,
            actor=actor,
            text=text,
            purpose=purpose,
        )

    def add_note(self, case_id: str, text: str, actor: Actor, *, purpose: str = CASEWORK) -> Case:
        """Add a free-text note to the case: :meth:`.CaseCommands.add_note`."""
        return self._commands.add_note(case_id, text, actor, purpose=purpose)

    def assign(
        self,
        case_id: str,
        assignee: str | None,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Assign the case to an actor id (``None``: unassign): :meth:`.CaseCommands.assign`."""
        return self._commands.assign(case_id, assignee, actor, reason=reason, purpose=purpose)

    def move_case(
        self,
        case_id: str,
        to: str,
        actor: Actor,
        *,
        legal_basis: str,
        reason: str,
        purpose: str = CASEWORK,
    ) -> Case:
        """Move a case to another municipality: :meth:`.CaseCommands.move_case`."""
        return self._commands.move_case(
            case_id, to, actor, legal_basis=legal_basis, reason=reason, purpose=purpose
        )

    def record_session(
        self,
        case_id: str,
        actor: Actor,
        *,
        held_on: dt.date,
        participants: int | None = None,
        note: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record a session of a prevention track: :meth:`.CaseCommands.record_session`."""
        return self._commands.record_session(
            case_id,
            actor,
            held_on=held_on,
            participants=participants,
            note=note,
            purpose=purpose,
        )

    def suspend(self, case_id: str, actor: Actor, *, reason: str, purpose: str = CASEWORK) -> Case:
        """Put the case on hold, giving a reason: :meth:`.CaseCommands.suspend`."""
        return self._commands.suspend(case_id, actor, reason=reason, purpose=purpose)

    def resume(
        self, case_id: str, actor: Actor, *, reason: str | None = None, purpose: str = CASEWORK
    ) -> Case:
        """Take the case off hold: :meth:`.CaseCommands.resume`."""
        return self._commands.resume(case_id, actor, reason=reason, purpose=purpose)

    def extend_deadline(
        self,
        case_id: str,
        rule: str,
        due: dt.date,
        actor: Actor,
        *,
        reason: str,
        purpose: str = CASEWORK,
    ) -> Case:
        """Move a deadline to a later date: :meth:`.CaseCommands.extend_deadline`."""
        return self._commands.extend_deadline(
            case_id, rule, due, actor, reason=reason, purpose=purpose
        )

    def record_missed_deadlines(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[tuple[Case, Deadline]]:
        """Record, escalate missed due dates: :meth:`.CaseCommands.record_missed_deadlines`."""
        return self._commands.record_missed_deadlines(actor, on=on, purpose=purpose)

    # -- coming of age (ComingOfAgeCases) -----------------------------------------------

    def coming_of_age(
        self,
        actor: Actor,
        *,
        on: dt.date | None = None,
        within: int = 0,
        purpose: str = CASEWORK,
    ) -> list[ComingOfAgeRow]:
        """List the open cases whose person turns 18: :meth:`.ComingOfAgeCases.coming_of_age`."""
        return self._coming_of_age.coming_of_age(actor, on=on, within=within, purpose=purpose)

    def record_coming_of_age(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[tuple[Case, ComingOfAge]]:
        """Announce each case's coming of age once: :meth:`.ComingOfAgeCases.record`."""
        return self._coming_of_age.record(actor, on=on, purpose=purpose)

    # -- people (Identities) -------------------------------------------------------------

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
        """Enter a person into the identity vault: :meth:`.Identities.enrol`."""
        return self._identities.enrol(
            cpr, actor, name=name, contact=contact, purpose=purpose, municipality=municipality
        )

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
        """Enrol a person and open a case about them: :meth:`.Identities.open_for_person`."""
        return self._identities.open_for_person(
            cpr,
            actor=actor,
            situation=situation,
            concern_date=concern_date,
            workflow=workflow,
            version=version,
            name=name,
            contact=contact,
            reason=reason,
            purpose=purpose,
            municipality=municipality,
            outside_band=outside_band,
        )

    def reidentify(self, case_id: str, actor: Actor, *, purpose: str) -> Identity:
        """Return the identity of a case's person (audited): :meth:`.Identities.reidentify`."""
        return self._identities.reidentify(case_id, actor, purpose=purpose)

    def correct_identity(
        self,
        case_id: str,
        actor: Actor,
        *,
        name: str | None,
        contact: str | None,
        purpose: str,
    ) -> None:
        """Change the name and contact of a case's person (audited): :meth:`.Identities.correct`."""
        self._identities.correct(case_id, actor, name=name, contact=contact, purpose=purpose)

    # -- disclosure (Disclosures) --------------------------------------------------------

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
        """Record a lawful disclosure, or refuse it (audited): :meth:`.Disclosures.disclose`."""
        return self._disclosures.disclose(
            case_id,
            actor,
            recipient=recipient,
            legal_basis=legal_basis,
            categories=categories,
            purpose=purpose,
            consent=consent,
            note=note,
        )

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
        purpose: str = "disclosure",
        participation: bool = False,
    ) -> Consent:
        """Record a person's consent on a case: :meth:`.Disclosures.record_consent`."""
        return self._disclosures.record_consent(
            case_id,
            actor,
            given_by=given_by,
            recipients=recipients,
            categories=categories,
            given_on=given_on,
            scope=scope,
            purpose=purpose,
            participation=participation,
        )

    def withdraw_consent(
        self,
        case_id: str,
        consent_id: str,
        actor: Actor,
        *,
        purpose: str = "disclosure",
        withdrawn_on: dt.date | None = None,
        reason: str | None = None,
    ) -> Case:
        """Record that a consent was withdrawn: :meth:`.Disclosures.withdraw_consent`."""
        return self._disclosures.withdraw_consent(
            case_id,
            consent_id,
            actor,
            purpose=purpose,
            withdrawn_on=withdrawn_on,
            reason=reason,
        )

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
        """List what went to whom, on what basis (audited): :meth:`.Disclosures.disclosures`."""
        return self._disclosures.disclosures(
            actor, purpose=purpose, recipient=recipient, case_id=case_id, since=since, until=until
        )

    # -- safety walks (SafetyWalks) ------------------------------------------------------

    def plan_walk(
        self,
        *,
        locality: str,
        held_on: dt.date,
        actor: Actor,
        participants: Iterable[str] = (),
        citizens: int = 0,
        topics: Iterable[str] = (),
        note: str | None = None,
        workflow: str | None = None,
        source: str | None = None,
        purpose: str = CASEWORK,
        municipality: str | None = None,
    ) -> Case:
        """Plan a safety walk in a locality: :meth:`.SafetyWalks.plan_walk`."""
        return self._walks.plan_walk(
            locality=locality,
            held_on=held_on,
            actor=actor,
            participants=participants,
            citizens=citizens,
            topics=topics,
            note=note,
            workflow=workflow,
            source=source,
            purpose=purpose,
            municipality=municipality,
        )

    def record_finding(
        self,
        walk_id: str,
        *,
        place: Place,
        category: str,
        description: str,
        actor: Actor,
        responsible: str | None = None,
        workflow: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record a finding of a held walk: :meth:`.SafetyWalks.record_finding`."""
        return self._walks.record_finding(
            walk_id,
            place=place,
            category=category,
            description=description,
            actor=actor,
            responsible=responsible,
            workflow=workflow,
            purpose=purpose,
        )

    def assign_finding(
        self,
        case_id: str,
        partner: str,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Make a partner responsible for a finding: :meth:`.SafetyWalks.assign_finding`."""
        return self._walks.assign_finding(case_id, partner, actor, reason=reason, purpose=purpose)

    def import_walk(
        self, walk: WalkPlan | str, actor: Actor, *, purpose: str = CASEWORK
    ) -> list[Case]:
        """Put an example walk in the store, once: :meth:`.SafetyWalks.import_walk`."""
        return self._walks.import_walk(walk, actor, purpose=purpose)

    def walks(self, actor: Actor, *, purpose: str) -> list[Walk]:
        """Return every safety walk the actor may read (audited): :meth:`.SafetyWalks.walks`."""
        return self._walks.walks(actor, purpose=purpose)

    def findings(
        self,
        actor: Actor,
        *,
        purpose: str,
        walk: str | None = None,
        open_only: bool = False,
    ) -> list[Finding]:
        """Return safety-walk findings (audited): :meth:`.SafetyWalks.findings`."""
        return self._walks.findings(actor, purpose=purpose, walk=walk, open_only=open_only)

    # -- the help tool (guide) -----------------------------------------------------------

    def guide(
        self,
        *,
        language: Language = "en",
        municipality: str | None = None,
        sections: Iterable[str] = (),
    ) -> Guide:
        """Return the help tool, no grant needed (no personal data): :func:`.build_guide`."""
        from ssp_core.application.guide import build_guide  # noqa: PLC0415 (on first use)

        return build_guide(
            self.registry, language=language, municipality=municipality, sections=sections
        )

    # -- retention (Retention) -----------------------------------------------------------

    def retention_due(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = RETENTION
    ) -> tuple[list[ErasureItem], list[str]]:
        """Return the cases due for erasure: :meth:`.Retention.retention_due`."""
        return self._retention.retention_due(actor, on=on, purpose=purpose)

    def erase_due(
        self,
        actor: Actor,
        *,
        on: dt.date | None = None,
        purpose: str = RETENTION,
        dry_run: bool = False,
        batch: int = 200,
        progress: Callable[[int, int], None] | None = None,
    ) -> ErasureReport:
        """Erase the closed cases due, by crypto-shredding: :meth:`.Retention.erase_due`."""
        return self._retention.erase_due(
            actor, on=on, purpose=purpose, dry_run=dry_run, batch=batch, progress=progress
        )

    def scrub_store(self, actor: Actor, *, purpose: str = RETENTION) -> tuple[str, ...]:
        """Clear what earlier erasures may have left behind: :meth:`.Retention.scrub`."""
        return self._retention.scrub(actor, purpose=purpose)

    # -- the store (StoreAdministration) -------------------------------------------------

    def audit_log(
        self, actor: Actor, query: AuditQuery | None = None, *, purpose: str
    ) -> list[AuditEntry]:
        """Return audit entries (audited): :meth:`.StoreAdministration.audit_log`."""
        return self._admin.audit_log(actor, query, purpose=purpose)

    def seal_unsealed(
        self,
        actor: Actor,
        *,
        purpose: str = ADMINISTRATION,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Seal histories written before schema 2: :meth:`.StoreAdministration.seal_unsealed`."""
        return self._admin.seal_unsealed(actor, purpose=purpose, progress=progress)

    def upgrade_store(self, actor: Actor, *, purpose: str = ADMINISTRATION) -> tuple[int, ...]:
        """Apply the schema migrations missing: :meth:`.StoreAdministration.upgrade_store`."""
        return self._admin.upgrade_store(actor, purpose=purpose)

    # -- keys (KeyRotation) --------------------------------------------------------------

    def rotate_key(
        self,
        actor: Actor,
        municipality: str,
        *,
        key_dir: str | os.PathLike[str] | None,
        resume: bool = False,
        batch: int = 200,
        progress: Callable[[int, int], None] | None = None,
        purpose: str = ADMINISTRATION,
    ) -> RotationReport:
        """Rotate a municipality's key, re-wrapping its case keys: :meth:`.KeyRotation.rotate`."""
        return self._rotation.rotate(
            actor,
            municipality,
            key_dir=key_dir,
            resume=resume,
            batch=batch,
            progress=progress,
            purpose=purpose,
        )

    # -- research and evaluation ---------------------------------------------------------

    def research_export(
        self,
        actor: Actor,
        *,
        kind: str,
        out: str | os.PathLike[str],
        fmt: str = "csv",
        purpose: str = RESEARCH,
        age_bands: Sequence[str] | None = None,
        municipalities: Iterable[str] | None = None,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Write a research export (checked, audited): :meth:`.ResearchExports.research_export`."""
        return self._research.research_export(
            actor,
            kind=kind,
            out=out,
            fmt=fmt,
            purpose=purpose,
            age_bands=age_bands,
            municipalities=municipalities,
            progress=progress,
        )

    def evaluate(
        self,
        actor: Actor,
        *,
        initiative: str | None = None,
        term: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        strategy: str | None = None,
        survey: str | os.PathLike[str] | None = None,
        crime: str | os.PathLike[str] | None = None,
        index_config: str | os.PathLike[str] | None = None,
        purpose: str = RESEARCH,
        municipalities: Iterable[str] | None = None,
    ) -> Evaluation:
        """Evaluate an initiative or a council term: :meth:`.Evaluations.evaluate`."""
        return self._evaluations.evaluate(
            actor,
            initiative=initiative,
            term=term,
            since=since,
            until=until,
            strategy=strategy,
            survey=survey,
            crime=crime,
            index_config=index_config,
            purpose=purpose,
            municipalities=municipalities,
        )

    def decision_counts(
        self,
        actor: Actor,
        *,
        since: dt.date,
        until: dt.date,
        purpose: str = RESEARCH,
        municipalities: Iterable[str] | None = None,
    ) -> dict[tuple[str, str], SuppressedTable]:
        """Count the ways out taken at each state: :meth:`.Evaluations.decision_counts`."""
        return self._evaluations.decision_counts(
            actor, since=since, until=until, purpose=purpose, municipalities=municipalities
        )

    # -- migration (Migrations) ----------------------------------------------------------

    def plan_migration(
        self,
        workflow: str,
        actor: Actor,
        *,
        to_version: int | None = None,
        purpose: str = CASEWORK,
    ) -> MigrationPlan:
        """Plan moving running cases to a newer version: :meth:`.Migrations.plan_migration`."""
        return self._migrations.plan_migration(
            workflow, actor, to_version=to_version, purpose=purpose
        )

    def migrate(
        self,
        plan: MigrationPlan,
        actor: Actor,
        *,
        purpose: str = CASEWORK,
        progress: Progress | None = None,
    ) -> MigrationResult:
        """Apply a migration plan, one commit per case: :meth:`.Migrations.migrate`."""
        return self._migrations.migrate(plan, actor, purpose=purpose, progress=progress)

    def migrate_case(
        self,
        case_id: str,
        to_version: int,
        dest: str,
        actor: Actor,
        *,
        expected_state: str,
        purpose: str = CASEWORK,
    ) -> Case:
        """Move one running case to a newer version: :meth:`.Migrations.migrate_case`."""
        return self._migrations.migrate_case(
            case_id, to_version, dest, actor, expected_state=expected_state, purpose=purpose
        )
