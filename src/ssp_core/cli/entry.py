"""Run one ``ssp`` command in this process: the click group, its exit codes, its error lines.

Errors in what a user typed (an unknown id, a bad date, an unknown trigger) end the
command with one line on standard error and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence

import click

from ssp_core.cli.app import cli
from ssp_core.exceptions import ReactionFailed, SspError
from ssp_core.text import visible

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "PRIVATE_UMASK", "cli", "main"]

EXIT_ERROR = 1
"""Exit code for an error the library reported (bad data, unknown id, refused trigger)."""

PRIVATE_UMASK = 0o077
"""The file-creation mask of every ``ssp`` command: what it creates is its owner's only."""

EXIT_USAGE = 2
"""Exit code for a command line that could not be parsed."""


def _line(message: str) -> str:
    """Return an error message as one line of inert text: controls (a newline too) written out."""
    return visible(message).replace("\n", "\\n").replace("\t", "\\t")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ssp`` command line and return its exit code.

    A plugin's failed reaction to what a command stored is a warning line on standard
    error (``warning: ...``), not a failure: the command succeeded.
    """
    umask = os.umask(PRIVATE_UMASK)  # stores, reports, exports: the owner's only
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ReactionFailed)
            code = _run(argv)
    finally:
        os.umask(umask)
    for warning in caught:
        if issubclass(warning.category, ReactionFailed):
            click.echo(f"warning: {_line(str(warning.message))}", err=True)
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return code


def _run(argv: Sequence[str] | None) -> int:
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="ssp", standalone_mode=False
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        click.echo(f"error: {_line(exc.format_message())}", err=True)
        return EXIT_USAGE
    except SspError as exc:
        click.echo(f"error: {_line(str(exc))}", err=True)
        return EXIT_ERROR
    except OSError as exc:  # a file the user named cannot be read or written
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"error: {_line(f'{exc.strerror or type(exc).__name__}{where}')}", err=True)
        return EXIT_ERROR
    return result if isinstance(result, int) else 0
