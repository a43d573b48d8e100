"""Fixtures of the safety-walk tests: the privacy tests' backends (SQLite and PostgreSQL)."""

from tests.privacy.conftest import _aalborg, _backend, _key, _make_casework

__all__ = ["_aalborg", "_backend", "_key", "_make_casework"]
