"""``ssp guide``: the help tool, readable: worry signs, definitions, organisation, strategy."""

from __future__ import annotations

import json

import click
from rich.console import Console

from ssp_core.application.guide import (
    Guide,
    GuideItem,
    build_guide,
    guide_markdown,
)
from ssp_core.cli.app import Context
from ssp_core.cli.render import inert
from ssp_core.i18n import _, language

__all__ = ["guide", "print_guide"]


def _source(item: GuideItem) -> str:
    source = item.source
    where = _("no source given in the data") if source is None else str(source)
    if source is not None and source.url:
        where += f" <{source.url}>"
    return _("{source}; data of plugin {plugin} ({municipality})").format(
        source=where, plugin=item.plugin, municipality=item.municipality or _("shared")
    )


def print_guide(console: Console, guide: Guide) -> None:
    """Print the guide's sections to ``console`` in the guide's language, data text inert."""
    with language(guide.language):
        _print_sections(console, guide)


def _print_sections(console: Console, guide: Guide) -> None:
    for section in guide.sections:
        console.rule(f"[bold]{inert(section.title)}[/bold]")
        if not section.items:
            console.print(inert(_("(none)")))
        for item in section.items:
            console.print(f"\n[bold]{inert(item.title)}[/bold] [dim]({inert(item.id)})[/dim]")
            if item.text:
                console.print(inert(item.text))
            for point in item.points:
                console.print(f"  • {inert(point)}")
            for detail in item.details:
                console.print(f"  {inert(detail.name)}: {inert(detail.value)}")
            for group in item.groups:
                console.print(f"  [underline]{inert(group.title)}[/underline]")
                if group.text:
                    console.print(f"  {inert(group.text)}")
                for point in group.points:
                    console.print(f"    • {inert(point)}")
            line = _("Source: {source}").format(source=_source(item))
            console.print(f"  [italic]{inert(line)}")
        console.print()


@click.command()
@click.argument("sections", nargs=-1, metavar="[SECTION]...")
@click.option(
    "--municipality",
    metavar="ID",
    default=None,
    help="Only this municipality's items and the shared ones (default: every item).",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print Markdown.")
@click.pass_obj
def guide(
    obj: Context,
    sections: tuple[str, ...],
    municipality: str | None,
    as_json: bool,
    as_markdown: bool,
) -> None:
    """Show the help tool: worry signs, definitions, INFO house, corps, partners, strategy.

    SECTION is one or more of worry-signs, resources, reference, info-house, action-group, corps,
    partners and strategy (default: all). Each item shows its source. The language
    is the global --lang (e.g. `ssp --lang da guide`).
    """
    if as_json and as_markdown:
        raise click.UsageError(_("give --json or --markdown, not both"))
    found = build_guide(
        obj.registry, language=obj.language, municipality=municipality, sections=sections
    )
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
    elif as_markdown:
        click.echo(guide_markdown(found), nl=False)
    else:
        print_guide(Console(soft_wrap=True, highlight=False), found)
