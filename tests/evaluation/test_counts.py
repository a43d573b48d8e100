"""Every published count equals a brute-force count from the store; statistics need 5 cases."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import attrs
import numpy as np
import pytest

from ssp_core import AccessDenied, Casework, ConfigError, DataError, Registry, Subject, VirtualClock
from ssp_core.clock import local_date
from ssp_core.domain.events import CaseOpened, Transitioned
from ssp_core.domain.people import age_on
from ssp_core.domain.strategy import Indicator
from ssp_core.evaluation import Evaluation, FirstAction, Period, evaluate_initiative
from ssp_core.evaluation.counts import findings_table
from ssp_core.evaluation.delays import delays
from ssp_core.privacy.suppression import TOTAL, PublishedCell, SuppressedTable
from ssp_core.store.records import AuditAction, AuditQuery, CaseQuery
from ssp_core.walks import FindingFacts
from ssp_core.workflows.definition import WorkflowKind
from tests.evaluation.conftest import START
from tests.evaluation.scenario import (
    ANNE,
    EVE,
    MONA,
    ConcernPlan,
    FindingPlan,
    TrackPlan,
    build,
    random_plans,
)

YEARS = (2022, 2023, 2024, 2025)


def _published(table: SuppressedTable) -> dict[tuple[str, ...], int | None]:
    return {cell.key: cell.count for cell in table.cells}


def _with_totals(
    inner: Counter[tuple[str, ...]], axes: list[list[str]]
) -> dict[tuple[str, ...], int]:
    """Every entry of a table with all its marginal totals, by brute force."""
    full: dict[tuple[str, ...], int] = {}
    for key in itertools.product(*([*levels, TOTAL] for levels in axes)):
        full[key] = sum(
            count
            for cell, count in inner.items()
            if all(k in (TOTAL, c) for k, c in zip(key, cell, strict=True))
        )
    return full


def _check(table: SuppressedTable, inner: Counter[tuple[str, ...]]) -> None:
    """Published counts equal the brute-force ones; every count from 1 to 4 is hidden."""
    published = _published(table)
    axes: list[list[str]] = [[] for _ in table.dimensions]
    for key in published:
        for dim, level in enumerate(key):
            if level != TOTAL and level not in axes[dim]:
                axes[dim].append(level)
    expected = _with_totals(inner, axes)
    assert set(published) == set(expected)
    assert all(k in published for k in inner)  # no case fell outside the levels
    assert any(count for count in published.values())
    assert None in published.values()  # the scenario has small cells to hide
    for key, count in published.items():
        if count is not None:
            assert count == expected[key], key
        if 0 < expected[key] < 5:
            assert count is None, key


@pytest.fixture(scope="module", name="world")
def _world(aalborg: Registry) -> tuple[Casework, Evaluation]:
    clock = VirtualClock(START)
    casework = Casework(aalborg, clock=clock)
    concerns, tracks, findings = random_plans(
        20260302, concerns=100, tracks=45, findings=40, years=(2022, 2022, 2023, 2024, 2024, 2025)
    )
    # Cases outside the term: before it and after it, never counted.
    concerns += [ConcernPlan(dt.date(2021, 12, 20), 15, "aalborg.radicalisation", act_after=1)] * 3
    concerns += [ConcernPlan(dt.date(2026, 1, 5), 20, "aalborg.radicalisation", act_after=2)] * 3
    tracks += [
        TrackPlan(dt.date(2021, 12, 21), "completed"),
        TrackPlan(dt.date(2026, 2, 1), "open"),
    ]
    findings += [FindingPlan(dt.date(2026, 3, 3), "aalborg.gandrup", "resolved")]
    build(casework, clock, concerns, tracks, findings)
    return casework, casework.evaluate(EVE, term="2022-2025")


def _cases(casework: Casework, kind: WorkflowKind) -> list[tuple[str, list[object]]]:
    """Every case of ``kind`` read in full by the consultant, with its history."""
    rows = casework.store.find_cases(CaseQuery())
    return [
        (row.case_id, list(casework.history(row.case_id, ANNE, purpose="casework")))
        for row in rows
        if casework.registry.workflow(row.workflow, row.workflow_version).kind is kind
    ]


def _in_term(day: dt.date) -> bool:
    return 2022 <= day.year <= 2025


def test_concern_counts_equal_brute_force_counts(world: tuple[Casework, Evaluation]) -> None:
    casework, evaluation = world
    inner: Counter[tuple[str, ...]] = Counter()
    for _, events in _cases(casework, WorkflowKind.ACTION_CARD):
        opening = events[0]
        assert isinstance(opening, CaseOpened) and isinstance(opening.subject, Subject)
        opened = local_date(opening.at)
        if not _in_term(opened):
            continue
        age = age_on(opening.subject.birth_date, opening.concern_date or opened)
        band = "aalborg.under_18" if age < 18 else "aalborg.from_18"
        inner[(opening.workflow, band, str(opened.year))] += 1
    table = evaluation.indicators["concerns_by_card"].counts
    assert table is not None and table.dimensions == ("card", "age_band", "year")
    _check(table, inner)
    assert _published(table)[(TOTAL, TOTAL, TOTAL)] == 100


def test_track_counts_equal_brute_force_counts(world: tuple[Casework, Evaluation]) -> None:
    casework, evaluation = world
    inner: Counter[tuple[str, ...]] = Counter()
    finals = {"completed", "ended_early"}
    for case_id, events in _cases(casework, WorkflowKind.PREVENTION_TRACK):
        opening = events[0]
        assert isinstance(opening, CaseOpened)
        opened = local_date(opening.at)
        if _in_term(opened):
            state = casework.case(case_id, ANNE, purpose="casework").state
            inner[(opening.workflow, state if state in finals else "open", str(opened.year))] += 1
    table = evaluation.indicators["track_outcomes"].counts
    assert table is not None and table.dimensions == ("track", "outcome", "year")
    _check(table, inner)


def test_finding_counts_equal_brute_force_counts(world: tuple[Casework, Evaluation]) -> None:
    casework, evaluation = world
    inner: Counter[tuple[str, ...]] = Counter()
    for case_id, events in _cases(casework, WorkflowKind.SAFETY_FINDING):
        reported = local_date(events[0].at)  # type: ignore[attr-defined]
        if _in_term(reported):
            state = casework.case(case_id, ANNE, purpose="casework").state
            outcome = state if state in ("resolved", "declined") else "open"
            inner[(outcome, str(reported.year))] += 1
    table = evaluation.indicators["walk_findings_resolved"].counts
    assert table is not None and table.dimensions == ("outcome", "year")
    _check(table, inner)
    assert _published(table)[(TOTAL, TOTAL)] == 40


def _naive(days: list[int]) -> tuple[float, float, float]:
    ordered = sorted(days)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    q1, q3 = np.percentile(ordered, [25, 75])  # linear interpolation: the inclusive quartiles
    return float(median), float(q1), float(q3)


def test_time_to_first_action_matches_a_naive_computation(
    world: tuple[Casework, Evaluation],
) -> None:
    casework, evaluation = world
    groups: dict[tuple[str, str], list[int]] = {}
    for _, events in _cases(casework, WorkflowKind.ACTION_CARD):
        opening = events[0]
        assert isinstance(opening, CaseOpened)
        opened = local_date(opening.at)
        first = next((e for e in events if isinstance(e, Transitioned)), None)
        if not _in_term(opened) or first is None:
            continue
        days = (local_date(first.at) - (opening.concern_date or opened)).days
        year = str(opened.year)
        for key in (
            (opening.workflow, year),
            (opening.workflow, TOTAL),
            (TOTAL, year),
            (TOTAL, TOTAL),
        ):
            groups.setdefault(key, []).append(days)
    result = evaluation.indicators["time_to_first_action"]
    concerns = _published(evaluation.indicators["concerns_by_card"].counts)  # type: ignore[arg-type]
    assert result.counts is None  # it publishes no count of its own
    shown = 0
    for delay in result.delays:
        days = groups.get((delay.card, delay.year), [])
        published = concerns[(delay.card, TOTAL, delay.year)]
        if len(days) >= 5 and published is not None:
            assert (delay.median, delay.lower_quartile, delay.upper_quartile) == _naive(days)
            shown += 1
        else:
            assert delay.median is None and delay.lower_quartile is None
    assert shown >= 5  # the scenario is large enough for several groups


def _action(card: str, year: int, days: int | None) -> FirstAction:
    opened = dt.date(year, 6, 1)
    acted = None if days is None else opened + dt.timedelta(days=days)
    return FirstAction(card, opened, opened, acted)


def _concerns(counts: dict[tuple[str, str], int | None]) -> SuppressedTable:
    cells = [
        PublishedCell((card, TOTAL, year), count, "" if count is not None else "secondary")
        for (card, year), count in counts.items()
    ]
    return SuppressedTable(("card", "age_band", "year"), cells, threshold=5)


def test_a_group_needs_five_acted_cases_and_a_published_count() -> None:
    actions = [_action("a", 2024, d) for d in (1, 2, 3, 4)] + [_action("a", 2024, None)] * 3
    actions += [_action("b", 2024, d) for d in (1, 2, 3, 4, 10)]
    actions += [_action("c", 2024, d) for d in (1, 1, 2, 9, 9, 9)]
    table = _concerns(
        {("a", "2024"): 7, ("b", "2024"): 5, ("c", "2024"): None, ("a", TOTAL): 7,
         ("b", TOTAL): 5, ("c", TOTAL): None, (TOTAL, "2024"): 18, (TOTAL, TOTAL): 18}
    )  # fmt: skip
    found = {(d.card, d.year): d for d in delays(actions, table, ["2024"], ["a", "b", "c"])}
    assert not found[("a", "2024")].shown  # four cases with a first action: too few
    assert (found[("b", "2024")].median, found[("b", "2024")].upper_quartile) == (3.0, 4.0)
    assert not found[("c", "2024")].shown  # six cases, but the count is hidden
    assert found[(TOTAL, TOTAL)].median == 3.0  # 15 cases with a first action


def test_findings_are_counted_per_outcome_and_year_and_limited_to_areas() -> None:
    def finding(locality: str, year: int, outcome: str | None) -> FindingFacts:
        return FindingFacts("W-1", locality, "lighting", dt.date(year, 5, 1), outcome)

    facts = [finding("aalborg.gandrup", 2024, "resolved")] * 6 + [
        finding("aalborg.gandrup", 2025, None)
    ] * 5
    facts += [finding("aalborg.romdrup_klarup", 2024, "declined")] * 2
    table = findings_table(facts, ["2024", "2025"], areas=["aalborg.gandrup"])
    assert table is not None
    published = _published(table)
    assert published[("resolved", "2024")] == 6
    assert published[("open", "2025")] == 5
    assert published[("declined", TOTAL)] == 0
    assert published[(TOTAL, TOTAL)] == 11
    everywhere = _published(findings_table(facts, ["2024", "2025"]))  # type: ignore[arg-type]
    assert everywhere[("declined", "2024")] is None  # two: hidden
    assert everywhere[(TOTAL, "2024")] is None  # else 8 - 6 would give the two away


def test_an_initiative_evaluation_has_its_goals_and_indicators_only(
    world: tuple[Casework, Evaluation],
) -> None:
    casework, _ = world
    evaluation = casework.evaluate(
        EVE, initiative="safety_walks", since=dt.date(2024, 1, 1), until=dt.date(2024, 12, 31)
    )
    assert evaluation.initiative == "safety_walks"
    assert [r.initiative.id for r in evaluation.initiatives] == ["safety_walks"]
    assert {g.goal.id for g in evaluation.goals} == {
        "greater_sense_of_safety",
        "social_sustainability",
    }
    assert set(evaluation.indicators) == {"walk_findings_resolved", "safety_index"}
    assert evaluation.indicators["safety_index"].note is not None  # no survey given
    table = evaluation.indicators["walk_findings_resolved"].counts
    assert table is not None
    assert {key[1] for key in _published(table)} == {"2024", TOTAL}


def test_evaluations_are_audited_and_refused_without_the_grant(
    world: tuple[Casework, Evaluation],
) -> None:
    casework, _ = world
    entries = casework.store.read_audit(AuditQuery(actor=EVE.id))
    assert any(
        e.action is AuditAction.EXPORT and "evaluation of aalborg.tryg_aalborg" in (e.detail or "")
        for e in entries
    )
    with pytest.raises(AccessDenied, match="report.evaluate"):
        casework.evaluate(MONA, term="2022-2025")
    # Aalborg grants evaluations to the SSP secretariat (and to researchers).
    assert casework.evaluate(ANNE, term="2022-2025").indicators
    with pytest.raises(DataError, match="2018-2021 is not a council term of strategy"):
        casework.evaluate(EVE, term="2018-2021")
    with pytest.raises(DataError, match="needs a period"):
        casework.evaluate(EVE, initiative="safety_walks")


def test_an_indicator_naming_an_unknown_or_wrong_workflow_is_a_config_error(
    world: tuple[Casework, Evaluation],
) -> None:
    casework, evaluation = world
    strategy = evaluation.strategy
    for workflows, message in (
        (("aalborg.nope",), "names unknown workflow 'aalborg.nope'"),
        (("aalborg.mentor",), "not of kind 'action_card'"),
    ):
        bad = Indicator(
            "concerns_by_card", strategy.labels, measure="concerns", workflows=workflows
        )
        indicators = tuple(bad if i.id == bad.id else i for i in strategy.follow_up.indicators)
        changed = attrs.evolve(
            strategy, follow_up=attrs.evolve(strategy.follow_up, indicators=indicators)
        )
        with pytest.raises(ConfigError, match=message):
            evaluate_initiative(
                changed,
                "children_youth_wellbeing",
                Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
                registry=casework.registry,
                store=casework.store,
                codec=casework.codec,
                today=dt.date(2026, 1, 1),
            )


def test_an_indicator_limited_to_some_workflows_counts_only_their_cases(
    world: tuple[Casework, Evaluation],
) -> None:
    casework, evaluation = world
    strategy = evaluation.strategy
    limited = {
        "track_outcomes": Indicator(
            "track_outcomes",
            strategy.labels,
            measure="track_outcomes",
            workflows=("aalborg.parent_coach",),
        ),
        "concerns_by_card": Indicator(
            "concerns_by_card",
            strategy.labels,
            measure="concerns",
            workflows=("aalborg.travel_under_18",),
        ),
    }
    indicators = tuple(limited.get(i.id, i) for i in strategy.follow_up.indicators)
    changed = attrs.evolve(
        strategy, follow_up=attrs.evolve(strategy.follow_up, indicators=indicators)
    )
    result = evaluate_initiative(
        changed,
        "radicalisation_prevention",
        Period.of_term("2022-2025"),
        registry=casework.registry,
        store=casework.store,
        codec=casework.codec,
        today=dt.date(2026, 6, 1),
    )
    assert result.indicators["track_outcomes"].note is not None  # no parent-coach track at all
    concerns = result.indicators["concerns_by_card"].counts
    assert concerns is not None
    assert {key[0] for key in _published(concerns)} == {"aalborg.travel_under_18", TOTAL}
    full = _published(evaluation.indicators["concerns_by_card"].counts)  # type: ignore[arg-type]
    assert (
        _published(concerns)[(TOTAL, TOTAL, TOTAL)]
        == full[("aalborg.travel_under_18", TOTAL, TOTAL)]
    )
