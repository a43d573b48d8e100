"""The ``ssp case``, ``ssp audit`` and ``ssp store`` commands over a store file."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

import ssp_core
from ssp_core import Actor, Casework, MunicipalKey, Subject, VirtualClock
from ssp_core.cli import main
from ssp_core.privacy.keys import write_key_file
from ssp_core.store import SCHEMA_VERSION, CaseQuery, open_store
from ssp_core.store.codec import codec
from ssp_core.store.projection import case_row
from ssp_core.store.records import AuditQuery, Commit
from ssp_core.store.sqlite import SQLITE_MIGRATIONS, SqliteStore
from ssp_core.store.sqlite.rows import case_params
from ssp_core.testing import pseudonym_for

CONSULTANT = ("--actor", "anne", "--role", "aalborg.ssp_consultant")
TEACHER = ("--actor", "dan", "--role", "aalborg.frontline_worker")
ADMIN = ("--actor", "root", "--role", "aalborg.administrator")


@pytest.fixture(autouse=True, name="key_file")
def _key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The municipal key of these tests: a key file (mode 600), named by SSP_KEY_FILE."""
    path = tmp_path / "municipal.key"
    write_key_file(path)
    monkeypatch.setenv("SSP_KEY_FILE", str(path))
    return path


@pytest.fixture(name="registry_aalborg")
def _registry_aalborg() -> ssp_core.Registry:
    return ssp_core.load_registry()


@pytest.fixture(name="ssp")
def _ssp(capsys: pytest.CaptureFixture[str], tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--store", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.url = url  # type: ignore[attr-defined]
    return run


def open_concern(ssp, *extra: str) -> dict:  # type: ignore[no-untyped-def]
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym", pseudonym_for("p-1234abcd"),
        "--birth-date", "2010-05-01", "--concern-date", "2026-03-02", "--json", *TEACHER, *extra,
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out)


def test_open_fire_show_and_history_through_the_cli(ssp) -> None:  # type: ignore[no-untyped-def]
    opened = open_concern(ssp)
    assert opened["workflow"] == "aalborg.radicalisation_under_18"
    assert opened["state"] == "received" and opened["version"] == 1
    assert opened["deadlines"][0]["rule"] == "received"
    case_id = opened["id"]
    code, out, err = ssp("case", "fire", case_id, "begin_analysis", "--json", *CONSULTANT)
    assert code == 1 and out == ""
    assert err.startswith(f"error: trigger 'begin_analysis' refused for case {case_id}")
    assert "guard 'concern_described' not satisfied" in err
    assert ssp("case", "fact", case_id, "concern_described", *CONSULTANT)[0] == 0
    code, out, _ = ssp("case", "fire", case_id, "begin_analysis", "--json", *CONSULTANT)
    assert code == 0 and json.loads(out)["state"] == "analysis"
    code, out, _ = ssp("case", "show", case_id, *CONSULTANT)
    flat = " ".join(out.split())
    assert code == 0 and "state Analysis of the person's situation" in flat
    assert "refer_to_info_house" in out
    code, out, _ = ssp("case", "history", case_id, "--json", *CONSULTANT, "--purpose", "disclosure")
    records = json.loads(out)
    assert [r["type"] for r in records] == ["CaseOpened", "FactRecorded", "Transitioned"]
    assert records[2]["dest"] == "analysis" and records[0]["subject"]["pseudonym"] == pseudonym_for(
        "p-1234abcd"
    )
    code, out, _ = ssp("case", "history", case_id, *CONSULTANT)
    assert code == 0 and "step: begin_analysis: Concern" in out


def test_list_overdue_and_escalation(ssp, registry_aalborg, key_file) -> None:  # type: ignore[no-untyped-def]
    # Two concerns opened in March (through the library, on a virtual clock) into the
    # same store; the CLI runs on the system clock, long after they fell due.
    clock = VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    key = MunicipalKey.from_file(key_file)
    casework = Casework(registry_aalborg, store=ssp.url, clock=clock, key=key)
    subject = Subject(pseudonym_for("p-1234abcd"), dt.date(2010, 5, 1))
    first, second = (
        casework.open_concern(
            situation="aalborg.radicalisation",
            subject=subject,
            concern_date=dt.date(2026, 3, 2),
            actor=Actor("dan", "aalborg.frontline_worker"),
        ).id
        for _ in range(2)
    )
    casework.close()
    code, out, _ = ssp("case", "list", "--json", *CONSULTANT)
    assert code == 0 and {row["case_id"] for row in json.loads(out)} == {first, second}
    code, out, _ = ssp("case", "suspend", second, "--reason", "Family abroad.", *CONSULTANT)
    assert code == 0 and "on hold" in out
    code, out, _ = ssp("case", "overdue", "--record", "--json", *CONSULTANT)
    report = json.loads(out)
    assert [row["case_id"] for row in report["cases"]] == [first]
    assert report["recorded"] == [
        {"case": first, "rule": "received", "due": "2026-03-04"},
        {"case": first, "rule": "children_services_notified", "due": "2026-03-03"},
    ]
    code, out, _ = ssp("case", "overdue", "--record", "--json", *CONSULTANT)
    assert json.loads(out)["recorded"] == []  # escalated once only
    code, _, err = ssp("case", "overdue", "--on", "2099-01-01", "--record", *CONSULTANT)
    assert code == 1 and "only once it has passed" in err
    code, out, _ = ssp("case", "list", "--state", "received", "--open", "--json", *CONSULTANT)
    assert sorted(row["case_id"] for row in json.loads(out)) == sorted([first, second])
    code, out, _ = ssp("case", "list", "--overdue", "--json", *CONSULTANT)
    assert [row["case_id"] for row in json.loads(out)] == [first]
    code, _, err = ssp("case", "extend", first, "received", "2099-01-05", *CONSULTANT)
    assert code == 2 and "Missing option '--reason'" in err
    code, out, _ = ssp(
        "case", "extend", first, "received", "2099-01-05", "--reason", "School holiday.",
        *CONSULTANT,
    )  # fmt: skip
    assert code == 0 and "now due 2099-01-05" in out
    code, out, _ = ssp("case", "overdue", "--json", *CONSULTANT)
    assert [row["case_id"] for row in json.loads(out)["cases"]] == [first]  # § 133 still due
    code, out, _ = ssp("case", "fact", first, "children_services_notified", *CONSULTANT)
    assert code == 0  # recorded late, never skipped
    code, out, _ = ssp("case", "overdue", "--json", *CONSULTANT)
    assert json.loads(out)["cases"] == []


def test_audit_shows_who_did_what_for_which_purpose(ssp) -> None:  # type: ignore[no-untyped-def]
    case_id = open_concern(ssp)["id"]
    ssp("case", "show", case_id, *CONSULTANT, "--purpose", "disclosure")
    code, out, err = ssp("audit", "--case", case_id, "--json", *ADMIN, "--purpose", "audit")
    assert code == 0, err
    entries = json.loads(out)
    assert [(e["actor"], e["role"], e["purpose"], e["action"]) for e in entries] == [
        ("dan", "aalborg.frontline_worker", "casework", "write"),
        ("anne", "aalborg.ssp_consultant", "disclosure", "load"),
    ]
    code, out, _ = ssp("audit", "--by", "anne", "--json", *ADMIN, "--purpose", "audit")
    assert {e["actor"] for e in json.loads(out)} == {"anne"}
    code, out, _ = ssp("audit", "--since", "2099-01-01", "--json", *ADMIN, "--purpose", "audit")
    assert json.loads(out) == []
    # The consultant may not read the audit log: one line naming the missing permission.
    code, out, err = ssp("audit", "--case", case_id, *CONSULTANT)
    assert code == 1 and out == ""
    assert err.startswith(
        "error: anne (aalborg.ssp_consultant) may not audit.read: no grant gives role"
    )
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_store_info_and_upgrade(ssp) -> None:  # type: ignore[no-untyped-def]
    open_concern(ssp)
    code, out, _ = ssp("store", "info", "--json")
    info = json.loads(out)
    assert (
        code == 0
        and info["schema_version"] == SCHEMA_VERSION
        and info["cases"] == 1
        and info["events"] == 1
    )
    code, out, _ = ssp("store", "upgrade", *ADMIN)
    assert code == 0 and "is current; nothing to do" in out
    code, out, err = ssp("store", "upgrade", *CONSULTANT)
    assert code == 1 and "may not store.upgrade" in err


def test_migrate_dry_run_changes_nothing(ssp) -> None:  # type: ignore[no-untyped-def]
    open_concern(ssp)
    code, out, err = ssp(
        "case", "migrate", "aalborg.radicalisation_under_18", "--dry-run", *CONSULTANT
    )
    assert code == 0, err
    assert "0 running case(s)" in out and "dry run: nothing changed" in out


def test_bad_input_is_one_clear_line_and_changes_nothing(
    ssp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    code, _, err = ssp("case", "show", "C-404")
    assert code == 2 and "Missing option '--actor'" in err
    open_store(ssp.url).close()  # an empty store: read commands create none
    code, _, err = ssp("case", "show", "C-404", *CONSULTANT)
    assert code == 1 and err == (
        "error: anne (aalborg.ssp_consultant) may not case.read: there is no such case, or it is "
        "not one this role may reach\n"
    )
    code, _, err = ssp(
        "case",
        "open",
        "--situation",
        "aalborg.radicalisation",
        "--pseudonym",
        pseudonym_for("p"),
        *TEACHER,
    )
    assert code == 1 and "a person needs --birth-date" in err
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    digest = hashlib.sha256(foreign.read_bytes()).hexdigest()
    code = main(["--store", f"sqlite:///{foreign}", "case", "list", *CONSULTANT])
    _, err = capsys.readouterr()
    assert code == 1 and "not an ssp store" in err and "Traceback" not in err
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == digest
    code = main(["--store", "ftp://example.org/x", "case", "list", *CONSULTANT])
    _, err = capsys.readouterr()
    assert code == 1 and "unknown store URL 'ftp://example.org/x'; use one of" in err
    with open_store(ssp.url) as store:
        assert store.count_cases() == 0 and store.max_position() == 0


def test_upgrade_a_schema_1_store_then_seal_its_histories(
    ssp, registry_aalborg, key_file: Path
) -> None:  # type: ignore[no-untyped-def]
    # A schema-1 store holding a history written unsealed, as before sealing existed.
    path = Path(ssp.url.removeprefix("sqlite:///"))
    old = SqliteStore(path, migrations=SQLITE_MIGRATIONS[:1])
    engine = registry_aalborg.engine("aalborg.mentor")
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    anne = Actor("anne", "aalborg.ssp_consultant")
    case = engine.open(
        case_id="OLD-1",
        subject=Subject(pseudonym_for("p-old"), dt.date(2005, 1, 1)),
        actor=anne,
        at=at,
    )
    engine.add_note(case, "Written before sealing.", anne, at=at)
    old.append(Commit(events=[codec.encode(event, purpose="casework") for event in case.events]))
    old.close()
    # The index row as the library of schema 1 wrote it: without the municipality column.
    row = case_row(case, engine.definition.final_states)
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "INSERT INTO cases (case_id, workflow, workflow_version, state, assignee, "
            "opened_at, closed_at, next_due, on_hold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            case_params(row)[:-2],
        )
    code, _, err = ssp("case", "list", *CONSULTANT)
    assert code == 1 and "run `ssp store upgrade`" in err
    code, out, err = ssp("store", "upgrade", *CONSULTANT)
    assert code == 1 and "may not store.upgrade" in err
    code, _, err = ssp("case", "list", *CONSULTANT)
    assert code == 1 and "run `ssp store upgrade`" in err  # the refusal changed nothing
    code, out, err = ssp("store", "upgrade", *ADMIN)
    assert code == 0, err
    assert out.splitlines()[0] == f"{ssp.url}: upgraded to schema version {SCHEMA_VERSION}"
    with open_store(ssp.url) as store:
        upgrades = [e for e in store.read_audit(AuditQuery()) if e.actor == ADMIN[1]]
        filled = "municipality set on 1 case(s) written before it was kept"
        assert [e.detail for e in upgrades] == [
            f"store upgraded to schema version {SCHEMA_VERSION}; {filled}"
        ]
        (row,) = store.find_cases(CaseQuery())
        assert row.municipality == "aalborg"  # the mentor track's plugin's
    assert "`ssp store seal`" in out
    code, _, err = ssp("store", "seal", *CONSULTANT)
    assert code == 1 and "may not store.seal" in err and len(err.strip().splitlines()) == 1
    code, out, err = ssp("store", "seal", "--json", *ADMIN)
    assert code == 0, err
    assert json.loads(out) == {"sealed": ["OLD-1"]}
    code, out, _ = ssp("store", "seal", *ADMIN)
    assert out.strip() == "sealed 0 unsealed case histories"
    with open_store(ssp.url) as store:
        assert set(store.read_keys(["OLD-1"])) == {"OLD-1"}
        assert all("Written before sealing." not in row.data for row in store.read_case("OLD-1"))
    code, out, _ = ssp("case", "history", "OLD-1", "--json", *CONSULTANT)
    assert json.loads(out)[1]["text"] == "Written before sealing."
    code, out, _ = ssp("store", "upgrade", *ADMIN)
    assert "is current; nothing to do" in out


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("2010-02-30", "no such day: 2010-02-30 (February 2010 has 28 days)"),
        ("2012-02-30", "no such day: 2012-02-30 (February 2012 has 29 days)"),
        ("2010-04-31", "no such day: 2010-04-31 (April 2010 has 30 days)"),
        ("2010-13-01", "no such day: 2010-13-01 (there is no month 13)"),
        ("1.5.2010", "'1.5.2010' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02"),
    ],
)
def test_a_day_that_does_not_exist_is_named_as_such(ssp, birth_date: str, message: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = ssp(
        "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym",
        pseudonym_for("p-1234abcd"), "--birth-date", birth_date, *TEACHER,
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == f"error: Invalid value for '--birth-date': {message}\n"


def test_a_leap_day_is_a_day(ssp) -> None:  # type: ignore[no-untyped-def]
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", pseudonym_for("p-1"),
        "--birth-date", "2012-02-29", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["state"]


def test_a_missing_actor_or_role_names_the_environment_variable_too(
    ssp, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SSP_ACTOR", raising=False)
    monkeypatch.delenv("SSP_ROLE", raising=False)
    code, _, err = ssp("case", "show", "C-404")
    assert code == 2
    assert err == "error: Missing option '--actor'. Give it, or set SSP_ACTOR in the environment.\n"
    monkeypatch.setenv("SSP_ACTOR", "anne")
    code, _, err = ssp("case", "show", "C-404")
    assert err == "error: Missing option '--role'. Give it, or set SSP_ROLE in the environment.\n"


MENTOR = ("--actor", "eva.mentor", "--role", "aalborg.mentor")


def test_a_mentor_track_runs_from_the_command_line_assign_and_sessions(ssp) -> None:  # type: ignore[no-untyped-def]
    code, out, err = ssp(
        "case", "open", "--workflow", "aalborg.mentor", "--pseudonym", pseudonym_for("p-9"),
        "--birth-date", "2010-05-01", "--json", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    track = json.loads(out)["id"]
    assert ssp("case", "fire", track, "accept_referral", *CONSULTANT)[0] == 0
    code, _, err = ssp("case", "show", track, *MENTOR)
    assert code == 1 and "may not case.read" in err  # not the mentor's case yet
    code, out, err = ssp("case", "assign", track, "eva.mentor", *CONSULTANT)
    assert (code, err) == (0, "")
    assert out == f"{track}: assigned to eva.mentor (version 3)\n"
    assert ssp("case", "show", track, *MENTOR)[0] == 0  # the mentor now sees it
    for fact, who in (
        ("participation_voluntary", MENTOR),
        ("custody_holder_involved", CONSULTANT),
        ("goals_agreed", MENTOR),
    ):
        assert ssp("case", "fact", track, fact, *who)[0] == 0
    assert ssp("case", "fire", track, "start", *CONSULTANT)[0] == 0
    code, out, err = ssp(
        "case", "session", track, "--on", "2026-03-04", "--note", "first meeting", *MENTOR
    )
    assert (code, err) == (0, "")
    assert out == f"{track}: session on 2026-03-04 recorded (1 in all; version 8)\n"
    code, out, _ = ssp("case", "session", track, "--participants", "3", "--json", *MENTOR)
    assert code == 0 and json.loads(out)["version"] == 9
    code, out, _ = ssp(
        "case", "assign", track, "--none", "--reason", "mentor on leave", *CONSULTANT
    )
    assert out == f"{track}: unassigned (version 10)\n"
    code, _, err = ssp("case", "assign", track, *CONSULTANT)
    assert (code, err) == (
        1,
        "error: name the ASSIGNEE (an actor id), or give --none to unassign; not both\n",
    )
    code, _, err = ssp("case", "session", track, "--on", "2026-02-30", *MENTOR)
    assert code == 2 and "no such day: 2026-02-30 (February 2026 has 28 days)" in err


def test_write_commands_print_what_they_wrote_as_json(ssp) -> None:  # type: ignore[no-untyped-def]
    case_id = open_concern(ssp)["id"]
    code, out, err = ssp("case", "note", case_id, "called the school", "--json", *CONSULTANT)
    assert code == 0, err
    noted = json.loads(out)
    assert (noted["id"], noted["version"], noted["state"]) == (case_id, 2, "received")
    code, out, err = ssp("case", "fact", case_id, "concern_described", "--json", *CONSULTANT)
    assert code == 0, err
    assert "concern_described" in json.loads(out)["facts"]
    code, out, err = ssp("case", "suspend", case_id, "--reason", "abroad", "--json", *CONSULTANT)
    assert code == 0 and json.loads(out)["on_hold"] is True
    code, out, err = ssp(
        "walk", "plan", "--locality", "aalborg.gandrup", "--date", "2026-05-04", "--json",
        *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    walk = json.loads(out)
    assert walk["workflow"] == "core.safety_walk" and walk["state"] == "planned"


def test_verbose_says_what_ssp_does_and_nothing_personal(ssp) -> None:  # type: ignore[no-untyped-def]
    pseudonym = pseudonym_for("p-1234abcd")
    code, out, err = ssp(
        "-vv", "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym", pseudonym,
        "--birth-date", "2010-05-01", "--json", *TEACHER,
    )  # fmt: skip
    assert code == 0, err
    case_id = json.loads(out)["id"]
    lines = err.splitlines()
    assert any(
        line.startswith("ssp: INFO ssp_core.plugins.registry: registry built") for line in lines
    )
    assert f"ssp: DEBUG ssp_core.application.repository: case {case_id}: stored CaseOpened" in err
    code, _, err = ssp("-v", "case", "note", case_id, "Anna called from school", *CONSULTANT)
    assert code == 0 and "stored NoteAdded" not in err  # -v: the steps, not each event
    code, _, err = ssp("-vv", "case", "note", case_id, "Anna called from school", *CONSULTANT)
    assert "stored NoteAdded" in err
    assert "Anna" not in err and pseudonym not in err
    code, _, err = ssp("-v", "case", "show", case_id, *TEACHER[:2], "--role", "aalborg.mentor")
    assert code == 1
    assert "ssp: INFO ssp_core.application.gate: refused case.read to role aalborg.mentor" in err
    code, _, err = ssp("case", "show", case_id, *CONSULTANT)
    assert code == 0 and err == ""  # without -v, nothing
