"""``ssp advice``: a teacher asks the INFO house, a member answers and opens a concern."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli_privacy import (  # the fixtures ssp, db and key_file come with them
    CONSULTANT,
    CPR,
    DIGITS,
    TEACHER,
    Run,
    _db,  # noqa: F401
    _key_file,  # noqa: F401
    _ssp,  # noqa: F401
    one_error_line,
)

POLICE = ("--actor", "bo", "--role", "aalborg.police_ssp_coordinator")
CONTACT = ("--actor", "imam", "--role", "aalborg.partner_contact")
QUESTION = "A pupil talks about travelling to a country at war [bold]this summer[/bold]."


def _ask(ssp: Run, *who: str, question: str = QUESTION) -> str:
    code, out, err = ssp("advice", "ask", question, "--json", *who)
    assert code == 0, err
    return str(json.loads(out)["case_id"])


def _events(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
    return int(count)


def test_a_teacher_asks_and_a_member_answers(ssp: Run, db: Path) -> None:
    code, out, err = ssp("advice", "ask", QUESTION, *TEACHER)
    assert code == 0, err
    assert "an advice request names no one" in out
    assert "[bold]this summer[/bold]" in out  # typed text is shown as text
    assert "advice due 2026-" in out
    (request,) = json.loads(ssp("advice", "list", "--json", *TEACHER)[1])
    assert request["state"] == "asked" and request["question"] == QUESTION
    request_id = request["case_id"]
    code, _, err = ssp("advice", "answer", request_id, "Talk with the parents.", *TEACHER)
    assert code == 1
    assert "may not case.fire" in one_error_line(err)
    code, out, err = ssp("advice", "answer", request_id, "Talk with the parents.", *POLICE)
    assert code == 0, err
    assert "advice: Talk with the parents." in out
    code, out, err = ssp("advice", "show", request_id, "--json", *TEACHER)
    assert json.loads(out)["state"] == "answered"
    code, out, err = ssp("advice", "close", request_id, *CONSULTANT)
    assert code == 0 and "state closed" in out


def test_a_cpr_number_in_a_question_is_refused_and_nothing_stored(ssp: Run, db: Path) -> None:
    _ask(ssp, *CONTACT)
    before = _events(db)
    code, out, err = ssp("advice", "ask", f"It is about {CPR}, please help", *TEACHER)
    assert code == 1 and out == ""
    line = one_error_line(err)
    assert "shaped like a CPR number" in line
    assert CPR not in line and DIGITS not in line
    assert _events(db) == before


def test_a_member_turns_a_request_into_a_concern(ssp: Run) -> None:
    request_id = _ask(ssp, *TEACHER)
    code, out, err = ssp(
        "advice", "concern", request_id, "--situation", "aalborg.radicalisation",
        "--concern-date", "2026-03-02", "--cpr-stdin", "--json", *CONSULTANT, stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 0, err
    made = json.loads(out)
    assert made["request"] == request_id
    assert made["workflow"] == "aalborg.radicalisation_under_18"
    assert CPR not in out and DIGITS not in out
    shown = json.loads(ssp("advice", "show", request_id, "--json", *TEACHER)[1])
    assert (shown["state"], shown["concern"]) == ("became_concern", made["concern"])
    code, out, err = ssp("case", "history", made["concern"], *CONSULTANT)
    assert code == 0 and f"case {request_id}" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--situation", "aalborg.radicalisation"], "name the person with --cpr-stdin"),
        (
            ["--situation", "aalborg.radicalisation", "--pseudonym", "9" * 32],
            "a person needs --birth-date",
        ),
    ],
)
def test_a_concern_needs_exactly_one_person(ssp: Run, args: list[str], message: str) -> None:
    request_id = _ask(ssp, *TEACHER)
    code, _, err = ssp("advice", "concern", request_id, *args, *CONSULTANT)
    assert code == 1
    assert message in one_error_line(err)
