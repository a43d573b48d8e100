"""Reading cases: one case, several, the case index, overdue cases, options and deadlines.

Every read is checked against the grants and audited; fields outside the reader's
grants read ``[withheld]``. The case index holds no personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

from ssp_core.application.coming_of_age import view_coming_of_age, with_note
from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.cases import Case
from ssp_core.domain.coming_of_age import ComingOfAge
from ssp_core.domain.concerns import Observation
from ssp_core.domain.events import CaseEvent, ObservationRecorded, ResourceObserved
from ssp_core.domain.roles import Actor
from ssp_core.store.records import AuditAction, CaseQuery, CaseRow
from ssp_core.workflows.definition import Instruction
from ssp_core.workflows.engine import Deadline
from ssp_core.workflows.explain import TriggerOption

__all__ = ["CaseReads", "CaseView"]


@attrs.frozen
class CaseView:
    """A case as one actor sees it now: its running deadlines, and what they may do next.

    ``municipality`` is the municipality whose case it is (for histories before 0.2,
    its workflow's; ``None`` where no plugin declares one). ``coming_of_age`` says
    when the person, under 18 at the concern, turned 18 during the case (for a closed
    case, only while it was open); ``None`` if they have not, or the reader may not see
    the ``subject`` field group. The options then carry a note; which are allowed does
    not change. ``instructions`` are those of the case's state (e.g. on an acute
    departure, call the police on 112 now): shown at intake and while the case stays
    in that state; every option carries them as notes too.
    """

    case: Case
    deadlines: tuple[Deadline, ...]
    options: tuple[TriggerOption, ...]
    municipality: str | None = None
    coming_of_age: ComingOfAge | None = None
    instructions: tuple[Instruction, ...] = ()

    @property
    def worry_signs_seen(self) -> tuple[Observation, ...]:
        """Return the worry signs recorded on the case, oldest first (who saw what, when)."""
        return tuple(e.observation for e in self.case.events if isinstance(e, ObservationRecorded))

    @property
    def resources_seen(self) -> tuple[Observation, ...]:
        """Return the resources and protective factors recorded, oldest first; never counted."""
        return tuple(e.observation for e in self.case.events if isinstance(e, ResourceObserved))

    @property
    def turns_18_on(self) -> dt.date | None:
        """Return the day the person turned 18 during the case (``None``: see above)."""
        return self.coming_of_age.turns_18_on if self.coming_of_age else None


class CaseReads:
    """The read use cases: audited reads of cases and searches of the case index."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._gate = services.gate
        self._cases = services.repository

    def case(self, case_id: str, actor: Actor, *, purpose: str) -> Case:
        """Load the case with ``case_id`` (an audited read; fields outside the grants withheld)."""
        with self._services.store.held():  # the read and its audit entry on one connection
            case, _ = self._cases.read(case_id, actor, "case.read", purpose)
            self._gate.audit_reads(actor, purpose, AuditAction.LOAD, [case_id])
        return case

    def load_cases(self, case_ids: Iterable[str], actor: Actor, *, purpose: str) -> list[Case]:
        """Load several cases at once, each checked against its workflow version (audited).

        Unknown ids raise :class:`~ssp_core.exceptions.CaseNotFound` naming the first;
        a case the actor may not read raises :class:`~ssp_core.exceptions.AccessDenied`.
        """
        wanted = list(dict.fromkeys(case_ids))
        cases = self._cases.read_many(wanted, actor, "case.read", purpose)
        self._gate.audit_reads(actor, purpose, AuditAction.LOAD, wanted)
        return cases

    def find(
        self, actor: Actor, query: CaseQuery | None = None, *, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Search the case index (an audited read); all cases if ``query`` is not given.

        The index holds no personal data. A role whose grants cover some workflows
        only, or only its own cases, finds only those.
        """
        query = query or CaseQuery()
        with self._services.store.held():  # the search and its audit entry on one connection
            rows = self._gate.search(actor, "case.search", purpose, query)
            self._gate.audit(actor, purpose, AuditAction.SEARCH, None, query.describe())
        return rows

    def overdue(
        self, actor: Actor, *, on: dt.date | None = None, purpose: str = CASEWORK
    ) -> list[CaseRow]:
        """Return the open cases with a due date before ``on`` (default: today)."""
        day = on or local_date(self._services.clock.now())
        return self.find(actor, CaseQuery(due_before=day), purpose=purpose)

    def history(self, case_id: str, actor: Actor, *, purpose: str) -> tuple[CaseEvent, ...]:
        """Return the events of a case, oldest first (an audited read)."""
        return self.case(case_id, actor, purpose=purpose).events

    def export(self, case_id: str, actor: Actor, *, purpose: str) -> list[dict[str, Any]]:
        """Return a case's history as JSON-ready records (an audited export; name its purpose).

        Fields outside the actor's grants read ``[withheld]``.
        """
        case, _ = self._cases.read(case_id, actor, "case.export", purpose)
        self._gate.audit(actor, purpose, AuditAction.EXPORT, case_id, "history")
        return [self._services.codec.to_record(event) for event in case.events]

    def options(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[TriggerOption, ...]:
        """Return what ``actor`` can do with the case now, and why not for the rest."""
        case = self.case(case_id, actor, purpose=purpose)
        options = self._services.registry.engine_for(case).options(case, actor)
        return with_note(options, view_coming_of_age(self._services, case))

    def deadlines(
        self, case_id: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> tuple[Deadline, ...]:
        """Return the deadlines running for the case in its current state."""
        case = self.case(case_id, actor, purpose=purpose)
        return self._services.registry.engine_for(case).deadlines(case)

    def view(self, case_id: str, actor: Actor, *, purpose: str = CASEWORK) -> CaseView:
        """Return the case with its deadlines and ``actor``'s options (one audited read)."""
        return self.view_of(self.case(case_id, actor, purpose=purpose), actor)

    def view_of(self, case: Case, actor: Actor) -> CaseView:
        """Return the view of a case already read or just changed (reads nothing more)."""
        engine = self._services.registry.engine_for(case)
        municipality = self._services.policy.walls.municipality(case.workflow, case.municipality)
        came = view_coming_of_age(self._services, case)
        options = with_note(engine.options(case, actor), came)
        return CaseView(
            case, engine.deadlines(case), options, municipality, came, engine.instructions(case)
        )
