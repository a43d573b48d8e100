"""``ssp store ...``: the store's schema: its version, upgrading it, and sealing old histories."""

from __future__ import annotations

import datetime as dt

import click
from rich.console import Console

from ssp_core.cli.app import Context
from ssp_core.cli.options import acting, echo_json
from ssp_core.cli.retention import progress_bar, stderr_is_terminal
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import SchemaError
from ssp_core.privacy.access import AccessPolicy
from ssp_core.store.base import SCHEMA_VERSION
from ssp_core.store.records import AuditAction, AuditEntry
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
@acting(default_purpose="administration")
@click.pass_obj
def upgrade_command(obj: Context, actor: Actor, purpose: str) -> None:
    """Apply the schema migrations the store lacks (a new store is created current).

    Needs a role granted store.upgrade; the upgrade is audited in the store. A refusal
    changes nothing (it cannot be written to a store that is not upgraded yet).
    """
    registry = obj.registry
    AccessPolicy(registry.grants.values(), registry.roles, registry.purposes).check(
        actor, "store.upgrade", purpose=purpose
    )
    try:
        with open_store(obj.store_url) as current:
            version = current.schema_version()
    except SchemaError:
        pass  # older (upgraded below); foreign, corrupt or newer (refused again below)
    else:
        click.echo(f"{redact(obj.store_url)}: schema version {version} is current; nothing to do")
        return
    with open_store(obj.store_url, upgrade=True) as opened:
        opened.upgrade()
        version = opened.schema_version()
        opened.record_audit(
            [
                AuditEntry(
                    at=dt.datetime.now(dt.UTC),
                    actor=actor.id,
                    role=actor.role,
                    purpose=purpose,
                    action=AuditAction.ADMIN,
                    detail=f"store upgraded to schema version {version}",
                )
            ]
        )
    click.echo(f"{redact(obj.store_url)}: upgraded to schema version {version}")
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
