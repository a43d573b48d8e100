"""click's own parser errors in the chosen language.

click writes "Missing option", "No such option", "Invalid value for ..." through its
own gettext catalogue, which follows the process locale, not ``--lang``. The command
line does not install a process-wide translation for it; instead
:func:`usage_message` rebuilds the common messages from what the exception holds
(which option, which value, which choices) through ssp_core's catalogue. In English,
and for a message it does not know, it returns click's own text.
"""

from __future__ import annotations

import re

import click

from ssp_core.i18n import _, current_language, ngettext

__all__ = ["usage_message"]

_NUMBER = re.compile(r"^(?P<value>'.*') is not a valid (?P<kind>integer|float)( range)?\.$")
_CHOICE = re.compile(r"^(?P<value>'.*') is not (one of )?(?P<choices>'.*')\.$")
_PATH = re.compile(r"^(?:File|Directory|Path|file|directory|path) (?P<path>'.*') does not exist\.$")
_COMMAND = re.compile(r"^No such command (?P<name>'.*')\.$")
_EXTRA = re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$")


def _value_problem(message: str) -> str:
    """Return click's message about a typed value in the current language, if it is known."""
    if found := _NUMBER.match(message):
        if found["kind"] == "integer":
            return _("{value} is not a whole number.").format(value=found["value"])
        return _("{value} is not a number.").format(value=found["value"])
    if found := _CHOICE.match(message):
        return _("{value} is not one of {choices}.").format(
            value=found["value"], choices=found["choices"]
        )
    if found := _PATH.match(message):
        return _("{path} does not exist.").format(path=found["path"])
    return message


def _hint(exc: click.MissingParameter | click.BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    if exc.param is not None:
        return exc.param.get_error_hint(exc.ctx)
    return ""


def _missing(exc: click.MissingParameter) -> str:
    kind = exc.param_type or (exc.param.param_type_name if exc.param else "option")
    extra = f" {exc.message}" if exc.message else ""
    if kind == "argument":
        return _("Missing argument {argument}.").format(argument=_hint(exc)) + extra
    return _("Missing option {option}.").format(option=_hint(exc)) + extra


def _suggestion(possibilities: list[str]) -> str:
    named = ", ".join(repr(p) for p in sorted(possibilities))
    return ngettext(
        "Did you mean {names}?", "Did you mean one of {names}?", len(possibilities)
    ).format(names=named)


def _other(exc: click.ClickException) -> str:
    message = exc.format_message()
    if found := _COMMAND.match(exc.message):
        text = _("No such command {name}.").format(name=found["name"])
        possibilities = getattr(exc, "possibilities", None)  # click 8.4's NoSuchCommand
        return f"{text} {_suggestion(possibilities)}" if possibilities else text
    if found := _EXTRA.match(message):
        return _("Unexpected extra arguments: {arguments}").format(arguments=found["args"])
    return message


def usage_message(exc: click.ClickException) -> str:
    """Return the message of a command-line error in the current language."""
    if current_language() == "en":
        return exc.format_message()
    if isinstance(exc, click.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click.NoSuchOption):
        text = _("No such option {option}.").format(option=repr(exc.option_name))
        return f"{text} {_suggestion(exc.possibilities)}" if exc.possibilities else text
    if isinstance(exc, click.BadParameter):
        return _("Invalid value for {parameter}: {problem}").format(
            parameter=_hint(exc), problem=_value_problem(exc.message)
        )
    return _other(exc)
