"""``ssp walk`` end to end on an SQLite store with the Aalborg plugin."""

from __future__ import annotations

import json
from pathlib import Path

from ssp_core.store.url import open_store
from tests.test_cli_privacy import CONSULTANT, TEACHER, Run, one_error_line
from tests.test_cli_privacy import _db as _db  # noqa: PLC0414 (fixtures shared by import)
from tests.test_cli_privacy import _key_file as _key_file  # noqa: PLC0414
from tests.test_cli_privacy import _ssp as _ssp  # noqa: PLC0414


def _walk_id(ssp: Run) -> str:
    code, out, err = ssp(
        "walk",
        "plan",
        "--locality",
        "aalborg.romdrup_klarup",
        "--date",
        "2026-02-20",
        "--participant",
        "aalborg.romdrup_klarup_samraad",
        "--citizens",
        "2",
        "--topic",
        "aalborg.traffic_safety",
        *CONSULTANT,
    )
    assert code == 0, err
    return out.split(":")[0]


def test_plan_hold_record_assign_resolve_and_report(ssp: Run, tmp_path: Path) -> None:
    walk = _walk_id(ssp)
    assert ssp("walk", "held", walk, *CONSULTANT)[0] == 0
    code, out, err = ssp(
        "walk",
        "finding",
        walk,
        "--place",
        "Crossing by the hall",
        "--lat",
        "57.0121",
        "--lon",
        "10.0561",
        "--category",
        "aalborg.traffic_safety",
        "--description",
        "No crossing",
        *CONSULTANT,
    )
    assert code == 0, err
    finding = out.split(":")[0]
    assert "reported" in out
    code, out, err = ssp("walk", "assign", finding, "--to", "aalborg.roads_and_parks", *CONSULTANT)
    assert (code, out.strip()) == (0, f"{finding}: assigned, responsible aalborg.roads_and_parks")
    code, out, _ = ssp("walk", "findings", "--open", "--json", *CONSULTANT)
    (listed,) = json.loads(out)
    assert (listed["case_id"], listed["state"]) == (finding, "assigned")
    assert ssp("walk", "resolve", finding, *CONSULTANT)[0] == 0
    assert json.loads(ssp("walk", "findings", "--open", "--json", *CONSULTANT)[1]) == []
    code, out, err = ssp("walk", "report", walk, "--out", str(tmp_path / "rep"), *CONSULTANT)
    assert code == 0, err
    written = sorted(Path(line).suffix for line in out.split())
    assert written == [".html", ".md", ".png", ".svg"]
    before = {path: path.stat().st_mtime_ns for path in (tmp_path / "rep").iterdir()}
    code, out, err = ssp("walk", "report", walk, "--out", str(tmp_path / "rep"), *CONSULTANT)
    assert (code, out) == (1, "")
    assert err == (
        f"error: the folder {tmp_path / 'rep'} is not empty: name a new folder, or give "
        "--force to write the report's files into it (files of the same names are replaced)\n"
    )
    assert {path: path.stat().st_mtime_ns for path in (tmp_path / "rep").iterdir()} == before
    code, out, err = ssp(
        "walk", "report", walk, "--out", str(tmp_path / "rep"), "--force", *CONSULTANT
    )
    assert code == 0, err
    code, out, err = ssp("case", "history", walk, *CONSULTANT)
    assert code == 0, err
    assert "walk planned" in out and "WalkPlanned" not in out
    code, out, err = ssp("case", "history", finding, *CONSULTANT)
    assert "finding assigned" in out and "aalborg.roads_and_parks" in out
    code, out, _ = ssp("walk", "geojson", *CONSULTANT)
    collection = json.loads(out)
    assert collection["features"][0]["geometry"]["coordinates"] == [10.0561, 57.0121]
    assert ssp("walk", "close", walk, *CONSULTANT)[0] == 0


def test_import_lists_and_writes_the_open_findings(ssp: Run, tmp_path: Path) -> None:
    code, out, err = ssp("walk", "import", *CONSULTANT)
    assert code == 0, err
    assert out.count("finding(s)") == 3
    code, out, _ = ssp("walk", "import", "aalborg.gandrup_2016", *CONSULTANT)
    assert out.strip() == "aalborg.gandrup_2016: already in the store"
    code, out, _ = ssp("walk", "list", "--json", *CONSULTANT)
    assert sorted(w["locality"] for w in json.loads(out)) == [
        "aalborg.gandrup",
        "aalborg.grindsted_uggerhalne",
        "aalborg.romdrup_klarup",
    ]
    code, out, err = ssp("walk", "findings", "--open", "--out", str(tmp_path / "open"), *CONSULTANT)
    assert code == 0, err
    page = (tmp_path / "open" / "findings.html").read_text(encoding="utf-8")
    assert page.count("<tr>") == 1 + 4  # the header and the seed walks' four open findings
    # A frontline worker sees the findings, but not their descriptions.
    code, out, _ = ssp("walk", "findings", "--json", *TEACHER)
    assert {f["description"] for f in json.loads(out)} == {"[withheld]"}


def test_bad_input_is_one_error_line_and_changes_nothing(ssp: Run) -> None:
    walk = _walk_id(ssp)
    code, _, err = ssp(
        "walk",
        "finding",
        walk,
        "--place",
        "x",
        "--category",
        "lighting",
        "--description",
        "d",
        *CONSULTANT,
    )
    assert code == 1
    assert one_error_line(err) == (
        "error: findings are recorded on a walk once it is held and until it is closed; "
        f"walk {walk} is 'planned'"
    )
    ssp("walk", "held", walk, *CONSULTANT)
    code, _, err = ssp(
        "walk",
        "finding",
        walk,
        "--place",
        "x",
        "--lat",
        "95",
        "--lon",
        "10",
        "--category",
        "lighting",
        "--description",
        "d",
        *CONSULTANT,
    )
    assert code == 1
    assert "latitude must be a number from -90 to 90" in one_error_line(err)
    code, _, err = ssp(
        "walk",
        "finding",
        walk,
        "--place",
        "x",
        "--lat",
        "57",
        "--category",
        "lighting",
        "--description",
        "d",
        *CONSULTANT,
    )
    assert one_error_line(err) == "error: give both --lat and --lon (WGS84 degrees), or neither"
    code, _, err = ssp(
        "walk", "plan", "--locality", "atlantis", "--date", "2026-01-01", *CONSULTANT
    )
    assert one_error_line(err).startswith(
        "error: unknown locality 'atlantis'; known: aalborg.gandrup,"
    )
    code, _, err = ssp(
        "walk", "plan", "--locality", "aalborg.gandrup", "--date", "2026-01-01", *TEACHER
    )
    assert "may not case.open" in one_error_line(err)
    assert json.loads(ssp("walk", "findings", "--json", *CONSULTANT)[1]) == []


def test_an_output_file_that_cannot_be_written_is_one_error_line(
    ssp: Run, tmp_path: Path, db: Path
) -> None:
    target = tmp_path / "missing" / "findings.geojson"
    open_store(f"sqlite:///{db}").close()  # the store exists: read commands create none
    code, _, err = ssp("walk", "geojson", "--out", str(target), *CONSULTANT)
    assert code == 1
    assert one_error_line(err) == f"error: No such file or directory: {target}"
