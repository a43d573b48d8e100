"""Changing cases: open them, fire triggers, record facts, observations, notes and sessions.

Each command loads the case through the repository (checked against the grants),
lets the case's workflow engine decide, and commits the new events in one append at
the version it loaded: a refused command raises and changes nothing; a concurrent
writer gets a :class:`~ssp_core.exceptions.ConcurrencyError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from ssp_core.application.repository import Loaded, reacting
from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import CatalogueKind, Observation, WorrySignCatalogue
from ssp_core.domain.events import CaseEvent, DeadlineMissed, MovedToMunicipality
from ssp_core.domain.people import CaseSubject, Subject
from ssp_core.domain.roles import Actor
from ssp_core.domain.validators import check_actor_id
from ssp_core.exceptions import CardRefused, DataError
from ssp_core.i18n import N_, _
from ssp_core.privacy.access import Where
from ssp_core.store.records import AuditAction, CaseQuery, KeyReplacement
from ssp_core.workflows.definition import WorkflowDefinition, WorkflowKind
from ssp_core.workflows.engine import Deadline, WorkflowEngine

__all__ = ["CardChoice", "CaseCommands"]

_CATALOGUE_KINDS = {
    CatalogueKind.WORRY_SIGNS: N_("worry signs"),
    CatalogueKind.RESOURCES: N_("resources"),
}
"""What a catalogue of each kind lists, in words."""


@attrs.frozen
class CardChoice:
    """What opening a case on a checked workflow records (see :meth:`CaseCommands.check_card`).

    ``override`` is the audit detail of an opening outside the card's age band, else ``None``.
    """

    situation: str | None
    concern_date: dt.date | None
    reason: str | None
    override: str | None


class CaseCommands:
    """The use cases that open and change cases."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._cases = services.repository
        self._calendar = services.calendar

    # -- opening -------------------------------------------------------------------------

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
        details: Callable[[Case, dt.datetime], CaseEvent] | None = None,
        together: Callable[[Case, dt.datetime], Loaded] | None = None,
    ) -> Case:
        """Open a concern on the action card for ``situation`` and the person's age then.

        The concern belongs to ``municipality`` (by default the one the actor's role
        acts for, or the only one loaded); the card is chosen among that
        municipality's cards by the situation and the age band that holds the
        subject's age on ``concern_date``. ``details`` and ``together`` are passed to
        :meth:`~ssp_core.application.repository.CaseRepository.open` (an event of the
        opening commit; another case changed in the same commit).
        """
        today = local_date(self._services.clock.now())
        if concern_date > today:
            raise DataError(
                _("the concern date {day} is in the future").format(day=concern_date.isoformat())
            )
        registry = self._services.registry
        where = self._cases.municipality_for(actor, None, municipality)
        card = registry.select_card(situation, subject.age_on(concern_date), where)
        return self._cases.open(
            registry.engine(card.id, card.version),
            subject=subject,
            actor=actor,
            situation=situation,
            concern_date=concern_date,
            reason=reason,
            purpose=purpose,
            municipality=where,
            details=details,
            together=together,
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
        """Open a case on ``workflow`` (the newest version unless ``version`` is given).

        The case belongs to ``municipality`` (by default the actor's, the workflow's
        or the only one loaded); a workflow of one municipality opens only its cases.

        An action card named directly is checked as :meth:`open_concern` chooses one
        (:meth:`check_card`): the person's age on ``concern_date`` (default: today)
        must lie in the card's age band, and ``situation``, if given, must be the
        card's. Outside the band the opening is refused and audited, unless
        ``outside_band`` is set, the actor's role is granted ``case.open_outside_band``
        and a written ``reason`` is given: then the case opens, the override is part of
        its opening reason and it is audited.
        """
        engine = self._services.registry.engine(workflow, version)
        where = self._cases.municipality_for(actor, engine.definition.id, municipality)
        choice = self.check_card(
            engine.definition,
            subject,
            actor,
            situation=situation,
            concern_date=concern_date,
            reason=reason,
            outside_band=outside_band,
            purpose=purpose,
            municipality=where,
        )
        case = self._cases.open(
            engine,
            subject=subject,
            actor=actor,
            situation=choice.situation,
            concern_date=choice.concern_date,
            reason=choice.reason,
            purpose=purpose,
            municipality=where,
        )
        if choice.override is not None:
            self._services.gate.audit(actor, purpose, AuditAction.WRITE, case.id, choice.override)
        return case

    def check_card(
        self,
        definition: WorkflowDefinition,
        subject: CaseSubject,
        actor: Actor,
        *,
        situation: str | None,
        concern_date: dt.date | None,
        reason: str | None,
        outside_band: bool,
        purpose: str,
        municipality: str | None,
    ) -> CardChoice:
        """Check that ``definition`` may be opened for ``subject``; return what the opening records.

        For an action card about a person, the rule of :meth:`open_concern` holds
        (:meth:`~ssp_core.plugins.registry.Registry.card_misfit`). A card that does not
        fit is refused with :class:`~ssp_core.exceptions.CardRefused`, audited as
        denied, before anything is written; with ``outside_band``, a role granted
        ``case.open_outside_band`` and a written reason, it is allowed as an override
        (an age outside the band only; a wrong situation is always refused). Other
        workflows take no situation and no concern date.
        """
        registry = self._services.registry
        applies = definition.applies_to
        if definition.kind is not WorkflowKind.ACTION_CARD or applies is None:
            if situation is not None or concern_date is not None:
                raise DataError(
                    _(
                        "workflow {workflow} is not an action card; a situation and a "
                        "concern date belong only to a concern on an action card"
                    ).format(workflow=definition.name)
                )
            return CardChoice(None, None, reason, None)
        if not isinstance(subject, Subject):
            return CardChoice(situation, concern_date, reason, None)  # the engine refuses it
        today = local_date(self._services.clock.now())
        day = concern_date or today
        if day > today:
            raise DataError(
                _("the concern date {day} is in the future").format(day=day.isoformat())
            )
        age = subject.age_on(day)
        misfit = registry.card_misfit(
            definition, age, situation=situation, municipality=municipality
        )
        if misfit is None:
            return CardChoice(applies.situation, day, reason, None)
        gate, where = self._services.gate, Where(municipality)
        wrong_situation = situation is not None and situation != applies.situation
        if outside_band and not wrong_situation:
            gate.authorise(
                actor, "case.open_outside_band", purpose, workflow=definition.id, where=where
            )
        gate.authorise(actor, "case.open", purpose, workflow=definition.id, where=where)
        if wrong_situation or not outside_band:
            gate.audit(actor, purpose, AuditAction.DENIED, None, f"case.open: {misfit}")
            if wrong_situation:
                raise CardRefused(misfit)
            raise CardRefused(
                _(
                    "{misfit}; a role granted case.open_outside_band may open it with a "
                    "written reason"
                ).format(misfit=misfit)
            )
        text = reason.strip() if reason is not None else ""
        if not text:
            gate.audit(
                actor,
                purpose,
                AuditAction.DENIED,
                None,
                f"case.open_outside_band: no written reason ({definition.name})",
            )
            raise CardRefused(
                _("{misfit}; opening it outside its age band needs a written reason").format(
                    misfit=misfit
                )
            )
        band = applies.age_band
        return CardChoice(
            applies.situation,
            day,
            f"Opened outside the card's age band {band} (case.open_outside_band): {text}",
            f"case.open_outside_band: {definition.name} opened outside its age band {band}",
        )

    # -- moving --------------------------------------------------------------------------

    def fire(
        self,
        case_id: str,
        trigger: str,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Fire ``trigger`` on the case; a refused trigger raises and changes nothing."""
        return self._cases.change(
            case_id,
            actor,
            "case.fire",
            purpose,
            lambda case, engine, at: engine.fire(
                case, trigger, actor, at=at, reason=reason, calendar=self._calendar
            ),
        )

    def record_fact(
        self,
        case_id: str,
        fact: str,
        actor: Actor,
        *,
        detail: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Record a fact the case's workflow declares, e.g. ``children_services_notified``."""
        return self._cases.change(
            case_id,
            actor,
            "case.fact",
            purpose,
            lambda case, engine, at: engine.record_fact(case, fact, actor, at=at, detail=detail),
        )

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
        """Record who saw which worry sign and when; the sign must be in the catalogue."""
        self._catalogue(catalogue, CatalogueKind.WORRY_SIGNS).sign(sign)
        observation = Observation(catalogue, sign, observed_by, observed_on, text)
        return self._cases.change(
            case_id,
            actor,
            "case.observe",
            purpose,
            lambda case, engine, at: engine.record_observation(case, observation, actor, at=at),
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
        """Record who saw which resource or protective factor and when (``case.observe``).

        ``catalogue`` is a catalogue of kind ``resources``; ``factor`` one of its items.
        It is shown beside the worry signs and never counted into anything about the
        person.
        """
        self._catalogue(catalogue, CatalogueKind.RESOURCES).sign(factor)
        observation = Observation(catalogue, factor, observed_by, observed_on, text)
        return self._cases.change(
            case_id,
            actor,
            "case.observe",
            purpose,
            lambda case, engine, at: engine.record_resource(case, observation, actor, at=at),
        )

    def _catalogue(self, catalogue: str, kind: CatalogueKind) -> WorrySignCatalogue:
        """Return the registered catalogue, if it is of ``kind``; else a clear error."""
        registry = self._services.registry
        found = registry.catalogues[catalogue]
        if found.kind is not kind:
            of_kind = [c.id for c in registry.catalogues.values() if c.kind is kind]
            raise DataError(
                _(
                    "catalogue {catalogue} lists {found}, not {kind}; catalogues of {kind}: {known}"
                ).format(
                    catalogue=repr(catalogue),
                    found=_(_CATALOGUE_KINDS[found.kind]),
                    kind=_(_CATALOGUE_KINDS[kind]),
                    known=", ".join(of_kind) or _("none"),
                )
            )
        return found

    def add_note(self, case_id: str, text: str, actor: Actor, *, purpose: str = CASEWORK) -> Case:
        """Add a free-text note to the case."""
        return self._cases.change(
            case_id,
            actor,
            "case.note",
            purpose,
            lambda case, engine, at: engine.add_note(case, text, actor, at=at),
        )

    def assign(
        self,
        case_id: str,
        assignee: str | None,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Assign the case to ``assignee`` (an actor id), or unassign it with ``None``.

        The assignee must be an actor id (:func:`~ssp_core.domain.validators.check_actor_id`);
        anything else is refused before the case is read.
        """
        if assignee is not None:
            check_actor_id(assignee, N_("the assignee"))
        return self._cases.change(
            case_id,
            actor,
            "case.assign",
            purpose,
            lambda case, engine, at: engine.assign(case, assignee, actor, at=at, reason=reason),
        )

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
        """Move the case to municipality ``to`` (the person moved): an audited event.

        The actor needs ``case.move`` on the case where it is now; ``to`` must be
        another registered municipality, ``legal_basis`` a registered legal basis that
        serves ``purpose``, and ``reason`` a written reason. The case keeps its
        history and its workflow, so its workflow must be one the receiving
        municipality runs: a shared one (from a plugin of no municipality). A case on
        the sending municipality's own card is refused: close it there, and the
        receiving municipality opens its own.

        If the two municipalities seal their cases under different keys, the case's
        data key is re-wrapped under the receiving municipality's key in the same
        commit as the move (its events stay as they are): both are stored, or neither.
        The receiving municipality's key must be there.
        """
        registry = self._services.registry
        walls = self._services.policy.walls
        keyring = self._services.keyring
        rewrapped: list[KeyReplacement] = []

        def move(case: Case, engine: WorkflowEngine, at: dt.datetime) -> None:
            # Checked once the actor may move the case (the repository checked that).
            registry.municipalities[to]
            if legal_basis not in registry.legal_bases:
                raise DataError(
                    _("unknown legal basis {basis}; known: {known}").format(
                        basis=repr(legal_basis), known=", ".join(registry.legal_bases)
                    )
                )
            basis = registry.legal_bases[legal_basis]
            if not basis.serves(purpose):
                raise DataError(
                    _("{citation} does not serve purpose {purpose} (it serves: {served})").format(
                        citation=basis.citation,
                        purpose=repr(purpose),
                        served=", ".join(basis.purposes),
                    )
                )
            text = reason.strip() if isinstance(reason, str) else ""
            if not text:
                raise DataError(_("moving a case to another municipality needs a written reason"))
            here = walls.municipality(case.workflow, case.municipality)
            if to == here:
                raise DataError(
                    _("case {case} is already municipality {to}'s").format(
                        case=case.id, to=repr(to)
                    )
                )
            receiving = keyring.key_for(to)  # no key for it: refused before anything
            owner = registry.workflow_home(case.workflow)
            if owner is not None:
                raise DataError(
                    _(
                        "case {case} is on workflow {workflow}, which is municipality "
                        "{owner}'s own; only a case on a shared workflow moves. Close it here; "
                        "municipality {to} opens its own case"
                    ).format(case=case.id, workflow=case.workflow, owner=repr(owner), to=repr(to))
                )
            del engine  # the workflow is unchanged
            case.apply(
                MovedToMunicipality(
                    case_id=case.id,
                    version=case.version + 1,
                    at=at,
                    actor=actor.id,
                    role=actor.role,
                    from_municipality=here,
                    to_municipality=to,
                    legal_basis=legal_basis,
                    reason=text,
                )
            )
            self._services.repository.check_sealing_key(to)
            record = self._services.store.read_keys([case.id])[case.id]  # loaded: it has one
            if record.key_id != receiving.fingerprint:
                new = keyring.rewrap_case_key(record, receiving, municipality=here)
                rewrapped.append(KeyReplacement(record, new))

        loaded = self._cases.load(case_id, actor, "case.move", purpose)
        move(loaded.case, loaded.engine, self._services.clock.now())
        self._cases.commit(loaded, purpose, rewrapped=rewrapped)
        return loaded.case

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
        """Record a session of a prevention track."""
        return self._cases.change(
            case_id,
            actor,
            "case.note",
            purpose,
            lambda case, engine, at: engine.record_session(
                case, actor, at=at, held_on=held_on, participants=participants, note=note
            ),
        )

    # -- deadlines -----------------------------------------------------------------------

    def suspend(self, case_id: str, actor: Actor, *, reason: str, purpose: str = CASEWORK) -> Case:
        """Put the case on hold, giving a reason: its deadlines stop running."""
        return self._cases.change(
            case_id,
            actor,
            "case.hold",
            purpose,
            lambda case, engine, at: engine.suspend(case, actor, at=at, reason=reason),
        )

    def resume(
        self, case_id: str, actor: Actor, *, reason: str | None = None, purpose: str = CASEWORK
    ) -> Case:
        """Take the case off hold; its due dates move by the business days it was on hold."""
        return self._cases.change(
            case_id,
            actor,
            "case.hold",
            purpose,
            lambda case, engine, at: engine.resume(
                case, actor, at=at, reason=reason, calendar=self._calendar
            ),
        )

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
        """Move the due date of deadline ``rule`` to the later ``due``, giving a reason."""
        return self._cases.change(
            case_id,
            actor,
            "case.extend",
            purpose,
            lambda case, engine, at: engine.extend_deadline(
                case, rule, due, actor, at=at, reason=reason
            ),
        )

    def record_missed_deadlines(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[tuple[Case, Deadline]]:
        """Record each due date passed before ``on`` (default: today) once, and escalate it.

        For every open case past a due date not yet recorded that the role's grants
        cover, a :class:`~ssp_core.domain.events.DeadlineMissed` event is stored and
        the plugins' ``ssp_after_deadline_missed`` hook is called with the deadline.
        Returns what was recorded now; a second run on the same day records nothing.
        """
        clock, gate = self._services.clock, self._services.gate
        today = local_date(clock.now())
        day = on or today
        if day > today:
            raise DataError(
                _(
                    "a missed deadline can be recorded only once it has passed; "
                    "{day} is after today ({today})"
                ).format(day=day.isoformat(), today=today.isoformat())
            )
        query = CaseQuery(due_before=day)
        rows = gate.search(actor, "case.deadlines", purpose, query)
        gate.audit(actor, purpose, AuditAction.SEARCH, None, query.describe())
        recorded: list[tuple[Case, Deadline]] = []
        for row in rows:
            loaded = self._cases.load(row.case_id, actor, "case.deadlines", purpose)
            case, engine = loaded.case, loaded.engine
            missed = [d for d in case.due if not d.missed and d.due < day]
            if not missed:
                continue
            at = clock.now()
            for due in missed:
                engine.record_missed(case, due.rule, actor, at=at)
            for event in self._cases.commit(loaded, purpose, announce=False):
                self._cases.announce(engine, case, [event])
                assert isinstance(event, DeadlineMissed)  # noqa: S101 (just recorded above)
                deadline = next(d for d in engine.deadlines(case) if d.rule == event.rule)
                with reacting(case.id):
                    self._services.registry.host.after_deadline_missed(
                        case=case, deadline=deadline, definition=engine.definition
                    )
                recorded.append((case, deadline))
        return recorded
