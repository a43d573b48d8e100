"""An experiment: a scenario's arms replicated, summarised, compared, written out.

:func:`run_experiment` checks the scenario against the registry (so a mistake is
reported before anything runs), runs the replications through
:mod:`~ssp_core.simulation.runner` (a fixed number, or ``"auto"`` to a stated
precision), and summarises them: each measure per arm with its confidence interval,
and each arm's paired difference from the baseline (common random numbers).
:func:`write_experiment` writes the tidy tables, the plots and the STRESS-DES report
into a new folder. ``ssp simulate`` is these two calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Literal

import attrs

from ssp_core.exceptions import DataError
from ssp_core.files import private_folder, staged_file
from ssp_core.i18n import N_, _, ngettext
from ssp_core.plugins.registry import Registry
from ssp_core.progress import Progress
from ssp_core.simulation.engine import registry_for
from ssp_core.simulation.plots import plot_series, plot_summaries
from ssp_core.simulation.report import ExperimentInfo, stress_report
from ssp_core.simulation.results import Results
from ssp_core.simulation.runner import Auto, run, run_auto
from ssp_core.simulation.scenario import Replications, Scenario
from ssp_core.simulation.statistics import Difference, Summary, differences, summarise
from ssp_core.simulation.tables import write_tables

__all__ = [
    "MEASURES",
    "PLOTTED",
    "Experiment",
    "check_out",
    "info",
    "run_experiment",
    "write_experiment",
]

MEASURES: dict[str, str] = {
    "concerns": N_("concerns that arrived (per card: group)"),
    "days_to_first_action": N_("calendar days from a concern's arrival to its first transition"),
    "outcome": N_("cases that ended, per card and final state (group)"),
    "deadlines_met": N_("deadlines that ended in time"),
    "deadlines_missed": N_("deadlines that ended late or were overdue (per rule: group)"),
    "deadline_miss_share": N_("deadlines missed over deadlines ended"),
    "utilisation": N_("worked hours over rostered hours, per role (group)"),
    "hours_waiting_for_staff": N_("hours a step waited for a worker of the role (group)"),
    "backlog_mean": N_("time-average number of open cases"),
    "open_at_end": N_("open cases at the horizon"),
    "transitions": N_("transitions fired"),
    "refused": N_("transitions the engine refused (a guard in a plugin's code)"),
    "stuck": N_("cases left with no way out the engine allowed"),
}
"""Every measure a scenario replication takes, with what it means (English; see the docs)."""

PLOTTED = ("days_to_first_action", "deadline_miss_share", "utilisation", "backlog_mean")
"""The measures drawn as interval plots; the backlog is drawn over time too."""

_LOGIC = N_(
    "Concerns arrive by the scenario's arrival processes. Each opens a case on the action "
    "card production would choose (situation, age band, municipality), run by the plugins' "
    "own workflow engine. In each state a case waits its dwell time, then takes a way out "
    "by the decision point's shares, waits for a worker of a role that may do it (rostered "
    "on Danish business days, some absent, within a caseload limit), and the worker records "
    "what the guards require and fires the transition at the simulated time. Deadlines are "
    "the workflows' own, on the Danish calendar, moved by holds."
)


@attrs.frozen
class Experiment:
    """A scenario's replications, their summaries and the arms' differences from the baseline.

    :ivar needed: with ``"auto"``, the replications the rule chose (None if not reached).
    :ivar reached: with ``"auto"``, whether the precision was reached; None otherwise.
    :ivar executor: how the replications ran, in words (for the report).
    """

    scenario: Scenario
    results: Results
    summaries: tuple[Summary, ...]
    differences: tuple[Difference, ...]
    level: float
    executor: str
    needed: int | None = None
    reached: bool | None = None

    @property
    def replications(self) -> int:
        """Return the replications of each arm."""
        return len(self.results.of(self.results.arms[0])) if self.results.arms else 0

    def summary(self, arm: str, measure: str, group: str = "") -> Summary:
        """Return the summary of ``measure`` (``group``) in ``arm``."""
        for found in self.summaries:
            if (found.arm, found.measure, found.group) == (arm, measure, group):
                return found
        raise KeyError((arm, measure, group))


def run_experiment(
    scenario: Scenario,
    *,
    replications: Replications | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    registry: Registry | None = None,
) -> Experiment:
    """Check ``scenario``, run its replications and summarise them.

    ``replications`` overrides the scenario's ``[run]`` setting (a number, or
    ``"auto"``); ``workers`` and ``executor`` are as in
    :func:`~ssp_core.simulation.runner.run`. Results are the same for the same scenario
    whatever the executor and the number of workers.
    """
    scenario.check(registry or registry_for(scenario.plugins))
    wanted = scenario.run.replications if replications is None else replications
    level = scenario.run.level
    needed: int | None = None
    reached: bool | None = None
    if wanted == "auto":
        rule = Auto(
            precision=scenario.run.precision,
            level=level,
            measures=tuple((measure, "") for measure in scenario.run.measures),
        )
        outcome = run_auto(
            scenario.model, rule, executor=executor, workers=workers, progress=progress
        )
        results, needed, reached = outcome.results, outcome.needed, outcome.reached
    else:
        results = run(scenario.model, wanted, executor=executor, workers=workers, progress=progress)
    return Experiment(
        scenario=scenario,
        results=results,
        summaries=summarise(results, level),
        differences=differences(results, level=level),
        level=level,
        executor=_described(executor, workers),
        needed=needed,
        reached=reached,
    )


def _described(executor: Executor | None, workers: int | None) -> str:
    if executor is not None:
        return type(executor).__name__
    if workers == 1:
        return _("this process")
    if workers is None:
        return _("a process pool of as many processes as cores")
    return ngettext("{n} process", "{n} processes", workers).format(n=workers)


def _rule(experiment: Experiment) -> str:
    if experiment.reached is None:
        return ""
    run_ = experiment.scenario.run
    precision = f"{run_.precision:.0%}"
    if experiment.reached:
        return _("auto: {precision} relative precision reached at {n} replications").format(
            precision=precision, n=experiment.needed
        )
    return _("auto: {precision} relative precision not reached within {n} replications").format(
        precision=precision, n=experiment.replications
    )


def _data(scenario: Scenario) -> str:
    lines = [
        _("{situation}: {kind}, {per_week} a week, ages {youngest}-{oldest}").format(
            situation=a.situation,
            kind=a.kind.value,
            per_week=f"{a.per_week:g}",
            youngest=a.ages[0],
            oldest=a.ages[1],
        )
        for a in scenario.arrivals
    ]
    lines += [
        _("{role}: {count} at work {start:g}-{end:g}, absent {absence:.0%} of days").format(
            role=s.role, count=s.count, start=s.hours[0], end=s.hours[1], absence=s.absence
        )
        for s in scenario.staff
    ]
    lines.append(
        _("decision shares, work, dwell and hold times as set in the scenario file").format()
    )
    return "\n\n".join(lines)


def info(experiment: Experiment) -> ExperimentInfo:
    """Return what the report says about ``experiment`` besides its results."""
    scenario = experiment.scenario
    return ExperimentInfo(
        name=scenario.name,
        objective=scenario.objective or scenario.description,
        logic=_(_LOGIC),
        data=_data(scenario),
        arms=tuple((arm.name, arm.description) for arm in scenario.expanded_arms),
        seed=scenario.seed,
        replications=experiment.replications,
        replication_rule=_rule(experiment),
        warmup=float(scenario.warmup_days),
        horizon=float(scenario.horizon_days),
        time_unit=_("days"),
        level=experiment.level,
        executor=experiment.executor,
        measures=tuple((name, _(text)) for name, text in MEASURES.items()),
        left_out=(
            _("a step begun before closing time is finished after it (overtime)"),
            _("workers of a role are interchangeable; none has a caseload of their own"),
            _("of a guard's facts any one of which will do, the first is recorded"),
            *scenario.left_out,
        ),
    )


def check_out(out: Path) -> None:
    """Check that ``out`` can receive an experiment: it is missing or an empty directory."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(
            _("{out} exists and is not an empty directory; choose a new one").format(out=out)
        )
    if not out.parent.is_dir():
        raise DataError(_("the directory {folder} does not exist").format(folder=out.parent))


def _plots(experiment: Experiment, out: Path) -> Iterator[Path]:
    measured = {s.measure for s in experiment.summaries}
    for measure in PLOTTED:
        if measure in measured:
            yield plot_summaries(experiment.summaries, measure, out / f"{measure}.svg")
    if any(r.series for r in experiment.results.replications):
        yield plot_series(
            experiment.results, "backlog", out / "backlog.svg", level=experiment.level
        )


def write_experiment(
    experiment: Experiment,
    out: Path,
    *,
    format: Literal["csv", "parquet"] = "csv",  # noqa: A002
) -> tuple[Path, ...]:
    """Write tables, plots and ``report.md`` into ``out`` (new or empty); return the paths."""
    check_out(out)
    private_folder(out)
    written = [
        *write_tables(experiment.results, out, format=format, level=experiment.level),
        *_plots(experiment, out),
    ]
    report = stress_report(
        info(experiment),
        experiment.summaries,
        experiment.differences,
        files=[path.name for path in written],
    )
    path = out / "report.md"
    with staged_file(path) as partial:
        partial.write_text(report, encoding="utf-8")
    return (*written, path)
