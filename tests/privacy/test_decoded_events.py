"""Decoded events kept in memory never show more than decoding them again would.

:class:`~ssp_core.application.decoded.DecodedEvents` finds a kept event by the whole
stored row, the reader's field groups and the case's data key: a reader who may see
fewer groups, a caller with another key, a row rewritten, or a case erased since,
each get exactly what decoding the row afresh gives.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from ssp_core import Actor, Subject
from ssp_core.application.decoded import DecodedEvents
from ssp_core.application.snapshots import CaseSnapshots
from ssp_core.cipher import new_key
from ssp_core.domain.redaction import ERASED, WITHHELD
from ssp_core.exceptions import SealError
from ssp_core.store.codec import codec
from ssp_core.testing import pseudonym_for
from tests.privacy.conftest import MakeCasework
from tests.store.contract import note, opened

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")


def _sealed_case(key: bytes) -> list:  # type: ignore[type-arg]
    events = [opened("c-1"), note("c-1", 2, "Met the parents at home")]
    return [
        attrs.evolve(codec.encode(e, purpose="casework", key=key), position=n)
        for n, e in enumerate(events, 1)
    ]


def test_a_reader_of_fewer_groups_gets_the_fields_withheld() -> None:
    key = new_key()
    rows = _sealed_case(key)
    decoded = DecodedEvents(codec)
    everything = decoded.replay(rows, key, None)
    assert everything.events[1].text == "Met the parents at home"  # type: ignore[attr-defined]
    fewer = decoded.replay(rows, key, frozenset({"case"}))
    assert fewer.events[1].text == WITHHELD  # type: ignore[attr-defined]
    assert fewer == codec.replay(rows, key=key, readable=frozenset({"case"}))
    assert decoded.replay(rows, key, None) == everything  # kept, and the same


def test_another_key_finds_nothing_kept_and_is_refused() -> None:
    key = new_key()
    rows = _sealed_case(key)
    decoded = DecodedEvents(codec)
    decoded.replay(rows, key, None)
    with pytest.raises(SealError):
        decoded.replay(rows, new_key(), None)


def test_a_rewritten_row_is_decoded_again() -> None:
    key = new_key()
    rows = _sealed_case(key)
    decoded = DecodedEvents(codec)
    decoded.replay(rows, key, None)
    rewritten = codec.encode(note("c-1", 2, "Another text"), purpose="casework", key=key)
    again = decoded.replay([rows[0], attrs.evolve(rewritten, position=2)], key, None)
    assert again.events[1].text == "Another text"  # type: ignore[attr-defined]


def test_at_most_size_events_are_kept_and_none_with_size_0() -> None:
    key = new_key()
    decoded = DecodedEvents(codec, size=3)
    for n in range(5):
        events = [opened(f"c-{n}"), note(f"c-{n}", 2)]
        rows = [
            attrs.evolve(codec.encode(e, key=key), position=2 * n + v) for v, e in enumerate(events)
        ]
        decoded.replay(rows, key, None)
    assert len(decoded) == 3
    unstored = [codec.encode(opened("c-9"), key=key)]  # no position: not a stored row
    decoded.replay(unstored, key, None)
    assert len(decoded) == 3
    none = DecodedEvents(codec, size=0)
    none.replay(_sealed_case(key), key, None)
    assert len(none) == 0


def test_a_case_erased_after_it_was_read_reads_as_erased(make_casework: MakeCasework) -> None:
    casework = make_casework()
    casework.services.repository.snapshots = CaseSnapshots(size=0)  # the events alone
    case = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=Subject(pseudonym_for("p-erased"), dt.date(2011, 5, 1)),
        concern_date=dt.date(2026, 3, 2),
        actor=CONSULTANT,
    )
    casework.add_note(case.id, "Talked to the mother", CONSULTANT)
    read = casework.case(case.id, CONSULTANT, purpose="casework")
    assert read.events[-1].text == "Talked to the mother"  # type: ignore[attr-defined]
    assert len(casework.services.repository.decoded) >= 2  # kept
    casework.store.erase([case.id], [], [])
    after = casework.case(case.id, CONSULTANT, purpose="casework")
    assert after.events[-1].text == ERASED  # type: ignore[attr-defined]
    casework.close()
    assert len(casework.services.repository.decoded) == 0
