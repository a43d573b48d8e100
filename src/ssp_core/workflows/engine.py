"""The engine: one ``transitions.Machine`` per workflow definition version, shared by all cases.

Cases are small :class:`~ssp_core.domain.cases.Case` records. To fire a trigger the
engine follows the machine's transitions from the case's state: the machine's
conditions (the guards) choose the destination, and the engine records a
:class:`~ssp_core.domain.events.Transitioned` event on the case. The machine has no
callbacks, so its table is read once (:mod:`ssp_core.workflows.routes`) and followed
without the machine's general dispatch; a machine given callbacks is triggered as it
is, with a throw-away cursor holding the case's state
(``machine.events[trigger].trigger(cursor, case)``). No case is ever added to a
machine as a model.

The module is longer than most (about 700 lines) because it is the one place that
drives a case through its machine: firing, guards and their reasons, the options
shown to an actor, deadlines on entering a state, facts, sessions and holds. Each is
short; split apart, one transition's rules would be read across several modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from transitions import Machine, State

from ssp_core.clock import BusinessCalendar, danish_calendar, local_date
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import Observation
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.disclosure import Consent
from ssp_core.domain.events import (
    Assigned,
    CaseOpened,
    CaseResumed,
    CaseSuspended,
    ConsentGiven,
    ConsentWithdrawn,
    DeadlineExtended,
    DeadlineMissed,
    Disclosure,
    FactRecorded,
    NoteAdded,
    ObservationRecorded,
    ResourceObserved,
    SessionRecorded,
    Transitioned,
    WorkflowMigrated,
)
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import CaseSubject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ActionRefused, DataError, Reason, TransitionRefused, UnknownId
from ssp_core.i18n import _, label
from ssp_core.workflows.deadlines import Deadline, DueDates
from ssp_core.workflows.definition import (
    DeadlineRule,
    Instruction,
    TransitionSpec,
    WorkflowDefinition,
)
from ssp_core.workflows.explain import (
    INSTRUCTION,
    CaseClosed,
    GuardNotSatisfied,
    Note,
    OnHold,
    ReasonRequired,
    RoleRequired,
    TriggerOption,
    WrongState,
)
from ssp_core.workflows.guards import Guard, compile_guard
from ssp_core.workflows.routes import Route, follow, routes

__all__ = ["Deadline", "WorkflowEngine", "build_machine"]


class _Cursor:
    """The only object a machine ever moves: the state of one case, for one trigger."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _stamp(case: Case, actor: Actor, at: dt.datetime) -> dict[str, Any]:
    """Return what every new event of ``case`` carries: its id, next version, time, actor, role."""
    return {
        "case_id": case.id,
        "version": case.version + 1,
        "at": at,
        "actor": actor.id,
        "role": actor.role,
    }


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def build_machine(
    definition: WorkflowDefinition, checks: Mapping[str, Callable[[Case], bool]]
) -> Machine:
    """Build the one ``transitions.Machine`` of a definition version, with no model.

    States keep their final flag; each transition's guards become its ``conditions``
    as callables (``checks`` maps guard ids to their tests), so nothing is looked up
    on a model by name. Automatic ``to_<state>`` triggers are off.
    """
    return Machine(
        model=None,
        states=[State(state.id, final=state.final) for state in definition.states],
        transitions=[
            {
                "trigger": transition.trigger,
                "source": list(transition.source),
                "dest": transition.dest,
                "conditions": [checks[guard] for guard in transition.guards],
            }
            for transition in definition.transitions
        ],
        initial=definition.initial,
        auto_transitions=False,
        send_event=False,
        name=f"{definition.name}: ",
    )


class WorkflowEngine:
    """Runs the cases of one :class:`WorkflowDefinition` version through one machine.

    ``guards`` maps guard ids to guards implemented in code by plugins; guards declared
    in the definition are compiled from their data.

    ``machine`` is the engine's own: its transitions are read once, when the engine is
    built (:mod:`ssp_core.workflows.routes`), so a change made to it afterwards is not
    seen. A workflow changes by a new definition version, never by editing a machine.
    """

    __slots__ = (
        "_checks",
        "_due",
        "_edges",
        "_fact_rules",
        "_finals",
        "_guard_labels",
        "_id",
        "_initial",
        "_instructions",
        "_machine_events",
        "_routes",
        "_starts",
        "_subjects",
        "_template",
        "_version",
        "definition",
        "machine",
    )

    def __init__(
        self, definition: WorkflowDefinition, guards: Mapping[str, Guard] | None = None
    ) -> None:
        code_guards = dict(guards or {})
        self.definition = definition
        self._id, self._version = definition.key
        self._checks: dict[str, Callable[[Case], bool]] = {
            gid: guard.holds for gid, guard in code_guards.items()
        }
        self._guard_labels: dict[str, Labels] = {
            gid: guard.labels for gid, guard in code_guards.items()
        }
        for spec in definition.guards:
            self._checks[spec.id] = compile_guard(spec)
            self._guard_labels[spec.id] = spec.labels
        self._edges: dict[tuple[str, str], TransitionSpec] = {
            (source, transition.trigger): transition for source, transition in definition.edges()
        }
        self._finals = definition.final_states
        self._initial = definition.initial
        self._subjects = frozenset(definition.subjects)
        self._template = definition.template
        self._due = DueDates(definition)
        self._starts = self._due.starts
        self._fact_rules: dict[str, DeadlineRule] = {
            rule.key: rule for rule in definition.deadlines if rule.fact is not None
        }
        self._instructions: dict[str, tuple[Instruction, ...]] = {
            state.id: state.instructions
            for state in definition.states
            if state.instructions and not state.final
        }
        self.machine = build_machine(definition, self._checks)
        self._machine_events = self.machine.events
        self._routes: dict[tuple[str, str], tuple[Route, ...]] | None = routes(self.machine)

    def __repr__(self) -> str:
        return f"<WorkflowEngine {self.definition.name}>"

    # -- opening -----------------------------------------------------------------

    def open(
        self,
        *,
        case_id: str,
        subject: CaseSubject,
        actor: Actor,
        at: dt.datetime,
        situation: str | None = None,
        concern_date: dt.date | None = None,
        reason: str | None = None,
        calendar: BusinessCalendar | None = None,
        municipality: str | None = None,
    ) -> Case:
        """Open a case on this definition, in its initial state, with its due dates.

        ``municipality`` is the municipality whose case it is (``None`` where no plugin
        declares one); the application layer decides it and checks it. No case is
        opened on a template.
        """
        if self._template:
            raise ActionRefused(
                _(
                    "workflow {workflow} is a template: no case is opened on it; "
                    "open the case on a workflow that extends it (ssp workflows list)"
                ).format(workflow=self.definition.name)
            )
        if subject.kind not in self._subjects:
            allowed = ", ".join(kind.value for kind in self.definition.subjects)
            raise DataError(
                _("workflow {workflow} takes cases about {allowed}, not a {kind}").format(
                    workflow=self.definition.name, allowed=allowed, kind=subject.kind.value
                )
            )
        initial = self._initial
        return Case.open(
            CaseOpened(
                case_id=case_id,
                version=1,
                at=at,
                actor=actor.id,
                role=actor.role,
                workflow=self._id,
                workflow_version=self._version,
                state=initial,
                subject=subject,
                situation=situation,
                concern_date=concern_date,
                reason=None if reason is None else _text(reason),
                due=self.due_dates(initial, at, calendar) if initial in self._starts else (),
                municipality=municipality,
            )
        )

    def due_dates(
        self, state: str, entered: dt.datetime, calendar: BusinessCalendar | None = None
    ) -> tuple[DueDate, ...]:
        """Return the due dates of the deadlines that start when a case enters ``state``.

        Business days are counted from the Danish local date of ``entered`` in
        ``calendar`` (default: Danish business days); see :class:`DueDates`.
        """
        return self._due.due_dates(state, entered, calendar)

    # -- what can I do now, and why not --------------------------------------------

    def is_final(self, case: Case) -> bool:
        """Tell whether the case is in a final state."""
        return case.state in self._finals

    def explain(
        self, case: Case, trigger: str, actor: Actor, *, reason: str | None = None
    ) -> tuple[Reason, ...]:
        """Return why ``actor`` cannot fire ``trigger`` on ``case`` now; empty if they can.

        A missing written reason is reported only when ``reason`` is checked, i.e. for a
        trigger that requires one, pass the reason you intend to give.
        """
        self._check_case(case)
        return self._explain(case, trigger, actor, reason=reason, check_reason=False)

    def _explain(
        self, case: Case, trigger: str, actor: Actor, *, reason: str | None, check_reason: bool
    ) -> tuple[Reason, ...]:
        if trigger not in self._machine_events:
            raise UnknownId(
                _("trigger of {workflow}").format(workflow=self.definition.name),
                trigger,
                self.definition.triggers,
            )
        if case.state in self._finals:
            return (CaseClosed(case.state),)
        if case.suspended_at is not None:
            return (OnHold(),)
        spec = self._edges.get((case.state, trigger))
        if spec is None:
            sources = tuple(source for (source, name) in self._edges if name == trigger)
            return (WrongState(case.state, sources),)
        reasons: list[Reason] = []
        if spec.roles and actor.role not in spec.roles:
            reasons.append(RoleRequired(actor.role, spec.roles))
        reasons.extend(
            GuardNotSatisfied(guard, self._guard_labels[guard])
            for guard in spec.guards
            if not self._checks[guard](case)
        )
        if check_reason and spec.requires_reason and _text(reason) is None:
            reasons.append(ReasonRequired())
        return tuple(reasons)

    def instructions(self, case: Case) -> tuple[Instruction, ...]:
        """Return the instructions of the case's state, shown while it is there (none if final)."""
        self._check_case(case)
        return self._instructions.get(case.state, ())

    def options(self, case: Case, actor: Actor) -> tuple[TriggerOption, ...]:
        """Return every trigger of the workflow: whether ``actor`` may fire it now, and why not.

        While the case is in a state with instructions, every option carries them as
        notes (code ``instruction``); they change nothing about what is allowed.
        """
        self._check_case(case)
        notes = tuple(
            Note(INSTRUCTION, instruction.labels)
            for instruction in self._instructions.get(case.state, ())
        )
        result = []
        for trigger in self.definition.triggers:
            spec = self._edges.get((case.state, trigger))
            if spec is None:
                spec = next(t for t in self.definition.transitions if t.trigger == trigger)
                dest = None
            else:
                dest = spec.dest
            result.append(
                TriggerOption(
                    trigger=trigger,
                    labels=spec.labels,
                    dest=dest,
                    reasons=self._explain(case, trigger, actor, reason=None, check_reason=False),
                    requires_reason=spec.requires_reason,
                    notes=notes,
                )
            )
        return tuple(result)

    # -- changing the case -----------------------------------------------------------

    def fire(
        self,
        case: Case,
        trigger: str,
        actor: Actor,
        *,
        at: dt.datetime,
        reason: str | None = None,
        calendar: BusinessCalendar | None = None,
    ) -> Transitioned:
        """Fire ``trigger`` on ``case`` as ``actor``: record the transition and return its event.

        Raises :class:`~ssp_core.exceptions.TransitionRefused`, with the same reasons
        :meth:`options` gives, when the trigger is not allowed; the case is unchanged.
        """
        if case.workflow_version != self._version or case.workflow != self._id:
            self._check_case(case)
        source = case.state
        spec = self._edges.get((source, trigger))
        if (
            spec is None
            or case.suspended_at is not None
            or (spec.roles and actor.role not in spec.roles)
            or (spec.requires_reason and not (reason and reason.strip()))
        ):
            self._refuse(case, trigger, actor, reason)
        dest = self._destination(case, source, trigger)
        if dest is None:
            self._refuse(case, trigger, actor, reason)
        event = Transitioned(
            case_id=case.id,
            version=case.version + 1,
            at=at,
            actor=actor.id,
            role=actor.role,
            trigger=trigger,
            source=source,
            dest=dest,
            reason=None if reason is None else _text(reason),
            due=self._next_due(case, dest, at, calendar),
        )
        case.apply(event)
        return event

    def _destination(self, case: Case, source: str, trigger: str) -> str | None:
        """Return where ``trigger`` takes ``case`` from ``source`` by the machine, or None."""
        found = self._routes
        if found is not None:
            return follow(found[source, trigger], source, case)
        cursor = _Cursor(source)
        if not self._machine_events[trigger].trigger(cursor, case):
            return None
        return cursor.state

    def _next_due(
        self,
        case: Case,
        dest: str,
        entered: dt.datetime,
        calendar: BusinessCalendar | None,
        *,
        opened: dt.datetime | None = None,
    ) -> tuple[DueDate, ...]:
        """Return the due dates of ``case`` once it enters ``dest`` at ``entered``.

        Those that start in ``dest``, and the fact deadlines still running (carried
        over; one is never started twice, nor once its fact is recorded). In a final
        state, none. ``opened`` (a migration) also starts the fact deadlines of the
        initial state that the case never ran, counted from its opening.
        """
        if dest in self._finals:
            return ()
        starting = self.due_dates(dest, entered, calendar) if dest in self._starts else ()
        facts = self._fact_rules
        if not facts:
            return starting
        carried = tuple(due for due in case.due if due.rule in facts)
        done = {due.rule for due in carried} | case.facts
        new = tuple(due for due in starting if due.rule not in facts or due.rule not in done)
        if opened is not None:
            done |= {due.rule for due in new}
            initial = self.due_dates(self._initial, opened, calendar)
            new += tuple(
                due
                for due in initial
                if due.rule in facts and due.rule not in done and due.rule not in case.facts
            )
        return new + carried

    def _refuse(self, case: Case, trigger: str, actor: Actor, reason: str | None) -> NoReturn:
        reasons = self._explain(case, trigger, actor, reason=reason, check_reason=True)
        raise TransitionRefused(case.id, trigger, case.state, reasons)

    def _check_open(self, case: Case) -> None:
        self._check_case(case)
        if case.state in self._finals:
            raise ActionRefused(
                _("case {case} is closed (state {state} is final)").format(
                    case=case.id, state=repr(case.state)
                )
            )

    def record_fact(
        self,
        case: Case,
        fact: str,
        actor: Actor,
        *,
        at: dt.datetime,
        detail: str | None = None,
        automatic: bool = False,
    ) -> FactRecorded:
        """Record a fact the workflow declares (e.g. ``children_services_notified``).

        A fact the workflow marks ``automatic`` is recorded only by the use case that
        does what it names, which passes ``automatic=True``; by hand it is refused.
        """
        self._check_open(case)
        try:
            spec = self.definition.fact(fact)
        except KeyError:
            raise UnknownId(
                _("fact of {workflow}").format(workflow=self.definition.name),
                fact,
                [f.id for f in self.definition.facts],
            ) from None
        if spec.automatic and not automatic:
            raise ActionRefused(
                _(
                    "fact {fact} ({label}) is recorded by the library when it happens, not by hand"
                ).format(fact=repr(fact), label=label(spec.labels))
            )
        if spec.roles and actor.role not in spec.roles:
            raise ActionRefused(
                _("recording fact {fact} requires role {roles} (actor acts as {role})").format(
                    fact=repr(fact),
                    roles=_(" or ").join(repr(r) for r in spec.roles),
                    role=repr(actor.role),
                )
            )
        if spec.requires_detail and _text(detail) is None:
            raise ActionRefused(
                _("fact {fact} must be recorded with a detail ({label})").format(
                    fact=repr(fact), label=label(spec.labels)
                )
            )
        event = FactRecorded(
            **_stamp(case, actor, at),
            fact=fact,
            detail=_text(detail),
        )
        case.apply(event)
        return event

    def record_session(
        self,
        case: Case,
        actor: Actor,
        *,
        at: dt.datetime,
        held_on: dt.date,
        participants: int | None = None,
        note: str | None = None,
    ) -> SessionRecorded:
        """Record a session of a prevention track; allowed only in the states in ``sessions_in``."""
        self._check_open(case)
        if case.state not in self.definition.sessions_in:
            allowed = ", ".join(self.definition.sessions_in) or _("no state of this workflow")
            raise ActionRefused(
                _("sessions can be recorded only in {allowed}; case {case} is in {state}").format(
                    allowed=allowed, case=case.id, state=repr(case.state)
                )
            )
        if participants is not None and participants < 1:
            raise DataError(_("participants must be 1 or more, got {n}").format(n=participants))
        if held_on > local_date(at):
            raise DataError(_("a session cannot be recorded before it is held"))
        event = SessionRecorded(
            **_stamp(case, actor, at),
            held_on=held_on,
            participants=participants,
            note=_text(note),
        )
        case.apply(event)
        return event

    def add_note(self, case: Case, text: str, actor: Actor, *, at: dt.datetime) -> NoteAdded:
        """Add a free-text note to the case."""
        self._check_case(case)
        body = _text(text)
        if body is None:
            raise DataError(_("a note must have some text"))
        event = NoteAdded(
            **_stamp(case, actor, at),
            text=body,
        )
        case.apply(event)
        return event

    def record_disclosure(
        self,
        case: Case,
        actor: Actor,
        *,
        at: dt.datetime,
        recipient: str,
        legal_basis: str,
        purpose: str,
        categories: tuple[str, ...],
        consent: Consent | None = None,
        note: str | None = None,
        rule: int | None = None,
    ) -> Disclosure:
        """Record a disclosure (its basis, rule, profile and consent are checked by the caller)."""
        self._check_case(case)
        event = Disclosure(
            **_stamp(case, actor, at),
            recipient=recipient,
            legal_basis=legal_basis,
            purpose=purpose,
            categories=categories,
            consent=consent,
            note=_text(note) if note is not None else None,
            rule=rule,
        )
        case.apply(event)
        return event

    def record_consent(
        self, case: Case, consent: Consent, actor: Actor, *, at: dt.datetime
    ) -> ConsentGiven:
        """Record a consent on an open case (who gave it is checked by the caller)."""
        self._check_open(case)
        if consent.given_on > local_date(at):
            raise DataError(_("a consent cannot be dated after the time it is recorded"))
        event = ConsentGiven(**_stamp(case, actor, at), consent=consent)
        case.apply(event)
        return event

    def withdraw_consent(
        self,
        case: Case,
        consent_id: str,
        actor: Actor,
        *,
        at: dt.datetime,
        withdrawn_on: dt.date,
        reason: str | None = None,
    ) -> ConsentWithdrawn:
        """Record that a consent of the case was withdrawn (also on a closed case)."""
        self._check_case(case)
        if withdrawn_on > local_date(at):
            raise DataError(_("a withdrawal cannot be dated after the time it is recorded"))
        event = ConsentWithdrawn(
            **_stamp(case, actor, at),
            consent_id=consent_id,
            withdrawn_on=withdrawn_on,
            reason=_text(reason) if reason is not None else None,
        )
        case.apply(event)
        return event

    def record_observation(
        self, case: Case, observation: Observation, actor: Actor, *, at: dt.datetime
    ) -> ObservationRecorded:
        """Record an observation of a worry sign (checked against its catalogue by the caller)."""
        self._check_open(case)
        if observation.observed_on > local_date(at):
            raise DataError(_("an observation cannot be dated after the time it is recorded"))
        event = ObservationRecorded(
            **_stamp(case, actor, at),
            observation=observation,
        )
        case.apply(event)
        return event

    def record_resource(
        self, case: Case, observation: Observation, actor: Actor, *, at: dt.datetime
    ) -> ResourceObserved:
        """Record an observation of a resource or protective factor (checked by the caller)."""
        self._check_open(case)
        if observation.observed_on > local_date(at):
            raise DataError(_("an observation cannot be dated after the time it is recorded"))
        event = ResourceObserved(**_stamp(case, actor, at), observation=observation)
        case.apply(event)
        return event

    def assign(
        self,
        case: Case,
        assignee: str | None,
        actor: Actor,
        *,
        at: dt.datetime,
        reason: str | None = None,
    ) -> Assigned:
        """Assign the case to ``assignee`` (an actor id), or remove the assignment with ``None``."""
        self._check_open(case)
        event = Assigned(
            **_stamp(case, actor, at),
            assignee=_text(assignee),
            reason=None if reason is None else _text(reason),
        )
        case.apply(event)
        return event

    # -- deadlines ---------------------------------------------------------------------

    def deadlines(self, case: Case) -> tuple[Deadline, ...]:
        """Return the deadlines running for the case in its current state, as stored with it."""
        self._check_case(case)
        return self._due.deadlines(case)

    def suspend(self, case: Case, actor: Actor, *, at: dt.datetime, reason: str) -> CaseSuspended:
        """Put the case on hold, giving a reason: deadlines stop, triggers are refused."""
        self._check_open(case)
        if case.suspended_at is not None:
            raise ActionRefused(_("case {case} is already on hold").format(case=case.id))
        text = _text(reason)
        if text is None:
            raise ActionRefused(_("putting a case on hold requires a written reason"))
        event = CaseSuspended(**_stamp(case, actor, at), reason=text)
        case.apply(event)
        return event

    def resume(
        self,
        case: Case,
        actor: Actor,
        *,
        at: dt.datetime,
        reason: str | None = None,
        calendar: BusinessCalendar | None = None,
    ) -> CaseResumed:
        """Take the case off hold; each due date moves by the business days it was on hold."""
        self._check_open(case)
        if case.suspended_at is None:
            raise ActionRefused(_("case {case} is not on hold").format(case=case.id))
        calendar = calendar or danish_calendar()
        held = calendar.business_days_between(local_date(case.suspended_at), local_date(at))
        moved = tuple(
            DueDate(
                due.rule, calendar.add_business_days(due.due, held), missed=due.missed and not held
            )
            for due in case.due
        )
        event = CaseResumed(**_stamp(case, actor, at), reason=_text(reason), due=moved)
        case.apply(event)
        return event

    def extend_deadline(
        self, case: Case, rule: str, due: dt.date, actor: Actor, *, at: dt.datetime, reason: str
    ) -> DeadlineExtended:
        """Move one due date of the case to a later ``due``, giving a reason."""
        self._check_open(case)
        current = next((d for d in case.due if d.rule == rule), None)
        if current is None:
            running = ", ".join(d.rule for d in case.due) or _("none")
            raise ActionRefused(
                _("case {case} has no running deadline {rule}; running: {running}").format(
                    case=case.id, rule=repr(rule), running=running
                )
            )
        if due <= current.due:
            raise ActionRefused(
                _("an extension must move deadline {rule} past {due}, not to {new}").format(
                    rule=repr(rule), due=current.due.isoformat(), new=due.isoformat()
                )
            )
        text = _text(reason)
        if text is None:
            raise ActionRefused(_("extending a deadline requires a written reason"))
        event = DeadlineExtended(**_stamp(case, actor, at), rule=rule, due=due, reason=text)
        case.apply(event)
        return event

    def record_missed(
        self, case: Case, rule: str, actor: Actor, *, at: dt.datetime
    ) -> DeadlineMissed:
        """Record that deadline ``rule`` has passed; refused if it has not or is recorded."""
        self._check_open(case)
        current = next((d for d in case.due if d.rule == rule), None)
        if current is None or current.missed:
            raise ActionRefused(
                _("case {case} has no unrecorded deadline {rule}").format(
                    case=case.id, rule=repr(rule)
                )
            )
        if case.suspended_at is not None or local_date(at) <= current.due:
            raise ActionRefused(
                _("deadline {rule} of case {case} has not passed").format(
                    rule=repr(rule), case=case.id
                )
            )
        event = DeadlineMissed(**_stamp(case, actor, at), rule=rule, due=current.due)
        case.apply(event)
        return event

    # -- workflow versions -----------------------------------------------------------

    def migrate(
        self,
        case: Case,
        dest: str,
        actor: Actor,
        *,
        at: dt.datetime,
        calendar: BusinessCalendar | None = None,
    ) -> WorkflowMigrated:
        """Move a running case of an older version of this workflow to this version, in ``dest``.

        A case that stays in a state of the same name keeps its time of entry, so its
        due dates are counted from the same day under this version's rules. A fact
        deadline this version adds starts as if it had run from the case's opening (if
        it starts in the initial state and its fact is not recorded): a duty that was
        due is due now.
        """
        if case.workflow != self._id or case.workflow_version >= self._version:
            raise DataError(
                _(
                    "case {case} runs on {current}; only cases of an older version of "
                    "{workflow} can move to {target}"
                ).format(
                    case=case.id,
                    current=f"{case.workflow}@{case.workflow_version}",
                    workflow=self._id,
                    target=self.definition.name,
                )
            )
        try:
            self.definition.state(dest)
        except KeyError:
            raise UnknownId(
                _("state of {workflow}").format(workflow=self.definition.name),
                dest,
                [s.id for s in self.definition.states],
            ) from None
        entered = case.entered_at if dest == case.state else at
        event = WorkflowMigrated(
            **_stamp(case, actor, at),
            from_version=case.workflow_version,
            to_version=self._version,
            source=case.state,
            dest=dest,
            due=self._next_due(case, dest, entered, calendar, opened=case.opened_at),
        )
        case.apply(event)
        return event

    def _check_case(self, case: Case) -> None:
        if case.workflow != self.definition.id or case.workflow_version != self.definition.version:
            raise DataError(
                _("case {case} runs on {current}, not on {workflow}").format(
                    case=case.id,
                    current=f"{case.workflow}@{case.workflow_version}",
                    workflow=self.definition.name,
                )
            )
