"""Seeded scenarios for the evaluation tests: concerns, tracks and safety-walk findings over years.

Each plan says when a case is opened and what happens to it; :func:`build` plays all
plans in time order on a virtual clock through ``Casework``, as a municipality would.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence

import attrs

from ssp_core import Actor, Casework, Place, Subject, VirtualClock, hookimpl
from ssp_core.plugins import Grant, Labels, Role
from ssp_core.testing import pseudonym_for

ANNE = Actor("anne.k-7731", "aalborg.ssp_consultant")
MONA = Actor("mona.m-4410", "aalborg.mentor")
POLICE = Actor("bo.p-2210", "aalborg.police_ssp_coordinator")
EVE = Actor("eve.e-3300", "evaluator")
"""An actor in a role of the test plugin, granted report.evaluate for research."""

OPEN_AT = dt.time(10, 0)  # UTC: the same date in Danish time
SITUATIONS = ("aalborg.radicalisation", "aalborg.armed_conflict_travel")
LOCALITIES = ("aalborg.romdrup_klarup", "aalborg.grindsted_uggerhalne", "aalborg.gandrup")


class EvaluatorPlugin:
    """A test plugin: the role ``evaluator`` with the grant report.evaluate for research."""

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role("evaluator", Labels("Evaluator", "Evaluator"))]

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return [Grant(role="evaluator", operations=("report.evaluate",), purposes=("research",))]


@attrs.frozen
class ConcernPlan:
    """A concern: opened on ``opened``, about someone aged ``age`` on the concern date."""

    opened: dt.date
    age: int
    situation: str
    lag: int = 0  # days from the concern to the opening
    act_after: int | None = None  # days from the opening to the first step; None: none yet

    @property
    def concern(self) -> dt.date:
        return self.opened - dt.timedelta(days=self.lag)


@attrs.frozen
class TrackPlan:
    """A mentor track opened on ``opened`` that ends ``open``, ``ended_early`` or ``completed``."""

    opened: dt.date
    outcome: str


@attrs.frozen
class FindingPlan:
    """A safety-walk finding reported on ``reported``: ``resolved``, ``declined`` or open (None)."""

    reported: dt.date
    locality: str
    outcome: str | None


Step = tuple[dt.datetime, int, Callable[[], None]]


def _at(day: dt.date, minutes: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, OPEN_AT, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


def _concern_steps(casework: Casework, number: int, plan: ConcernPlan) -> list[Step]:
    ids: dict[str, str] = {}
    birth = dt.date(plan.concern.year - plan.age, 1, 1)
    subject = Subject(pseudonym_for(f"pseudonym-{number:05d}"), birth)

    def open_it() -> None:
        case = casework.open_concern(
            situation=plan.situation, subject=subject, concern_date=plan.concern, actor=ANNE
        )
        ids["case"] = case.id

    steps: list[Step] = [(_at(plan.opened), number, open_it)]
    if plan.act_after is not None:

        def act() -> None:
            if plan.situation == "aalborg.armed_conflict_travel":  # the police screen first
                casework.record_fact(ids["case"], "police_screening_done", POLICE)
                casework.record_fact(ids["case"], "pet_informed", POLICE)
                casework.record_fact(ids["case"], "passport_measures_considered", POLICE)
                casework.fire(ids["case"], "release_to_casework", POLICE)
            else:
                casework.record_fact(ids["case"], "concern_described", ANNE)
                casework.fire(ids["case"], "begin_analysis", ANNE)

        day = plan.opened + dt.timedelta(days=plan.act_after)
        steps.append((_at(day, 30), number, act))
    return steps


def _track_steps(casework: Casework, number: int, plan: TrackPlan) -> list[Step]:
    ids: dict[str, str] = {}
    subject = Subject(pseudonym_for(f"track-{number:05d}"), dt.date(2005, 1, 1))

    def open_it() -> None:
        ids["case"] = casework.open_case(workflow="aalborg.mentor", subject=subject, actor=ANNE).id

    def finish() -> None:
        case = ids["case"]
        if plan.outcome == "ended_early":
            casework.fire(case, "decline_referral", ANNE, reason="not now")
            return
        casework.fire(case, "accept_referral", ANNE)
        casework.assign(case, MONA.id, ANNE)
        casework.record_fact(case, "goals_agreed", ANNE)
        casework.record_fact(case, "participation_voluntary", ANNE)
        casework.record_fact(case, "custody_holder_involved", ANNE)
        casework.fire(case, "start", ANNE)
        held = casework.clock.now().date()
        casework.record_session(case, MONA, held_on=held, participants=2)
        casework.fire(case, "begin_review", MONA)
        casework.fire(case, "complete", ANNE, reason="goals met")

    steps: list[Step] = [(_at(plan.opened, 5), number, open_it)]
    if plan.outcome != "open":
        steps.append((_at(plan.opened, 35), number, finish))
    return steps


def _finding_steps(casework: Casework, number: int, plan: FindingPlan) -> list[Step]:
    def record() -> None:
        walk = casework.plan_walk(locality=plan.locality, held_on=plan.reported, actor=ANNE)
        casework.fire(walk.id, "hold", ANNE)
        finding = casework.record_finding(
            walk.id,
            place=Place("by the school"),
            category="lighting",
            description="Dark path",
            actor=ANNE,
        )
        if plan.outcome == "resolved":
            casework.assign_finding(finding.id, "aalborg.roads_and_parks", ANNE)
            casework.fire(finding.id, "resolve", ANNE)
        elif plan.outcome == "declined":
            casework.fire(finding.id, "decline", ANNE, reason="private land")

    return [(_at(plan.reported, 10), number, record)]


def build(
    casework: Casework,
    clock: VirtualClock,
    concerns: Sequence[ConcernPlan] = (),
    tracks: Sequence[TrackPlan] = (),
    findings: Sequence[FindingPlan] = (),
) -> None:
    """Play every plan in time order on ``clock`` (which must start before the first)."""
    steps: list[Step] = []
    for number, concern in enumerate(concerns):
        steps += _concern_steps(casework, number, concern)
    for number, track in enumerate(tracks, start=len(concerns)):
        steps += _track_steps(casework, number, track)
    for number, finding in enumerate(findings, start=len(concerns) + len(tracks)):
        steps += _finding_steps(casework, number, finding)
    for when, _, step in sorted(steps, key=lambda s: (s[0], s[1])):
        if when > clock.now():
            clock.set(when)
        step()


def random_plans(
    seed: int, *, concerns: int, tracks: int, findings: int, years: Sequence[int]
) -> tuple[list[ConcernPlan], list[TrackPlan], list[FindingPlan]]:
    """Return seeded random plans spread over ``years``."""
    rnd = random.Random(seed)

    def day() -> dt.date:
        return dt.date(rnd.choice(years), rnd.randint(1, 12), rnd.randint(2, 28))

    concern_plans = [
        ConcernPlan(
            opened=day(),
            age=rnd.choice([12, 14, 15, 16, 17, 19, 22, 30]),
            situation=rnd.choice(SITUATIONS),
            lag=rnd.randint(0, 3),
            act_after=rnd.choice([None, 0, 1, 2, 3, 5, 8, 13]),
        )
        for _ in range(concerns)
    ]
    track_plans = [
        TrackPlan(day(), rnd.choice(["open", "ended_early", "completed"])) for _ in range(tracks)
    ]
    finding_plans = [
        FindingPlan(day(), rnd.choice(LOCALITIES), rnd.choice([None, "resolved", "declined"]))
        for _ in range(findings)
    ]
    return concern_plans, track_plans, finding_plans
