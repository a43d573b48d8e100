"""Every use case of ``Casework`` has a command, or a documented reason for none."""

from __future__ import annotations

import inspect

import click
import pytest

from ssp_core import Casework
from ssp_core.cli.app import cli
from ssp_core.cli.parity import COMMANDS, EXEMPT, WITHOUT_JSON

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


def leaf_commands() -> dict[str, click.Command]:
    """Return every command that runs (not a group), by its path."""
    ctx = click.Context(cli)
    found: dict[str, click.Command] = {}

    def visit(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                visit(sub, f"{path} {name}".strip())
        else:
            found[path] = command

    visit(cli, "")
    return found


def test_every_command_prints_json_or_says_why_not() -> None:
    commands = leaf_commands()
    assert len(commands) >= 70
    without = sorted(
        path
        for path, command in commands.items()
        if not any("--json" in getattr(param, "opts", ()) for param in command.params)
    )
    assert without == sorted(WITHOUT_JSON), "give it --json, or a reason in WITHOUT_JSON"
    assert all(reason.strip() for reason in WITHOUT_JSON.values())


def test_json_is_never_only_a_format() -> None:
    for path, command in leaf_commands().items():
        formats = [p for p in command.params if "--format" in getattr(p, "opts", ())]
        for param in formats:
            choices = getattr(param.type, "choices", ())
            if "json" in choices:
                assert any("--json" in getattr(p, "opts", ()) for p in command.params), path
