"""Run one ``ssp`` command in this process: the click group, its exit codes, its error lines.

Errors in what a user typed (an unknown id, a bad date, an unknown trigger) end the
command with one line on standard error and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import contextvars
import os
import warnings
from collections.abc import Sequence

import click

from ssp_core.cli.app import CHOSEN_LANGUAGE, cli
from ssp_core.exceptions import ReactionFailed, SspError
from ssp_core.i18n import _, language
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
    return contextvars.copy_context().run(_main, argv)  # the command's language ends with it


def _main(argv: Sequence[str] | None) -> int:
    umask = os.umask(PRIVATE_UMASK)  # stores, reports, exports: the owner's only
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ReactionFailed)
            code = _run(argv)
    finally:
        os.umask(umask)
    with language(CHOSEN_LANGUAGE.get()):
        for warning in caught:
            if issubclass(warning.category, ReactionFailed):
                line = _("warning: {message}").format(message=_line(str(warning.message)))
                click.echo(line, err=True)
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
        _error(_("aborted"))
        return EXIT_ERROR
    except click.ClickException as exc:
        from ssp_core.cli.parse_errors import usage_message  # noqa: PLC0415 (on an error only)

        with language(CHOSEN_LANGUAGE.get()):
            _error(usage_message(exc))
        return EXIT_USAGE
    except SspError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except OSError as exc:  # a file the user named cannot be read or written
        where = f": {exc.filename}" if exc.filename else ""
        _error(f"{exc.strerror or type(exc).__name__}{where}")
        return EXIT_ERROR
    return result if isinstance(result, int) else 0


def _error(message: str) -> None:
    """Print an error line, in the language the command chose (the message already is)."""
    with language(CHOSEN_LANGUAGE.get()):
        click.echo(_("error: {message}").format(message=_line(message)), err=True)
