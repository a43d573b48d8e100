"""``ssp initiative ...``: log what an initiative did, list its activities, count them.

An activity names no one: partners are registered partners, the people who took part
are a number. Texts (the place, the description, a reason) are sealed like notes, and
one holding anything shaped like a CPR number or a pseudonym is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console

from ssp_core.application.activities import Activity
from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import DATE, PERSONAL_TEXT, acting, echo_json, plain
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.domain.access import RESEARCH
from ssp_core.domain.activities import ACTIVITY_GUIDANCE
from ssp_core.domain.labels import Labels
from ssp_core.domain.roles import Actor
from ssp_core.domain.strategy import CouncilTerm
from ssp_core.exceptions import DataError
from ssp_core.i18n import _
from ssp_core.walks.labels import state_text

__all__ = ["initiative"]

F = TypeVar("F", bound=Callable[..., Any])

_COUNT = click.IntRange(min=0)


def _console() -> Console:
    return Console(soft_wrap=False)


def _label(obj: Context, kind: str, item: str | None) -> str:
    """Return the label of a registered item (activity kind, partner, locality), or its id."""
    if item is None:
        return ""
    found = getattr(obj.registry, kind).get(item)
    return inert(found.labels.get(obj.language) if found is not None else item)


def _headcount(activity: Activity) -> str:
    if activity.participants is None:
        return ""
    if activity.young_people is None:
        return str(activity.participants)
    return _("{participants} ({young} young)").format(
        participants=activity.participants, young=activity.young_people
    )


def _print_activity(activity: Activity, obj: Context, *, as_json: bool) -> None:
    if as_json:
        echo_json(activity)
        return
    console = _console()
    state = state_text(obj.registry, activity.state, workflow=activity.workflow)
    console.print(
        _("{case}: {kind} of initiative {initiative} ({strategy}), state {state}").format(
            case=f"[bold]{inert(activity.case_id)}[/bold]",
            kind=_label(obj, "activity_kinds", activity.kind),
            initiative=inert(activity.initiative),
            strategy=inert(activity.strategy),
            state=f"[bold]{inert(state)}[/bold]",
        )
    )
    console.print(
        "  "
        + _("on {date}, logged by {actor}").format(
            date=activity.held_on.isoformat(), actor=inert(activity.logged_by)
        )
    )
    if activity.partners:
        partners = ", ".join(_label(obj, "partners", p) for p in activity.partners)
        console.print("  " + _("partners: {partners}").format(partners=partners))
    if activity.locality is not None or activity.place is not None:
        where = [_label(obj, "localities", activity.locality), inert(activity.place or "")]
        console.print("  " + _("where: {place}").format(place=", ".join(w for w in where if w)))
    if activity.participants is not None:
        console.print("  " + _("participants: {count}").format(count=inert(_headcount(activity))))
    if activity.description is not None:
        console.print("  " + _("description: {text}").format(text=inert(activity.description)))
    if activity.source is not None:
        console.print("  " + _("example: {example}").format(example=inert(activity.source)))


def _show(obj: Context, activity_id: str, actor: Actor, purpose: str, *, as_json: bool) -> None:
    found = obj.casework().activities.activity(activity_id, actor, purpose=purpose)
    _print_activity(found, obj, as_json=as_json)


def _json_option(command: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(
        command
    )


@click.group(cls=CommandGroup)
def initiative() -> None:
    """Log what an initiative did (its activities), list them and count them."""


@initiative.group("activity")
def activity() -> None:
    """One activity: log it, mark it held or cancelled, show it, import an example."""


@activity.command("log")
@click.argument("initiative_id", metavar="INITIATIVE")
@click.option("--kind", required=True, metavar="KIND", help="A registered activity kind.")
@click.option("--date", "held_on", type=DATE, required=True, help="The day (YYYY-MM-DD).")
@click.option(
    "--partner", "partners", multiple=True, metavar="PARTNER", help="A partner (repeatable)."
)
@click.option("--locality", metavar="ID", help="A registered locality.")
@click.option("--place", type=PERSONAL_TEXT, help="A place name (sealed like a note).")
@click.option("--participants", type=_COUNT, help="How many took part.")
@click.option("--young-people", type=_COUNT, help="How many of them were children or young people.")
@click.option(
    "--description", type=PERSONAL_TEXT, help="What happened, naming no one (sealed like a note)."
)
@click.option("--strategy", metavar="ID", help="The strategy (if several are registered).")
@click.option("--municipality", help="The municipality the activity belongs to (default yours).")
@_json_option
@acting
@click.pass_obj
def log_command(
    obj: Context,
    initiative_id: str,
    kind: str,
    held_on: dt.datetime,
    partners: tuple[str, ...],
    locality: str | None,
    place: str | None,
    participants: int | None,
    young_people: int | None,
    description: str | None,
    strategy: str | None,
    municipality: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Log an activity of INITIATIVE: what, when, with which partners, how many took part.

    Dated today or earlier it is held at once; later, it is planned until marked held
    (with the number of participants) or cancelled. No name, CPR number or anything
    else that identifies a person: the people who took part are a number.
    """
    casework = obj.casework(create=True)
    case = casework.activities.log(
        initiative_id,
        kind=kind,
        held_on=held_on.date(),
        actor=actor,
        partners=partners,
        locality=locality,
        place=place,
        participants=participants,
        young_people=young_people,
        description=description,
        strategy=strategy,
        purpose=purpose,
        municipality=municipality,
    )
    if not as_json:
        _console().print(
            inert(_("Logged. Remember: {guidance}.").format(guidance=_(ACTIVITY_GUIDANCE)))
        )
    _show(obj, case.id, actor, purpose, as_json=as_json)


@activity.command("held")
@click.argument("activity_id")
@click.option("--participants", type=_COUNT, help="How many took part.")
@click.option("--young-people", type=_COUNT, help="How many of them were children or young people.")
@_json_option
@acting
@click.pass_obj
def held_command(
    obj: Context,
    activity_id: str,
    participants: int | None,
    young_people: int | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Mark the planned activity ACTIVITY_ID held (on or after its day), with its head count."""
    obj.casework().activities.hold(
        activity_id,
        actor,
        participants=participants,
        young_people=young_people,
        purpose=purpose,
    )
    _show(obj, activity_id, actor, purpose, as_json=as_json)


@activity.command("cancel")
@click.argument("activity_id")
@click.option(
    "--reason", type=PERSONAL_TEXT, required=True, help="Why it is cancelled (sealed like a note)."
)
@_json_option
@acting
@click.pass_obj
def cancel_command(
    obj: Context, activity_id: str, reason: str, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Cancel the planned activity ACTIVITY_ID, saying why."""
    obj.casework().activities.cancel(activity_id, actor, reason=reason, purpose=purpose)
    _show(obj, activity_id, actor, purpose, as_json=as_json)


@activity.command("show")
@click.argument("activity_id")
@_json_option
@acting
@click.pass_obj
def show_command(obj: Context, activity_id: str, as_json: bool, actor: Actor, purpose: str) -> None:
    """Show one activity: what, when, with whom, where, how many, where it stands."""
    _show(obj, activity_id, actor, purpose, as_json=as_json)


@activity.command("import")
@click.argument("example", required=False)
@click.option(
    "--date",
    "held_on",
    type=DATE,
    help="The day it was held, for an example whose source gives none.",
)
@_json_option
@acting
@click.pass_obj
def import_command(
    obj: Context,
    example: str | None,
    held_on: dt.datetime | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Log the plugins' example activity EXAMPLE (without it, list the examples)."""
    registry = obj.registry
    if example is None:
        if as_json:
            echo_json([plain(p) for p in registry.example_activities.values()])
            return
        columns = (_("example"), _("initiative"), _("kind"), _("date"), _("from"))
        rows = [
            (
                inert(pid),
                inert(plan.initiative),
                _label(obj, "activity_kinds", plan.kind),
                plan.held_on.isoformat() if plan.held_on else inert(_("(none: give --date)")),
                inert(registry.example_activities.contributor(pid)),
            )
            for pid, plan in registry.example_activities.items()
        ]
        title = _("example activities ({command})").format(
            command="ssp initiative activity import EXAMPLE"
        )
        print_table(listing(inert(title), columns, rows, ids=(columns[0], columns[1], columns[4])))
        return
    case = obj.casework(create=True).activities.import_example(
        example, actor, held_on=held_on.date() if held_on else None, purpose=purpose
    )
    if case is None:
        if as_json:
            echo_json({"example": example, "imported": None})
        else:
            click.echo(
                _("example activity {example} is already in the store").format(example=example)
            )
        return
    _show(obj, case.id, actor, purpose, as_json=as_json)


@initiative.command("activities")
@click.argument("initiative_id", metavar="[INITIATIVE]", required=False)
@click.option("--from", "since", type=DATE, help="The first day (YYYY-MM-DD).")
@click.option("--to", "until", type=DATE, help="The last day (YYYY-MM-DD).")
@click.option("--strategy", metavar="ID", help="Only this strategy's activities.")
@_json_option
@acting
@click.pass_obj
def activities_command(
    obj: Context,
    initiative_id: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    strategy: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """List the activities you may read (of INITIATIVE, if given), by date."""
    found = obj.casework().activities.activities(
        actor,
        initiative=initiative_id,
        strategy=strategy,
        since=since.date() if since else None,
        until=until.date() if until else None,
        purpose=purpose,
    )
    if as_json:
        echo_json([plain(a) for a in found])
        return
    columns = (
        _("activity"),
        _("date"),
        _("initiative"),
        _("kind"),
        _("state"),
        _("participants"),
        _("partners"),
    )
    rows = [
        (
            inert(item.case_id),
            item.held_on.isoformat(),
            inert(item.initiative),
            _label(obj, "activity_kinds", item.kind),
            inert(state_text(obj.registry, item.state, workflow=item.workflow)),
            inert(_headcount(item)),
            ", ".join(_label(obj, "partners", p) for p in item.partners),
        )
        for item in found
    ]
    title = _("1 activity") if len(found) == 1 else _("{n} activities").format(n=len(found))
    print_table(listing(title, columns, rows, ids=(columns[0], columns[1], columns[2])))


@initiative.command("kinds")
@_json_option
@click.pass_obj
def kinds_command(obj: Context, as_json: bool) -> None:
    """List the kinds of activity the plugins register."""
    registry = obj.registry
    if as_json:
        echo_json([plain(k) for k in registry.activity_kinds.values()])
        return
    columns = (_("id"), _("label"), _("from"))
    rows = [
        (
            inert(kid),
            inert(kind.labels.get(obj.language)),
            inert(registry.activity_kinds.contributor(kid)),
        )
        for kid, kind in registry.activity_kinds.items()
    ]
    print_table(listing(_("activity kinds"), columns, rows, ids=(columns[0], columns[2])))


def _term(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check a council term given on the command line, e.g. 2022-2025 (a usage error if bad)."""
    if value is None:
        return None
    try:
        return str(CouncilTerm.parse(value))
    except DataError as exc:
        raise click.BadParameter(str(exc)) from None


@initiative.command("counts")
@click.argument("initiative_id", metavar="INITIATIVE")
@click.option("--from", "since", type=DATE, help="The first day of the period.")
@click.option("--to", "until", type=DATE, help="The last day of the period.")
@click.option("--term", callback=_term, metavar="TERM", help="A council term, e.g. 2022-2025.")
@click.option("--strategy", metavar="ID", help="The strategy (if several are registered).")
@_json_option
@acting(default_purpose=RESEARCH)
@click.pass_obj
def counts_command(
    obj: Context,
    initiative_id: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    term: str | None,
    strategy: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Count INITIATIVE's held activities per kind and year, as the goal report does.

    Counts from 1 to 4 are hidden (·). Needs report.evaluate; --purpose defaults to
    research.
    """
    if term is None and (since is None or until is None):
        raise click.UsageError(_("give the period: --from and --to, or --term"))
    if term is not None and (since is not None or until is not None):
        raise click.UsageError(_("give either --term or --from and --to, not both"))
    from ssp_core.evaluation.report import count_table  # noqa: PLC0415 (matplotlib: on use)

    casework = obj.casework()
    counts = casework.activities.counts(
        actor,
        initiative_id,
        since=since.date() if since else None,
        until=until.date() if until else None,
        term=term,
        strategy=strategy,
        purpose=purpose,
    )
    if as_json:
        echo_json(counts)
        return
    labels = _labels(obj)
    click.echo(
        _("Activities of {initiative} held {period}").format(
            initiative=initiative_id, period=counts.period.describe()
        )
    )
    for table in (counts.activities, counts.participants):
        if table is not None:
            click.echo("\n" + count_table(table, labels, obj.language))
    if counts.note is not None:
        click.echo("\n" + counts.note.get(obj.language))


def _labels(obj: Context) -> dict[str, Labels]:
    from ssp_core.evaluation.activities import PARTICIPANT_GROUPS  # noqa: PLC0415

    registry = obj.registry
    return {
        **{kid: kind.labels for kid, kind in registry.activity_kinds.items()},
        **PARTICIPANT_GROUPS,
    }
