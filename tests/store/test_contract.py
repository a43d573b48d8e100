"""Every backend runs the case store contract (tests/store/contract.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import ClassVar

import pytest

from ssp_core.store import CaseStore, MemoryStore, open_store
from tests.store.conftest import PostgresSchemas
from tests.store.contract import CaseStoreContract


class TestMemoryStore(CaseStoreContract):
    durable: ClassVar[bool] = False

    def create_store(self) -> CaseStore:
        store = open_store("memory://")
        assert isinstance(store, MemoryStore)
        return store

    def reopen(self, store: CaseStore) -> CaseStore:  # pragma: no cover (never called)
        raise AssertionError("a memory store cannot be reopened")


class TestSqliteStore(CaseStoreContract):
    @pytest.fixture(autouse=True)
    def _in_tmp_path(self, tmp_path: Path) -> None:
        self.path = tmp_path / f"{uuid.uuid4().hex}.db"

    def create_store(self) -> CaseStore:
        return open_store(f"sqlite:///{self.path}")

    def reopen(self, store: CaseStore) -> CaseStore:
        store.close()
        return open_store(f"sqlite:///{self.path}")


class TestPostgresStore(CaseStoreContract):
    @pytest.fixture(autouse=True)
    def _on_a_new_schema(self, postgres_store_factory: PostgresSchemas) -> None:
        self.schemas = postgres_store_factory
        self.url = postgres_store_factory.new_url()

    def create_store(self) -> CaseStore:
        return self.schemas.open(self.url)

    def reopen(self, store: CaseStore) -> CaseStore:
        store.close()
        return self.schemas.open(self.url)
