"""Rotating, or losing, one municipality's key leaves the other's cases as they were.

A district of two municipalities (Aalborg and the tests' Hjørring), each with a key of
its own in a key folder, on the memory store, SQLite and PostgreSQL. Rotating
Hjørring's key re-wraps the data keys of Hjørring's cases only: every stored row of
Aalborg's cases (events and key rows) is the same, byte for byte, and reads as before;
Hjørring's cases read with the new key and no longer with the old key alone. A
rotation cut short between batches leaves every case readable under the key its row
names, and resumes. Losing one municipality's key file leaves the other's readable.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ssp_core import AccessDenied, Actor, Casework, ConfigError, SealError, VirtualClock
from ssp_core.domain.people import Subject
from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys, write_municipality_key
from ssp_core.privacy.sealing import Keyring
from ssp_core.store import AuditAction, AuditQuery, CaseStore, MemoryStore
from tests.district import district_registry
from tests.privacy.conftest import Backend
from tests.store.conftest import NO_POSTGRES, find_postgres_dsn

AALBORG = Actor("aal-consultant", "aalborg.ssp_consultant")
HJOERRING = Actor("hj-consultant", "hjoerring.ssp_consultant")
ADMIN = Actor("hj-admin", "hjoerring.administrator")
CASES = 3


class District:
    """A store of one backend, a key folder, and Caseworks opened over them."""

    def __init__(self, kind: str, tmp_path: Path, clock: VirtualClock) -> None:
        self.kind = kind
        self.clock = clock
        self.registry = district_registry()
        self.folder = tmp_path / "keys"
        self.backend: Backend | None = None
        self.memory = MemoryStore() if kind == "memory" else None
        self.url = ""
        if kind != "memory":
            dsn = find_postgres_dsn() if kind == "postgres" else None
            if kind == "postgres" and dsn is None:
                pytest.skip(NO_POSTGRES)
            self.backend = Backend(kind, tmp_path, dsn)
            self.url = self.backend.new_url()
        self.opened: list[Casework] = []

    def keys(self) -> MunicipalKeys:
        """Return the keys as the key folder holds them now (own and retired)."""
        return MunicipalKeys.from_env({"SSP_KEY_DIR": str(self.folder)})

    def casework(self, keys: MunicipalKeys | None = None) -> Casework:
        """Open a Casework on the store with ``keys`` (default: the key folder's)."""
        store: CaseStore | str = self.memory if self.memory is not None else self.url
        casework = Casework(self.registry, store=store, key=keys or self.keys(), clock=self.clock)
        if self.memory is None:
            self.opened.append(casework)
        return casework

    def rows(self, store: CaseStore, case_ids: list[str]) -> Any:
        """Return the stored rows of the cases' events and key rows, as the backend holds them."""
        if self.backend is None or self.backend.kind == "sqlite":
            if self.backend is None:
                return store.read_cases(case_ids), store.read_keys(case_ids)
            path = self.backend.sqlite_files(self.url)[0]
            marks = ", ".join("?" * len(case_ids))
            with contextlib.closing(sqlite3.connect(path)) as connection:
                return [
                    connection.execute(
                        f"SELECT * FROM {table} WHERE case_id IN ({marks}) ORDER BY 1, 2",  # noqa: S608
                        case_ids,
                    ).fetchall()
                    for table in ("events", "case_keys")
                ]
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        schema = self.url.rpartition("schema=")[2]
        assert self.backend.dsn is not None
        with psycopg.connect(self.backend.dsn) as connection:
            return [
                connection.execute(
                    sql.SQL(
                        "SELECT t::text FROM {}.{} AS t WHERE case_id = ANY(%s) ORDER BY 1"
                    ).format(sql.Identifier(schema), sql.Identifier(table)),
                    (case_ids,),
                ).fetchall()
                for table in ("events", "case_keys")
            ]

    def close(self) -> None:
        for casework in self.opened:
            casework.close()
        if self.backend is not None:
            self.backend.cleanup()


@pytest.fixture(name="district", params=["memory", "sqlite", "postgres"])
def _district(
    request: pytest.FixtureRequest, tmp_path: Path, clock: VirtualClock
) -> Iterator[District]:
    district = District(request.param, tmp_path, clock)
    for municipality in ("aalborg", "hjoerring"):
        write_municipality_key(district.folder, municipality)
    yield district
    district.close()


def _open(district: District) -> tuple[Casework, list[str], list[str]]:
    """Open cases of both municipalities, each about a person in the vault."""
    cw = district.casework()
    aalborg = [
        cw.open_for_person(f"010311-40{n:02d}", actor=AALBORG, workflow="aalborg.mentor").id
        for n in range(CASES)
    ]
    hjoerring = [
        cw.open_for_person(f"020311-40{n:02d}", actor=HJOERRING, workflow="hjoerring.mentor").id
        for n in range(CASES)
    ]
    for case_id in aalborg:
        cw.add_note(case_id, "a note of Aalborg's", AALBORG)
    return cw, aalborg, hjoerring


def _read_all(cw: Casework, case_ids: list[str], actor: Actor) -> list[object]:
    return [cw.case(case_id, actor, purpose="casework") for case_id in case_ids]


def test_rotating_one_municipality_leaves_the_others_rows_byte_for_byte(
    district: District,
) -> None:
    cw, aalborg, hjoerring = _open(district)
    old = district.keys()
    aalborg_rows = district.rows(cw.store, aalborg)
    hjoerring_events = district.rows(cw.store, hjoerring)[0]
    aalborg_cases = _read_all(cw, aalborg, AALBORG)
    hjoerring_cases = _read_all(cw, hjoerring, HJOERRING)

    report = cw.rotate_key(ADMIN, "hjoerring", key_dir=district.folder)

    new = district.keys()
    assert report.old == old.own["hjoerring"].fingerprint
    assert report.new == new.own["hjoerring"].fingerprint != report.old
    assert (report.rewrapped, report.identities, report.left) == (CASES, CASES, 0)
    assert new.own["aalborg"].fingerprint == old.own["aalborg"].fingerprint
    assert new.own["hjoerring"].pseudonym_key == old.own["hjoerring"].pseudonym_key
    # Aalborg: every stored row as it was, byte for byte, and read as before.
    assert district.rows(cw.store, aalborg) == aalborg_rows
    fresh = district.casework()
    assert _read_all(fresh, aalborg, AALBORG) == aalborg_cases
    # Hjørring: the same events, the key rows re-wrapped under the new key and naming it.
    assert district.rows(cw.store, hjoerring)[0] == hjoerring_events
    assert _read_all(fresh, hjoerring, HJOERRING) == hjoerring_cases
    records = cw.store.read_keys(hjoerring)
    assert {r.key_id for r in records.values()} == {report.new}
    for record in records.values():
        with pytest.raises(SealError):
            Keyring(old.own["hjoerring"], cache_size=0).open_case_key(record)
        assert Keyring(new.own["hjoerring"], cache_size=0).open_case_key(record)
    # Once the retired key is gone, Hjørring's cases and people still open.
    assert report.retired_file is not None
    report.retired_file.unlink()
    without = district.casework()
    assert _read_all(without, hjoerring, HJOERRING) == hjoerring_cases
    identity = without.reidentify(hjoerring[0], HJOERRING, purpose="reidentification")
    assert identity.cpr == "0203114000"
    # A person enrolled again keeps their pseudonym (the pseudonym key was carried over).
    subject = hjoerring_cases[0].subject  # type: ignore[attr-defined]
    assert isinstance(subject, Subject)
    assert without.pseudonymiser_for("hjoerring").pseudonym("020311-4000") == subject.pseudonym
    audit = cw.store.read_audit(AuditQuery(actor=ADMIN.id))
    rewraps = [e for e in audit if e.action is AuditAction.REWRAP and e.case_id is not None]
    assert sorted(e.case_id for e in rewraps if e.case_id) == sorted(hjoerring)


def test_losing_one_municipalitys_key_leaves_the_other_readable(district: District) -> None:
    cw, aalborg, hjoerring = _open(district)
    aalborg_cases = _read_all(cw, aalborg, AALBORG)
    keys_before = district.rows(cw.store, [*aalborg, *hjoerring])[1]
    hjoerring_rows = district.rows(cw.store, hjoerring)
    (district.folder / "hjoerring.key").unlink()
    lost = district.casework()
    assert _read_all(lost, aalborg, AALBORG) == aalborg_cases
    lost.add_note(aalborg[0], "still ours", AALBORG)
    with pytest.raises(ConfigError, match="no municipal key for municipality 'hjoerring'"):
        lost.case(hjoerring[0], HJOERRING, purpose="casework")
    # Nothing of either municipality's keys changed; Hjørring's rows wait for its key.
    assert district.rows(cw.store, [*aalborg, *hjoerring])[1] == keys_before
    assert district.rows(cw.store, hjoerring) == hjoerring_rows


def test_a_rotation_cut_short_between_batches_resumes(district: District) -> None:
    cw, aalborg, hjoerring = _open(district)
    aalborg_rows = district.rows(cw.store, aalborg)
    expected = _read_all(cw, hjoerring, HJOERRING)

    def crash(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt  # the process dies after its first batch

    with pytest.raises(KeyboardInterrupt):
        cw.rotate_key(ADMIN, "hjoerring", key_dir=district.folder, batch=1, progress=crash)
    keys = district.keys()
    new = keys.own["hjoerring"].fingerprint
    named = sorted(r.key_id or "" for r in cw.store.read_keys(hjoerring).values())
    assert named.count(new) == 1 and len(set(named)) == 2
    # Each case reads under whichever key its row names (the new one or the retired one).
    again = district.casework()
    assert _read_all(again, hjoerring, HJOERRING) == expected
    with pytest.raises(ConfigError, match="unfinished: 2 case key"):
        again.rotate_key(ADMIN, "hjoerring", key_dir=district.folder)
    assert district.keys().own["hjoerring"].fingerprint == new
    report = again.rotate_key(ADMIN, "hjoerring", key_dir=district.folder, resume=True)
    assert (report.old, report.new, report.rewrapped, report.left) == (None, new, 2, 0)
    assert {r.key_id for r in cw.store.read_keys(hjoerring).values()} == {new}
    with pytest.raises(ConfigError, match="no rotation to resume"):
        again.rotate_key(ADMIN, "hjoerring", key_dir=district.folder, resume=True)
    shutil.rmtree(district.folder / "retired")
    assert _read_all(district.casework(), hjoerring, HJOERRING) == expected
    assert district.rows(cw.store, aalborg) == aalborg_rows


def test_only_a_role_granted_key_rotate_for_the_municipality_rotates_it(
    district: District,
) -> None:
    cw, aalborg, hjoerring = _open(district)
    files = {p.name: p.read_bytes() for p in district.folder.iterdir()}
    rows = district.rows(cw.store, [*aalborg, *hjoerring])
    for actor, municipality in ((ADMIN, "aalborg"), (HJOERRING, "hjoerring")):
        with pytest.raises(AccessDenied):
            cw.rotate_key(actor, municipality, key_dir=district.folder)
    with pytest.raises(ConfigError, match="name the key folder"):
        cw.rotate_key(ADMIN, "hjoerring", key_dir=None)
    assert {p.name: p.read_bytes() for p in district.folder.iterdir()} == files
    assert district.rows(cw.store, [*aalborg, *hjoerring]) == rows
    denied = cw.store.read_audit(AuditQuery(actor=ADMIN.id))
    assert [e.action for e in denied] == [AuditAction.DENIED]


def test_a_municipality_on_the_default_key_gets_its_own_and_the_others_stay(
    district: District,
) -> None:
    (district.folder / "hjoerring.key").unlink()
    default = MunicipalKey.generate()
    keys = MunicipalKeys(default, {"aalborg": district.keys().own["aalborg"]})
    cw = district.casework(keys)
    hjoerring = [
        cw.open_for_person(f"020311-40{n:02d}", actor=HJOERRING, workflow="hjoerring.mentor").id
        for n in range(CASES)
    ]
    expected = _read_all(cw, hjoerring, HJOERRING)
    report = cw.rotate_key(ADMIN, "hjoerring", key_dir=district.folder)
    assert (report.old, report.retired_file, report.rewrapped) == (default.fingerprint, None, 3)
    own = MunicipalKeys.from_folder(district.folder)["hjoerring"]
    assert own.pseudonym_key == default.pseudonym_key
    # Its cases read with its own key; its people's vault entries stay under the default key.
    after = district.casework(MunicipalKeys(default, MunicipalKeys.from_folder(district.folder)))
    assert _read_all(after, hjoerring, HJOERRING) == expected
    only_own = district.casework(MunicipalKeys(own={"hjoerring": own}))
    assert _read_all(only_own, hjoerring, HJOERRING) == expected
