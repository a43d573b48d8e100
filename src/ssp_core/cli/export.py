"""``ssp export``: the research export, event-level under fresh ids or aggregate tables."""

from __future__ import annotations

from pathlib import Path

import click

from ssp_core.cli.app import Context
from ssp_core.cli.options import acting
from ssp_core.cli.progress import progress_bar, stderr_is_terminal
from ssp_core.domain.access import RESEARCH
from ssp_core.domain.roles import Actor
from ssp_core.i18n import _, ngettext
from ssp_core.privacy.export import ExportFormat, ExportKind

__all__ = ["export"]


@click.command("export")
@click.argument("kind", type=click.Choice([kind.value for kind in ExportKind]))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) directory to write the export to.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([fmt.value for fmt in ExportFormat]),
    default=ExportFormat.CSV.value,
    show_default=True,
    help="File format; parquet needs pyarrow (pip install 'ssp-core[parquet]').",
)
@click.option(
    "--age-band",
    "age_bands",
    multiple=True,
    metavar="ID",
    help="An age band to report (repeatable; default: the bands the action cards use).",
)
@click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    metavar="ID",
    help="A municipality to cover (repeatable; default: every one your grants reach).",
)
@acting(default_purpose=RESEARCH)
@click.pass_obj
def export(
    obj: Context,
    kind: str,
    out: Path,
    fmt: str,
    age_bands: tuple[str, ...],
    municipalities: tuple[str, ...],
    actor: Actor,
    purpose: str,
) -> None:
    """Write a research export: KIND is events (fresh ids, weeks, age bands) or tables.

    Event-level data leave under ids drawn at random for this export alone, with
    times coarsened to ISO weeks and ages to bands; tables count cases with every
    count from 1 to 4 suppressed. No free text, pseudonym, case id or actor id
    leaves. Needs the permission research.export; --purpose defaults to research.
    """
    with progress_bar(_("reading cases"), show=stderr_is_terminal()) as progress:
        result = obj.casework().research_export(
            actor,
            kind=kind,
            out=out,
            fmt=fmt,
            purpose=purpose,
            age_bands=age_bands or None,
            municipalities=municipalities or None,
            progress=progress,
        )
    for name, count in result.rows.items():
        click.echo(
            ngettext("wrote {n} row to {file}", "wrote {n} rows to {file}", count).format(
                n=count, file=result.directory / name
            )
        )
    cases = ngettext("{n} case", "{n} cases", result.cases).format(n=result.cases)
    click.echo(_("{cases}; see {file}").format(cases=cases, file=result.directory / "README.txt"))
