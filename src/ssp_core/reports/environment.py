"""The Jinja2 environments reports are rendered with: Markdown (escaped) and HTML (autoescaped).

The templates are in ``ssp_core/reports/templates``; their fixed text is marked for
the message catalogue (``{{ _("Goals") }}``, ``{% trans %}``) and shown in the
current language (:func:`ssp_core.i18n.language`).

In a Markdown template every ``{{ value }}`` is escaped as Markdown by
:func:`~ssp_core.reports.markdown.escape` (HTML's ``<`` and ``&`` become entities,
Markdown's inline markup is backslash-escaped, line breaks become spaces), unless
the value is :class:`Markdown`: text the library made itself (a table, a link, an
anchor). A label that a plugin, a file or a user wrote can therefore not add
markup, whether the template says ``|md`` or forgets to. The HTML environment
autoescapes as HTML.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from ssp_core.i18n import gettext, ngettext
from ssp_core.reports.escaping import escape

__all__ = [
    "Markdown",
    "anchor",
    "heading_id",
    "html_environment",
    "markdown_environment",
    "md",
    "render",
]


class Markdown(str):
    """Markdown that the library made itself (a table, a link, an anchor): printed as it is."""

    __slots__ = ()


def md(value: object) -> Markdown:
    """Return ``value`` escaped as Markdown (the ``md`` filter); Markdown stays as it is."""
    if isinstance(value, Markdown):
        return value
    return Markdown(escape(value))


def _finalize(value: object) -> object:
    """Escape what a Markdown template prints, unless it is :class:`Markdown` already."""
    if value is None:
        return ""
    return md(value)


_NOT_IN_ID = re.compile(r"[^A-Za-z0-9-]+")


def anchor(*parts: str) -> Markdown:
    """Return a heading id made of ``parts`` (ids): letters, digits and hyphens only."""
    return Markdown("-".join(_NOT_IN_ID.sub("-", part).strip("-") for part in parts).lower())


def heading_id(anchor_id: str) -> Markdown:
    """Return the attribute list that gives a heading the id ``anchor_id`` (``{#id}``)."""
    return Markdown(f"{{#{anchor(anchor_id)}}}")


def _environment(**options: Any) -> Environment:
    environment = Environment(  # noqa: S701 (Markdown: escaped by finalize; HTML: autoescape)
        loader=PackageLoader("ssp_core.reports", "templates"),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    # install_gettext_callables is added to the environment by the i18n extension.
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True
    )
    environment.filters["md"] = md
    environment.filters["heading_id"] = heading_id
    return environment


@functools.cache
def markdown_environment() -> Environment:
    """Return the environment of the Markdown templates (every printed value escaped)."""
    return _environment(autoescape=False, finalize=_finalize)


@functools.cache
def html_environment() -> Environment:
    """Return the environment of the HTML templates (autoescaped as HTML)."""
    return _environment(autoescape=True)


def render(template: str, **context: Any) -> str:
    """Render the template named ``template`` (``*.md.jinja`` or ``*.html.jinja``)."""
    environment = html_environment() if template.endswith(".html.jinja") else markdown_environment()
    return environment.get_template(template).render(**context)
