"""Schema 4 in the SQL stores: the municipal key of each key row, and the upgrade to it.

A schema-3 store is written the way the library of schema 3 wrote it (the ``backend``
fixture of ``conftest.py``: key rows without ``key_id``). Upgrading it keeps every
row of every table as it was, byte for byte, and its key rows name no key (``NULL``:
wrapped under the key their case's municipality used then). Key rows are still
never updated in place; a failing upgrade changes nothing.
"""

from __future__ import annotations

import attrs
import pytest

from ssp_core.exceptions import StoreError
from ssp_core.store import SCHEMA_VERSION, AuditAction, Migration
from tests.store.conftest import Backend
from tests.store.contract import (
    AALBORG,
    T0,
    audit_entry,
    commit_of,
    identity_of,
    key_of,
    note,
    opened,
    rewrapped,
)

CASES = {"c-1": "p-1", "c-2": None, "c-3": "p-2"}
"""Cases written by the library of schema 3, with the subject of each key row."""


def write_schema_3_store(backend: Backend) -> None:
    """Write cases with keys, vault entries and audit entries into a new schema-3 store."""
    old = backend.open_old(3)
    assert old.schema_version() == 3
    for case_id, subject in CASES.items():
        commit = commit_of(
            opened(case_id, municipality=AALBORG),
            note(case_id, 2),
            audit=[audit_entry(T0, case_id=case_id)],
        )
        keyed = attrs.evolve(commit, keys=[key_of(case_id, subject)])
        backend.write_old(old, attrs.evolve(keyed, identities=[identity_of(subject or "p-0")]))
    old.close()


def key_ids(backend: Backend) -> dict[str, str | None]:
    return dict(backend.execute("SELECT case_id, key_id FROM {s}.case_keys ORDER BY case_id"))


def test_upgrading_a_schema_3_store_keeps_every_row_and_names_no_key(backend: Backend) -> None:
    write_schema_3_store(backend)
    before = backend.dump()
    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION >= 4
    assert backend.dump() == before  # every row of every table, byte for byte
    assert key_ids(backend) == dict.fromkeys(CASES)
    assert store.read_keys(CASES) == {
        case_id: key_of(case_id, subject) for case_id, subject in CASES.items()
    }
    # New rows name their key; old ones are replaced whole, never updated.
    store.append(
        attrs.evolve(commit_of(opened("c-4")), keys=[key_of("c-4", key_id="a1b2c3d4e5f6")])
    )
    change = rewrapped(store.read_keys(["c-1"])["c-1"], "0f0f0f0f0f0f")
    store.replace_keys([change], [audit_entry(T0, case_id="c-1", action=AuditAction.REWRAP)])
    assert key_ids(backend) == {
        "c-1": "0f0f0f0f0f0f",
        "c-2": None,
        "c-3": None,
        "c-4": "a1b2c3d4e5f6",
    }
    with pytest.raises(backend.error, match="never updated"):
        backend.execute("UPDATE {s}.case_keys SET key_id = 'x'")
    assert key_ids(backend)["c-2"] is None


def test_a_failing_upgrade_to_schema_4_changes_nothing(backend: Backend) -> None:
    write_schema_3_store(backend)
    before = backend.dump()
    fourth = backend.migrations[3]
    assert fourth.version == 4
    broken = Migration(4, fourth.description, (*fourth.statements, "SELECT no_such_function()"))
    with pytest.raises(StoreError):
        backend.open_with((*backend.migrations[:3], broken), upgrade=True)
    assert backend.dump() == before
    with pytest.raises(backend.error, match="key_id"):
        backend.execute("SELECT key_id FROM {s}.case_keys")
    store = backend.open(upgrade=True)
    assert store.schema_version() == SCHEMA_VERSION
    assert backend.dump() == before
