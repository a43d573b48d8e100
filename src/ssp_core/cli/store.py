"""``ssp store ...``: the store's schema: its version, and upgrading it."""

from __future__ import annotations

import click

from ssp_core.cli.app import Context
from ssp_core.cli.options import echo_json
from ssp_core.store.base import SCHEMA_VERSION
from ssp_core.store.url import open_store, redact

__all__ = ["store"]


@click.group()
def store() -> None:
    """Inspect and upgrade the case store (--store, default the embedded file)."""


@store.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def info_command(obj: Context, as_json: bool) -> None:
    """Show the store's URL, schema version, and how many cases and events it holds."""
    with open_store(obj.store_url) as opened:
        facts = {
            "url": redact(obj.store_url),
            "schema_version": opened.schema_version(),
            "library_schema_version": SCHEMA_VERSION,
            "cases": opened.count_cases(),
            "events": opened.max_position(),
        }
    if as_json:
        echo_json(facts)
    else:
        for key, value in facts.items():
            click.echo(f"{key}: {value}")


@store.command("upgrade")
@click.pass_obj
def upgrade_command(obj: Context) -> None:
    """Apply the schema migrations the store lacks (a new store is created current)."""
    with open_store(obj.store_url, upgrade=True) as opened:
        applied = opened.upgrade()
        version = opened.schema_version()
    if applied:
        click.echo(f"{redact(obj.store_url)}: upgraded to schema version {version}")
    else:
        click.echo(f"{redact(obj.store_url)}: schema version {version} is current; nothing to do")
