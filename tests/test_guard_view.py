"""Issue 15, item 14: a guard in code sees a read-only view of the case, not the case.

The view holds what a guard may use (facts, assignment, sessions, dates, states, the
non-personal fields of events); worry signs and protective factors seen, notes and the
subject are absent from it, not just documented as off limits.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import ssp_core
from ssp_core import Actor, Casework, VirtualClock
from ssp_core.plugins import Guard, GuardView, Labels
from ssp_core.testing import pseudonym_for
from ssp_core.workflows.guards import guard_view

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _case_with_everything() -> tuple[Casework, str]:
    casework = Casework(ssp_core.load_registry(), clock=VirtualClock(T0))
    subject = ssp_core.Subject(pseudonym_for("item-14"), dt.date(2011, 5, 1))
    case = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=subject,
        concern_date=T0.date(),
        actor=CONSULTANT,
        reason="secret reason",
    )
    casework.add_note(case.id, "secret note", CONSULTANT)
    casework.record_observation(
        case.id,
        catalogue="aalborg.worry_signs",
        sign="relations.new_closed_circle",
        observed_by="teacher",
        observed_on=T0.date(),
        actor=CONSULTANT,
        text="secret observation",
    )
    casework.record_fact(case.id, "concern_described", CONSULTANT, detail="secret detail")
    return casework, case.id


def test_item_14_a_guard_gets_a_view_without_observations_notes_or_subject() -> None:
    casework, case_id = _case_with_everything()
    case = casework.case(case_id, CONSULTANT, purpose="casework")
    view = guard_view(case)
    assert isinstance(view, GuardView)
    assert view.facts == case.facts and view.state == case.state
    assert view.age_at_concern == 14
    kinds = [event.kind for event in view.events]
    assert "ObservationRecorded" not in kinds and "NoteAdded" not in kinds
    assert "CaseOpened" in kinds and "FactRecorded" in kinds
    shown = repr(view)
    for secret in ("secret", case.subject.pseudonym, "relations.new_closed_circle", "teacher"):  # type: ignore[union-attr]
        assert secret not in shown
    for absent in ("subject", "observations", "notes", "resources", "worry_signs_seen"):
        assert not hasattr(view, absent)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        view.state = "done"  # type: ignore[misc]


def test_item_14_the_engine_asks_a_plugin_guard_about_the_view_only() -> None:
    seen: list[object] = []

    def check(view: GuardView) -> bool:
        seen.append(view)
        return True

    guard = Guard("test.any", Labels(da="x", en="x"), check)
    casework, case_id = _case_with_everything()
    case = casework.case(case_id, CONSULTANT, purpose="casework")
    assert guard.holds(case)
    (given,) = seen
    assert type(given) is GuardView
    assert not any(
        isinstance(value, ssp_core.Case) for value in attrs.astuple(given, recurse=False)
    )
