"""The committed command-line reference is what the click commands say, and lists every command."""

from __future__ import annotations

from pathlib import Path

from ssp_core.cli import reference

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference" / "cli.md"


def test_the_committed_reference_is_what_the_commands_say() -> None:
    committed = PAGE.read_text(encoding="utf-8")
    assert committed == reference.cli_reference(), (
        f"docs/reference/cli.md is out of date: run {reference.REGENERATE}"
    )


def test_every_command_has_its_heading_usage_and_options() -> None:
    page = PAGE.read_text(encoding="utf-8")
    paths = reference.command_paths()
    assert paths[0] == ("ssp",)
    assert ("ssp", "case", "open") in paths
    assert len(paths) >= 60
    for path in paths:
        name = " ".join(path)
        level = "##" if len(path) <= 2 else "###"
        assert f"\n{level} `{name}`\n" in page, name
        assert f"```text\n{name} " in page, name
    assert "| `--lang [da\\|en]` |" in page
    assert "(also: `SSP_LANG`)" in page


def test_the_page_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "\nreference/cli\n" in index


def test_main_writes_the_page_and_reports_no_change(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "cli.md"
    assert reference.main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == PAGE.read_text(encoding="utf-8")
    assert reference.main([str(target)]) == 0
    assert capsys.readouterr().out == f"{target}: written\n{target}: unchanged\n"
    assert reference.main([]) == 2
