"""The child of the crash test: writes commands to a store until it is killed.

Usage: ``crash_child.py STORE ACK_PATH SEED``; STORE is an SQLite file path or a
store URL. The child imports, prints ``loaded`` and waits for a line on stdin (so
the parent can start it ahead of time), opens the store, reads every case's version
from its case index, prints ``ready`` and loops forever:

- build a command of 1-4 events for a new case or an existing one; every event's
  data names the command (``SEED-N``) and its size;
- append it as ONE commit, with the case's index row and an audit entry;
- once ``append`` has returned, write ``case_id version_from version_to`` to the
  ack file, flush it and fsync it.

Only ``ssp_core.store`` and the event types are imported (importing any of them
loads the ``ssp_core`` package, which is most of the start-up time).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from typing import Any

from ssp_core.domain.events import CaseEvent, CaseOpened, NoteAdded
from ssp_core.domain.people import Subject
from ssp_core.store.codec import codec
from ssp_core.store.records import AuditAction, AuditEntry, CaseQuery, CaseRow, Commit
from ssp_core.store.url import open_store

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SUBJECT = Subject("c" * 32, dt.date(2010, 1, 1))
WORKFLOW = "crash.card"
NEW_CASE_CHANCE = 0.2
BIG_CHANCE = 0.1
"""The share of events padded with up to 8000 characters, so commits span several pages."""


def command_text(command: str, size: int, padding: int) -> str:
    """Return what each event of a command carries: ``"<command> <size> <padding>"``."""
    return f"{command} {size} {'x' * padding}"


def build(case_id: str, first: int, size: int, command: str, rng: random.Random) -> list[CaseEvent]:
    events: list[CaseEvent] = []
    for version in range(first, first + size):
        padding = rng.randint(0, 8000 if rng.random() < BIG_CHANCE else 100)
        text = command_text(command, size, padding)
        stamp: dict[str, Any] = {
            "case_id": case_id,
            "version": version,
            "at": AT + dt.timedelta(seconds=version),
            "actor": "crash",
            "role": "sample.consultant",
        }
        if version == 1:
            events.append(
                CaseOpened(
                    **stamp,
                    workflow=WORKFLOW,
                    workflow_version=1,
                    state="open",
                    subject=SUBJECT,
                    reason=text,
                )
            )
        else:
            events.append(NoteAdded(**stamp, text=text))
    return events


def main(argv: list[str]) -> None:
    target, ack_path, seed = argv[1], argv[2], int(argv[3])
    url = target if "://" in target else f"sqlite:///{target}"
    rng = random.Random(seed)
    sys.stdout.write("loaded\n")
    sys.stdout.flush()
    sys.stdin.readline()

    store = open_store(url)
    # The case index holds every case's version (in its state, "v<n>"); were it behind
    # the events, the next append would be refused and the child would die, failing
    # the test.
    versions = {row.case_id: int(row.state[1:]) for row in store.find_cases(CaseQuery())}
    case_ids = list(versions)
    sys.stdout.write("ready\n")
    sys.stdout.flush()

    number = 0
    with open(ack_path, "a", encoding="utf-8") as ack:  # noqa: PTH123 (a plain append-only file)
        while True:
            number += 1
            command = f"{seed}-{number}"
            if not case_ids or rng.random() < NEW_CASE_CHANCE:
                case_id = f"K{seed}-{number}"
                case_ids.append(case_id)
            else:
                case_id = rng.choice(case_ids)
            first = versions.get(case_id, 0) + 1
            size = rng.randint(1, 4)
            last = first + size - 1
            events = build(case_id, first, size, command, rng)
            store.append(
                Commit(
                    events=[codec.encode(event) for event in events],
                    cases=[
                        CaseRow(
                            case_id=case_id,
                            workflow=WORKFLOW,
                            workflow_version=1,
                            state=f"v{last}",
                            assignee=None,
                            opened_at=AT + dt.timedelta(seconds=1),
                            closed_at=None,
                            next_due=None,
                            on_hold=False,
                        )
                    ],
                    audit=[
                        AuditEntry(
                            at=dt.datetime.now(dt.UTC),
                            actor="crash",
                            role="sample.consultant",
                            purpose="crash test",
                            action=AuditAction.WRITE,
                            case_id=case_id,
                            detail=f"command {command}",
                        )
                    ],
                )
            )
            versions[case_id] = last
            ack.write(f"{case_id} {first} {last}\n")
            ack.flush()
            os.fsync(ack.fileno())


if __name__ == "__main__":
    main(sys.argv)
