"""``ssp key ...``: make the municipality's secret key, and check which key is in use.

The key derives the pseudonyms and wraps the data key of every case and identity:
without it no personal data in the store can be read. It is never printed; only its
fingerprint is, so two installations can compare keys without showing them.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from ssp_core.cli.app import Context
from ssp_core.cli.options import echo_json
from ssp_core.exceptions import ConfigError
from ssp_core.privacy.keys import MunicipalKey, write_key_file

__all__ = ["key"]


@click.group()
def key() -> None:
    """Make the municipal key file, and show the fingerprint of the key in use."""


@key.command("new")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def new_command(file: Path) -> None:
    """Write a new random key to FILE (readable by you only; an existing file is kept)."""
    try:
        made = write_key_file(file)
    except OSError as exc:  # no such folder, no permission: ConfigError covers an existing file
        raise ConfigError(f"cannot write the key file {file}: {exc.strerror}") from None
    click.echo(
        f"wrote a new municipal key to {file} (fingerprint {made.fingerprint}); keep it "
        "secret and safe: without it the personal data sealed under it cannot be read"
    )
    click.echo(f"use it with: export SSP_KEY_FILE={shlex.quote(str(file))}")


@key.command("fingerprint")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def fingerprint_command(obj: Context, as_json: bool) -> None:
    """Show the fingerprint of the key in use (--key-file, SSP_KEY_FILE or SSP_KEY)."""
    found = obj.key()
    if found is None:
        found = MunicipalKey.from_env({})  # raises the library's "no municipal key" error
    if as_json:
        echo_json({"fingerprint": found.fingerprint})
    else:
        click.echo(found.fingerprint)
