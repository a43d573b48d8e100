"""``ssp evaluate``: an initiative's evaluation, or the overall evaluation of a council term.

Both write ``report.md``, ``report.html`` and the figures (PNG and SVG) to a new
directory. Every count in them hides the counts 1 to 4; statistics over cases are
shown only for groups of at least five; no person is scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import DATE, acting
from ssp_core.domain.access import RESEARCH
from ssp_core.domain.roles import Actor
from ssp_core.domain.strategy import CouncilTerm
from ssp_core.exceptions import DataError
from ssp_core.i18n import _

if TYPE_CHECKING:
    from ssp_core.evaluation.evaluate import Evaluation

__all__ = ["evaluate"]

F = TypeVar("F", bound=Callable[..., Any])


def _term(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check a council term given on the command line, e.g. 2022-2025 (a usage error if bad)."""
    if value is None:
        return None
    try:
        return str(CouncilTerm.parse(value))
    except DataError as exc:
        raise click.BadParameter(str(exc)) from None


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _inputs(command: F) -> F:
    """Add the options both commands share: the output, the survey files, the strategy."""
    options = [
        click.option(
            "--out",
            required=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="A new (or empty) directory for report.md, report.html and the figures.",
        ),
        click.option(
            "--survey",
            type=_FILE,
            help="Safety-survey microdata (CSV or Parquet) for the safety-index indicators.",
        ),
        click.option(
            "--crime", type=_FILE, help="Reported crimes and population by area and year (CSV)."
        ),
        click.option(
            "--index-config",
            type=_FILE,
            help="The safety index's configuration (TOML): columns, cut points, intervals.",
        ),
        click.option(
            "--strategy",
            metavar="ID",
            help="The strategy to evaluate (default: the only one the plugins contribute).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _check_out(out: Path) -> None:
    from ssp_core.evaluation.report import check_out  # noqa: PLC0415 (matplotlib: on use)

    check_out(out)


def _write(obj: Context, evaluation: Evaluation, out: Path) -> None:
    from ssp_core.evaluation.report import write_report  # noqa: PLC0415 (matplotlib: on use)

    written = write_report(evaluation, out, lang=obj.language)
    for path in written:
        click.echo(_("wrote {path}").format(path=path))


@click.group("evaluate", cls=CommandGroup)
def evaluate() -> None:
    """Evaluate an initiative, or make the overall evaluation of a council term.

    The report follows the strategy: goals, initiatives with their indicators, and
    the follow-up. Counts from 1 to 4 are never shown. Needs the permission
    report.evaluate; --purpose defaults to research.
    """


@evaluate.command("initiative")
@click.argument("initiative")
@click.option("--from", "since", type=DATE, help="The first day of the period (e.g. 2024-01-01).")
@click.option("--to", "until", type=DATE, help="The last day of the period (e.g. 2025-12-31).")
@click.option(
    "--term",
    callback=_term,
    metavar="TERM",
    help="A council term as the period instead, e.g. 2022-2025.",
)
@_inputs
@acting(default_purpose=RESEARCH)
@click.pass_obj
def initiative_command(
    obj: Context,
    initiative: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    term: str | None,
    out: Path,
    survey: Path | None,
    crime: Path | None,
    index_config: Path | None,
    strategy: str | None,
    actor: Actor,
    purpose: str,
) -> None:
    """Evaluate the initiative INITIATIVE over --from/--to (or --term)."""
    if term is None and (since is None or until is None):
        raise click.UsageError(_("give the period: --from and --to, or --term"))
    if term is not None and (since is not None or until is not None):
        raise click.UsageError(_("give either --term or --from and --to, not both"))
    _check_out(out)
    evaluation = obj.casework().evaluate(
        actor,
        initiative=initiative,
        term=term,
        since=since.date() if since is not None else None,
        until=until.date() if until is not None else None,
        strategy=strategy,
        survey=survey,
        crime=crime,
        index_config=index_config,
        purpose=purpose,
    )
    _write(obj, evaluation, out)


@evaluate.command("term")
@click.argument("term", callback=_term)
@_inputs
@acting(default_purpose=RESEARCH)
@click.pass_obj
def term_command(
    obj: Context,
    term: str,
    out: Path,
    survey: Path | None,
    crime: Path | None,
    index_config: Path | None,
    strategy: str | None,
    actor: Actor,
    purpose: str,
) -> None:
    """Make the overall evaluation of the council term TERM, e.g. 2022-2025."""
    _check_out(out)
    evaluation = obj.casework().evaluate(
        actor,
        term=term,
        strategy=strategy,
        survey=survey,
        crime=crime,
        index_config=index_config,
        purpose=purpose,
    )
    _write(obj, evaluation, out)
