"""§ 133 at the right time on Aalborg's two under-18 cards.

The notification to children's services (Barnets Lov § 133) is due when the concern
comes in (a fact deadline, as data), shows in the overdue list, is required before
every final state except a concern closed as unfounded (the hand-over to the police
included), and can be recorded late in any state that is not final.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_aalborg import hooks
from ssp_core import (
    ActionRefused,
    Actor,
    CaseQuery,
    Casework,
    Registry,
    Subject,
    TransitionRefused,
    VirtualClock,
    sequential_ids,
)
from ssp_core.plugins import WorkflowDefinition

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
POLICE = Actor("bo", "aalborg.police_ssp_coordinator")
INFO_HOUSE = Actor("carla", "aalborg.ssp_consultant")  # a member of the INFO house
TEACHER = Actor("dan", "aalborg.frontline_worker")
ACTORS = (CONSULTANT, POLICE, INFO_HOUSE)
NOTIFIED = "children_services_notified"
UNFOUNDED = "closed_unfounded"
UNDER_18 = ("aalborg.radicalisation_under_18", "aalborg.travel_under_18")
SITUATION = {
    "aalborg.radicalisation_under_18": "aalborg.radicalisation",
    "aalborg.travel_under_18": "aalborg.armed_conflict_travel",
}
CHILD = Subject("c" * 32, dt.date(2010, 1, 15))  # 16 on T0


@pytest.fixture(name="registry")
def _registry(ssp_registry_factory: Callable[..., Registry]) -> Registry:
    return ssp_registry_factory(hooks)


@pytest.fixture(name="casework")
def _casework(registry: Registry) -> Casework:
    return Casework(registry, clock=VirtualClock(T0), ids=sequential_ids())


def reachable(definition: WorkflowDefinition, facts: frozenset[str]) -> set[str]:
    """Return every state reachable from the initial one with at most ``facts`` recorded.

    Guards declared as data only ask for facts to be present (and an assignment or
    sessions, taken here as given), so recording more facts never blocks a
    transition: searching with the most facts one may have is exhaustive.
    """
    guards = {spec.id: spec for spec in definition.guards}

    def holds(guard: str) -> bool:
        spec = guards[guard]
        return set(spec.all_of) <= facts and (not spec.any_of or bool(set(spec.any_of) & facts))

    seen = {definition.initial}
    todo = deque(seen)
    while todo:
        state = todo.popleft()
        for source, transition in definition.edges():
            if (
                source == state
                and transition.dest not in seen
                and all(holds(g) for g in transition.guards)
            ):
                seen.add(transition.dest)
                todo.append(transition.dest)
    return seen


@pytest.mark.parametrize("card", UNDER_18)
def test_no_end_but_unfounded_is_reachable_without_the_notification(
    registry: Registry, card: str
) -> None:
    definition = registry.workflow(card)
    assert definition.version >= 2
    every = frozenset(fact.id for fact in definition.facts)
    without = reachable(definition, every - {NOTIFIED})
    assert without & definition.final_states == {UNFOUNDED}
    # and with it, every end is reachable: the guard blocks nothing else
    assert definition.final_states <= reachable(definition, every)
    # the first version was the bug: an end without the notification
    if card == "aalborg.travel_under_18":
        old = registry.workflow(card, 1)
        assert "handed_to_police" in reachable(old, every - {NOTIFIED})


@pytest.mark.parametrize("card", UNDER_18)
def test_the_notification_is_due_from_the_concern_s_arrival(registry: Registry, card: str) -> None:
    definition = registry.workflow(card)
    (rule,) = [rule for rule in definition.deadlines if rule.fact == NOTIFIED]
    assert rule.state == definition.initial and rule.business_days
    assert 1 <= rule.days <= 2  # "straks": the municipality's choice of a short period


# The registry is built once and never changed: reusing it across examples is safe.
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    card=st.sampled_from(UNDER_18),
    steps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=99), st.sampled_from(ACTORS)), max_size=30
    ),
)
def test_random_use_never_ends_without_the_notification_but_as_unfounded(
    registry: Registry, card: str, steps: list[tuple[int, Actor]]
) -> None:
    engine = registry.engine(card)
    case = engine.open(case_id="C-1", subject=CHILD, actor=TEACHER, at=T0)
    definition = engine.definition
    facts = [fact.id for fact in definition.facts]
    triggers = list(definition.triggers)
    at = T0
    for pick, actor in steps:
        at += dt.timedelta(hours=5)
        choices = len(facts) + len(triggers)
        index = pick % choices
        try:
            if index < len(facts):
                engine.record_fact(case, facts[index], actor, at=at, detail="why")
            else:
                engine.fire(case, triggers[index - len(facts)], actor, at=at, reason="why")
        except (TransitionRefused, ActionRefused):
            continue
        if engine.is_final(case) and case.state != UNFOUNDED:
            assert NOTIFIED in case.facts
        if engine.is_final(case):
            assert case.due == ()
        else:
            assert (NOTIFIED in {d.rule for d in case.due}) == (NOTIFIED not in case.facts)


def test_the_travel_card_hands_over_to_the_police_only_after_the_notification(
    casework: Casework,
) -> None:
    case = casework.open_concern(
        situation="aalborg.armed_conflict_travel",
        subject=CHILD,
        concern_date=T0.date(),
        actor=TEACHER,
    )
    for fact in ("police_screening_done", "pet_informed", "passport_measures_considered"):
        casework.record_fact(case.id, fact, POLICE)
    with pytest.raises(TransitionRefused, match=NOTIFIED):
        casework.fire(case.id, "hand_to_police", POLICE, reason="Acute security aspects.")
    casework.record_fact(case.id, NOTIFIED, POLICE)
    closed = casework.fire(case.id, "hand_to_police", POLICE, reason="Acute security aspects.")
    assert closed.state == "handed_to_police"
    with pytest.raises(ActionRefused, match="is closed"):
        casework.record_fact(case.id, "concern_described", POLICE)


def test_unfounded_needs_no_notification(casework: Casework) -> None:
    case = casework.open_concern(
        situation="aalborg.radicalisation", subject=CHILD, concern_date=T0.date(), actor=TEACHER
    )
    closed = casework.fire(case.id, "close_unfounded", CONSULTANT, reason="A misunderstanding.")
    assert closed.state == UNFOUNDED and closed.due == ()


def test_the_notification_shows_in_the_overdue_list_and_can_be_recorded_late(
    casework: Casework,
) -> None:
    clock = casework.clock
    assert isinstance(clock, VirtualClock)
    case = casework.open_concern(
        situation="aalborg.radicalisation", subject=CHILD, concern_date=T0.date(), actor=TEACHER
    )
    due = {d.rule: d.due for d in casework.deadlines(case.id, CONSULTANT)}
    assert due == {"received": dt.date(2026, 3, 4), NOTIFIED: dt.date(2026, 3, 3)}
    casework.record_fact(case.id, "concern_described", CONSULTANT)
    casework.fire(case.id, "begin_analysis", CONSULTANT)  # the deadline runs on
    due = {d.rule: d.due for d in casework.deadlines(case.id, CONSULTANT)}
    assert due[NOTIFIED] == dt.date(2026, 3, 3) and "received" not in due
    clock.advance(dt.timedelta(days=2))  # Wednesday: one business day has passed
    overdue = casework.find(CONSULTANT, CaseQuery(due_before=clock.now().date()))
    assert [row.case_id for row in overdue] == [case.id]
    recorded = casework.record_missed_deadlines(CONSULTANT)
    assert [(c.id, d.rule) for c, d in recorded] == [(case.id, NOTIFIED)]
    casework.fire(case.id, "complete_analysis", CONSULTANT)
    (missed,) = [d for d in casework.deadlines(case.id, CONSULTANT) if d.rule == NOTIFIED]
    assert missed.missed  # carried into the next state, still recorded as missed
    late = casework.record_fact(case.id, NOTIFIED, CONSULTANT)  # late, never skipped
    assert NOTIFIED in late.facts and NOTIFIED not in {d.rule for d in late.due}
    assert casework.find(CONSULTANT, CaseQuery(due_before=clock.now().date())) == []


def test_a_case_of_version_1_migrates_with_the_notification_due_from_its_opening(
    casework: Casework,
) -> None:
    card = "aalborg.radicalisation_under_18"
    case = casework.open_case(workflow=card, version=1, subject=CHILD, actor=TEACHER)
    assert case.workflow_version == 1 and [d.rule for d in case.due] == ["received"]
    casework.clock.advance(dt.timedelta(days=7))  # type: ignore[attr-defined]
    moved = casework.migrate_case(case.id, 2, "received", CONSULTANT, expected_state="received")
    due = {d.rule: d.due for d in moved.due}
    assert moved.workflow_version == 2
    assert due == {"received": dt.date(2026, 3, 4), NOTIFIED: dt.date(2026, 3, 3)}
    notified = casework.open_case(workflow=card, version=1, subject=CHILD, actor=TEACHER)
    casework.record_fact(notified.id, NOTIFIED, TEACHER)
    moved = casework.migrate_case(notified.id, 2, "received", CONSULTANT, expected_state="received")
    assert [d.rule for d in moved.due] == ["received"]
