"""Loading contributed data from TOML, structured into attrs classes with cattrs.

Plugins keep their cards, tracks, partners and catalogues as TOML files and load
them in their hooks with :func:`load_workflow` and :func:`load_items`. Unknown keys,
missing fields and wrong types are errors naming the file and the place in it.
Nothing in a file is ever evaluated as code.

Files are parsed with ``tomli`` (the parser the standard library's ``tomllib`` was
taken from, in a compiled build about three times as fast). While the registry is
built (inside :func:`reading_once`) each file is parsed once, however many hooks load
tables from it; every item is still structured and checked from the parsed data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import attrs
import cattrs
import tomli

from ssp_core.domain.retention import RetentionPeriod
from ssp_core.exceptions import ConfigError
from ssp_core.workflows.definition import MigrationSpec, WorkflowDefinition
from ssp_core.workflows.extension import PART_KINDS, WorkflowExtension

__all__ = [
    "converter",
    "load_items",
    "load_workflow",
    "load_workflows",
    "read_toml",
    "reading_once",
    "structure",
    "table_names",
]

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

_generated: dict[type, Callable[[Any, type], Any]] = {}


def _attrs_class(cl: Any) -> bool:
    return isinstance(cl, type) and attrs.has(cl)


def _structure_attrs(cl: type) -> Callable[[Any, type], Any]:
    """Return cattrs' structuring function of an attrs class, generated once per class.

    cattrs asks again for the function of a class nested in another (a ``Labels`` in
    nearly every item) each time it generates the function of the outer class; the
    answer is the same function, so it is generated once and kept.
    """
    hook = _generated.get(cl)
    if hook is None:
        hook = _generated[cl] = converter.gen_structure_attrs_fromdict(cl)
    return hook


converter.register_structure_hook_factory(_attrs_class, _structure_attrs)


def _placed(kind: str, item: Any, placements: list[dict[str, Any]]) -> Any:
    """Take ``before``/``after`` out of an added part's table, as a placement."""
    if not isinstance(item, dict) or not ({"before", "after"} & item.keys()):
        return item
    item = dict(item)
    if kind == "transitions":
        key = item.get("trigger")
    elif kind == "deadlines":
        key = item.get("id") or item.get("fact") or item.get("state")
    else:
        key = item.get("id")
    placements.append(
        {
            "kind": kind,
            "key": key,
            "before": item.pop("before", None),
            "after": item.pop("after", None),
        }
    )
    return item


def _structure_extension(value: Any, cl: type) -> WorkflowExtension:
    """Structure an extension's table: placements from ``before``/``after``, role renames."""
    if not isinstance(value, dict):
        raise TypeError(f"expected a table, got {type(value).__name__}")
    data = dict(value)
    placements: list[dict[str, Any]] = list(data.get("placements", []))
    add = data.get("add")
    if isinstance(add, dict):
        data["add"] = {
            kind: [_placed(kind, item, placements) for item in items]
            if kind in PART_KINDS and isinstance(items, list)
            else items
            for kind, items in add.items()
        }
    if placements:
        data["placements"] = placements
    renames = data.get("rename_roles")
    if renames is not None:
        if not isinstance(renames, dict) or not all(
            isinstance(new, str)
            or (isinstance(new, list) and all(isinstance(one, str) for one in new))
            for new in renames.values()
        ):
            raise TypeError(
                "rename_roles must map each role id to a role id or a list of role ids "
                '(e.g. consultant = "aalborg.ssp_consultant")'
            )
        data["rename_roles"] = [
            [old, [new] if isinstance(new, str) else new] for old, new in renames.items()
        ]
    extension: WorkflowExtension = _structure_attrs(cl)(data, cl)
    return extension


converter.register_structure_hook(WorkflowExtension, _structure_extension)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file; a missing or malformed file raises :class:`ConfigError` naming it."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            return tomli.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file") from None
    except tomli.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None


_parsed: ContextVar[dict[Path, dict[str, Any]] | None] = ContextVar(
    "ssp_core_parsed_toml", default=None
)


@contextlib.contextmanager
def reading_once() -> Iterator[None]:
    """Parse each file once inside: :func:`load_items` and :func:`load_workflow` share it.

    The registry is built inside it, so that a plugin loading several tables of one
    file (its grants, legal bases and profiles) parses the file once. What is parsed
    is forgotten when the block ends; :func:`read_toml` always reads the file afresh.
    """
    token = _parsed.set({})
    try:
        yield
    finally:
        _parsed.reset(token)


def _read_shared(path: str | Path) -> dict[str, Any]:
    """Return the parsed file: parsed once inside :func:`reading_once`, else afresh.

    Only this module's loaders use it, and they do not change what it returns.
    """
    parsed = _parsed.get()
    if parsed is None:
        return read_toml(path)
    key = Path(path).resolve()
    found = parsed.get(key)
    if found is None:
        found = parsed[key] = read_toml(path)
    return found


def table_names(path: str | Path) -> set[str]:
    """Return the top-level keys of a TOML file (parsed once inside :func:`reading_once`)."""
    return set(_read_shared(path))


def structure(data: Any, cls: type[T], *, where: str) -> T:
    """Structure plain data into ``cls``; problems raise :class:`ConfigError` naming ``where``."""
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        details = "; ".join(cattrs.transform_error(exc, path="$"))
        raise ConfigError(f"{where}: {details}") from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def load_workflow(path: str | Path) -> WorkflowDefinition | WorkflowExtension:
    """Load one workflow from a TOML file: a definition, or an extension if it ``extends``.

    An extension is made into a definition when the registry is built, from the
    version it extends (:mod:`ssp_core.workflows.extension`).
    """
    data = _read_shared(path)
    cls: type[WorkflowDefinition | WorkflowExtension] = (
        WorkflowExtension if "extends" in data else WorkflowDefinition
    )
    return structure(data, cls, where=str(path))


def load_workflows(folder: str | Path) -> list[WorkflowDefinition | WorkflowExtension]:
    """Load every ``*.toml`` file of ``folder`` with :func:`load_workflow`, in name order."""
    return [load_workflow(path) for path in sorted(Path(folder).glob("*.toml"))]


def load_items(path: str | Path, key: str, cls: type[T]) -> list[T]:
    """Load the array of tables ``key`` of a TOML file as a list of ``cls``."""
    data = _read_shared(path)
    raw = data.get(key)
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: expected an array of tables [[{key}]]")
    return [
        structure(item, cls, where=f"{path} [[{key}]] #{index + 1}")
        for index, item in enumerate(raw)
    ]
