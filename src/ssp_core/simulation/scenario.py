"""A scenario is data: demand, staff and human decisions around the real workflows.

A scenario names the plugins whose workflows, deadlines, roles and calendar it runs
(never a re-modelled copy), and adds what a simulation needs and production does not
have: how concerns arrive, who works when, how long each step takes, and how often
each way out of a decision point is taken, as an aggregate probability set by the
researcher. Arms are what-if variants of it (another staffing, another workflow
version, another deadline); sweeps make arms from a grid of values.

It is written in TOML (:func:`load_scenario`) or built as these attrs classes in
Python; either way it is checked against the registry (:meth:`Scenario.check`) before
anything runs, and a problem names the place and what is allowed. A scenario is a
:class:`~ssp_core.simulation.results.Model`: :meth:`Scenario.replicate` runs one
replication of one arm (see :mod:`ssp_core.simulation.engine`).

Nothing here is about a person: a simulated case has a number, an age drawn from a
range (to pick the card by age band, as production does) and nothing else.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ssp_core.exceptions import ConfigError
from ssp_core.i18n import _
from ssp_core.loading import converter, read_toml, structure

if TYPE_CHECKING:
    import numpy as np

    from ssp_core.plugins.registry import Registry
    from ssp_core.simulation.results import ReplicationResult
    from ssp_core.simulation.streams import Stream

__all__ = [
    "ANY_WORKFLOW",
    "Arm",
    "ArrivalKind",
    "Arrivals",
    "DeadlineChange",
    "Decision",
    "Distribution",
    "DistributionKind",
    "Dwell",
    "Hold",
    "PluginChoice",
    "Replications",
    "RunSettings",
    "Scenario",
    "ScenarioModel",
    "Staff",
    "Sweep",
    "Work",
    "load_scenario",
]

ANY_WORKFLOW = "*"
"""In work, dwell and hold rules: the rule applies to every workflow."""


class DistributionKind(StrEnum):
    """The shapes a duration may be drawn from."""

    FIXED = "fixed"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    GAMMA = "gamma"
    UNIFORM = "uniform"
    TRIANGULAR = "triangular"


_RATIO_LOW, _RATIO_HIGH = 1e-100, 1e100
"""The sd over the mean a lognormal or gamma duration may have: its shape must be a number."""


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number 0 or more, got {value!r}")


@attrs.frozen
class Distribution:
    """A duration drawn at random: ``kind`` with its ``mean`` (and ``sd``, or ``low``/``high``).

    ``fixed`` is always ``mean``; ``exponential`` has mean ``mean``; ``lognormal`` and
    ``gamma`` have mean ``mean`` and standard deviation ``sd``; ``uniform`` lies between
    ``low`` and ``high``; ``triangular`` between ``low`` and ``high`` with its mode at
    ``mean``. In TOML: ``{ kind = "lognormal", mean = 2.0, sd = 1.5 }``.
    """

    kind: DistributionKind = DistributionKind.EXPONENTIAL
    mean: float = attrs.field(default=1.0, validator=_non_negative)
    sd: float | None = attrs.field(default=None, validator=_non_negative)
    low: float | None = attrs.field(default=None, validator=_non_negative)
    high: float | None = attrs.field(default=None, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        """Refuse parameters the kind cannot use."""
        kind = self.kind
        if kind in (DistributionKind.LOGNORMAL, DistributionKind.GAMMA) and (
            self.sd is None or self.mean <= 0
        ):
            raise ValueError(f"a {kind} duration needs a mean above 0 and an sd")
        if kind in (DistributionKind.LOGNORMAL, DistributionKind.GAMMA) and self.sd:
            ratio = self.sd / self.mean
            if not _RATIO_LOW <= ratio <= _RATIO_HIGH:
                raise ValueError(
                    f"a {kind} duration needs sd / mean between {_RATIO_LOW:g} and "
                    f"{_RATIO_HIGH:g} (or sd 0), got {ratio:g}"
                )
        if kind in (DistributionKind.UNIFORM, DistributionKind.TRIANGULAR):
            if self.low is None or self.high is None or self.low > self.high:
                raise ValueError(f"a {kind} duration needs low <= high")
            if kind is DistributionKind.TRIANGULAR and not self.low <= self.mean <= self.high:
                raise ValueError("a triangular duration needs low <= mean (its mode) <= high")

    def sample(self, rng: np.random.Generator | Stream) -> float:  # noqa: PLR0911 (one per kind)
        """Draw one duration from ``rng``."""
        kind = self.kind
        if kind is DistributionKind.FIXED:
            return self.mean
        if kind is DistributionKind.EXPONENTIAL:
            return float(rng.exponential(self.mean)) if self.mean > 0 else 0.0
        sd = self.sd or 0.0
        if kind is DistributionKind.LOGNORMAL:
            if sd == 0:
                return self.mean
            sigma2 = math.log1p((sd / self.mean) ** 2)
            return float(rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)))
        if kind is DistributionKind.GAMMA:
            if sd == 0:
                return self.mean
            shape = (self.mean / sd) ** 2
            return float(rng.gamma(shape, self.mean / shape))
        low, high = self.low or 0.0, self.high or 0.0
        if kind is DistributionKind.UNIFORM:
            return float(rng.uniform(low, high)) if high > low else low
        return float(rng.triangular(low, self.mean, high)) if high > low else low

    def sampler(self) -> Callable[[Stream], float]:
        """Return a function drawing one duration from a stream, as :meth:`sample` does.

        Its parameters are computed once (kept per distribution), so a draw costs the
        stream's own arithmetic only; the numbers are the same as :meth:`sample`'s.
        """
        return _sampler(self)


def _constant(value: float) -> Callable[[Stream], float]:
    return lambda _stream: value


@functools.lru_cache(maxsize=1024)
def _sampler(made: Distribution) -> Callable[[Stream], float]:  # noqa: PLR0911 (one per kind)
    """Return :meth:`Distribution.sampler`'s function (see :meth:`Distribution.sample`)."""
    kind, mean, sd = made.kind, made.mean, made.sd or 0.0
    low, high = made.low or 0.0, made.high or 0.0
    if kind is DistributionKind.FIXED:
        return _constant(mean)
    if kind is DistributionKind.EXPONENTIAL:
        return (lambda stream: stream.exponential(mean)) if mean > 0 else _constant(0.0)
    if kind is DistributionKind.LOGNORMAL:
        if sd == 0:
            return _constant(mean)
        sigma2 = math.log1p((sd / mean) ** 2)
        mu, sigma = math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
        return lambda stream: stream.lognormal(mu, sigma)
    if kind is DistributionKind.GAMMA:
        if sd == 0:
            return _constant(mean)
        shape = (mean / sd) ** 2
        scale = mean / shape
        return lambda stream: stream.gamma(shape, scale)
    if high <= low:
        return _constant(low)
    if kind is DistributionKind.UNIFORM:
        return lambda stream: stream.uniform(low, high)
    return lambda stream: stream.triangular(low, mean, high)


class ArrivalKind(StrEnum):
    """How concerns of one situation arrive."""

    POISSON = "poisson"
    """At random, at a rate by weekday and school calendar, within the day's hours."""
    BATCH = "batch"
    """Every business day at one hour, a Poisson number at once (e.g. the police's daily report)."""
    REPLAY = "replay"
    """At the times listed in a CSV file (historical arrivals, aggregated beforehand)."""


@attrs.frozen
class Arrivals:
    """How concerns about one situation arrive, and who reports them.

    :ivar situation: the situation's id (a plugin's), e.g. ``aalborg.radicalisation``.
    :ivar reporter: the role id of who opens the case, e.g. ``aalborg.frontline_worker``.
    :ivar kind: ``poisson`` (default), ``batch`` or ``replay``.
    :ivar per_week: the mean number per ordinary week (``poisson``, ``batch``).
    :ivar weekdays: relative rates Monday to Sunday (``poisson``); default weekdays only.
    :ivar hours: local hours ``[from, to)`` in which arrivals fall (``poisson``).
    :ivar at: the local hour a batch arrives, every business day (``batch``).
    :ivar school_holidays: the rate's factor in the scenario's school holidays.
    :ivar ages: ``[youngest, oldest]`` in whole years; each case's age is drawn evenly,
        and the card is chosen by age band as in production.
    :ivar file: a CSV file (``replay``) with a column ``at`` (ISO date and time, or date)
        and optionally ``age``; relative to the scenario file.
    :ivar municipality: the municipality whose case it is (default: as production
        decides, from the reporter's role or the only one loaded).
    """

    situation: str
    reporter: str
    kind: ArrivalKind = ArrivalKind.POISSON
    per_week: float = attrs.field(default=0.0, validator=_non_negative)
    weekdays: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)
    hours: tuple[float, float] = (8.0, 16.0)
    at: float = 8.0
    school_holidays: float = attrs.field(default=1.0, validator=_non_negative)
    ages: tuple[int, int] = (12, 17)
    file: str | None = None
    municipality: str | None = None

    def __attrs_post_init__(self) -> None:
        """Refuse weekday weights, hours or ages that make no sense."""
        if len(self.weekdays) != 7 or any(w < 0 for w in self.weekdays):
            raise ValueError("weekdays must be 7 weights (Monday to Sunday), each 0 or more")
        if not 0 <= self.hours[0] < self.hours[1] <= 24:
            raise ValueError(f"hours must be [from, to) within 0-24, got {list(self.hours)}")
        if not 0 <= self.at < 24:
            raise ValueError(f"at must be an hour from 0 to 24, got {self.at}")
        if not 0 <= self.ages[0] <= self.ages[1]:
            raise ValueError(f"ages must be [youngest, oldest], got {list(self.ages)}")
        if self.kind is ArrivalKind.REPLAY and not self.file:
            raise ValueError("replayed arrivals need a file")


@attrs.frozen
class Staff:
    """The people of one role: how many, when they work, how many cases each can hold.

    :ivar role: the role's id, e.g. ``aalborg.ssp_consultant``.
    :ivar count: how many work in the role.
    :ivar hours: local working hours ``[from, to)`` on Danish business days.
    :ivar absence: the share of working days a worker is away (drawn per day).
    :ivar caseload: the most open cases one worker holds; a case waits for room before
        its first step in this role and holds it until it ends. None: no limit.
    """

    role: str
    count: int = attrs.field(validator=attrs.validators.ge(0))
    hours: tuple[float, float] = (8.0, 15.5)
    absence: float = attrs.field(default=0.0, validator=attrs.validators.and_(_non_negative))
    caseload: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1))
    )

    def __attrs_post_init__(self) -> None:
        """Refuse hours or an absence share that make no sense."""
        if not 0 <= self.hours[0] < self.hours[1] <= 24:
            raise ValueError(f"hours must be [from, to) within 0-24, got {list(self.hours)}")
        if self.absence >= 1:
            raise ValueError(f"absence must be a share below 1, got {self.absence}")


@attrs.frozen
class Decision:
    """At a human decision point, how often each way out is taken: aggregate probabilities.

    :ivar workflow: the workflow's id (every version).
    :ivar state: the state the decision is taken in.
    :ivar choices: trigger id to probability; they add up to 1.
    """

    workflow: str
    state: str
    choices: Mapping[str, float]

    def __attrs_post_init__(self) -> None:
        """Refuse probabilities that are not a distribution."""
        if not self.choices or any(not 0 <= p <= 1 for p in self.choices.values()):
            raise ValueError("choices must map triggers to probabilities from 0 to 1")
        if abs(math.fsum(self.choices.values()) - 1) > 1e-9:
            raise ValueError(f"the choices' probabilities add up to {sum(self.choices.values())}")


@attrs.frozen
class Work:
    """How long a step takes a worker, in hours: a trigger, ``fact:<id>``, assign or session."""

    step: str
    hours: Distribution
    workflow: str = ANY_WORKFLOW


@attrs.frozen
class Dwell:
    """How long a case stays in a state before its next step is ready, in calendar days."""

    state: str
    days: Distribution
    workflow: str = ANY_WORKFLOW


@attrs.frozen
class Hold:
    """How often a case is put on hold on entering a state, and for how many calendar days."""

    state: str
    probability: float = attrs.field(validator=[attrs.validators.ge(0), attrs.validators.le(1)])
    days: Distribution
    workflow: str = ANY_WORKFLOW


@attrs.frozen
class DeadlineChange:
    """A what-if: deadline ``rule`` of ``workflow`` (every version) falls due after ``days``."""

    workflow: str
    rule: str
    days: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen
class Arm:
    """A what-if variant of the scenario; the first arm is the baseline.

    :ivar staff: role id to another head count.
    :ivar arrivals: situation id to a factor on its rate.
    :ivar versions: workflow id to the version to open cases on instead of the newest.
    :ivar deadlines: deadlines that fall due after another number of days.
    :ivar decisions: decision points with other probabilities (replacing the scenario's).
    """

    name: str
    description: str = ""
    staff: Mapping[str, int] = attrs.Factory(dict)
    arrivals: Mapping[str, float] = attrs.Factory(dict)
    versions: Mapping[str, int] = attrs.Factory(dict)
    deadlines: tuple[DeadlineChange, ...] = ()
    decisions: tuple[Decision, ...] = ()

    def __attrs_post_init__(self) -> None:
        """Refuse an empty name, negative head counts and negative factors."""
        if not self.name.strip():
            raise ValueError("an arm needs a name")
        if any(n < 0 for n in self.staff.values()) or any(
            not (math.isfinite(f) and f >= 0) for f in self.arrivals.values()
        ):
            raise ValueError("head counts and arrival factors must be 0 or more")


@attrs.frozen
class Sweep:
    """Arms from a grid: ``parameter`` (``staff:<role>``, ``arrivals:<situation>``) over ``values``.

    Several sweeps make every combination; each is applied to the first arm.
    """

    parameter: str
    values: tuple[float, ...]

    def __attrs_post_init__(self) -> None:
        """Refuse a parameter of another kind, or no values."""
        kind, _sep, target = self.parameter.partition(":")
        if kind not in ("staff", "arrivals") or not target:
            raise ValueError(
                "a sweep's parameter is staff:<role> or arrivals:<situation>, "
                f"not {self.parameter!r}"
            )
        if not self.values:
            raise ValueError("a sweep needs values")


@attrs.frozen
class PluginChoice:
    """Which plugins a scenario loads: entry points (unless ``autoload`` is off) less ``block``."""

    autoload: bool = True
    block: tuple[str, ...] = ()


@attrs.frozen
class RunSettings:
    """How a scenario is run by default; ``ssp simulate``'s options override them.

    :ivar replications: a number, or ``"auto"`` (to ``precision`` at ``level``).
    :ivar precision: the relative half-width ``"auto"`` aims for.
    :ivar level: the confidence level of intervals.
    :ivar measures: the measures ``"auto"`` watches (default: days to first action).
    """

    replications: Replications = 10
    precision: float = 0.05
    level: float = 0.95
    measures: tuple[str, ...] = ("days_to_first_action",)


Replications = int | Literal["auto"]
"""A number of replications, or ``"auto"``: as many as the precision asks."""


def _structure_replications(value: Any, _type: object) -> int | Literal["auto"]:
    if value == "auto":
        return "auto"
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f'replications must be a whole number 1 or more, or "auto"; got {value!r}')
    return value


converter.register_structure_hook_func(lambda cl: cl == Replications, _structure_replications)

_DEFAULT_WORK = Distribution(DistributionKind.EXPONENTIAL, 1.0)


@attrs.frozen
class Scenario:
    """A scenario: the real workflows, under simulated demand, staff and decisions.

    Times: ``start`` is the first simulated day (local midnight), ``horizon_days`` how
    many days run, ``warmup_days`` how many of them are not measured (the system fills
    from empty). Work is in hours, dwells and holds in calendar days, deadlines as the
    workflow says (business days on the Danish calendar, from the plugins).
    """

    name: str
    start: dt.date
    horizon_days: int = attrs.field(validator=attrs.validators.ge(1))
    arrivals: tuple[Arrivals, ...]
    staff: tuple[Staff, ...]
    description: str = ""
    objective: str = ""
    warmup_days: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    seed: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    plugins: PluginChoice = PluginChoice()
    school_holidays: tuple[tuple[dt.date, dt.date], ...] = ()
    decisions: tuple[Decision, ...] = ()
    work: tuple[Work, ...] = ()
    default_work: Distribution = _DEFAULT_WORK
    dwell: tuple[Dwell, ...] = ()
    holds: tuple[Hold, ...] = ()
    arms: tuple[Arm, ...] = (Arm("baseline"),)
    sweeps: tuple[Sweep, ...] = ()
    run: RunSettings = RunSettings()
    left_out: tuple[str, ...] = ()
    folder: str = "."

    def __attrs_post_init__(self) -> None:
        """Refuse a warm-up as long as the run, duplicate arms or roles, empty demand."""
        if self.warmup_days >= self.horizon_days:
            raise ValueError("warmup_days must be below horizon_days")
        if not self.arrivals:
            raise ValueError("a scenario needs arrivals")
        if not self.arms:
            raise ValueError("a scenario needs at least one arm")
        for what, names in (
            ("arm", list(self.arm_names)),
            ("staff role", [s.role for s in self.staff]),
        ):
            seen = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"{what} {name!r} is given twice")
                seen.add(name)
        for first, last in self.school_holidays:
            if first > last:
                raise ValueError(f"a school holiday from {first} ends before it begins ({last})")

    # -- arms and replications --------------------------------------------------------

    @property
    def arm_names(self) -> tuple[str, ...]:
        """Return the names of every arm, sweeps included, the baseline first."""
        return tuple(arm.name for arm in self.expanded_arms)

    @property
    def model(self) -> ScenarioModel:
        """Return the scenario as a model the runner replicates."""
        return ScenarioModel(self)

    @cached_property
    def expanded_arms(self) -> tuple[Arm, ...]:
        """Return the arms, and after them those the sweeps make from the first arm."""
        if not self.sweeps:
            return self.arms
        base = self.arms[0]
        made = []
        for values in itertools.product(*(sweep.values for sweep in self.sweeps)):
            staff, arrivals = dict(base.staff), dict(base.arrivals)
            parts = []
            for sweep, value in zip(self.sweeps, values, strict=True):
                kind, _sep, target = sweep.parameter.partition(":")
                if kind == "staff":
                    if value != int(value) or value < 0:
                        raise ValueError(f"{sweep.parameter} takes whole numbers, not {value}")
                    staff[target] = int(value)
                else:
                    arrivals[target] = float(value)
                parts.append(f"{sweep.parameter}={value:g}")
            made.append(attrs.evolve(base, name=", ".join(parts), staff=staff, arrivals=arrivals))
        return (*self.arms, *made)

    def arm(self, name: str) -> Arm:
        """Return the arm called ``name``."""
        for arm in self.expanded_arms:
            if arm.name == name:
                return arm
        raise KeyError(name)

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        """Run replication ``index`` of ``arm`` (see :mod:`ssp_core.simulation.engine`)."""
        from ssp_core.simulation.engine import replicate  # noqa: PLC0415 (needs SimPy)

        return replicate(self, arm, index)

    def check(self, registry: Registry) -> None:
        """Check the scenario against the plugins' registry; ConfigError names a problem."""
        from ssp_core.simulation.plan import plan  # noqa: PLC0415

        for arm in self.expanded_arms:
            plan(self, arm.name, registry)

    # -- inputs ----------------------------------------------------------------------

    def replayed(self, arrivals: Arrivals) -> tuple[tuple[dt.datetime | dt.date, int | None], ...]:
        """Return the times (and ages, if given) of replayed arrivals, read from their file."""
        if arrivals.file is None:
            return ()
        path = Path(self.folder) / arrivals.file
        rows: list[tuple[dt.datetime | dt.date, int | None]] = []
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                for number, row in enumerate(csv.DictReader(handle), start=2):
                    rows.append(_replayed_row(path, number, row))
        except FileNotFoundError:
            raise ConfigError(_("{path}: no such file").format(path=path)) from None
        return tuple(rows)


def _replayed_row(
    path: Path, number: int, row: Mapping[str, str | None]
) -> tuple[dt.datetime | dt.date, int | None]:
    text = (row.get("at") or "").strip()
    try:
        at: dt.datetime | dt.date = (
            dt.datetime.fromisoformat(text)
            if "T" in text or " " in text
            else dt.date.fromisoformat(text)
        )
        age_text = (row.get("age") or "").strip()
        age = int(age_text) if age_text else None
    except ValueError:
        raise ConfigError(
            _(
                "{path}, line {line}: 'at' must be an ISO date or date and time, "
                "and 'age' a whole number"
            ).format(path=path, line=number)
        ) from None
    return at, age


@attrs.frozen
class ScenarioModel:
    """A scenario as the runner sees it (a :class:`~ssp_core.simulation.results.Model`)."""

    scenario: Scenario

    @property
    def arms(self) -> tuple[str, ...]:
        """The arms' names, sweeps included; the first is the baseline."""
        return self.scenario.arm_names

    @property
    def seed(self) -> int:
        """The scenario's seed."""
        return self.scenario.seed

    def replicate(self, arm: str, index: int) -> ReplicationResult:
        """Run replication ``index`` of ``arm``."""
        return self.scenario.replicate(arm, index)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario from a TOML file; problems raise ConfigError naming the file and line."""
    file = Path(path)
    data = read_toml(file)
    data.setdefault("folder", str(file.parent))
    return structure(data, Scenario, where=str(file), source=file)
