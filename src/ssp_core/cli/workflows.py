"""``ssp workflows``: list the registered workflows, show one as text, Mermaid or JSON."""

from __future__ import annotations

import json

import click

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import json_as_format
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.i18n import _
from ssp_core.workflows.definition import WorkflowKind
from ssp_core.workflows.diagrams import to_data, to_mermaid, to_text

__all__ = ["workflows"]


@click.group(cls=CommandGroup)
def workflows() -> None:
    """Workflow definitions: action cards, prevention tracks and others."""


@workflows.command("list")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in WorkflowKind]),
    default=None,
    help="Only workflows of this kind.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def list_workflows(obj: Context, kind: str | None, as_json: bool) -> None:
    """List every registered workflow definition version."""
    registry = obj.registry
    definitions = sorted(registry.workflows.values(), key=lambda d: d.key)
    if kind is not None:
        definitions = [d for d in definitions if d.kind == WorkflowKind(kind)]
    if as_json:
        rows = [
            {
                "id": d.id,
                "version": d.version,
                "kind": d.kind.value,
                "label": d.labels.get(obj.language),
                "plugin": registry.workflows.contributor(d.name),
                "template": d.template,
                "extends": None if d.extends is None else d.extends.name,
                "states": len(d.states),
                "transitions": len(d.transitions),
            }
            for d in definitions
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    ids = (_("id"), _("version"), _("plugin"))
    table = listing(
        _("Workflows"),
        (*ids[:2], _("kind"), _("label"), ids[2]),
        (
            (
                inert(d.id),
                str(d.version),
                _("{kind} (template)").format(kind=d.kind.value) if d.template else d.kind.value,
                inert(d.labels.get(obj.language)),
                inert(registry.workflows.contributor(d.name)),
            )
            for d in definitions
        ),
        ids=ids,
    )
    print_table(table)


@workflows.command("show")
@json_as_format
@click.argument("workflow_id", metavar="ID")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    default=None,
    help="Definition version (default: newest).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "mermaid", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.pass_obj
def show_workflow(obj: Context, workflow_id: str, version: int | None, fmt: str) -> None:
    """Show one workflow definition as text, a Mermaid state diagram, or JSON."""
    definition = obj.registry.workflow(workflow_id, version)
    if fmt == "json":
        click.echo(json.dumps(to_data(definition), indent=2, ensure_ascii=False))
    elif fmt == "mermaid":
        click.echo(to_mermaid(definition, obj.language), nl=False)
    else:
        click.echo(to_text(definition, obj.language), nl=False)
        newer = obj.registry.newer_base(definition)
        if newer is not None and definition.extends is not None:
            click.echo(
                _(
                    "newer: {newer} is registered; this version keeps extending {base} until "
                    "a new version of {workflow} extends the newer one"
                ).format(newer=newer.name, base=definition.extends.name, workflow=definition.id)
            )
