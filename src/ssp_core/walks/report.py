"""The report of one safety walk, and the list of open findings across walks.

Both are Markdown (every user text escaped) and standalone HTML, built with
:mod:`ssp_core.reports`; the walk report has a map of its findings where they
have coordinates, and links each point to OpenStreetMap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ssp_core.domain.labels import Language
from ssp_core.plugins.registry import Registry
from ssp_core.reports import Report, escape, table
from ssp_core.walks.labels import label_of
from ssp_core.walks.map import finding_map
from ssp_core.walks.views import Finding, Walk

__all__ = ["open_findings_report", "walk_report"]

_NONE = "\N{EN DASH}"

_TEXT = {
    "da": {
        "walk": "Tryghedsvandring",
        "held": "Dato",
        "state": "Status",
        "participants": "Deltagere",
        "citizens": "borgere",
        "topics": "Emner",
        "note": "Note",
        "findings": "Fund",
        "none": "Ingen fund er registreret.",
        "place": "Sted",
        "category": "Kategori",
        "description": "Beskrivelse",
        "responsible": "Ansvarlig",
        "due": "Frist",
        "map": "Kort over fundene",
        "no_map": "Ingen fund har koordinater; der er intet kort.",
        "open": "Åbne fund på tværs af vandringer",
        "as_of": "Opgjort",
        "locality": "Område",
        "overdue": "overskredet",
        "by_state": "Fund efter status",
        "count": "Antal",
        "without": "uden koordinater",
    },
    "en": {
        "walk": "Safety walk",
        "held": "Date",
        "state": "State",
        "participants": "Participants",
        "citizens": "citizens",
        "topics": "Topics",
        "note": "Note",
        "findings": "Findings",
        "none": "No findings are recorded.",
        "place": "Place",
        "category": "Category",
        "description": "Description",
        "responsible": "Responsible",
        "due": "Due",
        "map": "Map of the findings",
        "no_map": "No finding has coordinates; there is no map.",
        "open": "Open findings across walks",
        "as_of": "As of",
        "locality": "Locality",
        "overdue": "overdue",
        "by_state": "Findings by state",
        "count": "Count",
        "without": "without coordinates",
    },
}


def _state(registry: Registry, workflow: str, state: str, language: Language) -> str:
    try:
        return registry.workflow(workflow).state(state).labels.get(language)
    except (KeyError, LookupError):
        return state


def _due(finding: Finding, today: dt.date, words: dict[str, str]) -> str:
    due = min((d.due for d in finding.due), default=None)
    if due is None:
        return _NONE
    return f"{due.isoformat()} ({words['overdue']})" if due < today else due.isoformat()


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


def walk_report(
    walk: Walk,
    findings: Sequence[Finding],
    registry: Registry,
    folder: Path,
    *,
    language: Language = "en",
    today: dt.date,
    finding_workflow: str = "core.safety_finding",
) -> Report:
    """Return the report of ``walk`` and its findings; the map is written into ``folder``."""
    words = _TEXT[language]
    locality = label_of(registry, "localities", walk.locality, language)
    title = f"{words['walk']}: {locality}, {walk.held_on.isoformat()}"
    people = [escape(label_of(registry, "partners", p, language)) for p in walk.participants]
    if walk.citizens:
        people.append(f"{walk.citizens} {words['citizens']}")
    lines = [
        f"# {escape(title)}",
        "",
        f"- **{words['held']}:** {walk.held_on.isoformat()}",
        f"- **{words['state']}:** {escape(_state(registry, walk.workflow, walk.state, language))}",
        f"- **{words['participants']}:** {', '.join(people) or _NONE}",
        f"- **{words['topics']}:** "
        + (
            ", ".join(
                escape(label_of(registry, "finding_categories", t, language)) for t in walk.topics
            )
            or _NONE
        ),
    ]
    if walk.note:
        lines.append(f"- **{words['note']}:** {escape(walk.note)}")
    lines += ["", f"## {words['findings']}", ""]
    figures: tuple[Path, ...] = ()
    if not findings:
        lines.append(words["none"])
    else:
        lines.append(
            table(
                [
                    "#",
                    words["place"],
                    words["category"],
                    words["description"],
                    words["responsible"],
                    words["state"],
                    words["due"],
                ],
                [],
            )
        )
        # Cells are built here so the place can carry its (escaped text and) map link.
        lines += [
            "| "
            + " | ".join(
                [
                    str(number),
                    _place(f),
                    escape(label_of(registry, "finding_categories", f.category, language)),
                    escape(f.description),
                    escape(label_of(registry, "partners", f.responsible, language)),
                    escape(_state(registry, finding_workflow, f.state, language)),
                    escape(_due(f, today, words)),
                ]
            )
            + " |"
            for number, f in enumerate(findings, start=1)
        ]
        figures = finding_map(
            findings, folder, f"walk-{walk.case_id}-map", title=f"{words['map']}: {locality}"
        )
        lines += ["", f"## {words['map']}", ""]
        if figures:
            missing = sum(1 for f in findings if f.place.coordinates is None)
            lines.append(f"![{words['map']}]({figures[1].name})")
            if missing:
                lines += ["", f"{missing} {words['findings'].lower()} {words['without']}."]
        else:
            lines.append(words["no_map"])
    return Report(title=title, markdown="\n".join(lines) + "\n", figures=figures, lang=language)


def open_findings_report(
    findings: Sequence[Finding],
    registry: Registry,
    *,
    language: Language = "en",
    today: dt.date,
    finding_workflow: str = "core.safety_finding",
) -> Report:
    """Return the list of open findings across walks, the earliest due first."""
    words = _TEXT[language]
    title = f"{words['open']} ({words['as_of']} {today.isoformat()})"
    ordered = sorted(
        (f for f in findings if f.is_open),
        key=lambda f: (min((d.due for d in f.due), default=dt.date.max), f.case_id),
    )
    rows = [
        [
            f.case_id,
            label_of(registry, "localities", f.locality, language),
            f.place.description,
            label_of(registry, "finding_categories", f.category, language),
            label_of(registry, "partners", f.responsible, language),
            _state(registry, finding_workflow, f.state, language),
            _due(f, today, words),
        ]
        for f in ordered
    ]
    headers = [
        "#",
        words["locality"],
        words["place"],
        words["category"],
        words["responsible"],
        words["state"],
        words["due"],
    ]
    body = table(headers, rows) if rows else words["none"]
    return Report(title=title, markdown=f"# {escape(title)}\n\n{body}\n", lang=language)
