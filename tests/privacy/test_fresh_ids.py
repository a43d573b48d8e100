"""The fresh ids of an export, kept on disk: unique, in random order, no pseudonym written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_core.privacy.fresh_ids import FreshIds

PSEUDONYM = "ps-4f1d2c9a8b7e6d5c"


def test_cases_come_in_the_order_of_their_new_ids(tmp_path: Path) -> None:
    with FreshIds(tmp_path) as ids:
        assert ids.add_cases(f"C-{n:04d}" for n in range(2_500)) == 2_500
        assert ids.add_cases(["C-0001", "C-0002"]) == 2_500  # given twice: kept once
        pairs = list(ids.in_order())
    store_ids = [case_id for case_id, _ in pairs]
    new_ids = [new for _, new in pairs]
    assert sorted(store_ids) == [f"C-{n:04d}" for n in range(2_500)]
    assert new_ids == sorted(new_ids)
    assert len(set(new_ids)) == len(new_ids)
    assert all(new.startswith("E-") and len(new) == 14 for new in new_ids)
    assert store_ids != sorted(store_ids)  # the store's order is not kept


def test_a_person_keeps_one_id_and_others_get_their_own(tmp_path: Path) -> None:
    with FreshIds(tmp_path) as ids:
        first = ids.person(PSEUDONYM)
        assert ids.person(PSEUDONYM) == first
        others = {ids.person(f"ps-{n}") for n in range(200)}
        assert first not in others
        assert len(others) == 200
        assert all(new.startswith("P-") for new in others)


def test_no_pseudonym_reaches_the_file_and_the_folder_is_gone_after(tmp_path: Path) -> None:
    with FreshIds(tmp_path) as ids:
        ids.add_cases(["C-0001"])
        ids.person(PSEUDONYM)
        (folder,) = tmp_path.iterdir()
        assert folder.stat().st_mode & 0o077 == 0  # the folder is its owner's alone
        written = b"".join(f.read_bytes() for f in folder.iterdir())
        assert b"C-0001" in written  # the store's ids are there, for the export's time
        assert PSEUDONYM.encode() not in written
    assert list(tmp_path.iterdir()) == []


def test_the_folder_is_gone_after_a_failed_export(tmp_path: Path) -> None:
    def failing() -> object:
        yield "C-0001"
        raise RuntimeError("the store failed on the way")

    with pytest.raises(RuntimeError), FreshIds(tmp_path) as ids:
        ids.add_cases(failing())  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=8), max_size=60))
def test_any_case_ids_come_back_once_each(case_ids: list[str]) -> None:
    import tempfile  # noqa: PLC0415 (a folder per example)

    with tempfile.TemporaryDirectory() as folder, FreshIds(Path(folder)) as ids:
        assert ids.add_cases(case_ids) == len(set(case_ids))
        assert sorted(case_id for case_id, _ in ids.in_order()) == sorted(set(case_ids))
