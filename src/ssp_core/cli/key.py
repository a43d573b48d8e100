"""``ssp key ...``: make municipal key files, and show which key each municipality uses.

A municipality's key derives its pseudonyms and wraps the data key of each of its
cases and identities: without it none of its personal data can be read. The default
key (``--key-file``, ``SSP_KEY_FILE`` or ``SSP_KEY``) serves every municipality
without a key of its own (a ``<municipality>.key`` file in ``--key-dir`` or
``SSP_KEY_DIR``). A key is never printed; only its fingerprint is, so two
installations can compare keys without showing them.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import acting, echo_json, plain
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ConfigError
from ssp_core.privacy.keys import MunicipalKey, write_key_file
from ssp_core.settings import KEY_DIR_ENV

__all__ = ["key"]


@click.group(cls=CommandGroup)
def key() -> None:
    """Make municipal key files, and show which key each municipality uses."""


@key.command("new")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--municipality",
    metavar="ID",
    help="Make this municipality's own key, <ID>.key in the key folder (--key-dir or "
    "SSP_KEY_DIR), instead of a key FILE.",
)
@click.pass_obj
def new_command(obj: Context, file: Path | None, municipality: str | None) -> None:
    """Write a new random key to FILE, or a municipality's own key to the key folder.

    The file is readable by you only; an existing file is kept.
    """
    if (file is None) == (municipality is None):
        raise click.UsageError("give either a key FILE or --municipality ID, not both or neither")
    if municipality is not None:
        _new_own(obj, municipality)
        return
    assert file is not None  # noqa: S101 (checked above)
    try:
        made = write_key_file(file)
    except OSError as exc:  # no such folder, no permission: ConfigError covers an existing file
        raise ConfigError(f"cannot write the key file {file}: {exc.strerror}") from None
    click.echo(
        f"wrote a new municipal key to {file} (fingerprint {made.fingerprint}); keep it "
        "secret and safe: without it the personal data sealed under it cannot be read"
    )
    click.echo(f"use it with: export SSP_KEY_FILE={shlex.quote(str(file))}")


def _new_own(obj: Context, municipality: str) -> None:
    from ssp_core.application.keys import new_municipality_key  # noqa: PLC0415

    if not obj.key_dir:
        raise ConfigError(
            f"name the key folder for municipality {municipality!r}'s key with --key-dir "
            f"DIR or {KEY_DIR_ENV}"
        )
    file, made = new_municipality_key(obj.registry, obj.key_dir, municipality)
    click.echo(
        f"wrote a new key of municipality {municipality} to {file} (fingerprint "
        f"{made.fingerprint}); keep it secret and safe: without it the personal data "
        "sealed under it cannot be read"
    )
    click.echo(
        f"new cases of {municipality} are sealed under it; cases it already has were sealed "
        "under the default key, which still opens them: re-wrap them under this key with "
        f"`ssp key rotate --municipality {municipality} --resume`"
    )


@key.command("rotate")
@click.option("--municipality", metavar="ID", required=True, help="The municipality whose key.")
@click.option(
    "--resume", is_flag=True, help="Finish a rotation that was cut short; make no new key."
)
@click.option("--batch", default=200, show_default=True, help="Case keys per transaction.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting(default_purpose="administration")
@click.pass_obj
def rotate_command(
    obj: Context,
    municipality: str,
    resume: bool,
    batch: int,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Give a municipality a new key, and re-wrap every data key of its cases under it.

    The old own key is kept in the key folder's retired/ folder (a municipality on the
    default key gets its first own key; the default key stays). Each batch of cases is
    re-wrapped in one transaction and audited; a rotation cut short is finished with
    --resume. Needs a role granted key.rotate for the municipality. Other municipalities'
    cases are not touched. Restart other processes using the keys afterwards.
    """
    from ssp_core.cli.retention import progress_bar, stderr_is_terminal  # noqa: PLC0415

    if batch < 1:
        raise click.BadParameter("must be at least 1", param_hint="--batch")
    casework = obj.casework()
    with progress_bar("re-wrapping", show=not as_json and stderr_is_terminal()) as progress:
        report = casework.rotate_key(
            actor,
            municipality,
            key_dir=obj.key_dir,
            resume=resume,
            batch=batch,
            progress=progress,
            purpose=purpose,
        )
    if as_json:
        echo_json(
            {
                **plain(report),
                "key_file": str(report.key_file) if report.key_file else None,
                "retired_file": str(report.retired_file) if report.retired_file else None,
            }
        )
        return
    if report.old is not None:
        click.echo(
            f"municipality {municipality}'s key rotated: new key {report.new} in "
            f"{report.key_file} (was {report.old})"
        )
    else:
        click.echo(f"resumed the rotation of municipality {municipality}'s key {report.new}")
    click.echo(
        f"re-wrapped {report.rewrapped} case key(s) and {report.identities} vault entr(ies); "
        f"{report.left} left under another key"
    )
    if report.retired_file is not None:
        click.echo(
            f"the old key is kept in {report.retired_file}: keep it until every backup made "
            "before now is gone, then delete it"
        )


@key.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def list_command(obj: Context, as_json: bool) -> None:
    """List the municipalities, which key each uses (its own or the default), by fingerprint."""
    from ssp_core.application.keys import key_overview  # noqa: PLC0415

    lines = key_overview(obj.registry, obj.key())
    if as_json:
        echo_json(
            [
                {
                    "municipality": line.municipality,
                    "key": line.source.value,
                    "fingerprint": line.fingerprint,
                }
                for line in lines
            ]
        )
        return
    for line in lines:
        name = "(default key)" if line.municipality is None else line.municipality
        print_ = line.fingerprint or "-"
        click.echo(f"{name:<24} {line.source.value:<22} {print_}")


@key.command("fingerprint")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def fingerprint_command(obj: Context, as_json: bool) -> None:
    """Show the fingerprint of the default key (--key-file, SSP_KEY_FILE or SSP_KEY)."""
    found = obj.key()
    default = found.default if found is not None else None
    if default is None:
        default = MunicipalKey.from_env({})  # raises the library's "no municipal key" error
    if as_json:
        echo_json({"fingerprint": default.fingerprint})
    else:
        click.echo(default.fingerprint)
