"""``ssp case ...``: open, move, read and list cases in the store.

The module is longer than most (about 650 lines) because the ``case`` group has the
most commands; each parses, calls one use case and renders, and their shared
rendering lives in :mod:`ssp_core.cli.render`.
"""

from __future__ import annotations

import datetime as dt

import click
from rich.console import Console
from rich.table import Table

from ssp_core.application.reads import CaseView
from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.observe import observations_lines, observe_command, resource_command
from ssp_core.cli.options import (
    CURSOR,
    DATE,
    JSON_OPTION,
    PERSONAL_TEXT,
    acting,
    echo_json,
    plain,
    print_written,
    read_cpr,
)
from ssp_core.cli.progress import progress_bar, stderr_is_terminal
from ssp_core.cli.render import (
    case_summary,
    history_table,
    in_language,
    inert,
    listing,
    options_table,
    print_table,
    state_name,
)
from ssp_core.clock import local_date
from ssp_core.domain.labels import Labels
from ssp_core.domain.people import CaseSubject, Environment, Group, Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.i18n import _, label
from ssp_core.plugins.registry import Registry
from ssp_core.store.records import CaseCursor, CaseQuery, CaseRow
from ssp_core.workflows.explain import INSTRUCTION

__all__ = ["case"]


def _console() -> Console:
    return Console(soft_wrap=False)


def _print_case(view: CaseView, obj: Context, actor: Actor, *, as_json: bool) -> None:
    if as_json:
        echo_json(case_summary(view))
        return
    case = view.case
    registry = obj.casework().registry
    console = _console()
    state = inert(state_name(registry, case.workflow, case.state, case.workflow_version))
    if case.suspended_at is not None:
        state = f"{state} {inert(_('(on hold)'))}"
    values = {
        "case": f"[bold]{inert(case.id)}[/bold]",
        "workflow": inert(f"{case.workflow}@{case.workflow_version}"),
        "municipality": inert(view.municipality or ""),
        "state": f"[bold]{state}[/bold]",
        "version": case.version,
    }
    header = (
        _("{case} on {workflow}, municipality {municipality}: state {state}, version {version}")
        if view.municipality
        else _("{case} on {workflow}: state {state}, version {version}")
    )
    console.print(inert(header).format(**values), highlight=False)
    for instruction in view.instructions:
        console.print(f"  [bold red]{inert(label(instruction.labels))}[/bold red]")
        sources = "; ".join(str(source) for source in instruction.sources)
        console.print("    " + inert(_("source: {sources}").format(sources=sources)))
    for deadline in view.deadlines:
        missed = f" [red]{inert(_('(missed)'))}[/red]" if deadline.missed else ""
        due = _("due {day}: {what}").format(
            day=deadline.due.isoformat(), what=label(deadline.labels)
        )
        console.print(f"  {inert(due)}{missed}")
    if view.coming_of_age is not None:
        console.print(f"  [bold]{inert(label(view.coming_of_age.statement))}[/bold]")
    for line in observations_lines(view, registry):
        console.print(line)
    print_table(options_table(case, [(actor, view.options)], registry=registry), console=console)
    notes = dict.fromkeys(
        label(note.labels)
        for o in view.options
        for note in o.notes
        if note.code != INSTRUCTION  # shown above, with its source
    )
    for note in notes:
        console.print("  " + inert(_("note: {note}").format(note=note)))


def _rows_table(rows: list[CaseRow], registry: Registry) -> Table:
    columns = (_("case"), _("workflow"), _("state"), _("assignee"), _("next due"), _("opened"))
    return listing(
        inert(_("{n} case(s)").format(n=len(rows))),
        columns,
        (
            (
                inert(row.case_id),
                inert(f"{row.workflow}@{row.workflow_version}"),
                inert(
                    state_name(registry, row.workflow, row.state, row.workflow_version)
                    + (" " + _("(on hold)") if row.on_hold else "")
                ),
                inert(row.assignee or ""),
                row.next_due.isoformat() if row.next_due else "",
                row.opened_at.date().isoformat(),
            )
            for row in rows
        ),
        ids=(*columns[:2], *columns[3:]),
    )


def _subject(
    pseudonym: str | None,
    birth_date: dt.datetime | None,
    group: str | None,
    size: int | None,
    environment: str | None,
    *,
    cpr_stdin: bool = False,
    identifying: bool = False,
) -> CaseSubject | None:
    """Return the subject the options name, or ``None`` for a person read with --cpr-stdin."""
    given = [
        name
        for name, value in (
            ("--cpr-stdin", cpr_stdin),
            ("--pseudonym", pseudonym),
            ("--group", group),
            ("--environment", environment),
        )
        if value
    ]
    if len(given) != 1:
        raise DataError(
            _(
                "name exactly one subject: --cpr-stdin (a person, the CPR number read from "
                "standard input), --pseudonym with --birth-date, --group with --size, "
                "or --environment"
            )
        )
    if identifying and not cpr_stdin:
        raise DataError(
            _("--name and --contact go with --cpr-stdin only (into the identity vault)")
        )
    if cpr_stdin:
        if birth_date is not None:
            raise DataError(_("--birth-date is taken from the CPR number with --cpr-stdin"))
        return None
    if pseudonym:
        if birth_date is None:
            raise DataError(_("a person needs --birth-date (YYYY-MM-DD) with --pseudonym"))
        return Subject(pseudonym, birth_date.date())
    if group:
        if size is None:
            raise DataError(_("a group needs --size (how many people)"))
        return Group(group, Labels(da=group, en=group), size)
    assert environment is not None  # noqa: S101 (one of the four was given)
    return Environment(environment, Labels(da=environment, en=environment))


@click.group(cls=CommandGroup)
@click.pass_context
def case(ctx: click.Context) -> None:
    """Open, move, read and list cases in the store (--store, default the embedded file)."""
    obj = ctx.find_object(Context)
    if obj is not None:  # run on its own (as in tests), it speaks the context's language too
        ctx.with_resource(in_language(obj.language))


@case.command("open")
@click.option("--workflow", help="Open on this workflow (a track or card id).")
@click.option("--version", "workflow_version", type=int, help="Workflow version (default newest).")
@click.option("--situation", help="Open a concern: the card is chosen by situation and age.")
@click.option(
    "--concern-date",
    type=DATE,
    help="When the concern arose (a concern, or an action card named with --workflow).",
)
@click.option(
    "--outside-band",
    is_flag=True,
    help="Open the action card named with --workflow although the person's age is outside "
    "its age band (needs the operation case.open_outside_band and --reason; audited).",
)
@click.option(
    "--cpr-stdin",
    is_flag=True,
    help="Read the person's CPR number from standard input (one line; at a terminal, a "
    "hidden prompt) and enter them into the identity vault; never put it on the command line.",
)
@click.option(
    "--name",
    type=PERSONAL_TEXT,
    help="The person's name, kept sealed in the identity vault (--cpr-stdin).",
)
@click.option(
    "--contact",
    type=PERSONAL_TEXT,
    help="How to reach the person, kept sealed likewise (--cpr-stdin).",
)
@click.option("--pseudonym", help="The person's pseudonym (never a CPR number).")
@click.option("--birth-date", type=DATE, help="The person's birth date.")
@click.option("--group", help="A group's id, for group-oriented work.")
@click.option("--size", type=int, help="How many people the group has.")
@click.option("--environment", help="An environment's id, for group-oriented work.")
@click.option("--reason", type=PERSONAL_TEXT, help="Why the case is opened.")
@click.option(
    "--municipality",
    help="The municipality whose case it is (default: your role's, or the only one loaded).",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def open_command(
    obj: Context,
    workflow: str | None,
    workflow_version: int | None,
    situation: str | None,
    concern_date: dt.datetime | None,
    outside_band: bool,
    cpr_stdin: bool,
    name: str | None,
    contact: str | None,
    pseudonym: str | None,
    birth_date: dt.datetime | None,
    group: str | None,
    size: int | None,
    environment: str | None,
    reason: str | None,
    municipality: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Open a case: a concern (--situation) or a case on a workflow (--workflow).

    Name the subject with --cpr-stdin (a person, enrolled in the identity vault),
    --pseudonym with --birth-date, --group with --size, or --environment.
    """
    subject = _subject(
        pseudonym,
        birth_date,
        group,
        size,
        environment,
        cpr_stdin=cpr_stdin,
        identifying=name is not None or contact is not None,
    )
    if (workflow is None) == (situation is None):
        raise DataError(_("give either --situation (a concern) or --workflow, not both or neither"))
    if situation is not None and subject is not None and not isinstance(subject, Subject):
        raise DataError(
            _("a concern is about a person: give --cpr-stdin, or --pseudonym and --birth-date")
        )
    casework = obj.casework(create=True)
    concern_day = concern_date.date() if concern_date else None
    if subject is None:
        opened = casework.open_for_person(
            read_cpr,
            actor=actor,
            situation=situation,
            concern_date=concern_day,
            workflow=workflow,
            version=workflow_version,
            name=name,
            contact=contact,
            reason=reason,
            purpose=purpose,
            municipality=municipality,
            outside_band=outside_band,
        )
    elif situation is not None:
        assert isinstance(subject, Subject)  # noqa: S101 (checked above)
        opened = casework.open_concern(
            situation=situation,
            subject=subject,
            concern_date=concern_day or local_date(casework.clock.now()),
            actor=actor,
            reason=reason,
            purpose=purpose,
            municipality=municipality,
        )
    else:
        assert workflow is not None  # noqa: S101 (checked above)
        opened = casework.open_case(
            workflow=workflow,
            subject=subject,
            actor=actor,
            version=workflow_version,
            reason=reason,
            purpose=purpose,
            municipality=municipality,
            concern_date=concern_day,
            outside_band=outside_band,
        )
    _print_case(casework.view_of(opened, actor), obj, actor, as_json=as_json)


@case.command("fire")
@click.argument("case_id")
@click.argument("trigger")
@click.option("--reason", type=PERSONAL_TEXT, help="A written reason (some triggers require one).")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def fire_command(
    obj: Context,
    case_id: str,
    trigger: str,
    reason: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Fire TRIGGER on CASE_ID; a refusal changes nothing and says why."""
    casework = obj.casework()
    moved = casework.fire(case_id, trigger, actor, reason=reason, purpose=purpose)
    _print_case(casework.view_of(moved, actor), obj, actor, as_json=as_json)


@case.command("note")
@click.argument("case_id")
@click.argument("text", type=PERSONAL_TEXT)
@JSON_OPTION
@acting
@click.pass_obj
def note_command(
    obj: Context, case_id: str, text: str, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Add a note to CASE_ID."""
    casework = obj.casework()
    noted = casework.add_note(case_id, text, actor, purpose=purpose)
    line = _("{case}: note added (version {version})").format(case=noted.id, version=noted.version)
    print_written(casework, noted, actor, line, as_json=as_json)


@case.command("fact")
@click.argument("case_id")
@click.argument("fact")
@click.option("--detail", type=PERSONAL_TEXT, help="Details the fact asks for.")
@JSON_OPTION
@acting
@click.pass_obj
def fact_command(
    obj: Context,
    case_id: str,
    fact: str,
    detail: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record FACT on CASE_ID, e.g. children_services_notified."""
    casework = obj.casework()
    recorded = casework.record_fact(case_id, fact, actor, detail=detail, purpose=purpose)
    line = _("{case}: fact {fact} recorded (version {version})").format(
        case=recorded.id, fact=fact, version=recorded.version
    )
    print_written(casework, recorded, actor, line, as_json=as_json)


@case.command("assign")
@click.argument("case_id")
@click.argument("assignee", required=False, metavar="[ASSIGNEE]")
@click.option("--none", "unassign", is_flag=True, help="Take the case from whoever has it.")
@click.option("--reason", type=PERSONAL_TEXT, help="Why (kept sealed, like a note).")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@acting
@click.pass_obj
def assign_command(
    obj: Context,
    case_id: str,
    assignee: str | None,
    unassign: bool,
    reason: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Assign CASE_ID to ASSIGNEE (an actor id, e.g. eva.mentor), or take it back with --none.

    The assignee then sees the case, if a grant of their role covers assigned cases.
    """
    if (assignee is None) != unassign:
        raise DataError(_("name the ASSIGNEE (an actor id), or give --none to unassign; not both"))
    casework = obj.casework()
    assigned = casework.assign(case_id, assignee, actor, reason=reason, purpose=purpose)
    if as_json:
        _print_case(casework.view_of(assigned, actor), obj, actor, as_json=True)
        return
    if assigned.assignee:
        line = _("{case}: assigned to {assignee} (version {version})")
    else:
        line = _("{case}: unassigned (version {version})")
    click.echo(line.format(case=assigned.id, assignee=assigned.assignee, version=assigned.version))


@case.command("session")
@click.argument("case_id")
@click.option("--on", "held_on", type=DATE, help="The day it was held (default today).")
@click.option(
    "--participants",
    type=click.IntRange(min=1),
    help="How many took part, for a group's session.",
)
@click.option("--note", type=PERSONAL_TEXT, help="A note on the session (kept sealed).")
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@acting
@click.pass_obj
def session_command(
    obj: Context,
    case_id: str,
    held_on: dt.datetime | None,
    participants: int | None,
    note: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record a session held on CASE_ID, a prevention track (a mentor's or coach's meeting)."""
    casework = obj.casework()
    day = held_on.date() if held_on else local_date(casework.clock.now())
    recorded = casework.record_session(
        case_id, actor, held_on=day, participants=participants, note=note, purpose=purpose
    )
    if as_json:
        _print_case(casework.view_of(recorded, actor), obj, actor, as_json=True)
        return
    click.echo(
        _("{case}: session on {day} recorded ({n} in all; version {version})").format(
            case=recorded.id, day=day.isoformat(), n=recorded.sessions, version=recorded.version
        )
    )


@case.command("move")
@click.argument("case_id")
@click.option("--to", "to", required=True, help="The municipality the person moved to.")
@click.option("--legal-basis", required=True, help="The registered legal basis of the move.")
@click.option(
    "--reason",
    type=PERSONAL_TEXT,
    required=True,
    help="Why the case moves (kept sealed like a note).",
)
@JSON_OPTION
@acting
@click.pass_obj
def move_command(
    obj: Context,
    case_id: str,
    to: str,
    legal_basis: str,
    reason: str,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Move CASE_ID to another municipality (the person moved), on a legal basis."""
    casework = obj.casework()
    moved = casework.move_case(
        case_id, to, actor, legal_basis=legal_basis, reason=reason, purpose=purpose
    )
    line = _("{case}: moved to municipality {municipality} (version {version})").format(
        case=moved.id, municipality=to, version=moved.version
    )
    print_written(casework, moved, actor, line, as_json=as_json)


@case.command("suspend")
@click.argument("case_id")
@click.option("--reason", type=PERSONAL_TEXT, required=True, help="Why the case is put on hold.")
@JSON_OPTION
@acting
@click.pass_obj
def suspend_command(
    obj: Context, case_id: str, reason: str, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Put CASE_ID on hold: its deadlines stop running."""
    casework = obj.casework()
    held = casework.suspend(case_id, actor, reason=reason, purpose=purpose)
    line = _("{case}: on hold (version {version})").format(case=held.id, version=held.version)
    print_written(casework, held, actor, line, as_json=as_json)


@case.command("resume")
@click.argument("case_id")
@click.option("--reason", type=PERSONAL_TEXT, help="Why the case is resumed.")
@JSON_OPTION
@acting
@click.pass_obj
def resume_command(
    obj: Context, case_id: str, reason: str | None, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Take CASE_ID off hold; its due dates move by the business days on hold."""
    casework = obj.casework()
    resumed = casework.resume(case_id, actor, reason=reason, purpose=purpose)
    due = ", ".join(f"{d.rule} {d.due.isoformat()}" for d in resumed.due) or _("no deadlines")
    line = _("{case}: resumed; due: {due}").format(case=resumed.id, due=due)
    print_written(casework, resumed, actor, line, as_json=as_json)


@case.command("extend")
@click.argument("case_id")
@click.argument("rule")
@click.argument("due", type=DATE)
@click.option("--reason", type=PERSONAL_TEXT, required=True, help="Why the deadline is extended.")
@JSON_OPTION
@acting
@click.pass_obj
def extend_command(
    obj: Context,
    case_id: str,
    rule: str,
    due: dt.datetime,
    reason: str,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Move deadline RULE of CASE_ID to the later date DUE (YYYY-MM-DD)."""
    casework = obj.casework()
    extended = casework.extend_deadline(
        case_id, rule, due.date(), actor, reason=reason, purpose=purpose
    )
    line = _("{case}: {rule} now due {day}").format(
        case=extended.id, rule=rule, day=due.date().isoformat()
    )
    print_written(casework, extended, actor, line, as_json=as_json)


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def show_command(obj: Context, case_id: str, as_json: bool, actor: Actor, purpose: str) -> None:
    """Show CASE_ID: state, instructions (e.g. call 112 now), deadlines, what you may do next."""
    view = obj.casework().view(case_id, actor, purpose=purpose)
    _print_case(view, obj, actor, as_json=as_json)


@case.command("history")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="Export the events as JSON (audited).")
@acting
@click.pass_obj
def history_command(obj: Context, case_id: str, as_json: bool, actor: Actor, purpose: str) -> None:
    """Show the history of CASE_ID, oldest event first."""
    casework = obj.casework()
    if as_json:
        echo_json(casework.export(case_id, actor, purpose=purpose))
        return
    loaded = casework.case(case_id, actor, purpose=purpose)
    print_table(history_table(loaded, casework.registry), console=_console())


@case.command("list")
@click.option("--workflow", help="Only cases on this workflow.")
@click.option("--state", help="Only cases in this state.")
@click.option("--assignee", help="Only cases assigned to this actor id.")
@click.option("--open", "open_only", is_flag=True, help="Only cases not closed.")
@click.option("--overdue", is_flag=True, help="Only cases past a due date today.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many cases.")
@click.option(
    "--after",
    type=CURSOR,
    help="Only cases after this place in the list: the DUE/CASE_ID a page ended with.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def list_command(
    obj: Context,
    workflow: str | None,
    state: str | None,
    assignee: str | None,
    open_only: bool,
    overdue: bool,
    limit: int | None,
    after: CaseCursor | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """List cases from the case index, soonest due first (a page at a time with --limit).

    A full page ends with the cursor of its last case; give it to --after for the next
    page. With --json, the cursor of a row is its next_due (- for none), a slash and
    its case id.
    """
    casework = obj.casework()
    query = CaseQuery(
        workflow=workflow,
        state=state,
        assignee=assignee,
        open_only=open_only,
        due_before=local_date(casework.clock.now()) if overdue else None,
        after=after,
        limit=limit,
    )
    rows = casework.find(actor, query, purpose=purpose)
    if as_json:
        echo_json(rows)
        return
    console = _console()
    print_table(_rows_table(rows, casework.registry), console=console)
    if limit is not None and len(rows) == limit:
        console.print(
            inert(_("Next page: --after {cursor}").format(cursor=rows[-1].cursor)),
            soft_wrap=True,
        )


@case.command("overdue")
@click.option("--on", "day", type=DATE, help="Overdue on this day (default today).")
@click.option(
    "--record",
    is_flag=True,
    help="Record each newly missed deadline once and call the plugins' escalation hook.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def overdue_command(
    obj: Context,
    day: dt.datetime | None,
    record: bool,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """List the open cases past a due date (and with --record, escalate each miss once)."""
    casework = obj.casework()
    on = day.date() if day else local_date(casework.clock.now())
    recorded = casework.record_missed_deadlines(actor, on=on, purpose=purpose) if record else []
    rows = casework.overdue(actor, on=on, purpose=purpose)
    if as_json:
        echo_json(
            {
                "on": on,
                "cases": plain(rows),
                "recorded": [{"case": c.id, "rule": d.rule, "due": d.due} for c, d in recorded],
            }
        )
        return
    console = _console()
    print_table(_rows_table(rows, casework.registry), console=console)
    for missed_case, deadline in recorded:
        console.print(
            inert(
                _("recorded: {case} missed {rule} (due {day})").format(
                    case=missed_case.id, rule=deadline.rule, day=deadline.due.isoformat()
                )
            )
        )


@case.command("coming-of-age")
@click.option("--on", "day", type=DATE, help="As on this day (default today).")
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also list cases whose person turns 18 within this many days.",
)
@click.option(
    "--record",
    is_flag=True,
    help="Announce each case whose person has turned 18 once (an event, and the plugins' hook).",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def coming_of_age_command(
    obj: Context,
    day: dt.datetime | None,
    within: int,
    record: bool,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """List the open cases whose person, under 18 at the concern, turned or turns 18.

    The cases keep their card; nothing changes by itself. Only cases whose birth date
    you may read are listed.
    """
    casework = obj.casework()
    on = day.date() if day else local_date(casework.clock.now())
    recorded = casework.record_coming_of_age(actor, on=on, purpose=purpose) if record else []
    found = casework.coming_of_age(actor, on=on, within=within, purpose=purpose)
    if as_json:
        echo_json(
            {
                "on": on,
                "within": within,
                "cases": [item.to_dict() for item in found],
                "recorded": [
                    {"case": c.id, "turns_18_on": came.turns_18_on} for c, came in recorded
                ],
            }
        )
        return
    rows = []
    for item in found:
        row, came = item.row, item.coming_of_age
        if came.turned:
            status = _("turned, announced") if item.announced else _("turned")
        else:
            status = _("turns, announced") if item.announced else _("turns")
        rows.append(
            (
                inert(row.case_id),
                inert(f"{row.workflow}@{row.workflow_version}"),
                inert(state_name(casework.registry, row.workflow, row.state, row.workflow_version)),
                inert(row.assignee or ""),
                came.turns_18_on.isoformat(),
                inert(status),
            )
        )
    columns = (_("case"), _("workflow"), _("state"), _("assignee"), _("18 on"), "")
    title = _("{n} case(s) whose person turned or turns 18").format(n=len(found))
    table = listing(inert(title), columns, rows, ids=(*columns[:2], *columns[3:5]))
    console = _console()
    print_table(table, console=console)
    for came_case, came in recorded:
        console.print(
            inert(
                _("recorded: {case} came of age on {day} (stays on {workflow})").format(
                    case=came_case.id, day=came.turns_18_on.isoformat(), workflow=came_case.workflow
                )
            )
        )


@case.command("migrate")
@click.argument("workflow")
@click.option("--to-version", type=int, help="Target version (default: the newest).")
@click.option("--dry-run", is_flag=True, help="Only show the plan; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def migrate_command(
    obj: Context,
    workflow: str,
    to_version: int | None,
    dry_run: bool,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Move the running cases of WORKFLOW to a newer version (plan first with --dry-run)."""
    casework = obj.casework()
    plan = casework.plan_migration(workflow, actor, to_version=to_version, purpose=purpose)
    result = None
    if not dry_run:
        show = not as_json and stderr_is_terminal()
        with progress_bar(_("moving cases"), show=show) as progress:
            result = casework.migrate(plan, actor, purpose=purpose, progress=progress)
    if as_json:
        echo_json({"plan": plan, "result": result})
        return
    rows = [
        (
            *(inert(v) for v in (item.case_id, item.from_version)),
            inert(state_name(casework.registry, workflow, item.source, item.from_version)),
            inert(
                state_name(casework.registry, workflow, item.dest, plan.to_version)
                if item.dest
                else ""
            ),
            inert(item.problem or ""),
        )
        for item in plan.items
    ]
    columns = (_("case"), _("from"), _("state"), _("to state"), _("problem"))
    title = _("{workflow} -> version {version}: {n} running case(s)").format(
        workflow=workflow, version=plan.to_version, n=len(plan.items)
    )
    console = _console()
    print_table(listing(inert(title), columns, rows, ids=columns[:2]), console=console)
    if result is None:
        console.print(inert(_("dry run: nothing changed")))
    else:
        console.print(
            inert(
                _("migrated {migrated}, left alone {skipped}").format(
                    migrated=len(result.migrated), skipped=len(result.skipped)
                )
            )
        )
        for case_id, why in result.skipped:
            console.print(f"  {inert(case_id)}: {inert(why)}")


case.add_command(observe_command)
case.add_command(resource_command)
