"""Group commit of the audit entries of reads in an SQLite store: one ``fsync`` for many reads.

A read of a case writes its audit entry before the case is returned. Made durable
one by one, each read would wait for the disk (an ``fsync`` of the write-ahead log,
most of a read's time on most disks). Instead the entry is committed with
``synchronous = NORMAL``: it is in the write-ahead log, in the operating system's
cache, when the read returns, so a crash of the process loses nothing; and
:class:`WalSyncer`, a thread of the store, then gathers the reads of the next
:data:`SYNC_INTERVAL` seconds and calls ``fsync`` on the log once for all of them.
Only a crash of the operating system or a power loss in that window (the interval
and one ``fsync``: at most about 50 ms) can lose the entries of those reads. Every
write of a case, and every other audit entry (refusals, administration,
re-identification, exports), still waits for its own ``fsync``, and so makes all
reads before it durable too.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["SYNC_INTERVAL", "WalSyncer"]

SYNC_INTERVAL = 0.05
"""Seconds the syncer gathers reads before one ``fsync`` makes them all durable."""


class WalSyncer:
    """A thread that calls ``fsync`` on an SQLite file's write-ahead log after reads were committed.

    :meth:`request` says a commit was made without ``fsync`` and returns its ticket;
    :meth:`wait` waits until a ticket is durable; :meth:`close` makes every ticket
    durable and stops the thread.
    """

    def __init__(self, path: Path, interval: float = SYNC_INTERVAL) -> None:
        self.wal = Path(f"{path}-wal")
        self.interval = interval
        self._changed = threading.Condition()
        self._asked = 0
        self._done = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self.failure: OSError | None = None
        """The error of a failed ``fsync``, if one failed (the store then syncs every read)."""

    @property
    def durable(self) -> int:
        """Return the last ticket known durable."""
        with self._changed:
            return self._done

    def request(self) -> int:
        """Say that a commit was made without ``fsync``; return its ticket."""
        with self._changed:
            self._asked += 1
            ticket = self._asked
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name=f"ssp-wal-sync {self.wal}", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()
            return ticket

    def wait(self, ticket: int | None = None, timeout: float | None = None) -> bool:
        """Wait until ``ticket`` (default: every ticket so far) is durable; tell whether it is."""
        with self._changed:
            target = self._asked if ticket is None else ticket
            return self._changed.wait_for(lambda: self._done >= target, timeout)

    def close(self) -> None:
        """Make every ticket durable, then stop the thread."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()
        elif self._asked > self._done:  # pragma: no cover (a thread is started per request)
            self._sync()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done or self._closed)
                if self._asked == self._done:  # closed, and nothing left to sync
                    return
                # Gather the reads of the interval (closing cuts it short): one fsync for all.
                self._changed.wait_for(lambda: self._closed, self.interval)
                target = self._asked
            self._sync()
            with self._changed:
                self._done = max(self._done, target)
                self._changed.notify_all()

    def _sync(self) -> None:
        try:
            fd = os.open(self.wal, os.O_RDONLY)
        except FileNotFoundError:  # no log: everything was checkpointed into the file
            return
        try:
            os.fsync(fd)
        except OSError as exc:
            self.failure = exc
        finally:
            os.close(fd)
