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

from ssp_core.cli.app import Context
from ssp_core.cli.options import echo_json
from ssp_core.exceptions import ConfigError
from ssp_core.privacy.keys import MunicipalKey, write_key_file
from ssp_core.settings import KEY_DIR_ENV

__all__ = ["key"]


@click.group()
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
        "under the default key and cannot be opened until they are re-wrapped under this "
        "one (not offered yet): give a municipality its own key before its first case"
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
