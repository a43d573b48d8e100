"""``ssp retention run``: erase the closed cases whose retention period has run out.

Erasure is crypto-shredding: each due case's data key is destroyed (and with a
person's last case, their identity-vault entry), so every personal field of its
history becomes unreadable for good, while states, dates and counts stay for
statistics. Plan first with ``--dry-run``, which changes nothing.
"""

from __future__ import annotations

import datetime as dt

import click
from rich.table import Table

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import DATE, acting, echo_json, plain
from ssp_core.cli.progress import progress_bar, stderr_is_terminal
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.clock import local_date
from ssp_core.domain.roles import Actor
from ssp_core.i18n import _, ngettext
from ssp_core.privacy.retention import ErasureItem
from ssp_core.text import visible

__all__ = ["retention"]


def _due_table(items: tuple[ErasureItem, ...], title: str) -> Table:
    columns = (_("case"), _("workflow"), _("outcome"), _("closed"), _("rule"), _("due on"))
    rows = [
        (
            *(inert(value) for value in (item.case_id, item.workflow, item.outcome)),
            item.closed_on.isoformat(),
            inert(item.rule),
            item.due_on.isoformat(),
        )
        for item in items
    ]
    return listing(inert(title), columns, rows, ids=columns)


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
        show = not as_json and stderr_is_terminal()
        with progress_bar(_("erasing"), show=show) as progress:
            report = casework.erase_due(actor, on=on, purpose=purpose, progress=progress)
    if as_json:
        echo_json({"on": on, **plain(report)})
        return
    erased = len(report.erased)
    if dry_run:
        title = ngettext(
            "{n} case due for erasure on {day}", "{n} cases due for erasure on {day}", erased
        ).format(n=erased, day=on.isoformat())
        print_table(_due_table(report.erased, title))
        click.echo(_("dry run: nothing erased"))
    else:
        cases = ngettext("{n} case", "{n} cases", erased).format(n=erased)
        entries = ngettext(
            "{n} identity-vault entry", "{n} identity-vault entries", report.identities
        ).format(n=report.identities)
        line = _("erased {cases} due on {day} (their data keys destroyed) and {entries}")
        click.echo(line.format(cases=cases, day=on.isoformat(), entries=entries))
    for remains in report.remains:  # where copies may still be: the store said so
        click.echo(_("warning: {message}").format(message=visible(remains)), err=True)
    if report.without_rule:
        kept = len(report.without_rule)
        click.echo(
            ngettext(
                "{n} closed case without a retention rule (kept; add a rule for its "
                "workflow): {cases}",
                "{n} closed cases without a retention rule (kept; add a rule for their "
                "workflow): {cases}",
                kept,
            ).format(n=kept, cases=visible(", ".join(report.without_rule)))
        )


@retention.command("scrub")
@acting(default_purpose="retention")
@click.pass_obj
def scrub_command(obj: Context, actor: Actor, purpose: str) -> None:
    """Clear copies an earlier erasure left (a reader held back the checkpoint); audited."""
    remains = obj.casework().scrub_store(actor, purpose=purpose)
    for line in remains:
        click.echo(_("warning: {message}").format(message=visible(line)), err=True)
    if not remains:
        click.echo(_("scrubbed: no copy of erased keys or vault entries remains in the store"))
