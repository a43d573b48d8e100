from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssp_core.cli import main
from ssp_core.store import open_store


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_plugins_lists_each_plugin_with_what_it_contributes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "plugins", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["builtin"]["contributes"]["partner kind"]
    assert rows["aalborg"]["version"] == "0.2.0.dev0"
    # 7 workflows (four in 2 versions, two in 3) and the template of Aalborg's tracks
    assert len(rows["aalborg"]["contributes"]["workflow"]) == 16
    assert "ssp_register_workflows" in rows["aalborg"]["hooks"]
    code, out, _ = run(capsys, "plugins")
    # 7 workflows (four in 2 versions, two in 3) and the template of Aalborg's tracks
    assert code == 0 and "aalborg" in out and "workflow: 16" in out


def test_workflows_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "workflows", "list", "--json", "--kind", "action_card")
    assert code == 0
    ids = sorted((row["id"], row["version"]) for row in json.loads(out))
    assert ids == [
        ("aalborg.radicalisation_from_18", 1),
        ("aalborg.radicalisation_from_18", 2),
        ("aalborg.radicalisation_under_18", 1),
        ("aalborg.radicalisation_under_18", 2),
        ("aalborg.travel_from_18", 1),
        ("aalborg.travel_from_18", 2),
        ("aalborg.travel_from_18", 3),
        ("aalborg.travel_under_18", 1),
        ("aalborg.travel_under_18", 2),
        ("aalborg.travel_under_18", 3),
        ("core.radicalisation_from_18", 1),
        ("core.radicalisation_under_18", 1),
        ("core.travel_from_18", 1),
        ("core.travel_under_18", 1),
    ]
    code, out, _ = run(capsys, "--lang", "da", "workflows", "list")
    assert code == 0 and "Mentorforløb" in out


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (
            "text",
            "start_intervention: assessment -> intervention (guards: children_services_notified, parents_informed",
        ),
        (
            "mermaid",
            "assessment --> intervention: start_intervention [children_services_notified, parents_informed]",
        ),
        ("json", '"trigger": "start_intervention"'),
    ],
)
def test_workflows_show(capsys: pytest.CaptureFixture[str], fmt: str, expected: str) -> None:
    code, out, _ = run(
        capsys, "workflows", "show", "aalborg.radicalisation_under_18", "--format", fmt
    )
    assert code == 0
    assert expected in out
    if fmt == "json":
        assert json.loads(out)["id"] == "aalborg.radicalisation_under_18"
    if fmt == "mermaid":
        assert out.startswith("stateDiagram-v2")
        assert "closed --> [*]" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["workflows", "show", "aalborg.nothing"],
            "error: unknown workflow 'aalborg.nothing'; known: aalborg.dialogue_ambassador",
        ),
        (
            ["workflows", "show", "aalborg.mentor", "--version", "9"],
            "error: unknown version of workflow aalborg.mentor '9'; known: 1",
        ),
        (
            ["workflows", "show", "aalborg.mentor", "--version", "zero"],
            "error: Invalid value for '--version': 'zero' is not a valid integer",
        ),
        (
            ["workflows", "show", "aalborg.mentor", "--format", "pdf"],
            "error: Invalid value for '--format': 'pdf' is not one of",
        ),
        (["workflows", "fly"], "error: No such command 'fly'"),
        (["--lang", "fr", "plugins"], "error: Invalid value for '--lang'"),
    ],
)
def test_bad_input_gives_one_clear_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code != 0
    assert out == ""
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_blocked_plugin_is_gone(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--block", "aalborg", "workflows", "show", "aalborg.mentor")
    assert code == 1 and "unknown workflow 'aalborg.mentor'" in err
    code, out, _ = run(capsys, "--no-autoload", "plugins", "--json")
    assert [row["name"] for row in json.loads(out)] == ["builtin"]


def test_demo_walks_through_both_cards_and_a_track(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, err = run(capsys, "--store", url, "demo")
    assert code == 0, err
    for expected in (
        "card chosen: aalborg.radicalisation_under_18",
        "card chosen: aalborg.travel_from_18",
        "Refused, nothing changed",
        "What each actor may do next",
        "History of case AAL-0001",
        "History of case AAL-0003",
        "children_services_notified",
        "consent_given",
        "Re-identification: anne.ssp (aalborg.ssp_consultant)",
    ):
        assert expected in out
    flat = " ".join(out.split())  # the console wraps long lines
    for expected in (
        # The municipality discloses to the police under stk. 2, never under stk. 1.
        (
            "disclosed case, subject, notes of case AAL-0001 to aalborg.nordjyllands_politi "
            "under Retsplejeloven § 115, stk. 2"
        ),
        (
            "Disclosure refused, nothing shared: Retsplejeloven § 115, stk. 2 does not allow "
            "this disclosure to aalborg.mosque_1"
        ),
        (
            "aalborg.mosque_1 is civil society (mosque): only the person's recorded consent "
            "can cover it"
        ),
        # With the pupil's and a parent's consent, the mosque learns that a case exists.
        "disclosed case of case AAL-0001 to aalborg.mosque_1 under Databeskyttelsesforordningen",
    ):
        assert expected in flat
    assert "stk. 1, nr. 1" not in flat
    # the synthetic CPR numbers and names never show
    for secret in ("201109", "2011094017", "030806", "0308064121", "Alex Demo", "Sam Demo"):
        assert secret not in out
    # Three cases of the cards and the track, an advice request, the example walks
    # (3 walks, 9 findings) and the two example activities.
    assert "Read back from" in out and "18 cases read back" in out
    assert "History of case AAL-0004 (core.advice_request@1)" in out
    assert "Open safety-walk findings" in out
    assert (tmp_path / "demo.db.key").is_file()  # made on the first run, next to the store
    # A second run adds four more cases to the same store (the example walks are there
    # already), and reads those back.
    code, out, err = run(capsys, "--store", url, "demo")
    assert code == 0, err
    assert "Using the municipal key" in out
    assert "AAL-0019" in out and "AAL-0001 " not in out.split("Read back")[-1]
    assert "4 cases read back" in out
    with open_store(url) as store:
        assert store.count_cases() == 22
        assert [e.version for e in store.read_case("AAL-0021")] == list(range(1, 13))
        assert store.integrity_check() == "ok"  # type: ignore[attr-defined]


def test_demo_needs_the_aalborg_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--block", "aalborg", "demo")
    assert code == 1
    assert err.startswith("error: ssp demo needs the Aalborg plugin")


def test_the_console_script_runs_without_a_traceback() -> None:
    env = {**os.environ, "SSP_BLOCK_PLUGINS": "aalborg"}
    done = subprocess.run(
        [sys.executable, "-c", "from ssp_core.cli import run; run()", "workflows", "show", "nope"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    # With no plugin, only the core's own workflows (safety walks and findings, advice
    # requests, initiative activities) and its templates of the national model are known.
    assert done.stderr.strip() == (
        "error: unknown workflow 'nope'; known: core.advice_request, core.initiative_activity, "
        "core.prevention_track, core.radicalisation_from_18, core.radicalisation_under_18, "
        "core.safety_finding, core.safety_walk, core.travel_from_18, core.travel_under_18"
    )
    help_done = subprocess.run(
        [sys.executable, "-c", "from ssp_core.cli import run; run()", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert help_done.returncode == 0 and "demo" in help_done.stdout
