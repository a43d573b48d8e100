"""``ssp store ...``: the store's schema: its version, upgrading it, and sealing old histories."""

from __future__ import annotations

import click

from ssp_core.application.admin import UpgradePlan, describe_store, plan_upgrade, upgrade_store_at
from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import acting, echo_json, plain
from ssp_core.cli.progress import progress_bar, stderr_is_terminal
from ssp_core.domain.roles import Actor
from ssp_core.i18n import N_, _, ngettext

__all__ = ["store"]


@click.group(cls=CommandGroup)
def store() -> None:
    """Inspect and upgrade the case store (--store, default the embedded file)."""


@store.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def info_command(obj: Context, as_json: bool) -> None:
    """Show the store's URL, schema version, and how many cases and events it holds."""
    facts = describe_store(obj.store_url)
    if as_json:
        echo_json(facts)
    else:
        for key, value in plain(facts).items():
            click.echo(_("{label}: {value}").format(label=_(_INFO.get(key, key)), value=value))


_INFO = {
    "url": N_("store"),
    "schema_version": N_("schema version"),
    "library_schema_version": N_("schema version of the library"),
    "cases": N_("cases"),
    "events": N_("events"),
}
"""The names ``ssp store info`` gives the facts of a store (English; shown translated)."""


def _print_plan(plan: UpgradePlan) -> None:
    if plan.schema_version is None:
        click.echo(plan.note)
        return
    if plan.schema_version == plan.library_schema_version:
        line = _("{url}: schema version {version} is current")
    else:
        line = _("{url}: schema version {version}; would migrate to {target}")
    click.echo(
        line.format(url=plan.url, version=plan.schema_version, target=plan.library_schema_version)
    )
    click.echo(
        _("cases that would get their municipality: {n}").format(n=plan.cases_without_municipality)
    )
    renamed = plan.renamed or ()
    click.echo(
        _("renamed ids the history holds: {n} (never rewritten; read as the new ids)").format(
            n=len(renamed)
        )
    )
    for use in renamed:
        events = _("{n} event(s)").format(n=use.events)
        entries = ngettext("{n} audit entry", "{n} audit entries", use.audit_entries).format(
            n=use.audit_entries
        )
        click.echo(
            "  "
            + _("{kind} {old} -> {new}: {events}, {entries}").format(
                kind=use.kind, old=use.old, new=use.new, events=events, entries=entries
            )
        )


@store.command("upgrade")
@click.option("--dry-run", is_flag=True, help="Say what the upgrade would do, and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the dry run's plan as JSON.")
@acting(default_purpose="administration")
@click.pass_obj
def upgrade_command(obj: Context, dry_run: bool, as_json: bool, actor: Actor, purpose: str) -> None:
    """Apply the schema migrations the store lacks (a new store is created current).

    Needs a role granted store.upgrade; the upgrade is audited in the store. A refusal
    changes nothing (it cannot be written to a store that is not upgraded yet). With
    --dry-run, it lists the migrations, the cases that would get their municipality,
    and the renamed ids the history holds (read as their new ids, never rewritten).
    """
    if as_json and not dry_run:
        raise click.UsageError(_("--json goes with --dry-run"))
    if dry_run:
        plan = plan_upgrade(
            obj.store_url, actor, registry=obj.registry, clock=obj.clock, purpose=purpose
        )
        if as_json:
            echo_json(plan)
        else:
            _print_plan(plan)
        return
    show = not as_json and stderr_is_terminal()
    with progress_bar(_("upgrading the store"), show=show) as progress:
        upgrade = upgrade_store_at(
            obj.store_url,
            actor,
            registry=obj.registry,
            clock=obj.clock,
            purpose=purpose,
            progress=progress,
        )
    if not upgrade.upgraded:
        click.echo(
            _("{url}: schema version {version} is current; nothing to do").format(
                url=upgrade.url, version=upgrade.schema_version
            )
        )
        return
    click.echo(
        _("{url}: upgraded to schema version {version}").format(
            url=upgrade.url, version=upgrade.schema_version
        )
    )
    click.echo(
        _(
            "histories written before schema 2 are not sealed: seal them once with "
            "`ssp store seal` (needs the municipal key and a role granted store.seal)"
        )
    )


@store.command("seal")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting(default_purpose="administration")
@click.pass_obj
def seal_command(obj: Context, as_json: bool, actor: Actor, purpose: str) -> None:
    """Seal the histories written before schema 2 under new case keys (once, after upgrade).

    Needs the municipal key; each case is sealed in its own transaction, and audited.
    """
    casework = obj.casework()
    show = not as_json and stderr_is_terminal()
    with progress_bar(_("sealing case histories"), show=show) as progress:
        sealed = casework.seal_unsealed(actor, purpose=purpose, progress=progress)
    if as_json:
        echo_json({"sealed": sealed})
        return
    count = len(sealed)
    click.echo(
        ngettext(
            "sealed {n} unsealed case history", "sealed {n} unsealed case histories", count
        ).format(n=count)
    )
