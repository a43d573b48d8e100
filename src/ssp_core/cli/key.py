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
from ssp_core.i18n import N_, _, ngettext
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
        raise click.UsageError(
            _("give either a key FILE or --municipality ID, not both or neither")
        )
    if municipality is not None:
        _new_own(obj, municipality)
        return
    assert file is not None  # noqa: S101 (checked above)
    try:
        made = write_key_file(file)
    except OSError as exc:  # no such folder, no permission: ConfigError covers an existing file
        raise ConfigError(
            _("cannot write the key file {file}: {reason}").format(file=file, reason=exc.strerror)
        ) from None
    click.echo(
        _(
            "wrote a new municipal key to {file} (fingerprint {fingerprint}); keep it secret "
            "and safe: without it the personal data sealed under it cannot be read"
        ).format(file=file, fingerprint=made.fingerprint)
    )
    click.echo(
        _("use it with: {command}").format(command=f"export SSP_KEY_FILE={shlex.quote(str(file))}")
    )


def _new_own(obj: Context, municipality: str) -> None:
    from ssp_core.application.keys import new_municipality_key  # noqa: PLC0415

    if not obj.key_dir:
        raise ConfigError(
            _(
                "name the key folder for municipality {municipality}'s key with --key-dir "
                "DIR or {variable}"
            ).format(municipality=repr(municipality), variable=KEY_DIR_ENV)
        )
    file, made = new_municipality_key(obj.registry, obj.key_dir, municipality)
    click.echo(
        _(
            "wrote a new key of municipality {municipality} to {file} (fingerprint "
            "{fingerprint}); keep it secret and safe: without it the personal data sealed "
            "under it cannot be read"
        ).format(municipality=municipality, file=file, fingerprint=made.fingerprint)
    )
    click.echo(
        _(
            "new cases of {municipality} are sealed under it; cases it already has were "
            "sealed under the default key, which still opens them: re-wrap them under this "
            "key with {command}"
        ).format(
            municipality=municipality,
            command=f"`ssp key rotate --municipality {municipality} --resume`",
        )
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
    from ssp_core.cli.progress import progress_bar, stderr_is_terminal  # noqa: PLC0415

    if batch < 1:
        raise click.BadParameter(_("must be at least 1"), param_hint="--batch")
    casework = obj.casework()
    show = not as_json and stderr_is_terminal()
    with progress_bar(_("re-wrapping case keys"), show=show) as progress:
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
            _(
                "municipality {municipality}'s key rotated: new key {new} in {file} (was {old})"
            ).format(
                municipality=municipality, new=report.new, file=report.key_file, old=report.old
            )
        )
    else:
        click.echo(
            _("resumed the rotation of municipality {municipality}'s key {new}").format(
                municipality=municipality, new=report.new
            )
        )
    keys = ngettext("{n} case key", "{n} case keys", report.rewrapped).format(n=report.rewrapped)
    entries = ngettext("{n} vault entry", "{n} vault entries", report.identities).format(
        n=report.identities
    )
    click.echo(
        _("re-wrapped {keys} and {entries}; {left} left under another key").format(
            keys=keys, entries=entries, left=report.left
        )
    )
    if report.retired_file is not None:
        click.echo(
            _(
                "the old key is kept in {file}: keep it until every backup made before now is "
                "gone, then delete it"
            ).format(file=report.retired_file)
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
        name = _("(default key)") if line.municipality is None else line.municipality
        source = _(_SOURCES.get(line.source.value, line.source.value))
        print_ = line.fingerprint or "-"
        click.echo(f"{name:<24} {source:<22} {print_}")


_SOURCES = {
    "own": N_("own"),
    "default": N_("default"),
    "none": N_("none"),
    "unknown municipality": N_("unknown municipality"),
}
"""How the overview names where a municipality's key comes from (English; shown translated)."""


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
