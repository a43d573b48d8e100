"""Writers that race each other on one store, for the concurrency tests.

The same loop runs in threads of the test process (imported as a module) and in
separate processes (this file run as a script: ``workers.py URL PARAMS_JSON``).
As a script it prints ``loaded`` and waits for a line on stdin, then opens its own
store, prints ``ready`` and waits for another line, then writes and prints its
result as one JSON line (so a parent can make processes open, or write, at once).

Every event carries a token unique to the attempt that wrote it, so the checks can
tell an acknowledged write from a refused one that leaked into the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import itertools
import json
import os
import random
import socket
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, TypedDict

from ssp_core.domain.events import CaseOpened, NoteAdded
from ssp_core.domain.people import Subject
from ssp_core.exceptions import ConcurrencyError
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import codec
from ssp_core.store.records import Commit, StoredEvent
from ssp_core.store.url import open_store

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SUBJECT = Subject("9" * 32, dt.date(2010, 1, 1))

DEFAULT_POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"
NO_POSTGRES = "no PostgreSQL server: set SSP_TEST_POSTGRES_DSN or run a server on 127.0.0.1:5432"


# -- events ------------------------------------------------------------------------------


def event(case_id: str, version: int, token: str) -> StoredEvent:
    """Return a real encoded event of ``case_id`` at ``version`` carrying ``token``.

    Version 1 opens the case (the token is its reason); later versions are notes
    (the token is their text).
    """
    stamp: dict[str, Any] = {
        "case_id": case_id,
        "version": version,
        "at": AT + dt.timedelta(seconds=version),
        "actor": "writer",
        "role": "sample.consultant",
    }
    if version == 1:
        return codec.encode(
            CaseOpened(
                **stamp,
                workflow="sample.young",
                workflow_version=1,
                state="received",
                subject=SUBJECT,
                reason=token,
            )
        )
    return codec.encode(NoteAdded(**stamp, text=token))


def token_of(stored: StoredEvent) -> str:
    """Return the token an event of :func:`event` carries."""
    data = json.loads(stored.data)
    return str(data["reason"] if stored.topic == "CaseOpened" else data["text"])


def current_version(store: CaseStore, case_id: str) -> int:
    rows = store.read_case(case_id)
    return rows[-1].version if rows else 0


# -- the writer loop ---------------------------------------------------------------------


class Result(TypedDict):
    """What one writer did: its acknowledged commits and how many were refused."""

    name: str
    commits: list[list[list[Any]]]
    """Each acknowledged commit: its events as ``[case_id, version, token, position]``."""
    conflicts: int


def write(
    store: CaseStore,
    *,
    name: str,
    cases: Sequence[str],
    appends: int,
    seed: int,
    pause: float = 0.0005,
    pair_chance: float = 0.0,
) -> Result:
    """Append until ``appends`` commits are acknowledged, retrying after each conflict.

    Each round picks one case of ``cases`` (or, with ``pair_chance``, two at once in
    one commit), reads its current version, waits ``pause`` seconds to widen the
    race, and appends the next version. A :class:`ConcurrencyError` is counted and
    the round is retried with fresh versions.
    """
    rng = random.Random(seed)
    commits: list[list[list[Any]]] = []
    conflicts = 0
    attempt = 0
    while len(commits) < appends:
        if len(cases) > 1 and rng.random() < pair_chance:
            chosen = sorted(rng.sample(list(cases), 2))
        else:
            chosen = [rng.choice(list(cases))]
        while True:
            attempt += 1
            versions = {case_id: current_version(store, case_id) + 1 for case_id in chosen}
            if pause:
                time.sleep(pause)
            events = [
                event(case_id, versions[case_id], f"{name}:{attempt}:{case_id}")
                for case_id in chosen
            ]
            try:
                positions = store.append(Commit(events=events))
            except ConcurrencyError:
                conflicts += 1
                continue
            # Events are given in (case, version) order, the order positions come back in.
            commits.append(
                [
                    [e.case_id, e.version, token_of(e), p]
                    for e, p in zip(events, positions, strict=True)
                ]
            )
            break
    return {"name": name, "commits": commits, "conflicts": conflicts}


# -- checks ------------------------------------------------------------------------------


def check_store(store: CaseStore, results: Sequence[Result]) -> dict[str, int]:
    """Check the store holds exactly the acknowledged writes, in a sound log.

    Every acknowledged event is there exactly once, at the version and position its
    append returned; no event of a refused commit is there; each case's versions
    run 1..n; positions strictly increase and each commit's events are adjacent in
    the log. Returns counts for the caller's own assertions.
    """
    log = store.read_log()
    positions = [e.position for e in log if e.position is not None]
    assert len(positions) == len(log)
    assert all(a < b for a, b in itertools.pairwise(positions)), positions
    assert store.max_position() == (positions[-1] if positions else 0)

    by_case: dict[str, list[StoredEvent]] = defaultdict(list)
    for stored in log:
        by_case[stored.case_id].append(stored)
    for case_id, events in by_case.items():
        versions = [e.version for e in events]
        assert versions == list(range(1, len(events) + 1)), (case_id, versions)
        assert store.read_case(case_id) == events
        codec.replay(events)  # the history folds: it opens once, then follows on

    tokens = Counter(token_of(e) for e in log)
    duplicated = [t for t, n in tokens.items() if n > 1]
    assert not duplicated, f"events stored more than once: {duplicated[:5]}"

    acked: dict[str, tuple[str, int, int]] = {}
    for result in results:
        for commit in result["commits"]:
            for case_id, version, token, position in commit:
                acked[token] = (case_id, version, position)
    missing = sorted(set(acked) - set(tokens))
    assert not missing, f"acknowledged events lost: {missing[:5]}"
    leaked = sorted(set(tokens) - set(acked))
    assert not leaked, f"events of refused commits were written: {leaked[:5]}"
    # One commit's events are never interleaved with another commit's in the log.
    index = {token_of(e): i for i, e in enumerate(log)}
    for result in results:
        for commit in result["commits"]:
            places = sorted(index[token] for _, _, token, _ in commit)
            assert places == list(range(places[0], places[0] + len(commit))), commit
    for stored in log:
        assert acked[token_of(stored)] == (stored.case_id, stored.version, stored.position)
    return {
        "events": len(log),
        "cases": len(by_case),
        "commits": sum(len(r["commits"]) for r in results),
        "conflicts": sum(r["conflicts"] for r in results),
    }


# -- PostgreSQL --------------------------------------------------------------------------


def postgres_dsn() -> str | None:
    """Return the DSN of the test server, or ``None`` if there is none to use.

    ``SSP_TEST_POSTGRES_DSN`` when set (then a server that does not answer fails the
    tests); else the local server, if 127.0.0.1:5432 answers and psycopg is installed.
    """
    dsn = os.environ.get("SSP_TEST_POSTGRES_DSN")
    if dsn:
        return dsn
    if importlib.util.find_spec("psycopg") is None:
        return None
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1.0).close()
    except OSError:
        return None
    return DEFAULT_POSTGRES_DSN


def with_schema(dsn: str, schema: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


@contextlib.contextmanager
def postgres_schema(dsn: str, prefix: str) -> Iterator[str]:
    """Yield a store URL on a fresh schema of ``dsn``; drop the schema afterwards."""
    import psycopg  # noqa: PLC0415 (only the PostgreSQL tests need it)
    from psycopg import sql  # noqa: PLC0415

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        yield with_schema(dsn, schema)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


# -- as a script -------------------------------------------------------------------------


def main(argv: Sequence[str]) -> None:
    """Print ``loaded``; on a line from stdin open the store, print ``ready``; on the next, write."""
    url, params = argv[1], json.loads(argv[2])
    sys.stdout.write("loaded\n")
    sys.stdout.flush()
    sys.stdin.readline()
    store = open_store(url)
    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        sys.stdin.readline()
        result = write(store, **params)
    finally:
        store.close()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
