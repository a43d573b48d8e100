"""Retention: closed cases are erased on the day their rule makes them due, and only they.

On a virtual clock, cases of several people (two of one person, a track and a live
concern of another, a group course) close with different outcomes on different
days. ``retention_due`` lists exactly the due ones, to the day; ``erase_due``
crypto-shreds them: the data key goes, so no personal field can be opened again,
not even with the municipal key; the vault entry of a person goes with their last
case; states, dates and event counts stay for statistics; nothing else changes;
everything is audited, and a second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import attrs
import pytest

from ssp_core import (
    AccessDenied,
    Actor,
    Case,
    CaseQuery,
    Casework,
    DataError,
    Group,
    MunicipalKey,
    Subject,
    VirtualClock,
)
from ssp_core.domain.events import NoteAdded
from ssp_core.domain.redaction import ERASED, RedactedPerson
from ssp_core.exceptions import SealError
from ssp_core.plugins import Labels
from ssp_core.store.postgres.store import POSTGRES_REMAINS
from ssp_core.store.records import AuditAction, AuditQuery, KeyRecord
from tests.privacy.conftest import Backend, MakeCasework, holds

CONSULTANT = Actor("consultant-1", "aalborg.ssp_consultant")
ADMIN = Actor("admin-1", "aalborg.administrator")
DAY0 = dt.date(2026, 3, 2)
UNFOUNDED = dt.timedelta(days=365)
FIVE_YEARS = dt.timedelta(days=1825)
CPR = {"A": "150611-4321", "B": "020212-4876", "C": "311210-4005"}


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), dt.UTC)


@attrs.define
class Town:
    """The cases of the test, opened and closed on their days."""

    casework: Casework
    clock: VirtualClock
    people: dict[str, Subject] = attrs.field(factory=dict)
    cases: dict[str, str] = attrs.field(factory=dict)
    url: str = ""

    def go_to(self, day: dt.date) -> None:
        self.clock.set(_at(day))

    def concern(self, name: str, person: str) -> str:
        cw = self.casework
        case = cw.open_concern(
            situation="aalborg.radicalisation",
            subject=self.people[person],
            concern_date=self.clock.now().date(),
            actor=CONSULTANT,
            reason=f"reason of {name}",
        )
        cw.add_note(case.id, f"note of {name}", CONSULTANT)
        cw.record_fact(case.id, "concern_described", CONSULTANT)
        self.cases[name] = case.id
        return case.id

    def close_unfounded(self, name: str) -> None:
        self.casework.fire(self.cases[name], "close_unfounded", CONSULTANT, reason="unfounded")

    def close_after_intervention(self, name: str) -> None:
        cw, case_id = self.casework, self.cases[name]
        for trigger in ("begin_analysis", "complete_analysis"):
            cw.fire(case_id, trigger, CONSULTANT)
        cw.record_fact(case_id, "children_services_notified", CONSULTANT)
        cw.record_fact(case_id, "parents_involved", CONSULTANT)
        for trigger in ("start_intervention", "begin_follow_up"):
            cw.fire(case_id, trigger, CONSULTANT)
        cw.fire(case_id, "close", CONSULTANT, reason="done")

    def mentor_track(self, name: str, person: str) -> str:
        cw = self.casework
        case = cw.open_case(
            workflow="aalborg.mentor",
            subject=self.people[person],
            actor=CONSULTANT,
            reason=f"reason of {name}",
        )
        cw.fire(case.id, "accept_referral", CONSULTANT)
        cw.assign(case.id, "mentor-1", CONSULTANT, reason=f"assigned in {name}")
        cw.record_fact(case.id, "goals_agreed", CONSULTANT)
        cw.record_fact(case.id, "participation_voluntary", CONSULTANT)
        cw.record_fact(case.id, "custody_holder_involved", CONSULTANT)
        cw.fire(case.id, "start", CONSULTANT)
        cw.add_note(case.id, f"note of {name}", CONSULTANT)
        self.cases[name] = case.id
        return case.id

    def complete_track(self, name: str) -> None:
        cw, case_id = self.casework, self.cases[name]
        cw.record_session(case_id, CONSULTANT, held_on=self.clock.now().date(), note="a session")
        cw.fire(case_id, "begin_review", CONSULTANT)
        cw.fire(case_id, "complete", CONSULTANT, reason="completed")


def _town(casework: Casework, clock: VirtualClock) -> Town:
    """Open and close the cases:

    ============  ======  ======================  ==========  ===============
    case          person  workflow                closed on   due on
    ============  ======  ======================  ==========  ===============
    a_unfounded   A       radicalisation < 18     day 0       day 0 + 365
    a_closed      A       radicalisation < 18     day 10      day 10 + 1825
    b_track       B       mentor (completed)      day 20      day 20 + 1825
    b_live        B       radicalisation < 18     (open)      never
    c_unfounded   C       radicalisation < 18     day 30      day 30 + 365
    group         (group) parent coach (declined) day 40      day 40 + 1825
    ============  ======  ======================  ==========  ===============
    """
    town = Town(casework, clock)
    town.go_to(DAY0)
    for person, cpr in CPR.items():
        town.people[person] = casework.enrol(cpr, CONSULTANT, name=f"Person {person}")
    town.concern("a_unfounded", "A")
    town.concern("a_closed", "A")
    town.mentor_track("b_track", "B")
    town.concern("b_live", "B")
    town.concern("c_unfounded", "C")
    group = casework.open_case(
        workflow="aalborg.parent_coach",
        subject=Group("parents_klarup", Labels("Forældregruppe", "Parents' group"), 6),
        actor=CONSULTANT,
        reason="reason of group",
    )
    casework.add_note(group.id, "note of group", CONSULTANT)
    town.cases["group"] = group.id
    town.close_unfounded("a_unfounded")
    town.go_to(DAY0 + dt.timedelta(days=10))
    town.close_after_intervention("a_closed")
    town.go_to(DAY0 + dt.timedelta(days=20))
    town.complete_track("b_track")
    town.go_to(DAY0 + dt.timedelta(days=30))
    town.close_unfounded("c_unfounded")
    town.go_to(DAY0 + dt.timedelta(days=40))
    casework.fire(group.id, "decline_referral", CONSULTANT, reason="declined")
    return town


DUE = {
    "a_unfounded": DAY0 + UNFOUNDED,
    "a_closed": DAY0 + dt.timedelta(days=10) + FIVE_YEARS,
    "b_track": DAY0 + dt.timedelta(days=20) + FIVE_YEARS,
    "c_unfounded": DAY0 + dt.timedelta(days=30) + UNFOUNDED,
    "group": DAY0 + dt.timedelta(days=40) + FIVE_YEARS,
}
RULES = {
    "a_unfounded": "aalborg.radicalisation_under_18.unfounded",
    "a_closed": "aalborg.radicalisation_under_18",
    "b_track": "aalborg.mentor",
    "c_unfounded": "aalborg.radicalisation_under_18.unfounded",
    "group": "aalborg.parent_coach",
}


def _due_names(town: Town, day: dt.date) -> set[str]:
    items, without = town.casework.retention_due(ADMIN, on=day)
    assert without == []
    names = {name for name, case_id in town.cases.items() if case_id in {i.case_id for i in items}}
    for item in items:
        name = next(n for n, c in town.cases.items() if c == item.case_id)
        assert (item.due_on, item.rule) == (DUE[name], RULES[name]), name
    return names


def _statistics(casework: Casework) -> tuple[object, ...]:
    """Return what statistics use: the index rows and every stored event, untouched."""
    rows = casework.store.find_cases(CaseQuery())
    return rows, {row.case_id: casework.store.read_case(row.case_id) for row in rows}


def _readings(casework: Casework, town: Town) -> dict[str, Case]:
    return {
        name: casework.case(case_id, CONSULTANT, purpose="casework")
        for name, case_id in town.cases.items()
    }


def _assert_erased(casework: Casework, key: MunicipalKey, case_id: str, *, person: bool) -> None:
    """The case's key is gone: every personal field reads [erased] and nothing opens it."""
    assert casework.store.read_keys([case_id]) == {}
    case = casework.case(case_id, CONSULTANT, purpose="casework")
    notes = [e.text for e in case.events if isinstance(e, NoteAdded)]
    assert notes
    assert notes == [ERASED] * len(notes)
    assert case.events[0].reason == ERASED  # type: ignore[attr-defined]
    if person:
        assert case.subject == RedactedPerson(case.subject.age, ERASED)  # type: ignore[union-attr]
        with pytest.raises(DataError):
            casework.reidentify(case_id, CONSULTANT, purpose="reidentification")
    # The sealed envelopes stay, and no key the municipality has opens them.
    sealed = [row for row in casework.store.read_case(case_id) if '"sealed"' in row.data]
    assert sealed
    for row in sealed:
        for candidate in (key.wrapping_key, key.pseudonym_key):
            with pytest.raises(SealError):
                casework.codec.decode(row, key=candidate)
    # Further writes are refused.
    with pytest.raises(DataError, match="no data key"):
        casework.add_note(case_id, "one more note", CONSULTANT)


def _erase_audit(casework: Casework, case_id: str) -> list[str]:
    return [
        e.detail or ""
        for e in casework.store.read_audit(AuditQuery(case_id=case_id))
        if e.action is AuditAction.ERASE
    ]


def _vault_erasures(casework: Casework) -> int:
    return sum(
        1
        for e in casework.store.read_audit(AuditQuery(actor=ADMIN.id))
        if e.action is AuditAction.ERASE and e.case_id is None
    )


def _keys(casework: Casework, town: Town) -> dict[str, KeyRecord]:
    found = casework.store.read_keys(town.cases.values())
    return {name: found[c] for name, c in town.cases.items() if c in found}


@pytest.fixture(name="town")
def _town_fixture(backend: Backend, make_casework: MakeCasework, clock: VirtualClock) -> Town:
    url = backend.new_url()
    town = _town(make_casework(url=url), clock)
    town.url = url
    town.go_to(DUE["group"] + dt.timedelta(days=3))
    return town


def test_retention_due_lists_exactly_the_due_cases_to_the_day(town: Town) -> None:
    assert _due_names(town, DUE["a_unfounded"] - dt.timedelta(days=1)) == set()
    assert _due_names(town, DUE["a_unfounded"]) == {"a_unfounded"}
    assert _due_names(town, DUE["c_unfounded"] - dt.timedelta(days=1)) == {"a_unfounded"}
    assert _due_names(town, DUE["c_unfounded"]) == {"a_unfounded", "c_unfounded"}
    assert _due_names(town, DUE["a_closed"] - dt.timedelta(days=1)) == {
        "a_unfounded",
        "c_unfounded",
    }
    assert _due_names(town, DUE["a_closed"]) == {"a_unfounded", "c_unfounded", "a_closed"}
    assert _due_names(town, DUE["group"] - dt.timedelta(days=1)) == {
        "a_unfounded",
        "c_unfounded",
        "a_closed",
        "b_track",
    }
    assert _due_names(town, DUE["group"]) == set(DUE)
    far = DUE["group"] + dt.timedelta(days=400)
    assert far > town.clock.now().date()
    assert _due_names(town, far) == set(DUE)  # a future day is a preview of what falls due
    with pytest.raises(DataError, match="nothing can be erased on a future day"):
        town.casework.erase_due(ADMIN, on=far)
    listed = town.casework.store.read_audit(AuditQuery(actor=ADMIN.id))
    assert [e.action for e in listed] == [AuditAction.ADMIN] * 9


def test_a_dry_run_changes_nothing(town: Town) -> None:
    casework = town.casework
    before = _statistics(casework)
    readings = _readings(casework, town)
    report = casework.erase_due(ADMIN, on=DUE["a_closed"], dry_run=True)
    assert report.dry_run
    assert {item.case_id for item in report.erased} == {
        town.cases[n] for n in ("a_unfounded", "c_unfounded", "a_closed")
    }
    assert report.identities == 0
    assert _statistics(casework) == before
    assert set(_keys(casework, town)) == set(town.cases)
    assert _readings(casework, town) == readings
    assert all(casework.store.read_identity(s.pseudonym) for s in town.people.values())
    assert not any(e.action is AuditAction.ERASE for e in casework.store.read_audit(AuditQuery()))


def test_erasing_one_case_of_a_person_keeps_the_rest(town: Town, key: MunicipalKey) -> None:
    casework, ids = town.casework, town.cases
    pseudonym = {p: s.pseudonym for p, s in town.people.items()}
    before = _statistics(casework)
    readings = _readings(casework, town)
    calls: list[tuple[int, int]] = []
    report = casework.erase_due(ADMIN, on=DUE["a_unfounded"], progress=lambda *a: calls.append(a))
    assert [item.case_id for item in report.erased] == [ids["a_unfounded"]]
    assert report.identities == 0
    assert not report.dry_run
    assert calls == [(1, 1)]
    _assert_erased(casework, key, ids["a_unfounded"], person=True)
    assert _statistics(casework) == before
    after = _readings(casework, town)
    assert {n: c for n, c in after.items() if n != "a_unfounded"} == {
        n: c for n, c in readings.items() if n != "a_unfounded"
    }
    # A has another case (closed, not yet due): their vault entry stays.
    assert casework.store.read_identity(pseudonym["A"]) is not None
    identity = casework.reidentify(ids["a_closed"], CONSULTANT, purpose="reidentification")
    assert identity.cpr == CPR["A"].replace("-", "")
    assert _erase_audit(casework, ids["a_unfounded"]) == [
        "data key destroyed under retention rule aalborg.radicalisation_under_18.unfounded"
    ]
    assert _vault_erasures(casework) == 0
    assert casework.erase_due(ADMIN, on=DUE["a_unfounded"]).erased == ()

    # C's only case: their vault entry goes with it.
    report = casework.erase_due(ADMIN, on=DUE["c_unfounded"])
    assert [item.case_id for item in report.erased] == [ids["c_unfounded"]]
    assert report.identities == 1
    _assert_erased(casework, key, ids["c_unfounded"], person=True)
    assert casework.store.read_identity(pseudonym["C"]) is None
    assert _vault_erasures(casework) == 1
    assert _statistics(casework) == before


def test_erasing_in_batches_reports_progress_and_spares_live_cases(
    town: Town, key: MunicipalKey, make_casework: MakeCasework
) -> None:
    casework, ids = town.casework, town.cases
    pseudonym = {p: s.pseudonym for p, s in town.people.items()}
    before = _statistics(casework)
    readings = _readings(casework, town)
    calls: list[tuple[int, int]] = []
    report = casework.erase_due(ADMIN, batch=2, progress=lambda *a: calls.append(a))
    assert {item.case_id for item in report.erased} == {ids[n] for n in DUE}
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert report.identities == 2  # A and C; B has a live concern
    for name in DUE:
        _assert_erased(casework, key, ids[name], person=name != "group")
        assert _erase_audit(casework, ids[name]) == [
            f"data key destroyed under retention rule {RULES[name]}"
        ]
    assert casework.store.read_identity(pseudonym["A"]) is None
    assert casework.store.read_identity(pseudonym["C"]) is None
    assert casework.store.read_identity(pseudonym["B"]) is not None
    identity = casework.reidentify(ids["b_live"], CONSULTANT, purpose="reidentification")
    assert identity.cpr == CPR["B"].replace("-", "")
    assert _vault_erasures(casework) == 2
    assert _statistics(casework) == before
    assert _readings(casework, town)["b_live"] == readings["b_live"]
    group = casework.case(ids["group"], CONSULTANT, purpose="casework")
    assert isinstance(group.subject, Group)  # a group is no person: its reference stays
    # A second run erases nothing; another instance with the same key reads [erased] too.
    assert casework.erase_due(ADMIN).erased == ()
    assert casework.erase_due(ADMIN, dry_run=True).erased == ()
    fresh = make_casework(url=town.url)
    for name in DUE:
        case = fresh.case(ids[name], CONSULTANT, purpose="casework")
        assert {e.text for e in case.events if isinstance(e, NoteAdded)} == {ERASED}
    live = fresh.case(ids["b_live"], CONSULTANT, purpose="casework")
    assert [e.text for e in live.events if isinstance(e, NoteAdded)] == ["note of b_live"]


def test_an_erased_key_is_gone_from_what_the_store_holds(town: Town, backend: Backend) -> None:
    """SQLite: not in the file nor its -wal (zeroed and checkpointed); PostgreSQL: no row."""
    casework = town.casework
    wrapped = {name: record.wrapped for name, record in _keys(casework, town).items()}
    raw = backend.raw(town.url)
    assert all(holds(raw, w) for w in wrapped.values())  # the search finds them first
    casework.erase_due(ADMIN, on=DUE["c_unfounded"])
    raw = backend.raw(town.url)
    for name in ("a_unfounded", "c_unfounded"):
        assert not holds(raw, wrapped[name]), f"the wrapped key of {name} is still stored"
    assert holds(raw, wrapped["a_closed"])
    casework.close()
    raw = backend.raw(town.url)
    for name in ("a_unfounded", "c_unfounded"):
        assert not holds(raw, wrapped[name]), f"the wrapped key of {name} is still stored"


def test_item_13_erasure_says_what_a_concurrent_reader_leaves_and_scrub_clears_it(
    town: Town, backend: Backend
) -> None:
    """SQLite: a reader holding a snapshot keeps the old pages in the WAL; the result says so."""
    casework = town.casework
    wrapped = {name: record.wrapped for name, record in _keys(casework, town).items()}
    reader = None
    if backend.kind == "sqlite":
        reader = sqlite3.connect(town.url.removeprefix("sqlite:///"))
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM case_keys").fetchone()  # a snapshot held open
    report = casework.erase_due(ADMIN, on=DUE["c_unfounded"])
    assert {item.case_id for item in report.erased} >= {town.cases["a_unfounded"]}
    if backend.kind == "sqlite":
        assert reader is not None
        (remains,) = report.remains
        assert "write-ahead log" in remains
        assert "ssp retention scrub" in remains
        raw = backend.raw(town.url)
        assert any(holds(raw, wrapped[n]) for n in ("a_unfounded", "c_unfounded"))
        assert casework.scrub_store(ADMIN) == report.remains  # still held: still said
        reader.rollback()
        reader.close()
        assert casework.scrub_store(ADMIN) == ()
        raw = backend.raw(town.url)
        for name in ("a_unfounded", "c_unfounded"):
            assert not holds(raw, wrapped[name]), f"the wrapped key of {name} is still stored"
    else:
        assert report.remains == (POSTGRES_REMAINS,)
        assert casework.scrub_store(ADMIN) == (POSTGRES_REMAINS,)
    scrubs = [
        e
        for e in casework.store.read_audit(AuditQuery(actor=ADMIN.id))
        if (e.detail or "").startswith("store scrubbed")
    ]
    assert len(scrubs) == (2 if backend.kind == "sqlite" else 1)  # each scrub is audited
    with pytest.raises(AccessDenied):
        casework.scrub_store(CONSULTANT)


def test_erasure_needs_retention_run(
    make_casework: MakeCasework, clock: VirtualClock, key: MunicipalKey
) -> None:
    casework = make_casework()
    town = _town(casework, clock)
    town.go_to(DUE["group"])
    for actor in (CONSULTANT, Actor("researcher-1", "aalborg.researcher")):
        with pytest.raises(AccessDenied, match=r"retention\.run"):
            casework.erase_due(actor, purpose="retention")
    assert set(_keys(casework, town)) == set(town.cases)
    report = casework.erase_due(ADMIN, purpose="retention")
    assert len(report.erased) == len(DUE)


def test_the_day_a_case_closed_is_its_danish_date(
    make_casework: MakeCasework, clock: VirtualClock
) -> None:
    """Closed at 23:30 UTC on 2 March is 00:30 on 3 March in Aalborg: due a year after the 3rd."""
    casework = make_casework()
    town = Town(casework, clock)
    town.people["A"] = casework.enrol(CPR["A"], CONSULTANT)
    town.concern("late", "A")
    clock.set(dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC))
    town.close_unfounded("late")
    clock.set(dt.datetime(2027, 3, 10, 9, tzinfo=dt.UTC))
    (row,) = casework.store.find_cases(CaseQuery(closed_before=clock.now()))
    assert row.closed_at == dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert casework.retention_due(ADMIN, on=dt.date(2027, 3, 2))[0] == []
    (item,) = casework.retention_due(ADMIN, on=dt.date(2027, 3, 3))[0]
    assert (item.closed_on, item.due_on) == (dt.date(2026, 3, 3), dt.date(2027, 3, 3))
    assert casework.erase_due(ADMIN, on=dt.date(2027, 3, 2)).erased == ()
    assert len(casework.erase_due(ADMIN, on=dt.date(2027, 3, 3)).erased) == 1
