"""``ssp plugins``: each loaded plugin, its version and what it contributes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from ssp_core.cli.app import Context
from ssp_core.cli.render import inert
from ssp_core.domain.district import Reach

if TYPE_CHECKING:
    from ssp_core.plugins.registry import Registry

__all__ = ["plugins_command"]


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def plugins_command(obj: Context, as_json: bool) -> None:
    """List the loaded plugins, their versions and what they contribute."""
    registry = obj.registry
    rows = [
        {
            "name": info.name,
            "version": info.version,
            "module": info.module,
            "source": info.source,
            "hooks": list(info.hooks),
            "contributes": registry.contributions_of(info.name),
            "municipality": registry.home_of_plugin(info.name),
            "district_wide_grants": _district_wide(registry, info.name),
        }
        for info in registry.plugins
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Plugins", show_lines=True)
    for column in ("plugin", "version", "module", "municipality", "contributes"):
        table.add_column(column, overflow="fold")
    for info in registry.plugins:
        contributed = registry.contributions_of(info.name)
        summary = "\n".join(f"{kind}: {len(ids)}" for kind, ids in contributed.items()) or "-"
        wide = _district_wide(registry, info.name)
        if wide:
            summary += "\nreaching the whole police district:\n" + "\n".join(
                f"  {line}" for line in wide
            )
        home = registry.home_of_plugin(info.name) or "-"
        table.add_row(
            *(inert(v) for v in (info.name, info.version or "-", info.module, home, summary))
        )
    Console(soft_wrap=False).print(table)


def _district_wide(registry: Registry, plugin: str) -> list[str]:
    """Return a plugin's grants that reach the whole police district, one line each."""
    return [
        f"{grant.role}: {', '.join(grant.operations)} on {', '.join(grant.workflows)}"
        for grant_id, grant in registry.grants.items()
        if grant.reach is Reach.DISTRICT and registry.grants.contributor(grant_id) == plugin
    ]
