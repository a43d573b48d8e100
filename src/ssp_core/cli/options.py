"""Options shared by the commands that read or write cases: who acts, for what, and output."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import click

from ssp_core.domain.roles import Actor
from ssp_core.service import CASEWORK

__all__ = ["DATE", "acting", "echo_json", "plain"]

F = TypeVar("F", bound=Callable[..., Any])

DATE = click.DateTime(formats=["%Y-%m-%d"])
"""A calendar date on the command line, e.g. 2026-03-02."""


def acting(command: F) -> F:
    """Add ``--actor``, ``--role`` and ``--purpose`` and pass ``actor`` and ``purpose`` on."""

    @click.option(
        "--actor",
        "actor_id",
        envvar="SSP_ACTOR",
        required=True,
        metavar="ID",
        help="Who you are (also: SSP_ACTOR); recorded in the audit log.",
    )
    @click.option(
        "--role",
        envvar="SSP_ROLE",
        required=True,
        metavar="ROLE",
        help="The role you act in, e.g. ssp_consultant (also: SSP_ROLE).",
    )
    @click.option(
        "--purpose",
        envvar="SSP_PURPOSE",
        default=CASEWORK,
        show_default=True,
        help="Why you read or write (also: SSP_PURPOSE); recorded in the audit log.",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, actor_id: str, role: str, purpose: str, **kwargs: Any) -> Any:
        return command(*args, actor=Actor(actor_id, role), purpose=purpose, **kwargs)

    return wrapper  # type: ignore[return-value]


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
