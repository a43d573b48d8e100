"""Tryg Aalborg's follow-up through the Python API: walks, the safety index, the evaluation.

Run it from the repository root (it writes into a temporary folder and prints
what it wrote)::

    python examples/safety_followup.py

1. The seed's three safety walks (Aalborg's example data) go into a case store;
   one walk's report is written, and the open findings across walks are listed.
2. A synthetic survey of the walks' three localities (no real respondents) gives
   the safety index by area and year.
3. The overall evaluation of the council term 2026-2029 is written, as the SSP
   secretariat may: goals, initiatives, follow-up; small counts hidden.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import ssp_core
from ssp_core import Actor, Casework, VirtualClock, index
from ssp_core.evaluation import write_report
from ssp_core.walks.report import walk_report

CONSULTANT = Actor("anne.ssp", "aalborg.ssp_consultant")
NOW = dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)


def run(folder: Path) -> dict[str, object]:
    """Do the three steps in ``folder``; return what was found and written."""
    registry = ssp_core.load_registry()
    casework = Casework(registry, clock=VirtualClock(NOW), ids=ssp_core.sequential_ids("AAL-"))
    for name in registry.example_walks:
        casework.import_walk(name, CONSULTANT)
    walks = casework.walks(CONSULTANT, purpose="casework")
    first = walks[0]
    report = walk_report(
        first,
        casework.findings(CONSULTANT, purpose="casework", walk=first.case_id),
        registry,
        folder / "walk",
        language="da",
        today=NOW.date(),
    )
    walk_files = report.write(folder / "walk", f"walk-{first.case_id}")
    still_open = casework.findings(CONSULTANT, purpose="casework", open_only=True)
    print(f"walks: {[w.locality for w in walks]}")
    print(f"open findings: {len(still_open)}; report: {[p.name for p in walk_files]}")

    areas = [w.locality for w in walks]
    survey_file = index.generate(15_000, areas=areas, years=range(2022, 2027), seed=3).write(
        folder / "survey.csv"
    )
    survey = index.load_survey(survey_file, index.synthetic_config())
    table = index.estimate(survey, by=("area", "year"))
    row = table.row(areas[0], 2026)["unsafe_share"]
    print(f"{areas[0]} 2026 unsafe: {row.value:.1%} [{row.low:.1%}, {row.high:.1%}]")

    evaluation = casework.evaluate(CONSULTANT, term="2026-2029", survey=survey_file)
    written = write_report(evaluation, folder / "term", lang="da")
    print(f"evaluation: {[p.name for p in written]}")
    return {"walks": walks, "open": still_open, "table": table, "written": written}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as work:
        run(Path(work))
