"""``ssp plugins``: each loaded plugin, its version and what it contributes."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from ssp_core.cli.app import Context

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
        }
        for info in registry.plugins
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Plugins", show_lines=True)
    for column in ("plugin", "version", "module", "contributes"):
        table.add_column(column, overflow="fold")
    for info in registry.plugins:
        contributed = registry.contributions_of(info.name)
        summary = "\n".join(f"{kind}: {len(ids)}" for kind, ids in contributed.items()) or "-"
        table.add_row(info.name, info.version or "-", info.module, summary)
    Console(soft_wrap=False).print(table)
