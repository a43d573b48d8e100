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
import functools
import itertools
import re
import typing
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, TypeVar

import attrs
import cattrs
import tomli
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.v import format_exception

from ssp_core.domain.retention import RetentionPeriod
from ssp_core.exceptions import ConfigError, SspError
from ssp_core.workflows.definition import MigrationSpec, WorkflowDefinition
from ssp_core.workflows.extension import PART_KINDS, WorkflowExtension

__all__ = [
    "converter",
    "load_items",
    "load_workflow",
    "load_workflows",
    "read_toml",
    "reading_once",
    "source_of",
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


def _structure_text(value: Any, _type: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text in quotes, got {type(value).__name__} {value!r}")
    return value


def _structure_choice(value: Any, cl: type[StrEnum]) -> StrEnum:
    # an unknown value: a ValueError, worded with the values allowed
    return cl(_structure_text(value, str))


converter.register_structure_hook(str, _structure_text)
# a choice of texts is a str too: it gets its own hook, more specific than str's
converter.register_structure_hook(StrEnum, _structure_choice)
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


def _homogeneous_tuple(cl: Any) -> bool:
    args = typing.get_args(cl)
    return typing.get_origin(cl) is tuple and len(args) == 2 and args[1] is Ellipsis


def _structure_tuple(cl: Any) -> Callable[[Any, Any], Any]:
    """Return cattrs' function for ``tuple[X, ...]``, taking one string as one item.

    A list written as a single string (``source = "received"``) means that one item,
    as the definitions' converters say; cattrs alone would split it into characters.
    """
    default = homogenous_tuple_structure_factory(cl, converter)

    def structure_tuple(value: Any, cl: Any) -> Any:
        return default([value] if isinstance(value, str) else value, cl)

    return structure_tuple


converter.register_structure_hook_factory(_homogeneous_tuple, _structure_tuple)


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


_sources: ContextVar[dict[int, tuple[object, Callable[[], str]]] | None] = ContextVar(
    "ssp_core_item_sources", default=None
)


@contextlib.contextmanager
def reading_once() -> Iterator[None]:
    """Parse each file once inside: :func:`load_items` and :func:`load_workflow` share it.

    The registry is built inside it, so that a plugin loading several tables of one
    file (its grants, legal bases and profiles) parses the file once. What is parsed
    is forgotten when the block ends; :func:`read_toml` always reads the file afresh.
    Inside it, the loaders also remember where each item came from
    (:func:`source_of`), so that the registry's checks can name the file and line.
    """
    token = _parsed.set({})
    sources = _sources.set({})
    try:
        yield
    finally:
        _sources.reset(sources)
        _parsed.reset(token)


def _remember(item: object, where: Callable[[], str]) -> None:
    sources = _sources.get()
    if sources is not None:
        sources[id(item)] = (item, where)  # the item is kept, so its id is not reused


def source_of(item: object) -> str | None:
    """Return the file (and line) ``item`` was loaded from inside :func:`reading_once`."""
    sources = _sources.get()
    found = sources.get(id(item)) if sources is not None else None
    return found[1]() if found is not None and found[0] is item else None


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


def structure(
    data: Any, cls: type[T], *, where: str | Callable[[], str], source: Path | None = None
) -> T:
    """Structure plain data into ``cls``; problems raise :class:`ConfigError` naming ``where``.

    ``where`` may be a function, called only to word an error (it may read the file again
    to find the line). With ``source``, the file ``data`` was read from as a whole, each
    problem also names its line where TOML can tell.
    """
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        found = cattrs.transform_error(exc, path="$", format_exception=_problem)
        if source is not None:
            lines = source.read_text(encoding="utf-8").splitlines()
            found = [_with_line(lines, problem) for problem in found]
        raise ConfigError(f"{_place(where)}: {'; '.join(found)}") from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{_place(where)}: {exc}") from None


_AT = re.compile(r" @ (\$[\w.\[\]]*)$")


def _header_line(lines: Sequence[str], dotted: str, nth: int = 0, start: int = 0) -> int | None:
    """Return the index of the ``nth`` header ``[dotted]`` or ``[[dotted]]`` from ``start``."""
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(dotted)}\s*\]\]?\s*(#.*)?$")
    found = [n for n in range(start, len(lines)) if header.match(lines[n])]
    return found[nth] if nth < len(found) else None


def _key_line(lines: Sequence[str], key: str, start: int) -> int | None:
    """Return the index of ``key = ...`` in the table that starts at ``start``."""
    assignment = re.compile(rf"^\s*{re.escape(key)}\s*(=|\.)")
    for n in range(start, len(lines)):
        if n > start and lines[n].lstrip().startswith("["):
            return None
        if assignment.match(lines[n]):
            return n
    return None


def _locate(lines: Sequence[str], at: str, problem: str) -> int | None:
    """Return the index of the line a cattrs path (``$.add.states[1].id``) points at."""
    parts = re.findall(r"\.(\w+)|\[(\d+)\]", at)
    names = [name for name, number in itertools.takewhile(lambda p: not p[1], parts)]
    rest = parts[len(names) :]
    unknown = re.match(r"unknown key (\w+)", problem)
    if not rest and unknown:
        names.append(unknown.group(1))  # the unknown key itself: its header or assignment
    if not names:
        return None
    if rest:  # an item of an array of tables, then perhaps one of its keys
        line = _header_line(lines, ".".join(names), int(rest[0][1]))
        key = rest[1][0] if len(rest) > 1 and rest[1][0] else None
        if line is not None and key is not None:
            return _key_line(lines, key, line) or line
        return line
    line = _header_line(lines, ".".join(names))
    if line is not None:
        return line
    parent = _header_line(lines, ".".join(names[:-1])) if len(names) > 1 else 0
    found = None if parent is None else _key_line(lines, names[-1], parent)
    # else the top-level key it is under (an inline table: extends = { ... })
    return found if found is not None else _key_line(lines, names[0], 0)


def _with_line(lines: Sequence[str], problem: str) -> str:
    """Put the line a problem is on before it, where TOML can tell."""
    at = _AT.search(problem)
    line = _locate(lines, at.group(1), problem) if at else None
    return problem if line is None else f"line {line + 1}: {problem}"


def _problem(exc: BaseException, expected: type | None) -> str:
    """Word one problem of an item: unknown keys and enum values with what is allowed."""
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        unknown = ", ".join(sorted(exc.extra_fields))
        if exc.cl is not None and attrs.has(exc.cl):
            allowed = ", ".join(field.name for field in attrs.fields(exc.cl) if field.init)
            return f"unknown key {unknown}; allowed: {allowed}"
        return f"unknown key {unknown}"
    if isinstance(exc, KeyError):
        return "required key missing"
    if isinstance(exc, SspError) or (
        isinstance(exc, TypeError) and str(exc).startswith("expected ")
    ):
        return str(exc)  # worded by a validator of the domain, or a hook of this module
    if isinstance(exc, ValueError) and isinstance(expected, type) and issubclass(expected, Enum):
        allowed = ", ".join(str(member.value) for member in expected)
        return f"{exc}; allowed: {allowed}"
    return format_exception(exc, expected)


def _place(where: str | Callable[[], str]) -> str:
    return where if isinstance(where, str) else where()


def load_workflow(path: str | Path) -> WorkflowDefinition | WorkflowExtension:
    """Load one workflow from a TOML file: a definition, or an extension if it ``extends``.

    An extension is made into a definition when the registry is built, from the
    version it extends (:mod:`ssp_core.workflows.extension`).
    """
    data = _read_shared(path)
    cls: type[WorkflowDefinition | WorkflowExtension] = (
        WorkflowExtension if "extends" in data else WorkflowDefinition
    )
    loaded = structure(data, cls, where=str(path), source=Path(path))
    _remember(loaded, lambda: str(path))
    return loaded


def load_workflows(folder: str | Path) -> list[WorkflowDefinition | WorkflowExtension]:
    """Load every ``*.toml`` file of ``folder`` with :func:`load_workflow`, in name order."""
    return [load_workflow(path) for path in sorted(Path(folder).glob("*.toml"))]


def load_items(path: str | Path, key: str, cls: type[T]) -> list[T]:
    """Load the array of tables ``key`` of a TOML file as a list of ``cls``."""
    data = _read_shared(path)
    raw = data.get(key)
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: expected an array of tables [[{key}]]")
    lines: list[int] = []

    def place(index: int) -> str:
        if not lines:
            lines.extend(_header_lines(path, key))
        return f"{path}, line {lines[index]}" if index < len(lines) else f"{path}"

    def where(index: int) -> str:
        return f"{place(index)}: [[{key}]] #{index + 1}"

    items = [
        structure(item, cls, where=functools.partial(where, index))
        for index, item in enumerate(raw)
    ]
    for index, item in enumerate(items):
        _remember(item, functools.partial(place, index))
    return items


def _header_lines(path: str | Path, key: str) -> list[int]:
    """Return the line numbers of the ``[[key]]`` headers of a file (for error messages)."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(key)}\s*\]\]\s*(#.*)?$")
    text = Path(path).read_text(encoding="utf-8")
    return [number for number, line in enumerate(text.splitlines(), 1) if header.match(line)]
