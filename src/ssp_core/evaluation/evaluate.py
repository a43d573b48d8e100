"""Evaluate an initiative, or a whole council term: goals, initiatives, indicators, results.

:func:`evaluate_initiative` and :func:`evaluate_term` compute every indicator the
evaluation needs, once, from the case store and the optional safety-survey files,
and return an :class:`Evaluation`: the goals, the initiatives serving them, and a
result per indicator, each count table already suppressed. They check nothing about
who asks; ``Casework.evaluate`` checks the permission ``report.evaluate``, limits the
counts to the workflows the actor's grants name, and audits the evaluation.

The module is longer than most (about 650 lines) because each indicator kind has its
own small computation here, next to the others, so that a new indicator kind is added
beside its siblings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from types import MappingProxyType

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.strategy import (
    CouncilTerm,
    Goal,
    Indicator,
    Initiative,
    MeasureKind,
    Strategy,
)
from ssp_core.evaluation import counts, index_series
from ssp_core.evaluation.activities import (
    PARTICIPANT_GROUPS,
    ActivityCounts,
    ActivityFacts,
    activity_counts,
    activity_facts,
)
from ssp_core.evaluation.delays import Delay, delays
from ssp_core.evaluation.facts import (
    CaseFacts,
    FindingFacts,
    FirstAction,
    case_facts,
    first_actions,
    walk_findings,
)
from ssp_core.evaluation.index_series import IndexInputs, Series
from ssp_core.evaluation.measures import catalogue_labels
from ssp_core.evaluation.period import Period
from ssp_core.exceptions import ConfigError, DataError, UnknownId
from ssp_core.i18n import N_, _
from ssp_core.index import CrimeTable, IndexTable
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.suppression import THRESHOLD, SuppressedTable
from ssp_core.privacy.tables import (
    OPEN,
    OTHER_AGE,
    UNKNOWN_AGE,
    AgeBanding,
    age_banding,
)
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.workflows.definition import WorkflowKind

__all__ = [
    "EVALUATE",
    "INPUT_TEXTS",
    "NOTES",
    "Evaluation",
    "GoalResult",
    "IndicatorResult",
    "InitiativeResult",
    "evaluate_initiative",
    "evaluate_term",
    "pick_strategy",
    "requested_period",
]

EVALUATE = "report.evaluate"
"""The operation an evaluation needs."""

INPUT_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "survey": N_("survey: {file}"),
        "crime": N_("crime: {file}"),
        "index_config": N_("index config: {file}"),
    }
)
"""How a report names each kind of file given (:attr:`Evaluation.inputs`), translated there."""

NOTES: Mapping[str, Labels] = MappingProxyType(
    {
        key: catalogue_labels(message)
        for key, message in {
            "no_measure": N_("The indicator names no measure; it is described, not computed."),
            "no_survey": N_("No survey data given (--survey)."),
            "no_crime": N_("No reported-crime data given (--crime)."),
            "no_workflows": N_(
                "No workflow of this kind is registered or covered by the grants for "
                "report.evaluate."
            ),
            "no_tracks": N_("No prevention track was opened in the period."),
            "no_advice": N_("Nobody asked the INFO house for advice in the period."),
        }.items()
    }
)
"""Why an indicator shows no figures, in English and Danish (by key; the catalogue's text)."""

_OUTCOME_LABELS = {
    OPEN: catalogue_labels(N_("Open")),
    OTHER_AGE: catalogue_labels(N_("Other age")),
    UNKNOWN_AGE: catalogue_labels(N_("Age unknown")),
}


@attrs.frozen
class IndicatorResult:
    """The result of one indicator: a suppressed table, statistics or a series, or a note.

    ``counts`` is the suppressed count table (concerns, track outcomes, findings);
    ``delays`` the time-to-first-action groups; ``series`` the safety-index or
    reported-crime series; ``note`` says why nothing is computed. ``workflows`` are
    the workflows counted (empty: none, or not a count).
    """

    indicator: Indicator
    counts: SuppressedTable | None = None
    delays: tuple[Delay, ...] = ()
    series: Series | None = None
    note: Labels | None = None
    workflows: tuple[str, ...] = ()
    banding: AgeBanding | None = None

    @property
    def kind(self) -> MeasureKind | None:
        """Return the indicator's measure kind (``None``: none)."""
        return self.indicator.kind


@attrs.frozen
class InitiativeResult:
    """An initiative in an evaluation, with the ids of the indicators that follow it up.

    ``activities`` counts the activities it held in the period (see
    :func:`~ssp_core.evaluation.activities.activity_counts`).
    """

    initiative: Initiative
    indicators: tuple[str, ...]
    activities: ActivityCounts | None = None


@attrs.frozen
class GoalResult:
    """A goal in an evaluation: the initiatives serving it and their indicators (ids)."""

    goal: Goal
    initiatives: tuple[str, ...]
    indicators: tuple[str, ...]


@attrs.frozen
class Evaluation:
    """An evaluation of one initiative, or the overall evaluation of a council term.

    ``initiative`` is the id of the initiative evaluated (``None``: all, a term).
    ``indicators`` maps every indicator id in the evaluation to its result;
    ``labels`` gives the display names of workflows, age bands and outcomes.
    ``follow_up`` lists the indicators reported under the follow-up (the safety
    index and reported crime, and indicators no initiative names).
    """

    strategy: Strategy
    period: Period
    initiative: str | None
    goals: tuple[GoalResult, ...]
    initiatives: tuple[InitiativeResult, ...]
    indicators: Mapping[str, IndicatorResult]
    follow_up: tuple[str, ...]
    labels: Mapping[str, Labels]
    made_on: dt.date
    threshold: int = THRESHOLD
    inputs: tuple[tuple[str, str], ...] = ()
    """The files given: ``(kind, file name)``, kind a key of :data:`INPUT_TEXTS`."""

    @property
    def term(self) -> CouncilTerm | None:
        """Return the council term evaluated, if the period is one."""
        return self.period.term

    def tables(self) -> list[tuple[str, SuppressedTable]]:
        """Return every count table of the evaluation with its indicator's id.

        Then the tables of the initiatives' activities, named
        ``<initiative>.activities`` and ``<initiative>.participants``.
        """
        return [
            *(
                (indicator_id, result.counts)
                for indicator_id, result in self.indicators.items()
                if result.counts is not None
            ),
            *(
                named
                for result in self.initiatives
                if result.activities is not None
                for named in result.activities.tables()
            ),
        ]


@attrs.define
class _Sources:
    """The facts an evaluation reads, each read once and only when an indicator needs it."""

    registry: Registry
    store: CaseStore
    codec: EventCodec
    period: Period
    allowed: frozenset[str] | None
    index: IndexInputs
    municipalities: frozenset[str] | None
    threshold: int
    _cases: list[CaseFacts] | None = None
    _actions: list[FirstAction] | None = None
    _findings: list[FindingFacts] | None = None
    _activities: list[ActivityFacts] | None = None
    _concerns: dict[tuple[object, ...], SuppressedTable | None] = attrs.Factory(dict)
    _estimates: IndexTable | None = None
    _rates: CrimeTable | None = None

    def cases(self) -> list[CaseFacts]:
        if self._cases is None:
            found = case_facts(
                self.store,
                self.codec,
                self.registry,
                workflows=self.allowed,
                municipalities=self.municipalities,
            )
            self._cases = [fact for fact in found if fact.opened in self.period]
        return self._cases

    def actions(self) -> list[FirstAction]:
        if self._actions is None:
            found = first_actions(
                self.store,
                self.codec,
                self.registry,
                workflows=self.allowed,
                municipalities=self.municipalities,
            )
            self._actions = [action for action in found if action.opened in self.period]
        return self._actions

    def findings(self) -> list[FindingFacts]:
        if self._findings is None:
            found = walk_findings(
                self.store,
                self.codec,
                self.registry,
                workflows=self.allowed,
                municipalities=self.municipalities,
            )
            self._findings = [finding for finding in found if finding.reported in self.period]
        return self._findings

    def activities(self, strategy: str, initiative: str) -> ActivityCounts:
        """Count the activities ``initiative`` held in the period (read once for all)."""
        flows = counts.workflow_ids(self.registry, WorkflowKind.INITIATIVE_ACTIVITY, self.allowed)
        if flows and self._activities is None:
            self._activities = activity_facts(
                self.store,
                self.codec,
                self.registry,
                workflows=flows,
                municipalities=self.municipalities,
            )
        return activity_counts(
            self._activities if flows else None,
            strategy,
            initiative,
            self.period,
            workflows=flows,
            threshold=self.threshold,
        )

    def concerns(
        self, workflows: frozenset[str] | None, banding: AgeBanding
    ) -> SuppressedTable | None:
        key = (workflows, banding)
        if key not in self._concerns:
            self._concerns[key] = counts.concerns_table(
                self.cases(),
                self.registry,
                banding,
                self.period.years(),
                workflows=workflows,
                threshold=self.threshold,
            )
        return self._concerns[key]

    def workflows_of(self, indicator: Indicator, kind: WorkflowKind) -> frozenset[str] | None:
        """Return the workflows an indicator counts: its own (or all), within the grants."""
        known = {d.id for d in self.registry.workflows.values()}
        unknown = sorted(set(indicator.workflows) - known)
        if unknown:
            raise ConfigError(
                _(
                    "indicator {indicator!r} names unknown workflow {workflow!r}; known: {known}"
                ).format(
                    indicator=indicator.id, workflow=unknown[0], known=", ".join(sorted(known))
                )
            )
        of_kind = {d.id for d in self.registry.workflows.values() if d.kind is kind}
        wrong = sorted(set(indicator.workflows) - of_kind)
        if wrong:
            raise ConfigError(
                _(
                    "indicator {indicator!r} names workflow {workflow!r}, which is not of "
                    "kind {kind!r}; its measure {measure!r} counts those"
                ).format(
                    indicator=indicator.id,
                    workflow=wrong[0],
                    kind=kind.value,
                    measure=indicator.measure,
                )
            )
        chosen = frozenset(indicator.workflows) if indicator.workflows else None
        if self.allowed is None:
            return chosen
        return (chosen or frozenset(of_kind)) & self.allowed

    def result(self, indicator: Indicator) -> IndicatorResult:  # noqa: PLR0911 (one per kind)
        """Compute one indicator."""
        kind = indicator.kind
        if kind is None:
            return IndicatorResult(indicator, note=NOTES["no_measure"])
        if kind is MeasureKind.SAFETY_INDEX:
            if self.index.survey is None:
                return IndicatorResult(indicator, note=NOTES["no_survey"])
            if self._estimates is None:
                self._estimates = index_series.estimates(self.index)
            series = index_series.safety_index(
                self._estimates,
                indicator,
                self.period,
                source=str(self.index.survey),
                threshold=self.threshold,
            )
            return IndicatorResult(indicator, series=series)
        if kind is MeasureKind.REPORTED_CRIME:
            if self.index.crime is None:
                return IndicatorResult(indicator, note=NOTES["no_crime"])
            if self._rates is None:
                self._rates = index_series.rates(self.index)
            series = index_series.reported_crime(
                self._rates,
                indicator,
                self.period,
                source=str(self.index.crime),
                threshold=self.threshold,
            )
            return IndicatorResult(indicator, series=series)
        if kind is MeasureKind.WALK_FINDINGS:
            return self._findings_result(indicator)
        if kind is MeasureKind.ADVICE_REQUESTS:
            return self._advice_result(indicator)
        if kind is MeasureKind.TRACK_OUTCOMES:
            flows = self.workflows_of(indicator, WorkflowKind.PREVENTION_TRACK)
            if flows is not None and not flows:
                return IndicatorResult(indicator, note=NOTES["no_workflows"])
            table = counts.track_outcomes_table(
                self.cases(), self.registry, workflows=flows, threshold=self.threshold
            )
            note = NOTES["no_tracks"] if table is None else None
            tracks = counts.workflow_ids(self.registry, WorkflowKind.PREVENTION_TRACK, flows)
            return IndicatorResult(indicator, counts=table, note=note, workflows=tuple(tracks))
        return self._cards(indicator, kind)

    def _findings_result(self, indicator: Indicator) -> IndicatorResult:
        known = self.registry.localities
        unknown = sorted(set(indicator.areas) - set(known))
        if unknown:
            raise ConfigError(
                _(
                    "indicator {indicator!r} names unknown locality {locality!r}; known: {known}"
                ).format(
                    indicator=indicator.id,
                    locality=unknown[0],
                    known=", ".join(sorted(known)) or _("none"),
                )
            )
        flows = counts.workflow_ids(self.registry, WorkflowKind.SAFETY_FINDING, self.allowed)
        if not flows:
            return IndicatorResult(indicator, note=NOTES["no_workflows"])
        outcomes = [
            state.id
            for definition in self.registry.workflows.values()
            if definition.id in flows
            for state in definition.states
            if state.final
        ]
        table = counts.findings_table(
            self.findings(),
            self.period.years(),
            outcomes=list(dict.fromkeys(outcomes)),
            areas=indicator.areas,
            threshold=self.threshold,
        )
        return IndicatorResult(indicator, counts=table, workflows=tuple(flows))

    def _advice_result(self, indicator: Indicator) -> IndicatorResult:
        from ssp_core.evaluation.advice import advice_facts, advice_table  # noqa: PLC0415

        flows = self.workflows_of(indicator, WorkflowKind.ADVICE_REQUEST)
        chosen = counts.workflow_ids(self.registry, WorkflowKind.ADVICE_REQUEST, flows)
        if not chosen:
            return IndicatorResult(indicator, note=NOTES["no_workflows"])
        found = advice_facts(
            self.store,
            self.codec,
            self.registry,
            workflows=chosen,
            municipalities=self.municipalities,
        )
        outcomes = [
            state.id
            for definition in self.registry.workflows.values()
            if definition.id in chosen
            for state in definition.states
            if state.final
        ]
        table = advice_table(
            [fact for fact in found if fact.asked in self.period],
            self.period.quarters(),
            outcomes=list(dict.fromkeys(outcomes)),
            threshold=self.threshold,
        )
        note = NOTES["no_advice"] if table is None else None
        return IndicatorResult(indicator, counts=table, note=note, workflows=tuple(chosen))

    def _cards(self, indicator: Indicator, kind: MeasureKind) -> IndicatorResult:
        flows = self.workflows_of(indicator, WorkflowKind.ACTION_CARD)
        cards = counts.workflow_ids(self.registry, WorkflowKind.ACTION_CARD, flows)
        if not cards:
            return IndicatorResult(indicator, note=NOTES["no_workflows"])
        bands = indicator.age_bands if kind is MeasureKind.CONCERNS else ()
        banding = age_banding(self.registry, bands or None, self.municipalities)
        table = self.concerns(flows, banding)
        if kind is MeasureKind.CONCERNS:
            return IndicatorResult(indicator, counts=table, workflows=tuple(cards), banding=banding)
        found = delays(self.actions(), table, self.period.years(), cards, threshold=self.threshold)
        return IndicatorResult(indicator, delays=tuple(found), workflows=tuple(cards))


def _labels(registry: Registry) -> dict[str, Labels]:
    """Return the display names of workflows, age bands, final states and activity kinds, by id."""
    found: dict[str, Labels] = dict(_OUTCOME_LABELS)
    for band in registry.age_bands.values():
        found[band.id] = band.labels
    for kind in registry.partner_kinds.values():
        found[kind.id] = kind.labels
    for activity in registry.activity_kinds.values():
        found[activity.id] = activity.labels
    found.update(PARTICIPANT_GROUPS)
    for role in registry.roles.values():
        found[role.id] = role.labels
    for definition in sorted(registry.workflows.values(), key=lambda d: d.version):
        found[definition.id] = definition.labels
        for state in definition.states:
            if state.final:
                found.setdefault(state.id, state.labels)
    return found


def pick_strategy(registry: Registry, strategy_id: str | None = None) -> Strategy:
    """Return the strategy named, or the only one the plugins contribute."""
    if strategy_id is not None:
        if strategy_id not in registry.strategies:
            raise UnknownId("strategy", strategy_id, list(registry.strategies))
        return registry.strategies[strategy_id]
    if len(registry.strategies) == 1:
        return next(iter(registry.strategies.values()))
    if not registry.strategies:
        raise ConfigError(_("no plugin contributes a strategy to evaluate"))
    raise DataError(
        _("several strategies are loaded ({strategies}); name one with --strategy").format(
            strategies=", ".join(sorted(registry.strategies))
        )
    )


def _evaluation(
    strategy: Strategy,
    initiatives: tuple[Initiative, ...],
    indicator_ids: list[str],
    period: Period,
    sources: _Sources,
    *,
    initiative: str | None,
    today: dt.date,
) -> Evaluation:
    problems = strategy.problems()
    if problems:
        raise ConfigError(
            _("strategy {strategy!r}: {problems}").format(
                strategy=strategy.id, problems="; ".join(problems)
            )
        )
    linked = {i for initiative_ in initiatives for i in initiative_.indicators}
    results = {
        indicator_id: sources.result(strategy.follow_up.indicator(indicator_id))
        for indicator_id in indicator_ids
    }
    index_kinds = (MeasureKind.SAFETY_INDEX, MeasureKind.REPORTED_CRIME)
    follow_up = tuple(i for i in indicator_ids if results[i].kind in index_kinds or i not in linked)
    chosen = {i.id for i in initiatives}
    goals = tuple(
        GoalResult(
            goal,
            serving := tuple(i.id for i in initiatives if goal.id in i.goals),
            tuple(dict.fromkeys(x for i in initiatives if i.id in serving for x in i.indicators)),
        )
        for goal in strategy.goals
        if initiative is None or any(goal.id in i.goals for i in initiatives if i.id in chosen)
    )
    inputs = tuple(
        (kind, path.name)
        for kind, path in (
            ("survey", sources.index.survey),
            ("crime", sources.index.crime),
            ("index_config", sources.index.config),
        )
        if path is not None
    )
    return Evaluation(
        strategy=strategy,
        period=period,
        initiative=initiative,
        goals=goals,
        initiatives=tuple(
            InitiativeResult(i, i.indicators, sources.activities(strategy.id, i.id))
            for i in initiatives
        ),
        indicators=MappingProxyType(results),
        follow_up=follow_up,
        labels=MappingProxyType(_labels(sources.registry)),
        made_on=today,
        threshold=sources.threshold,
        inputs=inputs,
    )


def evaluate_initiative(
    strategy: Strategy,
    initiative: str,
    period: Period,
    *,
    registry: Registry,
    store: CaseStore,
    codec: EventCodec,
    today: dt.date,
    workflows: Collection[str] | None = None,
    index: IndexInputs | None = None,
    threshold: int = THRESHOLD,
    municipalities: Collection[str] | None = None,
) -> Evaluation:
    """Evaluate one initiative over ``period``: its goals, its indicators and their results.

    ``workflows`` limits every count to cases on these workflows (``None``: all),
    ``municipalities`` to the cases of these municipalities (one, or a district's);
    ``index`` names the survey, crime and index-configuration files (without a
    survey, the safety-index indicators say so). Raises
    :class:`~ssp_core.exceptions.UnknownId` for an unknown initiative.
    """
    try:
        chosen = strategy.initiative(initiative)
    except KeyError:
        raise UnknownId("initiative", initiative, [i.id for i in strategy.initiatives]) from None
    sources = _sources(registry, store, codec, period, workflows, index, threshold)
    sources.municipalities = _frozen(municipalities)
    return _evaluation(
        strategy,
        (chosen,),
        list(chosen.indicators),
        period,
        sources,
        initiative=chosen.id,
        today=today,
    )


def evaluate_term(
    strategy: Strategy,
    term: CouncilTerm | str,
    *,
    registry: Registry,
    store: CaseStore,
    codec: EventCodec,
    today: dt.date,
    workflows: Collection[str] | None = None,
    index: IndexInputs | None = None,
    threshold: int = THRESHOLD,
    municipalities: Collection[str] | None = None,
) -> Evaluation:
    """Make the overall evaluation of a council term: every goal, initiative and indicator.

    ``term`` is a :class:`~ssp_core.domain.strategy.CouncilTerm` or its text
    (``2022-2025``); if the strategy lists its council terms, it must be one of
    them. Other arguments as for :func:`evaluate_initiative`.
    """
    period = Period.of_term(term)
    assert period.term is not None  # noqa: S101 (of_term sets it)
    listed = strategy.follow_up.terms()
    if listed and period.term not in listed:
        raise DataError(
            _("{term} is not a council term of strategy {strategy!r}; its terms: {terms}").format(
                term=period.term, strategy=strategy.id, terms=", ".join(str(t) for t in listed)
            )
        )
    sources = _sources(registry, store, codec, period, workflows, index, threshold)
    sources.municipalities = _frozen(municipalities)
    return _evaluation(
        strategy,
        strategy.initiatives,
        [indicator.id for indicator in strategy.follow_up.indicators],
        period,
        sources,
        initiative=None,
        today=today,
    )


def _sources(  # noqa: PLR0917 (what an evaluation reads)
    registry: Registry,
    store: CaseStore,
    codec: EventCodec,
    period: Period,
    workflows: Collection[str] | None,
    index: IndexInputs | None,
    threshold: int,
) -> _Sources:
    return _Sources(
        registry=registry,
        store=store,
        codec=codec,
        period=period,
        allowed=frozenset(workflows) if workflows is not None else None,
        index=index or IndexInputs(),
        threshold=threshold,
        municipalities=None,
    )


def _frozen(municipalities: Collection[str] | None) -> frozenset[str] | None:
    return None if municipalities is None else frozenset(municipalities)


def requested_period(
    initiative: str | None,
    term: CouncilTerm | str | None,
    since: dt.date | None,
    until: dt.date | None,
) -> Period:
    """Return the period an evaluation asks for: a council ``term``, or ``since`` to ``until``.

    An initiative is evaluated over either; the overall evaluation needs a term.
    """
    if term is not None:
        if since is not None or until is not None:
            raise DataError(_("give either a council term or --from and --to, not both"))
        return Period.of_term(term)
    if initiative is None:
        raise DataError(_("the overall evaluation needs a council term, e.g. 2022-2025"))
    if since is None or until is None:
        raise DataError(_("an initiative's evaluation needs a period: --from and --to (or --term)"))
    return Period(since, until)
