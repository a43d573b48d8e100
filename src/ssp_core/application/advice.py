"""Advice requests: ask the INFO house about a situation, naming no one, and what it does next.

An advice request is a case of workflow kind ``advice_request`` (the core's
``core.advice_request``) whose subject is :class:`~ssp_core.domain.people.Unnamed`:
it is checked, sealed, audited and has its answer deadline like any case, and no
person can be attached to it. Anyone granted ``case.open`` on the workflow asks
(frontline workers, and partners' contact persons where a plugin grants it); the
INFO house that serves the request's municipality answers. Only its members (the
people holding the roles of its staffing) may answer, refer to the police, close,
or open a concern from the request: the concern is opened on the action card the
situation and the person's age choose, the person pseudonymised then, and the
request and the concern are linked in one commit.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ssp_core.application.commands import CaseCommands
from ssp_core.application.reads import CaseReads
from ssp_core.application.repository import Loaded
from ssp_core.application.services import Services
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.advice import check_unnamed
from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.district import Reach
from ssp_core.domain.events import AdviceRequested, FactRecorded, OpenedFromAdvice
from ssp_core.domain.organisation import InfoHouse
from ssp_core.domain.people import Subject, Unnamed
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ActionRefused, ConfigError, DataError, UnknownId
from ssp_core.i18n import N_, _
from ssp_core.store.records import CaseQuery
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.engine import WorkflowEngine
from ssp_core.workflows.explain import GuardNotSatisfied

__all__ = ["ADVICE_GIVEN", "CONCERN_OPENED", "AdviceRequest", "AdviceRequests"]

ADVICE_GIVEN = "advice_given"
"""The fact of an advice-request workflow that holds the advice, as the INFO house gave it."""

CONCERN_OPENED = "concern_opened"
"""The automatic fact that links a request to the concern opened from it (its case id)."""


def _fact_detail(case: Case, fact: str) -> str | None:
    found = [e.detail for e in case.events if isinstance(e, FactRecorded) and e.fact == fact]
    return found[-1] if found else None


@attrs.frozen
class AdviceRequest:
    """An advice request as its events tell it: the question, the advice, where it stands.

    ``question`` and ``advice`` read ``[withheld]`` for a reader not granted ``notes``;
    ``concern`` is the case of the concern opened from it, if one was; ``outcome`` the
    final state it reached (``None`` while open).
    """

    case_id: str
    workflow: str
    state: str
    info_house: str
    asker_kind: str
    asked_by: str
    asked_at: dt.datetime
    situation: str | None
    question: str
    advice: str | None
    concern: str | None
    outcome: str | None
    due: tuple[DueDate, ...]
    municipality: str | None

    @classmethod
    def of(cls, case: Case, final_states: frozenset[str]) -> AdviceRequest:
        """Fold the request from its case."""
        asked = [e for e in case.events if isinstance(e, AdviceRequested)]
        if not isinstance(case.subject, Unnamed) or not asked:
            raise DataError(_("case {case} is not an advice request").format(case=case.id))
        first = case.events[0]
        return cls(
            case_id=case.id,
            workflow=case.workflow,
            state=case.state,
            info_house=asked[0].info_house,
            asker_kind=asked[0].asker_kind,
            asked_by=first.actor,
            asked_at=case.opened_at,
            situation=getattr(first, "situation", None),
            question=asked[0].question,
            advice=_fact_detail(case, ADVICE_GIVEN),
            concern=_fact_detail(case, CONCERN_OPENED),
            outcome=case.state if case.state in final_states else None,
            due=case.due,
            municipality=case.municipality,
        )


class AdviceRequests:
    """The use cases of advice requests to the INFO house."""

    def __init__(self, services: Services, reads: CaseReads, commands: CaseCommands) -> None:
        self._services = services
        self._registry = services.registry
        self._cases = services.repository
        self._reads = reads
        self._commands = commands

    # -- the INFO house ------------------------------------------------------------------

    def houses_serving(self, municipality: str | None) -> list[InfoHouse]:
        """Return the INFO houses that serve ``municipality``, in registry order.

        A house serves its own municipality (the one whose plugin registers it); with
        ``reach = "district"`` every municipality of that one's police district; a
        house of a plugin of no municipality serves every one.
        """
        registry = self._registry
        found = []
        for house_id, house in registry.info_houses.items():
            home = registry.home(registry.info_houses, house_id)
            district = registry.district_of(home)
            if (
                home is None
                or home == municipality
                or (
                    house.reach is Reach.DISTRICT
                    and district is not None
                    and district == registry.district_of(municipality)
                )
            ):
                found.append(house)
        return found

    def _house(self, named: str | None, municipality: str | None) -> InfoHouse:
        serving = self.houses_serving(municipality)
        where = municipality or _("this deployment")
        if named is not None:
            self._registry.info_houses[named]
            if named not in [h.id for h in serving]:
                raise DataError(
                    _("INFO house {house} does not serve {where}; those that do: {known}").format(
                        house=repr(named),
                        where=where,
                        known=", ".join(h.id for h in serving) or _("none"),
                    )
                )
            return self._registry.info_houses[named]
        if not serving:
            raise ConfigError(_("no registered INFO house serves {where}").format(where=where))
        if len(serving) > 1:
            raise DataError(
                _("name the INFO house to ask; those serving {where}: {known}").format(
                    where=where, known=", ".join(h.id for h in serving)
                )
            )
        return serving[0]

    def _check_member(self, house_id: str, actor: Actor) -> None:
        house = self._registry.info_houses[house_id]
        if actor.role not in house.member_roles:
            raise ActionRefused(
                _(
                    "only the members of {house} act on its advice requests: people acting as "
                    "{roles}; {actor} acts as {role}"
                ).format(
                    house=house_id,
                    roles=_(" or ").join(house.member_roles) or _("(no staffing registered)"),
                    actor=actor.id,
                    role=actor.role,
                )
            )

    def _engine(self, workflow: str | None) -> WorkflowEngine:
        registry = self._registry
        if workflow is not None:
            engine = registry.engine(workflow)
            if engine.definition.kind is not WorkflowKind.ADVICE_REQUEST:
                raise DataError(
                    _("workflow {workflow} is not an advice-request workflow").format(
                        workflow=workflow
                    )
                )
            return engine
        found = registry.latest_workflows(WorkflowKind.ADVICE_REQUEST)
        if not found:
            raise ConfigError(
                _("no plugin registers a workflow of kind {kind}").format(kind="advice_request")
            )
        chosen = [d for d in found if not d.id.startswith("core.")] or found
        if len(chosen) > 1:
            raise DataError(
                _("name the advice-request workflow; registered: {known}").format(
                    known=", ".join(d.id for d in chosen)
                )
            )
        return registry.engine(chosen[0].id, chosen[0].version)

    # -- asking --------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        actor: Actor,
        *,
        situation: str | None = None,
        info_house: str | None = None,
        workflow: str | None = None,
        purpose: str = CASEWORK,
        municipality: str | None = None,
    ) -> Case:
        """Ask the INFO house for advice about a situation, naming no one.

        ``question`` describes the situation (sealed like a note); anything in it shaped
        like a CPR number or a pseudonym is refused with
        :class:`~ssp_core.exceptions.DataError`, and nothing is stored. ``situation``
        is a registered situation (the kind of worry), if the asker can say.
        The request belongs to ``municipality`` (by default the asker's) and goes to
        the INFO house serving it (``info_house`` if several do). Needs ``case.open``
        on the advice-request workflow.
        """
        text = question.strip() if isinstance(question, str) else ""
        if not text:
            raise DataError(_("an advice request needs the question: describe the situation"))
        check_unnamed(text, N_("question"))
        if situation is not None:
            self._registry.situations[situation]
        engine = self._engine(workflow)
        where = self._cases.municipality_for(actor, engine.definition.id, municipality)
        house = self._house(info_house, where)
        role = self._registry.roles.get(actor.role)
        kind = role.acts_as if role is not None and role.acts_as else actor.role
        return self._cases.open(
            engine,
            subject=Unnamed(),
            actor=actor,
            purpose=purpose,
            situation=situation,
            municipality=where,
            details=lambda case, at: AdviceRequested(
                case_id=case.id,
                version=2,
                at=at,
                actor=actor.id,
                role=actor.role,
                question=text,
                asker_kind=kind,
                info_house=house.id,
            ),
        )

    # -- the INFO house's answers --------------------------------------------------------

    def _load(self, request_id: str, actor: Actor, purpose: str) -> tuple[Loaded, AdviceRequest]:
        loaded = self._cases.load(request_id, actor, "case.fire", purpose)
        definition = loaded.engine.definition
        if definition.kind is not WorkflowKind.ADVICE_REQUEST:
            raise DataError(_("case {case} is not an advice request").format(case=request_id))
        request = AdviceRequest.of(loaded.case, definition.final_states)
        self._check_member(request.info_house, actor)
        return loaded, request

    def _change(
        self,
        request_id: str,
        actor: Actor,
        purpose: str,
        step: str,
        *,
        reason: str | None = None,
        advice: str | None = None,
    ) -> Case:
        loaded, _request = self._load(request_id, actor, purpose)
        case, engine = loaded.case, loaded.engine
        at = self._services.clock.now()
        if advice is not None:
            engine.record_fact(case, ADVICE_GIVEN, actor, at=at, detail=advice)
        engine.fire(case, step, actor, at=at, reason=reason, calendar=self._services.calendar)
        self._cases.commit(loaded, purpose)
        return case

    def answer(
        self, request_id: str, advice: str, actor: Actor, *, purpose: str = CASEWORK
    ) -> Case:
        """Give the INFO house's advice: record it (sealed like a note) and mark it answered.

        Only a member of the INFO house asked may answer; the advice, like every text
        on a request, may not name anyone.
        """
        if not isinstance(advice, str) or not advice.strip():
            raise DataError(_("write the advice given"))
        return self._change(request_id, actor, purpose, "answer", advice=advice)

    def refer_to_police(
        self, request_id: str, actor: Actor, *, reason: str, purpose: str = CASEWORK
    ) -> Case:
        """Refer the asker to the police (e.g. a crime, or an acute danger), with a reason."""
        return self._change(request_id, actor, purpose, "refer_to_police", reason=reason)

    def close(
        self, request_id: str, actor: Actor, *, reason: str | None = None, purpose: str = CASEWORK
    ) -> Case:
        """Close an answered request: the advice was enough."""
        return self._change(request_id, actor, purpose, "close", reason=reason)

    def open_concern(
        self,
        request_id: str,
        *,
        situation: str,
        subject: Subject,
        concern_date: dt.date,
        actor: Actor,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Turn the request into a concern on an action card; return the concern's case.

        The card is chosen as :meth:`~ssp_core.application.commands.CaseCommands.open_concern`
        chooses it (situation, age on ``concern_date``, the request's municipality).
        The concern's first events say which request it came from; the request records
        the concern's case id (sealed like a note) and moves to ``became_concern``.
        Both are written in one commit. Only a member of the INFO house asked may do
        it, and the actor needs ``case.open`` on the card.
        """
        loaded, request = self._load(request_id, actor, purpose)
        reasons = loaded.engine.explain(loaded.case, "open_concern", actor)
        blocking = [r for r in reasons if not isinstance(r, GuardNotSatisfied)]
        if blocking:
            raise ActionRefused(
                _("advice request {request} cannot become a concern: {why}").format(
                    request=request_id, why="; ".join(r.message for r in blocking)
                )
            )

        def link(concern: Case, at: dt.datetime) -> Loaded:
            case, engine = loaded.case, loaded.engine
            engine.record_fact(
                case, CONCERN_OPENED, actor, at=at, detail=concern.id, automatic=True
            )
            engine.fire(
                case, "open_concern", actor, at=at, reason=None, calendar=self._services.calendar
            )
            return loaded

        return self._commands.open_concern(
            situation=situation,
            subject=subject,
            concern_date=concern_date,
            actor=actor,
            reason=reason,
            purpose=purpose,
            municipality=request.municipality,
            details=lambda concern, at: OpenedFromAdvice(
                case_id=concern.id,
                version=2,
                at=at,
                actor=actor.id,
                role=actor.role,
                advice_request=request_id,
            ),
            together=link,
        )

    # -- reading -------------------------------------------------------------------------

    def request(self, request_id: str, actor: Actor, *, purpose: str = CASEWORK) -> AdviceRequest:
        """Return one advice request (an audited read)."""
        case = self._reads.case(request_id, actor, purpose=purpose)
        definition = self._registry.workflow(case.workflow, case.workflow_version)
        if definition.kind is not WorkflowKind.ADVICE_REQUEST:
            raise UnknownId("advice request", request_id, [])
        return AdviceRequest.of(case, definition.final_states)

    def requests(
        self, actor: Actor, *, open_only: bool = False, purpose: str = CASEWORK
    ) -> list[AdviceRequest]:
        """Return the advice requests the actor may read, oldest first (an audited read).

        The asker sees their own (as the grants scope them); the INFO house those of
        the municipalities it serves that its members' grants reach.
        """
        rows = self._reads.find(actor, CaseQuery(open_only=open_only), purpose=purpose)
        kind = WorkflowKind.ADVICE_REQUEST
        ids = [
            row.case_id
            for row in rows
            if self._registry.kind_of(row.workflow, row.workflow_version) is kind
        ]
        cases = self._reads.load_cases(ids, actor, purpose=purpose) if ids else []
        found = [
            AdviceRequest.of(
                case, self._registry.workflow(case.workflow, case.workflow_version).final_states
            )
            for case in cases
        ]
        return sorted(found, key=lambda r: (r.asked_at, r.case_id))
