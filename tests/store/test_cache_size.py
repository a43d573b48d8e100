"""An SQLite store's page cache can be sized, for a bulk import into a large store (issue 16).

``cache_mb`` (``sqlite:///ssp.db?cache_mb=256``) gives each connection of the store
that page cache; without it SQLite's default stands. A bad value is refused before
any file is made.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ssp_core.exceptions import DataError
from ssp_core.store import open_store
from ssp_core.store.sqlite import SqliteStore
from ssp_core.store.sqlite.store import MAX_CACHE_MB


def _cache_kib(store: SqliteStore) -> int:
    """Return the page cache of the calling thread's connection, in KiB."""
    return -int(store._conn().execute("PRAGMA cache_size").fetchone()[0])


def test_every_connection_of_the_store_gets_the_cache_asked_for(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'ssp.db'}?cache_mb=64") as store:
        assert isinstance(store, SqliteStore) and store.cache_mb == 64
        assert _cache_kib(store) == 64 * 1024
        other: list[int] = []
        thread = threading.Thread(target=lambda: other.append(_cache_kib(store)))
        thread.start()
        thread.join()
        assert other == [64 * 1024]  # a thread's own connection too


def test_without_it_sqlite_s_default_stands(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'ssp.db'}") as store:
        assert isinstance(store, SqliteStore) and store.cache_mb is None
        assert _cache_kib(store) == 2000  # SQLite's compiled-in default, -2000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", f"cache_mb is a whole number of MiB from 1 to {MAX_CACHE_MB}; not '0'"),
        (str(MAX_CACHE_MB + 1), f"from 1 to {MAX_CACHE_MB}; not '{MAX_CACHE_MB + 1}'"),
        ("lots", "cache_mb is a whole number of MiB, e.g. cache_mb=256; not 'lots'"),
        ("1.5", "cache_mb is a whole number of MiB, e.g. cache_mb=256; not '1.5'"),
        ("²", "cache_mb is a whole number of MiB, e.g. cache_mb=256; not"),  # isdigit, not int
        ("9" * 5000, "cache_mb is a whole number of MiB, e.g. cache_mb=256; not"),  # too long
    ],
)
def test_a_bad_cache_size_is_refused_and_no_file_is_made(
    tmp_path: Path, value: str, message: str
) -> None:
    with pytest.raises(DataError) as refused:
        open_store(f"sqlite:///{tmp_path / 'ssp.db'}?cache_mb={value}")
    assert message in str(refused.value)
    assert not (tmp_path / "ssp.db").exists()


def test_a_cache_size_that_is_not_a_whole_number_is_refused_in_python(tmp_path: Path) -> None:
    for value in (True, 2.5, -1):
        with pytest.raises(DataError, match="cache_mb is a whole number of MiB"):
            SqliteStore(tmp_path / "ssp.db", cache_mb=value)  # type: ignore[arg-type]
    assert not (tmp_path / "ssp.db").exists()
