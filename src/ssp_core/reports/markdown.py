"""Build Markdown safely from user text, and turn it into a standalone HTML page.

Python-Markdown passes raw HTML through, so every piece of text that did not come
from the library itself (a place description, a partner's name, a finding) goes
through :func:`escape` first: a finding described as ``<script>`` stays text. The
page around the converted Markdown is the template ``page.html.jinja``, rendered
with HTML autoescaping.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import markdown as _markdown
from markupsafe import Markup

from ssp_core.files import private_file, private_folder
from ssp_core.reports.environment import render
from ssp_core.reports.escaping import escape, table
from ssp_core.text import visible

__all__ = ["Report", "escape", "table", "to_html"]

EXTENSIONS = ("tables", "attr_list")
"""The Python-Markdown extensions a report uses: tables, and ids on headings (``{#id}``)."""


def to_html(text: str, *, title: str, lang: str = "da") -> str:
    """Return the Markdown ``text`` as a standalone HTML page (tables and heading ids)."""
    body = _markdown.markdown(text, extensions=list(EXTENSIONS), output_format="html")
    return render(
        "page.html.jinja",
        lang=visible(lang),
        title=visible(title),
        body=Markup(body),  # noqa: S704 (made from escaped Markdown)
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
