"""The engine of a scenario: the real workflow engines, driven through SimPy on a virtual clock.

One replication of one arm (:func:`replicate`): concerns arrive as the scenario says;
each opens a case on the card production would choose (situation, age band,
municipality) with the plugins' own :class:`~ssp_core.workflows.engine.WorkflowEngine`;
a case then waits in each state as long as the scenario's dwell says, takes a way out
by the decision point's aggregate probabilities, waits for a worker of the role that
may do it (rostered on Danish business days, absent on some days, with a caseload
limit), and the worker records the facts, assignment and sessions the guards need
and fires the trigger, at the simulated time. The engine checks roles, guards and
written reasons exactly as in production, computes the deadlines on the Danish
calendar, and moves them when a case is on hold. A transition it refuses is counted
and another way out taken.

Time is SimPy's, in hours from local midnight of the scenario's first day; each
event's time is that, as a date and time. Nothing reads the wall clock. Each source
of randomness has its own stream from the replication's seed, so arms of one
replication see the same arrivals (common random numbers). A simulated case is a
number and an age: what is measured is counted over all of them.

What the model leaves out is listed in ``docs/simulation.md``: a step begun before
closing time is finished after it (overtime); workers of a role are
interchangeable; a decision is a probability, never a property of a case.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import math
import operator
import pickle
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import simpy

from ssp_core.clock import danish_calendar, local_date
from ssp_core.domain.cases import Case
from ssp_core.domain.deadlines import DueDate
from ssp_core.domain.people import Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import SspError, TransitionRefused
from ssp_core.plugins.registry import Registry
from ssp_core.simulation.plan import Choice, Plan, Step, plan
from ssp_core.simulation.results import Figure, Point, ReplicationResult, replication_seed
from ssp_core.simulation.scenario import (
    ANY_WORKFLOW,
    ArrivalKind,
    Arrivals,
    PluginChoice,
    Scenario,
    Staff,
)
from ssp_core.simulation.streams import Stream
from ssp_core.simulation.timeline import (
    business_days,
    days,
    holiday_days,
    local_hours,
    midnights,
    roster_times,
)
from ssp_core.workflows.engine import WorkflowEngine

__all__ = ["SIMULATED", "registry_for", "replicate"]

SIMULATED = "Simulated."
"""The text a simulated worker writes where a reason or a detail is required."""

_TZ = ZoneInfo("Europe/Copenhagen")
_HOUR = dt.timedelta(hours=1)

_registries: dict[PluginChoice, Registry] = {}


def registry_for(plugins: PluginChoice) -> Registry:
    """Return the registry of ``plugins``, loaded once per process."""
    found = _registries.get(plugins)
    if found is None:
        import ssp_core  # noqa: PLC0415

        found = _registries[plugins] = ssp_core.load_registry(
            autoload=plugins.autoload, block=plugins.block
        )
    return found


_Resolved = tuple[Plan, dict[int, "_Flow"]]
"""An arm's plan, with what its replications look up per workflow (kept with it)."""

_plans: dict[bytes, _Resolved] = {}
_last: list[tuple[Scenario, str, _Resolved]] = []
"""The last scenario, arm and plan: a runner asks for one arm's replications in a row."""


def replicate(scenario: Scenario, arm: str, index: int) -> ReplicationResult:
    """Run replication ``index`` of ``arm`` of ``scenario`` and return what it measured.

    The arm's plan is made once per process for the same scenario and arm (found by
    their pickled form, so a scenario sent to a worker process again is found too).
    """
    if _last and _last[0][0] is scenario and _last[0][1] == arm:
        resolved = _last[0][2]
    else:
        key = hashlib.blake2b(pickle.dumps((scenario, arm)), digest_size=16).digest()
        found = _plans.get(key)
        if found is None:
            if len(_plans) >= 64:
                _plans.clear()
            found = _plans[key] = (plan(scenario, arm, registry_for(scenario.plugins)), {})
        resolved = found
        _last[:] = [(scenario, arm, resolved)]
    return _Run(scenario, resolved[0], index, resolved[1]).result()


class _Desk:
    """Workers of one role (or cases' room in their caseloads): who is free, and who waits.

    Without a roster, ``present`` are always there. With one (``roster``: each working
    day's opening and closing time and how many are present), a worker is on duty
    from opening to closing: a step begun goes on to its end, none begins after
    closing. A request is granted at once if someone on duty is free, else queued
    first come, first served; the desk wakes at the next opening only while someone
    waits, so a quiet day costs no events.
    """

    __slots__ = ("busy", "closes", "env", "opens", "present", "queue", "staffed", "waking")

    def __init__(
        self,
        env: simpy.Environment,
        present: int = 0,
        roster: tuple[Sequence[float], Sequence[float], Sequence[int]] | None = None,
    ) -> None:
        self.env = env
        self.present = present
        self.busy = 0
        self.queue: deque[simpy.Event] = deque()
        self.opens, self.closes, self.staffed = roster or ((), (), ())
        self.waking = False

    def on_duty(self, now: float) -> int:
        """Return how many are on duty at ``now``."""
        if not self.opens:
            return self.present
        day = bisect.bisect_right(self.opens, now) - 1
        return self.staffed[day] if day >= 0 and now < self.closes[day] else 0

    def request(self) -> simpy.Event | None:
        """Take a worker: None if one was free (taken), else an event that fires when one is."""
        if not self.queue and self.busy < self.on_duty(self.env.now):
            self.busy += 1
            return None
        event = self.env.event()
        self.queue.append(event)
        self._grant()
        return event

    def release(self) -> None:
        """Give a worker back; the next in the queue gets them if they are on duty."""
        self.busy -= 1
        self._grant()

    def _grant(self) -> None:
        queue = self.queue
        if not queue:
            return
        now = self.env.now
        duty = self.on_duty(now)
        while queue and self.busy < duty:
            self.busy += 1
            queue.popleft().succeed()
        if queue and duty == 0 and not self.waking:
            self._wake(now)

    def _wake(self, now: float) -> None:
        """Wake at the next opening with someone present, to serve the queue."""
        day = bisect.bisect_right(self.opens, now)
        while day < len(self.opens) and self.staffed[day] == 0:
            day += 1
        if day < len(self.opens):
            self.waking = True
            self.env.timeout(self.opens[day] - now).callbacks.append(self._woken)

    def _woken(self, _event: simpy.Event) -> None:
        self.waking = False
        self._grant()


@functools.lru_cache(maxsize=256)
def _means(
    days: tuple[dt.date, ...],
    process: Arrivals,
    factor: float,
    holidays: tuple[tuple[dt.date, dt.date], ...],
) -> tuple[float, ...]:
    """Return the mean number of arrivals of ``process`` on each of ``days``."""
    school = holiday_days(holidays)
    weights = sum(process.weekdays)
    if process.kind is ArrivalKind.BATCH:
        base = [process.per_week / 5] * len(days)
    elif weights:
        base = [process.per_week * process.weekdays[day.weekday()] / weights for day in days]
    else:
        base = [0.0] * len(days)
    return tuple(
        factor * (process.school_holidays if day in school else 1.0) * mean
        for day, mean in zip(days, base, strict=True)
    )


@functools.lru_cache(maxsize=64)
def _measured_lengths(
    opens: tuple[float, ...], closes: tuple[float, ...], warmup: float
) -> tuple[float, ...]:
    """Return each working day's hours on duty after the warm-up (0 for a day before it)."""
    return tuple(
        max(0.0, close - max(open_, warmup)) for open_, close in zip(opens, closes, strict=True)
    )


_Sampler = Callable[[Stream], float]


def _birth_date(concern: dt.date, age: int) -> dt.date:
    """Return a birth date making a person ``age`` on ``concern`` (a birthday the day before)."""
    try:
        birthday = concern.replace(year=concern.year - age)
    except ValueError:  # 29 February
        birthday = concern.replace(year=concern.year - age, day=28)
    return birthday - dt.timedelta(days=1)


_Rule = tuple[tuple[float, _Sampler] | None, _Sampler | None, tuple[Choice, ...], float]
"""A state's hold (probability, days), its dwell, its ways out and the sum of their shares."""


class _Flow:
    """What a run looks up for the cases of one workflow version, each found once.

    ``states`` holds each state's rule; ``times`` each step's sampler, by the identity
    of the plan's step (the plan outlives the run, so an identity is never reused).
    """

    __slots__ = ("due_facts", "engine", "finals", "states", "times", "workflow")

    def __init__(self, engine: WorkflowEngine, due_facts: Mapping[str, Step] | None) -> None:
        self.engine = engine
        self.workflow = engine.definition.id
        self.finals = engine.definition.final_states
        self.due_facts = due_facts
        self.states: dict[str, _Rule] = {}
        self.times: dict[int, _Sampler] = {}


class _Run:
    """One replication: the SimPy environment, the staff, the cases and the tallies."""

    def __init__(
        self,
        scenario: Scenario,
        resolved: Plan,
        index: int,
        flows: dict[int, _Flow] | None = None,
    ) -> None:
        self.scenario = scenario
        self.plan = resolved
        self.index = index
        self.env = simpy.Environment()
        start = dt.datetime.combine(scenario.start, dt.time(), _TZ)
        self.start = start.astimezone(dt.UTC)
        self.horizon = self._hours(scenario.start + dt.timedelta(days=scenario.horizon_days), 0.0)
        self.warmup = self._hours(scenario.start + dt.timedelta(days=scenario.warmup_days), 0.0)
        streams = replication_seed(scenario.seed, index).spawn(6)
        self.arrival_seeds = streams[0].spawn(len(scenario.arrivals))
        self.choose, self.work, self.dwell, self.hold = (
            Stream(np.random.default_rng(s)) for s in streams[1:5]
        )
        self.absence = np.random.default_rng(streams[5])
        self.calendar = danish_calendar()
        self.holidays = scenario.school_holidays
        self.workers: dict[str, _Desk] = {}
        self.caseloads: dict[str, _Desk] = {}
        self.actors: dict[str, Actor] = {}
        self.available: dict[str, float] = {}
        self.busy: dict[str, float] = {}
        self.waits: dict[str, list[float]] = {}
        self.number = 0
        self.open = 0
        self.last = 0.0
        self.area = 0.0
        self.transitions = 0
        self.fired = 0
        self.refused = 0
        self.stuck = 0
        self.concerns: dict[str, int] = {}
        self.outcomes: dict[str, int] = {}
        self.first_action: dict[str, list[float]] = {}
        self.met = 0
        self.missed: dict[str, int] = {}
        self.changes: list[tuple[float, int]] = [(0.0, 0)]
        self.flows: dict[int, _Flow] = {} if flows is None else flows
        """What the plan's replications look up per workflow (by the engine's identity)."""
        for member in resolved.staff:
            self._staff(member)

    # -- time ------------------------------------------------------------------------

    def _hours(self, day: dt.date, hour: float) -> float:
        """Return the simulated time of local ``hour`` on ``day``."""
        return local_hours(self.scenario.start, day, hour)

    def _at(self, now: float) -> dt.datetime:
        return self.start + dt.timedelta(hours=now)

    def _days(self) -> tuple[dt.date, ...]:
        return days(self.scenario.start, self.scenario.horizon_days)

    def _business_days(self) -> tuple[dt.date, ...]:
        return business_days(self.scenario.start, self.scenario.horizon_days)

    def _school_holiday(self, day: dt.date) -> bool:
        return day in holiday_days(self.holidays)

    # -- staff -----------------------------------------------------------------------

    def _staff(self, member: Staff) -> None:
        role = member.role
        self.actors[role] = Actor(f"sim.{role}", role)
        self.busy[role] = 0.0
        self.waits[role] = []
        days = self._business_days()
        away = (
            self.absence.binomial(member.count, member.absence, size=len(days)).tolist()
            if member.absence and member.count
            else [0] * len(days)
        )
        opens, closes = roster_times(self.scenario.start, self.scenario.horizon_days, member.hours)
        staffed = [member.count - absent for absent in away]
        lengths = _measured_lengths(opens, closes, self.warmup)
        self.available[role] = math.fsum(map(operator.mul, staffed, lengths))
        self.workers[role] = _Desk(self.env, roster=(opens, closes, staffed))
        if member.caseload is not None:
            self.caseloads[role] = _Desk(self.env, member.count * member.caseload)

    # -- arrivals --------------------------------------------------------------------

    def _arrivals(self) -> None:
        for position, (process, factor, where) in enumerate(self.plan.arrivals):
            rng = np.random.default_rng(self.arrival_seeds[position])
            times = sorted(self._times(position, rng, factor))
            ages = rng.integers(process.ages[0], process.ages[1] + 1, size=len(times))
            self.env.process(self._source(process, where, times, ages))

    def _times(
        self, position: int, rng: np.random.Generator, factor: float
    ) -> Iterator[tuple[float, int | None]]:
        process, _factor, _where = self.plan.arrivals[position]
        if process.kind is ArrivalKind.REPLAY:
            for at, age in self.scenario.replayed(process):
                if isinstance(at, dt.datetime):
                    moment = at if at.tzinfo else at.replace(tzinfo=_TZ)
                    time = (moment.astimezone(dt.UTC) - self.start) / _HOUR
                else:
                    time = self._hours(at, float(rng.uniform(*process.hours)))
                if 0 <= time < self.horizon and (factor >= 1 or rng.random() < factor):
                    yield time, age
            return
        batch = process.kind is ArrivalKind.BATCH
        days = self._business_days() if batch else self._days()
        means = _means(days, process, factor, self.holidays)
        counts = rng.poisson(means) if days else np.zeros(0, dtype=np.int64)
        busy = np.flatnonzero(counts).tolist()  # the days with arrivals, in order
        if batch:
            for busy_day in busy:
                time = self._hours(days[busy_day], process.at)
                yield from ((time, None) for _ in range(int(counts[busy_day])))
            return
        hours = iter(rng.uniform(*process.hours, size=int(counts.sum())).tolist())
        for busy_day in busy:
            day = days[busy_day]
            for hour in sorted(next(hours) for _ in range(int(counts[busy_day]))):
                yield self._hours(day, hour), None

    def _source(
        self, process: Any, where: str | None, times: list[tuple[float, int | None]], ages: Any
    ) -> Generator[Any, Any, None]:
        env = self.env
        reporter = Actor("sim.reporter", process.reporter)
        for (time, given), drawn in zip(times, ages, strict=True):
            if time > env.now:
                yield env.timeout(time - env.now)
            age = int(given) if given is not None else int(drawn)
            age = min(max(age, process.ages[0]), process.ages[1])
            engine = self.plan.engines[process.situation, age]
            flow = self.flows.get(id(engine))
            if flow is None:
                due_facts = self.plan.due_facts.get(engine.definition.key)
                flow = self.flows[id(engine)] = _Flow(engine, due_facts)
            env.process(self._case(flow, process.situation, age, where, reporter))

    # -- a case ------------------------------------------------------------------------

    def _count_open(self, step: int) -> None:
        now = self.env.now
        start = max(self.last, self.warmup)
        if now > start:
            self.area += self.open * (now - start)
        self.last = now
        self.open += step
        self.changes.append((now, self.open))

    def _deadlines(
        self,
        before: tuple[DueDate, ...],
        after: tuple[DueDate, ...],
        at: dt.datetime,
        workflow: str,
    ) -> None:
        """Count the deadlines that ended with the last step: met, or missed if late."""
        running = {(due.rule, due.due) for due in after}
        today = None
        for due in before:
            if (due.rule, due.due) in running:
                continue
            today = today or local_date(at)
            if today > due.due:
                key = f"{workflow}/{due.rule}"
                self.missed[key] = self.missed.get(key, 0) + 1
            else:
                self.met += 1

    def _open(
        self, engine: WorkflowEngine, situation: str, age: int, where: str | None, reporter: Actor
    ) -> Case:
        """Open a case on ``engine`` now, about a person ``age`` on the concern date."""
        self.number += 1
        now = self.env.now
        at = self._at(now)
        concern = local_date(at)
        case = engine.open(
            case_id=f"S-{self.number:08d}",
            subject=Subject(f"sim-{self.number}", _birth_date(concern, age)),
            actor=reporter,
            at=at,
            situation=situation,
            concern_date=concern,
            municipality=where,
            calendar=self.calendar,
        )
        if now >= self.warmup:
            workflow = engine.definition.id
            self.concerns[workflow] = self.concerns.get(workflow, 0) + 1
        self._count_open(+1)
        return case

    def _case(
        self, flow: _Flow, situation: str, age: int, where: str | None, reporter: Actor
    ) -> Generator[Any, Any, None]:
        env = self.env
        opened = env.now
        engine, workflow, finals, states = flow.engine, flow.workflow, flow.finals, flow.states
        case = self._open(engine, situation, age, where, reporter)
        measured = opened >= self.warmup
        held: list[_Desk] = []
        first = True
        try:
            while case.state not in finals:
                state = case.state
                rule = states.get(state)
                if rule is None:
                    rule = states[state] = self._rule(workflow, state)
                hold, dwell, choices, total = rule
                if hold is not None and self.hold.random() < hold[0]:
                    yield from self._hold(engine, case, hold[1])
                if dwell is not None:
                    yield env.timeout(dwell(self.dwell) * 24)
                left: tuple[Choice, ...] | list[Choice] = choices
                while left:
                    choice = left[0] if len(left) == 1 else self._pick(left, total)
                    steps = choice.steps
                    if flow.due_facts and case.due:
                        steps = self._pending(flow.due_facts, case) + steps
                    yield from self._work(flow, choice.role, steps, held)
                    if self._do(engine, case, workflow, steps):
                        break
                    self.refused += 1
                    left = [c for c in left if c is not choice]
                    total = math.fsum(c.probability for c in left)
                else:
                    self.stuck += 1
                    return
                if first and measured:
                    self.first_action.setdefault(workflow, []).append((env.now - opened) / 24)
                first = False
            if measured:
                key = f"{workflow}/{case.state}"
                self.outcomes[key] = self.outcomes.get(key, 0) + 1
            self._count_open(-1)
        finally:
            for pool in held:
                pool.release()

    def _rule(self, workflow: str, state: str) -> _Rule:
        """Return the hold, the dwell and the ways out of ``state`` (rules of any workflow too)."""
        plan_ = self.plan
        hold = plan_.holds.get((workflow, state)) or plan_.holds.get((ANY_WORKFLOW, state))
        dwell = plan_.dwell.get((workflow, state)) or plan_.dwell.get((ANY_WORKFLOW, state))
        choices = plan_.choices[workflow, state]
        return (
            None if hold is None else (hold[0], hold[1].sampler()),
            None if dwell is None else dwell.sampler(),
            choices,
            math.fsum(c.probability for c in choices),
        )

    def _hold(
        self, engine: WorkflowEngine, case: Case, days: Callable[[Stream], float]
    ) -> Generator[Any, Any, None]:
        """Put the case on hold for ``days`` (drawn), then resume it; its deadlines move."""
        env = self.env
        actor = next(iter(self.actors.values()))
        engine.suspend(case, actor, at=self._at(env.now), reason=SIMULATED)
        yield env.timeout(days(self.hold) * 24)
        engine.resume(case, actor, at=self._at(env.now), calendar=self.calendar)

    def _pick(self, choices: tuple[Choice, ...] | list[Choice], total: float) -> Choice:
        """Draw a way out by the shares of ``choices`` (which sum to ``total``)."""
        draw = self.choose.random() * total
        for choice in choices:
            draw -= choice.probability
            if draw < 0:
                return choice
        return choices[-1]

    @staticmethod
    def _pending(due_facts: Mapping[str, Step], case: Case) -> tuple[Step, ...]:
        """Return the steps recording facts whose deadline runs on ``case``."""
        return tuple(
            due_facts[due.rule]
            for due in case.due
            if due.rule in due_facts and due_facts[due.rule].name not in case.facts
        )

    def _work(
        self, flow: _Flow, role: str, steps: tuple[Step, ...], held: list[_Desk]
    ) -> Generator[Any, Any, None]:
        """Wait for room in the role's caseload (once) and a worker, who holds while the steps take.

        The caseload room taken is added to ``held``; the case gives it back when it ends.
        """
        env = self.env
        pool = self.caseloads.get(role)
        if pool is not None and pool not in held:
            slot = pool.request()
            if slot is not None:
                yield slot
            held.append(pool)
        hours = 0.0
        times, work = flow.times, self.work
        for step in steps:
            found = times.get(id(step))
            if found is None:
                found = self.plan.work_for(flow.workflow, step.work).sampler()
                times[id(step)] = found
            hours += found(work)
        desk = self.workers[role]
        warmup = self.warmup
        asked = began = env.now
        request = desk.request()
        if request is not None:
            yield request
            began = env.now
        if asked >= warmup:
            self.waits[role].append(began - asked)
        try:
            yield env.timeout(hours)
        finally:
            desk.release()
        self.busy[role] += max(0.0, env.now - max(began, warmup))

    def _do(
        self, engine: WorkflowEngine, case: Any, workflow: str, steps: tuple[Step, ...]
    ) -> bool:
        """Record the steps and fire the transition; tell whether the engine allowed it."""
        now = self.env.now
        at = self._at(now)
        text = SIMULATED
        measured = now >= self.warmup
        try:
            for step in steps:
                actor = self.actors[step.role]
                before = case.due
                if step.kind == "fact":
                    if step.name in case.facts:
                        continue
                    engine.record_fact(
                        case, step.name, actor, at=at, detail=text if step.detail else None
                    )
                elif step.kind == "assign":
                    if case.assignee is not None:
                        continue
                    engine.assign(case, actor.id, actor, at=at)
                elif step.kind == "session":
                    engine.record_session(case, actor, at=at, held_on=local_date(at))
                else:
                    engine.fire(
                        case,
                        step.name,
                        actor,
                        at=at,
                        reason=text if step.detail else None,
                        calendar=self.calendar,
                    )
                    self.fired += 1
                    if measured:
                        self.transitions += 1
                if measured and before and before is not case.due:
                    self._deadlines(before, case.due, at, workflow)
        except TransitionRefused:
            return False
        except SspError:
            return False
        return True

    # -- measuring ----------------------------------------------------------------------

    def _backlog(self) -> Iterator[Point]:
        """Return the open cases at each local midnight from the warm-up on (a series)."""
        times, counts = zip(*self.changes, strict=True)
        days = midnights(self.scenario.start, self.scenario.horizon_days)
        first = bisect.bisect_left(days, self.warmup)
        # the last change at or before each midnight (the first change is at time 0)
        found = np.searchsorted(times, days[first:], side="right") - 1
        for number, position in enumerate(found.tolist(), start=first):
            yield Point("backlog", "", float(number), float(counts[position]))

    def result(self) -> ReplicationResult:
        """Run the replication to its horizon and return its figures."""
        env = self.env
        self._arrivals()
        events = 0
        horizon = self.horizon
        peek, step = env.peek, env.step
        while peek() < horizon:
            step()
            events += 1
        self._count_open(0)
        self.last = max(self.last, horizon)
        return ReplicationResult(
            arm=self.plan.arm.name,
            index=self.index,
            figures=tuple(self._figures(horizon)),
            series=tuple(self._backlog()),
            events=events,
            transitions=self.fired,
        )

    def _figures(self, horizon: float) -> Iterator[Figure]:
        window = horizon - self.warmup
        area = self.area + self.open * (horizon - max(self.last, self.warmup))
        cards = sorted({e.definition.id for e in self.plan.engines.values()})
        yield Figure("concerns", "", float(sum(self.concerns.values())))
        for card in cards:
            yield Figure("concerns", card, float(self.concerns.get(card, 0)))
        every = [d for days in self.first_action.values() for d in days]
        yield Figure("days_to_first_action", "", _mean(every))
        for card in cards:
            yield Figure("days_to_first_action", card, _mean(self.first_action.get(card, [])))
        for key in sorted(self._outcome_keys()):
            yield Figure("outcome", key, float(self.outcomes.get(key, 0)))
        missed = sum(self.missed.values())
        yield Figure("deadlines_met", "", float(self.met))
        yield Figure("deadlines_missed", "", float(missed))
        yield Figure(
            "deadline_miss_share", "", missed / (missed + self.met) if missed + self.met else 0.0
        )
        for key in sorted(self._rule_keys()):
            yield Figure("deadlines_missed", key, float(self.missed.get(key, 0)))
        for role in sorted(self.busy):
            available = self.available[role]
            yield Figure("utilisation", role, self.busy[role] / available if available else 0.0)
            yield Figure("hours_waiting_for_staff", role, _mean(self.waits[role]))
        yield Figure("backlog_mean", "", area / window)
        yield Figure("open_at_end", "", float(self.open))
        yield Figure("transitions", "", float(self.transitions))
        yield Figure("refused", "", float(self.refused))
        yield Figure("stuck", "", float(self.stuck))

    def _outcome_keys(self) -> set[str]:
        return {
            f"{e.definition.id}/{state}"
            for e in self.plan.engines.values()
            for state in e.definition.final_states
        }

    def _rule_keys(self) -> set[str]:
        return {
            f"{e.definition.id}/{rule.key}"
            for e in self.plan.engines.values()
            for rule in e.definition.deadlines
        }


def _mean(values: list[float]) -> float:
    """Return the mean, or NaN where nothing was measured."""
    return math.fsum(values) / len(values) if values else math.nan
