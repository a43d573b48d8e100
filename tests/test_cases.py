from __future__ import annotations

import datetime as dt

import attrs
import pytest

from ssp_core import Case, DataError, Subject
from ssp_core.domain.events import (
    Assigned,
    CaseOpened,
    FactRecorded,
    NoteAdded,
    SessionRecorded,
    Transitioned,
)

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
SUBJECT = Subject("9" * 32, dt.date(2010, 1, 1))


def opened(case_id: str = "C-1") -> CaseOpened:
    return CaseOpened(
        case_id=case_id,
        version=1,
        at=T0,
        actor="a",
        role="r",
        workflow="w",
        workflow_version=2,
        state="start",
        subject=SUBJECT,
    )


def later(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_a_case_is_the_fold_of_its_events() -> None:
    events = [
        opened(),
        FactRecorded(case_id="C-1", version=2, at=later(1), actor="a", role="r", fact="f"),
        Assigned(case_id="C-1", version=3, at=later(2), actor="a", role="r", assignee="m"),
        Transitioned(
            case_id="C-1",
            version=4,
            at=later(3),
            actor="a",
            role="r",
            trigger="t",
            source="start",
            dest="next",
        ),
        SessionRecorded(
            case_id="C-1", version=5, at=later(4), actor="a", role="r", held_on=T0.date()
        ),
        NoteAdded(case_id="C-1", version=6, at=later(5), actor="a", role="r", text="n"),
    ]
    case = Case.replay(events)
    assert (case.state, case.version, case.facts, case.assignee, case.sessions) == (
        "next",
        6,
        {"f"},
        "m",
        1,
    )
    assert case.workflow == "w" and case.workflow_version == 2
    assert case.opened_at == T0 and case.entered_at == later(3)
    assert case.events == tuple(events)
    assert case.last_event is events[-1]


def test_events_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        opened().state = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "bad",
    [
        NoteAdded(case_id="C-1", version=3, at=T0, actor="a", role="r", text="skips a version"),
        NoteAdded(case_id="C-1", version=1, at=T0, actor="a", role="r", text="repeats a version"),
        NoteAdded(case_id="C-2", version=2, at=T0, actor="a", role="r", text="another case"),
        attrs.evolve(opened(), version=2),
    ],
)
def test_apply_takes_only_the_next_event_of_the_same_case(bad: NoteAdded) -> None:
    case = Case.open(opened())
    before = (case.version, case.events)
    with pytest.raises(DataError):
        case.apply(bad)
    assert (case.version, case.events) == before


def test_a_history_must_start_with_the_opening() -> None:
    with pytest.raises(DataError, match="must start with a CaseOpened"):
        Case.replay([NoteAdded(case_id="C-1", version=1, at=T0, actor="a", role="r", text="x")])
    with pytest.raises(DataError, match="version 1"):
        Case.open(attrs.evolve(opened(), version=3))
    with pytest.raises(DataError, match="must start"):
        Case.replay([])


def test_an_unknown_event_type_is_refused() -> None:
    @attrs.frozen(kw_only=True)
    class Strange(NoteAdded):
        pass

    case = Case.open(opened())
    with pytest.raises(DataError, match="cannot apply a Strange"):
        case.apply(Strange(case_id="C-1", version=2, at=T0, actor="a", role="r", text="x"))
    assert case.version == 1
