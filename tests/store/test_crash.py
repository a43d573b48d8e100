"""Crash safety: a writer killed with SIGKILL mid-write, again and again, loses nothing.

A child process (``crash_child.py``) appends commands of 1-4 events, each commit
with the case's index row and an audit entry, and acknowledges each command in a
file (fsync'd) once ``append`` has returned. The parent kills it at a random
moment, restarts it on the same store, and repeats. Afterwards the store must be
sound: every acknowledged command is there, no command is there in part, versions
run 1..n per case, positions strictly increase, each index row matches its case's
last event, and each command has exactly one audit entry. A command may be there
without an acknowledgement (killed between commit and ack), at most one per kill.

Each child is started while its predecessor still writes and told to open the
store only after the kill, so the children's import time overlaps the writing.
"""

from __future__ import annotations

import itertools
import json
import random
import select
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from ssp_core.store.codec import codec
from ssp_core.store.records import AuditQuery, CaseQuery, StoredEvent
from ssp_core.store.sqlite import SqliteStore
from ssp_core.store.url import open_store
from tests.store import workers

KILLS = 75
"""How many times the SQLite writer is killed."""
POSTGRES_KILLS = 10
"""How many times the PostgreSQL writer is killed (a smaller run)."""
DELAY = (0.05, 0.4)
"""A child is killed this many seconds (uniformly) after it said it was ready."""
CHILD = Path(__file__).with_name("crash_child.py")
TIMEOUT = 30.0


@attrs.define
class Child:
    """One run of ``crash_child.py``."""

    proc: subprocess.Popen[str]
    started: float
    loaded: float | None = None
    ready: float | None = None

    @classmethod
    def start(cls, target: str, ack: Path, seed: int) -> Child:
        proc = subprocess.Popen(  # noqa: S603 (our own child script, run by this interpreter)
            [sys.executable, str(CHILD), target, str(ack), str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return cls(proc, time.perf_counter())

    def expect(self, word: str) -> float:
        """Wait for the child to print ``word``; return the seconds since it was started."""
        stdout = self.proc.stdout
        assert stdout is not None
        readable, _, _ = select.select([stdout], [], [], TIMEOUT)
        line = stdout.readline() if readable else "(nothing: timed out)"
        if line != f"{word}\n":
            self.proc.kill()
            _, err = self.proc.communicate()
            pytest.fail(f"crash child said {line!r} instead of {word!r}; stderr:\n{err}")
        return time.perf_counter() - self.started

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        """SIGKILL the child, which must still be running (writing)."""
        if self.proc.poll() is not None:
            _, err = self.proc.communicate()
            pytest.fail(f"crash child died by itself ({self.proc.returncode}):\n{err}")
        self.proc.kill()
        self.proc.communicate()
        assert self.proc.returncode == -9

    def discard(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


@attrs.define
class Run:
    """What a crash loop did."""

    kills: int = 0
    seconds: float = 0.0
    loaded: list[float] = attrs.Factory(list)
    ready: list[float] = attrs.Factory(list)
    acks: list[Path] = attrs.Factory(list)


def crash_loop(target: str, directory: Path, kills: int, seed: int) -> Run:
    """Start, let write, and SIGKILL the child ``kills`` times on the store ``target``."""
    rng = random.Random(seed)
    run = Run()
    began = time.perf_counter()

    def start(number: int) -> Child:
        ack = directory / f"ack-{number:03d}.txt"
        run.acks.append(ack)
        return Child.start(target, ack, seed * 1000 + number)

    child: Child | None = start(0)
    waiting: Child | None = None
    try:
        for number in range(kills):
            assert child is not None
            run.loaded.append(child.expect("loaded"))
            child.go()
            run.ready.append(child.expect("ready") - run.loaded[-1])
            # The next child imports while this one writes; it opens the store after the kill.
            waiting = start(number + 1) if number + 1 < kills else None
            time.sleep(rng.uniform(*DELAY))
            child.kill()
            run.kills += 1
            child, waiting = waiting, None
    finally:
        for leftover in (child, waiting):
            if leftover is not None:
                leftover.discard()
    run.seconds = time.perf_counter() - began
    return run


def _command_of(stored: StoredEvent) -> tuple[str, int]:
    data = json.loads(stored.data)
    command, size, _ = (data["reason"] if stored.topic == "CaseOpened" else data["text"]).split(" ")
    return command, int(size)


def _acks(paths: list[Path]) -> Iterator[tuple[str, int, int]]:
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.endswith("\n"):  # a line cut by the kill was never acknowledged
                case_id, first, last = line.split()
                yield case_id, int(first), int(last)


def check_crashed_store(url: str, run: Run) -> dict[str, int]:
    """Check everything the crash loop must have left intact; return counts."""
    with open_store(url) as store:
        if isinstance(store, SqliteStore):
            assert store.integrity_check() == "ok"
        log = store.read_log()
        positions = [e.position for e in log if e.position is not None]
        assert len(positions) == len(log)
        assert all(a < b for a, b in itertools.pairwise(positions))
        assert store.max_position() == positions[-1]

        by_case: dict[str, list[StoredEvent]] = defaultdict(list)
        commands: dict[str, list[tuple[int, StoredEvent]]] = defaultdict(list)
        sizes: dict[str, int] = {}
        for index, stored in enumerate(log):
            by_case[stored.case_id].append(stored)
            command, size = _command_of(stored)
            commands[command].append((index, stored))
            assert sizes.setdefault(command, size) == size

        # Versions 1..n per case, and the history decodes and folds.
        for case_id, events in by_case.items():
            assert [e.version for e in events] == list(range(1, len(events) + 1)), case_id
            codec.replay(events)

        # No command is there in part: all its events, one case, contiguous versions,
        # adjacent in the log.
        for command, members in commands.items():
            indexes = [i for i, _ in members]
            events = [e for _, e in members]
            assert len(events) == sizes[command], f"command {command} is there in part"
            assert len({e.case_id for e in events}) == 1
            first = events[0].version
            assert [e.version for e in events] == list(range(first, first + len(events)))
            assert indexes == list(range(indexes[0], indexes[0] + len(indexes)))

        # Every acknowledged command is there, whole.
        acked: set[str] = set()
        for case_id, first, last in _acks(run.acks):
            events = by_case[case_id][first - 1 : last]
            assert [e.version for e in events] == list(range(first, last + 1)), (
                f"acknowledged versions {first}..{last} of case {case_id} were lost"
            )
            found = {_command_of(e) for e in events}
            assert len(found) == 1
            ((command, size),) = found
            assert size == last - first + 1
            acked.add(command)
        unacked = set(commands) - acked
        assert len(unacked) <= run.kills, "more unacknowledged commands than kills"

        # The index was written with the events: one row per case, at its last version
        # (which the writer puts in the row's state, as "v<n>").
        rows = store.find_cases(CaseQuery())
        assert sorted(r.case_id for r in rows) == sorted(by_case)
        for row in rows:
            assert row.state == f"v{by_case[row.case_id][-1].version}", row.case_id
        assert store.count_cases() == len(by_case)

        # ... and so was the audit entry: exactly one per command that is there.
        audited = Counter(
            (entry.detail or "").removeprefix("command ")
            for entry in store.read_audit(AuditQuery())
        )
        assert audited == Counter(set(commands))

    return {
        "events": len(log),
        "cases": len(by_case),
        "commands": len(commands),
        "acked": len(acked),
        "committed, not acked": len(unacked),
    }


def _report(backend: str, run: Run, counts: dict[str, int]) -> None:
    loaded = sum(run.loaded) / len(run.loaded)
    ready = sum(run.ready) / len(run.ready)
    print(  # noqa: T201 (the timings are part of what this test reports; see it with -s)
        f"\n{backend} crash loop: {run.kills} kills in {run.seconds:.1f} s; child start-up "
        f"{loaded:.2f} s to import (overlapped), {ready:.3f} s to open and read; {counts}"
    )


def test_sqlite_writer_killed_again_and_again(tmp_path: Path) -> None:
    db = tmp_path / "ssp.db"
    run = crash_loop(str(db), tmp_path, KILLS, seed=1)
    assert run.kills == KILLS
    counts = check_crashed_store(f"sqlite:///{db}", run)
    assert counts["acked"] > KILLS  # the children did write between the kills
    _report("SQLite", run, counts)


def test_postgres_writer_killed_again_and_again(tmp_path: Path) -> None:
    dsn = workers.postgres_dsn()
    if dsn is None:
        pytest.skip(workers.NO_POSTGRES)
    with workers.postgres_schema(dsn, "ssp_crash") as url:
        run = crash_loop(url, tmp_path, POSTGRES_KILLS, seed=2)
        assert run.kills == POSTGRES_KILLS
        counts = check_crashed_store(url, run)
    assert counts["acked"] > POSTGRES_KILLS
    _report("PostgreSQL", run, counts)
