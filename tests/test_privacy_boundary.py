"""A CPR number is pseudonymised at the boundary and never kept in the clear, logged or shown.

It is kept only sealed, in the identity vault, for a permitted re-identification.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import ssp_core
from ssp_core import AccessDenied, Actor, Casework, InvalidCpr, SspError, VirtualClock
from ssp_core.loading import converter
from ssp_core.testing import cpr_numbers, make_registry
from tests.sample_plugin import SamplePlugin

TEACHER = Actor("dan", "sample.teacher")
CONSULTANT = Actor("anne", "sample.consultant")
REGISTRY = make_registry(SamplePlugin())


@contextmanager
def captured_debug_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def forms(cpr: str) -> list[str]:
    digits = cpr.replace("-", "")
    return [digits, f"{digits[:6]}-{digits[6:]}"]


@given(cpr=cpr_numbers(), typo=st.sampled_from(["", "0", "-x"]))
def test_a_cpr_number_leaves_no_trace(cpr: str, typo: str) -> None:
    clock = VirtualClock(dt.datetime(2058, 1, 1, tzinfo=dt.UTC))
    casework = Casework(REGISTRY, clock=clock)
    seen: list[str] = []
    with captured_debug_logs() as logs:
        try:
            subject = casework.enrol(cpr + typo, TEACHER)
        except InvalidCpr as exc:
            assert typo
            seen += [str(exc), repr(exc), repr(exc.args)]
            subject = casework.enrol(cpr, TEACHER)
        assert subject == casework.pseudonymiser.subject(cpr)
        case = casework.open_concern(
            situation="sample.worry",
            subject=subject,
            concern_date=clock.now().date(),
            actor=TEACHER,
        )
        casework.add_note(case.id, "Talked with the school.", TEACHER)
        casework.fire(case.id, "assess", CONSULTANT)
        try:
            casework.fire(case.id, "intervene", TEACHER)
        except SspError as exc:
            seen.append(str(exc))
        seen += [
            repr(case),
            repr(case.events),
            json.dumps(converter.unstructure(list(case.events)), default=str),
        ]
        seen += [repr(o) for o in casework.options(case.id, CONSULTANT)]
        try:
            casework.reidentify(case.id, TEACHER, purpose="casework")
        except AccessDenied as exc:
            seen.append(str(exc))
        identity = casework.reidentify(case.id, CONSULTANT, purpose="reidentification")
        seen += [repr(identity), str(identity)]
        store = casework.store
        seen += [repr(row) for row in store.read_log()]
        seen += [repr(entry) for entry in store.read_audit(ssp_core.store.AuditQuery())]
        seen += [repr(store.read_identity(subject.pseudonym))]
        seen += [repr(store.read_keys([case.id]))]
    seen.append(logs.getvalue())
    everything = "\n".join(seen)
    for form in forms(cpr):
        assert form not in everything
    assert identity.cpr == cpr.replace("-", "")  # kept, sealed, for a permitted read only


def test_nothing_personal_is_in_the_store_file_in_the_clear(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    clock = VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    casework = Casework(
        REGISTRY, store=f"sqlite:///{path}", key=ssp_core.MunicipalKey.generate(), clock=clock
    )
    personal = ["2011094017", "201109-4017", "2011-09-20", "Ali Hansen", "ali@example.org"]
    subject = casework.enrol("201109-4017", TEACHER, name="Ali Hansen", contact="ali@example.org")
    case = casework.open_concern(
        situation="sample.worry", subject=subject, concern_date=clock.now().date(), actor=TEACHER
    )
    # (The keyed pseudonym indexes the vault and the case keys; in the events it is sealed.)
    personal.append("Worried about the new friends at the station.")
    casework.add_note(case.id, personal[-1], TEACHER)
    casework.record_fact(case.id, "parents_not_involved", CONSULTANT, detail="The father hits.")
    personal.append("The father hits.")
    assert casework.reidentify(case.id, CONSULTANT, purpose="reidentification").name == (
        "Ali Hansen"
    )
    casework.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("cases.db"))
    assert b"NoteAdded" in stored  # the events are there ...
    for item in personal:
        assert item.encode() not in stored, item  # ... their personal fields are not
