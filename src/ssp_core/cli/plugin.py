"""``ssp plugin new``: write a working plugin package for a municipality."""

from __future__ import annotations

from pathlib import Path

import click

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.i18n import ngettext
from ssp_core.plugins.scaffold import new_plugin

__all__ = ["plugin"]


@click.group(cls=CommandGroup)
def plugin() -> None:
    """Make a municipality's plugin."""


@plugin.command("new")
@click.argument("municipality")
@click.option("--code", required=True, help="The municipality's 3-digit code, e.g. 851.")
@click.option(
    "--police-district", required=True, help="The id of its police district, e.g. nordjylland."
)
@click.option("--name-da", default=None, help="Its name in Danish (default: <Id> Kommune).")
@click.option("--name-en", default=None, help="Its name in English (default: <Id> Municipality).")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write it (default: ./ssp-MUNICIPALITY); must be new or empty.",
)
@click.pass_obj
def new(
    obj: Context,
    municipality: str,
    code: str,
    police_district: str,
    name_da: str | None,
    name_en: str | None,
    folder: Path | None,
) -> None:
    """Write a plugin package for MUNICIPALITY (its id, e.g. vesthavn) that passes the kit.

    Its cards and mentor track extend the core's templates of the national model; it is
    TOML files only. Install it with `pip install -e DIR[test]` and run `pytest` in it.
    """
    target = folder or Path(f"ssp-{municipality.replace('_', '-')}")
    written = new_plugin(
        target,
        municipality,
        code=code,
        police_district=police_district,
        name_da=name_da,
        name_en=name_en,
        districts=list(obj.registry.police_districts),
    )
    count = len(written)
    click.echo(
        ngettext("wrote {n} file to {folder}", "wrote {n} files to {folder}", count).format(
            n=count, folder=target
        )
    )
    for path in written:
        click.echo(f"  {path.relative_to(target)}")
