"""Keys per municipality: each municipality's cases, vault entries and pseudonyms under its key.

A district deployment with Aalborg (the installed plugin) and a tiny second
municipality, Testtown (below), each with a key of its own. Cases of one
municipality are sealed under its key: a Casework holding only Aalborg's key reads
Aalborg's cases and refuses Testtown's (nothing changed); the same CPR number gives
two pseudonyms; replacing one municipality's key leaves the other's stored bytes as
they were. The cross-municipality tests run on the in-memory store (the case index's
``municipality`` column of the SQL stores is being added elsewhere).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import ssp_aalborg.hooks
from ssp_core import (
    AccessDenied,
    Actor,
    Casework,
    ConfigError,
    MunicipalKey,
    Registry,
    SealError,
    UnknownId,
    VirtualClock,
    hookimpl,
    sequential_ids,
)
from ssp_core.application.keys import KeySource, KeyStatus, key_overview, new_municipality_key
from ssp_core.domain.people import Subject
from ssp_core.exceptions import WrongKey
from ssp_core.plugins import (
    Grant,
    Labels,
    Municipality,
    Role,
    StateSpec,
    SubjectKind,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowKind,
)
from ssp_core.privacy.keys import MunicipalKeys, write_key_file
from ssp_core.privacy.sealing import Keyring
from ssp_core.store.memory import MemoryStore
from ssp_core.store.records import AuditQuery, CaseQuery
from ssp_core.testing import make_registry

CPR = "201109-4017"
AALBORG = Actor("anne", "aalborg.ssp_consultant")
TESTTOWN = Actor("tina", "testtown.consultant")


def _labels(text: str) -> Labels:
    return Labels(da=f"{text} (da)", en=text)


class TesttownPlugin:
    """A second municipality of the North Jutland police district, with a track of its own."""

    plugin_name = "testtown"

    @hookimpl
    def ssp_register_municipalities(self) -> list[Municipality]:
        return [
            Municipality(
                id="testtown", labels=_labels("Testtown"), code="999", police_district="nordjylland"
            )
        ]

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role("testtown.consultant", _labels("Testtown consultant"))]

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return [
            Grant(
                "testtown.consultant",
                ["case.*", "identity.enrol", "identity.reidentify"],
                workflows=["*"],
                field_groups=["subject", "notes", "identity"],
            )
        ]

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        return [
            WorkflowDefinition(
                id="testtown.track",
                version=1,
                kind=WorkflowKind.PREVENTION_TRACK,
                labels=_labels("Testtown track"),
                initial="referral",
                states=(
                    StateSpec("referral", _labels("referral")),
                    StateSpec("closed", _labels("closed"), final=True),
                ),
                transitions=(
                    TransitionSpec(
                        "close", "referral", "closed", _labels("close"), requires_reason=True
                    ),
                ),
                subjects=(SubjectKind.PERSON,),
            )
        ]


@pytest.fixture(name="district", scope="module")
def _district() -> Registry:
    """Aalborg's data and Testtown's: two municipalities of one police district."""
    return make_registry(ssp_aalborg.hooks, TesttownPlugin())


@pytest.fixture(name="keys")
def _keys() -> dict[str, MunicipalKey]:
    return {"aalborg": MunicipalKey.generate(), "testtown": MunicipalKey.generate()}


@pytest.fixture(name="store")
def _store() -> MemoryStore:
    return MemoryStore()


def _casework(
    registry: Registry,
    store: MemoryStore,
    key: MunicipalKey | MunicipalKeys,
    clock: VirtualClock,
    prefix: str = "K-",
) -> Casework:
    return Casework(registry, store=store, key=key, clock=clock, ids=sequential_ids(prefix))


@pytest.fixture(name="both")
def _both(
    district: Registry, store: MemoryStore, keys: dict[str, MunicipalKey], clock: VirtualClock
) -> Casework:
    """Casework holding both municipalities' own keys, and no default key."""
    return _casework(district, store, MunicipalKeys(own=keys), clock)


def _open_both(both: Casework) -> tuple[str, str]:
    aalborg = both.open_for_person(CPR, actor=AALBORG, workflow="aalborg.mentor")
    testtown = both.open_for_person(CPR, actor=TESTTOWN, workflow="testtown.track")
    assert (aalborg.municipality, testtown.municipality) == ("aalborg", "testtown")
    return aalborg.id, testtown.id


def _stored(store: MemoryStore, case_id: str) -> tuple[object, object]:
    return store.read_case(case_id), store.read_keys([case_id])


# -- sealing per municipality ---------------------------------------------------------------


def test_each_municipality_seals_its_cases_under_its_own_key(
    both: Casework, store: MemoryStore, keys: dict[str, MunicipalKey]
) -> None:
    aalborg_case, testtown_case = _open_both(both)
    records = store.read_keys([aalborg_case, testtown_case])
    # The data key of each opens with its municipality's key alone, never the other's.
    assert Keyring(keys["aalborg"]).open_case_key(records[aalborg_case])
    assert Keyring(keys["testtown"]).open_case_key(records[testtown_case])
    with pytest.raises(SealError, match="the municipal key is not the one"):
        Keyring(keys["aalborg"], cache_size=0).open_case_key(records[testtown_case])
    with pytest.raises(SealError, match="the municipal key is not the one"):
        Keyring(keys["testtown"], cache_size=0).open_case_key(records[aalborg_case])


def test_only_aalborgs_key_reads_aalborgs_cases_and_refuses_the_others(
    both: Casework,
    district: Registry,
    store: MemoryStore,
    keys: dict[str, MunicipalKey],
    clock: VirtualClock,
) -> None:
    aalborg_case, testtown_case = _open_both(both)
    about = AuditQuery(case_id=testtown_case)
    before = _stored(store, testtown_case), store.read_audit(about)
    aalborg_only = _casework(
        district, store, MunicipalKeys(own={"aalborg": keys["aalborg"]}), clock
    )
    read = aalborg_only.case(aalborg_case, AALBORG, purpose="casework")
    assert isinstance(read.subject, Subject)
    assert read.subject == both.case(aalborg_case, AALBORG, purpose="casework").subject
    expected = (
        r"^no municipal key for municipality 'testtown': put its key in testtown\.key in the "
        r"folder SSP_KEY_DIR names .*; municipalities with a key of their own: aalborg$"
    )
    for refused in (
        lambda: aalborg_only.case(testtown_case, TESTTOWN, purpose="casework"),
        lambda: aalborg_only.add_note(testtown_case, "a note", TESTTOWN),
        lambda: aalborg_only.reidentify(testtown_case, TESTTOWN, purpose="reidentification"),
        lambda: aalborg_only.open_for_person(CPR, actor=TESTTOWN, workflow="testtown.track"),
    ):
        with pytest.raises(ConfigError, match=expected) as raised:
            refused()
        assert "2011094017" not in str(raised.value) and CPR not in str(raised.value)
    # Nothing was written: no event, no key, no audit entry, no case.
    assert (_stored(store, testtown_case), store.read_audit(about)) == before
    assert store.count_cases() == 2


def test_aalborgs_key_as_the_default_key_does_not_open_the_others(
    both: Casework,
    district: Registry,
    store: MemoryStore,
    keys: dict[str, MunicipalKey],
    clock: VirtualClock,
) -> None:
    """Testtown falls back to the default key, which is not the one: a SealError naming it."""
    _, testtown_case = _open_both(both)
    before = _stored(store, testtown_case)
    default_aalborg = _casework(district, store, keys["aalborg"], clock)
    fingerprint = keys["aalborg"].fingerprint
    with pytest.raises(SealError, match=f"tried the default key, fingerprint {fingerprint}"):
        default_aalborg.case(testtown_case, TESTTOWN, purpose="casework")
    assert _stored(store, testtown_case) == before


def test_the_same_person_has_a_pseudonym_and_vault_entry_per_municipality(
    both: Casework, store: MemoryStore
) -> None:
    aalborg_case, testtown_case = _open_both(both)
    in_aalborg = both.case(aalborg_case, AALBORG, purpose="casework").subject
    in_testtown = both.case(testtown_case, TESTTOWN, purpose="casework").subject
    assert isinstance(in_aalborg, Subject) and isinstance(in_testtown, Subject)
    assert in_aalborg.pseudonym != in_testtown.pseudonym
    assert in_aalborg.birth_date == in_testtown.birth_date
    assert in_aalborg.pseudonym == both.pseudonymiser_for("aalborg").pseudonym(CPR)
    assert in_testtown.pseudonym == both.pseudonymiser_for("testtown").pseudonym(CPR)
    # Two vault entries, each opened with its municipality's key.
    assert store.read_identity(in_aalborg.pseudonym) is not None
    assert store.read_identity(in_testtown.pseudonym) is not None
    for case_id, actor in ((aalborg_case, AALBORG), (testtown_case, TESTTOWN)):
        identity = both.reidentify(case_id, actor, purpose="reidentification")
        assert identity.cpr == "2011094017"


def test_municipalities_on_the_default_key_share_pseudonyms(
    district: Registry, store: MemoryStore, clock: VirtualClock
) -> None:
    """Without keys of their own, both municipalities use the default key: as before 0.2."""
    shared = _casework(district, store, MunicipalKey.generate(), clock)
    a = shared.enrol(CPR, AALBORG)
    t = shared.enrol(CPR, TESTTOWN)
    assert a.pseudonym == t.pseudonym == shared.pseudonymiser.pseudonym(CPR)


def test_a_role_enrols_only_behind_its_own_walls(both: Casework, store: MemoryStore) -> None:
    with pytest.raises(AccessDenied):
        both.enrol(CPR, AALBORG, municipality="testtown")
    with pytest.raises(UnknownId, match="unknown municipality 'nowhere'"):
        both.enrol(CPR, AALBORG, municipality="nowhere")
    assert store.read_identity(both.pseudonymiser_for("testtown").pseudonym(CPR)) is None


# -- replacing one municipality's key ---------------------------------------------------------


def test_replacing_one_key_leaves_the_other_municipality_as_it_was(
    both: Casework,
    district: Registry,
    store: MemoryStore,
    keys: dict[str, MunicipalKey],
    clock: VirtualClock,
) -> None:
    aalborg_case, testtown_case = _open_both(both)
    aalborg_before = _stored(store, aalborg_case)
    testtown_before = _stored(store, testtown_case)
    expected = both.case(aalborg_case, AALBORG, purpose="casework")
    new = MunicipalKey.generate()
    replaced = _casework(
        district, store, MunicipalKeys(own=keys).replace("testtown", new), clock, prefix="R-"
    )
    # Aalborg's cases read as before, and their stored bytes did not change.
    assert replaced.case(aalborg_case, AALBORG, purpose="casework") == expected
    replaced.add_note(aalborg_case, "still ours", AALBORG)
    assert store.read_keys([aalborg_case]) == aalborg_before[1]
    assert store.read_case(aalborg_case)[: len(aalborg_before[0])] == aalborg_before[0]  # type: ignore[arg-type]
    # Testtown's old cases need the key they were sealed with; the error names the new one.
    with pytest.raises(
        SealError, match=f"own key of municipality 'testtown', fingerprint {new.fingerprint}"
    ):
        replaced.case(testtown_case, TESTTOWN, purpose="casework")
    assert _stored(store, testtown_case) == testtown_before
    # Re-wrapping a data key under the new key changes only the wrapped bytes.
    record = store.read_keys([testtown_case])[testtown_case]
    rewrapped = both.keyring.rewrap_case_key(record, new, municipality="testtown")
    assert rewrapped.wrapped != record.wrapped
    assert (rewrapped.case_id, rewrapped.subject) == (record.case_id, record.subject)
    assert Keyring(new).open_case_key(rewrapped) == Keyring(keys["testtown"]).open_case_key(record)
    # A key replaced by hand seals nothing new (issue 15, item 6): the store knows its key.
    cases_before = len(store.find_cases(CaseQuery()))
    with pytest.raises(WrongKey, match=f"fingerprint {keys['testtown'].fingerprint}"):
        replaced.open_for_person("030806-4121", actor=TESTTOWN, workflow="testtown.track")
    assert len(store.find_cases(CaseQuery())) == cases_before
    assert store.read_identity(new.pseudonymiser().pseudonym("030806-4121")) is None


# -- one key: a deployment of one municipality ------------------------------------------------


def test_one_key_is_the_default_key_of_every_municipality(
    district: Registry, store: MemoryStore, clock: VirtualClock
) -> None:
    key = MunicipalKey.generate()
    casework = _casework(district, store, key, clock)
    aalborg, testtown = _open_both(casework)
    plain = Keyring(key)  # a keyring of the one key, asked for no municipality
    for case_id in (aalborg, testtown):
        assert plain.open_case_key(store.read_keys([case_id])[case_id])
    assert casework.keyring.key is key
    assert casework.keyring.key_for("aalborg") is key
    assert MunicipalKeys.of(key) is not None and MunicipalKeys.of(key).default is key  # type: ignore[union-attr]


def test_keys_for_unknown_municipalities_are_refused(
    district: Registry, store: MemoryStore, clock: VirtualClock
) -> None:
    keys = MunicipalKeys(MunicipalKey.generate(), {"aalborgg": MunicipalKey.generate()})
    with pytest.raises(ConfigError, match=r"not registered: aalborgg; registered .*aalborg"):
        _casework(district, store, keys, clock)


# -- the set of keys: loading, repr --------------------------------------------------------


def _folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    for name in names:
        write_key_file(folder / name)
    return folder


def test_keys_load_from_the_default_and_the_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "aalborg.key", "testtown.key")
    (folder / "README.txt").write_text("not a key")
    (folder / ".aalborg.key.swp").write_text("not a key either")
    default = tmp_path / "default.key"
    write_key_file(default)
    keys = MunicipalKeys.from_env({"SSP_KEY_FILE": str(default), "SSP_KEY_DIR": str(folder)})
    assert list(keys) == ["aalborg", "testtown"]
    assert keys.default is not None
    assert keys.default.fingerprint == MunicipalKey.from_file(default).fingerprint
    assert keys.for_municipality("elsewhere") is keys.default
    assert keys.for_municipality("aalborg") is keys.own["aalborg"]
    only_folder = MunicipalKeys.from_env({"SSP_KEY_DIR": str(folder)})
    assert only_folder.default is None
    with pytest.raises(ConfigError, match="^no municipal key is set"):
        only_folder.for_municipality(None)
    with pytest.raises(ConfigError, match="^no municipal key is set: .*SSP_KEY_DIR"):
        MunicipalKeys.from_env({})


def test_the_repr_shows_fingerprints_never_a_key(tmp_path: Path) -> None:
    keys = MunicipalKeys(MunicipalKey.generate(), {"aalborg": MunicipalKey.generate()})
    shown = repr(keys)
    assert keys.own["aalborg"].fingerprint in shown and keys.default is not None
    for key in (keys.default, keys.own["aalborg"]):
        assert key.export_text() not in shown
        assert key.wrapping_key.hex() not in shown and key.pseudonym_key.hex() not in shown


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_bad_key_folders_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist or is not a folder"):
        MunicipalKeys.from_env({"SSP_KEY_DIR": str(tmp_path / "missing")})
    folder = _folder(tmp_path, "aalborg.key")
    (folder / "aalborg.key").chmod(stat.S_IRUSR | stat.S_IRGRP)
    with pytest.raises(ConfigError, match="may be read by other users .* chmod 600"):
        MunicipalKeys.from_folder(folder)
    (folder / "aalborg.key").chmod(stat.S_IRUSR)
    write_key_file(folder / "Not A Municipality.key")
    with pytest.raises(ConfigError, match="'Not A Municipality' is not a municipality id"):
        MunicipalKeys.from_folder(folder)
    with pytest.raises(ConfigError, match="^no municipal key is set"):
        MunicipalKeys()


# -- the rules of `ssp key` -------------------------------------------------------------------


def test_the_overview_says_which_key_each_municipality_uses(district: Registry) -> None:
    default, own = MunicipalKey.generate(), MunicipalKey.generate()
    keys = MunicipalKeys(default, {"testtown": own})
    assert key_overview(district, keys) == [
        KeyStatus(None, KeySource.DEFAULT, default.fingerprint),
        KeyStatus("aalborg", KeySource.DEFAULT, default.fingerprint),
        KeyStatus("testtown", KeySource.OWN, own.fingerprint),
    ]
    only_own = MunicipalKeys(own={"testtown": own, "gone": default})
    assert key_overview(district, only_own) == [
        KeyStatus(None, KeySource.NONE, None),
        KeyStatus("aalborg", KeySource.NONE, None),
        KeyStatus("testtown", KeySource.OWN, own.fingerprint),
        KeyStatus("gone", KeySource.UNKNOWN, default.fingerprint),
    ]


def test_a_new_municipality_key_only_for_a_registered_one(
    district: Registry, tmp_path: Path
) -> None:
    folder = tmp_path / "keys"
    file, made = new_municipality_key(district, folder, "testtown")
    assert file == folder / "testtown.key"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert MunicipalKeys.from_folder(folder)["testtown"].fingerprint == made.fingerprint
    with pytest.raises(ConfigError, match="exists already"):
        new_municipality_key(district, folder, "testtown")
    with pytest.raises(UnknownId, match="unknown municipality 'nowhere'; known: aalborg, testtown"):
        new_municipality_key(district, folder, "nowhere")
