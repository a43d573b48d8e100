"""A CPR number is pseudonymised at the boundary and never kept, logged or shown."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st

from ssp_core import Actor, Casework, InvalidCpr, Pseudonymiser, SspError, VirtualClock
from ssp_core.loading import converter
from ssp_core.testing import cpr_numbers, make_registry
from tests.sample_plugin import SamplePlugin

KEY = b"municipal-secret-key-of-32-bytes"
TEACHER = Actor("dan", "teacher")
CONSULTANT = Actor("anne", "consultant")
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
    pseudonyms = Pseudonymiser(KEY)
    seen: list[str] = []
    with captured_debug_logs() as logs:
        try:
            subject = pseudonyms.subject(cpr + typo)
        except InvalidCpr as exc:
            assert typo
            seen += [str(exc), repr(exc), repr(exc.args)]
            subject = pseudonyms.subject(cpr)
        case = casework.open_concern(
            situation="worry", subject=subject, concern_date=clock.now().date(), actor=TEACHER
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
    seen.append(logs.getvalue())
    everything = "\n".join(seen)
    for form in forms(cpr):
        assert form not in everything
