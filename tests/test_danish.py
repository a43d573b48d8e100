"""``--lang da`` all the way: the demo and the main reports carry no English interface text.

The demo is run at 80 columns (the width of a pipe), then the council-term evaluation
and a safety-walk report are written from its store; every line printed and every
report file is searched for English words (:mod:`tests.english`). Ids (``AAL-0001``,
``aalborg.mentor``) are not words and are allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ssp_core.cli import main
from ssp_core.plugins import manager
from ssp_core.plugins.manager import PluginHost
from tests.english import english_words, summary
from tests.evaluation.scenario import EvaluatorPlugin

Run = Callable[..., tuple[int, str, str]]
EVALUATOR = ("--actor", "eve", "--role", "evaluator")
CONSULTANT = ("--actor", "anne.ssp", "--role", "aalborg.ssp_consultant")


@pytest.fixture(name="ssp")
def _ssp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    real = manager.create_plugin_host

    def host(**options: object) -> PluginHost:
        return real(**options, plugins=(EvaluatorPlugin(),))  # type: ignore[arg-type]

    monkeypatch.setattr(manager, "create_plugin_host", host)
    for name in ("SSP_KEY", "SSP_KEY_FILE", "SSP_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'ssp.db'}"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--lang", "da", "--store", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _no_english(text: str, where: str) -> None:
    found = english_words(text)
    assert not found, f"English in {where}:\n{summary(found)}"


def _walk_id(output: str) -> str:
    return output.split(":", maxsplit=1)[0]


def test_the_demo_and_the_main_reports_speak_danish(
    ssp: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = ssp("demo")
    assert code == 0, err
    _no_english(out + err, "ssp --lang da demo")
    monkeypatch.setenv("SSP_KEY_FILE", str(tmp_path / "ssp.db.key"))  # the key the demo made

    report = tmp_path / "term"
    code, out, err = ssp("evaluate", "term", "2026-2029", "--out", str(report), *EVALUATOR)
    assert code == 0, err
    _no_english(out + err, "ssp --lang da evaluate term")
    for name in ("report.md", "report.html"):
        _no_english((report / name).read_text(encoding="utf-8"), f"the term report's {name}")

    code, out, err = ssp(
        "walk", "plan", "--locality", "aalborg.romdrup_klarup", "--date", "2026-02-20",
        "--participant", "aalborg.romdrup_klarup_samraad", "--citizens", "2",
        "--topic", "aalborg.traffic_safety", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    _no_english(out + err, "ssp --lang da walk plan")
    walk = _walk_id(out)
    assert ssp("walk", "held", walk, *CONSULTANT)[0] == 0
    code, out, err = ssp(
        "walk", "finding", walk, "--place", "Krydset ved hallen", "--lat", "57.0121",
        "--lon", "10.0561", "--category", "aalborg.traffic_safety",
        "--description", "Intet fodgængerfelt", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    _no_english(out + err, "ssp --lang da walk finding")
    walk_report = tmp_path / "walk"
    code, out, err = ssp("walk", "report", walk, "--out", str(walk_report), *CONSULTANT)
    assert code == 0, err
    _no_english(out + err, "ssp --lang da walk report")
    for path in sorted(walk_report.iterdir()):
        text = path.read_text(encoding="utf-8") if path.suffix != ".png" else ""
        if path.suffix == ".svg":  # matplotlib draws text as glyphs and names it in a comment
            text = "\n".join(re.findall(r"<!-- (.*?) -->", text))
        _no_english(text, f"the walk report's {path.name}")


def test_the_same_commands_speak_english_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SSP_KEY", "SSP_KEY_FILE", "SSP_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["--store", f"sqlite:///{tmp_path / 'ssp.db'}", "demo"]) == 0
    out = capsys.readouterr().out
    assert len(english_words(out)) > 100  # the detector finds English where it is meant
