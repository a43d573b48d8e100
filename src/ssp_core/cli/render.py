"""Rich renderings shared by the commands: a case's history and what actors may do next.

Every text here is in the current language (:mod:`ssp_core.i18n`); states, facts,
roles and the other things plugins name are shown by their labels, ids stay ids.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Iterable, Iterator, Sequence

import attrs
from rich.cells import cell_len
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
from ssp_core.i18n import N_, _, current_language, label, language, ngettext
from ssp_core.plugins.registry import Registry
from ssp_core.text import visible
from ssp_core.workflows.explain import GuardNotSatisfied, TriggerOption

__all__ = [
    "Listing",
    "actor_cell",
    "case_summary",
    "describe_event",
    "fact_name",
    "field_groups",
    "history_table",
    "in_language",
    "inert",
    "listing",
    "options_table",
    "print_table",
    "role_name",
    "state_name",
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

_ID_WORD = re.compile(r"^[(\[]*[\w-]+(?:[._@][\w-]+)+[)\],;:.]*$")
"""A word of free text that is an id (``aalborg.mosque_1``, ``close_unfounded:``): never cut."""


def _widest_word(texts: Iterable[str]) -> int:
    """Return the width a column of free text needs to fold none of its words it must not.

    A word up to ``_WORD_MAX`` wide, and an id (``aalborg.nordjyllands_politi``) of
    any width, is kept whole; a longer word of other text (a web address) may fold.
    """
    widest = 0
    for text in texts:
        for word in text.split():
            kept = len(word) if _ID_WORD.match(word) else min(len(word), _WORD_MAX)
            widest = max(widest, kept)
    return widest


class Listing(Table):
    """A table made by :func:`listing`: it keeps its headings and rows, to print as records.

    Where the table does not fit the terminal, :func:`print_table` prints each row as
    a record instead (as psql's expanded display does): its first cell as a heading,
    then one line per column, the column's name and the cell.
    """

    def __init__(self, title: str, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        super().__init__(title=title)
        self.headings: tuple[str, ...] = tuple(headings)
        self.cells: tuple[tuple[str, ...], ...] = tuple(tuple(row) for row in rows)
        self.least: list[int] = []
        """Each column's narrowest width: an id column's longest line, else its widest word."""
        self.most: list[int] = []
        """Each column's natural width: its longest line."""

    def widths_within(self, width: int) -> list[int] | None:
        """Return each column's width so the table is at most ``width`` wide; None if it cannot.

        Every column gets its least width; what is left is shared among the columns
        that would wrap, in proportion to how much each lacks of its natural width.
        """
        spare = width - (3 * len(self.headings) + 1)  # a border and a space each side
        spare -= sum(self.least)
        if spare < 0:
            return None
        widths = list(self.least)
        while spare > 0:
            lacking = {i: self.most[i] - w for i, w in enumerate(widths) if w < self.most[i]}
            if not lacking:
                break
            total = sum(lacking.values())
            for i, lack in lacking.items():
                given = min(lack, spare, max(1, spare * lack // total))
                widths[i] += given
                spare -= given
                if spare == 0:
                    break
        return widths


def listing(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    ids: Collection[str],
) -> Listing:
    """Return a table whose columns named in ``ids`` are never cut or wrapped.

    Cells are rich markup (pass typed or stored text through :func:`inert`). An id
    column is as wide as its longest value; the other columns wrap between words, and
    are as wide as their longest word (at least ``_TEXT_MIN``, at most ``_WORD_MAX``;
    an id in the text, such as ``aalborg.mosque_1``, is never folded whatever its width).
    """
    cells = [list(row) for row in rows]
    table = Listing(title, columns, cells)
    for index, name in enumerate(columns):
        texts = [Text.from_markup(row[index]).plain for row in cells]
        lines = (line for text in texts for line in text.split("\n"))
        longest = max([cell_len(name), *(cell_len(line) for line in lines)])
        table.most.append(longest)
        if name in ids:
            table.least.append(longest)
            table.add_column(name, no_wrap=True, min_width=longest)
            continue
        # wide enough for its longest word (up to a limit; ids whole), so words wrap whole
        narrowest = min(longest, max(_TEXT_MIN, _widest_word(texts)))
        table.least.append(narrowest)
        table.add_column(name, min_width=narrowest, overflow="fold")
    for row in cells:
        table.add_row(*row)
    return table


def _print_records(table: Listing, console: Console) -> None:
    """Print each row of ``table`` as a record: its first cell, then a line per column."""
    from rich.rule import Rule  # noqa: PLC0415 (only for a table too wide)

    if table.title:
        console.print(table.title, justify="center")
    for row in table.cells:
        first = Text.assemble(table.headings[0], " ", Text.from_markup(row[0]))
        console.print(Rule(first, align="left"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for heading, cell in zip(table.headings[1:], row[1:], strict=True):
            grid.add_row(escape(heading), cell)
        console.print(grid)


def print_table(table: Table, *, console: Console | None = None) -> None:
    """Print ``table`` at the terminal's width; a listing too wide for it, as records.

    Piped output is 80 columns wide by default. A listing is laid out here, every
    column at least its least width (ids whole, words unbroken), so it is never
    cropped; one that cannot fit is printed one record per row, each line within the
    width. Another table is printed wider rather than cut (a terminal then wraps the
    long lines).
    """
    base = console or Console(soft_wrap=False)
    if isinstance(table, Listing) and len(table.headings) > 1:
        widths = table.widths_within(base.width)
        if widths is None:
            _print_records(table, base)
            return
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        base.print(table)
        return
    # the narrowest the table can be drawn, its columns' minimums kept (measured unbounded)
    needed = Measurement.get(base, base.options.update(max_width=_UNBOUNDED), table).minimum
    if needed >= base.width:
        # at its narrowest: text columns at their minimum, so rich's layout cannot widen one
        # of them beyond the width measured (and crop the last column)
        for column in table.columns:
            if not column.no_wrap:
                column.max_width = column.min_width
        base = Console(soft_wrap=False, width=needed, file=base.file)
    base.print(table)


def case_summary(view: CaseView) -> dict[str, object]:
    """Return a case as ``--json`` prints it: state, deadlines, facts, what may be done next.

    It is data for scripts: ids, both languages of a label, reasons in English.
    """
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
        "options": _options_data(view),
    }


def _options_data(view: CaseView) -> list[dict[str, object]]:
    """Return what may be done next as ``--json`` prints it: reasons in English, as data."""
    with language("en"):
        return [
            {
                "trigger": o.trigger,
                "allowed": o.allowed,
                "reasons": [r.message for r in o.reasons],
                "notes": [n.message for n in o.notes],
            }
            for o in view.options
        ]


@contextlib.contextmanager
def in_language(lang: Language | None) -> Iterator[None]:
    """Render in ``lang`` inside the block; ``None`` keeps the current language."""
    with language(lang or current_language()):
        yield


def state_name(registry: Registry, workflow: str, state: str, version: int | None = None) -> str:
    """Return a state's label in the current language; its id if no workflow names it.

    The state is looked up in ``version`` of ``workflow``, else in its other versions
    (a case migrated since), newest first.
    """
    versions = sorted(
        (d for d in registry.workflows.values() if d.id == workflow),
        key=lambda d: (d.version != version, -d.version),
    )
    for definition in versions:
        with contextlib.suppress(KeyError):
            return label(definition.state(state).labels)
    return state


def fact_name(registry: Registry, workflow: str, fact: str, version: int | None = None) -> str:
    """Return what a fact says, in the current language; its id if no workflow names it."""
    with contextlib.suppress(UnknownId, KeyError):
        return label(registry.workflow(workflow, version).fact(fact).labels)
    with contextlib.suppress(UnknownId, KeyError):
        return label(registry.workflow(workflow).fact(fact).labels)
    return fact


def role_name(registry: Registry | None, role: str) -> str:
    """Return a role's label in the current language; its id if it is not registered."""
    found = registry.roles.get(role) if registry is not None else None
    return label(found.labels) if found is not None else role


def actor_cell(actor: str, role: str, registry: Registry | None = None) -> str:
    """Return a table cell (markup) naming an actor: the id, and below it the role's label."""
    return inert(f"{actor}\n{role_name(registry, role)}")


_FIELD_GROUPS = {
    "case": N_("case"),
    "subject": N_("subject"),
    "notes": N_("notes"),
    "observations": N_("observations"),
    "identity": N_("identity"),
}
"""The names of the field groups (English; shown translated)."""


def field_groups(groups: Iterable[str]) -> str:
    """Return field groups (``case``, ``notes``...) named in the current language, joined."""
    return ", ".join(_(_FIELD_GROUPS[g]) if g in _FIELD_GROUPS else g for g in groups)


_SUBJECT_KINDS = {
    "person": N_("a person"),
    "group": N_("a group"),
    "environment": N_("an environment"),
    "unnamed": N_("no one named"),
}
"""What a case is about, by subject kind (English; shown translated)."""


def _activity(event: ActivityLogged) -> str:
    """Return an activity's record in one line: what, of which initiative, when, how many."""
    values = {
        "kind": event.activity_kind,
        "initiative": event.initiative,
        "day": event.held_on.isoformat(),
        "text": event.description or "",
    }
    if event.participants is None:
        if event.description:
            return _("{kind} of {initiative} on {day}: {text}").format(**values)
        return _("{kind} of {initiative} on {day}").format(**values)
    values["n"] = str(event.participants)
    if event.description:
        return _("{kind} of {initiative} on {day}, {n} took part: {text}").format(**values)
    return _("{kind} of {initiative} on {day}, {n} took part").format(**values)


def _sign_label(registry: Registry, observation: Observation) -> str:
    """Return the worry sign's label; a sign withheld from the reader (or gone) as it reads."""
    catalogue = registry.catalogues.get(observation.catalogue)
    try:
        _found, sign = catalogue.sign(observation.sign) if catalogue is not None else (None, None)
    except UnknownId:
        sign = None
    return label(sign.labels) if sign is not None else observation.sign


def _with_text(text: str, more: str | None) -> str:
    """Return ``text``, followed by ``: more`` if there is more (a note, a reason)."""
    return f"{text}: {more}" if more else text


def describe_event(
    event: CaseEvent,
    registry: Registry,
    language: Language | None = None,
    *,
    workflow: str | None = None,
) -> tuple[str, str]:
    """Return a short name and a one-line description of ``event``, in ``language``.

    ``workflow`` (the case's workflow id) lets states and facts be named by their
    labels; without it a state or fact is named by its id, unless the event names
    its workflow itself. The language defaults to the current one.
    """
    with in_language(language):
        on = workflow or (event.workflow if isinstance(event, CaseOpened) else None)
        return (
            _describe_case_event(event, registry, on)
            or _describe_other_event(event, registry, on)
            or (type(event).__name__, "")
        )


def _state(registry: Registry, workflow: str | None, state: str) -> str:
    return state_name(registry, workflow, state) if workflow else state


def _describe_case_event(
    event: CaseEvent, registry: Registry, workflow: str | None
) -> tuple[str, str] | None:
    """Describe the events of a case's course: opening, steps, facts, notes, people."""
    name, text = "", ""
    match event:
        case CaseOpened():
            name = _("opened")
            kind = event.subject.kind.value
            values = {
                "version": event.workflow_version,
                "state": state_name(registry, event.workflow, event.state, event.workflow_version),
                "subject": _(_SUBJECT_KINDS[kind]) if kind in _SUBJECT_KINDS else kind,
            }
            if event.concern_date is not None:
                text = _(
                    "version {version}, state: {state}, about {subject}, concern of {day}"
                ).format(**values, day=event.concern_date.isoformat())
            else:
                text = _("version {version}, state: {state}, about {subject}").format(**values)
        case Transitioned():
            name = _("step")
            source = _state(registry, workflow, event.source)
            text = f"{event.trigger}: {source} -> {_state(registry, workflow, event.dest)}"
            text += f" ({event.reason})" if event.reason else ""
        case FactRecorded():
            said = fact_name(registry, workflow, event.fact) if workflow else event.fact
            shown = f"{said} ({event.fact})" if said != event.fact else event.fact
            name, text = _("fact"), _with_text(shown, event.detail)
        case ObservationRecorded() | ResourceObserved():
            obs = event.observation
            name = _("worry sign") if isinstance(event, ObservationRecorded) else _("resource")
            text = _with_text(
                _("{sign}, seen by {who} on {day}").format(
                    sign=_sign_label(registry, obs),
                    who=obs.observed_by,
                    day=obs.observed_on.isoformat(),
                ),
                obs.text,
            )
        case NoteAdded():
            name, text = _("note"), event.text
        case Disclosure():
            name = _("disclosure")
            basis = registry.legal_bases.get(event.legal_basis)
            text = _("to {recipient} under {basis}: {categories}").format(
                recipient=event.recipient,
                basis=basis.citation if basis is not None else event.legal_basis,
                categories=field_groups(event.categories),
            )
        case Assigned():
            name, text = _("assigned"), event.assignee or _("(nobody)")
        case SessionRecorded():
            name = _("session")
            day = event.held_on.isoformat()
            if event.participants:
                held = ngettext(
                    "held {day}, {n} present", "held {day}, {n} present", event.participants
                ).format(day=day, n=event.participants)
            else:
                held = _("held {day}").format(day=day)
            text = _with_text(held, event.note)
    return (name, text) if name else None


def _describe_other_event(
    event: CaseEvent, registry: Registry, workflow: str | None
) -> tuple[str, str] | None:
    """Describe holds, deadlines, advice, activities, walks, consent, moves and migrations."""
    name, text = "", ""
    match event:
        case CaseSuspended():
            name, text = _("on hold"), event.reason
        case CaseResumed():
            name, text = _("resumed"), event.reason or ""
        case DeadlineExtended():
            name = _("deadline extended")
            text = _("{rule} to {day}: {reason}").format(
                rule=event.rule, day=event.due.isoformat(), reason=event.reason
            )
        case DeadlineMissed():
            name = _("deadline missed")
            text = _("{rule} was due {day}").format(rule=event.rule, day=event.due.isoformat())
        case ComingOfAgeAnnounced():
            name = _("came of age")
            text = _("the person turned 18; announced (the card stays)")
        case AdviceRequested():
            name = _("advice requested")
            text = _("to {house}, asked as {kind}: {question}").format(
                house=event.info_house, kind=event.asker_kind, question=event.question
            )
        case OpenedFromAdvice():
            name = _("from advice request")
            text = _("case {case}").format(case=event.advice_request)
        case ActivityLogged():
            name, text = _("activity"), _activity(event)
        case WalkPlanned():
            name, text = _("walk planned"), _walk_planned(event, registry)
        case FindingRecorded():
            name = _("finding")
            category = registry.finding_categories.get(event.category)
            values = {
                "category": label(category.labels) if category else event.category,
                "place": event.place.description,
                "walk": event.walk,
                "partner": event.responsible or "",
            }
            where = (
                _("{category} at {place} (walk {walk}), for {partner}")
                if event.responsible
                else _("{category} at {place} (walk {walk})")
            )
            text = _with_text(where.format(**values), event.description)
        case FindingAssigned():
            name, text = _("finding assigned"), _with_text(event.partner, event.reason)
        case ConsentGiven():
            consent = event.consent
            name = _("consent given")
            values = {
                "day": consent.given_on.isoformat(),
                "scope": consent.scope,
                "recipients": ", ".join(consent.recipients),
            }
            text = (
                _("on {day} for {scope}, to {recipients}")
                if consent.recipients
                else _("on {day} for {scope}")
            ).format(**values)
        case ConsentWithdrawn():
            name = _("consent withdrawn")
            text = _with_text(
                _("consent {consent} on {day}").format(
                    consent=event.consent_id, day=event.withdrawn_on.isoformat()
                ),
                event.reason,
            )
        case MovedToMunicipality():
            name = _("moved")
            text = _("from {source} to {dest} under {basis}: {reason}").format(
                source=event.from_municipality or _("(none)"),
                dest=event.to_municipality,
                basis=event.legal_basis,
                reason=event.reason,
            )
        case WorkflowMigrated():
            name = _("migrated")
            text = _("version {old} -> {new}, state {source} -> {dest}").format(
                old=event.from_version,
                new=event.to_version,
                source=_state(registry, workflow, event.source),
                dest=_state(registry, workflow, event.dest),
            )
    return (name, text) if name else None


def _walk_planned(event: WalkPlanned, registry: Registry) -> str:
    """Return a walk's plan in one line: where, when, who, which topics."""
    locality = registry.localities.get(event.locality)
    partners = len(event.participants)
    values = {
        "place": label(locality.labels) if locality else event.locality,
        "day": event.held_on.isoformat(),
        "n": partners,
        "citizens": event.citizens,
    }
    text = ngettext(
        "{place} on {day}, {n} partner", "{place} on {day}, {n} partners", partners
    ).format(**values)
    if event.citizens:
        text = ngettext(
            "{place} on {day}, {n} partner(s), {citizens} citizen",
            "{place} on {day}, {n} partner(s), {citizens} citizens",
            event.citizens,
        ).format(**values)
    if event.topics:
        names = []
        for topic in event.topics:
            category = registry.finding_categories.get(topic)
            names.append(label(category.labels) if category else topic)
        text = _("{text}; topics: {topics}").format(text=text, topics=", ".join(names))
    return _with_text(text, event.note)


def history_table(case: Case, registry: Registry, language: Language | None = None) -> Table:
    """Return a table of the case's events, oldest first (print it with :func:`print_table`).

    Ids (the actor's, the triggers) are never cut; the descriptions wrap.
    """
    with in_language(language):
        rows = []
        for event in case.events:
            name, details = describe_event(event, registry, workflow=case.workflow)
            what = f"[bold]{inert(name)}[/bold]"
            rows.append(
                (
                    str(event.version),
                    event.at.strftime("%Y-%m-%d\n%H:%M"),
                    actor_cell(event.actor, event.role, registry),
                    f"{what}: {inert(details)}" if details else what,
                )
            )
        title = _("History of case {case} ({workflow})").format(
            case=case.id, workflow=f"{case.workflow}@{case.workflow_version}"
        )
        columns = ("#", _("time (UTC)"), _("actor (role)"), _("event"))
        table = listing(inert(title), columns, rows, ids=columns[:3])
        table.columns[0].justify = "right"
        return table


def options_table(
    case: Case,
    options: Iterable[tuple[Actor, Iterable[TriggerOption]]],
    language: Language | None = None,
    *,
    registry: Registry | None = None,
) -> Table:
    """Return a table of what each actor may do next on the case, and why not.

    Triggers that do not start from the case's state are left out; triggers blocked
    only because the actor acts in another role are counted, not listed. A trigger
    that needs a written reason is marked ``*``. With ``registry``, the state and the
    roles are named by their labels. Print it with :func:`print_table`.
    """
    with in_language(language):
        rows = []
        marked = False
        for actor, actor_options in options:
            allowed: list[str] = []
            blocked: list[str] = []
            other_role = 0
            for option in actor_options:
                codes = {reason.code for reason in option.reasons}
                if option.allowed:
                    allowed.append(option.trigger + (" *" if option.requires_reason else ""))
                    marked = marked or option.requires_reason
                elif codes & {"wrong_state", "case_closed"}:
                    continue
                elif "role_required" in codes:
                    other_role += 1
                else:
                    needs = [
                        label(reason.labels)
                        if isinstance(reason, GuardNotSatisfied)
                        else reason.message
                        for reason in option.reasons
                    ]
                    blocked.append(
                        _("{trigger} needs: {reasons}").format(
                            trigger=option.trigger, reasons="; ".join(needs)
                        )
                    )
            if other_role:
                blocked.append(
                    ngettext(
                        "({n} more needs another role)",
                        "({n} more need another role)",
                        other_role,
                    ).format(n=other_role)
                )
            rows.append(
                (
                    actor_cell(actor.id, actor.role, registry),
                    inert("\n".join(allowed) or "-"),
                    inert("\n".join(blocked) or "-"),
                )
            )
        state = (
            state_name(registry, case.workflow, case.state, case.workflow_version)
            if (registry is not None)
            else case.state
        )
        title = _("What each actor may do next on case {case} (state: {state})").format(
            case=case.id, state=state
        )
        columns = (_("actor (role)"), _("may do now"), _("blocked, and why"))
        table = listing(inert(title), columns, rows, ids=columns[:2])
        if marked:
            table.caption = inert(_("* only with a written reason (--reason)"))
        return table
