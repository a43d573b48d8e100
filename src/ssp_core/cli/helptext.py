"""``--help`` in the chosen language: click's help formatter, translating through the catalogue.

The help texts stay where click keeps them (docstrings, ``help=`` of options, the
summaries of :data:`~ssp_core.cli.app.COMMANDS`); the formatter looks each one up
in the catalogue as it writes it, so ``ssp --lang da case list --help`` (or
``SSP_LANG=da``, for a command's help) is Danish and English costs nothing.

The texts are gathered from the command tree, not from the code:
``python -m ssp_core.cli.helptext update`` writes one ``.po`` file per top-level
command under ``ssp_core/i18n/da/cli-help/`` (translations kept), and ``check``
lists every text without a translation; ``python -m ssp_core.i18n.catalogue
compile`` merges them into the catalogue with the rest.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ssp_core.i18n import _

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

__all__ = [
    "CLICK_TEXTS",
    "TranslatedHelp",
    "check",
    "help_texts",
    "main",
    "translate_help",
    "update",
]

CLICK_TEXTS = (
    "Options",
    "Commands",
    "Show this message and exit.",
    "Show the version and exit.",
    "required",
)
"""Text click writes itself in a help page, looked up like ours (the rest is marked here)."""

_EXTRA = re.compile(r"^(?P<help>.*?)(?:\s*\[(?P<extra>[^\[\]]*)\])?$", re.DOTALL)
_EXTRA_ITEM = re.compile(r"^(?P<key>default|env var): (?P<value>.*)$")


def _extra_item(item: str) -> str:
    found = _EXTRA_ITEM.match(item)
    if found is None:
        return _(item)
    key, value = found["key"], found["value"]
    if key == "default":
        return _("default: {default}").format(default=value)
    return _("env var: {var}").format(var=value)


def translate_help(text: str) -> str:
    """Return one help text (an option's, with click's ``[default: ...]`` after it) translated."""
    found = _EXTRA.match(text)
    if found is None or found["extra"] is None:
        return _(text) if text else text
    extras = "; ".join(_extra_item(item) for item in found["extra"].split("; "))
    help_text = _(found["help"]) if found["help"] else ""
    return f"{help_text}  [{extras}]" if help_text else f"[{extras}]"


class TranslatedHelp(click.HelpFormatter):
    """click's help formatter, writing every text in the current language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """Write the usage line, its prefix translated."""
        usage = _("Usage:") + " "  # not an f-string: Babel finds no message inside one
        super().write_usage(prog, args, usage if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        """Write a section heading (Options, Commands) translated."""
        super().write_heading(_(heading))

    def write_text(self, text: str) -> None:
        """Write a command's help text translated."""
        super().write_text(_(text))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """Write options and commands, each one's help translated."""
        super().write_dl(
            [(term, translate_help(text)) for term, text in rows], col_max, col_spacing
        )


def _command_help(command: click.Command) -> str | None:
    if not command.help:
        return None
    return inspect.cleandoc(command.help).partition("\f")[0]


def help_texts() -> dict[str, list[str]]:
    """Return every help text of ``ssp``, by top-level command (``ssp``: the root and click's)."""
    from ssp_core.cli.app import COMMANDS, cli  # noqa: PLC0415 (imports every command)
    from ssp_core.cli.reference import walk  # noqa: PLC0415

    found: dict[str, list[str]] = {"ssp": list(CLICK_TEXTS)}
    root = click.Context(cli, info_name="ssp")
    found["ssp"].extend(summary for _module, _name, summary in COMMANDS.values())
    for path, command, ctx in walk(cli, root):
        texts = found.setdefault(path[1] if len(path) > 1 else "ssp", [])
        if (text := _command_help(command)) is not None:
            texts.append(text)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    texts.append(sub.get_short_help_str(10_000))
        for param in command.get_params(ctx):
            if isinstance(param, click.Option) and param.help and not param.hidden:
                found_help = _EXTRA.match(param.help)  # "[required]" written in: click's
                texts.append(found_help["help"] if found_help else param.help)
    return {name: list(dict.fromkeys(t for t in texts if t)) for name, texts in found.items()}


_LANGUAGES = ("da",)


def _po(language: str, name: str) -> Path:
    from ssp_core.i18n.catalogue import GENERATED, PACKAGE  # noqa: PLC0415 (Babel: a dev tool)

    return PACKAGE / "i18n" / language / GENERATED / f"{name}.po"


def _relative(path: Path) -> str:
    from ssp_core.i18n.catalogue import PACKAGE  # noqa: PLC0415

    return path.relative_to(PACKAGE).as_posix()


def _template(name: str, texts: Sequence[str]) -> Catalog:
    """Return the help texts of the top-level command ``name`` as a template catalogue."""
    from babel.messages.catalog import Catalog  # noqa: PLC0415 (Babel: a dev tool)

    template = Catalog(locale=None)
    for text in texts:
        template.add(text, locations=[(f"ssp {name}" if name != "ssp" else "ssp", 0)])
    return template


def update(languages: Sequence[str] = _LANGUAGES) -> list[Path]:
    """Write each command's ``.po`` file of help texts, keeping the translations made.

    Needs Babel (a development tool, as for :mod:`ssp_core.i18n.catalogue`).
    """
    from babel.messages.catalog import Catalog  # noqa: PLC0415

    from ssp_core.i18n.catalogue import read_catalogue, write_catalogue  # noqa: PLC0415

    written = []
    for language in languages:
        for name, texts in help_texts().items():
            template = _template(name, texts)
            path = _po(language, name)
            catalog: Catalog = (
                read_catalogue(path, language) if path.exists() else Catalog(locale=language)
            )
            catalog.update(template, update_header_comment=False)
            write_catalogue(path, catalog)
            written.append(path)
    return written


def check(languages: Sequence[str] = _LANGUAGES) -> list[str]:
    """Return every help text without a (checked) translation, or whose placeholders differ."""
    from ssp_core.i18n.catalogue import compare, read_catalogue  # noqa: PLC0415 (Babel)

    problems = []
    for language in languages:
        for name, texts in help_texts().items():
            path = _po(language, name)
            if not path.exists():
                problems.append(f"{_relative(path)}: missing (run update)")
                continue
            catalog = read_catalogue(path, language)
            problems.extend(compare(_relative(path), _template(name, texts), catalog))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``update`` or ``check``; return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = arguments[0] if arguments else ""
    if command == "update":
        for path in update():
            print(_relative(path))  # noqa: T201 (a command-line tool)
        return 0
    if command == "check":
        problems = check()
        for problem in problems:
            print(problem)  # noqa: T201
        return 1 if problems else 0
    print("usage: python -m ssp_core.cli.helptext update | check")  # noqa: T201
    return 2


if __name__ == "__main__":
    sys.exit(main())
