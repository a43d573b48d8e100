"""Aalborg's four action cards and three tracks: the rules the seed and the law ask for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from ssp_aalborg import hooks
from ssp_core import (
    AccessDenied,
    Actor,
    Casework,
    Environment,
    Group,
    Registry,
    Subject,
    TransitionRefused,
    VirtualClock,
    sequential_ids,
)
from ssp_core.domain.events import NoteAdded, ObservationRecorded
from ssp_core.domain.redaction import WITHHELD
from ssp_core.plugins import Labels, SubjectKind, WorkflowKind

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
SIGN = "relations.new_closed_circle"
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
POLICE = Actor("bo", "aalborg.police_ssp_coordinator")
INFO_HOUSE = Actor("bo", "aalborg.police_ssp_coordinator")  # a member of the INFO house
TEACHER = Actor("dan", "aalborg.frontline_worker")
MENTOR = Actor("eva", "aalborg.mentor")


@pytest.fixture(name="registry")
def _registry(ssp_registry_factory: Callable[..., Registry]) -> Registry:
    return ssp_registry_factory(hooks)


@pytest.fixture(name="casework")
def _casework(registry: Registry) -> Casework:
    return Casework(registry, clock=VirtualClock(T0), ids=sequential_ids())


def person(age: int, *, days: int = 0) -> Subject:
    return Subject("c" * 32, T0.date().replace(year=T0.year - age) - dt.timedelta(days=days))


def test_four_cards_and_three_tracks(registry: Registry) -> None:
    cards = registry.latest_workflows(WorkflowKind.ACTION_CARD)
    tracks = registry.latest_workflows(WorkflowKind.PREVENTION_TRACK)
    assert len(cards) == 4
    assert {(c.applies_to.situation, c.applies_to.age_band) for c in cards if c.applies_to} == {
        ("aalborg.radicalisation", "aalborg.under_18"),
        ("aalborg.radicalisation", "aalborg.from_18"),
        ("aalborg.armed_conflict_travel", "aalborg.under_18"),
        ("aalborg.armed_conflict_travel", "aalborg.from_18"),
    }
    assert [t.id for t in tracks] == [
        "aalborg.dialogue_ambassador",
        "aalborg.mentor",
        "aalborg.parent_coach",
    ]


@pytest.mark.parametrize(
    ("situation", "age", "card"),
    [
        ("aalborg.radicalisation", 17, "aalborg.radicalisation_under_18"),
        ("aalborg.radicalisation", 18, "aalborg.radicalisation_from_18"),
        ("aalborg.armed_conflict_travel", 12, "aalborg.travel_under_18"),
        ("aalborg.armed_conflict_travel", 64, "aalborg.travel_from_18"),
    ],
)
def test_the_card_is_picked_by_situation_and_age(
    registry: Registry, situation: str, age: int, card: str
) -> None:
    assert registry.select_card(situation, age).id == card


def test_every_card_follows_the_three_national_steps(registry: Registry) -> None:
    for card in registry.latest_workflows(WorkflowKind.ACTION_CARD):
        steps = {state.step: state.id for state in card.states if state.step}
        assert steps == {1: "received", 2: "analysis", 3: "assessment"}, card.name
        edges = {(source, t.dest) for source, t in card.edges()}
        assert {
            ("received", "analysis"),
            ("analysis", "assessment"),
            ("assessment", "intervention"),
        } <= edges
        assert {("intervention", "follow_up"), ("follow_up", "closed")} <= edges
        assert {"info_house", "action_group"} <= {state.id for state in card.states}


def _to_assessment(casework: Casework, case_id: str) -> None:
    casework.record_fact(case_id, "concern_described", CONSULTANT)
    casework.fire(case_id, "begin_analysis", CONSULTANT)
    casework.fire(case_id, "refer_to_info_house", CONSULTANT)
    casework.fire(case_id, "info_house_assessed", INFO_HOUSE, reason="Assessed together.")


def test_under_18_needs_notification_and_parents_before_intervention(casework: Casework) -> None:
    case = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=person(15),
        concern_date=T0.date(),
        actor=TEACHER,
    )
    _to_assessment(casework, case.id)
    with pytest.raises(TransitionRefused) as refused:
        casework.fire(case.id, "start_intervention", CONSULTANT)
    assert {r.guard for r in refused.value.reasons} == {
        "children_services_notified",
        "parents_informed",
    }  # type: ignore[attr-defined]
    notified = casework.record_fact(case.id, "children_services_notified", TEACHER)
    definition = casework.registry.engine_for(notified).definition
    assert definition.fact("children_services_notified").legal_basis == "Barnets Lov § 133"
    with pytest.raises(Exception, match="must be recorded with a detail"):
        casework.record_fact(case.id, "parents_not_involved", CONSULTANT)
    casework.record_fact(
        case.id,
        "parents_not_involved",
        CONSULTANT,
        detail="Contact would put the young person at risk.",
    )
    casework.fire(case.id, "start_intervention", CONSULTANT)
    assert casework.case(case.id, CONSULTANT, purpose="casework").state == "intervention"


def test_18_plus_needs_voluntariness_and_consent(casework: Casework) -> None:
    case = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=person(19),
        concern_date=T0.date(),
        actor=TEACHER,
    )
    _to_assessment(casework, case.id)
    with pytest.raises(TransitionRefused, match="consent_recorded"):
        casework.fire(case.id, "start_intervention", CONSULTANT)
    casework.record_fact(case.id, "offer_voluntary_explained", CONSULTANT)
    with pytest.raises(TransitionRefused, match="offer_declined"):
        casework.fire(case.id, "close_declined", CONSULTANT, reason="Declined.")
    casework.record_fact(
        case.id, "consent_given", CONSULTANT, detail="Signed 2 March 2026; scope: mentor course."
    )
    casework.fire(case.id, "start_intervention", CONSULTANT)


def test_travel_cards_start_with_police_screening_that_may_hand_over(casework: Casework) -> None:
    # A frontline worker raises the concern; the police SSP coordinator screens it.
    case = casework.open_concern(
        situation="aalborg.armed_conflict_travel",
        subject=person(16),
        concern_date=T0.date(),
        actor=TEACHER,
    )
    assert case.state == "police_screening"
    with pytest.raises(TransitionRefused, match="role 'aalborg.police_ssp_coordinator' required"):
        casework.fire(case.id, "hand_to_police", CONSULTANT, reason="x")
    with pytest.raises(TransitionRefused, match="police_screening_done"):
        casework.fire(case.id, "hand_to_police", POLICE, reason="Acute security aspects.")
    casework.record_fact(case.id, "police_screening_done", POLICE)
    casework.record_fact(case.id, "pet_informed", POLICE)
    casework.record_fact(case.id, "passport_measures_considered", POLICE)
    with pytest.raises(TransitionRefused, match="children_services_notified"):  # § 133 first
        casework.fire(case.id, "hand_to_police", POLICE, reason="Acute security aspects.")
    casework.record_fact(case.id, "children_services_notified", POLICE)
    casework.fire(case.id, "hand_to_police", POLICE, reason="Acute security aspects.")
    closed = casework.case(case.id, CONSULTANT, purpose="casework")
    assert closed.state == "handed_to_police"
    assert casework.registry.engine_for(closed).is_final(closed)


@pytest.mark.parametrize(
    ("track", "subject"),
    [
        ("aalborg.mentor", person(20)),
        ("aalborg.parent_coach", person(40)),
        (
            "aalborg.parent_coach",
            Group("aalborg.parents_lovvangen", Labels(da="Forældre", en="Parents"), 8),
        ),
        (
            "aalborg.dialogue_ambassador",
            Environment("aalborg.lovvangen_youth", Labels(da="Unge", en="Youth")),
        ),
    ],
)
def test_tracks_run_referral_to_completion(casework: Casework, track: str, subject: object) -> None:
    # The corps member of the track (role mentor, parent_coach or dialogue_ambassador)
    # works on it only once the secretariat has assigned it to them.
    member = Actor("eva", track)  # the role has the id of its track
    case = casework.open_case(workflow=track, subject=subject, actor=CONSULTANT)  # type: ignore[arg-type]
    casework.fire(case.id, "accept_referral", CONSULTANT)
    with pytest.raises(TransitionRefused, match="member_assigned"):
        casework.fire(case.id, "start", CONSULTANT)
    with pytest.raises(
        AccessDenied, match="there is no such case, or it is not one this role may reach"
    ):
        casework.case(case.id, member, purpose="casework")
    casework.assign(case.id, member.id, CONSULTANT)
    casework.record_fact(case.id, "goals_agreed", CONSULTANT)
    casework.fire(case.id, "start", CONSULTANT)
    with pytest.raises(TransitionRefused, match="sessions_held"):
        casework.fire(case.id, "begin_review", member)
    casework.record_session(case.id, member, held_on=T0.date())
    casework.fire(case.id, "begin_review", member)
    with pytest.raises(TransitionRefused, match="a written reason is required"):
        casework.fire(case.id, "complete", CONSULTANT)
    casework.fire(case.id, "complete", CONSULTANT, reason="Goals met.")
    assert casework.case(case.id, CONSULTANT, purpose="casework").state == "completed"


def test_the_dialogue_ambassador_track_is_about_an_environment_not_a_person(
    registry: Registry,
) -> None:
    assert registry.workflow("aalborg.dialogue_ambassador").subjects == (SubjectKind.ENVIRONMENT,)
    assert set(registry.workflow("aalborg.parent_coach").subjects) == {
        SubjectKind.PERSON,
        SubjectKind.GROUP,
    }
    assert registry.workflow("aalborg.mentor").subjects == (SubjectKind.PERSON,)


def test_tracks_can_end_early_only_with_a_reason(casework: Casework) -> None:
    case = casework.open_case(workflow="aalborg.mentor", subject=person(22), actor=CONSULTANT)
    casework.fire(case.id, "accept_referral", CONSULTANT)
    with pytest.raises(TransitionRefused, match="reason"):
        casework.fire(case.id, "end_early", CONSULTANT)
    casework.fire(case.id, "end_early", CONSULTANT, reason="Moved to another municipality.")
    assert casework.case(case.id, CONSULTANT, purpose="casework").state == "ended_early"


def test_a_mentor_works_only_on_the_tracks_assigned_to_them_and_sees_no_worry_signs(
    casework: Casework,
) -> None:
    mine = casework.open_case(workflow="aalborg.mentor", subject=person(17), actor=CONSULTANT)
    other = casework.open_case(workflow="aalborg.mentor", subject=person(18), actor=CONSULTANT)
    concern = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=person(17),
        concern_date=T0.date(),
        actor=TEACHER,
    )
    casework.assign(mine.id, MENTOR.id, CONSULTANT)
    casework.assign(other.id, "frank", CONSULTANT)
    casework.record_observation(
        mine.id,
        catalogue="aalborg.worry_signs",
        sign=SIGN,
        observed_by="teacher",
        observed_on=T0.date(),
        actor=CONSULTANT,
        text="Talks about a new group of friends.",
    )
    assert [row.case_id for row in casework.find(MENTOR)] == [mine.id]
    with pytest.raises(
        AccessDenied, match="there is no such case, or it is not one this role may reach"
    ):
        casework.case(other.id, MENTOR, purpose="casework")
    with pytest.raises(
        AccessDenied, match="there is no such case, or it is not one this role may reach"
    ):
        casework.case(concern.id, MENTOR, purpose="casework")
    casework.add_note(mine.id, "First meeting went well.", MENTOR)
    seen = casework.case(mine.id, MENTOR, purpose="casework")
    # That a sign was observed is no secret; which sign, and what was seen, are. (A
    # withheld sign id stays an identifier.) The secretariat sees them.
    (observed,) = [e for e in seen.events if isinstance(e, ObservationRecorded)]
    assert observed.observation.catalogue == "aalborg.worry_signs"
    assert (observed.observation.sign, observed.observation.text) == ("withheld", WITHHELD)
    full = casework.case(mine.id, CONSULTANT, purpose="casework")
    (observed,) = [e for e in full.events if isinstance(e, ObservationRecorded)]
    assert observed.observation.sign == SIGN
    note = seen.last_event
    assert isinstance(note, NoteAdded) and note.text == "First meeting went well."
    assert seen.subject == person(17)
    with pytest.raises(AccessDenied, match="case.observe"):
        casework.record_observation(
            mine.id,
            catalogue="aalborg.worry_signs",
            sign=SIGN,
            observed_by="aalborg.mentor",
            observed_on=T0.date(),
            actor=MENTOR,
        )


def test_deadlines_are_in_business_days(casework: Casework) -> None:
    case = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=person(15),
        concern_date=T0.date(),
        actor=TEACHER,
    )
    step, notification = casework.deadlines(case.id, CONSULTANT)
    assert step.due == dt.date(2026, 3, 4)  # Monday + 2 business days
    assert (notification.rule, notification.due) == (
        "children_services_notified",
        T0.date() + dt.timedelta(days=1),
    )


def test_corps_run_their_tracks(registry: Registry) -> None:
    for corps in registry.corps.values():
        assert registry.workflow(corps.track).kind == WorkflowKind.PREVENTION_TRACK


def test_every_card_and_track_extends_a_template_of_the_national_model(registry: Registry) -> None:
    national = {
        "aalborg.radicalisation_under_18": "core.radicalisation_under_18@1",
        "aalborg.radicalisation_from_18": "core.radicalisation_from_18@1",
        "aalborg.travel_under_18": "core.travel_under_18@1",
        "aalborg.travel_from_18": "core.travel_from_18@1",
        "aalborg.mentor": "aalborg.prevention_track@1",
        "aalborg.parent_coach": "aalborg.prevention_track@1",
        "aalborg.dialogue_ambassador": "aalborg.prevention_track@1",
    }
    for definition in registry.workflows.values():
        if registry.workflows.contributor(definition.name) != "aalborg" or definition.template:
            continue
        assert definition.extends is not None, definition.name
        assert definition.extends.name == national[definition.id], definition.name
    track = registry.workflow("aalborg.prevention_track")
    assert track.template
    assert track.extends is not None
    assert track.extends.name == "core.prevention_track@1"
    assert registry.workflow("core.travel_under_18").extends is not None


def test_a_card_shows_which_parts_are_the_national_model_s_and_which_aalborg_s(
    registry: Registry,
) -> None:
    card = registry.workflow("aalborg.travel_under_18")
    assert card.origin("state received") == "core.radicalisation_under_18@1"
    assert card.origin("transition hand_to_police") == "aalborg.travel_under_18@3"  # replaced
    assert card.origin("state handed_to_police") == "core.travel_under_18@1"
    assert card.origin("state action_group") == "aalborg.travel_under_18@3"  # added
    assert card.origin("fact children_services_notified") == "core.radicalisation_under_18@1"
    assert [s.id for s in card.states][:6] == [
        "police_screening",
        "received",
        "analysis",
        "info_house",
        "action_group",
        "assessment",
    ]
    roles = {role for t in card.transitions for role in t.roles}
    assert roles == {"aalborg.ssp_consultant", "aalborg.police_ssp_coordinator"}
