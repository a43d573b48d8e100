"""Tables on the command line: ids whole on one line at any width; free text wraps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ssp_core
from ssp_core import Actor, Casework, MunicipalKey
from ssp_core.cli import main
from ssp_core.cli.render import describe_event


@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_workflow_ids_are_whole_at_any_width(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert main(["workflows", "list", "--json"]) == 0
    ids = {row["id"] for row in json.loads(capsys.readouterr().out)}
    assert "aalborg.radicalisation_under_18" in ids
    assert main(["workflows", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for workflow_id in ids:
        assert any(f" {workflow_id} " in line for line in lines), workflow_id
    assert not any("…" in line for line in lines)


def test_free_text_wraps_in_its_column(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["workflows", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    (card,) = [
        r for r in rows if r["id"] == "aalborg.radicalisation_under_18" and r["version"] == 1
    ]
    assert main(["workflows", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(
        n for n, line in enumerate(lines) if " aalborg.radicalisation_under_18 │ 1 " in line
    )
    cells = [lines[start].split("│")[4].strip()]
    for line in lines[start + 1 :]:
        if line.split("│")[1].strip():  # the next row begins
            break
        cells.append(line.split("│")[4].strip())
    assert len(cells) > 1  # wrapped over several lines of its own column
    assert " ".join(cells) == card["label"]


def test_the_history_describes_every_event_of_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every event ``ssp demo`` writes has a name and details in ``ssp case history``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SSP_KEY_FILE", raising=False)
    assert main(["demo"]) == 0
    capsys.readouterr()
    casework = Casework(
        ssp_core.load_registry(),
        store=f"sqlite:///{tmp_path / 'ssp.db'}",
        key=MunicipalKey.from_file(tmp_path / "ssp.db.key"),
    )
    try:
        auditor = Actor("k", "aalborg.ssp_consultant")
        kinds = set()
        for row in casework.find(auditor):
            for event in casework.case(row.case_id, auditor, purpose="casework").events:
                name, _ = describe_event(event, casework.registry)
                assert name != type(event).__name__, f"{type(event).__name__} is not described"
                kinds.add(type(event))
    finally:
        casework.close()
    assert len(kinds) >= 12


def test_the_demo_at_full_verbosity_logs_no_personal_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ssp -vv demo`` enrols two people by CPR number and name: the log names neither."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SSP_KEY_FILE", raising=False)
    assert main(["-vv", "demo"]) == 0
    err = capsys.readouterr().err
    log = [line for line in err.splitlines() if line.startswith("ssp: ")]
    assert len(log) > 20
    assert any("stored CaseOpened" in line for line in log)
    for secret in ("201109", "4017", "030806", "4121", "Alex", "Sam Demo"):
        assert secret not in err
