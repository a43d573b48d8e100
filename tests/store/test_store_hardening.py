"""Issue 15, hardening of the store: a mistyped store is not created, a read-only one says so.

Item 11: only commands that write may create a store; a read-only store is reported as
read-only, not as damaged.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ssp_core.cli import main
from ssp_core.exceptions import StoreUnavailable
from ssp_core.privacy.keys import write_key_file
from ssp_core.store import open_store
from ssp_core.store.sqlite import SqliteStore
from tests.store.conftest import PostgresSchemas

CONSULTANT = ("--actor", "anne", "--role", "aalborg.ssp_consultant")
ADMIN = ("--actor", "root", "--role", "aalborg.administrator")


def ssp(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "municipal.key"
    write_key_file(key)
    monkeypatch.setenv("SSP_KEY_FILE", str(key))


@pytest.mark.parametrize(
    "command",
    [
        ("audit", "--json", *ADMIN, "--purpose", "audit"),
        ("case", "list", "--json", *CONSULTANT),
        ("case", "show", "AAL-0001", *CONSULTANT),
        ("store", "info"),
        ("store", "upgrade", *ADMIN),
        ("disclosures", *ADMIN, "--purpose", "audit"),
    ],
)
def test_item_11_a_read_command_on_a_mistyped_path_creates_no_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, ...]
) -> None:
    typo = tmp_path / "typo.db"
    code, out, err = ssp(capsys, "--store", f"sqlite:///{typo}", *command)
    assert code == 1
    assert out == ""
    assert err.startswith(f"error: no ssp store at {typo}")
    assert len(err.splitlines()) == 1
    assert not typo.exists()


def test_item_11_a_command_that_writes_a_first_case_creates_the_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = tmp_path / "new.db"
    code, _, err = ssp(
        capsys, "--store", f"sqlite:///{store}", "case", "open", "--workflow", "aalborg.parent_coach",
        "--group", "g1", "--size", "4", *CONSULTANT,
    )  # fmt: skip
    assert code == 0, err
    assert store.is_file()
    code, out, _ = ssp(capsys, "--store", f"sqlite:///{store}", "case", "list", *CONSULTANT)
    assert code == 0
    assert "1 case(s)" in out


def test_item_11_the_api_refuses_a_missing_store_only_when_asked(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(StoreUnavailable, match="no ssp store at"):
        open_store(f"sqlite:///{missing}", create=False)
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreUnavailable, match="the file is empty"):
        open_store(f"sqlite:///{empty}", create=False)
    with open_store(f"sqlite:///{missing}") as created:  # the default creates, as before
        assert created.count_cases() == 0
    with open_store(f"sqlite:///{missing}", create=False) as opened:
        assert opened.count_cases() == 0


def test_item_11_postgres_an_empty_schema_is_not_made_a_store_for_reading(
    postgres_store_factory: PostgresSchemas,
) -> None:
    url = postgres_store_factory.new_url()
    schema = url.rsplit("schema=", 1)[1]
    with pytest.raises(StoreUnavailable, match="no ssp store at"):
        open_store(url, create=False)
    with psycopg.connect(postgres_store_factory.dsn) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
        assert found == (0,)
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    with pytest.raises(StoreUnavailable, match="is empty or missing"):
        open_store(url, create=False)
    postgres_store_factory.open(url).close()  # created by a writer
    with open_store(url, create=False) as opened:
        assert opened.count_cases() == 0


def _demo_store(capsys: pytest.CaptureFixture[str], folder: Path) -> Path:
    store = folder / "ssp.db"
    code, _, err = ssp(capsys, "--store", f"sqlite:///{store}", "demo")
    assert code == 0, err
    return store


def test_item_11_a_store_opened_read_only_reads_and_refuses_writes_saying_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = _demo_store(capsys, tmp_path)
    before = store.read_bytes()
    with SqliteStore(store, read_only=True) as opened:
        assert opened.read_only
        assert opened.count_cases() > 0
        assert opened.schema_version() > 0
        with pytest.raises(StoreUnavailable, match="is read-only"):
            opened.upgrade()
    assert store.read_bytes() == before
    with pytest.raises(StoreUnavailable, match="to open read-only"):
        SqliteStore(tmp_path / "none.db", read_only=True)


@contextlib.contextmanager
def read_only_mount(folder: Path) -> Iterator[Path]:
    """Mount a small tmpfs at ``folder`` and remount it read-only after the caller fills it."""
    folder.mkdir()
    try:
        subprocess.run(  # noqa: S603
            ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],  # noqa: S607
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a file system here to make it read-only ({exc})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)  # noqa: S603, S607


def test_item_11_a_store_on_a_read_only_mount_is_read_only_not_damaged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = _demo_store(capsys, tmp_path)
    with SqliteStore(source) as checkpointed:  # everything in the main file, no WAL left
        checkpointed.count_cases()
    with read_only_mount(tmp_path / "ro") as mounted:
        shutil.copy(source, mounted / "ssp.db")
        subprocess.run(  # noqa: S603
            ["mount", "-o", "remount,ro", str(mounted)],  # noqa: S607
            check=True,
            capture_output=True,
        )
        url = f"sqlite:///{mounted / 'ssp.db'}"
        code, out, err = ssp(capsys, "--store", url, "store", "info")
        assert code == 0, err
        assert "damaged" not in out + err
        code, out, err = ssp(capsys, "--store", url, "case", "show", "AAL-0002", *CONSULTANT)
        assert code == 1
        assert "is read-only" in err
        assert "damaged" not in err
