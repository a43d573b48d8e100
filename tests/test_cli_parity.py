"""Every use case of ``Casework`` has a command, or a documented reason for none."""

from __future__ import annotations

import inspect

import click
import pytest

from ssp_core import Casework
from ssp_core.cli.app import cli
from ssp_core.cli.parity import COMMANDS, EXEMPT

USE_CASES = {
    name
    for name, member in inspect.getmembers(Casework, inspect.isfunction)
    if not name.startswith("_")
}


def command_at(path: str) -> click.Command:
    """Return the command ``ssp <path>`` (e.g. ``case assign``), failing if there is none."""
    ctx = click.Context(cli)
    command: click.Command = cli
    for name in path.split():
        assert isinstance(command, click.Group), f"ssp {path}: {name!r} is under a command"
        found = command.get_command(ctx, name)
        assert found is not None, f"no command ssp {path}"
        command = found
    return command


def test_every_use_case_has_a_command_or_a_reason() -> None:
    assert len(USE_CASES) >= 50
    assert sorted(USE_CASES - COMMANDS.keys() - EXEMPT.keys()) == [], "add it to cli/parity.py"
    assert sorted(COMMANDS.keys() & EXEMPT.keys()) == []
    assert sorted((COMMANDS.keys() | EXEMPT.keys()) - USE_CASES) == [], "no longer a use case"
    assert all(reason.strip() for reason in EXEMPT.values())


@pytest.mark.parametrize(("use_case", "path"), sorted(COMMANDS.items()))
def test_the_command_calls_its_use_case(use_case: str, path: str) -> None:
    command = command_at(path)
    assert command.callback is not None
    module = inspect.getmodule(inspect.unwrap(command.callback))
    assert module is not None
    assert f".{use_case}(" in inspect.getsource(module), f"ssp {path} does not call {use_case}"


def test_the_check_fails_on_a_command_that_is_not_there() -> None:
    with pytest.raises(AssertionError, match="no command ssp case nonsense"):
        command_at("case nonsense")
