"""``ssp retention run``: erase the closed cases whose retention period has run out.

Erasure is crypto-shredding: each due case's data key is destroyed (and with a
person's last case, their identity-vault entry), so every personal field of its
history becomes unreadable for good, while states, dates and counts stay for
statistics. Plan first with ``--dry-run``, which changes nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import DATE, acting, echo_json, plain
from ssp_core.cli.render import inert
from ssp_core.clock import local_date
from ssp_core.domain.roles import Actor
from ssp_core.privacy.retention import ErasureItem
from ssp_core.text import visible

__all__ = ["progress_bar", "retention", "stderr_is_terminal"]


def _due_table(items: tuple[ErasureItem, ...], title: str) -> Table:
    table = Table(title=title)
    for column in ("case", "workflow", "outcome", "closed", "rule", "due on"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            *(inert(value) for value in (item.case_id, item.workflow, item.outcome)),
            item.closed_on.isoformat(),
            inert(item.rule),
            item.due_on.isoformat(),
        )
    return table


@contextmanager
def progress_bar(label: str, *, show: bool) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``progress(done, total)`` callback drawing a bar on standard error if ``show``."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True, force_terminal=show),
        disable=not show,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def stderr_is_terminal() -> bool:
    """Tell whether standard error is a terminal (then erasure draws a progress bar there)."""
    return sys.stderr is not None and sys.stderr.isatty()


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@click.group(cls=CommandGroup)
def retention() -> None:
    """Erase closed cases due under the retention rules (plan first with --dry-run)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only list the cases due; change nothing.")
@click.option(
    "--on",
    "day",
    type=DATE,
    help="Erase what is due on this day (default today; a later day only with --dry-run).",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting(default_purpose="retention")
@click.pass_obj
def run_command(
    obj: Context,
    dry_run: bool,
    day: dt.datetime | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Erase the closed cases whose retention period has run out (each erasure is audited)."""
    casework = obj.casework()
    on = day.date() if day else local_date(casework.clock.now())
    if dry_run:
        report = casework.erase_due(actor, on=on, purpose=purpose, dry_run=True)
    else:
        with progress_bar("erasing", show=not as_json and stderr_is_terminal()) as progress:
            report = casework.erase_due(actor, on=on, purpose=purpose, progress=progress)
    if as_json:
        echo_json({"on": on, **plain(report)})
        return
    console = Console(soft_wrap=False)
    if dry_run:
        console.print(
            _due_table(
                report.erased,
                f"{_plural(len(report.erased), 'case', 'cases')} due for erasure on "
                f"{on.isoformat()}",
            )
        )
        console.print("dry run: nothing erased")
    else:
        console.print(
            f"erased {_plural(len(report.erased), 'case', 'cases')} due on {on.isoformat()} "
            "(their data keys destroyed) and "
            f"{_plural(report.identities, 'identity-vault entry', 'identity-vault entries')}"
        )
    for remains in report.remains:  # where copies may still be: the store said so
        click.echo(f"warning: {visible(remains)}", err=True)
    if report.without_rule:
        console.print(
            f"{_plural(len(report.without_rule), 'closed case', 'closed cases')} without a "
            f"retention rule (kept; add a rule for their workflow): "
            + inert(", ".join(report.without_rule))
        )


@retention.command("scrub")
@acting(default_purpose="retention")
@click.pass_obj
def scrub_command(obj: Context, actor: Actor, purpose: str) -> None:
    """Clear copies an earlier erasure left (a reader held back the checkpoint); audited."""
    remains = obj.casework().scrub_store(actor, purpose=purpose)
    for line in remains:
        click.echo(f"warning: {visible(line)}", err=True)
    if not remains:
        click.echo("scrubbed: no copy of erased keys or vault entries remains in the store")
