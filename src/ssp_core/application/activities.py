"""Initiative activities: log what an initiative did, mark it held or cancelled, read and count.

An activity (a visit, an evening event, a dialogue meeting) is a case of workflow kind
``initiative_activity`` (the core's ``core.initiative_activity``) whose subject is
:class:`~ssp_core.domain.people.Unnamed`: it is checked, sealed, audited and walled
like any case, and no person can be attached to it. Its record
(:class:`~ssp_core.domain.events.ActivityLogged`) names the strategy and initiative,
a registered kind of activity, registered partners, a registered locality and the
counts readably; a free place name and the description are sealed like notes, and
every text is refused if it holds anything shaped like a CPR number or a pseudonym.

The operations are those of any case: ``case.open`` logs an activity (on or after its
date it is held at once, in the same commit), ``case.fire`` marks a planned one held
(only through :meth:`InitiativeActivities.hold`, which records the automatic fact
``took_place``; firing ``hold`` by hand is refused) or cancelled, ``case.read`` and
``case.search`` read them. Counting them for the goal report needs
``report.evaluate``, as every evaluation does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from ssp_core.application.reads import CaseReads
from ssp_core.application.services import Services
from ssp_core.clock import local_date
from ssp_core.domain.access import CASEWORK, RESEARCH
from ssp_core.domain.activities import (
    ACTIVITY_GUIDANCE,
    PLANNED,
    TOOK_PLACE,
    ActivityPlan,
    check_headcount,
)
from ssp_core.domain.advice import check_unnamed
from ssp_core.domain.cases import Case
from ssp_core.domain.events import ActivityLogged
from ssp_core.domain.people import Unnamed
from ssp_core.domain.roles import Actor
from ssp_core.domain.strategy import Initiative, Strategy
from ssp_core.exceptions import ActionRefused, ConfigError, DataError, UnknownId
from ssp_core.i18n import N_, _
from ssp_core.store.records import AuditAction, CaseQuery, CaseRow
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.engine import WorkflowEngine

if TYPE_CHECKING:
    from ssp_core.evaluation.activities import ActivityCounts

__all__ = ["Activity", "InitiativeActivities"]

_EVALUATE = "report.evaluate"


def _text(text: str | None, what: str) -> str | None:
    """Return ``text`` stripped (``None`` if empty), refused if it may name someone."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise DataError(
            _("the {what} is a text, not {type}").format(what=_(what), type=type(text).__name__)
        )
    check_unnamed(text, what, ACTIVITY_GUIDANCE)
    return text.strip() or None


def _day(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DataError(
            _("the {what} is a calendar date (YYYY-MM-DD), not {value}").format(
                what=_(what), value=repr(value)
            )
        )
    return value


@attrs.frozen
class Activity:
    """An activity as its events tell it: what, when, with whom, where, how many, where it stands.

    ``place`` and ``description`` read ``[withheld]`` for a reader not granted
    ``notes``. ``state`` is ``planned``, ``held`` or ``cancelled``. ``participants``
    and ``young_people`` are ``None`` when not counted.
    """

    case_id: str
    workflow: str
    state: str
    strategy: str
    initiative: str
    kind: str
    held_on: dt.date
    partners: tuple[str, ...]
    locality: str | None
    place: str | None
    participants: int | None
    young_people: int | None
    description: str | None
    source: str | None
    logged_by: str
    logged_at: dt.datetime
    municipality: str | None

    @classmethod
    def of(cls, case: Case) -> Activity:
        """Fold the activity from its case: the latest record holds.

        A record that leaves the place or the description out (as marking an activity
        held does) keeps the earlier ones.
        """
        logged = [e for e in case.events if isinstance(e, ActivityLogged)]
        if not isinstance(case.subject, Unnamed) or not logged:
            raise DataError(_("case {case} is not an initiative's activity").format(case=case.id))
        last = logged[-1]
        place = next((e.place for e in reversed(logged) if e.place is not None), None)
        text = next((e.description for e in reversed(logged) if e.description is not None), None)
        return cls(
            case_id=case.id,
            workflow=case.workflow,
            state=case.state,
            strategy=last.strategy,
            initiative=last.initiative,
            kind=last.activity_kind,
            held_on=last.held_on,
            partners=last.partners,
            locality=last.locality,
            place=place,
            participants=last.participants,
            young_people=last.young_people,
            description=text,
            source=last.source,
            logged_by=logged[0].actor,
            logged_at=logged[0].at,
            municipality=case.municipality,
        )


class InitiativeActivities:
    """The use cases of initiatives' activities: log, hold, cancel, read, import, count."""

    def __init__(self, services: Services, reads: CaseReads) -> None:
        self._services = services
        self._registry = services.registry
        self._cases = services.repository
        self._reads = reads

    # -- what an activity belongs to ------------------------------------------------------

    def _engine(self, workflow: str | None) -> WorkflowEngine:
        """Return the engine of the named activity workflow, or the one to use by default.

        By default a plugin's own activity workflow if it registers one, else the core's.
        """
        registry = self._registry
        kind = WorkflowKind.INITIATIVE_ACTIVITY
        if workflow is not None:
            engine = registry.engine(workflow)
            if engine.definition.kind is not kind:
                raise DataError(
                    _("workflow {workflow} is a {found} workflow, not an {kind} workflow").format(
                        workflow=repr(workflow),
                        found=engine.definition.kind.value,
                        kind=kind.value,
                    )
                )
            return engine
        found = registry.latest_workflows(kind)
        if not found:
            raise ConfigError(
                _("no plugin registers a workflow of kind {kind}").format(kind=kind.value)
            )
        chosen = [d for d in found if not d.id.startswith("core.")] or found
        if len(chosen) > 1:
            raise DataError(
                _("name the activity workflow; registered: {known}").format(
                    known=", ".join(d.id for d in chosen)
                )
            )
        return registry.engine(chosen[0].id, chosen[0].version)

    def strategy_for(self, named: str | None, municipality: str | None) -> Strategy:
        """Return the strategy an activity of ``municipality`` is logged under.

        The one ``named`` (it must be that municipality's, or shared), else the only
        strategy that is: a municipality's plugin contributes its own strategy.
        """
        registry = self._registry
        if named is not None:
            strategy = registry.strategies[named]
            home = registry.home(registry.strategies, named)
            if home is not None and municipality is not None and home != municipality:
                raise DataError(
                    _(
                        "strategy {strategy} belongs to municipality {home}; an activity of "
                        "{municipality} is logged under that municipality's own strategy"
                    ).format(strategy=named, home=repr(home), municipality=repr(municipality))
                )
            return strategy
        found = [
            strategy
            for sid, strategy in registry.strategies.items()
            if municipality is None
            or registry.home(registry.strategies, sid) in (None, municipality)
        ]
        if not found:
            raise ConfigError(
                _("no plugin contributes a strategy of {municipality}").format(
                    municipality=municipality
                )
                if municipality is not None
                else _("no plugin contributes a strategy")
            )
        if len(found) > 1:
            text = (
                _("name the strategy of {municipality}; registered: {known}")
                if municipality is not None
                else _("name the strategy; registered: {known}")
            )
            raise DataError(
                text.format(municipality=municipality, known=", ".join(s.id for s in found))
            )
        return found[0]

    @staticmethod
    def _initiative(strategy: Strategy, initiative: str) -> Initiative:
        try:
            return strategy.initiative(initiative)
        except KeyError:
            known = [i.id for i in strategy.initiatives]
            raise UnknownId(
                _("initiative of {strategy}").format(strategy=strategy.id), initiative, known
            ) from None

    # -- logging --------------------------------------------------------------------------

    def log(
        self,
        initiative: str,
        *,
        kind: str,
        held_on: dt.date,
        actor: Actor,
        partners: Iterable[str] = (),
        locality: str | None = None,
        place: str | None = None,
        participants: int | None = None,
        young_people: int | None = None,
        description: str | None = None,
        strategy: str | None = None,
        workflow: str | None = None,
        source: str | None = None,
        purpose: str = CASEWORK,
        municipality: str | None = None,
    ) -> Case:
        """Log an activity of ``initiative``: a case of its own with its record, in one commit.

        ``kind`` is a registered activity kind, ``partners`` registered partners,
        ``locality`` a registered locality and ``place`` a free place name (sealed);
        ``participants`` is how many took part and ``young_people`` how many of them
        were children or young people (``None``: not counted); ``description`` says
        what happened (sealed like a note). No argument takes a person, and a text
        holding anything shaped like a CPR number or a pseudonym is refused with
        :class:`~ssp_core.exceptions.DataError`, with nothing stored.

        An activity dated today or earlier is held at once (its record and the move to
        ``held`` in one commit); a later one is ``planned``, without counts, until
        :meth:`hold` or :meth:`cancel`. The activity belongs to ``municipality`` (by
        default the actor's) and is logged under its strategy (``strategy`` if several).
        Needs ``case.open`` on the activity workflow.
        """
        day = _day(held_on, N_("date of the activity"))
        where_text = _text(place, N_("place"))
        text = _text(description, N_("description"))
        registry = self._registry
        registry.activity_kinds[kind]
        who = tuple(dict.fromkeys(partners))
        for partner in who:
            registry.partners[partner]
        if locality is not None:
            registry.localities[locality]
        check_headcount(participants, young_people)
        today = local_date(self._services.clock.now())
        later = day > today
        if later and participants is not None:
            raise DataError(
                _(
                    "the activity is planned for {day}: count the participants "
                    "when it is held (ssp initiative activity held)"
                ).format(day=day.isoformat())
            )
        engine = self._engine(workflow)
        where = self._cases.municipality_for(actor, engine.definition.id, municipality)
        chosen = self.strategy_for(strategy, where)
        self._initiative(chosen, initiative)

        def hold(case: Case, engine: WorkflowEngine, at: dt.datetime) -> None:
            if not later:
                self._mark_held(case, engine, actor, at)

        return self._cases.open(
            engine,
            subject=Unnamed(),
            actor=actor,
            purpose=purpose,
            municipality=where,
            details=lambda case, at: ActivityLogged(
                case_id=case.id,
                version=2,
                at=at,
                actor=actor.id,
                role=actor.role,
                strategy=chosen.id,
                initiative=initiative,
                activity_kind=kind,
                held_on=day,
                partners=who,
                locality=locality,
                place=where_text,
                participants=participants,
                young_people=young_people,
                description=text,
                source=source,
            ),
            then=hold,
        )

    def _mark_held(self, case: Case, engine: WorkflowEngine, actor: Actor, at: dt.datetime) -> None:
        """Record that the activity took place (an automatic fact) and move it to ``held``."""
        engine.record_fact(case, TOOK_PLACE, actor, at=at, automatic=True)
        engine.fire(case, "hold", actor, at=at, calendar=self._services.calendar)

    def _planned(self, case: Case, engine: WorkflowEngine, what: str) -> Activity:
        if engine.definition.kind is not WorkflowKind.INITIATIVE_ACTIVITY:
            raise DataError(_("case {case} is not an initiative's activity").format(case=case.id))
        activity = Activity.of(case)
        if case.state != PLANNED:
            raise ActionRefused(_(what).format(activity=case.id, state=repr(case.state)))
        return activity

    def hold(
        self,
        activity_id: str,
        actor: Actor,
        *,
        participants: int | None = None,
        young_people: int | None = None,
        purpose: str = CASEWORK,
    ) -> Case:
        """Mark a planned activity held, with how many took part, in one commit.

        Refused before the activity's date. The counts, if given, are recorded in a new
        record (:class:`~ssp_core.domain.events.ActivityLogged`, the latest holds; the
        place and the description stay as they were). Needs ``case.fire``.
        """
        check_headcount(participants, young_people)
        today = local_date(self._services.clock.now())

        def command(case: Case, engine: WorkflowEngine, at: dt.datetime) -> None:
            activity = self._planned(
                case,
                engine,
                N_("activity {activity} is {state}: only a planned activity is marked held"),
            )
            if activity.held_on > today:
                raise ActionRefused(
                    _(
                        "activity {activity} is planned for {day}; "
                        "it is marked held on that day or later"
                    ).format(activity=case.id, day=activity.held_on.isoformat())
                )
            if participants is not None:
                logged = [e for e in case.events if isinstance(e, ActivityLogged)][-1]
                case.apply(
                    attrs.evolve(
                        logged,
                        version=case.version + 1,
                        at=at,
                        actor=actor.id,
                        role=actor.role,
                        place=None,
                        description=None,
                        participants=participants,
                        young_people=young_people,
                    )
                )
            self._mark_held(case, engine, actor, at)

        return self._cases.change(activity_id, actor, "case.fire", purpose, command)

    def cancel(
        self, activity_id: str, actor: Actor, *, reason: str, purpose: str = CASEWORK
    ) -> Case:
        """Cancel a planned activity, saying why (sealed like a note). Needs ``case.fire``."""
        text = _text(reason, N_("reason"))
        if text is None:
            raise DataError(_("say why the activity is cancelled"))
        calendar = self._services.calendar

        def command(case: Case, engine: WorkflowEngine, at: dt.datetime) -> None:
            self._planned(
                case,
                engine,
                N_("activity {activity} is {state}: only a planned activity is cancelled"),
            )
            engine.fire(case, "cancel", actor, at=at, reason=text, calendar=calendar)

        return self._cases.change(activity_id, actor, "case.fire", purpose, command)

    # -- reading --------------------------------------------------------------------------

    def activity(self, activity_id: str, actor: Actor, *, purpose: str = CASEWORK) -> Activity:
        """Return one activity (an audited read)."""
        case = self._reads.case(activity_id, actor, purpose=purpose)
        if self._registry.kind_of(case.workflow, case.workflow_version) is not (
            WorkflowKind.INITIATIVE_ACTIVITY
        ):
            raise DataError(
                _("case {case} is not an initiative's activity").format(case=activity_id)
            )
        return Activity.of(case)

    def _rows(self, actor: Actor, purpose: str) -> list[CaseRow]:
        rows = self._reads.find(actor, CaseQuery(), purpose=purpose)
        kind = WorkflowKind.INITIATIVE_ACTIVITY
        return [r for r in rows if self._registry.kind_of(r.workflow, r.workflow_version) is kind]

    def activities(
        self,
        actor: Actor,
        *,
        initiative: str | None = None,
        strategy: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        purpose: str = CASEWORK,
    ) -> list[Activity]:
        """Return the activities the actor may read, by date (an audited read).

        ``initiative`` and ``strategy`` choose whose, ``since`` and ``until`` (both
        included) the dates. A case of the workflow opened without its record (by hand)
        is not an activity and is left out.
        """
        if initiative is not None and strategy is not None:
            self._initiative(self._registry.strategies[strategy], initiative)
        ids = [row.case_id for row in self._rows(actor, purpose)]
        cases = self._reads.load_cases(ids, actor, purpose=purpose) if ids else []
        found = []
        for case in cases:
            if not any(isinstance(e, ActivityLogged) for e in case.events):
                continue
            activity = Activity.of(case)
            if (
                (initiative is None or activity.initiative == initiative)
                and (strategy is None or activity.strategy == strategy)
                and (since is None or activity.held_on >= since)
                and (until is None or activity.held_on <= until)
            ):
                found.append(activity)
        return sorted(found, key=lambda a: (a.held_on, a.logged_at, a.case_id))

    # -- example activities ---------------------------------------------------------------

    def import_example(
        self,
        example: ActivityPlan | str,
        actor: Actor,
        *,
        held_on: dt.date | None = None,
        purpose: str = CASEWORK,
    ) -> Case | None:
        """Log an example activity: an :class:`~ssp_core.domain.activities.ActivityPlan`, or its id.

        The example's own date is used; one whose source gives no date needs
        ``held_on``. An example logged before (by its id) is not logged again: the
        result is then ``None``. Its counts are logged only if the activity is held.
        """
        plan = self._registry.example_activities[example] if isinstance(example, str) else example
        day = plan.held_on
        if day is None and held_on is None:
            raise DataError(
                _(
                    "example activity {activity} has no date (its source gives none): "
                    "give the day it was held"
                ).format(activity=plan.id)
            )
        if day is not None and held_on is not None and held_on != day:
            raise DataError(
                _("example activity {activity} is dated {day}; leave the date out").format(
                    activity=plan.id, day=day.isoformat()
                )
            )
        services = self._services
        for row in self._rows(actor, purpose):
            for stored in services.repository.rows(row.case_id)[1:]:
                event = services.codec.decode(stored, readable=set())
                if isinstance(event, ActivityLogged) and event.source == plan.id:
                    return None
        chosen = day or held_on
        assert chosen is not None  # noqa: S101 (one of them is given, checked above)
        later = chosen > local_date(services.clock.now())
        return self.log(
            plan.initiative,
            kind=plan.kind,
            held_on=chosen,
            actor=actor,
            partners=plan.partners,
            locality=plan.locality,
            place=plan.place,
            participants=None if later else plan.participants,
            young_people=None if later else plan.young_people,
            description=plan.description,
            strategy=plan.strategy,
            source=plan.id,
            purpose=purpose,
        )

    # -- counting -------------------------------------------------------------------------

    def counts(
        self,
        actor: Actor,
        initiative: str,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        term: str | None = None,
        strategy: str | None = None,
        purpose: str = RESEARCH,
        municipalities: Iterable[str] | None = None,
    ) -> ActivityCounts:
        """Count an initiative's held activities as the goal report does (small counts hidden).

        Over ``since`` to ``until`` or a council ``term``: the activities per kind and
        year, and the participants per age group and year, each table suppressed.
        Needs ``report.evaluate`` (by default for ``research``), like an evaluation;
        counts the workflows and municipalities its grants reach; audited.
        """
        from ssp_core.evaluation import evaluate as ev  # noqa: PLC0415 (when it runs)
        from ssp_core.evaluation.activities import activity_counts, activity_facts  # noqa: PLC0415
        from ssp_core.evaluation.counts import workflow_ids  # noqa: PLC0415

        services = self._services
        services.gate.authorise(actor, _EVALUATE, purpose)
        period = ev.requested_period(initiative, term, since, until)
        chosen = ev.pick_strategy(self._registry, strategy)
        self._initiative(chosen, initiative)
        allowed = services.policy.workflows(actor, _EVALUATE, purpose)
        reach = services.gate.within_reach(
            actor, _EVALUATE, purpose, municipalities, self._registry.municipalities
        )
        flows = workflow_ids(self._registry, WorkflowKind.INITIATIVE_ACTIVITY, allowed)
        detail = f"activity counts of {chosen.id}: initiative {initiative}, {period.describe()}"
        if reach is not None:
            detail += f", municipalities {', '.join(sorted(reach)) or 'none'}"
        services.gate.audit(actor, purpose, AuditAction.EXPORT, None, detail)
        facts = (
            activity_facts(
                services.store,
                services.codec,
                self._registry,
                workflows=flows,
                municipalities=reach,
            )
            if flows
            else None
        )
        return activity_counts(facts, chosen.id, initiative, period, workflows=flows)
