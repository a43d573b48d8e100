"""Concurrent writers on one store: threads sharing a store, processes each with their own.

Writers race on one case and on many (disjoint and shared) cases, retrying after
each :class:`ConcurrencyError`. Afterwards the store must hold exactly the
acknowledged writes: each once, at the version and position its append returned,
versions 1..n per case, positions strictly increasing, commits never interleaved,
and nothing of a refused commit. A reader tailing the log while they write must
see every event, in order (positions never appear behind a reader's back).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import ssp_core
from ssp_core.exceptions import ConcurrencyError
from ssp_core.store.base import SCHEMA_VERSION, CaseStore
from ssp_core.store.codec import codec
from ssp_core.store.projection import case_row
from ssp_core.store.records import AuditAction, AuditQuery, Commit, StoredEvent
from ssp_core.store.url import open_store
from tests.store import workers

WORKERS = Path(workers.__file__)
CONSULTANT = ssp_core.Actor("c1", "sample.consultant")
PROCESS_TIMEOUT = 60.0

# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(name="store_url", params=["sqlite", "postgres"])
def _store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh store: an SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ssp.db'}"
        return
    dsn = workers.postgres_dsn()
    if dsn is None:
        pytest.skip(workers.NO_POSTGRES)
    with workers.postgres_schema(dsn, "ssp_concurrency") as url:
        yield url


@pytest.fixture(name="store")
def _store(store_url: str) -> Iterator[CaseStore]:
    with open_store(store_url) as store:
        yield store


# -- helpers -----------------------------------------------------------------------------


def run_threads(store: CaseStore, params: Sequence[dict[str, Any]]) -> list[workers.Result]:
    """Run one writer per ``params`` in threads sharing ``store``, started together."""
    barrier = threading.Barrier(len(params))

    def writer(kwargs: dict[str, Any]) -> workers.Result:
        barrier.wait(timeout=PROCESS_TIMEOUT)
        return workers.write(store, **kwargs)

    with ThreadPoolExecutor(len(params)) as pool:
        futures = [pool.submit(writer, kwargs) for kwargs in params]
        return [future.result(timeout=PROCESS_TIMEOUT) for future in futures]


def _expect_line(proc: subprocess.Popen[str], expected: str) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line != f"{expected}\n":
        proc.kill()
        _, err = proc.communicate(timeout=PROCESS_TIMEOUT)
        pytest.fail(f"worker said {line!r} instead of {expected!r}; stderr:\n{err}")


def _go(procs: Sequence[subprocess.Popen[str]]) -> None:
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()


def run_processes(url: str, params: Sequence[dict[str, Any]]) -> list[workers.Result]:
    """Run one writer process per ``params``, each opening its own store on ``url``.

    All processes open the store at once, then all start writing at once.
    """
    procs = [
        subprocess.Popen(  # noqa: S603 (our own worker script, run by this interpreter)
            [sys.executable, str(WORKERS), url, json.dumps(kwargs)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kwargs in params
    ]
    try:
        for proc in procs:
            _expect_line(proc, "loaded")
        _go(procs)
        for proc in procs:
            _expect_line(proc, "ready")
        _go(procs)
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=PROCESS_TIMEOUT)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


class Tail:
    """A reader following the log with ``read_log(after=...)`` while others write."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self.seen: list[StoredEvent] = []
        self.polls = 0
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(1)
        self._future: Future[None] | None = None

    def _poll(self) -> None:
        after = self.seen[-1].position if self.seen else 0
        assert after is not None
        self.seen.extend(self.store.read_log(after=after))
        self.polls += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll()
            time.sleep(0.001)

    def __enter__(self) -> Tail:
        self._future = self._pool.submit(self._run)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._future is not None
        try:
            self._future.result(timeout=PROCESS_TIMEOUT)
        finally:
            self._pool.shutdown()
        self._poll()

    def check(self) -> None:
        """The tail saw exactly the log: no event skipped, none twice, in order."""
        log = [e.position for e in self.store.read_log()]
        seen = [e.position for e in self.seen]
        skipped = sorted(set(log) - set(seen))
        assert not skipped, (
            f"a reader tailing the log missed {len(skipped)} events (positions "
            f"{skipped[:10]}): they were given positions below ones it had already seen"
        )
        assert seen == log


def same_case(writers: int, appends: int) -> list[dict[str, Any]]:
    return [
        {"name": f"w{n}", "cases": ["SAME"], "appends": appends, "seed": n} for n in range(writers)
    ]


def many_cases(writers: int, appends: int) -> list[dict[str, Any]]:
    """Each writer has three cases of its own and shares three with all the others."""
    shared = [f"shared-{k}" for k in range(3)]
    return [
        {
            "name": f"w{n}",
            "cases": [f"own-{n}-{k}" for k in range(3)] + shared,
            "appends": appends,
            "seed": 100 + n,
            "pair_chance": 0.3,
        }
        for n in range(writers)
    ]


def check_same_case(store: CaseStore, results: list[workers.Result]) -> dict[str, int]:
    counts = workers.check_store(store, results)
    assert counts["cases"] == 1
    assert (
        len(store.read_case("SAME")) == counts["commits"] == sum(len(r["commits"]) for r in results)
    )
    return counts


# -- tests -------------------------------------------------------------------------------


def test_threads_appending_to_one_case(store: CaseStore) -> None:
    results = run_threads(store, same_case(writers=4, appends=25))
    counts = check_same_case(store, results)
    assert counts["events"] == 100
    assert counts["conflicts"] >= 1, "the writers never collided: the test proves nothing"


def test_processes_appending_to_one_case(store: CaseStore, store_url: str) -> None:
    results = run_processes(store_url, same_case(writers=3, appends=20))
    counts = check_same_case(store, results)
    assert counts["events"] == 60
    assert counts["conflicts"] >= 1, "the writers never collided: the test proves nothing"


def test_threads_appending_to_many_cases(store: CaseStore) -> None:
    with Tail(store) as tail:
        results = run_threads(store, many_cases(writers=4, appends=30))
    counts = workers.check_store(store, results)
    assert counts["commits"] == 120
    assert counts["cases"] == 4 * 3 + 3
    tail.check()


def test_processes_appending_to_many_cases(store: CaseStore, store_url: str) -> None:
    with Tail(store) as tail:
        results = run_processes(store_url, many_cases(writers=3, appends=30))
    counts = workers.check_store(store, results)
    assert counts["commits"] == 90
    assert counts["cases"] == 3 * 3 + 3
    tail.check()


def test_processes_creating_a_store_at_once(store_url: str) -> None:
    """Processes opening a store that does not exist yet all open it, and can write."""
    params = [
        {"name": f"w{n}", "cases": [f"own-{n}"], "appends": 2, "seed": n, "pause": 0}
        for n in range(4)
    ]
    results = run_processes(store_url, params)
    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        counts = workers.check_store(store, results)
    assert counts == {"events": 8, "cases": 4, "commits": 8, "conflicts": 0}


def _open_files() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def test_threads_coming_and_going_leave_no_connections_behind(
    store: CaseStore, request: pytest.FixtureRequest
) -> None:
    """A server handling each request on a new thread must not run out of file handles."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("counting open files needs /proc")
    store.read_case("none")
    before = _open_files()
    for _ in range(50):
        thread = threading.Thread(target=store.read_case, args=("none",))
        thread.start()
        thread.join()
    assert _open_files() <= before + 10


# -- through the application layer -------------------------------------------------------


def _open_case(casework: ssp_core.Casework, clock: ssp_core.VirtualClock) -> str:
    case = casework.open_concern(
        situation="sample.worry",
        subject=workers.SUBJECT,
        concern_date=clock.now().date(),
        actor=CONSULTANT,
    )
    return case.id


def test_a_stale_casework_write_is_refused(
    tmp_path: Path, registry: ssp_core.Registry, clock: ssp_core.VirtualClock
) -> None:
    url = f"sqlite:///{tmp_path / 'ssp.db'}"
    key = ssp_core.MunicipalKey.generate()  # both open the sealed payloads of one store
    cw_a = ssp_core.Casework(registry, store=url, key=key, clock=clock)
    cw_b = ssp_core.Casework(registry, store=url, key=key, clock=clock)
    try:
        case_id = _open_case(cw_a, clock)
        case = cw_b.case(case_id, CONSULTANT, purpose="casework")
        assert cw_a.case(case_id, CONSULTANT, purpose="casework").version == case.version == 1

        cw_a.add_note(case_id, "x", CONSULTANT)
        engine = registry.engine_for(case)
        engine.add_note(case, "y", CONSULTANT, at=clock.now())
        assert case.version == 2
        with pytest.raises(ConcurrencyError) as refused:
            cw_b.store.append(Commit(events=[codec.encode(case.last_event)]))
        assert (refused.value.case_id, refused.value.version) == (case_id, 2)

        for casework in (cw_a, cw_b):
            events = casework.history(case_id, CONSULTANT, purpose="casework")
            assert [e.version for e in events] == [1, 2]
            assert [getattr(e, "text", None) for e in events] == [None, "x"]
            row = casework.store.case_row(case_id)
            assert row is not None
            assert row == case_row(
                casework.case(case_id, CONSULTANT, purpose="casework"),
                registry.engine(row.workflow).definition.final_states,
            )
        # Loading afresh and retrying works.
        assert cw_b.add_note(case_id, "y", CONSULTANT).version == 3
        assert [
            getattr(e, "text", None) for e in cw_a.history(case_id, CONSULTANT, purpose="casework")
        ] == [
            None,
            "x",
            "y",
        ]
    finally:
        cw_a.close()
        cw_b.close()


def test_casework_instances_racing_on_one_case(
    store_url: str, registry: ssp_core.Registry, clock: ssp_core.VirtualClock
) -> None:
    """Two Casework objects (own stores on one database) add notes at once, retrying."""
    key = ssp_core.MunicipalKey.generate()
    instances = [
        ssp_core.Casework(registry, store=store_url, key=key, clock=clock) for _ in range(2)
    ]
    notes = 15
    try:
        case_id = _open_case(instances[0], clock)
        barrier = threading.Barrier(len(instances))

        def add_notes(n: int) -> int:
            conflicts = 0
            barrier.wait(timeout=PROCESS_TIMEOUT)
            for k in range(notes):
                while True:
                    try:
                        instances[n].add_note(case_id, f"note {n}-{k}", CONSULTANT)
                    except ConcurrencyError:
                        conflicts += 1
                        continue
                    break
            return conflicts

        with ThreadPoolExecutor(len(instances)) as pool:
            conflicts = sum(pool.map(add_notes, range(len(instances))))
        # Collisions are likely but not certain here; the checks below hold either way.
        assert conflicts >= 0

        events = instances[1].history(case_id, CONSULTANT, purpose="casework")
        texts = [getattr(e, "text", None) for e in events[1:]]
        assert sorted(texts) == sorted(f"note {n}-{k}" for n in range(2) for k in range(notes))
        assert [e.version for e in events] == list(range(1, 2 * notes + 2))
        row = instances[0].store.case_row(case_id)
        assert row is not None
        assert row == case_row(
            instances[0].case(case_id, CONSULTANT, purpose="casework"),
            instances[0].registry.engine(row.workflow).definition.final_states,
        )
        writes = instances[0].store.read_audit(AuditQuery(case_id=case_id))
        # One write entry per stored event; refused commits left no audit entry behind.
        assert sum(1 for entry in writes if entry.action == AuditAction.WRITE) == 2 * notes + 1
    finally:
        for casework in instances:
            casework.close()


def test_pool_max_bounds_the_connections_many_threads_share(
    postgres_store_factory: Any,
) -> None:
    """Eight threads through a store opened with ``pool_max=2`` share two connections, all served."""
    import psycopg  # noqa: PLC0415

    name = f"ssp_pool_{time.monotonic_ns()}"
    url = f"{postgres_store_factory.new_url()}&pool_max=2&application_name={name}"
    store = postgres_store_factory.open(url)
    seen: list[int] = []
    stop = threading.Event()

    def count_connections() -> None:
        with psycopg.connect(postgres_store_factory.dsn, autocommit=True) as conn:
            while not stop.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
                ).fetchone()
                seen.append(int(row[0]) if row else 0)
                time.sleep(0.005)

    watcher = threading.Thread(target=count_connections)
    watcher.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: len(store.read_case(f"none-{n}")), range(400)))
    finally:
        stop.set()
        watcher.join()
    assert answers == [0] * 400
    assert seen and max(seen) == 2


def test_a_use_case_borrows_one_pooled_connection(
    postgres_store_factory: Any, registry: ssp_core.Registry, clock: ssp_core.VirtualClock
) -> None:
    """A read with its audit entry, a search with its own, a command's read and append: one each."""
    casework = ssp_core.Casework(
        registry,
        store=postgres_store_factory.new_url(),
        key=ssp_core.MunicipalKey.generate(),
        clock=clock,
    )
    try:
        case_id = _open_case(casework, clock)
        casework.services.repository.snapshots.drop(case_id)  # the command reads the case
        pool = casework.store._pool  # the pool's own counters

        def borrowed(call: Any) -> int:
            before = pool.get_stats()["requests_num"]
            call()
            return int(pool.get_stats()["requests_num"] - before)

        assert borrowed(lambda: casework.case(case_id, CONSULTANT, purpose="casework")) == 1
        assert borrowed(lambda: casework.find(CONSULTANT)) == 1
        assert borrowed(lambda: casework.add_note(case_id, "x", CONSULTANT)) == 1
        events = casework.history(case_id, CONSULTANT, purpose="casework")
        assert [getattr(e, "text", None) for e in events] == [None, "x"]
        entries = casework.store.read_audit(AuditQuery(case_id=case_id))
        loads = [entry for entry in entries if entry.action == AuditAction.LOAD]
        assert len(loads) == 2  # the read above and the history just now, each audited
    finally:
        casework.close()
