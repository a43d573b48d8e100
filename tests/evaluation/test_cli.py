"""``ssp evaluate`` end to end on an SQLite store made by ``ssp demo``; errors in one line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ssp_core import index
from ssp_core.cli import main
from ssp_core.plugins import manager
from ssp_core.plugins.manager import PluginHost
from ssp_core.store import open_store
from ssp_core.store.records import AuditAction, AuditQuery
from tests.evaluation.scenario import EvaluatorPlugin

EVALUATOR = ("--actor", "eve", "--role", "evaluator")
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(name="ssp")
def _ssp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """``ssp --store sqlite:///ssp.db ...`` with the installed plugins and the evaluator role."""
    real = manager.create_plugin_host

    def host(**options: object) -> PluginHost:
        return real(**options, plugins=(EvaluatorPlugin(),))  # type: ignore[arg-type]

    monkeypatch.setattr(manager, "create_plugin_host", host)
    for name in ("SSP_KEY", "SSP_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'ssp.db'}"
    open_store(url).close()  # the store exists: read commands create none

    def run(*args: str, lang: str = "en") -> tuple[int, str, str]:
        code = main(["--lang", lang, "--store", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.url = url  # type: ignore[attr-defined]
    return run


@pytest.fixture(name="demo")
def _demo(ssp: Run) -> Run:
    code, _, err = ssp("demo")
    assert code == 0, err
    return ssp


def _one_error_line(err: str) -> str:
    assert err.startswith("error: "), err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_a_term_report_is_written_for_a_demo_store(demo: Run, tmp_path: Path) -> None:
    out = tmp_path / "term"
    code, stdout, err = demo(
        "evaluate", "term", "2026-2029", "--out", str(out), *EVALUATOR, lang="da"
    )
    assert code == 0, err
    assert str(out / "report.md") in stdout and str(out / "report.html") in stdout
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Samlet evaluering: Tryg Aalborg, byrådsperioden 2026\u20132029")
    assert "## Mål" in markdown and "## Indsatser" in markdown and "## Opfølgning" in markdown
    # The demo's three cases are far too few: every count of them is hidden.
    cells = re.findall(r"<td>(\d+)</td>", (out / "report.html").read_text(encoding="utf-8"))
    assert cells and all(int(cell) == 0 or int(cell) >= 5 for cell in cells)
    store = open_store(demo.url)  # type: ignore[attr-defined]
    try:
        entries = store.read_audit(AuditQuery(actor="eve"))
    finally:
        store.close()
    assert [(e.action, e.purpose) for e in entries] == [(AuditAction.EXPORT, "research")]
    code, _, err = demo("evaluate", "term", "2022-2025", "--out", str(tmp_path / "old"), *EVALUATOR)
    assert code == 0, err


def test_an_initiative_report_with_survey_and_crime_files(demo: Run, tmp_path: Path) -> None:
    survey = index.generate(800, years=(2025, 2026), seed=3).to_csv(tmp_path / "survey.csv")
    crime = index.generate_crime(years=(2025, 2026), seed=3).to_csv(tmp_path / "crime.csv")
    out = tmp_path / "nightlife"
    code, _, err = demo(
        "evaluate", "initiative", "safe_nightlife", "--from", "2026-01-01", "--to", "2026-12-31",
        "--survey", str(survey), "--crime", str(crime), "--out", str(out), *EVALUATOR, lang="en",
    )  # fmt: skip
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == {
        "report.md", "report.html", "safety_index.png", "safety_index.svg",
        "reported_crime.png", "reported_crime.svg",
    }  # fmt: skip
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Evaluation of the initiative: A safe nightlife")
    assert "| Area | 2026 |" in markdown and "2025 |" not in markdown
    assert "survey: survey.csv" in markdown


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("term", "2023-2026"), 2, "no council term begins in 2023"),
        (("initiative", "safety_walks"), 2, "give the period: --from and --to, or --term"),
        (("initiative", "nope", "--term", "2026-2029"), 1, "unknown initiative 'nope'; known:"),
        (("term", "2026-2029", "--survey", "missing.csv"), 2, "'missing.csv' does not exist"),
        (("term", "2018-2021"), 1, "2018-2021 is not a council term of strategy"),
    ],
)
def test_bad_input_ends_with_one_error_line(
    ssp: Run, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result, _, err = ssp("evaluate", *args, "--out", str(tmp_path / "out"), *EVALUATOR)
    assert result == code
    assert message in _one_error_line(err)
    assert not (tmp_path / "out").exists()


def test_a_role_without_the_grant_is_refused_and_nothing_is_written(
    ssp: Run, tmp_path: Path
) -> None:
    code, _, err = ssp(
        "evaluate", "term", "2026-2029", "--out", str(tmp_path / "out"),
        "--actor", "dan", "--role", "aalborg.frontline_worker",
    )  # fmt: skip
    assert code == 1
    assert "report.evaluate" in _one_error_line(err)
    assert not (tmp_path / "out").exists()


def test_an_earlier_report_is_never_overwritten(ssp: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("mine", encoding="utf-8")
    code, _, err = ssp("evaluate", "term", "2026-2029", "--out", str(out), *EVALUATOR)
    assert code == 1
    assert "is not an empty directory" in _one_error_line(err)
    assert (out / "report.md").read_text(encoding="utf-8") == "mine"


def test_the_files_given_are_named_in_the_report_s_language(demo: Run, tmp_path: Path) -> None:
    survey = index.generate(800, years=(2025, 2026), seed=3).to_csv(tmp_path / "survey.csv")
    for lang, named in (("da", "tryghedsundersøgelse: survey.csv"), ("en", "survey: survey.csv")):
        out = tmp_path / lang
        code, _, err = demo(
            "evaluate", "initiative", "safe_nightlife", "--from", "2026-01-01",
            "--to", "2026-12-31", "--survey", str(survey), "--out", str(out), *EVALUATOR,
            lang=lang,
        )  # fmt: skip
        assert code == 0, err
        assert named in (out / "report.md").read_text(encoding="utf-8")
