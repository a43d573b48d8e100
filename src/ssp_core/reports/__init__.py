"""Reports as Markdown and HTML: safety walks, evaluations and the goal report.

A report's Markdown is rendered from a Jinja2 template in ``ssp_core/reports/templates``
(:mod:`ssp_core.reports.environment`), in which every value is escaped by
:func:`~ssp_core.reports.escaping.escape` unless the library made it as Markdown;
:func:`~ssp_core.reports.markdown.to_html` turns it into a standalone HTML page
(the template ``page.html.jinja``, autoescaped). The templates' fixed text is in the
message catalogue. Figures are files (PNG and SVG) written next to the report and
linked from it.
"""

from ssp_core.reports.escaping import escape, table
from ssp_core.reports.markdown import Report, to_html

__all__ = ["Report", "escape", "table", "to_html"]
