"""Reports as Markdown and HTML: safety walks, evaluations and the goal report.

A report is written as Markdown, with every piece of user text escaped by
:func:`~ssp_core.reports.markdown.escape`, and turned into a standalone HTML page
by :func:`~ssp_core.reports.markdown.to_html`. Figures are files (PNG and SVG)
written next to the report and linked from it.
"""

from ssp_core.reports.markdown import Report, escape, table, to_html

__all__ = ["Report", "escape", "table", "to_html"]
