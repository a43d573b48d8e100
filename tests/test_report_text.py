"""Issue 15: text in the Markdown and HTML reports is inert, whatever it holds (a property).

Anything a user typed (a finding's description, a walk's note, a label) goes through
``ssp_core.reports.escape``; the page built from it holds no tag, link or control
character that the text brought in, and building it never fails.
"""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_core.reports import escape, table
from ssp_core.reports.markdown import to_html

PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "p", "table", "thead", "tbody",
             "tr", "th", "td"}  # fmt: skip
"""The tags the page and a Markdown table make of their own."""

HOSTILE = st.sampled_from(
    ["<script>alert(1)</script>", "[link](https://evil.example)", "![x](y)", "**b**", "`c`",
     "| cell |", "\x1b[2J", "\x1b[8m", "<img src=x onerror=y>", "&amp;", "# head", "- item",
     "<!-- c -->", "\\", "\u202e", "javascript:x", "\n\n* list\n"]
)  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += attrs


def _parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.one_of(st.text(), HOSTILE), max_size=4).map("".join))
def test_escaped_text_renders_inert_in_markdown_and_html(text: str) -> None:
    cell = escape(text)
    assert "\n" not in cell
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in cell)
    markdown = f"Note: {cell}\n\n" + table(["what", "text"], [["finding", text], [text, "x"]])
    page = to_html(markdown, title=text, lang="da")
    parsed = _parsed(page)
    assert parsed.tags <= PAGE_TAGS, parsed.tags
    assert all(name in {"charset", "name", "content", "lang"} for name, _ in parsed.attributes)
    body = page.split("<body>", 1)[1]
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in body)
    assert "\x1b" not in page
