"""The STRESS-DES report of an experiment: six sections, inert user text, Danish when chosen.

Every text the researcher gave (names, descriptions, what the model leaves out) is
written with Markdown and HTML specials and a line break, and must come out as the
same text, not as markup. The report of the real queueing kernel, run on common
random numbers, states what pairing found.
"""

from __future__ import annotations

import html
import re
from importlib import metadata

import markdown
import pytest

from ssp_core.i18n import language
from ssp_core.simulation.report import ExperimentInfo, software_versions, stress_report
from ssp_core.simulation.results import Figure, ReplicationResult, Results, replication_seed
from ssp_core.simulation.station import Station, simulate
from ssp_core.simulation.statistics import differences, summarise
from tests.english import english_words, summary

EVIL = "*bold*_it_ [link](http://x) <script>alert(1)</script>\n# not a heading"
SECTIONS = ("Objectives", "Logic", "Data", "Experimentation", "Implementation", "Code access")
SECTIONS_DA = ("Formål", "Logik", "Data", "Eksperimenter", "Implementering", "Adgang til koden")


def info(**changes: object) -> ExperimentInfo:
    fields: dict[str, object] = {
        "name": "Bemanding i SSP-sekretariatet",
        "objective": "Hvor længe venter en bekymring?\n\nOg hvad gør en konsulent mere?",
        "logic": "Bekymringer ankommer tilfældigt og behandles af konsulenterne.",
        "data": "Antagne rater.",
        "arms": (("nu", "to konsulenter"), ("flere", "tre konsulenter")),
        "seed": 19,
        "replications": 10,
        "warmup": 50.0,
        "horizon": 400.5,
        "time_unit": "dage",
        "executor": "serielt",
        "left_out": ("ferier",),
        "software": (("python", "3.11.7"), ("ssp-core", "1.0"), ("simpy", "")),
        "system": "Linux",
    }
    return ExperimentInfo(**(fields | changes))  # type: ignore[arg-type]


def kernel_results() -> Results:
    """Two stations on common random numbers, their figures taken in the test."""
    arms = {"nu": Station(2.0, 1.0, 3), "flere": Station(2.0, 1.0, 4)}
    found = []
    for arm, station in arms.items():
        for index in range(8):
            run = simulate(station, horizon=400.5, warmup=50.0, seed=replication_seed(19, index))
            figures = (
                Figure("in_system", "", run.in_system),
                Figure("mean_wait", "", run.mean_wait),
                Figure("served", "", float(run.served)),
            )
            found.append(ReplicationResult(arm, index, figures, events=run.events))
    return Results(tuple(arms), 19, tuple(found))


def hand_results(arms: tuple[str, str] = ("nu", "flere"), group: str = "") -> Results:
    replications = tuple(
        ReplicationResult(arm, index, (Figure("wait", group, 3.0 + index * 0.5 - shift),))
        for arm, shift in zip(arms, (0.0, 1.25), strict=True)
        for index in range(4)
    )
    return Results(arms, 7, replications)


def report_of(results: Results, experiment: ExperimentInfo, files: tuple[str, ...] = ()) -> str:
    return stress_report(experiment, summarise(results), differences(results), files)


def headings(text: str, level: int = 2) -> list[str]:
    return re.findall(rf"^{'#' * level} (.+)$", text, flags=re.MULTILINE)


# -- the six sections ----------------------------------------------------------------


def test_the_report_has_the_six_stress_sections_in_order() -> None:
    text = report_of(kernel_results(), info(), files=("figures.csv", "in_system.svg"))
    assert headings(text) == [f"{n}. {name}" for n, name in enumerate(SECTIONS, start=1)]
    assert headings(text, 1) == ["Simulation experiment: Bemanding i SSP-sekretariatet"]
    assert "STRESS-DES" in text
    for wanted in (
        "Hvor længe venter en bekymring?\n\nOg hvad gør en konsulent mere?",  # two paragraphs
        "- **flere**: tre konsulenter",
        "- ferier",
        "the first 50 dage are a warm-up period",
        "400.5 dage in all, of which 350.5 dage are measured",
        "**Replications:** 10 per arm.",
        "SeedSequence(19, spawn\\_key=(replication,))",
        "python 3.11.7, ssp-core 1.0, simpy not installed",
        "- figures.csv",
    ):
        assert wanted in text, wanted


def test_the_tables_give_each_mean_and_each_paired_difference() -> None:
    results = kernel_results()
    text = report_of(results, info())
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| Arm | Measure | Group | n | Mean | SD | 95 % interval |"
    assert rows[2].startswith("| nu | in\\_system | all | 8 | ")
    found = {d.measure: d for d in differences(results)}
    assert found["mean_wait"].excludes_zero  # a fourth consultant shortens the waits
    for measure, difference in found.items():
        (row,) = [
            r
            for r in rows
            if r.startswith(f"| flere | {measure.replace('_', chr(92) + '_')} | all | 8 |")
        ][1:]
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for shown, exact in zip(
            cells[6].split(" to "), (difference.low, difference.high), strict=True
        ):
            decimals = len(shown.partition(".")[2])
            assert float(shown) == pytest.approx(exact, abs=0.5 * 10**-decimals + 1e-12)
        assert cells[7] == ("yes" if difference.excludes_zero else "no")
    assert "Each arm minus the baseline, nu, paired by replication." in text


def test_one_replication_and_one_arm_are_reported_as_such() -> None:
    results = Results(("nu",), 1, (ReplicationResult("nu", 0, (Figure("wait", "", 2.5),)),))
    text = report_of(results, info(arms=(("nu", ""),), replications=1))
    assert "| nu | wait | all | 1 | 2.500 | \N{EN DASH} | none (one replication) |" in text
    assert "No arm to compare with the baseline." in text
    assert "- **nu**: not described" in text


# -- inert user text -----------------------------------------------------------------


def test_every_text_the_researcher_gave_is_inert() -> None:
    evil_arms = (EVIL, "plain")
    results = hand_results(evil_arms, group=EVIL)
    text = report_of(
        results,
        info(
            name=EVIL,
            objective=EVIL,
            logic=EVIL,
            data=EVIL,
            arms=((EVIL, EVIL), ("plain", EVIL)),
            left_out=(EVIL,),
            time_unit=EVIL,
            executor=EVIL,
            replication_rule=EVIL,
            system=EVIL,
            code=EVIL,
        ),
        files=(EVIL,),
    )
    assert "<script" not in text
    assert "\n# not a heading" not in text  # the line break did not start a heading
    assert headings(text, 1) == [f"Simulation experiment: {headings(text, 1)[0].split(': ', 1)[1]}"]
    page = markdown.markdown(text, extensions=["tables"])
    assert "<script" not in page
    assert "<em>" not in page
    assert "<a " not in page
    assert "<h1>" in page
    assert page.count("<h1>") == 1
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert shown.count(" ".join(EVIL.split())) >= 12  # every place it was given, as typed


# -- Danish ----------------------------------------------------------------------------


def test_the_danish_report_has_danish_headings_and_no_english() -> None:
    with language("da"):
        text = report_of(kernel_results(), info(replication_rule="Fast antal."), files=("a.csv",))
    assert headings(text) == [f"{n}. {name}" for n, name in enumerate(SECTIONS_DA, start=1)]
    assert headings(text, 1) == ["Simuleringseksperiment: Bemanding i SSP-sekretariatet"]
    assert "400,5 dage i alt, hvoraf 350,5 dage måles" in text
    assert "| Arm | Måling | Gruppe | n | Gennemsnit | SA | 95 %-interval |" in text
    assert " til " in text  # the intervals
    assert re.search(r"\| \d+,\d+ \|", text)  # decimal commas
    found = english_words(text)
    assert not found, summary(found)


# -- software ------------------------------------------------------------------------


def test_software_versions_name_python_and_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    found = dict(software_versions())
    assert list(found) == ["python", "ssp-core", "simpy", "numpy", "scipy"]
    assert found["numpy"] == metadata.version("numpy")
    assert found["python"].count(".") == 2

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert dict(software_versions())["simpy"] == ""


def test_the_same_experiment_gives_the_same_report() -> None:
    results = kernel_results()
    assert report_of(results, info()) == report_of(kernel_results(), info())
