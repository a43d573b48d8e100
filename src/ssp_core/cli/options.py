"""Options shared by the commands that read or write cases: who acts, for what, and output."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar, overload

import attrs
import click

from ssp_core.clock import LOCAL_TIME
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.settings import ACTOR_ENV, PURPOSE_ENV, ROLE_ENV

__all__ = [
    "DATE",
    "acting",
    "echo_json",
    "plain",
    "read_cpr",
    "start_of_day",
    "stdin_is_terminal",
]

F = TypeVar("F", bound=Callable[..., Any])

DATE = click.DateTime(formats=["%Y-%m-%d"])
"""A calendar date on the command line, e.g. 2026-03-02."""


@overload
def acting(command: F) -> F: ...


@overload
def acting(
    *, require_purpose: bool = False, default_purpose: str = CASEWORK
) -> Callable[[F], F]: ...


def acting(
    command: F | None = None, *, require_purpose: bool = False, default_purpose: str = CASEWORK
) -> F | Callable[[F], F]:
    """Add ``--actor``, ``--role`` and ``--purpose`` and pass ``actor`` and ``purpose`` on.

    Use it bare (``@acting``: the purpose defaults to ``casework`` or ``SSP_PURPOSE``),
    with another default (``@acting(default_purpose="retention")``), or with
    ``@acting(require_purpose=True)``: then ``--purpose`` must be given on the command
    line itself, never taken from a default or the environment.
    """

    def decorate(function: F) -> F:
        if require_purpose:
            purpose_option = click.option(
                "--purpose",
                required=True,
                help="Why you do this (required, on the command line); recorded in the audit log.",
            )
        else:
            purpose_option = click.option(
                "--purpose",
                envvar=PURPOSE_ENV,
                default=default_purpose,
                show_default=True,
                help="Why you read or write (also: SSP_PURPOSE); recorded in the audit log.",
            )

        @click.option(
            "--actor",
            "actor_id",
            envvar=ACTOR_ENV,
            required=True,
            metavar="ID",
            help="Who you are (also: SSP_ACTOR); recorded in the audit log.",
        )
        @click.option(
            "--role",
            envvar=ROLE_ENV,
            required=True,
            metavar="ROLE",
            help="The role you act in, e.g. ssp_consultant (also: SSP_ROLE).",
        )
        @purpose_option
        @functools.wraps(function)
        def wrapper(*args: Any, actor_id: str, role: str, purpose: str, **kwargs: Any) -> Any:
            return function(*args, actor=Actor(actor_id, role), purpose=purpose, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(command) if command is not None else decorate


def stdin_is_terminal() -> bool:
    """Tell whether standard input is a terminal (then secrets are asked for, hidden)."""
    return sys.stdin is not None and sys.stdin.isatty()


def read_cpr() -> str:
    """Read a CPR number from standard input: one line, or a hidden prompt at a terminal.

    The number is never echoed, and never taken from the command line (where the
    shell history and the process list would keep it).
    """
    if stdin_is_terminal():
        return str(click.prompt("CPR number (not shown)", hide_input=True, err=True))
    text = sys.stdin.readline().strip() if sys.stdin is not None else ""
    if not text:
        raise DataError(
            "--cpr-stdin read no CPR number: give it as one line on standard input, "
            "e.g. from a file or a password manager"
        )
    return text


def start_of_day(day: dt.datetime | None) -> dt.datetime | None:
    """Return the start of ``day`` in Danish time (``None`` stays ``None``)."""
    if day is None:
        return None
    return dt.datetime.combine(day.date(), dt.time(), tzinfo=LOCAL_TIME)


def plain(value: Any) -> Any:
    """Return ``value`` as JSON-ready data: attrs records as dicts, dates as ISO text."""
    if attrs.has(type(value)):
        return {key: plain(item) for key, item in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(plain(item) for item in value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON."""
    click.echo(json.dumps(plain(value), indent=2, ensure_ascii=False))
