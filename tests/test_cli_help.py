"""``--help`` shows every command's summary whole, at any width."""

from __future__ import annotations

import click
import pytest

from ssp_core.cli import main
from ssp_core.cli.app import COMMANDS, cli


def squeezed(text: str) -> str:
    """``text`` without whitespace: a wrapped line (even at a hyphen) still contains it."""
    return "".join(text.split())


@pytest.mark.parametrize("columns", ["60", "80", "200"])
def test_every_summary_is_whole_in_ssp_help(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert main(["--help"]) == 0
    out = squeezed(capsys.readouterr().out)
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        assert squeezed(command.get_short_help_str(10_000)) in out, f"ssp {name}"


GROUPS = {
    name: command
    for name in sorted(COMMANDS)
    if isinstance(command := cli.get_command(click.Context(cli), name), click.Group)
}


def test_the_groups_are_found() -> None:
    assert {"case", "walk", "workflows", "store"} <= GROUPS.keys()


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_subcommand_summary_is_whole(
    group: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    command = GROUPS[group]
    assert main([group, "--help"]) == 0
    out = squeezed(capsys.readouterr().out)
    for name, sub in command.commands.items():
        if not sub.hidden:
            summary = sub.get_short_help_str(10_000)
            assert squeezed(summary) in out, f"ssp {group} {name}"
            assert not summary.endswith("...")
