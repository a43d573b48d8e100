from __future__ import annotations

import pytest

from ssp_core.exceptions import DataError
from ssp_core.store.url import _split_schema, open_store, redact


def test_only_the_schema_parameter_is_taken_out_of_a_postgresql_url() -> None:
    dsn, schema = _split_schema(
        "postgresql://u:pw@db.example:5433/ssp?schema=aalborg&sslmode=require&connect_timeout=3"
    )
    assert schema == "aalborg"
    assert dsn == "postgresql://u:pw@db.example:5433/ssp?sslmode=require&connect_timeout=3"
    assert _split_schema("postgresql://u@h/db") == ("postgresql://u@h/db", "ssp")


def test_passwords_never_show() -> None:
    assert (
        redact("postgresql://u:secret@h:5432/db?schema=x")
        == "postgresql://u:***@h:5432/db?schema=x"
    )
    assert redact("sqlite:///ssp.db") == "sqlite:///ssp.db"
    with pytest.raises(DataError) as raised:
        open_store("mysql://u:secret@h/db")
    assert "secret" not in str(raised.value)
