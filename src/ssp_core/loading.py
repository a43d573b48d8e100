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

from ssp_core.exceptions import ConfigError
from ssp_core.workflows.definition import WorkflowDefinition

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


converter.register_structure_hook(dt.date, _structure_date)


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
