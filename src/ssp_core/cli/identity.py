"""``ssp identity show|correct``: re-identify the person behind a case, or correct their entry.

Re-identification reads the CPR number, name and contact from the identity vault.
It must name its purpose on the command line (there is no default), and the
library writes it to the audit log with the actor, role and time.
"""

from __future__ import annotations

import sys

import click

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import acting, echo_json, stdin_is_terminal
from ssp_core.domain.roles import Actor
from ssp_core.i18n import _

__all__ = ["identity"]


@click.group(cls=CommandGroup)
def identity() -> None:
    """Re-identify the person behind a case from the identity vault, or correct it (audited)."""


@identity.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting(require_purpose=True)
@click.pass_obj
def show_command(obj: Context, case_id: str, as_json: bool, actor: Actor, purpose: str) -> None:
    """Show the CPR number, name and contact of the person CASE_ID is about.

    Needs a role granted identity.reidentify and an explicit --purpose
    (e.g. reidentification); every look-up is audited.
    """
    found = obj.casework().reidentify(case_id, actor, purpose=purpose)
    cpr = f"{found.cpr[:6]}-{found.cpr[6:]}"
    if as_json:
        echo_json({"case": case_id, "cpr": cpr, "name": found.name, "contact": found.contact})
        return
    click.echo(_("case: {case}").format(case=case_id))
    click.echo(_("cpr: {cpr}").format(cpr=cpr))
    click.echo(_("name: {name}").format(name=found.name or "-"))
    click.echo(_("contact: {contact}").format(contact=found.contact or "-"))


@identity.command("correct")
@click.argument("case_id")
@acting(require_purpose=True)
@click.pass_obj
def correct_command(obj: Context, case_id: str, actor: Actor, purpose: str) -> None:
    """Change the name and contact kept for the person CASE_ID is about (audited).

    Reads the name, then the contact, from standard input, one line each (an empty
    line clears it; at a terminal, it asks), so neither lands in the shell history
    or in the process list. Needs a role granted identity.correct on the case.
    """
    if stdin_is_terminal():
        name = str(click.prompt(_("name"), default="", show_default=False, err=True))
        contact = str(click.prompt(_("contact"), default="", show_default=False, err=True))
    else:
        lines = [*(sys.stdin.read().splitlines() if sys.stdin is not None else []), "", ""]
        name, contact = lines[0], lines[1]
    obj.casework().correct_identity(
        case_id, actor, name=name.strip() or None, contact=contact.strip() or None, purpose=purpose
    )
    click.echo(
        _("case {case}: the name and contact of its person were changed (audited)").format(
            case=case_id
        )
    )
