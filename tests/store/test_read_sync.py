"""The audit of reads in an SQLite store: committed before the read returns, then synced in a group.

What is at risk is stated in :mod:`ssp_core.store.sqlite.sync`: an entry is in the
write-ahead log when the read returns, so a killed process loses none; the store's
syncer gathers the reads of 50 ms and calls ``fsync`` on the log once for all of them,
so only an operating-system crash or power loss in that window can lose them.
These tests prove the two halves: a process killed right after its reads keeps
every entry, and every entry is followed by an ``fsync`` of the log, which
``wait_durable`` waits for (and ``close`` too). ``read_sync="each"`` syncs every read.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ssp_core.exceptions import DataError
from ssp_core.store import AuditAction, AuditEntry, AuditQuery, open_store
from ssp_core.store.sqlite import SqliteStore
from ssp_core.store.sqlite import sync as sync_module

AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def read_entry(n: int) -> AuditEntry:
    return AuditEntry(
        at=AT,
        actor="anne",
        role="sample.consultant",
        purpose="casework",
        action=AuditAction.LOAD,
        case_id=f"c-{n}",
    )


def test_every_read_is_followed_by_an_fsync_of_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []  # how many entries were committed when each fsync ran
    store = open_store(f"sqlite:///{tmp_path / 'ssp.db'}")
    assert isinstance(store, SqliteStore) and store.read_sync == "group"
    written = 0
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(written)
        real_fsync(fd)

    monkeypatch.setattr(sync_module.os, "fsync", counting_fsync)
    try:
        for n in range(1, 21):
            store.record_reads([read_entry(n)])
            written = n
            assert store.wait_durable(timeout=10)
            assert synced and synced[-1] >= n - 1  # an fsync began after entry n was in the log
        assert [e.case_id for e in store.read_audit(AuditQuery())] == [
            f"c-{n}" for n in range(1, 21)
        ]
    finally:
        store.close()


def test_close_makes_every_read_durable_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        gate.wait(timeout=10)
        real_fsync(fd)

    monkeypatch.setattr(sync_module.os, "fsync", slow_fsync)
    store = open_store(f"sqlite:///{tmp_path / 'ssp.db'}")
    store.record_reads([read_entry(1)])
    assert not store.wait_durable(timeout=0.05)  # its fsync has not finished
    threading.Timer(0.1, gate.set).start()
    store.close()  # waits for it
    monkeypatch.setattr(sync_module.os, "fsync", real_fsync)
    with open_store(f"sqlite:///{tmp_path / 'ssp.db'}") as again:
        assert [e.case_id for e in again.read_audit(AuditQuery())] == ["c-1"]


CHILD = """
import os, signal, sys
from tests.store.test_read_sync import read_entry
from ssp_core.store import open_store
store = open_store(sys.argv[1])
for n in range(1, 51):
    store.record_reads([read_entry(n)])
print("read", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("read_sync", ["group", "each"])
def test_a_process_killed_right_after_its_reads_keeps_every_entry(
    tmp_path: Path, read_sync: str
) -> None:
    url = f"sqlite:///{tmp_path / 'ssp.db'}?read_sync={read_sync}"
    open_store(url).close()
    root = str(Path(__file__).resolve().parents[2])
    child = subprocess.run(  # noqa: S603 (this interpreter, the test's own child)
        [sys.executable, "-c", CHILD, url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
        check=False,
    )
    assert child.stdout == "read\n", child.stderr
    assert child.returncode == -9
    with open_store(url) as store:
        assert [e.case_id for e in store.read_audit(AuditQuery())] == [
            f"c-{n}" for n in range(1, 51)
        ]


def test_each_read_waits_for_its_own_fsync_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "ssp.db"
    name = f"ssp-wal-sync {path}-wal"
    with open_store(f"sqlite:///{path}?read_sync=each") as store:
        assert isinstance(store, SqliteStore) and store.read_sync == "each"
        store.record_reads([read_entry(1)])
        assert store.wait_durable(timeout=0)
        assert [t for t in threading.enumerate() if t.name == name] == []  # no syncer
    with open_store(f"sqlite:///{path}") as grouped:
        grouped.record_reads([read_entry(2)])
        assert len([t for t in threading.enumerate() if t.name == name]) == 1


def test_an_unknown_parameter_of_an_sqlite_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="takes the parameters read_sync, cache_mb; not 'sync'"):
        open_store(f"sqlite:///{tmp_path / 'ssp.db'}?sync=each")
    with pytest.raises(DataError, match="read_sync must be one of: group, each"):
        open_store(f"sqlite:///{tmp_path / 'ssp.db'}?read_sync=never")
    assert not (tmp_path / "ssp.db").exists()
