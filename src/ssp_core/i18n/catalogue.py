"""Keep the Danish catalogue in step with the code: extract, update, compile, check.

A tool for developers and translators (it needs `Babel <https://babel.pocoo.org>`_,
which ssp_core does not need at run time)::

    python -m ssp_core.i18n.catalogue update     # new English text into the .po files
    python -m ssp_core.i18n.catalogue compile    # the .po files into one ssp_core.mo
    python -m ssp_core.i18n.catalogue check      # what the test suite checks

The catalogue is split by source file: the messages of ``ssp_core/cli/case.py`` are
translated in ``ssp_core/i18n/da/cli/case.po``, those of a template
``reports/templates/goals.md.jinja`` in ``da/reports/templates/goals.md.jinja.po``.
Two people translating two parts of the code never edit the same file, and a
message that moves to another file is found again (``update`` carries a
translation over, marked fuzzy, from the closest old message).
``compile`` merges every ``.po`` into the one ``da/LC_MESSAGES/ssp_core.mo`` read
at run time.

``check`` lists every problem: a message in the code that has no translation, a
fuzzy (unchecked) translation, a translation whose ``{placeholders}`` differ from
the English, a ``.po`` left over for a file that has no messages, and a ``.mo``
that does not hold what the ``.po`` files say.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import string
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from ssp_core.i18n import DOMAIN

__all__ = [
    "GENERATED",
    "KEYWORDS",
    "LANGUAGES",
    "PACKAGE",
    "check",
    "compare",
    "compile_catalogue",
    "extract",
    "main",
    "merged",
    "placeholder_problem",
    "read_catalogue",
    "sources",
    "translated",
    "update",
    "write_catalogue",
]

PACKAGE = Path(__file__).resolve().parent.parent
"""The ``ssp_core`` package folder: the code the catalogue is extracted from."""

LANGUAGES = ("da",)
"""The languages with a catalogue (English is the language of the code)."""

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
"""The functions that mark a message, with their message arguments (Babel's form)."""

_FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # no date churn in the files

GENERATED = "cli-help"
"""The folder (under each language's) of ``.po`` files made from the command tree, not the code.

``ssp_core.cli.helptext`` keeps them: the ``--help`` texts of each command; ``check``
here leaves them to it, and ``compile`` merges them with the rest."""
_SKIP = ("i18n/",)  # the catalogue's own code shows no text


def sources() -> list[Path]:
    """Return every file messages are extracted from: the package's Python and Jinja files."""
    found = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.jinja")]
    return sorted(p for p in found if not p.relative_to(PACKAGE).as_posix().startswith(_SKIP))


def _method(path: Path) -> str:
    return "jinja2.ext:babel_extract" if path.suffix == ".jinja" else "python"


def extract(path: Path) -> Catalog:
    """Return the messages marked in one source file, as a template catalogue."""
    template = Catalog(locale=None, domain=DOMAIN, creation_date=_FIXED_DATE)
    relative = path.relative_to(PACKAGE).as_posix()
    options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
    with path.open("rb") as source:
        found = extract_from_file(
            _method(path),
            source.name,
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            options=options,
        )
        for lineno, message, comments, context in found:
            template.add(
                message, locations=[(relative, lineno)], auto_comments=comments, context=context
            )
    return template


def _po_path(language: str, source: Path) -> Path:
    relative = source.relative_to(PACKAGE)
    stem = relative.with_suffix("") if source.suffix == ".py" else relative
    return PACKAGE / "i18n" / language / f"{stem.as_posix()}.po"


def read_catalogue(path: Path, language: str) -> Catalog:
    """Return the ``.po`` file at ``path`` as a catalogue of ``language``."""
    with path.open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def write_catalogue(path: Path, catalog: Catalog) -> None:
    """Write ``catalog`` as a ``.po`` file (no header, no line numbers, no obsolete entries)."""
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=100,
        omit_header=True,
        ignore_obsolete=True,
        include_lineno=False,
        sort_output=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update(paths: Sequence[Path] = (), languages: Sequence[str] = LANGUAGES) -> list[Path]:
    """Bring the ``.po`` files of ``paths`` (default: every source) in step with the code.

    A new message gets an empty translation (or, if an old one is close, the old
    translation marked fuzzy); a message no longer in the code is dropped; a ``.po``
    of a file with no messages left is deleted. Returns the ``.po`` files written.
    """
    chosen = [p.resolve() for p in paths] or sources()
    written = []
    for language in languages:
        for source in chosen:
            template = extract(source)
            po = _po_path(language, source)
            if not len(template):
                po.unlink(missing_ok=True)
                continue
            catalog = (
                read_catalogue(po, language)
                if po.exists()
                else Catalog(locale=language, domain=DOMAIN, creation_date=_FIXED_DATE)
            )
            catalog.update(template, update_header_comment=False)
            write_catalogue(po, catalog)
            written.append(po)
    return written


def _mo_path(language: str) -> Path:
    return PACKAGE / "i18n" / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _po_files(language: str) -> list[Path]:
    return sorted((PACKAGE / "i18n" / language).rglob("*.po"))


def merged(language: str) -> Catalog:
    """Return every ``.po`` of ``language`` merged into one catalogue (translated entries)."""
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project="ssp_core",
        version="",
        creation_date=_FIXED_DATE,
        revision_date=_FIXED_DATE,
        fuzzy=False,
    )
    for po in _po_files(language):
        for message in read_catalogue(po, language):
            if message.id and translated(message) and not message.fuzzy:
                catalog[message.id] = Message(message.id, message.string, context=message.context)
    return catalog


def compile_catalogue(languages: Sequence[str] = LANGUAGES) -> list[Path]:
    """Compile each language's ``.po`` files into its one ``ssp_core.mo``; return those."""
    written = []
    for language in languages:
        buffer = io.BytesIO()
        write_mo(buffer, merged(language), use_fuzzy=False)
        path = _mo_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_bytes(buffer.getvalue())
        partial.replace(path)  # atomic: a reader never sees half a catalogue
        written.append(path)
    return written


def _forms(value: object) -> tuple[str, ...]:
    """Return a message id or translation as its forms: one, or singular and plurals."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)):
        return tuple(str(v or "") for v in value)
    return ("",)


def translated(message: Message) -> bool:
    """Tell whether every form of ``message`` has a translation."""
    return all(_forms(message.string))


def _fields(text: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def placeholder_problem(message: Message) -> str | None:
    """Return why a translation's ``{placeholders}`` differ from the English, or None."""
    english = _forms(message.id)
    translated = _forms(message.string)
    wanted = set().union(*(_fields(t) for t in english))
    for form in translated:
        extra = _fields(form) - wanted
        if extra:
            return f"placeholders {sorted(extra)} are not in the English {sorted(wanted)}"
    if set().union(*(_fields(t) for t in translated)) != wanted:
        return f"the translation must use the placeholders {sorted(wanted)}"
    return None


def _id_text(message_id: object) -> str:
    return _forms(message_id)[0]


def _problems_of(source: Path, language: str) -> Iterator[str]:
    template = extract(source)
    po = _po_path(language, source)
    where = po.relative_to(PACKAGE).as_posix()
    if not len(template):
        if po.exists():
            yield f"{where}: left over, {source.name} marks no message (run update)"
        return
    if not po.exists():
        yield f"{where}: missing; {source.name} marks {len(template)} messages (run update)"
        return
    yield from compare(where, template, read_catalogue(po, language))


def compare(where: str, template: Catalog, catalog: Catalog) -> Iterator[str]:
    """Say what ``catalog`` (the ``.po`` file ``where``) lacks against the messages wanted.

    A wanted message missing, fuzzy, untranslated or with other placeholders than
    the English; and a message kept that is no longer wanted.
    """
    for wanted in template:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, context=wanted.context)
        short = _id_text(wanted.id)[:60]
        if found is None:
            yield f"{where}: not in the catalogue: {short!r} (run update)"
        elif found.fuzzy:
            yield f"{where}: fuzzy, check and remove the flag: {short!r}"
        elif not translated(found):
            yield f"{where}: not translated: {short!r}"
        elif (problem := placeholder_problem(found)) is not None:
            yield f"{where}: {problem}: {short!r}"
    wanted_ids = {_id_text(m.id) for m in template if m.id}
    for kept in catalog:
        if kept.id and _id_text(kept.id) not in wanted_ids:
            yield f"{where}: no longer wanted: {_id_text(kept.id)[:60]!r} (run update)"


def _conflicts(language: str) -> Iterator[str]:
    """Say where one English message has two translations in two files (one must win)."""
    seen: dict[tuple[object, tuple[str, ...]], tuple[tuple[str, ...], str]] = {}
    for po in _po_files(language):
        where = po.relative_to(PACKAGE).as_posix()
        for message in read_catalogue(po, language):
            if not message.id or message.fuzzy or not translated(message):
                continue
            key = (message.context, _forms(message.id))
            text = _forms(message.string)
            first = seen.setdefault(key, (text, where))
            if first[0] != text:
                yield (
                    f"{where}: {_id_text(message.id)[:60]!r} is {text[0][:40]!r} here but "
                    f"{first[0][0][:40]!r} in {first[1]}: use one translation"
                )


def _compiled_problems(language: str) -> Iterator[str]:
    path = _mo_path(language)
    if not path.exists():
        yield f"{path.relative_to(PACKAGE)}: missing (run compile)"
        return
    with path.open("rb") as mo:
        compiled = {_forms(m.id): _forms(m.string) for m in read_mo(mo) if m.id}
    wanted = {_forms(m.id): _forms(m.string) for m in merged(language) if m.id}
    if compiled != wanted:
        yield f"{path.relative_to(PACKAGE)}: does not hold what the .po files say (run compile)"


def check(languages: Sequence[str] = LANGUAGES) -> list[str]:
    """Return every problem of the catalogues (empty when they are complete and compiled)."""
    problems: list[str] = []
    known = sources()
    for language in languages:
        for source in known:
            problems.extend(_problems_of(source, language))
        expected = {_po_path(language, s) for s in known}
        generated = PACKAGE / "i18n" / language / GENERATED  # ssp_core.cli.helptext's
        problems.extend(
            f"{po.relative_to(PACKAGE)}: no such source file"
            for po in _po_files(language)
            if po not in expected and generated not in po.parents
        )
        problems.extend(_conflicts(language))
        problems.extend(_compiled_problems(language))
    return problems


def _paths(arguments: Iterable[str]) -> list[Path]:
    return [Path(a) for a in arguments]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``update [FILE...]``, ``compile`` or ``check``; return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = arguments.pop(0) if arguments else ""
    if command == "update":
        for path in update(_paths(arguments)):
            print(path.relative_to(PACKAGE))  # noqa: T201 (a command-line tool)
        return 0
    if command == "compile":
        for path in compile_catalogue():
            print(path.relative_to(PACKAGE))  # noqa: T201
        return 0
    if command == "check":
        problems = check()
        for problem in problems:
            print(problem)  # noqa: T201
        return 1 if problems else 0
    print("usage: python -m ssp_core.i18n.catalogue update [FILE...] | compile | check")  # noqa: T201
    return 2


if __name__ == "__main__":
    sys.exit(main())
