"""The examples run, and say what they claim."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"


def run_example(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    return capsys.readouterr().out


def test_embedding(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_example("embedding.py", capsys)
    assert "card: aalborg.radicalisation_under_18 state: received" in out
    assert "due: ['2026-03-04', '2026-03-03']" in out  # the step, and the § 133 notification
    assert "refused: trigger 'start_intervention'" in out
    assert "history: ['CaseOpened', 'FactRecorded', 'Transitioned']" in out


def test_other_municipality(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_example("other_municipality.py", capsys)
    assert "plugins: ['builtin', 'aalborg', 'eksempelby']" in out
    assert "frontline_worker from: eksempelby" in out


def test_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_example("scenario.py", capsys)
    assert "cases per card: {'aalborg.radicalisation_from_18':" in out
    counts = runpy.run_path(str(EXAMPLES / "scenario.py"))["run"](concerns=40, seed=1)
    assert sum(counts["cases per card"].values()) == 40
    assert sum(counts["outcomes"].values()) == 40


def test_scenario_in_python(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("simpy")
    out = run_example("scenario_in_python.py", capsys)
    assert out.startswith("baseline: ")
    found = runpy.run_path(str(EXAMPLES / "scenario_in_python.py"))["run"](replications=3)
    assert list(found) == [
        "baseline",
        "arrivals:aalborg.radicalisation=2",
        "arrivals:aalborg.radicalisation=3",
    ]
    busy = [utilisation for _days, _half, utilisation in found.values()]
    assert busy[0] < busy[1] < busy[2]  # more concerns, the same consultants: busier


def test_safety_followup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = runpy.run_path(str(EXAMPLES / "safety_followup.py"))["run"](tmp_path)
    out = capsys.readouterr().out
    assert (
        "walks: ['aalborg.romdrup_klarup', 'aalborg.grindsted_uggerhalne', 'aalborg.gandrup']"
        in out
    )
    assert "open findings: 4" in out
    assert len(done["walks"]) == 3
    report = (tmp_path / "term" / "report.md").read_text(encoding="utf-8")
    # The seed's structure: goals, initiatives, follow-up.
    assert report.index("## Mål") < report.index("## Indsatser") < report.index("## Opfølgning")
    assert (tmp_path / "walk" / "walk-AAL-0001.html").is_file()
