"""Progress of long passes: a plain ``progress(done, total)`` below the CLI, a bar on a terminal.

The library calls the callback with counts that grow and reach the total; the
command line draws a rich bar on standard error only when standard error is a
terminal, and never with ``--json`` (whose standard output stays valid JSON).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import ssp_core
from ssp_core import Actor, Casework, VirtualClock
from ssp_core.cli import export as export_cli
from ssp_core.cli import progress as progress_cli
from ssp_core.cli import store as store_cli
from ssp_core.cli.progress import progress_bar
from ssp_core.privacy import export as export_module
from ssp_core.privacy.export import export_research
from ssp_core.privacy.keys import MunicipalKeys, write_key_file
from ssp_core.store import SCHEMA_VERSION, open_store
from ssp_core.store.memory import MemoryStore
from ssp_core.store.sqlite import SQLITE_MIGRATIONS, SqliteStore
from tests.privacy.test_export import build_world
from tests.test_cli_privacy import Run, invoke, open_with_cpr
from tests.test_cli_privacy import _db as _db  # noqa: PLC0414 (fixtures shared by import)
from tests.test_cli_privacy import _key_file as _key_file  # noqa: PLC0414
from tests.test_cli_privacy import _ssp as _ssp  # noqa: PLC0414

Calls = list[tuple[int, int]]
Rotation = tuple[list[str], dict[str, str | None]]


def _check(calls: Calls) -> None:
    """The counts grow (never back), stay within the total, and end at the total."""
    assert calls, "progress was never reported"
    totals = {total for _, total in calls}
    assert len(totals) == 1, calls
    (total,) = totals
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(0 <= d <= total for d in done), calls
    assert done[-1] == total, calls


# -- the library: a plain callable ------------------------------------------------------


def test_a_store_upgrade_reports_each_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    SqliteStore(path, url=url, migrations=SQLITE_MIGRATIONS[:2]).close()
    calls: Calls = []
    with open_store(url, upgrade=True, progress=lambda *a: calls.append(a)) as store:
        assert store.schema_version() == SCHEMA_VERSION
    missing = len(SQLITE_MIGRATIONS) - 2
    assert calls == [(n, missing) for n in range(1, missing + 1)]
    calls.clear()
    with SqliteStore(path, url=url) as store:  # current: nothing to do
        assert store.upgrade(progress=lambda *a: calls.append(a)) == ()
    assert calls == [(0, 0)]
    calls.clear()
    assert MemoryStore().upgrade(progress=lambda *a: calls.append(a)) == ()
    assert calls == [(0, 0)]


def test_an_older_store_upgraded_in_place_reports_each_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SqliteStore(path, migrations=SQLITE_MIGRATIONS[:4]).close()
    calls: Calls = []
    with SqliteStore(path, migrations=SQLITE_MIGRATIONS[:4]) as store:
        assert store.schema_version() == 4
    with SqliteStore(path, upgrade=True, progress=lambda *a: calls.append(a)) as store:
        assert store.schema_version() == SCHEMA_VERSION
    _check(calls)
    assert calls[-1] == (len(SQLITE_MIGRATIONS) - 4, len(SQLITE_MIGRATIONS) - 4)


@pytest.fixture(scope="module", name="world_casework")
def _world_casework() -> Casework:
    clock = VirtualClock(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC))
    return build_world(Casework(ssp_core.load_registry(), clock=clock), clock, people=12).casework


@pytest.mark.parametrize("kind", ["events", "tables"])
def test_a_research_export_reports_the_cases_it_reads(
    kind: str, world_casework: Casework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "SCAN_BATCH", 4)  # several batches of a small world
    calls: Calls = []
    result = export_research(
        registry=world_casework.registry,
        store=world_casework.store,
        codec=world_casework.codec,
        kind=kind,
        out=tmp_path / kind,
        today=dt.date(2027, 1, 1),
        progress=lambda *a: calls.append(a),
    )
    _check(calls)
    assert len(calls) > 2
    assert calls[-1][1] == world_casework.store.count_cases() >= result.cases


def test_an_export_of_nothing_reports_nothing_to_do(tmp_path: Path) -> None:
    casework = Casework(ssp_core.load_registry())
    calls: Calls = []
    export_research(
        registry=casework.registry,
        store=casework.store,
        codec=casework.codec,
        kind="events",
        out=tmp_path / "empty",
        today=dt.date(2026, 1, 1),
        progress=lambda *a: calls.append(a),
    )
    assert calls == [(0, 0)]


def test_migrating_cases_reports_each_case() -> None:
    from ssp_core.application.migration import Migrations  # noqa: PLC0415

    casework = Casework(ssp_core.load_registry())
    anne = Actor("anne", "aalborg.ssp_consultant")
    opened = [
        casework.open_case(workflow="aalborg.mentor", version=1, subject=subject, actor=anne)
        for subject in _people(3)
    ]
    migrations: Migrations = casework._migrations
    plan = migrations.plan_migration("aalborg.mentor", anne)
    assert {item.case_id for item in plan.movable} == {case.id for case in opened}
    calls: Calls = []
    result = migrations.migrate(plan, anne, progress=lambda *a: calls.append(a))
    assert len(result.migrated) == 3
    assert calls == [(1, 3), (2, 3), (3, 3)]


def _people(count: int) -> list[ssp_core.Subject]:
    from ssp_core.testing import pseudonym_for  # noqa: PLC0415

    return [
        ssp_core.Subject(pseudonym_for(f"p-{n}"), dt.date(2011, 3, 1 + n)) for n in range(count)
    ]


# -- the command line: a bar on a terminal's standard error only -------------------------


def test_a_bar_not_shown_writes_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    with progress_bar("sealing", show=False) as advance:
        advance(1, 2)
        advance(2, 2)
    assert capfd.readouterr() == ("", "")


def test_a_bar_shown_goes_to_standard_error(capfd: pytest.CaptureFixture[str]) -> None:
    with progress_bar("sealing", show=True) as advance:
        advance(1, 2)
        advance(2, 2)
    out, err = capfd.readouterr()
    assert out == "" and "sealing" in err and "2/2" in err


@pytest.fixture(name="rotation")
def _rotation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rotation:
    """Two Hjørring cases under the municipality's own key, and the command that rotates it."""
    from ssp_core.cli.app import Context  # noqa: PLC0415
    from tests.district import district_registry  # noqa: PLC0415

    registry = district_registry()
    monkeypatch.setattr(Context, "registry", property(lambda _self: registry))
    folder, url = tmp_path / "keys", f"sqlite:///{tmp_path / 'rotate.db'}"
    folder.mkdir()
    for municipality in ("aalborg", "hjoerring"):
        write_key_file(folder / f"{municipality}.key")
    casework = Casework(
        registry, store=url, key=MunicipalKeys(own=MunicipalKeys.from_folder(folder))
    )
    for n in range(2):
        casework.open_for_person(
            f"020311-40{n:02d}",
            actor=Actor("hj", "hjoerring.ssp_consultant"),
            workflow="hjoerring.mentor",
        )
    casework.close()
    env = {"SSP_KEY_DIR": str(folder), "SSP_KEY_FILE": None, "SSP_KEY": None}
    command = ["--store", url, "key", "rotate", "--municipality", "hjoerring", "--batch", "1"]
    return [*command, "--actor", "root", "--role", "hjoerring.administrator"], env


def test_key_rotation_draws_a_bar_on_a_terminal(
    rotation: Rotation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command, env = rotation
    monkeypatch.setattr(progress_cli, "stderr_is_terminal", lambda: True)
    code, out, err = invoke(command, env=env)
    assert code == 0, err
    assert "re-wrapping case keys" in err and "2/2" in err
    assert "re-wrapped 2 case keys and 2 vault entries; 0 left under another key" in out
    code, out, err = invoke([*command[:-4], "--resume", *command[-4:]], env=env)
    assert code == 1 and "no rotation to resume" in err


def test_key_rotation_with_json_draws_no_bar(
    rotation: Rotation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command, env = rotation
    monkeypatch.setattr(progress_cli, "stderr_is_terminal", lambda: True)
    code, out, err = invoke([*command, "--json"], env=env)
    assert code == 0 and err == ""
    assert json.loads(out)["rewrapped"] == 2


def test_key_rotation_draws_no_bar_when_standard_error_is_no_terminal(
    rotation: Rotation,
) -> None:
    command, env = rotation
    code, out, err = invoke(command, env=env)  # CliRunner: standard error is not a terminal
    assert code == 0 and err == ""
    assert "re-wrapped 2 case keys" in out


def test_sealing_draws_no_bar_with_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_cli, "stderr_is_terminal", lambda: True)
    key = tmp_path / "k.key"
    write_key_file(key)
    store = ["--store", f"sqlite:///{tmp_path / 's.db'}"]
    open_store(store[1]).close()  # a new store: nothing to seal
    admin = ["--actor", "root", "--role", "aalborg.administrator"]
    code, out, err = invoke(
        [*store, "store", "seal", "--json", *admin], env={"SSP_KEY_FILE": str(key)}
    )
    assert code == 0 and err == ""
    assert json.loads(out) == {"sealed": []}


def test_export_draws_a_bar_on_a_terminal_only(
    ssp: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_with_cpr(ssp)
    researcher = ("--actor", "rita", "--role", "aalborg.researcher", "--purpose", "research")
    monkeypatch.setattr(export_cli, "stderr_is_terminal", lambda: True)
    code, out, err = ssp("export", "tables", "--out", str(tmp_path / "x"), *researcher)
    assert code == 0, err
    assert "reading cases" in err and "1/1" in err  # the bar, on standard error
    assert "reading cases" not in out
    monkeypatch.setattr(export_cli, "stderr_is_terminal", lambda: False)
    code, out, err = ssp("export", "tables", "--out", str(tmp_path / "y"), *researcher)
    assert code == 0 and err == ""
