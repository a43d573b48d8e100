"""The application layer: opening, moving and reading cases, over a case store.

:class:`Casework` composes the registry (data and engines), the clock, a
:class:`~ssp_core.store.base.CaseStore` and the plugins' ``ssp_after_*`` hooks. Every
command loads the case from the store, asks its workflow engine for the new event,
and writes the event, the case's index row and an audit entry in one commit, with
the version it expects: a concurrent writer gets a
:class:`~ssp_core.exceptions.ConcurrencyError`, never a silent overwrite. Every
read is audited too. Plugins hear of each event after it is stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ssp_core.clock import BusinessCalendar, Clock, SystemClock, danish_calendar, local_date
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import Observation
from ssp_core.domain.events import CaseEvent, DeadlineMissed
from ssp_core.domain.people import CaseSubject, Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import CaseNotFound, ConcurrencyError, DataError, UnknownId
from ssp_core.plugins.registry import Registry
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec, codec
from ssp_core.store.memory import MemoryStore
from ssp_core.store.projection import case_row
from ssp_core.store.records import (
    AuditAction,
    AuditEntry,
    AuditQuery,
    CaseQuery,
    CaseRow,
    Commit,
)
from ssp_core.store.url import open_store
from ssp_core.workflows.engine import Deadline, WorkflowEngine
from ssp_core.workflows.explain import TriggerOption

__all__ = ["CASEWORK", "Casework", "MovedSincePlan", "sequential_ids", "uuid_ids"]

CASEWORK = "casework"
"""The purpose of ordinary case handling, used when a call names no other purpose."""


class MovedSincePlan(DataError):
    """A case planned for migration has moved to another state (or version) since the plan."""

    def __init__(self, case_id: str, state: str, workflow_version: int) -> None:
        self.case_id = case_id
        super().__init__(
            f"case {case_id} has changed since the migration was planned (now in state "
            f"{state!r} on version {workflow_version}); plan again"
        )


def uuid_ids() -> str:
    """Return a new random case id (the default)."""
    return f"C-{uuid.uuid4().hex[:16]}"


def sequential_ids(prefix: str = "C-", start: int = 1) -> Callable[[], str]:
    """Return a factory of readable sequential case ids, e.g. ``C-0001`` (for demos and tests)."""
    counter = itertools.count(start)
    return lambda: f"{prefix}{next(counter):04d}"


class Casework:
    """Open, move and read cases on the workflows of a :class:`Registry`, kept in a store.

    :param registry: the loaded plugins' data and engines.
    :param store: a :class:`~ssp_core.store.base.CaseStore` or a store URL (default: a new
        in-memory store; the CLI uses the embedded SQLite file).
    :param clock: stamps every event and audit entry (default: the system clock, UTC).
    :param calendar: business days for deadlines (default: Danish).
    :param ids: makes new case ids (default: random).

    Every method takes the ``actor`` who reads or writes and the ``purpose`` they do it
    for; both go to the audit log with the time.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        store: CaseStore | str | None = None,
        clock: Clock | None = None,
        calendar: BusinessCalendar | None = None,
        ids: Callable[[], str] | None = None,
        event_codec: EventCodec | None = None,
    ) -> None:
        self.registry = registry
        self.store: CaseStore = (
            open_store(store) if isinstance(store, str) else store or MemoryStore()
        )
        self.clock: Clock = clock or SystemClock()
        self.calendar = calendar or danish_calendar()
        self.codec = event_codec or codec
        self._ids = ids or uuid_ids

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # -- reading -----------------------------------------------------------------------

    def case(self, case_id: str, actor: Actor, *, purpose: str = CASEWORK) -> Case:
        """Load the case with ``case_id`` from the store (an audited read)."""
        self._check_role(actor)
        case = self._read(case_id)
        self._audit_reads(actor, purpose, AuditAction.LOAD, [case_id])
        return case

    def load_cases(
        self, case_ids: Iterable[str], actor: Actor, *, purpose: str = CASEWORK
    ) -> list[Case]:
        """Load several cases at once, each checked against its workflow version (audited).

        Unknown ids raise :class:`~ssp_core.exceptions.CaseNotFound` naming the first.
        """
        self._check_role(actor)
        wanted = list(dict.fromkeys(case_ids))
        found = self.store.read_cases(wanted)
        cases = []
        for case_id in wanted:
            rows = found.get(case_id)
            if rows is None:
                raise CaseNotFound(case_id)
            case = self.codec.replay(rows)
            self.registry.engine_for(case)
            cases.append(case)
        self._audit_reads(actor, purpose, AuditAction.LOAD, wanted)
        return cases

    def find(
        self, actor: Actor, query: CaseQuery | None = None, *, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Search the case index (an audited read); all cases if ``query`` is not given."""
        self._check_role(actor)
        query = query or CaseQuery()
        rows = self.store.find_cases(query)
        self._audit(actor, purpose, AuditAction.SEARCH, None, query.describe())
        return rows

    def overdue(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Return the open cases with a due date before ``on`` (default: today)."""
        day = on or local_date(self.clock.now())
        return self.find(actor, CaseQuery(due_before=day), purpose=purpose)

    def history(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[CaseEvent, ...]:
        """Return the events of a case, oldest first (an audited read)."""
        return self.case(case_id, actor, purpose=purpose).events

    def export(self, case_id: str, actor: Actor, *, purpose: str) -> list[dict[str, Any]]:
        """Return a case's history as JSON-ready records (an audited export; name its purpose)."""
        self._check_role(actor)
        case = self._read(case_id)
        self._audit(actor, purpose, AuditAction.EXPORT, case_id, "history")
        return [self.codec.to_record(event) for event in case.events]

    def options(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[TriggerOption, ...]:
        """Return what ``actor`` can do with the case now, and why not for the rest."""
        case = self.case(case_id, actor, purpose=purpose)
        return self.registry.engine_for(case).options(case, actor)

    def deadlines(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[Deadline, ...]:
        """Return the deadlines running for the case in its current state."""
        case = self.case(case_id, actor, purpose=purpose)
        return self.registry.engine_for(case).deadlines(case)

    def audit_log(
        self, actor: Actor, query: AuditQuery | None = None, *, purpose: str
    ) -> list[AuditEntry]:
        """Return audit entries (by case, actor or period); reading the log is audited too."""
        self._check_role(actor)
        query = query or AuditQuery()
        entries = self.store.read_audit(query)
        self._audit(actor, purpose, AuditAction.ADMIN, query.case_id, "read the audit log")
        return entries

    # -- opening -----------------------------------------------------------------------

    def open_concern(
        self,
        *,
        situation: str,
        subject: Subject,
        concern_date: dt.date,
        actor: Actor,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Open a concern on the action card for ``situation`` and the person's age then.

        The card is chosen from the registered cards by the situation and the age band
        that holds the subject's age on ``concern_date``.
        """
        today = local_date(self.clock.now())
        if concern_date > today:
            raise DataError(f"the concern date {concern_date.isoformat()} is in the future")
        age = subject.age_on(concern_date)
        card = self.registry.select_card(situation, age)
        return self._open(
            self.registry.engine(card.id, card.version),
            subject=subject,
            actor=actor,
            situation=situation,
            concern_date=concern_date,
            reason=reason,
            purpose=purpose,
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
    ) -> Case:
        """Open a case on ``workflow`` (the newest version unless ``version`` is given)."""
        return self._open(
            self.registry.engine(workflow, version),
            subject=subject,
            actor=actor,
            reason=reason,
            purpose=purpose,
        )

    def _open(
        self,
        engine: WorkflowEngine,
        *,
        subject: CaseSubject,
        actor: Actor,
        purpose: str,
        situation: str | None = None,
        concern_date: dt.date | None = None,
        reason: str | None = None,
    ) -> Case:
        self._check_role(actor)
        case = engine.open(
            case_id=self._ids(),
            subject=subject,
            actor=actor,
            at=self.clock.now(),
            situation=situation,
            concern_date=concern_date,
            reason=reason,
            calendar=self.calendar,
        )
        try:
            self._commit(case, engine, purpose, 1)
        except ConcurrencyError:
            raise DataError(f"case id {case.id!r} is already in use") from None
        return case

    # -- changing ----------------------------------------------------------------------

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
        return self._change(
            case_id,
            actor,
            purpose,
            lambda case, engine, at: engine.fire(
                case, trigger, actor, at=at, reason=reason, calendar=self.calendar
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
        return self._change(
            case_id,
            actor,
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
        self.registry.catalogues[catalogue].sign(sign)
        observation = Observation(
            catalogue=catalogue,
            sign=sign,
            observed_by=observed_by,
            observed_on=observed_on,
            text=text,
        )
        return self._change(
            case_id,
            actor,
            purpose,
            lambda case, engine, at: engine.record_observation(case, observation, actor, at=at),
        )

    def add_note(self, case_id: str, text: str, actor: Actor, *, purpose: str = CASEWORK) -> Case:
        """Add a free-text note to the case."""
        return self._change(
            case_id,
            actor,
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
        """Assign the case to ``assignee`` (an actor id), or unassign it with ``None``."""
        return self._change(
            case_id,
            actor,
            purpose,
            lambda case, engine, at: engine.assign(case, assignee, actor, at=at, reason=reason),
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
        """Record a session of a prevention track."""
        return self._change(
            case_id,
            actor,
            purpose,
            lambda case, engine, at: engine.record_session(
                case, actor, at=at, held_on=held_on, participants=participants, note=note
            ),
        )

    # -- deadlines -------------------------------------------------------------------

    def suspend(self, case_id: str, actor: Actor, *, reason: str, purpose: str = CASEWORK) -> Case:
        """Put the case on hold, giving a reason: its deadlines stop running."""
        return self._change(
            case_id,
            actor,
            purpose,
            lambda case, engine, at: engine.suspend(case, actor, at=at, reason=reason),
        )

    def resume(
        self, case_id: str, actor: Actor, *, reason: str | None = None, purpose: str = CASEWORK
    ) -> Case:
        """Take the case off hold; its due dates move by the business days it was on hold."""
        return self._change(
            case_id,
            actor,
            purpose,
            lambda case, engine, at: engine.resume(
                case, actor, at=at, reason=reason, calendar=self.calendar
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
        return self._change(
            case_id,
            actor,
            purpose,
            lambda case, engine, at: engine.extend_deadline(
                case, rule, due, actor, at=at, reason=reason
            ),
        )

    def record_missed_deadlines(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[tuple[Case, Deadline]]:
        """Record each due date passed before ``on`` (default: today) once, and escalate it.

        For every open case past a due date not yet recorded, a
        :class:`~ssp_core.domain.events.DeadlineMissed` event is stored and the
        plugins' ``ssp_after_deadline_missed`` hook is called with the deadline.
        Returns what was recorded now; a second run on the same day records nothing.
        """
        today = local_date(self.clock.now())
        day = on or today
        if day > today:
            raise DataError(
                f"a missed deadline can be recorded only once it has passed; "
                f"{day.isoformat()} is after today ({today.isoformat()})"
            )
        recorded: list[tuple[Case, Deadline]] = []
        for row in self.overdue(actor, on=day, purpose=purpose):
            case, engine = self._load(row.case_id, actor)
            before = case_row(case, engine.definition.final_states)
            missed = [d for d in case.due if not d.missed and d.due < day]
            if not missed:
                continue
            at = self.clock.now()
            for due in missed:
                engine.record_missed(case, due.rule, actor, at=at)
            self._commit(case, engine, purpose, len(missed), before=before, announce=False)
            for event in case.events[-len(missed) :]:
                self._announce(engine, case, event)
                assert isinstance(event, DeadlineMissed)  # noqa: S101 (just recorded above)
                deadline = next(d for d in engine.deadlines(case) if d.rule == event.rule)
                self.registry.host.after_deadline_missed(
                    case=case, deadline=deadline, definition=engine.definition
                )
                recorded.append((case, deadline))
        return recorded

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
        """Move a running case to ``to_version`` of its workflow, into state ``dest``.

        ``expected_state`` is the state the case was in when the move was planned; if
        it has moved since (or is on another version by now), :class:`MovedSincePlan`
        is raised and nothing is written. A note or a fact added since changes nothing
        about the move. Use :mod:`ssp_core.migration` to plan moves.
        """
        self._check_role(actor)
        case = self._read(case_id)
        if case.state != expected_state or case.workflow_version >= to_version:
            raise MovedSincePlan(case_id, case.state, case.workflow_version)
        engine = self.registry.engine(case.workflow, to_version)
        before = case_row(case, self.registry.engine_for(case).definition.final_states)
        engine.migrate(case, dest, actor, at=self.clock.now(), calendar=self.calendar)
        self._commit(case, engine, purpose, 1, before=before)
        return case

    # -- internals -------------------------------------------------------------------

    def _check_role(self, actor: Actor) -> None:
        if actor.role not in self.registry.roles:
            raise UnknownId("role", actor.role, list(self.registry.roles))

    def _read(self, case_id: str) -> Case:
        rows = self.store.read_case(case_id)
        if not rows:
            raise CaseNotFound(case_id)
        return self.codec.replay(rows)

    def _load(self, case_id: str, actor: Actor) -> tuple[Case, WorkflowEngine]:
        self._check_role(actor)
        case = self._read(case_id)
        return case, self.registry.engine_for(case)

    def _change(
        self,
        case_id: str,
        actor: Actor,
        purpose: str,
        command: Callable[[Case, WorkflowEngine, dt.datetime], object],
    ) -> Case:
        case, engine = self._load(case_id, actor)
        before = case_row(case, engine.definition.final_states)
        command(case, engine, self.clock.now())
        self._commit(case, engine, purpose, 1, before=before)
        return case

    def _commit(
        self,
        case: Case,
        engine: WorkflowEngine,
        purpose: str,
        count: int,
        *,
        before: CaseRow | None = None,
        announce: bool = True,
    ) -> None:
        """Store the case's newest ``count`` events with the purpose, and its index row, at once.

        An event stored with its purpose is the audit entry of the write. The index row
        is written only if it changed from ``before`` (the row before the command), so a
        note, a fact or an observation writes its event alone.
        """
        new = case.events[-count:]
        row = case_row(case, engine.definition.final_states)
        self.store.append(
            Commit(
                events=[self.codec.encode(event, purpose=purpose) for event in new],
                cases=() if row == before else (row,),
            )
        )
        if announce:
            for event in new:
                self._announce(engine, case, event)

    def _announce(self, engine: WorkflowEngine, case: Case, event: CaseEvent) -> None:
        self.registry.host.after_case_event(case=case, event=event, definition=engine.definition)

    def _audit(
        self, actor: Actor, purpose: str, action: AuditAction, case_id: str | None, detail: str
    ) -> None:
        self.store.record_audit(
            [
                AuditEntry(
                    at=self.clock.now(),
                    actor=actor.id,
                    role=actor.role,
                    purpose=purpose,
                    action=action,
                    case_id=case_id,
                    detail=detail,
                )
            ]
        )

    def _audit_reads(
        self, actor: Actor, purpose: str, action: AuditAction, case_ids: Sequence[str]
    ) -> None:
        at = self.clock.now()
        self.store.record_audit(
            [
                AuditEntry(
                    at=at,
                    actor=actor.id,
                    role=actor.role,
                    purpose=purpose,
                    action=action,
                    case_id=case_id,
                )
                for case_id in case_ids
            ]
        )
