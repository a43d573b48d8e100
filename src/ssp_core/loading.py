"""Loading contributed data from TOML, structured into attrs classes with cattrs.

Plugins keep their cards, tracks, partners and catalogues as TOML files and load
them in their hooks with :func:`load_workflow` and :func:`load_items`. Unknown keys,
missing fields and wrong types are errors naming the file and the place in it.
Nothing in a file is ever evaluated as code.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, TypeVar

import cattrs

from ssp_core.domain.retention import RetentionPeriod
from ssp_core.exceptions import ConfigError
from ssp_core.workflows.definition import MigrationSpec, WorkflowDefinition

__all__ = ["converter", "load_items", "load_workflow", "read_toml", "structure"]

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True)
"""The converter used for contributed data: strict about unknown keys."""


def _structure_date(value: Any, _type: type) -> dt.date:
    if isinstance(value, dt.datetime):
        raise TypeError("expected a date, not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError(f"expected a date, got {type(value).__name__}")


def _structure_migration(value: Any, _type: type) -> MigrationSpec:
    if not isinstance(value, dict):
        raise TypeError(f"expected a table, got {type(value).__name__}")
    unknown = sorted(set(value) - {"from_version", "states"})
    if unknown:
        raise TypeError(f"unknown keys {unknown}; allowed: from_version, states")
    version = value.get("from_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TypeError("from_version must be a whole number")
    states = value.get("states", {})
    if not isinstance(states, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in states.items()
    ):
        raise TypeError("states must map old state ids to new state ids (text to text)")
    return MigrationSpec(from_version=version, states=states)


converter.register_structure_hook(dt.date, _structure_date)
converter.register_structure_hook(MigrationSpec, _structure_migration)
converter.register_structure_hook(RetentionPeriod, lambda value, _: RetentionPeriod.parse(value))


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file; a missing or malformed file raises :class:`ConfigError` naming it."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None


def structure(data: Any, cls: type[T], *, where: str) -> T:
    """Structure plain data into ``cls``; problems raise :class:`ConfigError` naming ``where``."""
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        details = "; ".join(cattrs.transform_error(exc, path="$"))
        raise ConfigError(f"{where}: {details}") from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def load_workflow(path: str | Path) -> WorkflowDefinition:
    """Load one workflow definition from a TOML file."""
    return structure(read_toml(path), WorkflowDefinition, where=str(path))


def load_items(path: str | Path, key: str, cls: type[T]) -> list[T]:
    """Load the array of tables ``key`` of a TOML file as a list of ``cls``."""
    data = read_toml(path)
    raw = data.get(key)
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: expected an array of tables [[{key}]]")
    return [
        structure(item, cls, where=f"{path} [[{key}]] #{index + 1}")
        for index, item in enumerate(raw)
    ]
