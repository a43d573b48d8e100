"""``ssp case list --limit N --after CURSOR``: a long list read a page at a time."""

from __future__ import annotations

import json
import re

from ssp_core.testing import pseudonym_for
from tests.test_cli_privacy import (  # the fixtures ssp, db and key_file come with them
    CONSULTANT,
    TEACHER,
    Run,
    _db,  # noqa: F401
    _key_file,  # noqa: F401
    _ssp,  # noqa: F401
)

NEXT = re.compile(r"Next page: --after (\S+)")


def _open_cases(ssp: Run, count: int) -> None:
    for n in range(count):
        code, _, err = ssp(
            "case", "open", "--workflow", "aalborg.mentor", "--pseudonym",
            pseudonym_for(f"p-{n}"), "--birth-date", "2008-05-01", *CONSULTANT,
        )  # fmt: skip
        assert code == 0, err


def test_pages_after_the_printed_cursor_list_every_case_once(ssp: Run) -> None:
    _open_cases(ssp, 5)
    code, out, err = ssp("case", "list", "--json", *CONSULTANT)
    assert code == 0, err
    whole = [row["case_id"] for row in json.loads(out)]
    assert len(whole) == 5
    seen: list[str] = []
    after: tuple[str, ...] = ()
    while True:
        code, out, err = ssp("case", "list", "--limit", "2", *after, "--json", *CONSULTANT)
        assert code == 0, err
        page = json.loads(out)
        seen += [row["case_id"] for row in page]
        code, text, err = ssp("case", "list", "--limit", "2", *after, *CONSULTANT)
        found = NEXT.search(text)
        if len(page) < 2:
            assert found is None, text  # a short page is the last one
            break
        assert found is not None, text
        last = page[-1]
        assert found.group(1) == f"{last['next_due'] or '-'}/{last['case_id']}"
        after = ("--after", found.group(1))
    assert seen == whole


def test_a_cursor_that_is_not_one_is_refused_saying_what_one_is(ssp: Run) -> None:
    code, out, err = ssp("case", "list", "--after", "2026-02-30/C-1", *CONSULTANT)
    assert code == 2 and out == ""
    assert "no such day" in err and "DUE/CASE_ID" in err and "Traceback" not in err
    code, _, err = ssp("case", "list", "--after", "C-1", *CONSULTANT)
    assert code == 2
    assert "not a cursor" in err


def test_a_frontline_workers_page_counts_only_their_own_cases(ssp: Run) -> None:
    _open_cases(ssp, 3)  # the consultant's, not the teacher's
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--concern-date", "2026-03-02",
        "--pseudonym", pseudonym_for("p-own"), "--birth-date", "2010-02-01", "--json", *TEACHER,
    )  # fmt: skip
    assert code == 0, err
    own = json.loads(out)["id"]
    code, out, err = ssp("case", "list", "--limit", "1", "--json", *TEACHER)
    assert code == 0, err
    assert [row["case_id"] for row in json.loads(out)] == [own]
    code, out, err = ssp("case", "list", "--limit", "1", "--json", "--after", f"-/{own}", *TEACHER)
    assert code == 0, err
    assert json.loads(out) == []
