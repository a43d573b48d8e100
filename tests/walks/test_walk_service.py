"""Planning walks, recording findings and following them up, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from ssp_core import (
    AccessDenied,
    Actor,
    CaseNotFound,
    CaseQuery,
    Coordinates,
    DataError,
    Place,
    TransitionRefused,
    UnknownId,
    VirtualClock,
)
from ssp_core.domain.events import FindingAssigned, FindingRecorded, WalkPlanned
from ssp_core.walks import finding_facts
from tests.privacy.conftest import Backend, MakeCasework, holds

ANNA = Actor("anna", "aalborg.ssp_consultant")
POLICE = Actor("per", "aalborg.police_ssp_coordinator")
TEACHER = Actor("tina", "aalborg.frontline_worker")
RESEARCHER = Actor("rita", "aalborg.researcher")
SECRET = "Peter Hansen's boys gather here every night"  # noqa: S105 (a text, not a password)


def _held_walk(casework, held_on=dt.date(2026, 3, 1)):  # type: ignore[no-untyped-def]
    walk = casework.plan_walk(
        locality="aalborg.gandrup",
        held_on=held_on,
        participants=["aalborg.grindsted_samraad", "aalborg.nordjyllands_politi"],
        citizens=4,
        topics=["lighting", "aalborg.plantings"],
        actor=ANNA,
    )
    return casework.fire(walk.id, "hold", ANNA)


def test_a_walk_is_planned_in_one_commit_with_its_plan(make_casework: MakeCasework) -> None:
    casework = make_casework()
    walk = casework.plan_walk(
        locality="aalborg.gandrup",
        held_on=dt.date(2026, 4, 1),
        participants=["aalborg.grindsted_samraad"],
        citizens=2,
        topics=["lighting"],
        actor=ANNA,
    )
    events = casework.history(walk.id, ANNA, purpose="casework")
    assert [type(e).__name__ for e in events] == ["CaseOpened", "WalkPlanned"]
    assert isinstance(events[1], WalkPlanned)
    assert events[1].citizens == 2
    (view,) = casework.walks(ANNA, purpose="casework")
    assert (view.locality, view.state, view.held_on) == (
        "aalborg.gandrup",
        "planned",
        dt.date(2026, 4, 1),
    )
    assert view.participants == ("aalborg.grindsted_samraad",)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"locality": "atlantis"}, UnknownId, "unknown locality 'atlantis'"),
        ({"participants": ["nobody"]}, UnknownId, "unknown partner 'nobody'"),
        ({"topics": ["graffiti"]}, UnknownId, "unknown finding category 'graffiti'"),
        ({"citizens": -1}, DataError, "citizens is a count of 0 or more"),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_stored(
    make_casework: MakeCasework, change: dict[str, object], error: type[Exception], message: str
) -> None:
    casework = make_casework()
    arguments: dict[str, object] = {
        "locality": "aalborg.gandrup",
        "held_on": dt.date(2026, 4, 1),
        "actor": ANNA,
    } | change
    with pytest.raises(error, match=message):
        casework.plan_walk(**arguments)  # type: ignore[arg-type]
    assert casework.store.find_cases(CaseQuery()) == []


def test_a_finding_follows_reported_assigned_resolved(make_casework: MakeCasework) -> None:
    casework = make_casework()
    walk = _held_walk(casework)
    finding = casework.record_finding(
        walk.id,
        place=Place("The tunnel", Coordinates(57.049, 10.196)),
        category="lighting",
        description="Dark in the evening",
        actor=ANNA,
    )
    assert finding.state == "reported"
    assert [d.rule for d in finding.due] == ["reported"]
    # Without a responsible partner the finding cannot be passed on.
    with pytest.raises(TransitionRefused, match="responsible partner"):
        casework.fire(finding.id, "assign", ANNA)
    assigned = casework.assign_finding(finding.id, "aalborg.roads_and_parks", ANNA)
    assert assigned.state == "assigned"
    # The responsible partner and the move were one commit: both events, versions 3 and 4.
    history = casework.history(finding.id, ANNA, purpose="casework")
    assert [type(e).__name__ for e in history] == [
        "CaseOpened",
        "FindingRecorded",
        "FindingAssigned",
        "Transitioned",
    ]
    # Passing it to another partner records that only.
    again = casework.assign_finding(finding.id, "aalborg.emergency_service", ANNA, reason="water")
    assert (again.state, again.version) == ("assigned", 5)
    resolved = casework.fire(finding.id, "resolve", ANNA)
    (view,) = casework.findings(ANNA, purpose="casework")
    assert (view.state, view.outcome, view.responsible) == (
        "resolved",
        "resolved",
        "aalborg.emergency_service",
    )
    assert view.closed_at == resolved.entered_at
    assert casework.findings(ANNA, purpose="casework", open_only=True) == []
    with pytest.raises(DataError, match="is closed"):
        casework.assign_finding(finding.id, "aalborg.roads_and_parks", ANNA)


def test_declining_needs_a_reason_and_keeps_it(make_casework: MakeCasework) -> None:
    casework = make_casework()
    walk = _held_walk(casework)
    finding = casework.record_finding(
        walk.id,
        place=Place("The square"),
        category="aalborg.plantings",
        description="Hedge",
        actor=ANNA,
    )
    with pytest.raises(TransitionRefused, match="reason"):
        casework.fire(finding.id, "decline", ANNA)
    casework.fire(finding.id, "decline", ANNA, reason="Private ground")
    (view,) = casework.findings(ANNA, purpose="casework", walk=walk.id)
    assert (view.outcome, view.reason) == ("declined", "Private ground")


def test_findings_are_recorded_only_on_a_walk_that_is_held(make_casework: MakeCasework) -> None:
    casework = make_casework()
    walk = casework.plan_walk(locality="aalborg.gandrup", held_on=dt.date(2026, 4, 1), actor=ANNA)
    place = Place("Anywhere")
    with pytest.raises(DataError, match="walk .* is 'planned'"):
        casework.record_finding(
            walk.id, place=place, category="lighting", description="d", actor=ANNA
        )
    with pytest.raises(CaseNotFound):
        casework.record_finding(
            "nope", place=place, category="lighting", description="d", actor=ANNA
        )
    casework.fire(walk.id, "hold", ANNA)
    finding = casework.record_finding(
        walk.id, place=place, category="lighting", description="d", actor=ANNA
    )
    with pytest.raises(DataError, match="not a safety walk"):
        casework.record_finding(
            finding.id, place=place, category="lighting", description="d", actor=ANNA
        )
    with pytest.raises(UnknownId, match="unknown finding category"):
        casework.record_finding(walk.id, place=place, category="x", description="d", actor=ANNA)
    with pytest.raises(DataError, match="must have a description"):
        casework.record_finding(
            walk.id, place=place, category="lighting", description="  ", actor=ANNA
        )
    assert len(casework.findings(ANNA, purpose="casework")) == 1


def test_an_overdue_finding_shows_in_the_overdue_list(
    make_casework: MakeCasework, clock: VirtualClock
) -> None:
    casework = make_casework()
    walk = _held_walk(casework)
    finding = casework.record_finding(
        walk.id, place=Place("Path"), category="lighting", description="Dark", actor=ANNA
    )
    (due,) = finding.due
    clock.advance(dt.timedelta(days=30))
    overdue = {row.case_id for row in casework.overdue(ANNA)}
    assert {finding.id, walk.id} <= overdue
    (view,) = casework.findings(ANNA, purpose="casework", open_only=True)
    assert view.due[0].due == due.due


def test_the_description_is_sealed_and_withheld_without_the_notes_group(
    make_casework: MakeCasework, backend: Backend
) -> None:
    url = backend.new_url()
    casework = make_casework(url=url)
    walk = _held_walk(casework)
    casework.record_finding(
        walk.id, place=Place("By the shop"), category="lighting", description=SECRET, actor=ANNA
    )
    casework.close()
    assert not holds(backend.raw(url), SECRET)
    assert holds(backend.raw(url), "By the shop")  # the place is not personal: readable
    reader = make_casework(url=url)
    (mine,) = reader.findings(ANNA, purpose="casework")
    assert mine.description == SECRET
    assert reader.findings(POLICE, purpose="casework")[0].description == SECRET
    # A frontline worker's walk grant has no notes group: the description is withheld.
    (theirs,) = reader.findings(TEACHER, purpose="casework")
    assert theirs.description == "[withheld]"
    assert theirs.place.description == "By the shop"
    with pytest.raises(AccessDenied):
        reader.findings(RESEARCHER, purpose="research")


def test_example_walks_are_imported_once(make_casework: MakeCasework) -> None:
    casework = make_casework()
    cases = casework.import_walk("aalborg.grindsted_uggerhalne_2016", ANNA)
    walk, *found = cases
    assert walk.state == "closed"
    assert sorted(f.state for f in found) == ["assigned", "declined", "resolved", "resolved"]
    assert casework.import_walk("aalborg.grindsted_uggerhalne_2016", ANNA) == []
    assert len(casework.walks(ANNA, purpose="casework")) == 1


def test_finding_facts_count_without_any_key(make_casework: MakeCasework) -> None:
    casework = make_casework()
    for name in casework.registry.example_walks:
        casework.import_walk(name, ANNA)
    facts = finding_facts(casework.store, casework.codec, casework.registry)
    views = casework.findings(ANNA, purpose="casework")
    assert sorted((f.walk, f.category, str(f.outcome)) for f in facts) == sorted(
        (v.walk, v.category, str(v.outcome)) for v in views
    )
    assert len(facts) == 9
    assert {f.locality for f in facts} == {
        "aalborg.romdrup_klarup",
        "aalborg.grindsted_uggerhalne",
        "aalborg.gandrup",
    }


def test_history_events_of_a_finding_are_typed(make_casework: MakeCasework) -> None:
    casework = make_casework()
    walk = _held_walk(casework)
    finding = casework.record_finding(
        walk.id,
        place=Place("Pond", Coordinates(57.0, 10.0)),
        category="lighting",
        description="Fence broken",
        responsible="aalborg.emergency_service",
        actor=ANNA,
    )
    casework.fire(finding.id, "assign", ANNA)  # a partner named on recording suffices
    events = casework.history(finding.id, ANNA, purpose="casework")
    recorded = events[1]
    assert isinstance(recorded, FindingRecorded)
    assert recorded.place.coordinates == Coordinates(57.0, 10.0)
    assert not any(isinstance(e, FindingAssigned) for e in events)
