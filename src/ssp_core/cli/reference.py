"""The command-line reference as Markdown: every ``ssp`` command, made from the click commands.

The page lists each command and subcommand with its usage line, its help text and a
table of its options, so it cannot drift from the code. The repository commits it
(``docs/reference/cli.md``); a test makes it again and fails when the two differ.
Write it with::

    python -m ssp_core.cli.reference docs/reference/cli.md

The root group (:data:`ssp_core.cli.app.cli`) loads its commands on demand; walking
the tree here imports every command module. The page is made in English (the help
text of commands is not translated) and at a fixed width, so it is the same on every
machine.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

__all__ = [
    "REGENERATE",
    "WIDTH",
    "cli_reference",
    "command_paths",
    "main",
    "walk",
    "write_reference",
]

WIDTH = 100
"""The width usage lines are wrapped at (whatever the terminal's)."""

REGENERATE = "python -m ssp_core.cli.reference docs/reference/cli.md"
"""The command that writes the committed page."""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!$])")
_CODE = re.compile(
    r"`[^`\n]+`"  # a command quoted in backticks
    r"|(?<![\w/.-])--?[A-Za-z][A-Za-z0-9-]*"  # an option: --store, -v
    r"|\bSSP_[A-Z_]+(?:=[\w,]+)?"  # an environment variable: SSP_LANG, SSP_SERVER=off
)


def walk(
    command: click.Command, ctx: click.Context
) -> Iterator[tuple[tuple[str, ...], click.Command, click.Context]]:
    """Yield every visible command under ``command``, itself first: path, command, context."""
    yield tuple(ctx.command_path.split()), command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from walk(sub, click.Context(sub, info_name=name, parent=ctx))


def _root() -> tuple[click.Command, click.Context]:
    from ssp_core.cli.app import cli  # noqa: PLC0415 (imports every command)

    ctx = click.Context(cli, info_name="ssp", terminal_width=WIDTH, max_content_width=WIDTH)
    return cli, ctx


def command_paths() -> list[tuple[str, ...]]:
    """Return the path of every command, ``("ssp",)`` first, e.g. ``("ssp", "case", "open")``."""
    return [path for path, _, _ in walk(*_root())]


def _escape(text: str) -> str:
    """Return plain text as Markdown that shows it as it is."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _prose(text: str, *, in_table: bool = False) -> str:
    """Return help text as Markdown: options, variables and `quoted` commands as code.

    Everything else is escaped, so it shows as written (``--store`` is not turned
    into a dash, ``*`` starts no emphasis). In a table cell, a ``|`` in code is
    escaped too (it would end the cell).
    """
    out = []
    end = 0
    for match in _CODE.finditer(text):
        out.append(_escape(text[end : match.start()]))
        code = match.group(0).strip("`")
        out.append(f"`{code.replace('|', chr(92) + '|') if in_table else code}`")
        end = match.end()
    out.append(_escape(text[end:]))
    return "".join(out)


def _help_blocks(command: click.Command) -> list[str]:
    """Return the command's help text after its summary, as Markdown blocks.

    A paragraph click keeps as it is (its first line a lone backspace) becomes a
    text block; the first paragraph, the summary, is left out (it is shown above).
    """
    text = inspect.cleandoc(command.help or "").split("\f")[0]
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    blocks = []
    for paragraph in paragraphs[1:]:
        lines = paragraph.splitlines()
        if lines[0].strip() == "\b":
            blocks.append("\n".join(["```text", *lines[1:], "```"]))
        else:
            blocks.append(_prose(" ".join(line.strip() for line in lines)))
    return blocks


def _cell(text: str) -> str:
    return _prose(" ".join(text.split()), in_table=True)


def _options(command: click.Command, ctx: click.Context) -> list[str]:
    rows = []
    help_option = command.get_help_option(ctx)
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option) or param is help_option or param.hidden:
            continue  # arguments are in the usage line; every command has --help
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, meaning = record
        rows.append(f"| `{names.replace('|', chr(92) + '|')}` | {_cell(meaning)} |")
    if not rows:
        return []
    return ["| option | meaning |", "|---|---|", *rows, ""]


def _section(path: tuple[str, ...], command: click.Command, ctx: click.Context) -> list[str]:
    level = "##" if len(path) <= 2 else "###"  # MyST anchors headings down to ###
    usage = command.collect_usage_pieces(ctx)
    out = [
        f"{level} `{' '.join(path)}`",
        "",
        _prose(command.get_short_help_str(limit=10_000)),
        "",
        "```text",
        " ".join([ctx.command_path, *usage]),
        "```",
        "",
    ]
    for block in _help_blocks(command):
        out += [block, ""]
    out += _options(command, ctx)
    if isinstance(command, click.Group):
        subs = [name for name in command.list_commands(ctx) if _visible(command, ctx, name)]
        links = ", ".join(f"[`{name}`](#{_anchor((*path, name))})" for name in subs)
        out += [f"Commands: {links}.", ""]
    return out


def _visible(group: click.Group, ctx: click.Context, name: str) -> bool:
    sub = group.get_command(ctx, name)
    return sub is not None and not sub.hidden


def _anchor(path: tuple[str, ...]) -> str:
    """Return the anchor MyST gives the heading of ``path`` (``ssp-case-open``)."""
    return "-".join(part.lower() for part in path)


def cli_reference() -> str:
    """Return the whole command-line reference page, as Markdown."""
    out = [
        f"<!-- Generated by `{REGENERATE}` from the click commands; do not edit. -->",
        "",
        "# Command-line reference",
        "",
        (
            "Every `ssp` command and subcommand: its usage, what it does and its options, "
            "as `--help` shows them. The options of the root group (`--lang`, `--store`, "
            "`--key-file` and the others) come before the command: "
            "`ssp --lang da case show AAL-0001`. Each option that can also be set by an "
            "environment variable says which. Every command also takes `--help`."
        ),
        "",
    ]
    for path, command, ctx in walk(*_root()):
        out += _section(path, command, ctx)
    return "\n".join(out).rstrip("\n") + "\n"


def write_reference(target: Path) -> bool:
    """Write the page to ``target`` if it changed; return whether it did."""
    text = cli_reference()
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Write the reference to the file named on the command line; return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1:
        print(f"usage: {REGENERATE.replace('docs/reference/cli.md', 'FILE')}")  # noqa: T201
        return 2
    target = Path(arguments[0])
    changed = write_reference(target)
    print(f"{target}: {'written' if changed else 'unchanged'}")  # noqa: T201 (a command-line tool)
    return 0


if __name__ == "__main__":
    sys.exit(main())
