from __future__ import annotations

import datetime as dt

import pytest

from ssp_core import (
    AccessDenied,
    Actor,
    Casework,
    DataError,
    Group,
    Registry,
    Subject,
    TransitionRefused,
    UnknownId,
    VirtualClock,
    hookimpl,
)
from ssp_core.domain.events import FactRecorded
from ssp_core.exceptions import ReactionFailed
from ssp_core.plugins import Labels
from ssp_core.testing import make_registry
from tests.sample_plugin import SamplePlugin

TEACHER = Actor("dan", "sample.teacher")
CONSULTANT = Actor("anne", "sample.consultant")


def born(years_before: dt.date, years: int, days: int = 0) -> Subject:
    return Subject(
        "b" * 32,
        years_before.replace(year=years_before.year - years) + dt.timedelta(days=days),
    )


def test_the_card_follows_the_age_on_the_concern_date(
    casework: Casework, clock: VirtualClock
) -> None:
    today = clock.now().date()
    eighteen_tomorrow = born(today, 18, days=1)
    case = casework.open_concern(
        situation="sample.worry", subject=eighteen_tomorrow, concern_date=today, actor=TEACHER
    )
    assert case.workflow == "sample.young"
    clock.advance(dt.timedelta(days=2))
    later = casework.open_concern(
        situation="sample.worry",
        subject=eighteen_tomorrow,
        concern_date=clock.now().date(),
        actor=TEACHER,
    )
    assert later.workflow == "sample.adult"
    # A concern dated back to before the birthday still picks the under-18 card.
    back = casework.open_concern(
        situation="sample.worry", subject=eighteen_tomorrow, concern_date=today, actor=TEACHER
    )
    assert back.workflow == "sample.young"
    opened = back.events[0]
    assert (opened.situation, opened.concern_date, opened.at, opened.actor, opened.role) == (  # type: ignore[attr-defined]
        "sample.worry",
        today,
        clock.now(),
        "dan",
        "sample.teacher",
    )


def test_bad_concerns_are_refused_with_nothing_stored(
    casework: Casework, clock: VirtualClock
) -> None:
    today = clock.now().date()
    with pytest.raises(DataError, match="in the future"):
        casework.open_concern(
            situation="sample.worry",
            subject=born(today, 10),
            concern_date=today + dt.timedelta(days=1),
            actor=TEACHER,
        )
    with pytest.raises(DataError, match="before the birth date"):
        casework.open_concern(
            situation="sample.worry",
            subject=born(today, 0, days=5),
            concern_date=today,
            actor=TEACHER,
        )
    with pytest.raises(UnknownId, match="unknown situation 'bliss'"):
        casework.open_concern(
            situation="bliss", subject=born(today, 10), concern_date=today, actor=TEACHER
        )
    with pytest.raises(UnknownId, match="unknown role 'wizard'"):
        casework.open_concern(
            situation="sample.worry",
            subject=born(today, 10),
            concern_date=today,
            actor=Actor("x", "wizard"),
        )
    assert casework.find(CONSULTANT) == []
    assert casework.store.max_position() == 0


def test_every_change_is_an_event_stamped_by_the_clock(
    casework: Casework, clock: VirtualClock, sample: SamplePlugin
) -> None:
    case = casework.open_case(
        workflow="sample.track",
        subject=Group("g.parents", Labels(da="Forældre", en="Parents"), 6),
        actor=CONSULTANT,
    )
    clock.advance(dt.timedelta(hours=1))
    casework.assign(case.id, "eva", CONSULTANT)
    casework.fire(case.id, "start", CONSULTANT)
    clock.advance(dt.timedelta(days=7))
    casework.record_session(case.id, CONSULTANT, held_on=clock.now().date(), participants=6)
    casework.add_note(case.id, "Good turnout.", CONSULTANT)
    history = casework.history(case.id, CONSULTANT, purpose="casework")
    assert [type(e).__name__ for e in history] == [
        "CaseOpened",
        "Assigned",
        "Transitioned",
        "SessionRecorded",
        "NoteAdded",
    ]
    assert [e.at for e in history] == [clock.now() - dt.timedelta(days=7, hours=1)] + [
        clock.now() - dt.timedelta(days=7)
    ] * 2 + [clock.now()] * 2
    assert sample.events == list(history)  # ssp_after_case_event saw each event once, in order


def test_observations_must_name_a_sign_of_a_registered_catalogue(
    casework: Casework, clock: VirtualClock
) -> None:
    today = clock.now().date()
    case = casework.open_concern(
        situation="sample.worry", subject=born(today, 15), concern_date=today, actor=TEACHER
    )
    casework.record_observation(
        case.id,
        catalogue="sample.signs",
        sign="new_circle",
        observed_by="sample.teacher",
        observed_on=today,
        actor=TEACHER,
    )
    with pytest.raises(
        UnknownId, match="unknown worry sign in catalogue 'sample.signs' 'hunch'; known: new_circle"
    ):
        casework.record_observation(
            case.id,
            catalogue="sample.signs",
            sign="hunch",
            observed_by="sample.teacher",
            observed_on=today,
            actor=TEACHER,
        )
    with pytest.raises(UnknownId, match="unknown worry-sign catalogue 'other'"):
        casework.record_observation(
            case.id,
            catalogue="other",
            sign="x",
            observed_by="sample.teacher",
            observed_on=today,
            actor=TEACHER,
        )
    assert casework.case(case.id, CONSULTANT, purpose="casework").version == 2


def test_facts_options_and_deadlines_through_the_service(
    casework: Casework, clock: VirtualClock
) -> None:
    today = clock.now().date()
    case = casework.open_concern(
        situation="sample.worry", subject=born(today, 15), concern_date=today, actor=TEACHER
    )
    assert casework.deadlines(case.id, CONSULTANT)[0].due == dt.date(2026, 3, 4)
    casework.fire(case.id, "assess", CONSULTANT)
    with pytest.raises(TransitionRefused):
        casework.fire(case.id, "intervene", CONSULTANT)
    casework.record_fact(case.id, "notified", TEACHER)
    casework.record_fact(case.id, "parents_involved", CONSULTANT)
    assert {o.trigger: o.allowed for o in casework.options(case.id, CONSULTANT)} == {
        "assess": False,
        "intervene": True,
        "close": True,
    }
    casework.fire(case.id, "intervene", CONSULTANT)
    assert isinstance(casework.history(case.id, CONSULTANT, purpose="casework")[2], FactRecorded)


def test_unknown_cases_and_workflows(casework: Casework) -> None:
    with pytest.raises(AccessDenied, match="there is no such case, or it is not one"):
        casework.fire("T-404", "assess", CONSULTANT)
    with pytest.raises(
        UnknownId,
        match="unknown workflow 'sample.none'; known: core.advice_request, "
        "core.initiative_activity, core.prevention_track, core.radicalisation_from_18, "
        "core.radicalisation_under_18, core.safety_finding, core.safety_walk, "
        "core.travel_from_18, core.travel_under_18, sample.adult, sample.track, sample.young",
    ):
        casework.open_case(
            workflow="sample.none", subject=born(dt.date(2026, 1, 1), 20), actor=CONSULTANT
        )


def test_a_failing_reaction_is_reported_but_the_event_stands(clock: VirtualClock) -> None:
    class Grumpy:
        plugin_name = "grumpy"

        @hookimpl
        def ssp_after_case_event(self, event: object) -> None:
            raise RuntimeError("partner system offline")

    sample = SamplePlugin()
    registry: Registry = make_registry(sample, Grumpy())
    casework = Casework(registry, clock=clock)
    with pytest.warns(ReactionFailed) as warned:
        opened = casework.open_case(
            workflow="sample.track", subject=born(dt.date(2026, 1, 1), 20), actor=CONSULTANT
        )
    (message,) = [str(w.message) for w in warned]
    assert message == (
        f"case {opened.id} is stored; the plugins' reaction ssp_after_case_event failed in: "
        "grumpy (RuntimeError). Do not repeat the command; see the plugin's own log"
    )
    assert "offline" not in message  # the plugin's message may quote the case: never shown
    (row,) = casework.find(CONSULTANT)
    assert casework.case(row.case_id, CONSULTANT, purpose="casework").version == 1
    assert len(sample.events) == 1  # the other plugin still heard of it


def test_duplicate_ids_from_the_id_factory_are_refused(
    registry: Registry, clock: VirtualClock
) -> None:
    casework = Casework(registry, clock=clock, ids=lambda: "SAME")
    casework.open_case(
        workflow="sample.track", subject=born(dt.date(2026, 1, 1), 20), actor=CONSULTANT
    )
    with pytest.raises(DataError, match="already in use"):
        casework.open_case(
            workflow="sample.track", subject=born(dt.date(2026, 1, 1), 20), actor=CONSULTANT
        )


def test_dates_people_give_are_danish_local_dates(registry: Registry) -> None:
    # 23:30 UTC on 2 March is already 3 March in Copenhagen: a concern dated 3 March is not "in the future".
    clock = VirtualClock(dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC))
    casework = Casework(registry, clock=clock)
    local_today = dt.date(2026, 3, 3)
    case = casework.open_concern(
        situation="sample.worry",
        subject=born(local_today, 15),
        concern_date=local_today,
        actor=TEACHER,
    )
    casework.record_observation(
        case.id,
        catalogue="sample.signs",
        sign="new_circle",
        observed_by="sample.teacher",
        observed_on=local_today,
        actor=TEACHER,
    )
    assert casework.case(case.id, CONSULTANT, purpose="casework").version == 2
