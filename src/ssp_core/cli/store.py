"""``ssp store ...``: the store's schema: its version, upgrading it, and sealing old histories."""

from __future__ import annotations

import click
from rich.console import Console

from ssp_core.application.admin import UpgradePlan, describe_store, plan_upgrade, upgrade_store_at
from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import acting, echo_json, plain
from ssp_core.cli.retention import progress_bar, stderr_is_terminal
from ssp_core.domain.roles import Actor

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
            click.echo(f"{key}: {value}")


def _print_plan(plan: UpgradePlan) -> None:
    if plan.schema_version is None:
        click.echo(plan.note)
        return
    current = plan.schema_version == plan.library_schema_version
    click.echo(
        f"{plan.url}: schema version {plan.schema_version}"
        + (" is current" if current else f"; would migrate to {plan.library_schema_version}")
    )
    click.echo(f"cases that would get their municipality: {plan.cases_without_municipality}")
    renamed = plan.renamed or ()
    click.echo(
        f"renamed ids the history holds: {len(renamed)} (never rewritten; read as the new ids)"
    )
    for use in renamed:
        click.echo(
            f"  {use.kind} {use.old} -> {use.new}: {use.events} event(s), "
            f"{use.audit_entries} audit entr{'y' if use.audit_entries == 1 else 'ies'}"
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
        raise click.UsageError("--json goes with --dry-run")
    if dry_run:
        plan = plan_upgrade(
            obj.store_url, actor, registry=obj.registry, clock=obj.clock, purpose=purpose
        )
        if as_json:
            echo_json(plan)
        else:
            _print_plan(plan)
        return
    upgrade = upgrade_store_at(
        obj.store_url, actor, registry=obj.registry, clock=obj.clock, purpose=purpose
    )
    if not upgrade.upgraded:
        click.echo(
            f"{upgrade.url}: schema version {upgrade.schema_version} is current; nothing to do"
        )
        return
    click.echo(f"{upgrade.url}: upgraded to schema version {upgrade.schema_version}")
    click.echo(
        "histories written before schema 2 are not sealed: seal them once with "
        "`ssp store seal` (needs the municipal key and a role granted store.seal)"
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
    with progress_bar("sealing", show=not as_json and stderr_is_terminal()) as progress:
        sealed = casework.seal_unsealed(actor, purpose=purpose, progress=progress)
    if as_json:
        echo_json({"sealed": sealed})
        return
    Console(soft_wrap=False).print(
        f"sealed {len(sealed)} unsealed case histor{'y' if len(sealed) == 1 else 'ies'}"
    )
