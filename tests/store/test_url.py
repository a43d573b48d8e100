from __future__ import annotations

import pytest

from ssp_core.exceptions import DataError
from ssp_core.settings import POOL_MAX
from ssp_core.store.url import _postgres_options, open_store, redact


def test_only_the_stores_own_parameters_are_taken_out_of_a_postgresql_url() -> None:
    dsn, schema, pool_max = _postgres_options(
        "postgresql://u:pw@db.example:5433/ssp?schema=aalborg&sslmode=require&pool_max=16"
        "&connect_timeout=3"
    )
    assert (schema, pool_max) == ("aalborg", 16)
    assert dsn == "postgresql://u:pw@db.example:5433/ssp?sslmode=require&connect_timeout=3"
    assert _postgres_options("postgresql://u@h/db") == ("postgresql://u@h/db", "ssp", POOL_MAX)
    assert _postgres_options("postgresql://u@h/db?pool_max=2&pool_max=1000")[2] == 1000


@pytest.mark.parametrize(
    "value", ["0", "-1", "1001", "8.5", "", "eight", "1e3", "²", "%C2%B2", "١٦", "9" * 5000]
)
def test_a_pool_max_that_is_not_a_number_of_connections_is_refused(value: str) -> None:
    with pytest.raises(DataError) as raised:
        open_store(f"postgresql://u:secret@h/db?pool_max={value}")
    message = str(raised.value)
    assert "pool_max is the most connections the pool opens" in message
    assert "from 1 to 1000" in message
    assert "secret" not in message


def test_pool_max_sizes_the_pool_of_the_store_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    from ssp_core.store import postgres  # noqa: PLC0415

    opened: list[tuple[str, dict[str, object]]] = []

    def record(dsn: str, **options: object) -> object:
        opened.append((dsn, options))
        return object()

    monkeypatch.setattr(postgres, "PostgresStore", record)
    open_store("postgresql://u@h/db?pool_max=24&schema=x&sslmode=disable")
    open_store("postgresql://u@h/db")
    assert opened[0][0] == "postgresql://u@h/db?sslmode=disable"
    assert (opened[0][1]["schema"], opened[0][1]["max_size"]) == ("x", 24)
    assert (opened[1][1]["schema"], opened[1][1]["max_size"]) == ("ssp", POOL_MAX)


def test_passwords_never_show() -> None:
    assert (
        redact("postgresql://u:secret@h:5432/db?schema=x")
        == "postgresql://u:***@h:5432/db?schema=x"
    )
    assert redact("sqlite:///ssp.db") == "sqlite:///ssp.db"
    with pytest.raises(DataError) as raised:
        open_store("mysql://u:secret@h/db")
    assert "secret" not in str(raised.value)
