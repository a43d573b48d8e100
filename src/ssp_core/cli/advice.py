"""``ssp advice ...``: ask the INFO house for advice without naming anyone, and answer it."""

from __future__ import annotations

import datetime as dt

import click
from rich.console import Console

from ssp_core.application.advice import AdviceRequest
from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import DATE, PERSONAL_TEXT, acting, echo_json, plain, read_cpr
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.clock import local_date
from ssp_core.domain.advice import UNNAMED_GUIDANCE
from ssp_core.domain.people import Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.i18n import _
from ssp_core.walks.labels import state_text

__all__ = ["advice"]


def _console() -> Console:
    return Console(soft_wrap=False)


def _print_request(request: AdviceRequest, obj: Context, *, as_json: bool) -> None:
    if as_json:
        echo_json(request)
        return
    console = _console()
    house = obj.casework().registry.info_houses.get(request.info_house)
    name = house.labels.get(obj.language) if house is not None else request.info_house
    state = state_text(obj.registry, request.state, workflow=request.workflow)
    console.print(
        _("{case}: advice request to {house}, state {state}").format(
            case=f"[bold]{inert(request.case_id)}[/bold]",
            house=inert(name),
            state=f"[bold]{inert(state)}[/bold]",
        )
    )
    console.print(
        "  "
        + _("asked {date} by {actor} ({kind})").format(
            date=request.asked_at.date().isoformat(),
            actor=inert(request.asked_by),
            kind=inert(_asker(obj, request.asker_kind)),
        )
    )
    for due in request.due:
        line = _("advice due {date}").format(date=due.due.isoformat())
        missed = _("(missed)")
        missed = f" [red]{inert(missed)}[/red]" if due.missed else ""
        console.print(f"  {inert(line)}{missed}")
    console.print("  " + _("question: {text}").format(text=inert(request.question)))
    if request.advice is not None:
        console.print("  " + _("advice: {text}").format(text=inert(request.advice)))
    if request.concern is not None:
        console.print("  " + _("became concern: case {case}").format(case=inert(request.concern)))


def _asker(obj: Context, kind: str) -> str:
    """Return the kind of asker (a partner kind or a role) by its label; its id if unknown."""
    registry = obj.registry
    found = registry.partner_kinds.get(kind) or registry.roles.get(kind)
    return found.labels.get(obj.language) if found is not None else kind


def _show(obj: Context, request_id: str, actor: Actor, purpose: str, *, as_json: bool) -> None:
    request = obj.casework().advice.request(request_id, actor, purpose=purpose)
    _print_request(request, obj, as_json=as_json)


@click.group(cls=CommandGroup)
def advice() -> None:
    """Advice requests to the INFO house: a situation described without naming anyone."""


@advice.command("ask")
@click.argument("question", type=PERSONAL_TEXT)
@click.option("--situation", help="The kind of worry, a registered situation (optional).")
@click.option("--info-house", help="The INFO house to ask (if several serve you).")
@click.option("--municipality", help="The municipality the request belongs to (default yours).")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def ask_command(
    obj: Context,
    question: str,
    situation: str | None,
    info_house: str | None,
    municipality: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Ask the INFO house for advice: describe the situation in QUESTION, naming no one.

    No name, CPR number or anything else that identifies a person: a question with
    anything shaped like a CPR number or a pseudonym is refused and nothing is stored.
    If the INFO house finds the worry must be acted on, it opens a concern itself.
    """
    casework = obj.casework(create=True)
    opened = casework.advice.ask(
        question,
        actor,
        situation=situation,
        info_house=info_house,
        purpose=purpose,
        municipality=municipality,
    )
    request = casework.advice.request(opened.id, actor, purpose=purpose)
    if not as_json:
        _console().print(
            inert(_("Asked. Remember: {guidance}.").format(guidance=_(UNNAMED_GUIDANCE)))
        )
    _print_request(request, obj, as_json=as_json)


@advice.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only requests not closed.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def list_command(obj: Context, open_only: bool, as_json: bool, actor: Actor, purpose: str) -> None:
    """List the advice requests you may read: your own, or the INFO house's."""
    requests = obj.casework().advice.requests(actor, open_only=open_only, purpose=purpose)
    if as_json:
        echo_json([plain(r) for r in requests])
        return
    columns = (_("request"), _("asked"), _("by"), _("state"), _("advice due"), _("question"))
    rows = [
        (
            inert(request.case_id),
            request.asked_at.date().isoformat(),
            inert(_asker(obj, request.asker_kind)),
            inert(state_text(obj.registry, request.state, workflow=request.workflow)),
            ", ".join(d.due.isoformat() for d in request.due),
            inert(request.question),
        )
        for request in requests
    ]
    title = _("{n} advice request(s)").format(n=len(requests))
    print_table(listing(title, columns, rows, ids=(columns[0], columns[1], columns[4])))


@advice.command("show")
@click.argument("request_id")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def show_command(obj: Context, request_id: str, as_json: bool, actor: Actor, purpose: str) -> None:
    """Show one advice request: the question, the advice given, where it stands."""
    request = obj.casework().advice.request(request_id, actor, purpose=purpose)
    _print_request(request, obj, as_json=as_json)


@advice.command("answer")
@click.argument("request_id")
@click.argument("text", type=PERSONAL_TEXT)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def answer_command(
    obj: Context, request_id: str, text: str, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Give the INFO house's advice on REQUEST_ID (members of the INFO house only)."""
    casework = obj.casework()
    casework.advice.answer(request_id, text, actor, purpose=purpose)
    _show(obj, request_id, actor, purpose, as_json=as_json)


@advice.command("refer")
@click.argument("request_id")
@click.option(
    "--reason", type=PERSONAL_TEXT, required=True, help="Why the asker is referred to the police."
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def refer_command(
    obj: Context, request_id: str, reason: str, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Refer the asker to the police (members of the INFO house only)."""
    casework = obj.casework()
    casework.advice.refer_to_police(request_id, actor, reason=reason, purpose=purpose)
    _show(obj, request_id, actor, purpose, as_json=as_json)


@advice.command("close")
@click.argument("request_id")
@click.option("--reason", type=PERSONAL_TEXT, help="Why, if you want to say.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def close_command(
    obj: Context, request_id: str, reason: str | None, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Close an answered request: the advice was enough (members of the INFO house only)."""
    casework = obj.casework()
    casework.advice.close(request_id, actor, reason=reason, purpose=purpose)
    _show(obj, request_id, actor, purpose, as_json=as_json)


@advice.command("concern")
@click.argument("request_id")
@click.option("--situation", required=True, help="The situation that chooses the action card.")
@click.option("--cpr-stdin", is_flag=True, help="Read the person's CPR number from standard input.")
@click.option("--pseudonym", help="The person's pseudonym (never a CPR number).")
@click.option("--birth-date", type=DATE, help="The person's birth date (with --pseudonym).")
@click.option("--concern-date", type=DATE, help="The day of the concern (default today).")
@click.option("--reason", type=PERSONAL_TEXT, help="Why the concern is opened.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def concern_command(
    obj: Context,
    request_id: str,
    situation: str,
    cpr_stdin: bool,
    pseudonym: str | None,
    birth_date: dt.datetime | None,
    concern_date: dt.datetime | None,
    reason: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Turn REQUEST_ID into a concern on an action card (members of the INFO house only).

    Name the person now, and only on the concern: --cpr-stdin (pseudonymised at once,
    kept in the identity vault) or --pseudonym with --birth-date.
    """
    if cpr_stdin == (pseudonym is not None):
        raise DataError(_("name the person with --cpr-stdin, or --pseudonym and --birth-date"))
    casework = obj.casework()
    request = casework.advice.request(request_id, actor, purpose=purpose)
    if pseudonym is not None:
        if birth_date is None:
            raise DataError(_("a person needs --birth-date (YYYY-MM-DD) with --pseudonym"))
        subject = Subject(pseudonym, birth_date.date())
    else:
        if birth_date is not None:
            raise DataError(_("--birth-date is taken from the CPR number with --cpr-stdin"))
        subject = casework.enrol(
            read_cpr(), actor, purpose=purpose, municipality=request.municipality
        )
    day = concern_date.date() if concern_date else local_date(casework.clock.now())
    concern = casework.advice.open_concern(
        request_id,
        situation=situation,
        subject=subject,
        concern_date=day,
        actor=actor,
        reason=reason,
        purpose=purpose,
    )
    if as_json:
        echo_json({"request": request_id, "concern": concern.id, "workflow": concern.workflow})
        return
    state = state_text(casework.registry, concern.state, workflow=concern.workflow)
    _console().print(
        _("Advice request {request} became concern {case} on {workflow}, state {state}").format(
            request=inert(request_id),
            case=f"[bold]{inert(concern.id)}[/bold]",
            workflow=inert(f"{concern.workflow}@{concern.workflow_version}"),
            state=inert(state),
        )
    )
