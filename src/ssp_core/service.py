"""The application layer: opening, moving and reading cases, in one place.

:class:`Casework` composes the registry (data and engines), the clock, the case
records and the plugins' ``ssp_after_*`` hooks. Every change it makes is one event,
stamped by the clock with the actor and role, and announced to plugins after it is
part of the case's history.

Cases are kept in memory here; the persistent case store builds on the same calls.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterator

from ssp_core.clock import BusinessCalendar, Clock, SystemClock, danish_calendar, local_date
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import Observation
from ssp_core.domain.events import CaseEvent
from ssp_core.domain.people import CaseSubject, Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import CaseNotFound, DataError, UnknownId
from ssp_core.plugins.registry import Registry
from ssp_core.workflows.engine import Deadline, WorkflowEngine
from ssp_core.workflows.explain import TriggerOption

__all__ = ["Casework", "sequential_ids", "uuid_ids"]


def uuid_ids() -> str:
    """Return a new random case id (the default)."""
    return f"C-{uuid.uuid4().hex[:16]}"


def sequential_ids(prefix: str = "C-", start: int = 1) -> Callable[[], str]:
    """Return a factory of readable sequential case ids, e.g. ``C-0001`` (for demos and tests)."""
    counter = itertools.count(start)
    return lambda: f"{prefix}{next(counter):04d}"


class Casework:
    """Open, move and read cases on the workflows of a :class:`Registry`.

    :param registry: the loaded plugins' data and engines.
    :param clock: stamps every event (default: the system clock, UTC).
    :param calendar: business days for deadlines (default: Danish).
    :param ids: makes new case ids (default: random).
    """

    def __init__(
        self,
        registry: Registry,
        *,
        clock: Clock | None = None,
        calendar: BusinessCalendar | None = None,
        ids: Callable[[], str] | None = None,
    ) -> None:
        self.registry = registry
        self.clock: Clock = clock or SystemClock()
        self.calendar = calendar or danish_calendar()
        self._ids = ids or uuid_ids
        self._cases: dict[str, Case] = {}

    # -- reading -----------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        """Return the case with ``case_id``."""
        try:
            return self._cases[case_id]
        except KeyError:
            raise CaseNotFound(case_id) from None

    def cases(self) -> Iterator[Case]:
        """Iterate over all cases, oldest first."""
        return iter(self._cases.values())

    def history(self, case_id: str) -> tuple[CaseEvent, ...]:
        """Return the events of a case, oldest first."""
        return self.case(case_id).events

    def options(self, case_id: str, actor: Actor) -> tuple[TriggerOption, ...]:
        """Return what ``actor`` can do with the case now, and why not for the rest."""
        case = self.case(case_id)
        return self.registry.engine_for(case).options(case, actor)

    def deadlines(self, case_id: str) -> tuple[Deadline, ...]:
        """Return the deadlines running for the case in its current state."""
        case = self.case(case_id)
        return self.registry.engine_for(case).deadlines(case, self.calendar)

    # -- opening -----------------------------------------------------------------------

    def open_concern(
        self,
        *,
        situation: str,
        subject: Subject,
        concern_date: dt.date,
        actor: Actor,
        reason: str | None = None,
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
        )

    def open_case(
        self,
        *,
        workflow: str,
        subject: CaseSubject,
        actor: Actor,
        version: int | None = None,
        reason: str | None = None,
    ) -> Case:
        """Open a case on ``workflow`` (the newest version unless ``version`` is given)."""
        return self._open(
            self.registry.engine(workflow, version), subject=subject, actor=actor, reason=reason
        )

    def _open(
        self,
        engine: WorkflowEngine,
        *,
        subject: CaseSubject,
        actor: Actor,
        situation: str | None = None,
        concern_date: dt.date | None = None,
        reason: str | None = None,
    ) -> Case:
        self._check_role(actor)
        case_id = self._ids()
        if case_id in self._cases:
            raise DataError(f"case id {case_id!r} is already in use")
        case = engine.open(
            case_id=case_id,
            subject=subject,
            actor=actor,
            at=self.clock.now(),
            situation=situation,
            concern_date=concern_date,
            reason=reason,
        )
        self._cases[case.id] = case
        self._announce(engine, case)
        return case

    # -- changing ----------------------------------------------------------------------

    def fire(self, case_id: str, trigger: str, actor: Actor, *, reason: str | None = None) -> Case:
        """Fire ``trigger`` on the case; a refused trigger raises and changes nothing."""
        case, engine = self._load(case_id, actor)
        engine.fire(case, trigger, actor, at=self.clock.now(), reason=reason)
        self._announce(engine, case)
        return case

    def record_fact(
        self, case_id: str, fact: str, actor: Actor, *, detail: str | None = None
    ) -> Case:
        """Record a fact the case's workflow declares, e.g. ``children_services_notified``."""
        case, engine = self._load(case_id, actor)
        engine.record_fact(case, fact, actor, at=self.clock.now(), detail=detail)
        self._announce(engine, case)
        return case

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
    ) -> Case:
        """Record who saw which worry sign and when; the sign must be in the catalogue."""
        case, engine = self._load(case_id, actor)
        self.registry.catalogues[catalogue].sign(sign)
        observation = Observation(
            catalogue=catalogue,
            sign=sign,
            observed_by=observed_by,
            observed_on=observed_on,
            text=text,
        )
        engine.record_observation(case, observation, actor, at=self.clock.now())
        self._announce(engine, case)
        return case

    def add_note(self, case_id: str, text: str, actor: Actor) -> Case:
        """Add a free-text note to the case."""
        case, engine = self._load(case_id, actor)
        engine.add_note(case, text, actor, at=self.clock.now())
        self._announce(engine, case)
        return case

    def assign(
        self, case_id: str, assignee: str | None, actor: Actor, *, reason: str | None = None
    ) -> Case:
        """Assign the case to ``assignee`` (an actor id), or unassign it with ``None``."""
        case, engine = self._load(case_id, actor)
        engine.assign(case, assignee, actor, at=self.clock.now(), reason=reason)
        self._announce(engine, case)
        return case

    def record_session(
        self,
        case_id: str,
        actor: Actor,
        *,
        held_on: dt.date,
        participants: int | None = None,
        note: str | None = None,
    ) -> Case:
        """Record a session of a prevention track."""
        case, engine = self._load(case_id, actor)
        engine.record_session(
            case, actor, at=self.clock.now(), held_on=held_on, participants=participants, note=note
        )
        self._announce(engine, case)
        return case

    # -- internals -------------------------------------------------------------------

    def _check_role(self, actor: Actor) -> None:
        if actor.role not in self.registry.roles:
            raise UnknownId("role", actor.role, list(self.registry.roles))

    def _load(self, case_id: str, actor: Actor) -> tuple[Case, WorkflowEngine]:
        self._check_role(actor)
        case = self.case(case_id)
        return case, self.registry.engine_for(case)

    def _announce(self, engine: WorkflowEngine, case: Case) -> None:
        self.registry.host.after_case_event(
            case=case, event=case.last_event, definition=engine.definition
        )
