"""A hypothesis stateful test of a finding's follow-up through Casework (memory store).

The model knows only the rules of the issue: reported -> assigned (a responsible
partner named) -> resolved, or declined with a reason from reported or assigned;
closed findings take no more changes. Every refused step must change nothing.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import ssp_core
from ssp_core import Actor, Casework, DataError, Place, SspError, VirtualClock

REGISTRY = ssp_core.load_registry()
ANNA = Actor("anna", "aalborg.ssp_consultant")
PARTNERS = ["aalborg.roads_and_parks", "aalborg.emergency_service", "aalborg.nordjyllands_politi"]
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


class FindingMachine(RuleBasedStateMachine):
    """Random follow-up of one finding, compared with a model after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.casework = Casework(REGISTRY, clock=VirtualClock(T0))
        self.finding = ""
        self.state = "reported"
        self.responsible: str | None = None
        self.events = 2

    @initialize(named=st.sampled_from([None, *PARTNERS]))
    def record(self, named: str | None) -> None:
        walk = self.casework.plan_walk(locality="aalborg.gandrup", held_on=T0.date(), actor=ANNA)
        self.casework.fire(walk.id, "hold", ANNA)
        case = self.casework.record_finding(
            walk.id,
            place=Place("Somewhere"),
            category="lighting",
            description="Dark",
            responsible=named,
            actor=ANNA,
        )
        self.finding, self.responsible = case.id, named

    def _refused(self, step: object) -> None:
        before = self.casework.store.read_case(self.finding)
        try:
            step()  # type: ignore[operator]
        except SspError:
            assert self.casework.store.read_case(self.finding) == before
        else:
            raise AssertionError("the step should have been refused")

    @property
    def closed(self) -> bool:
        return self.state in {"resolved", "declined"}

    @rule(partner=st.sampled_from(PARTNERS))
    def assign_to(self, partner: str) -> None:
        if self.closed:
            self._refused(lambda: self.casework.assign_finding(self.finding, partner, ANNA))
            return
        self.casework.assign_finding(self.finding, partner, ANNA)
        self.events += 1 if self.state == "assigned" else 2
        self.state, self.responsible = "assigned", partner

    @rule()
    def fire_assign(self) -> None:
        if self.state != "reported" or self.responsible is None:
            self._refused(lambda: self.casework.fire(self.finding, "assign", ANNA))
            return
        self.casework.fire(self.finding, "assign", ANNA)
        self.state, self.events = "assigned", self.events + 1

    @rule()
    def resolve(self) -> None:
        if self.state != "assigned":
            self._refused(lambda: self.casework.fire(self.finding, "resolve", ANNA))
            return
        self.casework.fire(self.finding, "resolve", ANNA)
        self.state, self.events = "resolved", self.events + 1

    @rule(reason=st.sampled_from([None, "", "Private ground"]))
    def decline(self, reason: str | None) -> None:
        if self.closed or not reason:
            self._refused(lambda: self.casework.fire(self.finding, "decline", ANNA, reason=reason))
            return
        self.casework.fire(self.finding, "decline", ANNA, reason=reason)
        self.state, self.events = "declined", self.events + 1

    @rule()
    def unknown_partner(self) -> None:
        self._refused(lambda: self.casework.assign_finding(self.finding, "nobody", ANNA))

    @invariant()
    def view_matches_the_model(self) -> None:
        if not self.finding:
            return
        (view,) = self.casework.findings(ANNA, purpose="casework")
        assert (view.state, view.responsible) == (self.state, self.responsible)
        assert (view.outcome is None) == (not self.closed)
        assert bool(view.due) == (not self.closed)
        assert len(self.casework.store.read_case(self.finding)) == self.events
        opened = self.casework.findings(ANNA, purpose="casework", open_only=True)
        assert len(opened) == (0 if self.closed else 1)


FindingMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestFindingFollowUp = FindingMachine.TestCase


def test_refusals_name_what_is_allowed() -> None:
    casework = Casework(REGISTRY, clock=VirtualClock(T0))
    walk = casework.plan_walk(locality="aalborg.gandrup", held_on=T0.date(), actor=ANNA)
    try:
        casework.record_finding(
            walk.id, place=Place("x"), category="lighting", description="d", actor=ANNA
        )
    except DataError as error:
        assert "held" in str(error)
        assert "'planned'" in str(error)
    else:
        raise AssertionError("a finding on a planned walk must be refused")
