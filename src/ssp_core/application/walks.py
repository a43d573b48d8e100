"""Safety walks: plan a walk, record and follow up its findings, import example walks, read them.

A walk and each of its findings are cases (workflow kinds ``safety_walk`` and
``safety_finding``), so they are checked, sealed, audited and have deadlines like
any case. Their subject is the locality (an environment), never a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ssp_core.application.commands import CaseCommands
from ssp_core.application.reads import CaseReads
from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.cases import Case
from ssp_core.domain.events import CaseOpened, FindingAssigned, FindingRecorded, WalkPlanned
from ssp_core.domain.people import Environment
from ssp_core.domain.roles import Actor
from ssp_core.domain.walks import Place, WalkPlan
from ssp_core.exceptions import CaseNotFound, ConfigError, DataError
from ssp_core.i18n import _
from ssp_core.privacy.access import Where
from ssp_core.store.records import CaseQuery, CaseRow
from ssp_core.walks.views import Finding, Walk
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.engine import WorkflowEngine

__all__ = ["SafetyWalks"]


def _plain(text: str | None) -> str | None:
    """Return ``text`` without surrounding white space, or ``None`` if nothing is left."""
    if text is None:
        return None
    return text.strip() or None


class SafetyWalks:
    """The use cases of safety walks and their findings."""

    def __init__(self, services: Services, reads: CaseReads, commands: CaseCommands) -> None:
        self._services = services
        self._registry = services.registry
        self._reads = reads
        self._commands = commands

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
        """Plan a safety walk in a registered locality: a walk case with its plan, in one commit.

        The walk belongs to ``municipality``, by default the locality's (the
        municipality whose plugin registers it), else the actor's.

        ``participants`` are registered partners (community councils, housing sections,
        clubs, the police, the emergency service); citizens take part by count only;
        ``topics`` are finding categories. ``workflow`` is a walk workflow (the core's
        ``core.safety_walk`` if there is one and none is named).
        """
        who, what = self._walk_plan(locality, participants, citizens, topics)
        engine = self._engine(workflow, WorkflowKind.SAFETY_WALK)
        area = self._registry.localities[locality]
        return self._services.repository.open(
            engine,
            subject=Environment(area.id, area.labels),
            actor=actor,
            purpose=purpose,
            municipality=municipality or self._registry.home(self._registry.localities, locality),
            details=lambda case, at: WalkPlanned(
                case_id=case.id,
                version=2,
                at=at,
                actor=actor.id,
                role=actor.role,
                locality=locality,
                held_on=held_on,
                participants=who,
                citizens=citizens,
                topics=what,
                note=_plain(note),
                source=source,
            ),
        )

    def _walk_plan(
        self, locality: str, participants: Iterable[str], citizens: int, topics: Iterable[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Check a walk's locality, partners, citizens and topics against the registry."""
        self._registry.localities[locality]
        who = tuple(dict.fromkeys(participants))
        for partner in who:
            self._registry.partners[partner]
        what = tuple(dict.fromkeys(topics))
        for category in what:
            self._registry.finding_categories[category]
        if isinstance(citizens, bool) or not isinstance(citizens, int) or citizens < 0:
            raise DataError(
                _("citizens is a count of 0 or more, got {value}").format(value=repr(citizens))
            )
        return who, what

    def _engine(self, workflow: str | None, kind: WorkflowKind) -> WorkflowEngine:
        """Return the engine of the named workflow of ``kind``, or the core's default one."""
        if workflow is None:
            found = self._registry.latest_workflows(kind)
            core = [d for d in found if d.id.startswith("core.")]
            if not found:
                raise ConfigError(
                    _("no plugin registers a workflow of kind {kind}").format(kind=kind.value)
                )
            workflow = (core or found)[0].id
        engine = self._registry.engine(workflow)
        if engine.definition.kind is not kind:
            raise DataError(
                _("workflow {workflow} is a {found} workflow, not a {kind} workflow").format(
                    workflow=repr(workflow), found=engine.definition.kind.value, kind=kind.value
                )
            )
        return engine

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
        """Record a finding of the walk ``walk_id``: a finding case of its own, in one commit.

        Findings are recorded once the walk is held (past its workflow's initial
        state) and until it is closed or cancelled (a final state). ``category`` is a
        registered finding category, ``responsible`` (optional) a registered partner;
        the description is sealed like a note.
        """
        services = self._services
        self._registry.finding_categories[category]
        if responsible is not None:
            self._registry.partners[responsible]
        text = _plain(description)
        if text is None:
            raise DataError(_("a finding must have a description"))
        engine = self._engine(workflow, WorkflowKind.SAFETY_FINDING)
        walk = self._walk_row(walk_id)
        municipality = services.policy.walls.municipality(walk.workflow, walk.municipality)
        services.gate.authorise(
            actor, "case.open", purpose, workflow=engine.definition.id, where=Where(municipality)
        )
        plan = self._registry.workflow(walk.workflow, walk.workflow_version)
        if walk.state == plan.initial or walk.state in plan.final_states:
            raise DataError(
                _(
                    "findings are recorded on a walk once it is held and until it is closed; "
                    "walk {walk} is {state}"
                ).format(walk=walk_id, state=repr(walk.state))
            )
        opening = services.codec.decode(services.repository.rows(walk_id)[0], readable=set())
        if not isinstance(opening, CaseOpened) or not isinstance(opening.subject, Environment):
            raise DataError(_("case {case} is not a safety walk").format(case=walk_id))
        return services.repository.open(
            engine,
            subject=opening.subject,
            actor=actor,
            municipality=municipality,
            purpose=purpose,
            details=lambda case, at: FindingRecorded(
                case_id=case.id,
                version=2,
                at=at,
                actor=actor.id,
                role=actor.role,
                walk=walk_id,
                place=place,
                category=category,
                description=text,
                responsible=responsible,
            ),
        )

    def _walk_row(self, walk_id: str) -> CaseRow:
        row = self._services.store.case_row(walk_id)
        if row is None:
            raise CaseNotFound(walk_id)
        kind = self._registry.workflow(row.workflow, row.workflow_version).kind
        if kind is not WorkflowKind.SAFETY_WALK:
            raise DataError(
                _("case {case} is a {kind} case, not a safety walk").format(
                    case=walk_id, kind=kind.value
                )
            )
        return row

    def assign_finding(
        self,
        case_id: str,
        partner: str,
        actor: Actor,
        *,
        reason: str | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Make a registered partner responsible for a finding, and pass it on, in one commit.

        A finding still ``reported`` moves on by its ``assign`` trigger; one already
        assigned only gets its new responsible partner recorded.
        """
        self._registry.partners[partner]
        calendar = self._services.calendar

        def command(case: Case, engine: WorkflowEngine, at: dt.datetime) -> None:
            if engine.definition.kind is not WorkflowKind.SAFETY_FINDING:
                raise DataError(_("case {case} is not a safety-walk finding").format(case=case_id))
            if case.state in engine.definition.final_states:
                raise DataError(
                    _("finding {case} is closed ({state})").format(case=case_id, state=case.state)
                )
            case.apply(
                FindingAssigned(
                    case_id=case.id,
                    version=case.version + 1,
                    at=at,
                    actor=actor.id,
                    role=actor.role,
                    partner=partner,
                    reason=_plain(reason),
                )
            )
            if case.state == engine.definition.initial:
                engine.fire(case, "assign", actor, at=at, calendar=calendar)

        return self._services.repository.change(case_id, actor, "case.assign", purpose, command)

    def import_walk(
        self, walk: WalkPlan | str, actor: Actor, *, purpose: str = CASEWORK
    ) -> list[Case]:
        """Put an example walk (a :class:`WalkPlan`, or the id of a registered one) in the store.

        The walk is planned, held if its date has passed, its findings recorded and
        followed up to their outcomes, and closed if it is in the past. A walk imported
        before (by its id) is not imported again: the result is then empty. Returns the
        walk case and its finding cases.
        """
        plan = self._registry.example_walks[walk] if isinstance(walk, str) else walk
        for row in self._reads.find(actor, CaseQuery(), purpose=purpose):
            if (
                self._registry.kind_of(row.workflow, row.workflow_version)
                is WorkflowKind.SAFETY_WALK
                and self._source_of(row.case_id) == plan.id
            ):
                return []
        fire = self._commands.fire
        case = self.plan_walk(
            locality=plan.locality,
            held_on=plan.held_on,
            actor=actor,
            participants=plan.participants,
            citizens=plan.citizens,
            topics=plan.topics,
            note=plan.note,
            source=plan.id,
            purpose=purpose,
        )
        if plan.held_on > local_date(self._services.clock.now()):
            return [case]
        case = fire(case.id, "hold", actor, purpose=purpose)
        found = []
        for item in plan.findings:
            finding = self.record_finding(
                case.id,
                place=item.place,
                category=item.category,
                description=item.description,
                responsible=item.responsible,
                actor=actor,
                purpose=purpose,
            )
            if item.outcome == "resolved":
                fire(finding.id, "assign", actor, purpose=purpose)
                finding = fire(finding.id, "resolve", actor, purpose=purpose)
            elif item.outcome == "declined":
                finding = fire(finding.id, "decline", actor, reason=item.reason, purpose=purpose)
            elif item.responsible is not None:
                finding = fire(finding.id, "assign", actor, purpose=purpose)
            found.append(finding)
        case = fire(case.id, "close", actor, purpose=purpose)
        return [case, *found]

    def _source_of(self, walk_id: str) -> str | None:
        """Return the example walk a walk case was imported from (its plan is not sealed)."""
        services = self._services
        for row in services.repository.rows(walk_id)[1:]:
            event = services.codec.decode(row, readable=set())
            if isinstance(event, WalkPlanned):
                return event.source
        return None

    def walks(self, actor: Actor, *, purpose: str) -> list[Walk]:
        """Return every safety walk the actor may read, oldest first (an audited read)."""
        walks = [
            Walk.of(case)
            for case in self._kind_cases(actor, WorkflowKind.SAFETY_WALK, purpose, open_only=False)
        ]
        return sorted(walks, key=lambda w: (w.held_on, w.opened_at, w.case_id))

    def findings(
        self,
        actor: Actor,
        *,
        purpose: str,
        walk: str | None = None,
        open_only: bool = False,
    ) -> list[Finding]:
        """Return safety-walk findings (of one walk, or open ones only), oldest first; audited.

        Open findings across walks are the follow-up list: each with its state and
        running due date. A description outside the actor's grants reads ``[withheld]``.
        """
        found = []
        for case in self._kind_cases(
            actor, WorkflowKind.SAFETY_FINDING, purpose, open_only=open_only
        ):
            definition = self._registry.workflow(case.workflow, case.workflow_version)
            finding = Finding.of(case, definition)
            if walk is None or finding.walk == walk:
                found.append(finding)
        return sorted(found, key=lambda f: (f.reported_at, f.case_id))

    def _kind_cases(
        self, actor: Actor, kind: WorkflowKind, purpose: str, *, open_only: bool
    ) -> list[Case]:
        rows = self._reads.find(actor, CaseQuery(open_only=open_only), purpose=purpose)
        ids = [
            row.case_id
            for row in rows
            if self._registry.kind_of(row.workflow, row.workflow_version) is kind
        ]
        return self._reads.load_cases(ids, actor, purpose=purpose) if ids else []
