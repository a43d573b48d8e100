"""``ssp initiative``: log an initiative's activities, list, import and count them, naming no one."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
from pathlib import Path

from tests.test_cli_privacy import (  # the fixtures ssp, db and key_file come with them
    CONSULTANT,
    CPR,
    DIGITS,
    MENTOR,
    TEACHER,
    Run,
    _db,  # noqa: F401
    _key_file,  # noqa: F401
    _ssp,  # noqa: F401
    one_error_line,
)

POLICE = ("--actor", "bo", "--role", "aalborg.police_ssp_coordinator")
RESEARCHER = ("--actor", "rita", "--role", "aalborg.researcher")
INITIATIVE = "radicalisation_prevention"
DESCRIPTION = "The imam talked with the young people [bold]and the staff[/bold]."
FUTURE = "2099-05-04"  # planned, whatever day the tests run


def _log(ssp: Run, *args: str, who: tuple[str, ...] = CONSULTANT) -> dict:  # type: ignore[type-arg]
    code, out, err = ssp("initiative", "activity", "log", INITIATIVE, *args, "--json", *who)
    assert code == 0, err
    return dict(json.loads(out))


def _events(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
    return int(count)


def test_an_activity_is_logged_shown_listed_and_in_the_history(ssp: Run) -> None:
    code, out, err = ssp(
        "initiative", "activity", "log", INITIATIVE, "--kind", "visit", "--date", "2025-09-10",
        "--partner", "aalborg.mosque_1", "--partner", "aalborg.skuret",
        "--locality", "aalborg.loevvangen", "--participants", "23", "--young-people", "18",
        "--description", DESCRIPTION, *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    assert "an activity names no one" in out
    assert "Visit of initiative radicalisation_prevention" in out and "state held" in out
    assert "partners: Local mosque 1, Skuret youth centre" in out
    assert "where: Løvvangen" in out and "participants: 23 (18 young)" in out
    assert "[bold]and the staff[/bold]" in out  # typed text is shown as text
    (listed,) = json.loads(ssp("initiative", "activities", INITIATIVE, "--json", *POLICE)[1])
    assert listed["state"] == "held" and listed["held_on"] == "2025-09-10"
    assert listed["partners"] == ["aalborg.mosque_1", "aalborg.skuret"]
    assert (listed["participants"], listed["young_people"]) == (23, 18)
    assert listed["description"] == DESCRIPTION
    code, out, _ = ssp("initiative", "activity", "show", listed["case_id"], "--json", *CONSULTANT)
    assert json.loads(out) == listed
    code, out, err = ssp("initiative", "activities", *CONSULTANT)
    assert code == 0, err
    assert "1 activity" in out and "Visit" in out and "23 (18 young)" in out
    code, out, err = ssp("case", "history", listed["case_id"], *CONSULTANT)
    assert code == 0, err
    assert "visit of radicalisation_prevention on 2025-09-10, 23 took part" in out
    assert "took_place" in out


def test_a_cpr_number_anywhere_is_refused_and_nothing_stored(ssp: Run, db: Path) -> None:
    _log(ssp, "--kind", "talk", "--date", "2025-09-10")
    before = _events(db)
    for option in ("--description", "--place"):
        code, out, err = ssp(
            "initiative", "activity", "log", INITIATIVE, "--kind", "talk", "--date", "2025-09-11",
            option, f"Talked with {CPR} and friends", *CONSULTANT,
        )  # fmt: skip
        assert code == 1 and out == ""
        line = one_error_line(err)
        assert "shaped like a CPR number" in line and "an activity names no one" in line
        assert CPR not in line and DIGITS not in line
    assert _events(db) == before


def test_a_planned_activity_is_not_held_early_and_is_cancelled_with_a_reason(ssp: Run) -> None:
    planned = _log(ssp, "--kind", "evening_event", "--date", FUTURE, who=POLICE)
    assert planned["state"] == "planned"
    code, _, err = ssp("initiative", "activity", "held", planned["case_id"], "--participants",
                       "40", *POLICE)  # fmt: skip
    assert code == 1
    assert f"is planned for {FUTURE}; it is marked held on that day or later" in one_error_line(err)
    code, _, err = ssp("case", "fire", planned["case_id"], "hold", *CONSULTANT)
    assert code == 1 and "took_place_recorded" in one_error_line(err)
    code, out, err = ssp("initiative", "activity", "cancel", planned["case_id"], "--reason",
                         "Too few signed up.", "--json", *POLICE)  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["state"] == "cancelled"
    code, _, err = ssp("initiative", "activity", "log", INITIATIVE, "--kind", "visit", "--date",
                       FUTURE, "--participants", "3", *POLICE)  # fmt: skip
    assert code == 1 and "count the participants when it is held" in one_error_line(err)
    code, _, err = ssp("initiative", "activity", "log", INITIATIVE, "--kind", "visit", "--date",
                       "2025-01-01", "--participants", "-3", *POLICE)  # fmt: skip
    assert code == 2  # a usage error: a count is 0 or more


def test_who_may_not_log_is_refused_in_one_line(ssp: Run) -> None:
    for who in (TEACHER, MENTOR, RESEARCHER):
        code, _, err = ssp("initiative", "activity", "log", INITIATIVE, "--kind", "visit",
                           "--date", "2025-01-01", *who)  # fmt: skip
        assert code == 1
        assert "may not case.open" in one_error_line(err)
    code, _, err = ssp("initiative", "activity", "log", "nope", "--kind", "visit", "--date",
                       "2025-01-01", *CONSULTANT)  # fmt: skip
    assert code == 1 and "unknown initiative of aalborg.tryg_aalborg 'nope'" in one_error_line(err)


def test_kinds_and_the_seeds_examples_are_listed_and_imported_once(ssp: Run) -> None:
    code, out, err = ssp("initiative", "kinds")
    assert code == 0, err
    assert "visit" in out and "aalborg.parent_group_meeting" in out and "│ aalborg │" in out
    kinds = {k["id"] for k in json.loads(ssp("initiative", "kinds", "--json")[1])}
    assert {"visit", "evening_event", "dialogue_meeting", "aalborg.parent_group_meeting"} <= kinds
    code, out, err = ssp("initiative", "activity", "import", *CONSULTANT)
    assert code == 0, err
    assert "aalborg.imam_visits_skuret" in out and "(none: give --date)" in out
    code, _, err = ssp("initiative", "activity", "import", "aalborg.imam_visits_skuret",
                       *CONSULTANT)  # fmt: skip
    assert code == 1 and "has no date (its source gives none)" in one_error_line(err)
    code, out, err = ssp("initiative", "activity", "import", "aalborg.imam_visits_skuret",
                         "--date", "2025-10-01", "--json", *CONSULTANT)  # fmt: skip
    assert code == 0, err
    imported = json.loads(out)
    assert imported["source"] == "aalborg.imam_visits_skuret" and imported["state"] == "held"
    assert imported["participants"] is None
    code, out, err = ssp("initiative", "activity", "import", "aalborg.imam_visits_skuret",
                         "--date", "2025-10-01", *CONSULTANT)  # fmt: skip
    assert code == 0 and "already in the store" in out


def test_counts_are_the_goal_reports_tables_as_json(ssp: Run) -> None:
    true = {("dialogue_meeting", "2025"): 7, ("visit", "2025"): 6, ("talk", "2025"): 1}
    for day in range(1, 8):
        _log(ssp, "--kind", "dialogue_meeting", "--date", f"2025-03-0{day}",
             "--participants", "12", "--young-people", "10")  # fmt: skip
    for day in range(1, 7):
        _log(ssp, "--kind", "visit", "--date", f"2025-04-0{day}")
    _log(ssp, "--kind", "talk", "--date", "2025-05-01")
    code, out, err = ssp("initiative", "counts", INITIATIVE, "--from", "2025-01-01", "--to",
                         "2025-12-31", "--json", *CONSULTANT)  # fmt: skip
    assert code == 0, err
    found = json.loads(out)
    assert found["initiative"] == INITIATIVE and found["strategy"] == "aalborg.tryg_aalborg"
    assert found["period"]["start"] == "2025-01-01"
    cells = {tuple(c["key"]): c["count"] for c in found["activities"]["cells"]}
    for key, count in true.items():
        assert cells[key] in (count, None)
    assert cells[("talk", "2025")] is None  # 1: hidden
    assert cells[("Total", "Total")] == 14
    people = {tuple(c["key"]): c["count"] for c in found["participants"]["cells"]}
    assert people[("young_people", "2025")] == 70 and people[("adults", "2025")] == 14
    code, out, err = ssp("initiative", "counts", INITIATIVE, "--from", "2025-01-01", "--to",
                         "2025-12-31", *RESEARCHER)  # fmt: skip
    assert code == 0, err
    assert "| Talk | · | · |" in out and "| Total | 14 | 14 |" in out
    assert "| Children and young people | 70 | 70 |" in out
    code, _, err = ssp("initiative", "counts", INITIATIVE, "--term", "2022-2025", *TEACHER)
    assert code == 1 and "may not report.evaluate" in one_error_line(err)
    code, _, err = ssp("initiative", "counts", INITIATIVE, *CONSULTANT)
    assert code == 2 and "give the period" in err


def test_the_python_example_of_the_docs_prints_what_the_page_says() -> None:
    page = Path(__file__).parents[1] / "docs" / "activities.md"
    text = page.read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    printed = text[text.index(code) :].split("```text\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})  # noqa: S102
    assert out.getvalue() == printed
