"""No CPR number, name, contact or free text ever leaks: a property over every entry point.

Random CPR numbers (real dates, any serial digits), names, contacts and note texts
(12 to 24 letters, so no accidental match is possible) go through every public
entry point that takes them: the vault, opening a concern, notes, observations,
facts, triggers, assignment, hold, deadlines, sessions, disclosure with consent,
an advice request to the INFO house and the concern opened from it, and calls that fail (an invalid CPR number, a refused access, a refused
disclosure). Then none of them may appear raw in:

* what the store keeps: the SQLite file with its -wal and -shm files (read while
  open and after closing), or every row of the PostgreSQL tables as text;
* the log output of every logger at DEBUG;
* the message (``str`` and ``repr``) of any error raised;
* the research export (``ssp export``: events and tables), which carries no free
  text and no pseudonym either;
* the audit log and the disclosure listing.

``Casework.export`` is the case-history export of case work: it shows the notes to
a role that may read them (that is a read, not a leak), so for it only the CPR
number, name and contact are checked: they live in the identity vault alone.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import pathlib
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssp_core
import ssp_core.domain.cpr
from ssp_core import (
    AccessDenied,
    Actor,
    Casework,
    DataError,
    DisclosureRefused,
    InvalidCpr,
    MunicipalKey,
    Registry,
    SspError,
    VirtualClock,
)
from ssp_core.store.records import AuditQuery, CaseQuery
from ssp_core.walks.geojson import findings_geojson
from tests.conftest import T0
from tests.privacy.conftest import Backend, holds

TODAY = T0.date()
LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"
CONSULTANT = Actor("consultant-1", "aalborg.ssp_consultant")
POLICE = "aalborg.nordjyllands_politi"
NOTE_FIELDS = (
    "reason",
    "note",
    "observer",
    "observation",
    "fact_detail",
    "trigger_reason",
    "assign_reason",
    "hold_reason",
    "resume_reason",
    "extend_reason",
    "session_note",
    "disclosure_note",
    "consent_scope",
    "refused_note",
    "refused_disclosure",
    "refused_scope",
    "walk_note",
    "finding_description",
    "finding_assign_reason",
    "finding_decline_reason",
    "advice_question",
    "advice_given",
)


def texts() -> st.SearchStrategy[str]:
    """Distinctive random text: 12 to 24 letters (Danish ones too, for the UTF-8 bytes).

    Drawn letter by letter: ``st.text`` also draws words it finds in the code under
    test (e.g. ``reidentifica``), which do appear in a store, though not as leaks.
    """
    return st.lists(st.sampled_from(LETTERS), min_size=12, max_size=24).map("".join)


@st.composite
def cprs(draw: st.DrawFn) -> str:
    """A CPR number of someone under 18 on TODAY: a real date, random serial digits.

    The seventh digit (4 to 9) puts years 00 to 36 in the 2000s by the CPR office's rule.
    """
    born = draw(st.dates(min_value=dt.date(2009, 3, 3), max_value=dt.date(2025, 12, 31)))
    digit7 = draw(st.integers(4, 9))
    rest = draw(st.integers(0, 999))
    return f"{born:%d%m%y}-{digit7}{rest:03d}"


def _apart(words: list[str]) -> bool:
    """Tell whether no word is part of another (so every needle is told apart)."""
    return not any(a != b and a in b for a in words for b in words)


@st.composite
def people(draw: st.DrawFn) -> dict[str, str]:
    """A CPR number, a name, a contact and every note text of one run, all different."""
    fields = ("name", "contact", *NOTE_FIELDS)
    words = draw(
        st.lists(texts(), min_size=len(fields), max_size=len(fields), unique=True).filter(_apart)
    )
    return {"cpr": draw(cprs()), **dict(zip(fields, words, strict=True))}


def _forms(values: dict[str, str]) -> dict[str, str]:
    """Return every needle: the CPR number with and without its dash, and each text."""
    forms = {key: value for key, value in values.items() if key != "cpr"}
    forms["cpr"] = values["cpr"]
    forms["cpr digits"] = values["cpr"].replace("-", "")
    return forms


def _found(haystack: str | bytes, needles: dict[str, str]) -> list[str]:
    raw = haystack.encode() if isinstance(haystack, str) else haystack
    return [label for label, needle in needles.items() if holds(raw, needle)]


def _run(casework: Casework, values: dict[str, str], errors: list[BaseException]) -> str:
    """Put every value through the public API; return the concern's id."""
    cw = casework
    subject = cw.enrol(values["cpr"], CONSULTANT, name=values["name"], contact=values["contact"])
    case = cw.open_concern(
        situation="aalborg.radicalisation",
        subject=subject,
        concern_date=TODAY,
        actor=CONSULTANT,
        reason=values["reason"],
    )
    cw.add_note(case.id, values["note"], CONSULTANT)
    cw.record_observation(
        case.id,
        catalogue="aalborg.worry_signs",
        sign="relations.new_closed_circle",
        observed_by=values["observer"],
        observed_on=TODAY,
        actor=CONSULTANT,
        text=values["observation"],
    )
    cw.record_fact(case.id, "parents_not_involved", CONSULTANT, detail=values["fact_detail"])
    cw.record_fact(case.id, "concern_described", CONSULTANT)
    cw.fire(case.id, "begin_analysis", CONSULTANT, reason=values["trigger_reason"])
    cw.assign(case.id, "consultant-2", CONSULTANT, reason=values["assign_reason"])
    cw.suspend(case.id, CONSULTANT, reason=values["hold_reason"])
    cw.resume(case.id, CONSULTANT, reason=values["resume_reason"])
    due = cw.case(case.id, CONSULTANT, purpose="casework").due[0]  # the step's own deadline
    cw.extend_deadline(
        case.id,
        due.rule,
        due.due + dt.timedelta(days=5),
        CONSULTANT,
        reason=values["extend_reason"],
    )
    consent = cw.record_consent(
        case.id,
        CONSULTANT,
        given_by=["subject", "custody_holder"],
        recipients=[POLICE],
        categories=["case", "notes"],
        given_on=TODAY,
        scope=values["consent_scope"],
    )
    cw.disclose(
        case.id,
        CONSULTANT,
        recipient=POLICE,
        legal_basis="consent",
        categories=["case", "notes"],
        purpose="disclosure",
        consent=consent.id,
        note=values["disclosure_note"],
    )
    # A mentor track of the same person, with a session.
    track = cw.open_case(workflow="aalborg.mentor", subject=subject, actor=CONSULTANT)
    cw.fire(track.id, "accept_referral", CONSULTANT)
    cw.assign(track.id, "mentor-1", CONSULTANT)
    cw.record_fact(track.id, "goals_agreed", CONSULTANT)
    cw.record_fact(track.id, "participation_voluntary", CONSULTANT)
    cw.record_fact(track.id, "custody_holder_involved", CONSULTANT)
    cw.fire(track.id, "start", CONSULTANT)
    cw.record_session(track.id, CONSULTANT, held_on=TODAY, note=values["session_note"])
    # A safety walk: its note, a finding's description and the follow-up's reasons.
    walk = cw.plan_walk(
        locality="aalborg.gandrup", held_on=TODAY, actor=CONSULTANT, note=values["walk_note"]
    )
    cw.fire(walk.id, "hold", CONSULTANT)
    finding = cw.record_finding(
        walk.id,
        place=ssp_core.Place("By the tunnel", ssp_core.Coordinates(57.05, 10.2)),
        category="lighting",
        description=values["finding_description"],
        actor=CONSULTANT,
    )
    cw.assign_finding(
        finding.id, "aalborg.roads_and_parks", CONSULTANT, reason=values["finding_assign_reason"]
    )
    cw.fire(finding.id, "decline", CONSULTANT, reason=values["finding_decline_reason"])

    # An advice request names no one until it becomes a concern, and then only there.
    request = cw.advice.ask(values["advice_question"], Actor("t-1", "aalborg.frontline_worker"))
    cw.advice.answer(request.id, values["advice_given"], CONSULTANT)
    rows = cw.store.read_case(request.id)
    assert not any(subject.pseudonym in repr(row) for row in rows)
    concern = cw.advice.open_concern(
        request.id,
        situation="aalborg.radicalisation",
        subject=subject,
        concern_date=TODAY,
        actor=CONSULTANT,
    )
    assert not any(subject.pseudonym in repr(row) for row in cw.store.read_case(request.id))
    assert cw.store.read_keys([request.id])[request.id].subject is None
    assert cw.store.read_keys([concern.id])[concern.id].subject == subject.pseudonym

    pending = cw.advice.ask(
        "Another worry, naming no one.", Actor("t-2", "aalborg.frontline_worker")
    )

    digits = values["cpr"].replace("-", "")
    calls: list[tuple[type[BaseException], Any]] = [
        (DataError, lambda: cw.advice.ask(f"about {values['cpr']}", CONSULTANT)),
        (DataError, lambda: cw.advice.answer(pending.id, f"{digits} {values['name']}", CONSULTANT)),
        (InvalidCpr, lambda: cw.enrol(digits[:9], CONSULTANT, name=values["name"])),
        (InvalidCpr, lambda: cw.enrol(digits + "1", CONSULTANT)),
        (InvalidCpr, lambda: cw.enrol("32" + digits[2:], CONSULTANT, name=values["name"])),
        (InvalidCpr, lambda: cw.enrol(digits[:5] + "x" + digits[6:], CONSULTANT)),
        (InvalidCpr, lambda: ssp_core.domain.cpr.birth_date_from_cpr("00" + digits[2:])),
        (
            AccessDenied,
            lambda: cw.enrol(
                values["cpr"], Actor("r-1", "aalborg.researcher"), name=values["name"]
            ),
        ),
        (
            AccessDenied,
            lambda: cw.add_note(case.id, values["refused_note"], Actor("m", "aalborg.mentor")),
        ),
        (
            AccessDenied,
            lambda: cw.case(case.id, Actor("r-1", "aalborg.researcher"), purpose="research"),
        ),
        (
            DisclosureRefused,
            lambda: cw.disclose(
                case.id,
                CONSULTANT,
                recipient="aalborg.mosque_1",
                legal_basis="rpl_115_1_1",
                categories=["notes"],
                purpose="disclosure",
                note=values["refused_disclosure"],
            ),
        ),
        (
            DataError,
            lambda: cw.record_consent(
                case.id,
                CONSULTANT,
                given_by=["subject", "custody_holder"],
                recipients=[POLICE],
                categories=["case"],
                given_on=TODAY + dt.timedelta(days=1),
                scope=values["refused_scope"],
            ),
        ),
        (
            DisclosureRefused,
            lambda: cw.disclose(
                case.id,
                CONSULTANT,
                recipient=POLICE,
                legal_basis="consent",
                categories=["case", "observations"],
                purpose="disclosure",
                consent=consent.id,
                note=values["refused_disclosure"],
            ),
        ),
    ]
    # Personal data typed where a filter or an id belongs (issue 15, item 4): refused
    # before it is audited, or kept in the audit log only as a placeholder.
    auditor = Actor("admin-2", "aalborg.administrator")
    cw.find(CONSULTANT, CaseQuery(assignee=values["cpr"]))
    cw.find(CONSULTANT, CaseQuery(state=f"{values['name']} {values['contact']}"))
    cw.find(CONSULTANT, CaseQuery(workflow=digits))
    calls += [
        (DataError, lambda: cw.case(values["cpr"], CONSULTANT, purpose="casework")),
        (AccessDenied, lambda: cw.case(f"{values['name']} x", CONSULTANT, purpose="casework")),
        (DataError, lambda: cw.audit_log(auditor, AuditQuery(case_id=digits), purpose="audit")),
        (
            AccessDenied,
            lambda: cw.audit_log(auditor, AuditQuery(case_id=values["name"]), purpose="audit"),
        ),
        (
            DisclosureRefused,
            lambda: cw.disclose(
                case.id,
                CONSULTANT,
                recipient=values["cpr"],
                legal_basis=values["name"],
                categories=["case"],
                purpose="disclosure",
            ),
        ),
    ]
    for expected, call in calls:
        with pytest.raises(expected) as raised:
            call()
        errors.append(raised.value)
    return case.id


def _outputs(casework: Casework, case_id: str, tmp: pathlib.Path) -> dict[str, str]:
    """Return what the reads and exports give out, as text, by where it came from."""
    cw = casework
    admin = Actor("admin-1", "aalborg.administrator")
    researcher = Actor("researcher-1", "aalborg.researcher")
    out: dict[str, str] = {
        "audit log": repr(cw.audit_log(admin, purpose="audit")),
        "disclosures": repr(cw.disclosures(CONSULTANT, purpose="disclosure")),
        "identity repr": repr(cw.reidentify(case_id, CONSULTANT, purpose="reidentification")),
        "geojson": json.dumps(
            findings_geojson(cw.findings(CONSULTANT, purpose="casework"), cw.registry)
        ),
    }
    for kind in ("events", "tables"):
        result = cw.research_export(researcher, kind=kind, out=tmp / kind)
        out[f"research export ({kind})"] = "\n".join(
            path.read_text(encoding="utf-8") for path in result.files
        )
    return out


def _check_run(
    backend: Backend,
    *,
    registry: Registry,
    key: MunicipalKey,
    values: dict[str, str],
    tmp: pathlib.Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.clear()
    needles = _forms(values)
    url = backend.new_url()
    casework = Casework(
        registry,
        store=url,
        key=key,
        clock=VirtualClock(T0),
        ids=ssp_core.sequential_ids(),
    )
    errors: list[BaseException] = []
    leaks: list[str] = []
    try:
        case_id = _run(casework, values, errors)
        outputs = _outputs(casework, case_id, tmp)
        # The pseudonym and the store's case ids never leave in a research export either.
        hidden = {
            **needles,
            "pseudonym": casework.pseudonymiser.pseudonym(values["cpr"]),
            "case id": case_id,
        }
        for where, text in outputs.items():
            checked = hidden if where.startswith("research export") else needles
            leaks += [f"{label} in {where}" for label in _found(text, checked)]
        history = orjson.dumps(casework.export(case_id, CONSULTANT, purpose="casework")).decode()
        identifying = {k: needles[k] for k in ("cpr", "cpr digits", "name", "contact")}
        leaks += [f"{label} in Casework.export" for label in _found(history, identifying)]
        if backend.kind == "sqlite":  # the log still holds the pages of this session
            leaks += [f"{label} in the open store" for label in _found(backend.raw(url), needles)]
    finally:
        casework.close()
    leaks += [f"{label} in the closed store" for label in _found(backend.raw(url), needles)]
    for error in errors:
        assert isinstance(error, SspError)
        text = f"{error}\n{error!r}\n{error.args!r}"
        leaks += [f"{label} in {type(error).__name__}" for label in _found(text, needles)]
    logged = caplog.text + "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    leaks += [f"{label} in the log" for label in _found(logged, needles)]
    assert not leaks, leaks


def _debug_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def test_nothing_personal_leaks_from_any_entry_point(
    backend: Backend,
    aalborg: Registry,
    key: MunicipalKey,
    tmp_path: pathlib.Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _debug_everywhere(caplog)
    runs = iter(range(1_000_000))

    @settings(
        max_examples=15 if backend.kind == "sqlite" else 5,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(values=people())
    def check(values: dict[str, str]) -> None:
        tmp = tmp_path / f"run-{next(runs)}"
        tmp.mkdir()
        _check_run(backend, registry=aalborg, key=key, values=values, tmp=tmp, caplog=caplog)

    check()


def test_the_needles_are_found_where_they_are_put() -> None:
    """The search itself finds text as UTF-8, JSON-escaped, and as PostgreSQL's hex."""
    needle = "abcæxyzxyzqrs"
    assert holds(f"x{needle}y".encode(), needle)
    assert holds(orjson.dumps({"a": needle}).replace(b"\xc3\xa6", b"\\u00e6"), needle)
    assert holds(b"\\x" + needle.encode().hex().encode(), needle)
    assert not holds(b"abc\xc3\xa6xyzxyzqr", needle)


def test_the_store_search_reads_what_a_store_holds(backend: Backend, make_casework: Any) -> None:
    """A text written in clear (an audit detail) is found by the raw read of the store."""
    url = backend.new_url()
    casework = make_casework(url=url)
    needle = "zqxæwvkjhgfd"
    casework.store.record_audit(
        [
            ssp_core.AuditEntry(
                at=T0,
                actor="a",
                role="aalborg.ssp_consultant",
                purpose="casework",
                action="admin",
                detail=needle,
            )
        ]
    )
    assert holds(backend.raw(url), needle)
    assert not holds(backend.raw(url), "zqxæwvkjhgfe")
