"""``ssp simulate``: a scenario run from the command line, its files, its errors, in Danish too."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssp_core.cli.entry import main
from ssp_core.simulation.experiment import MEASURES
from tests.english import english_words

pytest.importorskip("simpy")

EXAMPLE = Path(__file__).parents[2] / "examples" / "scenarios" / "aalborg.toml"


def ssp(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``ssp`` as the console script does, in isolation: exit code, output, errors."""
    with CliRunner().isolation(env={"COLUMNS": "80", **(env or {})}) as (out, err, _):
        code = main(list(args))
    return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture(name="short")
def _short(tmp_path: Path) -> Path:
    """The Aalborg example over 90 days, written beside the test's files."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("horizon_days = 365", "horizon_days = 90").replace(
        "warmup_days = 56", "warmup_days = 14"
    )
    path = tmp_path / "short.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_run_prints_each_arm_and_writes_tables_plots_and_the_report(
    short: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = ssp(
        "simulate", str(short), "--replications", "3", "--workers", "1", "--out", str(out)
    )
    assert code == 0, stderr
    assert "3 replications per arm" in stdout
    assert "today (baseline)" in stdout
    assert "difference" in stdout  # the column "difference from today", wrapped
    assert all(len(line) <= 80 for line in stdout.splitlines() if not line.startswith("wrote "))
    names = {path.name for path in out.iterdir()}
    assert {"figures.csv", "series.csv", "summary.csv", "differences.csv", "report.md"} <= names
    assert "backlog.svg" in names
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "STRESS" in report
    again = ssp("simulate", str(short), "--replications", "3", "--workers", "1", "--out", str(out))
    assert again[0] != 0
    assert again[2].startswith("error: ")
    assert "not an empty directory" in again[2]


def test_the_same_file_gives_the_same_json_whatever_the_workers(short: Path) -> None:
    one = ssp("simulate", str(short), "--replications", "2", "--workers", "1", "--json")
    two = ssp("simulate", str(short), "--replications", "2", "--workers", "2", "--json")
    assert one[0] == two[0] == 0, one[2] + two[2]
    assert json.loads(one[1]) == json.loads(two[1])
    found = json.loads(one[1])
    assert found["replications"] == 2
    assert {s["arm"] for s in found["summaries"]} == {
        "today",
        "one consultant fewer",
        "analysis within 7 days",
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--replications", "none"), "'none' is neither a whole number 1 or more nor auto"),
        (("--replications", "0"), "'0' is neither a whole number 1 or more nor auto"),
        (("--workers", "0"), "--workers"),
    ],
)
def test_bad_options_are_one_clear_line(short: Path, args: tuple[str, ...], expected: str) -> None:
    code, _out, err = ssp("simulate", str(short), *args)
    assert code != 0
    assert expected in err
    assert "Traceback" not in err


def test_a_mistake_in_the_file_names_the_line_and_what_is_allowed(
    short: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        short.read_text(encoding="utf-8").replace("absence = 0.08", "absense = 0.08", 1),
        encoding="utf-8",
    )
    code, _out, err = ssp("simulate", str(broken), "--replications", "1", "--workers", "1")
    assert code != 0
    line = err.strip()
    assert line.startswith("error: ")
    assert len(line.splitlines()) == 1
    assert "unknown key absense" in line
    assert "allowed:" in line
    assert "line " in line


def test_in_danish_the_output_has_no_english_words(short: Path, tmp_path: Path) -> None:
    out = tmp_path / "da"
    code, stdout, stderr = ssp(
        "--lang",
        "da",
        "simulate",
        str(short),
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    assert "replikationer pr. arm" in stdout
    # measure names are ids and arm names the file's data; the words around them are Danish
    text = stdout
    for name in (*MEASURES, "today", "one consultant fewer", "analysis within 7 days"):
        text = text.replace(name, "")
    words = english_words(text)
    assert not words, words


def test_the_example_is_valid_toml_with_every_arm_named() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert [arm["name"] for arm in data["arms"]] == [
        "today",
        "one consultant fewer",
        "analysis within 7 days",
    ]


def test_auto_runs_until_the_precision_of_the_file(short: Path) -> None:
    busy = short.with_name("busy.toml")  # more concerns: every replication has first actions
    text = short.read_text(encoding="utf-8").replace("per_week = 0.8", "per_week = 3.0")
    busy.write_text(text.replace("precision = 0.05", "precision = 0.25"), encoding="utf-8")
    code, stdout, stderr = ssp(
        "simulate", str(busy), "--replications", "auto", "--workers", "1", "--json"
    )
    assert code == 0, stderr
    found = json.loads(stdout)
    assert found["reached"] is True
    assert found["replications"] == found["needed"] >= 3
    shown = [
        s for s in found["summaries"] if s["measure"] == "days_to_first_action" and s["group"] == ""
    ]
    assert len(shown) == 3
    assert all(s["half_width"] <= 0.25 * abs(s["mean"]) for s in shown)


def test_without_the_extra_the_command_says_how_to_install_it(
    short: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util  # noqa: PLC0415

    real = importlib.util.find_spec

    def without_simpy(name: str, *args: object) -> object:
        return None if name == "simpy" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_simpy)
    code, _out, err = ssp("simulate", str(short), "--replications", "1", "--workers", "1")
    assert code != 0
    line = err.strip()
    assert len(line.splitlines()) == 1
    assert line.startswith("error: scenarios need simpy: pip install")
    assert "[simulation]" in line
