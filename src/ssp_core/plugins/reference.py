"""The plugin author's reference as Markdown: every hook, and every table and key of the data files.

Both pages are made from the code, so they cannot drift from it:

* the hook reference from the hook specifications (:mod:`ssp_core.plugins.spec`): each
  hook's signature and docstring, what it contributes and the data table that feeds it;
* the data-file reference from the tables a data file may hold
  (:data:`~ssp_core.plugins.datafiles.TABLES`) and the workflow files, and from the attrs
  classes they are structured into: every key with its TOML type, whether it is
  required or its default, and its meaning, taken from the ``:ivar key:`` line of the
  class's docstring, with an example cut from a real file.

A hook without a docstring or a key without its ``:ivar:`` line is an
:class:`~ssp_core.exceptions.ConfigError` naming each one, so a new key cannot land
without its entry. The repository commits the two pages (``docs/reference/``); a test
builds them again and fails when they differ. Write them with::

    python -m ssp_core.plugins.reference docs/reference
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import re
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.retention import RetentionPeriod
from ssp_core.exceptions import ConfigError
from ssp_core.plugins import spec
from ssp_core.plugins.datafiles import TABLES
from ssp_core.plugins.registry import KINDS
from ssp_core.workflows.definition import MigrationSpec, WorkflowDefinition
from ssp_core.workflows.extension import WorkflowExtension

__all__ = [
    "DEFAULT_EXAMPLES",
    "data_reference",
    "hook_reference",
    "key_docs",
    "main",
    "undocumented",
    "write_reference",
]

DEFAULT_EXAMPLES = (
    "examples/vesthavn/vesthavn_ssp/data",
    "plugins/ssp-aalborg/src/ssp_aalborg/data",
    "src/ssp_core/data",
    "docs/reference/examples",
)
"""Where examples are cut from, relative to the repository's root, in order of preference."""

_WORKFLOW_FILES: tuple[tuple[str, type[Any], str], ...] = (
    (
        "A workflow extension",
        WorkflowExtension,
        (
            "A file with `extends` is an extension: it names the workflow version it is made "
            "from and says only what it changes. Most of a municipality's cards and tracks are "
            "extensions of the national templates (`core.*`)."
        ),
    ),
    (
        "A workflow definition",
        WorkflowDefinition,
        (
            "A file without `extends` is a whole definition: every state, transition, fact, "
            "guard and deadline written out, as the national templates are."
        ),
    ),
)

_NOT_IN_FILES: frozenset[tuple[type[Any], str]] = frozenset(
    {(WorkflowDefinition, "extends"), (WorkflowDefinition, "origins")}
)
"""Fields the core sets when it makes an extension into a definition: not written in files."""

_IVAR = re.compile(r"^:ivar (\w+):\s*(.*)$")
_ROLE = re.compile(r":[\w:]+:`~?(?:[^`<]*<)?([^`>]+)>?`")


# -- docstrings --------------------------------------------------------------------------


def _markdown(text: str) -> str:
    """Return reST inline text as Markdown: roles and double backticks as code."""

    def code(match: re.Match[str]) -> str:
        target = match.group(1)
        return f"`{target.rsplit('.', 1)[-1] if '.' in target else target}`"

    return _ROLE.sub(code, text).replace("``", "`")


def key_docs(cls: type[Any]) -> dict[str, str]:
    """Return the ``:ivar key: text`` entries of ``cls``'s docstring, as Markdown."""
    doc = inspect.getdoc(cls) or ""
    found: dict[str, str] = {}
    current: str | None = None
    for line in doc.splitlines():
        match = _IVAR.match(line)
        if match:
            current = match.group(1)
            found[current] = match.group(2).strip()
        elif current is not None and line.startswith(" ") and line.strip():
            found[current] += " " + line.strip()
        else:
            current = None
    return {key: _markdown(text) for key, text in found.items()}


def _blocks(text: str) -> Iterator[str]:
    """Return reST prose as Markdown blocks: paragraphs, bullet lists, literal blocks."""
    lines = text.strip("\n").splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        block: list[str] = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        if block[0].startswith(".. "):
            continue
        if block[0].lstrip().startswith(("* ", "- ")):
            items: list[str] = []
            for line in block:
                if line.lstrip().startswith(("* ", "- ")):
                    items.append(line.strip()[2:])
                else:
                    items[-1] += " " + line.strip()
            yield "\n".join(f"- {_markdown(item)}" for item in items)
            continue
        paragraph = " ".join(" ".join(block).split())
        literal = paragraph.endswith("::")
        yield _markdown(paragraph[:-1] if literal else paragraph)
        if literal:
            code: list[str] = []
            while index < len(lines) and (not lines[index].strip() or lines[index][:1] == " "):
                code.append(lines[index])
                index += 1
            indent = min(len(line) - len(line.lstrip()) for line in code if line.strip())
            body = "\n".join(line[indent:] for line in code).strip("\n")
            yield f"```python\n{body}\n```"


def _summary(obj: object) -> str:
    """Return the prose of a docstring (before its field list) as Markdown."""
    doc = inspect.getdoc(obj) or ""
    prose = re.split(r"^:(?:ivar|param|return|raises)\b", doc, maxsplit=1, flags=re.MULTILINE)[0]
    return "\n\n".join(_blocks(prose))


# -- types -------------------------------------------------------------------------------


def _fields(cls: type[Any]) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if f.init and (cls, f.name) not in _NOT_IN_FILES]


def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _anchor(cls: type[Any]) -> str:
    return cls.__name__.lower()


def _link(cls: type[Any]) -> str:
    return f"[`{cls.__name__}`](#{_anchor(cls)})"


_SPECIAL: dict[tuple[type[Any], str], str] = {
    (WorkflowExtension, "rename_roles"): (
        "table: each old role id = a new role id, or an array of role ids"
    ),
    (MigrationSpec, "states"): "table: each old state id = the new state id",
}


_SCALARS: dict[Any, str] = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    dt.date: "date (`2026-01-31`)",
    RetentionPeriod: "string: an ISO 8601 period of years, months and days (`P5Y`, `P1825D`)",
}
"""The TOML type of each type a key may have that is not a table, an array or a choice."""


def _toml_type(tp: Any, nested: dict[type[Any], None]) -> str:
    """Return the TOML type of the annotation ``tp``; attrs classes met go into ``nested``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_toml_type(arg, nested) for arg in args if arg is not type(None))
    if origin is typing.Literal:
        return "string: one of " + ", ".join(f"`{value}`" for value in args)
    if origin in (tuple, list, frozenset, set, Sequence):
        return _array(_toml_type(args[0] if args else Any, nested))
    if tp in _SCALARS:
        return _SCALARS[tp]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "string: one of " + ", ".join(f"`{member.value}`" for member in tp)
    if isinstance(tp, type) and attrs.has(tp):
        nested.setdefault(tp, None)
        return f"table {_link(tp)}" + (" (`da`, `en`)" if tp is Labels else "")
    raise ConfigError(f"the reference cannot describe the type {tp!r}")


def _array(inner: str) -> str:
    if inner.startswith("table"):
        return "array of tables" + inner.removeprefix("table")
    return f"array of {inner}s" if " " not in inner else f"array of ({inner})"


def _default(field: attrs.Attribute[Any]) -> str:
    """Return what leaving a key out means: required, optional, empty or its default."""
    default = field.default
    if default is attrs.NOTHING:
        return "required"
    factory = getattr(default, "factory", None)  # an attrs.Factory
    value: Any = factory() if callable(factory) else default
    empty = value in ((), [], frozenset(), {}) or (
        attrs.has(type(value)) and not any(attrs.astuple(value))
    )
    if value is None:
        text = "optional"
    elif empty:
        text = "empty"
    elif isinstance(value, bool):
        text = f"`{str(value).lower()}`"
    elif isinstance(value, enum.Enum):
        text = f"`{value.value}`"
    elif isinstance(value, tuple | list | frozenset):
        text = "`[" + ", ".join(f'"{one}"' for one in value) + "]`"
    else:
        text = f'`"{value}"`' if isinstance(value, str) else f"`{value}`"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _key_table(cls: type[Any], nested: dict[type[Any], None]) -> list[str]:
    hints = _hints(cls)
    docs = key_docs(cls)
    rows = ["| key | type | required or default | meaning |", "|---|---|---|---|"]
    for field in _fields(cls):
        special = _SPECIAL.get((cls, field.name))
        kind = special or _toml_type(hints[field.name], nested)
        rows.append(
            f"| `{field.name}` | {_cell(kind)} | {_default(field)} | "
            f"{_cell(docs.get(field.name, ''))} |"
        )
    return [*rows, ""]


def _reachable(roots: Sequence[type[Any]]) -> list[type[Any]]:
    """Return ``roots`` and every attrs class their fields reach, in the order met."""
    found: dict[type[Any], None] = {}

    def visit(cls: type[Any]) -> None:
        if cls in found:
            return
        found[cls] = None
        hints = _hints(cls)
        for field in _fields(cls):
            if (cls, field.name) in _SPECIAL:
                continue
            inner: dict[type[Any], None] = {}
            _toml_type(hints[field.name], inner)
            for nested in inner:
                visit(nested)

    for root in roots:
        visit(root)
    return list(found)


def _roots() -> list[type[Any]]:
    return [cls for _, cls in TABLES.values()] + [cls for _, cls, _ in _WORKFLOW_FILES]


def _hooks() -> list[tuple[str, Any]]:
    return [
        (name, func)
        for name, func in vars(spec).items()
        if name.startswith("ssp_") and inspect.isfunction(func)
    ]


def undocumented() -> list[str]:
    """Return every hook without a docstring and every data key without its ``:ivar:`` line."""
    missing = [f"hook {name}" for name, func in _hooks() if not inspect.getdoc(func)]
    for cls in _reachable(_roots()):
        docs = key_docs(cls)
        missing += [
            f"key {field.name} of {cls.__module__}.{cls.__qualname__}"
            for field in _fields(cls)
            if not docs.get(field.name)
        ]
    return missing


def _check_complete() -> None:
    missing = undocumented()
    if missing:
        raise ConfigError(
            "the plugin reference has no entry for: "
            + "; ".join(missing)
            + ". Write a docstring for each hook and an ':ivar key: meaning' line "
            "in the class docstring for each key"
        )


# -- examples ----------------------------------------------------------------------------

_MAX_EXAMPLE_LINES = 30


def _header(line: str) -> str | None:
    """Return the table name of a TOML header line (``[[a.b]]`` or ``[a]``), else ``None``."""
    match = re.match(r"^\s*\[\[?\s*([\w.\"-]+)\s*\]\]?\s*(#.*)?$", line)
    return match.group(1) if match else None


def _cut(lines: list[str], start: int, table: str) -> list[str]:
    """Return the item starting at ``start`` up to the next item or another table."""
    out = [lines[start]]
    for line in lines[start + 1 :]:
        name = _header(line)
        if name is not None and (name == table or not name.startswith(table + ".")):
            break
        out.append(line)
    while out and (not out[-1].strip() or out[-1].lstrip().startswith("#")):
        out.pop()
    if len(out) > _MAX_EXAMPLE_LINES:
        out = [*out[:_MAX_EXAMPLE_LINES], "# ..."]
    return out


def _example_files(root: Path, folders: Sequence[str]) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((root / folder).glob("*.toml"))


def _table_example(table: str, root: Path, folders: Sequence[str]) -> tuple[str, list[str]] | None:
    for path in _example_files(root, folders):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if _header(line) == table and line.lstrip().startswith("[["):
                return path.relative_to(root).as_posix(), _cut(lines, number, table)
    return None


def _workflow_example(
    cls: type[Any], root: Path, folders: Sequence[str]
) -> tuple[str, list[str]] | None:
    """Return the first workflow file of its kind: an extension that adds a part, if any."""
    candidates: list[tuple[Path, list[str]]] = []
    for folder in folders:
        for path in sorted((root / folder).glob("workflows/*.toml")) + sorted(
            (root / folder).glob("templates/*.toml")
        ):
            lines = path.read_text(encoding="utf-8").splitlines()
            extends = any(re.match(r"^extends\s*=|^\[extends\]", line) for line in lines)
            if extends == (cls is WorkflowExtension):
                candidates.append((path, lines))
    if not candidates:
        return None
    adding = [c for c in candidates if any(line.startswith("[[add.") for line in c[1])]
    path, lines = (adding or candidates)[0]
    out = lines[: _MAX_EXAMPLE_LINES + 20]
    if len(lines) > len(out):
        out.append("# ...")
    return path.relative_to(root).as_posix(), out


def _example_block(found: tuple[str, list[str]] | None) -> list[str]:
    if found is None:
        return []
    where, lines = found
    return [f"Example, from `{where}`:", "", "```toml", *lines, "```", ""]


# -- the pages ---------------------------------------------------------------------------

_GENERATED = (
    "<!-- Generated by `python -m ssp_core.plugins.reference docs/reference`; do not edit. "
    "A test fails when this page differs from the code. -->"
)


def data_reference(root: Path | None = None, examples: Sequence[str] = DEFAULT_EXAMPLES) -> str:
    """Return the data-file reference: every table and key, with examples cut from ``root``."""
    _check_complete()
    base = root or Path.cwd()
    hook_of = {table: hook for table, (hook, _) in TABLES.items()}
    nested: dict[type[Any], None] = {}
    out = [
        _GENERATED,
        "",
        "# Data-file reference",
        "",
        (
            "Every table and key a plugin's TOML files may hold. A plugin of data only keeps "
            "them in its package's `data/` folder: each `*.toml` file directly in it holds "
            "arrays of tables named below (any of them, in any file), and `data/workflows/` "
            "holds one workflow per file. A plugin in Python loads the same tables with "
            '`load_items(path, "roles", Role)` and the workflows with `load_workflows(folder)` '
            "(see [Writing a plugin](../plugins.md))."
        ),
        "",
        (
            "A key not listed is an error, as is a missing required key or a value of the "
            "wrong type; the message names the file, the table, the item's number and line, "
            "and what is allowed. Ids are lower-case letters, digits, `_` and `.`; a "
            "municipality's own ids start with its namespace (`vesthavn.`). Every text shown "
            "to people is a `labels` table with `da` and `en`."
        ),
        "",
        "## Tables",
        "",
        "| table | contributes | hook |",
        "|---|---|---|",
    ]
    for table, (hook, cls) in TABLES.items():
        out.append(f"| [`[[{table}]]`](#{table}) | `{cls.__name__}` | `{hook}` |")
    out += [
        (
            "| [workflow files](#workflow-files) | `WorkflowDefinition`, `WorkflowExtension` | "
            "`ssp_register_workflows` |"
        ),
        "",
    ]
    for table, (_, cls) in TABLES.items():
        out += [
            f"## `[[{table}]]`",
            "",
            f"Feeds `{hook_of[table]}`; each item is a `{cls.__name__}` (`{cls.__module__}`).",
            "",
            _summary(cls),
            "",
            *_key_table(cls, nested),
            *_example_block(_table_example(table, base, examples)),
        ]
    out += [
        "## Workflow files",
        "",
        (
            "One workflow version per file in `data/workflows/`, its keys at the top level "
            "of the file; they feed `ssp_register_workflows`."
        ),
        "",
    ]
    for title, cls, intro in _WORKFLOW_FILES:
        out += [
            f"### {title}",
            "",
            intro,
            "",
            _summary(cls),
            "",
            *_key_table(cls, nested),
            *_example_block(_workflow_example(cls, base, examples)),
        ]
    roots = set(_roots())
    shown: set[type[Any]] = set()
    out += ["## Nested tables", "", "Tables that appear inside the items above.", ""]
    while True:
        pending = sorted(
            (cls for cls in nested if cls not in shown and cls not in roots),
            key=lambda cls: cls.__name__,
        )
        if not pending:
            break
        for cls in pending:
            shown.add(cls)
            out += [
                f"### `{cls.__name__}`",
                "",
                _summary(cls),
                "",
                *_key_table(cls, nested),
            ]
    return "\n".join(out).rstrip("\n") + "\n"


def _signature(name: str, func: Any) -> str:
    signature = inspect.signature(func)
    return f"def {name}{signature}".replace("'", "")


def _hook_doc(func: Any) -> list[str]:
    """Return a hook's docstring as Markdown: prose, parameters, return, version."""
    doc = inspect.getdoc(func) or ""
    out: list[str] = []
    fields: list[str] = []
    prose: list[str] = []
    current: list[str] | None = None
    for line in doc.splitlines():
        param = re.match(r"^:param (\w+):\s*(.*)$", line)
        returns = re.match(r"^:return:\s*(.*)$", line)
        added = re.match(r"^\.\. versionadded:: (.+)$", line)
        if param:
            fields.append(f"- `{param.group(1)}`: {param.group(2)}")
            current = fields
        elif returns:
            fields.append(f"- returns: {returns.group(1)}")
            current = fields
        elif added:
            fields.append(f"- added in {added.group(1).strip()}")
            current = None
        elif current is fields and line.startswith(" ") and line.strip():
            fields[-1] += " " + line.strip()
        else:
            current = None
            prose.append(line)
    for block in _blocks("\n".join(prose)):
        out += [block, ""]
    if fields:
        out += [_markdown(line) for line in fields] + [""]
    return out


def hook_reference() -> str:
    """Return the hook reference: every hook in the order of the specification."""
    _check_complete()
    kinds = {kind.hook: kind for kind in KINDS}
    tables = {hook: table for table, (hook, _) in TABLES.items()}
    out = [
        _GENERATED,
        "",
        "# Hook reference",
        "",
        _summary(spec),
        "",
        (
            "A plugin is found through the entry-point group `ssp_core`; the entry point's "
            "name is the plugin's name. A plugin of data only implements no hook: the core "
            "reads its `data/` folder (see the [data-file reference](data-files.md))."
        ),
        "",
        "| hook | contributes | data table |",
        "|---|---|---|",
    ]
    for name, _ in _hooks():
        kind = kinds.get(name)
        what = kind.name if kind is not None else "(a reaction)"
        table = tables.get(name)
        if table is not None:
            where = f"[`[[{table}]]`](data-files.md#{table})"
        elif name == "ssp_register_workflows":
            where = "[workflow files](data-files.md#workflow-files)"
        else:
            where = ""
        out.append(f"| [`{name}`](#{name}) | {what} | {where} |")
    out.append("")
    for name, func in _hooks():
        out += [
            f"## `{name}`",
            "",
            "```python",
            _signature(name, func),
            "```",
            "",
            *_hook_doc(func),
        ]
    return "\n".join(out).rstrip("\n") + "\n"


def write_reference(folder: Path, root: Path | None = None) -> list[Path]:
    """Write ``hooks.md`` and ``data-files.md`` into ``folder``; return the files changed."""
    pages = {
        folder / "hooks.md": hook_reference(),
        folder / "data-files.md": data_reference(root),
    }
    changed = []
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in pages.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Write the reference into the folder named by the first argument (run from the root)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m ssp_core.plugins.reference FOLDER\n")
        return 2
    try:
        changed = write_reference(Path(args[0]))
    except ConfigError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    for path in changed:
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
