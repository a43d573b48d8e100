"""Issue 15, items 1 and 9: stored and typed text is shown as text, and every history renders.

Item 1: markup and control characters in stored text reached the terminal (a note with
``[/]`` broke every later ``ssp case history`` for ever; an actor id with a newline
added a fake audit row, one with ``ESC[2J`` cleared the screen). Now every renderer
shows such text inert, and ids are checked where they enter, so such values are never
stored. Item 9: a reader without the ``observations`` field group could not read a
history holding an observation.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

import ssp_core
from ssp_core import Actor, Casework, DataError, Subject, VirtualClock
from ssp_core.cli.render import history_table, inert, options_table
from ssp_core.store.records import AuditQuery, CaseQuery
from ssp_core.text import visible
from tests.test_cli_privacy import (  # the fixtures ssp, db and key_file come with them
    CONSULTANT,
    Run,
    _db,  # noqa: F401
    _key_file,  # noqa: F401
    _ssp,  # noqa: F401
    one_error_line,
)

REGISTRY = ssp_core.load_registry()
ANNE = Actor("anne", "aalborg.ssp_consultant")
EVA = Actor("eva", "aalborg.mentor")
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
HOSTILE = [
    "met him [/] at school",
    "[link=https://evil.example]anne[/link]",
    "\x1b[2J cleared",
    "\x1b[8m hidden",
    "[erased]",
    "[withheld]",
    "line one\nline two",
    "bidi \u202e txet",
]


def _render(*renderables: object, width: int = 100) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return out.getvalue()


def _case_with(text: str) -> tuple[Casework, str]:
    casework = Casework(REGISTRY, clock=VirtualClock(T0))
    case = casework.open_case(
        workflow="aalborg.mentor",
        subject=Subject("a" * 32, dt.date(2008, 1, 1)),
        actor=ANNE,
        reason=text,
    )
    casework.add_note(case.id, text, ANNE)
    casework.fire(case.id, "accept_referral", ANNE, reason=text)
    casework.assign(case.id, EVA.id, ANNE, reason=text)
    casework.record_fact(case.id, "goals_agreed", ANNE, detail=text)
    return casework, case.id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(min_size=1, max_size=40).filter(lambda t: t.strip()) | st.sampled_from(HOSTILE))
def test_item_1_any_stored_text_renders_inert_in_every_table(text: str) -> None:
    casework, case_id = _case_with(text)
    case = casework.case(case_id, ANNE, purpose="casework")
    rows = casework.find(ANNE, CaseQuery())
    audit = casework.audit_log(Actor("root", "aalborg.administrator"), purpose="audit")
    shown = _render(
        history_table(case, REGISTRY),
        options_table(case, [(ANNE, casework.options(case_id, ANNE))]),
        inert(text),
    )
    assert "\x1b" not in shown  # no control sequence reaches the terminal
    assert "\u202e" not in shown
    assert rows and audit
    # The text is shown as the text it is (control characters written out), markup too.
    words = visible(text).split()
    assert not words or words[0] in " ".join(shown.split())


@pytest.mark.parametrize("hostile", HOSTILE)
def test_item_1_a_hostile_note_is_shown_literally_and_the_history_still_renders(
    hostile: str,
) -> None:
    casework, case_id = _case_with(hostile)
    case = casework.case(case_id, ANNE, purpose="casework")
    shown = _render(history_table(case, REGISTRY), width=400)
    first = visible(hostile).split("\n")[0]
    assert first in shown
    assert "\x1b" not in shown


@pytest.mark.parametrize(
    "actor_id",
    [
        "[link=https://evil.example]anne[/link]",
        "anne\nroot 2026-01-01 fake row",
        "\x1b[2Janne",
        "m1[/]",
        "anne smith",
        "",
        "010203-1234",
        "0102031234",
        "x" * 129,
    ],
)
def test_item_1_ids_that_could_not_show_as_themselves_are_refused_at_the_boundary(
    actor_id: str,
) -> None:
    with pytest.raises(DataError, match="Actor.id") as refused:
        Actor(actor_id, "aalborg.ssp_consultant")
    assert "1234" not in str(refused.value) and "evil" not in str(refused.value)
    casework, case_id = _case_with("fine")
    before = casework.store.max_position()
    with pytest.raises(DataError, match="the assignee"):
        casework.assign(case_id, actor_id, ANNE)
    assert casework.store.max_position() == before


def test_item_1_ids_of_real_systems_are_accepted() -> None:
    for actor_id in ("anne", "anne.ssp", "anne@aalborg.dk", "søren.østergård", "u-1234+x", "a1"):
        assert Actor(actor_id, "aalborg.ssp_consultant").id == actor_id


def test_item_1_the_cli_shows_stored_markup_and_controls_as_text(ssp: Run) -> None:
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", "a" * 32,
        "--birth-date", "2008-01-01", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    case_id = json.loads(out)["id"]
    for text in ("met him [/] at school", "\x1b[2J hello [bold]x[/bold]"):
        code, _, err = ssp("case", "note", case_id, text, *CONSULTANT)
        assert code == 0, err
    code, out, err = ssp("case", "history", case_id, *CONSULTANT)
    assert code == 0, err
    assert "met him [/] at school" in out
    assert "\\x1b[2J hello [bold]x[/bold]" in out
    assert "\x1b" not in out
    code, out, err = ssp("case", "list", "--state", "x[/]\x1b[2J", *CONSULTANT)
    assert code == 0, err
    code, out, err = ssp("audit", "--purpose", "audit", "--actor", "root", "--role",
                         "aalborg.administrator")  # fmt: skip
    assert code == 0, err
    assert "\x1b" not in out
    code, _, err = ssp("case", "show", "nope\x1b[2J\nsecond line", *CONSULTANT)
    assert code == 1
    line = one_error_line(err)
    assert "\x1b" not in line and "second line" not in line  # the id typed is not echoed


def test_item_9_history_with_a_withheld_observation_renders(clock: VirtualClock) -> None:
    casework = Casework(REGISTRY, clock=clock)
    track = casework.open_case(
        workflow="aalborg.mentor",
        subject=Subject("c" * 32, dt.date(2008, 1, 1)),
        actor=ANNE,
    )
    casework.fire(track.id, "accept_referral", ANNE)
    casework.assign(track.id, EVA.id, ANNE)
    casework.record_observation(
        track.id,
        catalogue="aalborg.worry_signs",
        sign="relations.new_closed_circle",
        observed_by="teacher",
        observed_on=clock.now().date(),
        actor=ANNE,
        text="seen at the club",
    )
    as_mentor = casework.case(track.id, EVA, purpose="casework")  # no observations group
    shown = _render(history_table(as_mentor, REGISTRY))
    assert "[withheld]" in shown
    assert "seen at the club" not in shown
    assert casework.audit_log(Actor("root", "aalborg.administrator"), AuditQuery(), purpose="audit")
