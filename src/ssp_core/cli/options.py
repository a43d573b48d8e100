"""Options shared by the commands that read or write cases: who acts, for what, and output."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, overload

import attrs
import click

from ssp_core.cli.render import case_summary
from ssp_core.clock import LOCAL_TIME
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _, current_language, language
from ssp_core.settings import ACTOR_ENV, PURPOSE_ENV, ROLE_ENV
from ssp_core.store.records import CaseCursor

if TYPE_CHECKING:
    from ssp_core.application.casework import Casework
    from ssp_core.domain.cases import Case

__all__ = [
    "DATE",
    "JSON_OPTION",
    "PERSONAL_TEXT",
    "STDIN_TAKEN",
    "IsoDate",
    "PersonalText",
    "acting",
    "echo_json",
    "json_as_format",
    "plain",
    "print_written",
    "read_cpr",
    "start_of_day",
    "stdin_is_terminal",
]

F = TypeVar("F", bound=Callable[..., Any])

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
"""The months' names (English; shown translated)."""


class _InvalidValue(click.BadParameter):
    """A value given for an option that is not one: said in the language of the command."""

    def __init__(
        self, message: str, ctx: click.Context | None, param: click.Parameter | None
    ) -> None:
        super().__init__(message, ctx=ctx, param=param)
        self.language = current_language()  # the message is printed after the command ends

    def format_message(self) -> str:
        """Return ``Invalid value for '--on': ...``, translated."""
        hint = self.param_hint or (self.param.get_error_hint(self.ctx) if self.param else None)
        with language(self.language):
            if not hint:
                return _("Invalid value: {message}").format(message=self.message)
            if not isinstance(hint, str):
                hint = " / ".join(repr(part) for part in hint)
            return _("Invalid value for {option}: {message}").format(
                option=hint, message=self.message
            )


class _MissingValue(click.MissingParameter):
    """An option that must be given and was not: said in the language of the command."""

    def __init__(self, message: str, ctx: click.Context, param: click.Parameter) -> None:
        super().__init__(message, ctx=ctx, param=param)
        self.language = current_language()  # the message is printed after the command ends

    def format_message(self) -> str:
        """Return ``Missing option '--actor'. ...``, translated."""
        hint = self.param.get_error_hint(self.ctx) if self.param else ""
        with language(self.language):
            return _("Missing option {option}. {message}").format(option=hint, message=self.message)


def _fail(message: str, param: click.Parameter | None, ctx: click.Context | None) -> NoReturn:
    """Refuse a value given on the command line, saying why in the current language."""
    raise _InvalidValue(message, ctx=ctx, param=param)


class IsoDate(click.ParamType[Any, Any]):
    """A calendar date written ``YYYY-MM-DD``; a day that does not exist is named as such."""

    name = "date"

    def get_metavar(
        self,
        param: click.Parameter,  # noqa: ARG002
        ctx: click.Context | None = None,  # noqa: ARG002
    ) -> str:
        """Return ``YYYY-MM-DD``, as the help shows it."""
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the date as a ``datetime`` at midnight (as ``click.DateTime`` did)."""
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        text = str(value)
        found = _ISO_DAY.match(text)
        if found is None:
            _fail(
                _("{text} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02").format(
                    text=repr(text)
                ),
                param,
                ctx,
            )
        year, month, day = (int(part) for part in found.groups())
        if not 1 <= month <= 12:
            _fail(
                _("no such day: {text} (there is no month {month})").format(text=text, month=month),
                param,
                ctx,
            )
        last = calendar.monthrange(year, month)[1] if year >= 1 else 31
        if not 1 <= day <= last or year < 1:
            _fail(
                _("no such day: {text} ({month} {year} has {last} days)").format(
                    text=text, month=_(_MONTHS[month - 1]), year=year, last=last
                ),
                param,
                ctx,
            )
        return dt.datetime(year, month, day)  # noqa: DTZ001 - a calendar day, as click.DateTime gave


DATE = IsoDate()
"""A calendar date on the command line, e.g. 2026-03-02 (``YYYY-MM-DD``)."""


def _required_or_env(env: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Return a callback refusing a missing value with both ways of giving it."""

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or value == "":
            raise _MissingValue(
                ctx=ctx,
                param=param,
                message=_("Give it, or set {env} in the environment.").format(env=env),
            )
        return value

    return check


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
            callback=_required_or_env(ACTOR_ENV),
            metavar="ID",
            help="Who you are (also: SSP_ACTOR); recorded in the audit log.  [required]",
        )
        @click.option(
            "--role",
            envvar=ROLE_ENV,
            callback=_required_or_env(ROLE_ENV),
            metavar="ROLE",
            help="The role you act in, e.g. ssp_consultant (also: SSP_ROLE).  [required]",
        )
        @purpose_option
        @functools.wraps(function)
        def wrapper(*args: Any, actor_id: str, role: str, purpose: str, **kwargs: Any) -> Any:
            return function(*args, actor=Actor(actor_id, role), purpose=purpose, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(command) if command is not None else decorate


STDIN_TAKEN = "ssp.stdin"
"""The key in ``click`` context meta naming what read standard input already."""


class PersonalText(click.ParamType[Any, Any]):
    """Personal or free text (a name, a note, a reason): given, or read where no one else sees it.

    ``-`` reads the text from standard input, ``@PATH`` from a file (``@@`` starts a
    text with one ``@``), so that it lands neither in the shell history nor in the
    process list (``ps`` shows every local user a command's arguments). A final newline
    is dropped. Standard input can be read once per command.
    """

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the text: as given, from standard input (``-``) or from a file (``@PATH``)."""
        if not isinstance(value, str):
            return value
        what = f"--{param.name.replace('_', '-')}" if param and param.name else _("the text")
        if value == "-":
            meta = ctx.meta if ctx is not None else {}
            if STDIN_TAKEN in meta:
                _fail(
                    _("standard input is read for {taken} already; give {what} as @FILE").format(
                        taken=meta[STDIN_TAKEN], what=what
                    ),
                    param,
                    ctx,
                )
            meta[STDIN_TAKEN] = what
            return (sys.stdin.read() if sys.stdin is not None else "").removesuffix("\n")
        if value.startswith("@@"):
            return value[1:]
        if value.startswith("@"):
            try:
                with open(value[1:], encoding="utf-8") as handle:  # noqa: PTH123
                    return handle.read().removesuffix("\n")
            except OSError as exc:
                _fail(
                    _("cannot read {what} from {path}: {problem}").format(
                        what=what, path=value[1:], problem=exc.strerror
                    ),
                    param,
                    ctx,
                )
        return value


PERSONAL_TEXT = PersonalText()
"""The type of every option or argument that takes personal or free text."""


class Cursor(click.ParamType[Any, Any]):
    """A place in the case index to read on from (``DUE/CASE_ID``, as a list prints it)."""

    name = "cursor"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the cursor the text names; refuse text that is not one, saying what is."""
        if not isinstance(value, str):
            return value
        try:
            return CaseCursor.parse(value)
        except DataError as exc:
            _fail(str(exc), param, ctx)


CURSOR = Cursor()
"""The type of ``--after``: the cursor a page of a list ends with."""


def stdin_is_terminal() -> bool:
    """Tell whether standard input is a terminal (then secrets are asked for, hidden)."""
    return sys.stdin is not None and sys.stdin.isatty()


def read_cpr() -> str:
    """Read a CPR number from standard input: one line, or a hidden prompt at a terminal.

    The number is never echoed, and never taken from the command line (where the
    shell history and the process list would keep it).
    """
    taken = click.get_current_context(silent=True)
    if taken is not None and STDIN_TAKEN in taken.meta:
        raise DataError(
            _(
                "standard input was read for {taken} already; give that as @FILE, and the CPR "
                "number on standard input"
            ).format(taken=taken.meta[STDIN_TAKEN])
        )
    if stdin_is_terminal():
        return str(click.prompt(_("CPR number (not shown)"), hide_input=True, err=True))
    text = sys.stdin.readline().strip() if sys.stdin is not None else ""
    if not text:
        raise DataError(
            _(
                "--cpr-stdin read no CPR number: give it as one line on standard input, "
                "e.g. from a file or a password manager"
            )
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


JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print what was written as JSON (for scripts)."
)
"""The ``--json`` of a command that writes: it prints the case it made or changed."""


def print_written(
    casework: Casework, case: Case, actor: Actor, line: str, *, as_json: bool
) -> None:
    """Print what a command wrote: ``line``, or with ``--json`` the case as JSON.

    The JSON is the case as ``ssp case show --json`` prints it, read by the same actor.
    """
    if as_json:
        echo_json(case_summary(casework.view_of(case, actor)))
    else:
        click.echo(line)


def json_as_format(command: F) -> F:
    """Add ``--json`` to a command with ``--format ... json``: the same as ``--format json``.

    Data is printed as JSON with ``--json`` on every command; ``--format`` chooses among
    the other renderings (a table, CSV, a Mermaid diagram). Put it right below the
    command's decorator.
    """

    @click.option("--json", "as_json", is_flag=True, help="Print JSON (as --format json).")
    @functools.wraps(command)
    def wrapper(*args: Any, as_json: bool, fmt: str, **kwargs: Any) -> Any:
        return command(*args, fmt="json" if as_json else fmt, **kwargs)

    return wrapper  # type: ignore[return-value]
