"""``ssp simulate``: run a scenario's arms, replicated, and write what they measured.

The scenario file (TOML) names the plugins whose workflows it runs; the registry is
loaded from that choice in every worker process. The command checks the scenario
first (a mistake is reported before anything runs), runs the replications on a
process pool with a progress bar, prints the key measures with their confidence
intervals and each arm's paired difference from the baseline, and with ``--out``
writes the tables, plots and a STRESS-DES report.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from ssp_core.cli.options import echo_json
from ssp_core.cli.progress import progress_bar, stderr_is_terminal
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.i18n import _

if TYPE_CHECKING:
    from ssp_core.simulation.experiment import Experiment

__all__ = ["simulate"]

SHOWN = (
    ("concerns", ""),
    ("days_to_first_action", ""),
    ("deadline_miss_share", ""),
    ("backlog_mean", ""),
)
"""The measures printed in the terminal (every one is in the files)."""


def _replications(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> int | Literal["auto"] | None:
    """Check --replications: a whole number 1 or more, or auto."""
    if value is None:
        return None
    if value == "auto":
        return "auto"
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise click.BadParameter(
            _("{value} is neither a whole number 1 or more nor auto").format(value=repr(value))
        )
    return number


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "∞"
    return f"{value:.3g}"


def _interval(mean: float, half_width: float) -> str:
    return f"{_number(mean)} ± {_number(half_width)}"


def _shown(experiment: Experiment) -> list[tuple[str, str]]:
    measured = {(s.measure, s.group) for s in experiment.summaries}
    keys = [key for key in SHOWN if key in measured]
    keys += sorted(
        (s.measure, s.group)
        for s in experiment.summaries
        if s.measure == "utilisation" and s.arm == experiment.results.arms[0]
    )
    return keys


def _print(experiment: Experiment) -> None:
    """Print one table per arm: each shown measure's mean, and its difference from the baseline."""
    keys = _shown(experiment)
    level = f"{experiment.level:.0%}"
    click.echo(
        _("{n} replications per arm; mean ± half-width of the {level} interval").format(
            n=experiment.replications, level=level
        )
    )
    baseline = experiment.results.arms[0]
    differences = {(d.arm, d.measure, d.group): d for d in experiment.differences}
    for arm in experiment.results.arms:
        rows = []
        for measure, group in keys:
            found = experiment.summary(arm, measure, group)
            row = [inert(f"{measure} {group}".strip()), _interval(found.mean, found.half_width)]
            if arm != baseline:
                d = differences[arm, measure, group]
                mark = " *" if d.excludes_zero else ""
                row.append(_interval(d.mean, d.half_width) + mark)
            rows.append(row)
        columns = [_("measure"), _("mean")]
        if arm != baseline:
            columns.append(_("difference from {baseline}").format(baseline=baseline))
        title = inert(arm if arm != baseline else _("{arm} (baseline)").format(arm=arm))
        print_table(listing(title, columns, rows, ids=(_("measure"),)))
    if len(experiment.results.arms) > 1:
        click.echo(_("* the interval of the paired difference (same random numbers) excludes 0"))


def _json(experiment: Experiment, written: tuple[Path, ...]) -> object:
    return {
        "scenario": experiment.scenario.name,
        "seed": experiment.scenario.seed,
        "replications": experiment.replications,
        "needed": experiment.needed,
        "reached": experiment.reached,
        "level": experiment.level,
        "summaries": [
            {
                "arm": s.arm,
                "measure": s.measure,
                "group": s.group,
                "mean": s.mean,
                "half_width": s.half_width,
                "replications": s.replications,
            }
            for s in experiment.summaries
        ],
        "differences": [
            {
                "arm": d.arm,
                "baseline": d.baseline,
                "measure": d.measure,
                "group": d.group,
                "mean": d.mean,
                "half_width": d.half_width,
            }
            for d in experiment.differences
        ],
        "files": [str(path) for path in written],
    }


@click.command("simulate")
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replications",
    callback=_replications,
    metavar="N|auto",
    help="Replications per arm, or auto (to the scenario's precision); default: the file's.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes (default: one per core; 1 runs in this process).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) directory for the tables, plots and report.md.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="The tables' format; parquet needs pyarrow.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON.")
def simulate(
    scenario: Path,
    replications: int | Literal["auto"] | None,
    workers: int | None,
    out: Path | None,
    fmt: Literal["csv", "parquet"],
    as_json: bool,
) -> None:
    """Run the scenario SCENARIO (TOML): its arms, replicated, with confidence intervals.

    The workflows, deadlines and roles are the plugins' own; demand, staff and the
    shares at decision points are the scenario's. The same file and seed give the same
    results whatever --workers is.
    """
    from ssp_core.extras import simulation  # noqa: PLC0415

    simulation()  # the extra installed, or one line saying how
    from ssp_core.simulation.experiment import (  # noqa: PLC0415 (SimPy: on use)
        run_experiment,
        write_experiment,
    )
    from ssp_core.simulation.scenario import load_scenario  # noqa: PLC0415

    loaded = load_scenario(scenario)
    if out is not None:
        from ssp_core.simulation.experiment import check_out  # noqa: PLC0415

        check_out(out)
    show = stderr_is_terminal() and not as_json
    with progress_bar(_("replications"), show=show) as progress:
        experiment = run_experiment(
            loaded, replications=replications, workers=workers, progress=progress
        )
    written = write_experiment(experiment, out, format=fmt) if out is not None else ()
    if as_json:
        echo_json(_json(experiment, written))
        return
    _print(experiment)
    if experiment.reached is False:
        click.echo(
            _("The precision asked for was not reached within {n} replications.").format(
                n=experiment.replications
            )
        )
    for path in written:
        click.echo(_("wrote {path}").format(path=path))
