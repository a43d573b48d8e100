"""The fresh ids of one research export, kept on disk so an export of any size fits in memory.

An event export gives every case a new random id (``E-`` and 12 hex digits) and
every person one (``P-…``) shared by their cases, and lists the cases in the order
of their new ids (so the order tells nothing of the store's). Held in memory, the
ids of a million cases and persons took hundreds of megabytes; :class:`FreshIds`
keeps them in a temporary SQLite file instead, whose index gives the cases in the
order of their new ids a batch at a time.

What the file holds, and for how long: each case's store id beside its new id, and
each person's new id beside a **keyed hash** of their pseudonym (HMAC-SHA256 under
a key drawn for this export and never written anywhere), never the pseudonym. The
file is in a folder of its own (mode 0700) beside the export, and is deleted with
the folder when the export ends, whether it succeeded or not.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["FreshIds"]

_ID_BATCH = 1_000
"""How many cases a read of the ids in order gives at a time."""


def _draw(prefix: str) -> str:
    """Return a random id (48 random bits)."""
    return f"{prefix}{secrets.token_hex(6)}"


class FreshIds:
    """Random ids for the cases and persons of one export, unique within it, kept on disk.

    Use it as a context manager: the folder and its file are gone when it exits.

    :param beside: the folder to make the temporary folder in (the export's parent).
    """

    def __init__(self, beside: Path) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix=".ssp-export-ids.", dir=beside))
        self._secret = secrets.token_bytes(32)
        self._db = sqlite3.connect(self._folder / "ids.db", isolation_level=None)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA temp_store = FILE;
            CREATE TABLE cases (new TEXT PRIMARY KEY, case_id TEXT NOT NULL UNIQUE)
                WITHOUT ROWID;
            CREATE TABLE people (tag BLOB PRIMARY KEY, new TEXT NOT NULL UNIQUE) WITHOUT ROWID;
            """
        )
        self.cases = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Delete the file and its folder (and forget the key of the hashes)."""
        self._db.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def add_cases(self, case_ids: Iterable[str]) -> int:
        """Give each case a new id (a case given twice keeps its first); return how many now."""
        db = self._db
        db.execute("BEGIN")
        try:
            for case_id in case_ids:
                while True:
                    try:
                        db.execute(
                            "INSERT INTO cases VALUES (?, ?) ON CONFLICT (case_id) DO NOTHING",
                            (_draw("E-"), case_id),
                        )
                        break
                    except sqlite3.IntegrityError:  # the new id was drawn before: draw again
                        continue
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.cases = int(db.execute("SELECT count(*) FROM cases").fetchone()[0])
        return self.cases

    def in_order(self) -> Iterator[tuple[str, str]]:
        """Yield (store id, new id) of every case, in the order of the new ids (read in batches)."""
        last = ""
        while True:
            batch = self._db.execute(
                "SELECT new, case_id FROM cases WHERE new > ? ORDER BY new LIMIT ?",
                (last, _ID_BATCH),
            ).fetchall()
            for new, case_id in batch:
                yield case_id, new
            if len(batch) < _ID_BATCH:
                return
            last = batch[-1][0]

    def person(self, pseudonym: str) -> str:
        """Return the person's new id, the same for every case of theirs in this export."""
        tag = hmac.new(self._secret, pseudonym.encode(), hashlib.sha256).digest()
        db = self._db
        found = db.execute("SELECT new FROM people WHERE tag = ?", (tag,)).fetchone()
        if found is not None:
            return str(found[0])
        while True:
            new = _draw("P-")
            try:
                db.execute("INSERT INTO people VALUES (?, ?)", (tag, new))
            except sqlite3.IntegrityError:  # the new id was drawn before: draw again
                continue
            return new
