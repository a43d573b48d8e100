"""Build Markdown safely from user text, and turn it into a standalone HTML page.

Python-Markdown passes raw HTML through, so every piece of text that did not come
from the library itself (a place description, a partner's name, a finding) goes
through :func:`escape` first: a finding described as ``<script>`` stays text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs
import markdown as _markdown

from ssp_core.files import private_file, private_folder
from ssp_core.text import visible

__all__ = ["Report", "escape", "table", "to_html"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def escape(text: object) -> str:
    r"""Return ``text`` as Markdown that renders literally: no markup, no raw HTML.

    HTML's ``<``, ``>`` and ``&`` become entities and Markdown's inline markup
    (emphasis, code, links, table bars) is backslash-escaped; line breaks become
    spaces, so a value never breaks a table or starts a block of its own; control
    characters are written out (``\x1b``), so a report shown in a terminal is inert too.
    """
    plain = visible(" ".join(str(text).split()))
    return _SPECIAL.sub(r"\\\1", html.escape(plain, quote=False))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a Markdown table; headers are the library's own text, cells are escaped."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(" --- " for _ in headers) + "|",
    ]
    lines.extend("| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1b1b1b; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #bbb; padding: .25rem .6rem; text-align: left;
          vertical-align: top; }}
th {{ background: #eef1f4; }}
img {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def to_html(text: str, *, title: str, lang: str = "da") -> str:
    """Return the Markdown ``text`` as a standalone HTML page (tables supported)."""
    body = _markdown.markdown(text, extensions=["tables"], output_format="html")
    return _PAGE.format(
        lang=html.escape(visible(lang)), title=html.escape(visible(title)), body=body
    )


@attrs.frozen
class Report:
    """A finished report: its title and Markdown, and the figure files it links to."""

    title: str
    markdown: str
    figures: tuple[Path, ...] = ()
    lang: str = "da"

    def html(self) -> str:
        """Return the report as a standalone HTML page."""
        return to_html(self.markdown, title=self.title, lang=self.lang)

    def write(self, folder: Path, stem: str) -> tuple[Path, Path]:
        """Write ``stem.md`` and ``stem.html`` into ``folder``; return both paths."""
        private_folder(folder)
        md = private_file(folder / f"{stem}.md")
        page = private_file(folder / f"{stem}.html")
        md.write_text(self.markdown, encoding="utf-8")
        page.write_text(self.html(), encoding="utf-8")
        return md, page
