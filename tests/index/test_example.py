from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "safety_index.py"


def test_the_example_runs_and_writes_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = runpy.run_path(str(EXAMPLE))["run"]
    result = run(tmp_path, n=3000, seed=2)
    out = capsys.readouterr().out
    assert "Nord 2025 unsafe:" in out
    assert "composite, Centrum vs Øst:" in out
    assert sorted(path.name for path in result["written"]) == [
        "composite_trend.png",
        "unsafe_changes.png",
        "unsafe_trend.png",
    ]
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in result["written"])
