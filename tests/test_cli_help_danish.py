"""``--help`` in the chosen language: every help page of ``ssp`` under ``--lang da``."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ssp_core.cli.app import cli
from ssp_core.cli.helptext import check, translate_help
from ssp_core.cli.reference import command_paths
from ssp_core.i18n import language
from tests.english import english_words, summary

PATHS = [path[1:] for path in command_paths()]


def _prose(page: str) -> str:
    """Return a help page without what is not prose: usage, command names, [choices]."""
    lines = []
    in_commands = in_usage = False
    for line in page.splitlines():
        if line.startswith("Brug: "):
            in_usage = True
            continue
        if in_usage and line.startswith(" ") and line.strip():
            continue  # the usage line, wrapped
        in_usage = False
        if line.strip() in {"Kommandoer:", "Tilvalg:"}:
            in_commands = line.strip() == "Kommandoer:"
            continue
        named = in_commands and line.startswith("  ") and not line.startswith("   ")
        lines.append(line.strip().partition(" ")[2] if named else line)  # a name is an id
    text = re.sub(r"\[[^\]]*\]", " ", "\n".join(lines))  # choices and defaults are values
    return re.sub(r"'[^']{1,40}'", " ", text)  # and so is a value in quotes: 'none'


def test_every_help_text_is_translated() -> None:
    # every command's help, every option's help and every summary of the command tree
    assert check() == []


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "ssp")
def test_every_help_page_is_danish(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(
        cli, ["--lang", "da", *path, "--help"], terminal_width=80, prog_name="ssp"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Brug: ssp")
    found = english_words(_prose(result.output))
    assert not found, summary(found)
    english = CliRunner().invoke(cli, [*path, "--help"], terminal_width=80, prog_name="ssp")
    assert english.output.startswith("Usage: ssp")


def test_click_s_own_additions_are_translated_and_the_rest_kept() -> None:
    text = "Language of all output: messages, tables, reports, plots (also: SSP_LANG)."
    with language("da"):
        shown = translate_help(f"{text}  [default: en]")
        assert shown.endswith("  [standard: en]")
        assert not shown.startswith("Language")
        assert translate_help("[required]") == "[påkrævet]"
        assert translate_help("not a help text of ssp") == "not a help text of ssp"
    assert translate_help(f"{text}  [default: en]") == f"{text}  [default: en]"


def test_ssp_lang_da_before_help_makes_the_root_page_danish() -> None:
    result = CliRunner().invoke(cli, ["--lang", "da", "--help"], terminal_width=80, prog_name="ssp")
    assert "Tilvalg:" in result.output and "Kommandoer:" in result.output
    result = CliRunner().invoke(cli, ["--help"], terminal_width=80, prog_name="ssp")
    assert "Options:" in result.output and "Commands:" in result.output
