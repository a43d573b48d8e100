"""The municipal key and the identity vault.

There is no default key: without ``SSP_KEY_FILE`` or ``SSP_KEY`` nothing is sealed
or opened, and the error says how to set one. A key file must be the owner's alone
and hold at least 32 random bytes as base64; a key's repr shows its fingerprint
only. Pseudonyms depend on the key. A store sealed under one key cannot be read
under another (the case index, which holds nothing personal, still can). The vault
keeps one entry per person; reading it back is re-identification: permission-checked
and audited.
"""

from __future__ import annotations

import base64
import datetime as dt
import pathlib
import secrets
from collections.abc import Callable

import pytest

from ssp_core import (
    AccessDenied,
    Actor,
    Casework,
    ConfigError,
    Identity,
    InvalidCpr,
    MunicipalKey,
    Registry,
    VirtualClock,
)
from ssp_core.application.admin import upgrade_store_at
from ssp_core.exceptions import SealError, UnknownId, WrongKey
from ssp_core.privacy.keys import write_key_file
from ssp_core.store.records import AuditAction, AuditQuery
from tests.conftest import T0
from tests.privacy.conftest import Backend, MakeCasework

CONSULTANT = Actor("consultant-1", "aalborg.ssp_consultant")
CPR = "150611-4321"
SECRET = secrets.token_bytes(32)


def test_without_a_key_the_error_says_how_to_set_one(
    monkeypatch: pytest.MonkeyPatch,
    aalborg: Registry,
    backend: Backend,
    clock: VirtualClock,
) -> None:
    monkeypatch.delenv("SSP_KEY", raising=False)
    monkeypatch.delenv("SSP_KEY_FILE", raising=False)
    calls: list[Callable[[], MunicipalKey]] = [
        MunicipalKey.from_env,
        lambda: MunicipalKey.from_env({}),
    ]
    for call in calls:
        with pytest.raises(ConfigError, match="SSP_KEY_FILE") as raised:
            call()
        assert "SSP_KEY " in str(raised.value)
        assert "no default key" in str(raised.value)
    # A store that outlives the process gets no key by default: nothing is sealed or opened.
    casework = Casework(aalborg, store=backend.new_url(), clock=clock)
    try:
        with pytest.raises(ConfigError, match="SSP_KEY_FILE"):
            casework.enrol(CPR, CONSULTANT)
        with pytest.raises(ConfigError, match="SSP_KEY_FILE"):
            casework.pseudonymiser  # noqa: B018 (the property raises)
        assert casework.find(CONSULTANT) == []  # the index needs no key
    finally:
        casework.close()


def test_a_key_file_is_the_owners_alone(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "ssp.key"
    key = write_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert MunicipalKey.from_file(path).fingerprint == key.fingerprint
    assert MunicipalKey.from_env({"SSP_KEY_FILE": str(path)}).fingerprint == key.fingerprint
    with pytest.raises(ConfigError, match="never overwritten"):
        write_key_file(path)
    assert MunicipalKey.from_file(path).fingerprint == key.fingerprint
    for mode in (0o640, 0o604, 0o660, 0o644, 0o610):
        path.chmod(mode)
        with pytest.raises(ConfigError, match=f"chmod 600 {path}") as raised:
            MunicipalKey.from_file(path)
        assert f"{mode:o}" in str(raised.value)
        assert key.export_text() not in str(raised.value)
    path.chmod(0o400)
    assert MunicipalKey.from_file(path).fingerprint == key.fingerprint
    with pytest.raises(ConfigError, match="does not exist"):
        MunicipalKey.from_file(tmp_path / "missing.key")


def test_a_short_key_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        MunicipalKey(b"")
    for size in (1, 16, 31):
        with pytest.raises(ConfigError, match="at least 32"):
            MunicipalKey(secrets.token_bytes(size))
        text = base64.b64encode(secrets.token_bytes(size)).decode()
        with pytest.raises(ConfigError, match=f"SSP_KEY holds {size} bytes"):
            MunicipalKey.from_env({"SSP_KEY": text})
    path = tmp_path / "short.key"
    path.write_text(base64.b64encode(b"x" * 20).decode())
    path.chmod(0o600)
    with pytest.raises(ConfigError, match=f"the key file {path} holds 20 bytes"):
        MunicipalKey.from_file(path)
    with pytest.raises(ConfigError):
        MunicipalKey("not bytes" * 8)  # type: ignore[arg-type]
    assert MunicipalKey(secrets.token_bytes(32)).fingerprint


def test_a_key_that_is_not_base64_says_so_without_echoing_it(tmp_path: pathlib.Path) -> None:
    for text in ("not base64 at all!", "====", "c2VjcmV0*"):
        with pytest.raises(ConfigError, match="SSP_KEY must hold the key as base64") as raised:
            MunicipalKey.from_env({"SSP_KEY": text})
        assert text not in str(raised.value)
    path = tmp_path / "bad.key"
    path.write_text("ÿ this is no key")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match=f"the key file {path}"):
        MunicipalKey.from_file(path)
    path.write_text("#" * 44)
    with pytest.raises(ConfigError, match=f"the key file {path} must hold the key as base64"):
        MunicipalKey.from_file(path)
    # Surrounding whitespace (a newline at the end of a file) is fine.
    text = base64.b64encode(SECRET).decode()
    key = MunicipalKey.from_env({"SSP_KEY": f"  {text}\n"})
    assert key.fingerprint == MunicipalKey(SECRET).fingerprint


def test_a_keys_repr_shows_only_its_fingerprint() -> None:
    key = MunicipalKey(SECRET)
    assert repr(key) == f"MunicipalKey(fingerprint={key.fingerprint})"
    assert str(key) == repr(key)
    assert len(key.fingerprint) == 12
    int(key.fingerprint, 16)
    for secret in (SECRET, key.pseudonym_key, key.wrapping_key):
        for form in (secret.hex(), base64.b64encode(secret).decode(), repr(secret)):
            assert form not in repr(key)
    assert MunicipalKey(SECRET).fingerprint == key.fingerprint
    assert MunicipalKey.generate().fingerprint != key.fingerprint
    assert "hidden" in repr(key.pseudonymiser())


def test_a_pseudonym_is_stable_under_one_key_and_differs_under_another() -> None:
    key = MunicipalKey(SECRET)
    same = MunicipalKey.from_env({"SSP_KEY": key.export_text()})
    other = MunicipalKey.generate()
    pseudonym = key.pseudonymiser().pseudonym(CPR)
    assert pseudonym == key.pseudonymiser().pseudonym(CPR)
    assert pseudonym == same.pseudonymiser().pseudonym(CPR.replace("-", ""))
    assert pseudonym != other.pseudonymiser().pseudonym(CPR)
    assert pseudonym != key.pseudonymiser().pseudonym("150611-4322")
    assert CPR.replace("-", "") not in pseudonym
    assert key.pseudonymiser().subject(CPR).birth_date == dt.date(2011, 6, 15)


def test_a_store_under_another_key_cannot_be_opened_but_its_index_can(
    backend: Backend, make_casework: MakeCasework
) -> None:
    url = backend.new_url()
    first = make_casework(url=url)
    subject = first.enrol(CPR, CONSULTANT, name="Some Person")
    case = first.open_concern(
        situation="aalborg.radicalisation",
        subject=subject,
        concern_date=T0.date(),
        actor=CONSULTANT,
        reason="why",
    )
    first.add_note(case.id, "a note", CONSULTANT)
    first.close()
    other = make_casework(url=url, key=MunicipalKey.generate())
    assert [row.case_id for row in other.find(CONSULTANT)] == [case.id]
    admin = Actor("admin-1", "aalborg.administrator")
    assert other.audit_log(admin, purpose="audit")
    for call in (
        lambda: other.case(case.id, CONSULTANT, purpose="casework"),
        lambda: other.export(case.id, CONSULTANT, purpose="casework"),
        lambda: other.reidentify(case.id, CONSULTANT, purpose="reidentification"),
        lambda: other.add_note(case.id, "another note", CONSULTANT),
    ):
        with pytest.raises(SealError, match="municipal key") as raised:
            call()
        assert CPR not in str(raised.value)
    # The same person enrolled under the other key is another pseudonym.
    assert other.pseudonymiser.pseudonym(CPR) != subject.pseudonym
    assert len(other.store.read_case(case.id)) == 2  # nothing was written
    # Under the right key everything reads again.
    again = make_casework(url=url)
    read = again.case(case.id, CONSULTANT, purpose="casework")
    assert [getattr(e, "text", None) for e in read.events][-1] == "a note"


def test_item_2_enrolling_a_known_person_keeps_their_entry_as_it_is(
    backend: Backend, make_casework: MakeCasework
) -> None:
    url = backend.new_url()
    casework = make_casework(url=url)
    first = casework.enrol(CPR, CONSULTANT, name="First Name", contact="first@example.org")
    case = casework.open_concern(
        situation="aalborg.radicalisation", subject=first, concern_date=T0.date(), actor=CONSULTANT
    )
    # A frontline worker (who cannot read the case) enrols the same person again ...
    worker = Actor("worker-9", "aalborg.frontline_worker")
    second = casework.enrol(CPR.replace("-", ""), worker, name="Someone Else")
    third = casework.enrol(CPR, CONSULTANT)  # ... and a CPR number given without a name
    assert second == third == first
    assert backend.count(url, "identities") == 1
    identity = casework.reidentify(case.id, CONSULTANT, purpose="reidentification")
    assert identity == Identity(CPR, "First Name", "first@example.org")  # nothing replaced
    enrolments = [
        e for e in casework.store.read_audit(AuditQuery()) if e.action is AuditAction.ENROL
    ]
    assert len(enrolments) == 3
    assert all(f"person {first.pseudonym}" in (e.detail or "") for e in enrolments)
    assert [("kept" in (e.detail or "")) for e in enrolments] == [False, True, True]
    assert all(CPR.replace("-", "") not in (e.detail or "") for e in enrolments)


def test_item_2_changing_an_entry_is_its_own_operation_for_those_who_may_read_the_case(
    backend: Backend, make_casework: MakeCasework
) -> None:
    url = backend.new_url()
    casework = make_casework(url=url)
    person = casework.enrol(CPR, CONSULTANT, name="First Name", contact="first@example.org")
    case = casework.open_concern(
        situation="aalborg.radicalisation", subject=person, concern_date=T0.date(), actor=CONSULTANT
    )
    worker = Actor("worker-9", "aalborg.frontline_worker")
    with pytest.raises(AccessDenied):
        casework.correct_identity(case.id, worker, name="X", contact=None, purpose="casework")
    before = casework.reidentify(case.id, CONSULTANT, purpose="reidentification")
    assert (before.name, before.contact) == ("First Name", "first@example.org")
    casework.correct_identity(
        case.id, CONSULTANT, name="Right Name", contact=None, purpose="casework"
    )
    after = casework.reidentify(case.id, CONSULTANT, purpose="reidentification")
    assert after == Identity(CPR, "Right Name", None)
    assert backend.count(url, "identities") == 1
    corrected = [
        e
        for e in casework.store.read_audit(AuditQuery(case_id=case.id))
        if e.action is AuditAction.ENROL
    ]
    assert len(corrected) == 1
    assert corrected[0].actor == CONSULTANT.id
    assert f"person {person.pseudonym}" in (corrected[0].detail or "")
    denied = [
        e
        for e in casework.store.read_audit(AuditQuery(actor=worker.id))
        if e.action is AuditAction.DENIED
    ]
    assert denied


def test_reidentification_needs_its_permission_and_is_audited(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    subject = casework.enrol(CPR, CONSULTANT, name="Some Person", contact="+45 12345678")
    case = casework.open_concern(
        situation="aalborg.radicalisation",
        subject=subject,
        concern_date=T0.date(),
        actor=CONSULTANT,
    )
    identity = casework.reidentify(case.id, CONSULTANT, purpose="reidentification")
    assert (identity.cpr, identity.name, identity.contact) == (
        CPR.replace("-", ""),
        "Some Person",
        "+45 12345678",
    )
    police = Actor("police-1", "aalborg.police_ssp_coordinator")
    assert casework.reidentify(case.id, police, purpose="reidentification") == identity
    audit = [
        (e.actor, e.action, e.case_id, e.purpose)
        for e in casework.store.read_audit(AuditQuery(case_id=case.id))
        if e.action is not AuditAction.WRITE
    ]
    assert audit == [
        (CONSULTANT.id, AuditAction.REIDENTIFY, case.id, "reidentification"),
        (police.id, AuditAction.REIDENTIFY, case.id, "reidentification"),
    ]
    for actor, purpose in (
        (Actor("contact-1", "aalborg.partner_contact"), "casework"),
        (Actor("worker-1", "aalborg.frontline_worker"), "casework"),
        (Actor("mentor-1", "aalborg.mentor"), "casework"),
        (Actor("admin-1", "aalborg.administrator"), "administration"),
        (Actor("researcher-1", "aalborg.researcher"), "research"),
        (CONSULTANT, "research"),  # a purpose the consultant's grants do not cover
    ):
        with pytest.raises(AccessDenied, match=r"identity\.reidentify"):
            casework.reidentify(case.id, actor, purpose=purpose)
        denied = casework.store.read_audit(AuditQuery(actor=actor.id, case_id=case.id))
        assert denied[-1].action is AuditAction.DENIED
    assert [
        e.action
        for e in casework.store.read_audit(AuditQuery(case_id=case.id))
        if e.action is AuditAction.REIDENTIFY
    ] == [AuditAction.REIDENTIFY] * 2


def test_an_identitys_repr_hides_it() -> None:
    identity = Identity(CPR, "Some Person", "+45 12345678")
    assert identity.cpr == CPR.replace("-", "")
    for text in (repr(identity), str(identity), f"{identity}", repr([identity])):
        for secret in (CPR, CPR.replace("-", ""), "Some Person", "12345678"):
            assert secret not in text
    assert repr(identity) == "Identity(<hidden>)"
    assert identity == Identity(CPR.replace("-", ""), "Some Person", "+45 12345678")
    with pytest.raises(InvalidCpr) as raised:
        Identity("15061-4321x")
    assert "15061" not in str(raised.value)


def test_item_6_a_store_refuses_to_seal_under_a_key_it_was_not_sealed_under(
    backend: Backend, make_casework: MakeCasework
) -> None:
    url = backend.new_url()
    right, wrong = MunicipalKey.generate(), MunicipalKey.generate()
    first = make_casework(url=url, key=right)
    person = first.enrol(CPR, CONSULTANT, name="First Name")
    case = first.open_concern(
        situation="aalborg.radicalisation", subject=person, concern_date=T0.date(), actor=CONSULTANT
    )
    first.close()
    other = make_casework(url=url, key=wrong)
    for attempt in (
        lambda: other.enrol("020212-4876", CONSULTANT, name="Second"),
        lambda: other.open_for_person(
            "020212-4876", actor=CONSULTANT, situation="aalborg.radicalisation"
        ),
        lambda: other.open_case(workflow="aalborg.mentor", subject=person, actor=CONSULTANT),
    ):
        with pytest.raises(WrongKey, match=right.fingerprint) as refused:
            attempt()
        assert wrong.fingerprint in str(refused.value)
    assert backend.count(url, "identities") == 1
    assert backend.count(url, "case_keys") == 1
    other.close()
    again = make_casework(url=url, key=right)  # the right key still works
    again.add_note(case.id, "still readable", CONSULTANT)
    again.enrol("020212-4876", CONSULTANT, name="Second")
    assert backend.count(url, "identities") == 2


def test_item_10_a_hidden_case_and_no_case_are_refused_alike_and_every_refusal_is_audited(
    backend: Backend, make_casework: MakeCasework
) -> None:
    url = backend.new_url()
    casework = make_casework(url=url)
    person = casework.enrol(CPR, CONSULTANT)
    track = casework.open_case(workflow="aalborg.mentor", subject=person, actor=CONSULTANT)
    mentor = Actor("mentor-7", "aalborg.mentor")  # the track is not assigned to them
    seen = []
    for case_id in (track.id, "C-9999"):
        with pytest.raises(AccessDenied) as refused:
            casework.case(case_id, mentor, purpose="casework")
        seen.append((type(refused.value), str(refused.value), refused.value.case_id))
    assert seen[0] == seen[1]
    assert "aalborg.mentor" not in seen[0][1].split(")", 1)[1]  # no workflow named
    for role, purpose in (("aalborg.no_such_role", "casework"), ("aalborg.mentor", "gossip")):
        with pytest.raises(UnknownId):
            casework.case(track.id, Actor("mentor-7", role), purpose=purpose)
    with pytest.raises(AccessDenied):
        upgrade_store_at(url, mentor, registry=casework.registry)
    denied = [
        (e.role, e.purpose, e.case_id, e.detail)
        for e in casework.store.read_audit(AuditQuery(actor="mentor-7"))
        if e.action is AuditAction.DENIED
    ]
    assert denied[0][2] == track.id  # the hidden case: its id kept, in the audit only
    assert denied[1] == ("aalborg.mentor", "casework", None, "case.read: no such case")
    assert denied[2][3] == "case.read: unknown role"
    assert denied[3][3] == "case.read: unknown purpose"
    assert denied[4][3] is not None and denied[4][3].startswith("store.upgrade: ")
    assert len(denied) == 5
