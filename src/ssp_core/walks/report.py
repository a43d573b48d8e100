"""The report of one safety walk, and the list of open findings across walks.

Both are Markdown, rendered from the templates ``walk.md.jinja`` and
``open_findings.md.jinja`` in ``ssp_core/reports/templates`` (every user text
escaped), and standalone HTML, built with :mod:`ssp_core.reports`. Their fixed text
is in the message catalogue and shown in the current language (or ``language``).
The walk report has a map of its findings where they have coordinates, and links
each point to OpenStreetMap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ssp_core.domain.labels import Language
from ssp_core.i18n import _, current_language, label
from ssp_core.i18n import language as _language
from ssp_core.plugins.registry import Registry
from ssp_core.reports import Report, escape, table
from ssp_core.reports.environment import Markdown, render
from ssp_core.walks.labels import label_of
from ssp_core.walks.map import finding_map
from ssp_core.walks.views import Finding, Walk

__all__ = ["open_findings_report", "walk_report"]

_NONE = "\N{EN DASH}"


def _state(registry: Registry, workflow: str, state: str) -> str:
    try:
        return label(registry.workflow(workflow).state(state).labels)
    except (KeyError, LookupError):
        return state


def _due(finding: Finding, today: dt.date) -> str:
    due = min((d.due for d in finding.due), default=None)
    if due is None:
        return _NONE
    if due < today:
        return _("{date} (overdue)").format(date=due.isoformat())
    return due.isoformat()


def _place(finding: Finding) -> str:
    point = finding.place.coordinates
    text = escape(finding.place.description)
    if point is None:
        return text
    url = (
        f"https://www.openstreetmap.org/?mlat={point.latitude:.5f}&mlon={point.longitude:.5f}"
        f"#map=17/{point.latitude:.5f}/{point.longitude:.5f}"
    )
    return f"{text} ([{point.latitude:.5f}, {point.longitude:.5f}]({url}))"


def _findings_table(
    findings: Sequence[Finding], registry: Registry, today: dt.date, finding_workflow: str
) -> Markdown:
    """Return the walk's findings as a Markdown table, each place linked to the map."""
    lang = current_language()
    headers = [
        "#",
        escape(_("Place")),
        escape(_("Category")),
        escape(_("Description")),
        escape(_("Responsible")),
        escape(_("State")),
        escape(_("Due")),
    ]
    # Cells are built here so the place can carry its (escaped text and) map link.
    rows = [
        "| "
        + " | ".join(
            [
                str(number),
                _place(f),
                escape(label_of(registry, "finding_categories", f.category, lang)),
                escape(f.description),
                escape(label_of(registry, "partners", f.responsible, lang)),
                escape(_state(registry, finding_workflow, f.state)),
                escape(_due(f, today)),
            ]
        )
        + " |"
        for number, f in enumerate(findings, start=1)
    ]
    return Markdown("\n".join([table(headers, []), *rows]))


def walk_report(
    walk: Walk,
    findings: Sequence[Finding],
    registry: Registry,
    folder: Path,
    *,
    language: Language | None = None,
    today: dt.date,
    finding_workflow: str = "core.safety_finding",
) -> Report:
    """Return the report of ``walk`` and its findings; the map is written into ``folder``.

    ``language`` is the report's language (default: the current language).
    """
    chosen = language or current_language()
    with _language(chosen):
        locality = label_of(registry, "localities", walk.locality, chosen)
        title = _("Safety walk: {locality}, {date}").format(
            locality=locality, date=walk.held_on.isoformat()
        )
        people = [label_of(registry, "partners", p, chosen) for p in walk.participants]
        if walk.citizens:
            people.append(_("{n} citizens").format(n=walk.citizens))
        figures: tuple[Path, ...] = ()
        if findings:
            figures = finding_map(
                findings,
                folder,
                f"walk-{walk.case_id}-map",
                title=_("Map of the findings: {locality}").format(locality=locality),
            )
        markdown = render(
            "walk.md.jinja",
            title=title,
            held_on=walk.held_on.isoformat(),
            state=_state(registry, walk.workflow, walk.state),
            participants=people,
            topics=[label_of(registry, "finding_categories", t, chosen) for t in walk.topics],
            note=walk.note,
            none=_NONE,
            findings=(
                _findings_table(findings, registry, today, finding_workflow) if findings else None
            ),
            map=Markdown(figures[1].name) if figures else None,
            without=sum(1 for f in findings if f.place.coordinates is None),
        )
    return Report(title=title, markdown=markdown, figures=figures, lang=chosen)


def open_findings_report(
    findings: Sequence[Finding],
    registry: Registry,
    *,
    language: Language | None = None,
    today: dt.date,
    finding_workflow: str = "core.safety_finding",
) -> Report:
    """Return the list of open findings across walks, the earliest due first."""
    chosen = language or current_language()
    with _language(chosen):
        title = _("Open findings across walks (as of {date})").format(date=today.isoformat())
        ordered = sorted(
            (f for f in findings if f.is_open),
            key=lambda f: (min((d.due for d in f.due), default=dt.date.max), f.case_id),
        )
        rows = [
            [
                f.case_id,
                label_of(registry, "localities", f.locality, chosen),
                f.place.description,
                label_of(registry, "finding_categories", f.category, chosen),
                label_of(registry, "partners", f.responsible, chosen),
                _state(registry, finding_workflow, f.state),
                _due(f, today),
            ]
            for f in ordered
        ]
        headers = [
            "#",
            escape(_("Locality")),
            escape(_("Place")),
            escape(_("Category")),
            escape(_("Responsible")),
            escape(_("State")),
            escape(_("Due")),
        ]
        markdown = render(
            "open_findings.md.jinja",
            title=title,
            findings=Markdown(table(headers, rows)) if rows else None,
        )
    return Report(title=title, markdown=markdown, lang=chosen)
