"""The privacy commands: the municipal key, CPR input, re-identification, disclosure, retention."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import ssp_core
from ssp_core import Actor, Casework, MunicipalKey, VirtualClock
from ssp_core.cli import main, options, retention
from ssp_core.privacy.keys import write_key_file
from ssp_core.store import open_store
from ssp_core.store.records import AuditQuery
from ssp_core.testing import pseudonym_for

CONSULTANT = ("--actor", "anne", "--role", "aalborg.ssp_consultant")
TEACHER = ("--actor", "dan", "--role", "aalborg.frontline_worker")
PARTNER_CONTACT = ("--actor", "carla", "--role", "aalborg.partner_contact")
MENTOR = ("--actor", "eva", "--role", "aalborg.mentor")
ADMIN = ("--actor", "root", "--role", "aalborg.administrator")

CPR = "201109-4017"
DIGITS = "2011094017"
OTHER_CPR = "030806-4121"

Run = Callable[..., tuple[int, str, str]]


def invoke(
    args: list[str], *, stdin: str | None = None, env: Mapping[str, str | None] | None = None
) -> tuple[int, str, str]:
    """Run ``ssp`` as the console script does (one error line, exit code), in isolation."""
    with CliRunner().isolation(input=stdin, env=env) as (out, err, _):
        code = main(args)
    return code, out.getvalue().decode(), err.getvalue().decode()


def one_error_line(err: str) -> str:
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err.strip()


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture(name="key_file")
def _key_file(tmp_path: Path) -> Path:
    path = tmp_path / "municipal.key"
    write_key_file(path)
    return path


@pytest.fixture(name="ssp")
def _ssp(db: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``ssp --store sqlite:///cli.db ...`` with the key file named by SSP_KEY_FILE."""
    monkeypatch.setenv("SSP_KEY_FILE", str(key_file))
    monkeypatch.setenv("COLUMNS", "200")  # wide tables: no cell is folded

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        return invoke(["--store", f"sqlite:///{db}", *args], stdin=stdin)

    return run


def open_with_cpr(ssp: Run, cpr: str = CPR, *extra: str) -> dict:  # type: ignore[type-arg]
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--concern-date", "2026-03-02",
        "--cpr-stdin", "--name", "Alex Example", "--contact", "+45 11 22 33 44", "--json",
        *TEACHER, *extra, stdin=f"{cpr}\n",
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


# --- the key ----------------------------------------------------------------------


def test_key_new_writes_a_private_key_file_once_and_never_prints_it(tmp_path: Path) -> None:
    path = tmp_path / "new.key"
    code, out, err = invoke(["key", "new", str(path)])
    assert code == 0, err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text(encoding="ascii").strip()
    key = MunicipalKey.from_file(path)
    assert secret not in out and secret not in err
    assert f"fingerprint {key.fingerprint}" in out
    assert f"export SSP_KEY_FILE={path}" in out
    code, out, err = invoke(["key", "new", str(path)])
    assert code == 1 and out == ""
    assert one_error_line(err) == f"error: {path} exists already; a key file is never overwritten"
    assert path.read_text(encoding="ascii").strip() == secret
    code, out, err = invoke(["key", "new", str(tmp_path / "no" / "such" / "folder.key")])
    assert code == 1 and out == ""
    assert "cannot write the key file" in one_error_line(err)
    code, out, _ = invoke(["--key-file", str(path), "key", "fingerprint"])
    assert code == 0 and out.strip() == key.fingerprint
    code, out, _ = invoke(["key", "fingerprint"], env={"SSP_KEY_FILE": str(path)})
    assert code == 0 and out.strip() == key.fingerprint
    code, out, _ = invoke(["key", "fingerprint", "--json"], env={"SSP_KEY": secret})
    assert code == 0 and json.loads(out) == {"fingerprint": key.fingerprint}


def test_no_key_is_one_clear_line(db: Path, tmp_path: Path) -> None:
    store = f"sqlite:///{db}"
    code, out, err = invoke(
        ["--store", store, "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin",
         *TEACHER],
        stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 1 and out == ""
    assert one_error_line(err).startswith(
        "error: no municipal key is set: set SSP_KEY_FILE to a key file (make one with "
        "`ssp key new FILE`)"
    )
    assert CPR not in err and DIGITS not in err
    code, _, err = invoke(
        ["--store", store, "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", pseudonym_for("p-1"),
         "--birth-date", "2005-01-01", *CONSULTANT],
    )  # fmt: skip
    assert code == 1 and "no municipal key is set" in one_error_line(err)
    with open_store(store) as opened:
        assert opened.count_cases() == 0
    # A key file others may read, or none at that path: refused, and said how to fix it.
    loose = tmp_path / "loose.key"
    write_key_file(loose)
    loose.chmod(0o644)
    code, _, err = invoke(["--store", store, "--key-file", str(loose), "case", "list", *CONSULTANT])
    assert code == 1 and f"chmod 600 {loose}" in one_error_line(err)
    code, _, err = invoke(["--store", store, "case", "list", *CONSULTANT],
                          env={"SSP_KEY_FILE": str(tmp_path / "nope.key")})  # fmt: skip
    assert code == 1 and "does not exist" in one_error_line(err)


def test_a_memory_store_needs_no_key() -> None:
    code, out, err = invoke(
        ["--store", "memory://", "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin",
         "--concern-date", "2026-03-02", "--json", *TEACHER],
        stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["workflow"] == "aalborg.radicalisation_under_18"


# --- CPR input --------------------------------------------------------------------


def test_a_cpr_number_read_from_stdin_is_never_shown_nor_stored_in_clear(
    ssp: Run, db: Path, key_file: Path
) -> None:
    open_store(f"sqlite:///{db}").close()  # the store exists (read commands create none)
    # Another connection held open keeps the WAL file (the last one to close removes it).
    keeper = sqlite3.connect(db)
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        opened = open_with_cpr(ssp)
        assert ssp("case", "note", opened["id"], "Met the family at home.", *TEACHER)[0] == 0
        code, out, err = ssp("case", "history", opened["id"], "--json", *CONSULTANT)
        assert code == 0, err
        wal, shm = (db.with_name(db.name + suffix) for suffix in ("-wal", "-shm"))
        stored = db.read_bytes() + wal.read_bytes() + shm.read_bytes()
        assert wal.stat().st_size > 0
    finally:
        keeper.close()
    assert json.loads(out)[1]["text"] == "Met the family at home."
    assert b"Met the family at home." not in stored
    assert opened["workflow"] == "aalborg.radicalisation_under_18"
    records = json.loads(out)
    expected = MunicipalKey.from_file(key_file).pseudonymiser().pseudonym(CPR)
    assert records[0]["subject"]["pseudonym"] == expected
    assert records[0]["subject"]["birth_date"] == "2009-11-20"
    for secret in (CPR, DIGITS, "Alex Example", "+45 11 22 33 44"):
        assert secret not in json.dumps(opened) and secret not in out
        assert secret.encode() not in stored
    with open_store(f"sqlite:///{db}") as store:
        assert store.read_identity(expected) is not None  # enrolled in the vault


def test_cpr_input_mistakes_are_one_line_and_change_nothing(
    ssp: Run, db: Path, key_file: Path
) -> None:
    for typed in ("12345\n", "321309-4017\n"):  # too short; not a date
        code, out, err = ssp(
            "case",
            "open",
            "--situation",
            "aalborg.radicalisation",
            "--cpr-stdin",
            *TEACHER,
            stdin=typed,
        )
        line = one_error_line(err)
        assert code == 1 and out == "" and "CPR number" in line
        assert typed.strip() not in line and "4017" not in line
    code, _, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin", *TEACHER, stdin=""
    )
    assert code == 1 and "--cpr-stdin read no CPR number" in one_error_line(err)
    code, _, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym", pseudonym_for("p-1"), "--birth-date",
        "2010-01-01", "--name", "Alex Example", *TEACHER,
    )  # fmt: skip
    assert code == 1 and "--name and --contact go with --cpr-stdin only" in one_error_line(err)
    code, _, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin", "--pseudonym", pseudonym_for("p-1"),
        *TEACHER, stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 1 and "name exactly one subject" in one_error_line(err)
    # Refusals found before enrolling: a future concern date; a role that may not open.
    code, _, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin", "--concern-date",
        "2099-01-01", *TEACHER, stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 1 and "is in the future" in one_error_line(err)
    code, _, err = ssp(
        "case", "open", "--workflow", "aalborg.dialogue_ambassador", "--cpr-stdin",
        *CONSULTANT, stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 1 and "takes cases about environment, not a person" in one_error_line(err)
    code, _, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin", *MENTOR,
        stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 1
    assert one_error_line(err).startswith("error: eva (aalborg.mentor) may not case.open:")
    with open_store(f"sqlite:///{db}") as store:
        assert store.count_cases() == 0
        # the refusal was audited; nobody was enrolled
        assert [e.action.value for e in store.read_audit(AuditQuery())] == ["denied"]
        pseudonym = MunicipalKey.from_file(key_file).pseudonymiser().pseudonym(CPR)
        assert store.read_identity(pseudonym) is None


def test_at_a_terminal_the_cpr_number_is_asked_for_hidden(
    ssp: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(options, "stdin_is_terminal", lambda: True)
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin", "--concern-date",
        "2026-03-02", "--json", *TEACHER, stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 0, err
    assert "CPR number (not shown)" in err
    assert CPR not in out + err and DIGITS not in out + err
    assert json.loads(out)["state"] == "received"


# --- re-identification ------------------------------------------------------------


def test_identity_show_needs_a_granted_role_and_an_explicit_purpose(
    ssp: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = open_with_cpr(ssp)["id"]
    code, _, err = ssp("identity", "show", case_id, *CONSULTANT)
    assert code == 2 and "Missing option '--purpose'" in err
    monkeypatch.setenv("SSP_PURPOSE", "reidentification")  # the environment does not count
    code, _, err = ssp("identity", "show", case_id, *CONSULTANT)
    assert code == 2 and "Missing option '--purpose'" in err
    monkeypatch.delenv("SSP_PURPOSE")
    code, out, err = ssp(
        "identity", "show", case_id, *PARTNER_CONTACT, "--purpose", "reidentification"
    )
    assert code == 1 and out == ""
    assert one_error_line(err).startswith(
        "error: carla (aalborg.partner_contact) may not identity.reidentify: "
    )
    code, out, err = ssp("identity", "show", case_id, *CONSULTANT, "--purpose", "reidentification")
    assert code == 0, err
    assert out.splitlines() == [
        f"case: {case_id}",
        f"cpr: {CPR}",
        "name: Alex Example",
        "contact: +45 11 22 33 44",
    ]
    code, out, _ = ssp(
        "identity", "show", case_id, "--json", *CONSULTANT, "--purpose", "reidentification"
    )
    assert json.loads(out) == {
        "case": case_id, "cpr": CPR, "name": "Alex Example", "contact": "+45 11 22 33 44"
    }  # fmt: skip
    code, out, _ = ssp("audit", "--case", case_id, "--json", *ADMIN, "--purpose", "audit")
    actions = [(e["actor"], e["action"], e["purpose"]) for e in json.loads(out)]
    assert actions.count(("anne", "reidentify", "reidentification")) == 2
    assert ("carla", "denied", "reidentification") in actions
    # A case opened by pseudonym has nobody in the vault: said so, not a traceback.
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym", pseudonym_for("p-1"), "--birth-date",
        "2010-05-01", "--json", *TEACHER,
    )  # fmt: skip
    other = json.loads(out)["id"]
    code, _, err = ssp("identity", "show", other, *CONSULTANT, "--purpose", "reidentification")
    assert code == 1 and "is not in the identity vault" in one_error_line(err)


# --- disclosure -------------------------------------------------------------------


def test_disclose_lawfully_and_a_refusal(ssp: Run) -> None:
    case_id = open_with_cpr(ssp)["id"]
    code, out, err = ssp(
        "disclose", case_id, "--to", "aalborg.nordjyllands_politi", "--basis", "rpl_115_2",
        "--category", "case", "--category", "notes", "--note", "For the joint plan.",
        *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == (
        f"{case_id}: disclosed case, notes to aalborg.nordjyllands_politi under "
        "Retsplejeloven § 115, stk. 2 (version 2)"
    )
    # The municipality may not use the police's subsection: the direction is checked.
    code, out, err = ssp(
        "disclose", case_id, "--to", "aalborg.nordjyllands_politi", "--basis", "rpl_115_1_1",
        "--category", "case", *CONSULTANT,
    )  # fmt: skip
    assert code == 1 and out == ""
    assert "needs: a discloser acting as police (this one acts as municipal_service)" in (
        one_error_line(err)
    )
    # A mosque is no party of § 115: only a recorded consent covers it.
    code, out, err = ssp(
        "disclose", case_id, "--to", "aalborg.mosque_1", "--basis", "rpl_115_2",
        "--category", "case", *CONSULTANT,
    )  # fmt: skip
    assert code == 1 and out == ""
    assert one_error_line(err).endswith(
        "aalborg.mosque_1 is civil society (mosque): only the person's recorded consent can cover it"
    )
    # Consent: recorded on the case first (by the pupil and a parent), then named.
    consent = ("disclose", case_id, "--to", "aalborg.mosque_1", "--basis", "consent",
               "--category", "case", *CONSULTANT)  # fmt: skip
    code, _, err = ssp(*consent)
    assert code == 1 and "none was named" in one_error_line(err)
    give = ("consent", "give", case_id, "--to", "aalborg.mosque_1", "--category", "case",
            "--given-on", "2026-03-01", "--scope", "Told the imam may know.", *CONSULTANT)  # fmt: skip
    code, _, err = ssp(*give, "--by", "subject")
    assert code == 1 and "missing: custody_holder" in one_error_line(err)
    code, out, err = ssp(*give, "--by", "subject", "--by", "custody_holder")
    assert code == 0, err
    assert out.strip() == f"{case_id}: consent-1 covers case to aalborg.mosque_1"
    code, out, err = ssp(*consent, "--consent", "consent-1")
    assert code == 0, err
    code, _, err = ssp(
        "disclose", case_id, "--to", "aalborg.mosque_1", "--basis", "consent", "--category",
        "notes", "--consent", "consent-1", *CONSULTANT,
    )  # fmt: skip
    assert code == 1 and "consent consent-1 does not cover notes" in one_error_line(err)
    # Withdrawn: no disclosure rests on it any more.
    code, out, err = ssp("consent", "withdraw", case_id, "consent-1", *CONSULTANT)
    assert code == 0 and out.strip() == f"{case_id}: consent-1 withdrawn (state received)"
    code, _, err = ssp(*consent, "--consent", "consent-1")
    assert code == 1 and "consent-1 was withdrawn on" in one_error_line(err)
    # A teacher may not disclose at all: the missing permission, in one line.
    code, _, err = ssp(
        "disclose", case_id, "--to", "aalborg.nordjyllands_politi", "--basis", "rpl_115_2",
        "--category", "case", *TEACHER,
    )  # fmt: skip
    assert code == 1
    assert one_error_line(err).startswith(
        "error: dan (aalborg.frontline_worker) may not case.disclose: no grant gives "
        "role 'aalborg.frontline_worker' permission 'case.disclose'"
    )
    code, _, err = ssp(
        "disclose", case_id, "--to", "aalborg.mosque_1", "--basis", "rpl_115_2",
        "--category", "gossip", *CONSULTANT,
    )  # fmt: skip
    assert code == 2 and "Invalid value for '--category'" in err
    code, out, _ = ssp("case", "history", case_id, "--json", *CONSULTANT)
    assert [r["type"] for r in json.loads(out)] == [
        "CaseOpened", "Disclosure", "ConsentGiven", "Disclosure", "ConsentWithdrawn",
    ]  # fmt: skip


def test_disclosures_as_a_table_and_as_json(ssp: Run) -> None:
    first = open_with_cpr(ssp)["id"]
    second = open_with_cpr(ssp, OTHER_CPR, "--situation", "aalborg.armed_conflict_travel")["id"]
    police = ("--to", "aalborg.nordjyllands_politi", "--basis", "rpl_115_2")
    assert ssp("disclose", first, *police, "--category", "case", *CONSULTANT)[0] == 0
    assert ssp("disclose", second, *police, "--category", "notes", *CONSULTANT)[0] == 0
    assert ssp(
        "consent", "give", second, "--by", "subject", "--by", "custody_holder", "--to",
        "aalborg.mosque_1", "--category", "case", "--given-on", "2026-03-01", "--scope",
        "Meeting with the imam.", *CONSULTANT,
    )[0] == 0  # fmt: skip
    assert ssp(
        "disclose", second, "--to", "aalborg.mosque_1", "--basis", "consent", "--category", "case",
        "--consent", "consent-1", *CONSULTANT,
    )[0] == 0  # fmt: skip
    code, out, err = ssp("disclosures", *CONSULTANT)
    assert code == 0, err
    assert "3 disclosure(s)" in out
    for cell in (first, second, "aalborg.mosque_1", "Retsplejeloven § 115, stk. 2",
                 "[rpl_115_2]", "2026-03-01", "aalborg.ssp_consultant"):  # fmt: skip
        assert cell in out
    code, out, err = ssp("disclosures", "--json", "--to", "aalborg.nordjyllands_politi", *ADMIN)
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["case_id"], r["categories"]) for r in rows] == [
        (first, ["case"]),
        (second, ["notes"]),
    ]
    assert {r["citation"] for r in rows} == {"Retsplejeloven § 115, stk. 2"}
    assert rows[0]["actor"] == "anne" and rows[0]["purpose"] == "disclosure"
    assert rows[0]["consent_given_on"] is None
    code, out, _ = ssp("disclosures", "--json", "--case", second, *CONSULTANT)
    rows = json.loads(out)
    assert [r["recipient"] for r in rows] == ["aalborg.nordjyllands_politi", "aalborg.mosque_1"]
    assert rows[1]["consent_given_on"] == "2026-03-01"
    assert rows[1]["citation"].startswith("Databeskyttelsesforordningen art. 6")
    code, out, _ = ssp("disclosures", "--json", "--since", "2099-01-01", *CONSULTANT)
    assert json.loads(out) == []
    code, out, _ = ssp("disclosures", "--json", "--until", "2000-01-01", *CONSULTANT)
    assert json.loads(out) == []
    code, _, err = ssp("disclosures", *PARTNER_CONTACT)
    assert code == 1 and "may not disclosure.list" in one_error_line(err)


# --- retention --------------------------------------------------------------------


@pytest.fixture(name="closed_long_ago")
def _closed_long_ago(db: Path, key_file: Path) -> dict[str, str]:
    """Cases made with the library on a virtual clock in 2019 (and one still open)."""
    registry = ssp_core.load_registry()
    clock = VirtualClock(dt.datetime(2019, 3, 4, 9, tzinfo=dt.UTC))
    casework = Casework(
        registry, store=f"sqlite:///{db}", key=MunicipalKey.from_file(key_file), clock=clock
    )
    teacher, consultant = (
        Actor("dan", "aalborg.frontline_worker"),
        Actor("anne", "aalborg.ssp_consultant"),
    )
    alone = casework.enrol(CPR, teacher, name="Alex Example")
    twice = casework.enrol("010100-4000", teacher, name="Kim Example")
    made = {}
    for name, subject in (("alone", alone), ("twice_closed", twice), ("twice_open", twice)):
        made[name] = casework.open_concern(
            situation="aalborg.radicalisation", subject=subject, concern_date=clock.now().date(),
            actor=teacher,
        ).id  # fmt: skip
        casework.add_note(made[name], f"A note on {name}.", teacher)
    clock.advance(dt.timedelta(days=1))
    for name in ("alone", "twice_closed"):
        casework.fire(made[name], "close_unfounded", consultant, reason="Not substantiated.")
    casework.close()
    return made


def test_retention_dry_run_then_erasure(
    ssp: Run, closed_long_ago: dict[str, str], db: Path
) -> None:
    alone, closed, still_open = (
        closed_long_ago[name] for name in ("alone", "twice_closed", "twice_open")
    )
    code, out, err = ssp("retention", "run", "--dry-run", "--on", "2021-01-01", *ADMIN)
    assert code == 0, err
    assert "2 cases due for erasure on 2021-01-01" in out and "dry run: nothing erased" in out
    for cell in (alone, closed, "closed_unfounded", "2019-03-05", "2020-03-04",
                 "aalborg.radicalisation_under_18.unfounded"):  # fmt: skip
        assert cell in out
    assert still_open not in out
    code, out, _ = ssp("retention", "run", "--dry-run", "--on", "2020-03-03", "--json", *ADMIN)
    assert json.loads(out) == {
        "on": "2020-03-03", "erased": [], "identities": 0, "without_rule": [], "dry_run": True,
        "remains": [],
    }  # fmt: skip
    code, out, _ = ssp("retention", "run", "--dry-run", "--on", "2021-01-01", "--json", *ADMIN)
    report = json.loads(out)
    assert sorted(item["case_id"] for item in report["erased"]) == sorted([alone, closed])
    assert report["erased"][0]["due_on"] == "2020-03-04"
    code, out, _ = ssp("identity", "show", alone, *CONSULTANT, "--purpose", "reidentification")
    assert code == 0 and "name: Alex Example" in out  # the dry run changed nothing
    # The consultant may not erase; a day after today cannot be planned.
    code, _, err = ssp("retention", "run", "--on", "2021-01-01", *CONSULTANT)
    assert code == 1 and "may not retention.run" in one_error_line(err)
    code, _, err = ssp("retention", "run", "--on", "2999-01-01", *ADMIN)
    assert code == 1 and one_error_line(err).startswith(
        "error: nothing can be erased on a future day (2999-01-01, today is "
    )
    assert one_error_line(err).endswith("to see what falls due then, plan it with --dry-run")
    code, out, err = ssp("retention", "run", "--dry-run", "--on", "2999-01-01", "--json", *ADMIN)
    assert code == 0, err  # a preview of a future day: what falls due by then
    assert sorted(item["case_id"] for item in json.loads(out)["erased"]) == sorted([alone, closed])
    code, out, err = ssp("retention", "run", "--on", "2021-01-01", *ADMIN)
    assert code == 0
    assert err == ""  # no progress bar when standard error is not a terminal
    assert out.strip() == (
        "erased 2 cases due on 2021-01-01 (their data keys destroyed) and 1 identity-vault entry"
    )
    # Erased: personal fields read [erased]; the person of the erased case is gone; the
    # other person stays, for their open case.
    code, out, _ = ssp("case", "history", alone, "--json", *CONSULTANT)
    records = json.loads(out)
    assert records[1]["text"] == "[erased]" and records[-1]["dest"] == "closed_unfounded"
    code, _, err = ssp("identity", "show", alone, *CONSULTANT, "--purpose", "reidentification")
    assert code == 1 and "has no person in the identity vault" in one_error_line(err)
    code, out, _ = ssp("identity", "show", still_open, *CONSULTANT, "--purpose", "reidentification")
    assert code == 0 and "name: Kim Example" in out
    code, out, _ = ssp("retention", "run", "--on", "2021-01-01", "--json", *ADMIN)
    assert json.loads(out)["erased"] == []
    code, out, _ = ssp("audit", "--json", *ADMIN, "--purpose", "audit")
    erased = [e for e in json.loads(out) if e["action"] == "erase"]
    assert len(erased) == 3 and {e["purpose"] for e in erased} == {"retention"}


def test_retention_shows_a_progress_bar_at_a_terminal(
    ssp: Run, closed_long_ago: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "stderr_is_terminal", lambda: True)
    code, out, err = ssp("retention", "run", "--on", "2021-01-01", "--dry-run", *ADMIN)
    assert code == 0 and err == ""  # a dry run erases nothing: no bar
    code, out, err = ssp("retention", "run", "--on", "2021-01-01", *ADMIN)
    assert code == 0
    assert "erasing" in err and "2/2" in err
    assert out.startswith("erased 2 cases")


def test_retention_draws_no_bar_with_json(
    ssp: Run, closed_long_ago: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "stderr_is_terminal", lambda: True)
    code, out, err = ssp("retention", "run", "--on", "2021-01-01", "--json", *ADMIN)
    assert code == 0 and err == ""
    assert len(json.loads(out)["erased"]) == 2


# --- the demo ---------------------------------------------------------------------


def test_the_demo_makes_its_key_next_to_the_store_and_reuses_it(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ssp.db'}"
    key_path = tmp_path / "ssp.db.key"
    code, out, err = invoke(["--store", store, "demo"])
    assert code == 0, err
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    fingerprint = MunicipalKey.from_file(key_path).fingerprint
    secret = key_path.read_text(encoding="ascii").strip()
    first_line = next(line for line in out.splitlines() if line.startswith("Created"))
    assert first_line == (
        f"Created the municipal key {key_path} (fingerprint {fingerprint}): keep it secret "
        "and safe, without it the demo's personal data cannot be read; use it with: "
        f"export SSP_KEY_FILE={key_path}"
    )
    assert secret not in out and "201109" not in out and "030806" not in out
    code, out, err = invoke(["--store", store, "demo"])
    assert code == 0, err
    assert f"Using the municipal key {key_path} (fingerprint {fingerprint})." in out
    assert key_path.read_text(encoding="ascii").strip() == secret
    # The demo's people are in the vault under that key, and can be re-identified with it.
    code, out, err = invoke(
        ["--store", store, "--key-file", str(key_path), "identity", "show", "AAL-0019",
         *CONSULTANT, "--purpose", "reidentification"],
    )  # fmt: skip
    assert code == 0, err
    assert f"cpr: {CPR}" in out
    with open_store(store) as opened:
        assert opened.count_cases() == 22  # 2 x 4 cases, the example walks and activities once


def test_the_demo_uses_a_key_given_and_makes_no_file(tmp_path: Path) -> None:
    key = MunicipalKey.generate()
    store = f"sqlite:///{tmp_path / 'given.db'}"
    code, out, err = invoke(["--store", store, "demo"], env={"SSP_KEY": key.export_text()})
    assert code == 0, err
    assert f"fingerprint {key.fingerprint}" in out
    assert not (tmp_path / "given.db.key").exists()
    code, out, err = invoke(["--store", "memory://", "demo"])
    assert code == 0, err
    assert "18 cases read back" in out


def test_base64_key_in_the_environment(tmp_path: Path) -> None:
    key = MunicipalKey.generate()
    secret = base64.b64encode(os.urandom(8)).decode()
    code, _, err = invoke(["--store", f"sqlite:///{tmp_path / 'k.db'}", "case", "list", *CONSULTANT],
                          env={"SSP_KEY": secret})  # fmt: skip
    assert code == 1 and "at least 32 random bytes" in one_error_line(err)
    code, out, err = invoke(
        ["--store", f"sqlite:///{tmp_path / 'k.db'}", "key", "fingerprint"],
        env={"SSP_KEY": key.export_text(), "SSP_KEY_FILE": None},
    )
    assert code == 0 and out.strip() == key.fingerprint


def test_withdrawing_a_consent_to_take_part_ends_the_track(ssp: Run) -> None:
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", pseudonym_for("p-7"), "--birth-date",
        "2004-05-01", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    track = json.loads(out)["id"]
    assert ssp("case", "fire", track, "accept_referral", *CONSULTANT)[0] == 0
    give = ("consent", "give", track, "--by", "subject", "--to", "aalborg.schools",
            "--category", "case", "--given-on", "2026-03-01", "--scope", "Takes part.")  # fmt: skip
    assert ssp(*give, *CONSULTANT)[0] == 0  # consent-1: sharing only
    assert ssp(*give, "--participation", *CONSULTANT)[0] == 0  # consent-2: taking part too
    code, out, _ = ssp("consent", "withdraw", track, "consent-1", *CONSULTANT)
    assert code == 0 and out.strip() == f"{track}: consent-1 withdrawn (state matching)"
    code, out, _ = ssp(
        "consent", "withdraw", track, "consent-2", "--reason", "Wants out.", *CONSULTANT
    )
    assert code == 0 and out.strip() == f"{track}: consent-2 withdrawn (state consent_withdrawn)"
    code, _, err = ssp("consent", "withdraw", track, "consent-2", *CONSULTANT)
    assert code == 1 and "already withdrawn" in one_error_line(err)


def test_the_findings_of_the_lawful_exchange_issue_on_the_command_line(ssp: Run) -> None:
    police = ("--actor", "bo", "--role", "aalborg.police_ssp_coordinator")
    # § 133 is a notification to children's services, not a basis for telling the police.
    case_id = open_with_cpr(ssp)["id"]
    code, out, err = ssp(
        "disclose", case_id, "--to", "aalborg.nordjyllands_politi", "--basis", "barnets_lov_133",
        "--category", "case", *CONSULTANT,
    )  # fmt: skip
    assert code == 1 and out == ""
    assert "needs: a recipient of kind childrens_services" in one_error_line(err)
    code, out, err = ssp(
        "disclose", case_id, "--to", "aalborg.childrens_services", "--basis", "barnets_lov_133",
        "--category", "case", "--category", "notes", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    # The under-18 travel card is not handed to the police without the notification.
    travel = open_with_cpr(ssp, CPR, "--situation", "aalborg.armed_conflict_travel")
    assert travel["workflow"] == "aalborg.travel_under_18" and travel["version"] >= 1
    for fact in ("police_screening_done", "pet_informed", "passport_measures_considered"):
        assert ssp("case", "fact", travel["id"], fact, *police)[0] == 0
    hand_over = ("case", "fire", travel["id"], "hand_to_police", "--reason", "Police matter.")
    code, _, err = ssp(*hand_over, *police)
    assert code == 1 and "children_services_notified" in one_error_line(err)
    assert ssp("case", "fact", travel["id"], "children_services_notified", *CONSULTANT)[0] == 0
    code, _, err = ssp(*hand_over, *police)
    assert code == 0, err
    # A minor's mentor track starts only with voluntariness and the custody holder.
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", pseudonym_for("p-16"), "--birth-date",
        "2010-01-01", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    track = json.loads(out)["id"]
    for step in (
        ("case", "fire", track, "accept_referral"),
        ("case", "fact", track, "goals_agreed"),
    ):
        assert ssp(*step, *CONSULTANT)[0] == 0
    code, _, err = ssp("case", "fire", track, "start", *CONSULTANT)
    assert code == 1 and "voluntary_for_a_minor" in one_error_line(err)
    for fact in ("participation_voluntary", "custody_holder_involved"):
        assert ssp("case", "fact", track, fact, *CONSULTANT)[0] == 0
    code, _, err = ssp("case", "fire", track, "start", *CONSULTANT)
    # Now only the mentor's assignment is missing (assigning is not a command yet).
    assert code == 1 and "voluntary_for_a_minor" not in err and "member_assigned" in err


def test_item_7_the_demo_refuses_a_store_that_holds_what_it_did_not_make(
    ssp: Run, db: Path
) -> None:
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", "a" * 32,
        "--birth-date", "2008-01-01", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    real = json.loads(out)["id"]
    with sqlite3.connect(db) as connection:
        (before,) = connection.execute("SELECT count(*) FROM events").fetchone()
    code, out, err = ssp("demo")
    assert code == 1
    line = one_error_line(err)
    assert "ssp demo writes only into an empty store or one it made itself" in line
    assert f"(e.g. {real})" in line
    with sqlite3.connect(db) as connection:
        (after,) = connection.execute("SELECT count(*) FROM events").fetchone()
    assert after == before  # nothing written


def test_item_12_what_ssp_creates_is_its_owners_only(tmp_path: Path) -> None:
    store = tmp_path / "demo.db"
    code, _, err = invoke(["--store", f"sqlite:///{store}", "demo"])
    assert code == 0, err
    made = [p for p in tmp_path.iterdir() if p.name.startswith("demo.db")]
    assert {p.name for p in made} >= {"demo.db", "demo.db.key"}
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    env = {"SSP_KEY_FILE": str(store) + ".key"}
    code, out, err = invoke(
        ["--store", f"sqlite:///{store}", "walk", "list", "--json", *CONSULTANT], env=env
    )
    assert code == 0, err
    walk = json.loads(out)[0]["case_id"]
    out_dir = tmp_path / "reports"
    code, _, err = invoke(
        ["--store", f"sqlite:///{store}", "walk", "report", walk, "--out", str(out_dir),
         *CONSULTANT], env=env,
    )  # fmt: skip
    assert code == 0, err
    for path in [out_dir, *out_dir.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_item_12_a_store_made_through_the_api_is_its_owners_only(tmp_path: Path) -> None:
    path = tmp_path / "api.db"
    casework = Casework(ssp_core.load_registry(), store=f"sqlite:///{path}",
                        key=MunicipalKey.generate())  # fmt: skip
    casework.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_item_2_a_cpr_read_again_without_a_name_keeps_the_entry_and_correct_changes_it(
    ssp: Run,
) -> None:
    case_id = open_with_cpr(ssp)["id"]
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--concern-date", "2026-03-02",
        "--cpr-stdin", "--json", *TEACHER, stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 0, err
    shown = ("identity", "show", case_id, "--json", *CONSULTANT, "--purpose", "reidentification")
    code, out, err = ssp(*shown)
    assert code == 0, err
    assert json.loads(out)["name"] == "Alex Example"  # not wiped by the second enrolment
    code, _, err = ssp(
        "identity", "correct", case_id, *TEACHER, "--purpose", "casework", stdin="Alex Right\n\n"
    )
    assert code == 1
    assert "identity.correct" in err
    code, out, err = ssp(
        "identity", "correct", case_id, *CONSULTANT, "--purpose", "casework",
        stdin="Alex Right\n+45 99 88 77 66\n",
    )  # fmt: skip
    assert code == 0, err
    assert "Alex Right" not in out
    found = json.loads(ssp(*shown)[1])
    assert (found["name"], found["contact"]) == ("Alex Right", "+45 99 88 77 66")


def test_item_3_a_cpr_number_is_refused_as_a_pseudonym_and_as_a_case_id(ssp: Run, db: Path) -> None:
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym", "311299-4321",
        "--birth-date", "1999-12-31", *TEACHER,
    )  # fmt: skip
    assert code == 1
    assert "32 lower-case hexadecimal digits" in err
    assert "311299" not in out + err
    assert not db.exists() or b"311299" not in db.read_bytes()
    open_with_cpr(ssp)
    for command in (("case", "show"), ("case", "history"), ("identity", "show")):
        code, out, err = ssp(*command, "311299-4321", *CONSULTANT, "--purpose", "reidentification")
        assert code == 1, command
        assert "never something shaped like a CPR number" in err
        assert "311299" not in out + err
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert b"311299" not in raw and b"3112994321" not in raw


def test_item_4_personal_data_typed_into_filters_is_not_kept(ssp: Run, db: Path) -> None:
    case_id = open_with_cpr(ssp)["id"]
    typed = [
        ("case", "list", "--assignee", "010203-1234", *CONSULTANT),
        ("case", "list", "--state", "Jens Hansen", *CONSULTANT),
        ("audit", "--case", "311299-4321", *ADMIN, "--purpose", "audit"),
        ("audit", "--case", "Jens Hansen", *ADMIN, "--purpose", "audit"),
        ("disclose", case_id, "--to", "010203-1234", "--basis", "rpl_115_2", "--category",
         "case", *CONSULTANT),
    ]  # fmt: skip
    for command in typed:
        _, out, err = ssp(*command)
        assert "010203" not in out + err and "311299" not in out + err
        assert "Jens Hansen" not in err
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    for needle in (b"010203", b"0102031234", b"311299", b"Jens Hansen"):
        assert needle not in raw, needle


PERSONAL = {"name", "contact", "reason", "detail", "note", "text", "description", "place", "scope",
            "question"}  # fmt: skip
"""Parameters that take personal or free text: never needed on the command line."""


def _commands(group: click.Group, ctx: click.Context) -> Iterator[click.Command]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _commands(command, ctx)
        else:
            yield command


def test_item_5_every_personal_text_can_come_from_stdin_or_a_file() -> None:
    from ssp_core.cli.app import cli  # noqa: PLC0415
    from ssp_core.cli.options import PersonalText  # noqa: PLC0415

    ctx = click.Context(cli)
    found = []
    for command in _commands(cli, ctx):
        for param in command.params:
            if param.name in PERSONAL or "sealed" in (getattr(param, "help", "") or ""):
                found.append(f"{command.name} {param.name}")
                assert isinstance(param.type, PersonalText), f"{command.name} --{param.name}"
    assert len(found) >= 25  # the walk reached every command group


def test_item_5_personal_text_from_stdin_or_a_file_never_from_argv(
    ssp: Run, tmp_path: Path
) -> None:
    name_file = tmp_path / "name.txt"
    name_file.write_text("Alex Filed\n")
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--concern-date", "2026-03-02",
        "--cpr-stdin", "--name", f"@{name_file}", "--contact", "@@home", "--json", *TEACHER,
        stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 0, err
    case_id = json.loads(out)["id"]
    code, out, err = ssp("case", "note", case_id, "-", *CONSULTANT, stdin="seen at school\nmore\n")
    assert code == 0, err
    code, out, _ = ssp("case", "history", case_id, "--json", *CONSULTANT)
    assert "seen at school\nmore" in json.loads(out)[-1]["text"]
    shown = ("identity", "show", case_id, "--json", *CONSULTANT, "--purpose", "reidentification")
    found = json.loads(ssp(*shown)[1])
    assert (found["name"], found["contact"]) == ("Alex Filed", "@home")
    code, _, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--cpr-stdin", "--name", "-",
        *TEACHER, stdin=f"{CPR}\n",
    )  # fmt: skip
    assert code == 1
    assert "standard input was read for --name already" in err
