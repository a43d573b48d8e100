"""A case kept folded never shows more, or older, than folding it afresh would (issue 16).

:class:`~ssp_core.application.snapshots.CaseSnapshots` lets a ``Casework`` read
only the events appended since it last read a case. Each test compares what such a
``Casework`` returns with what a ``Casework`` that keeps nothing returns from the
same store, after other writers (another ``Casework``: another process) changed it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import pathlib
import tempfile
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssp_core
from ssp_core import Actor, Case, Casework, MunicipalKey, Subject, VirtualClock
from ssp_core.application.snapshots import CaseSnapshots
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.events import NoteAdded, ObservationRecorded
from ssp_core.domain.fields import READ_IN_FULL
from ssp_core.domain.redaction import ERASED, WITHHELD
from ssp_core.exceptions import AccessDenied, DataError, SspError
from ssp_core.store.records import AuditAction, AuditQuery
from ssp_core.testing import pseudonym_for
from tests.privacy.conftest import MakeCasework

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
MENTOR = Actor("mentor-1", "aalborg.mentor")
OTHER_MENTOR = Actor("mentor-2", "aalborg.mentor")
TODAY = dt.date(2026, 3, 2)
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _concern(casework: Casework, n: int = 0) -> str:
    return casework.open_concern(
        situation="aalborg.radicalisation",
        subject=Subject(pseudonym_for(f"person-{n}"), dt.date(2011, 5, 1)),
        concern_date=TODAY,
        actor=CONSULTANT,
    ).id


def _track(casework: Casework, mentor: str) -> str:
    case = casework.open_case(
        workflow="aalborg.mentor",
        subject=Subject(pseudonym_for("person-track"), dt.date(2009, 5, 1)),
        actor=CONSULTANT,
    )
    casework.assign(case.id, mentor, CONSULTANT)
    return case.id


def _keeping_nothing(casework: Casework) -> Casework:
    """Turn off the kept cases and events of ``casework``: every read folds afresh."""
    repository = casework.services.repository
    repository.snapshots = CaseSnapshots(size=0)
    repository.decoded.size = 0
    return casework


def test_a_case_read_again_reads_only_the_events_since(
    make_casework: MakeCasework, monkeypatch: pytest.MonkeyPatch
) -> None:
    casework = make_casework()
    case_id = _concern(casework)
    first = casework.case(case_id, CONSULTANT, purpose="casework")
    asked: list[tuple[str, int]] = []
    read = casework.store.read_case_and_key

    def spy(case_id: str, after: int = 0) -> Any:
        asked.append((case_id, after))
        return read(case_id, after)

    monkeypatch.setattr(casework.store, "read_case_and_key", spy)
    casework.add_note(case_id, "Met the parents", CONSULTANT)
    again = casework.case(case_id, CONSULTANT, purpose="casework")
    # The command read nothing (it changed the case as kept; the store checked that
    # nothing was appended since); the read, what came after the note (the case was
    # kept as written: its writer may read every field group).
    assert asked == [(case_id, first.version + 1)]
    assert again.version == first.version + 1
    assert again == _keeping_nothing(make_casework(url=casework.store.url)).case(
        case_id, CONSULTANT, purpose="casework"
    )


def test_what_another_writer_appended_is_read(make_casework: MakeCasework) -> None:
    ours = make_casework()
    theirs = make_casework(url=ours.store.url)
    case_id = _concern(ours)
    ours.case(case_id, CONSULTANT, purpose="casework")
    theirs.add_note(case_id, "Written by another process", CONSULTANT)
    ours.add_note(case_id, "Written here after it", CONSULTANT)  # no conflict: read since
    read = ours.case(case_id, CONSULTANT, purpose="casework")
    texts = [getattr(e, "text", None) for e in read.events]
    assert texts[-2:] == ["Written by another process", "Written here after it"]


def test_a_reader_of_fewer_groups_never_gets_the_case_kept_for_more(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    track = _track(casework, MENTOR.id)
    casework.record_observation(
        track,
        catalogue="aalborg.worry_signs",
        sign="relations.new_closed_circle",
        observed_by="the consultant",
        observed_on=TODAY,
        actor=CONSULTANT,
        text="a worry sign the mentor may not see",
    )
    for _ in range(2):  # the consultant's case kept first, then the mentor's, and again
        full = casework.case(track, CONSULTANT, purpose="casework")
        (shown,) = [e for e in full.events if isinstance(e, ObservationRecorded)]
        assert shown.observation.text == "a worry sign the mentor may not see"
        seen = casework.case(track, MENTOR, purpose="casework")
        (withheld,) = [e for e in seen.events if isinstance(e, ObservationRecorded)]
        assert withheld.observation.text == WITHHELD


def test_access_is_checked_on_the_case_as_it_stands_now(make_casework: MakeCasework) -> None:
    ours = make_casework()
    theirs = make_casework(url=ours.store.url)
    track = _track(ours, MENTOR.id)
    ours.case(track, MENTOR, purpose="casework")  # kept, assigned to mentor-1
    theirs.assign(track, OTHER_MENTOR.id, CONSULTANT)
    with pytest.raises(AccessDenied):
        ours.case(track, MENTOR, purpose="casework")
    with pytest.raises(AccessDenied):
        ours.add_note(track, "not theirs any more", MENTOR)
    assert ours.case(track, OTHER_MENTOR, purpose="casework").assignee == OTHER_MENTOR.id


def test_a_command_on_a_case_kept_before_a_reassignment_is_refused_as_stored(
    make_casework: MakeCasework,
) -> None:
    ours = make_casework()
    theirs = make_casework(url=ours.store.url)
    track = _track(ours, MENTOR.id)
    ours.add_note(track, "first session planned", MENTOR)  # kept, assigned to mentor-1
    theirs.assign(track, OTHER_MENTOR.id, CONSULTANT)
    refusals = len(_refusals(ours))
    with pytest.raises(AccessDenied):  # no read between: the kept head says mentor-1's
        ours.add_note(track, "not theirs any more", MENTOR)
    assert len(_refusals(ours)) == refusals + 1  # refused once, on the stored case
    stored = _keeping_nothing(make_casework(url=ours.store.url)).case(
        track, OTHER_MENTOR, purpose="casework"
    )
    assert [getattr(e, "text", None) for e in stored.events].count("not theirs any more") == 0


def test_a_command_allowed_now_is_not_refused_on_a_stale_head(
    make_casework: MakeCasework,
) -> None:
    ours = make_casework()
    theirs = make_casework(url=ours.store.url)
    track = _track(ours, OTHER_MENTOR.id)
    ours.add_note(track, "kept while mentor-2's", CONSULTANT)
    theirs.assign(track, MENTOR.id, CONSULTANT)
    refusals = len(_refusals(ours))
    case = ours.add_note(track, "now mine", MENTOR)  # the kept head says mentor-2's
    assert case.events[-1].text == "now mine"  # type: ignore[attr-defined]
    assert len(_refusals(ours)) == refusals  # no refusal written for the stale head


def test_a_command_on_a_case_erased_since_it_was_kept_is_refused_and_writes_nothing(
    make_casework: MakeCasework,
) -> None:
    ours = make_casework()
    theirs = make_casework(url=ours.store.url)
    case_id = _concern(ours)
    kept = ours.add_note(case_id, "Talked to the mother", CONSULTANT)
    theirs.store.erase([case_id], [], [])
    with pytest.raises(DataError, match="no data key"):  # no read between
        ours.add_note(case_id, "after the erasure", CONSULTANT)
    assert len(ours.store.read_case(case_id)) == kept.version
    assert ours.services.repository.snapshots.get(case_id) is None


def _refusals(casework: Casework) -> list[object]:
    """Return the refusals in the audit log of ``casework``'s store."""
    return [e for e in casework.store.read_audit(AuditQuery()) if e.action is AuditAction.DENIED]


def test_a_command_that_fails_after_applying_leaves_nothing_kept(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    case_id = _concern(casework)
    before = casework.case(case_id, CONSULTANT, purpose="casework")

    def note_then_fail(case: Case, engine: Any, at: dt.datetime) -> None:
        engine.add_note(case, "never stored", CONSULTANT, at=at)
        raise RuntimeError("the command failed after applying its event")

    with pytest.raises(RuntimeError):
        casework.services.repository.change(
            case_id, CONSULTANT, "case.note", "casework", note_then_fail
        )
    after = casework.case(case_id, CONSULTANT, purpose="casework")
    assert after == before
    assert not any(isinstance(e, NoteAdded) for e in after.events)


def test_a_writer_who_may_not_read_every_group_keeps_nothing_of_what_it_wrote(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    repository = casework.services.repository
    case_id = _concern(casework)
    loaded = repository.load(case_id, CONSULTANT, "case.note", "casework")
    narrowed = attrs.evolve(
        loaded, permit=attrs.evolve(loaded.permit, field_groups=frozenset({FieldGroup.NOTES}))
    )
    narrowed.engine.add_note(narrowed.case, "written, not to be kept", CONSULTANT, at=AT)
    repository.commit(narrowed, "casework")
    kept = repository.snapshots.get(case_id)
    assert kept is not None
    assert kept.version == loaded.version  # as loaded, not as written
    full = repository.load(case_id, CONSULTANT, "case.note", "casework")
    assert full.permit.field_groups >= READ_IN_FULL
    full.engine.add_note(full.case, "written and kept", CONSULTANT, at=AT)
    repository.commit(full, "casework")
    assert repository.snapshots.get(case_id).version == full.case.version  # type: ignore[union-attr]


def test_a_case_erased_after_it_was_kept_reads_as_erased(make_casework: MakeCasework) -> None:
    ours = make_casework()
    theirs = make_casework(url=ours.store.url)
    case_id = _concern(ours)
    ours.add_note(case_id, "Talked to the mother", CONSULTANT)
    ours.case(case_id, CONSULTANT, purpose="casework")
    theirs.store.erase([case_id], [], [])
    after = ours.case(case_id, CONSULTANT, purpose="casework")
    assert after.events[-1].text == ERASED  # type: ignore[attr-defined]
    assert ours.services.repository.snapshots.get(case_id) is None
    with pytest.raises(DataError, match="no data key"):
        ours.add_note(case_id, "after the erasure", CONSULTANT)
    ours.close()
    assert len(ours.services.repository.snapshots) == 0


def test_at_most_size_cases_are_kept_and_none_with_size_0(make_casework: MakeCasework) -> None:
    casework = make_casework()
    repository = casework.services.repository
    repository.snapshots = CaseSnapshots(size=2)
    ids = [_concern(casework, n) for n in range(4)]
    for case_id in ids:
        casework.case(case_id, CONSULTANT, purpose="casework")
    assert len(repository.snapshots) == 2
    assert repository.snapshots.get(ids[0]) is None
    kept = repository.snapshots.get(ids[-1])
    assert kept is not None
    newer = casework.add_note(ids[-1], "a note", CONSULTANT)
    casework.case(ids[-1], CONSULTANT, purpose="casework")
    repository.snapshots.keep(kept.head, kept.key, kept.groups, kept.case)  # an older one
    assert repository.snapshots.get(ids[-1]).version == newer.version  # type: ignore[union-attr]
    none = CaseSnapshots(size=0)
    none.keep(kept.head, kept.key, kept.groups, kept.case)
    assert len(none) == 0


# -- a property: any interleaving of two writers and a reader -------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["note", "assign", "fact", "observe", "fire", "read", "fail", "erase"]),
        st.booleans(),  # by our Casework, or by theirs
        st.integers(0, 2),  # which case
        st.booleans(),  # compare every case afterwards (a read refreshes what is kept)
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_any_interleaving_reads_what_a_fresh_fold_reads(
    steps: list[tuple[str, bool, int]],
) -> None:
    registry = ssp_core.load_registry()
    key = MunicipalKey.generate()
    clock = VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{pathlib.Path(folder) / 'store.db'}"
        made = [Casework(registry, store=url, key=key, clock=clock) for _ in range(3)]
        ours, theirs, fresh = made
        _keeping_nothing(fresh)
        try:
            ids = [_concern(ours, n) for n in range(3)]
            erased: set[str] = set()
            for number, (step, by_us, which, look) in enumerate(steps):
                writer, case_id = (ours if by_us else theirs), ids[which]
                outcome: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
                if case_id in erased and step in ("note", "assign", "fact", "observe", "fail"):
                    outcome = pytest.raises(DataError, match="no data key")
                elif step == "fail":
                    outcome = pytest.raises(RuntimeError, match="after applying its event")
                with outcome:
                    _step(writer, step, case_id, number)
                if step == "erase":
                    erased.add(case_id)
                if look or number == len(steps) - 1:
                    for each in ids:
                        expected = fresh.case(each, CONSULTANT, purpose="casework")
                        assert ours.case(each, CONSULTANT, purpose="casework") == expected
                        assert theirs.case(each, CONSULTANT, purpose="casework") == expected
        finally:
            for casework in made:
                casework.close()


def _step(writer: Casework, step: str, case_id: str, number: int) -> None:
    """Take one step of the interleaving on ``case_id`` through ``writer``."""
    if step == "note":
        writer.add_note(case_id, f"note {number}", CONSULTANT)
    elif step == "assign":
        writer.assign(case_id, f"worker-{number % 2}", CONSULTANT)
    elif step == "fact":
        writer.record_fact(case_id, "concern_described", CONSULTANT)
    elif step == "observe":
        writer.record_observation(
            case_id,
            catalogue="aalborg.worry_signs",
            sign="relations.new_closed_circle",
            observed_by="the class teacher",
            observed_on=TODAY,
            actor=CONSULTANT,
            text=f"observation {number}",
        )
    elif step == "fire":
        with contextlib.suppress(SspError):  # not from every state: then nothing
            writer.fire(case_id, "begin_analysis", CONSULTANT)
    elif step == "read":
        writer.case(case_id, CONSULTANT, purpose="casework")
    elif step == "erase":
        writer.store.erase([case_id], [], [])
    else:
        writer.services.repository.change(
            case_id, CONSULTANT, "case.note", "casework", _applies_then_fails
        )


def _applies_then_fails(case: Case, engine: Any, at: dt.datetime) -> None:
    engine.add_note(case, "never stored", CONSULTANT, at=at)
    raise RuntimeError("the command failed after applying its event")
