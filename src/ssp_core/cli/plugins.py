"""``ssp plugins``: each loaded plugin, its version and what it contributes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from ssp_core.cli.app import Context
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.domain.district import Reach
from ssp_core.i18n import N_, _

if TYPE_CHECKING:
    from ssp_core.plugins.registry import Registry

__all__ = ["plugins_command"]

_KINDS = {
    "police district": N_("police district"),
    "municipality": N_("municipality"),
    "role": N_("role"),
    "partner kind": N_("partner kind"),
    "partner": N_("partner"),
    "corps": N_("corps"),
    "INFO house": N_("INFO house"),
    "action group": N_("action group"),
    "worry-sign catalogue": N_("worry-sign catalogue"),
    "reference text": N_("reference text"),
    "situation": N_("situation"),
    "age band": N_("age band"),
    "strategy": N_("strategy"),
    "workflow": N_("workflow"),
    "guard": N_("guard"),
    "purpose": N_("purpose"),
    "grant": N_("grant"),
    "legal basis": N_("legal basis"),
    "disclosure profile": N_("disclosure profile"),
    "retention rule": N_("retention rule"),
    "finding category": N_("finding category"),
    "locality": N_("locality"),
    "example walk": N_("example walk"),
    "renamed id": N_("renamed id"),
    "activity kind": N_("activity kind"),
    "example activity": N_("example activity"),
}
"""The kinds of contribution, as the listing names them (English; shown translated)."""


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
    cells = []
    for info in registry.plugins:
        contributed = registry.contributions_of(info.name)
        summary = (
            "\n".join(
                _("{kind}: {n}").format(kind=_(_KINDS.get(kind, kind)), n=len(ids))
                for kind, ids in contributed.items()
            )
            or "-"
        )
        wide = _district_wide(registry, info.name, shown=True)
        if wide:
            summary += "\n" + _("reaching the whole police district:") + "\n"
            summary += "\n".join(f"  {line}" for line in wide)
        home = registry.home_of_plugin(info.name) or "-"
        cells.append(
            tuple(inert(v) for v in (info.name, info.version or "-", info.module, home, summary))
        )
    ids = (_("plugin"), _("version"), _("module"), _("municipality"))
    table = listing(_("Plugins"), (*ids, _("contributes")), cells, ids=ids)
    table.show_lines = True
    print_table(table)


def _district_wide(registry: Registry, plugin: str, *, shown: bool = False) -> list[str]:
    """Return a plugin's grants that reach the whole police district, one line each.

    In English for ``--json``; in the language of the command if ``shown``.
    """
    line = (
        _("{role}: {operations} on {workflows}") if shown else "{role}: {operations} on {workflows}"
    )
    return [
        line.format(
            role=grant.role,
            operations=", ".join(grant.operations),
            workflows=", ".join(grant.workflows),
        )
        for grant_id, grant in registry.grants.items()
        if grant.reach is Reach.DISTRICT and registry.grants.contributor(grant_id) == plugin
    ]
