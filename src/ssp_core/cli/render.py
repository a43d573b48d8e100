"""Rich renderings shared by the commands: a case's history and what actors may do next."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import attrs
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ssp_core.application.reads import CaseView
from ssp_core.domain.cases import Case
from ssp_core.domain.concerns import Observation
from ssp_core.domain.events import (
    ActivityLogged,
    AdviceRequested,
    Assigned,
    CaseEvent,
    CaseOpened,
    CaseResumed,
    CaseSuspended,
    ComingOfAgeAnnounced,
    ConsentGiven,
    ConsentWithdrawn,
    DeadlineExtended,
    DeadlineMissed,
    Disclosure,
    FactRecorded,
    FindingAssigned,
    FindingRecorded,
    MovedToMunicipality,
    NoteAdded,
    ObservationRecorded,
    OpenedFromAdvice,
    ResourceObserved,
    SessionRecorded,
    Transitioned,
    WalkPlanned,
    WorkflowMigrated,
)
from ssp_core.domain.labels import Language
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import UnknownId
from ssp_core.plugins.registry import Registry
from ssp_core.text import visible
from ssp_core.workflows.explain import GuardNotSatisfied, TriggerOption

__all__ = [
    "case_summary",
    "describe_event",
    "history_table",
    "inert",
    "listing",
    "options_table",
    "print_table",
]


def inert(text: object) -> str:
    """Return stored or typed text as rich markup that prints literally, controls written out."""
    return escape(visible(str(text)))


_TEXT_MIN = 12
"""The narrowest a column of free text gets: it wraps within it."""

_UNBOUNDED = 100_000
"""A width no table reaches: measured against it, a table shows its natural minimum."""

_WORD_MAX = 24
"""A word longer than this (a web address, say) may be folded in a column of free text."""


def listing(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    ids: Collection[str],
) -> Table:
    """Return a table whose columns named in ``ids`` are never cut or wrapped.

    Cells are rich markup (pass typed or stored text through :func:`inert`). An id
    column is as wide as its longest value; the other columns wrap between words, and
    are as wide as their longest word (at least ``_TEXT_MIN``, at most ``_WORD_MAX``).
    """
    cells = [list(row) for row in rows]
    table = Table(title=title)
    for index, name in enumerate(columns):
        texts = [Text.from_markup(row[index]).plain for row in cells]
        longest = max([len(name), *(len(line) for text in texts for line in text.split("\n"))])
        if name in ids:
            table.add_column(name, no_wrap=True, min_width=longest)
            continue
        # wide enough for its longest word (up to a limit), so words wrap whole
        word = max((len(w) for text in texts for w in text.split()), default=0)
        narrowest = min(longest, max(_TEXT_MIN, min(word, _WORD_MAX)))
        table.add_column(name, min_width=narrowest, overflow="fold")
    for row in cells:
        table.add_row(*row)
    return table


def print_table(table: Table, *, console: Console | None = None) -> None:
    """Print ``table`` at the terminal's width, or wider if its columns need it.

    Piped output is 80 columns wide by default; a table whose ids need more is printed
    wider rather than cut (a terminal then wraps the long lines).
    """
    base = console or Console(soft_wrap=False)
    # the narrowest the table can be drawn, its columns' minimums kept (measured unbounded)
    needed = Measurement.get(base, base.options.update(max_width=_UNBOUNDED), table).minimum
    if needed > base.width:
        # at its narrowest: text columns at their minimum, so rich's layout cannot widen one
        # of them beyond the width measured (and crop the last column)
        for column in table.columns:
            if not column.no_wrap:
                column.max_width = column.min_width
        base = Console(soft_wrap=False, width=needed, file=base.file)
    base.print(table)


def case_summary(view: CaseView) -> dict[str, object]:
    """Return a case as ``--json`` prints it: state, deadlines, facts, what may be done next."""
    case = view.case
    return {
        "id": case.id,
        "workflow": case.workflow,
        "workflow_version": case.workflow_version,
        "municipality": view.municipality,
        "state": case.state,
        "version": case.version,
        "assignee": case.assignee,
        "opened_at": case.opened_at,
        "on_hold": case.suspended_at is not None,
        "facts": case.facts,
        "sessions": case.sessions,
        "worry_signs_seen": [attrs.asdict(o) for o in view.worry_signs_seen],
        "resources_seen": [attrs.asdict(o) for o in view.resources_seen],
        "deadlines": [
            {"rule": d.rule, "due": d.due, "missed": d.missed, "on_hold": d.on_hold}
            for d in view.deadlines
        ],
        "instructions": [
            {
                "id": instruction.id,
                "da": instruction.labels.da,
                "en": instruction.labels.en,
                "sources": [str(source) for source in instruction.sources],
            }
            for instruction in view.instructions
        ],
        "turns_18_on": view.turns_18_on,
        "coming_of_age": view.coming_of_age.to_dict() if view.coming_of_age else None,
        "options": [
            {
                "trigger": o.trigger,
                "allowed": o.allowed,
                "reasons": [r.message for r in o.reasons],
                "notes": [n.message for n in o.notes],
            }
            for o in view.options
        ],
    }


def _activity(event: ActivityLogged) -> str:
    """Return an activity's record in one line: what, of which initiative, when, how many."""
    text = f"{event.activity_kind} of {event.initiative} on {event.held_on.isoformat()}"
    if event.participants is not None:
        text += f", {event.participants} took part"
    return text + (f": {event.description}" if event.description else "")


def _sign_label(registry: Registry, observation: Observation, language: Language) -> str:
    """Return the worry sign's label; a sign withheld from the reader (or gone) as it reads."""
    catalogue = registry.catalogues.get(observation.catalogue)
    try:
        _, sign = catalogue.sign(observation.sign) if catalogue is not None else (None, None)
    except UnknownId:
        sign = None
    return sign.labels.get(language) if sign is not None else observation.sign


def describe_event(
    event: CaseEvent, registry: Registry, language: Language = "en"
) -> tuple[str, str]:
    """Return a short name and a one-line description of ``event``."""
    return (
        _describe_case_event(event, registry, language)
        or _describe_other_event(event)
        or (type(event).__name__, "")
    )


def _describe_case_event(
    event: CaseEvent, registry: Registry, language: Language
) -> tuple[str, str] | None:
    """Describe the events of a case's course: opening, steps, facts, notes, people."""
    name, text = "", ""
    match event:
        case CaseOpened():
            name = "opened"
            text = (
                f"{event.workflow}@{event.workflow_version}, state {event.state}, "
                f"subject {event.subject.kind.value}"
            )
            if event.concern_date is not None:
                text += f", concern of {event.concern_date.isoformat()}"
        case Transitioned():
            name, text = "transition", f"{event.trigger}: {event.source} -> {event.dest}"
            text += f" ({event.reason})" if event.reason else ""
        case FactRecorded():
            name, text = "fact", event.fact + (f": {event.detail}" if event.detail else "")
        case ObservationRecorded() | ResourceObserved():
            obs = event.observation
            seen = f"seen by {obs.observed_by} on {obs.observed_on.isoformat()}"
            name = "observation" if isinstance(event, ObservationRecorded) else "resource"
            text = f"{_sign_label(registry, obs, language)}, {seen}"
            text += f": {obs.text}" if obs.text else ""
        case NoteAdded():
            name, text = "note", event.text
        case Disclosure():
            name = "disclosure"
            text = f"to {event.recipient} under {event.legal_basis}: {', '.join(event.categories)}"
        case Assigned():
            name, text = "assigned", event.assignee or "(nobody)"
        case SessionRecorded():
            people = f", {event.participants} present" if event.participants else ""
            name, text = "session", f"held {event.held_on.isoformat()}{people}"
            text += f": {event.note}" if event.note else ""
    return (name, text) if name else None


def _describe_other_event(event: CaseEvent) -> tuple[str, str] | None:
    """Describe holds, deadlines, advice, activities, walks, consent, moves and migrations."""
    name, text = "", ""
    match event:
        case CaseSuspended():
            name, text = "on hold", event.reason
        case CaseResumed():
            name, text = "resumed", event.reason or ""
        case DeadlineExtended():
            name, text = "extended", f"{event.rule} to {event.due.isoformat()}: {event.reason}"
        case DeadlineMissed():
            name, text = "missed", f"{event.rule} was due {event.due.isoformat()}"
        case ComingOfAgeAnnounced():
            name, text = "came of age", "the person turned 18; announced (the card stays)"
        case AdviceRequested():
            name = "advice requested"
            text = f"to {event.info_house}, asked as {event.asker_kind}: {event.question}"
        case OpenedFromAdvice():
            name, text = "from advice request", f"case {event.advice_request}"
        case ActivityLogged():
            name, text = "activity", _activity(event)
        case WalkPlanned():
            name = "walk planned"
            who = f"{len(event.participants)} partner(s)"
            who += f", {event.citizens} citizen(s)" if event.citizens else ""
            text = f"{event.locality} on {event.held_on.isoformat()}, {who}"
            text += f"; topics: {', '.join(event.topics)}" if event.topics else ""
            text += f": {event.note}" if event.note else ""
        case FindingRecorded():
            name = "finding"
            text = f"{event.category} at {event.place.description} (walk {event.walk})"
            text += f", for {event.responsible}" if event.responsible else ""
            text += f": {event.description}"
        case FindingAssigned():
            name, text = "finding assigned", event.partner
            text += f": {event.reason}" if event.reason else ""
        case ConsentGiven():
            consent = event.consent
            name = "consent given"
            text = f"on {consent.given_on.isoformat()} for {consent.scope}"
            text += f", to {', '.join(consent.recipients)}" if consent.recipients else ""
        case ConsentWithdrawn():
            name = "consent withdrawn"
            text = f"consent {event.consent_id} on {event.withdrawn_on.isoformat()}"
            text += f": {event.reason}" if event.reason else ""
        case MovedToMunicipality():
            name = "moved"
            text = (
                f"from {event.from_municipality or '(none)'} to {event.to_municipality} "
                f"under {event.legal_basis}: {event.reason}"
            )
        case WorkflowMigrated():
            name = "migrated"
            text = (
                f"version {event.from_version} -> {event.to_version}, "
                f"state {event.source} -> {event.dest}"
            )
    return (name, text) if name else None


def history_table(case: Case, registry: Registry, language: Language = "en") -> Table:
    """Return a table of the case's events, oldest first."""
    table = Table(
        title=inert(f"History of case {case.id} ({case.workflow}@{case.workflow_version})")
    )
    table.add_column("#", justify="right")
    table.add_column("time (UTC)", overflow="fold")
    table.add_column("actor (role)", overflow="fold")
    table.add_column("event", overflow="fold")
    table.add_column("details", overflow="fold")
    for event in case.events:
        name, details = describe_event(event, registry, language)
        table.add_row(
            str(event.version),
            event.at.strftime("%Y-%m-%d %H:%M"),
            inert(f"{event.actor}\n({event.role})"),
            inert(name),
            inert(details),
        )
    return table


def options_table(
    case: Case, options: Iterable[tuple[Actor, Iterable[TriggerOption]]], language: Language = "en"
) -> Table:
    """Return a table of what each actor may do next on the case, and why not.

    Triggers that do not start from the case's state are left out; triggers blocked
    only because the actor acts in another role are counted, not listed.
    """
    table = Table(
        title=inert(f"What each actor may do next on case {case.id} (state {case.state})")
    )
    table.add_column("actor (role)", overflow="fold")
    table.add_column("may do now", overflow="fold")
    table.add_column("blocked, and why", overflow="fold")
    for actor, actor_options in options:
        allowed: list[str] = []
        blocked: list[str] = []
        other_role = 0
        for option in actor_options:
            codes = {reason.code for reason in option.reasons}
            if option.allowed:
                allowed.append(
                    option.trigger + (" (reason required)" if option.requires_reason else "")
                )
            elif codes & {"wrong_state", "case_closed"}:
                continue
            elif "role_required" in codes:
                other_role += 1
            else:
                needs = [
                    reason.labels.get(language)
                    if isinstance(reason, GuardNotSatisfied)
                    else reason.message
                    for reason in option.reasons
                ]
                blocked.append(f"{option.trigger} needs: " + "; ".join(needs))
        if other_role:
            blocked.append(f"({other_role} more need another role)")
        table.add_row(
            inert(f"{actor.id}\n({actor.role})"),
            inert("\n".join(allowed) or "-"),
            inert("\n".join(blocked) or "-"),
        )
    return table
