from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from ssp_core.cli import EXIT_ERROR, EXIT_USAGE, main
from tests.index.conftest import HEADER, write_csv


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(name="files")
def _files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    survey, crime = tmp_path / "s.csv", tmp_path / "c.csv"
    code, out, err = run(
        capsys,
        "index",
        "synthetic",
        str(survey),
        "--n",
        "3000",
        "--seed",
        "1",
        "--crime",
        str(crime),
    )
    assert code == 0, err
    assert "wrote 3000 synthetic respondents" in out
    return survey, tmp_path / "s.toml", crime


def test_compute_table_csv_json(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    survey, config, _ = files
    code, out, err = run(capsys, "index", "compute", str(survey), "--by", "area,year")
    assert code == 0, err
    assert "Safety index by area, year" in out and "Centrum" in out and "composite*" in out
    code, out, _ = run(
        capsys,
        "index",
        "compute",
        str(survey),
        "--config",
        str(config),
        "--by",
        "area",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "t.csv"),
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["area"] for row in rows] == ["Centrum", "Nord", "Syd", "Vest", "Øst"]
    assert "problem_litter_mean" in rows[0]
    assert rows[0]["composite_note"] == "not the official police safety index"
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[0] == out.splitlines()[0]
    code, out, _ = run(
        capsys,
        "index",
        "compute",
        str(survey),
        "--by",
        "none",
        "--format",
        "json",
        "--method",
        "bootstrap",
        "--confidence",
        "0.9",
    )
    assert code == 0
    (overall,) = json.loads(out)
    assert overall["n"] == 3000
    assert overall["safe_share_low"] < overall["safe_share"] < overall["safe_share_high"]


def test_compare_plot_crime(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    survey, _, crime = files
    code, out, err = run(
        capsys, "index", "compare", str(survey), "--between", "Centrum,2025", "Øst,2025"
    )
    assert code == 0, err
    assert "Differences in unsafe_share" in out and "pp *" in out
    code, out, _ = run(
        capsys,
        "index",
        "compare",
        str(survey),
        "--along",
        "area",
        "--format",
        "json",
        "--level",
        "year=2025",
    )
    assert code == 0
    assert len(json.loads(out)) == 10
    code, out, err = run(
        capsys,
        "index",
        "plot",
        str(survey),
        "--measure",
        "composite",
        "--out",
        str(tmp_path / "plots"),
    )
    assert code == 0, err
    assert (tmp_path / "plots" / "composite_trend.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "plots" / "composite_trend.svg").is_file()
    code, out, _ = run(
        capsys,
        "index",
        "plot",
        str(survey),
        "--kind",
        "groups",
        "--by",
        "area",
        "--format",
        "svg",
        "--out",
        str(tmp_path / "plots"),
    )
    assert code == 0 and out.strip().endswith("unsafe_share_groups.svg")
    code, out, _ = run(capsys, "index", "crime", str(crime))
    assert code == 0 and "Reported crime per 1,000 residents" in out
    code, out, _ = run(capsys, "index", "crime", str(crime), "--format", "csv", "--per", "100000")
    assert (
        code == 0 and out.splitlines()[0] == "area,year,crimes,population,rate_per_100000,low,high"
    )


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        (
            [("r1", "A", 2024, -2, 3)],
            (),
            "1 row: weight: the weight is zero or negative; weights must be positive (row 2)",
        ),
        (
            [("r1", "A", 2024, 1, 9)],
            (),
            "safety: answer outside the scale; allowed: whole numbers 1 to 7 (row 2)",
        ),
        (
            [("r1", "A", 2024, 1, 3)],
            ("--level", "year=2023"),
            "1 requested group(s) have no respondents (area, year): A, 2023",
        ),
        (
            [("r1", "A", 2024, 1, 3)],
            ("--by", "district"),
            "cannot group by 'district'; allowed: area, year",
        ),
        ([("r1", "A", 2024, 1, 3)], ("--measure", "x"), "unknown measure 'x'"),
    ],
)
def test_bad_data_is_one_line_without_traceback(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rows: list[tuple[object, ...]],
    extra: tuple[str, ...],
    message: str,
) -> None:
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    code, out, err = run(capsys, "index", "compute", str(path), *extra)
    assert code == EXIT_ERROR
    assert out == ""
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_drop_invalid_reports_how_many(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = [
        ("r1", "A", 2024, 1, 3),
        ("r2", "A", 2024, 0, 3),
        ("r3", "A", 2024, 1, 8),
        ("r4", "A", 2024, 1, 6),
    ]
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    code, out, err = run(
        capsys,
        "index",
        "compute",
        str(path),
        "--drop-invalid",
        "--format",
        "json",
        "--level",
        "year=2023,2024",
    )
    assert code == 0, err
    assert "read 4 rows, kept 2, dropped 2" in err
    assert "no respondents, left out: 1 group(s): A, 2023" in err
    assert json.loads(out)[0]["n"] == 2


def test_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "index", "compute", str(tmp_path / "missing.csv"))
    assert code == EXIT_USAGE and "does not exist" in err
    path = write_csv(tmp_path / "s.csv", HEADER, [("r1", "A", 2024, 1, 3)])
    code, _, err = run(capsys, "index", "compute", str(path), "--level", "year")
    assert code == EXIT_USAGE and "NAME=LEVEL" in err
    code, _, err = run(capsys, "index", "synthetic", str(tmp_path / "x.csv"), "--years", "soon")
    assert code == EXIT_USAGE and "2021-2025" in err


def test_areas_that_look_like_digits_but_are_not_ascii_are_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails: it is a name, not a traceback."""
    out_file = tmp_path / "x.csv"
    code, _, err = run(capsys, "index", "synthetic", str(out_file), "--n", "50", "--areas", "²")
    assert code == 0, err
    with out_file.open(encoding="utf-8") as handle:
        assert {row["area"] for row in csv.DictReader(handle)} == {"²"}
    code, _, err = run(capsys, "index", "synthetic", str(out_file), "--areas", "100")
    assert code == EXIT_USAGE and "from 1 to 99" in err
