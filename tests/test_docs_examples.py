"""The Python examples in the README and the overview page run, and print what they say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import ssp_core
from ssp_core.privacy.keys import write_key_file

ROOT = Path(__file__).parents[1]


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(
        rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL
    )


def run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})  # noqa: S102
    return out.getvalue()


def test_the_overview_example_prints_what_the_page_says() -> None:
    page = ROOT / "docs" / "overview.md"
    (code, *_) = blocks(page, "python")
    text = page.read_text(encoding="utf-8")
    printed = text[text.index(code) :].split("```text\n", 1)[1].split("```", 1)[0]
    assert run(code) == printed


def test_the_readme_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # the example writes the embedded store, ssp.db, here
    monkeypatch.delenv("SSP_KEY", raising=False)
    monkeypatch.setenv("SSP_KEY_FILE", str(tmp_path / "municipal.key"))
    (code,) = blocks(ROOT / "README.md", "python")
    with pytest.raises(ssp_core.ConfigError, match="municipal.key"):
        run(code)  # no key file yet: a persistent store has no default key
    assert not (tmp_path / "ssp.db").exists()
    write_key_file(tmp_path / "municipal.key")
    out = run(code)
    assert out.splitlines()[0].startswith("aalborg.radicalisation_")
    assert "refer_to_info_house True []" in out
    assert out.splitlines()[-1] == "analysis"


def test_the_safety_walks_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SSP_KEY", raising=False)
    write_key_file(tmp_path / "municipal.key")
    monkeypatch.setenv("SSP_KEY_FILE", str(tmp_path / "municipal.key"))
    (code,) = blocks(ROOT / "docs" / "safety-walks.md", "python")
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    exec(compile(code, "<doc example>", "exec"), namespace)  # noqa: S102
    (finding,) = namespace["open_ones"]  # type: ignore[misc]
    assert (finding.state, finding.responsible) == ("assigned", "aalborg.roads_and_parks")
