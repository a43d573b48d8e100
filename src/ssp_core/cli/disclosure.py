"""``ssp disclose``, ``ssp consent`` and ``ssp disclosures``: share case information lawfully.

A disclosure names its recipient (a registered partner), its legal basis (e.g.
Retsplejeloven § 115, stk. 2), the data categories shared and, where it rests on
consent, the id of a consent recorded on the case with ``ssp consent give``. The
library refuses a disclosure that no rule of its basis covers (this discloser,
recipient, subject and data) or beyond what the recipient's kind may receive, and
names the closest rule and what it lacks; the refusal is audited and nothing is
shared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from rich.table import Table

from ssp_core.application.disclosure import DisclosureEntry
from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import (
    DATE,
    JSON_OPTION,
    PERSONAL_TEXT,
    acting,
    echo_json,
    plain,
    print_written,
    start_of_day,
)
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.disclosure import ConsentGiver
from ssp_core.domain.roles import Actor
from ssp_core.i18n import N_, _
from ssp_core.plugins.registry import Registry

__all__ = ["categories", "citation", "consent", "disclose", "disclosures", "disclosures_table"]

F = TypeVar("F", bound=Callable[..., Any])


def categories(help_text: str) -> Callable[[F], F]:
    """Return the ``--category`` option (repeatable, required): the field groups named."""
    return click.option(
        "--category",
        "categories",
        multiple=True,
        required=True,
        type=click.Choice([group.value for group in FieldGroup]),
        help=help_text,
    )


def citation(registry: Registry, legal_basis: str) -> str:
    """Return the provision a legal basis cites (its id if no plugin registers it now)."""
    if legal_basis in registry.legal_bases:
        return registry.legal_bases[legal_basis].citation
    return legal_basis


def disclosures_table(
    entries: Sequence[DisclosureEntry], registry: Registry, title: str | None = None
) -> Table:
    """Return a table of disclosures: what went to whom, when, by whom, on what basis."""
    rows = [
        tuple(
            inert(cell)
            for cell in (
                entry.case_id,
                entry.at.strftime("%Y-%m-%d\n%H:%M"),
                f"{entry.actor}\n({entry.role})",
                entry.recipient,
                f"{citation(registry, entry.legal_basis)}\n[{entry.legal_basis}]",
                entry.purpose,
                ", ".join(entry.categories),
                entry.consent_given_on.isoformat() if entry.consent_given_on else "",
            )
        )
        for entry in entries
    ]
    columns = tuple(_(column) for column in _COLUMNS)
    ids = tuple(_(column) for column in _ID_COLUMNS)
    if title is None:
        title = _("{n} disclosure(s)").format(n=len(entries))
    return listing(title, columns, rows, ids=ids)


_COLUMNS = (
    N_("case"), N_("when (UTC)"), N_("by (role)"), N_("recipient"), N_("legal basis"),
    N_("purpose"), N_("categories"), N_("consent"),
)  # fmt: skip
"""The headings of a table of disclosures (English; shown translated)."""

_ID_COLUMNS = (_COLUMNS[0], _COLUMNS[1], _COLUMNS[3], _COLUMNS[5], _COLUMNS[7])


@click.command()
@click.argument("case_id")
@click.option("--to", "recipient", required=True, metavar="PARTNER", help="The partner's id.")
@click.option(
    "--basis", "legal_basis", required=True, metavar="BASIS", help="The legal basis's id."
)
@categories("A data category shared (repeatable).")
@click.option(
    "--consent",
    "consent_id",
    metavar="CONSENT",
    help="The id of the consent on the case it rests on (see `ssp consent give`).",
)
@click.option("--note", type=PERSONAL_TEXT, help="A note recorded with the disclosure.")
@JSON_OPTION
@acting(default_purpose="disclosure")
@click.pass_obj
def disclose(
    obj: Context,
    case_id: str,
    recipient: str,
    legal_basis: str,
    categories: tuple[str, ...],
    consent_id: str | None,
    note: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record that CASE_ID's information is disclosed to a partner, on a legal basis.

    Refused (audited, nothing shared) unless a rule of the basis covers this
    discloser, recipient, subject and these categories, with a covering consent
    where the rule or the recipient needs one; the refusal names what is missing.
    """
    casework = obj.casework()
    shared = casework.disclose(
        case_id,
        actor,
        recipient=recipient,
        legal_basis=legal_basis,
        categories=categories,
        purpose=purpose,
        consent=consent_id,
        note=note,
    )
    line = _(
        "{case}: disclosed {categories} to {recipient} under {basis} (version {version})"
    ).format(
        case=shared.id,
        categories=", ".join(dict.fromkeys(categories)),
        recipient=recipient,
        basis=citation(casework.registry, legal_basis),
        version=shared.version,
    )
    print_written(casework, shared, actor, line, as_json=as_json)


@click.group(cls=CommandGroup)
def consent() -> None:
    """Record a person's consent to disclosure on a case, or its withdrawal."""


@consent.command("give")
@click.argument("case_id")
@click.option(
    "--by",
    "given_by",
    multiple=True,
    required=True,
    type=click.Choice([giver.value for giver in ConsentGiver]),
    help="Who consented (repeatable; under 18 both the subject and a custody holder).",
)
@click.option(
    "--to", "recipients", multiple=True, required=True, metavar="PARTNER", help="A partner covered."
)
@categories("A data category covered (repeatable).")
@click.option("--given-on", type=DATE, required=True, help="When it was given (YYYY-MM-DD).")
@click.option(
    "--scope", type=PERSONAL_TEXT, required=True, metavar="TEXT", help="What the person was told."
)
@click.option(
    "--participation",
    is_flag=True,
    help="It also covers taking part in the voluntary effort (withdrawing it ends the case).",
)
@JSON_OPTION
@acting(default_purpose="disclosure")
@click.pass_obj
def give_consent(
    obj: Context,
    case_id: str,
    given_by: tuple[str, ...],
    recipients: tuple[str, ...],
    categories: tuple[str, ...],
    given_on: dt.datetime,
    scope: str,
    participation: bool,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record on CASE_ID the person's consent to disclosure: by whom, to whom, which data."""
    given = obj.casework().record_consent(
        case_id,
        actor,
        given_by=given_by,
        recipients=recipients,
        categories=categories,
        given_on=given_on.date(),
        scope=scope,
        purpose=purpose,
        participation=participation,
    )
    if as_json:
        echo_json({"case": case_id, "consent": plain(given)})
        return
    click.echo(
        _("{case}: {consent} covers {categories} to {recipients}").format(
            case=case_id,
            consent=given.id,
            categories=", ".join(g.value for g in given.field_groups),
            recipients=", ".join(given.recipients),
        )
    )


@consent.command("withdraw")
@click.argument("case_id")
@click.argument("consent_id")
@click.option("--on", "withdrawn_on", type=DATE, help="When it was withdrawn (default: today).")
@click.option("--reason", type=PERSONAL_TEXT, metavar="TEXT", help="What the person said.")
@JSON_OPTION
@acting(default_purpose="disclosure")
@click.pass_obj
def withdraw_consent(
    obj: Context,
    case_id: str,
    consent_id: str,
    withdrawn_on: dt.datetime | None,
    reason: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record that CONSENT_ID of CASE_ID was withdrawn: no disclosure rests on it from then.

    A consent to taking part also ends the case (its workflow's consent_withdrawn).
    """
    casework = obj.casework()
    case = casework.withdraw_consent(
        case_id,
        consent_id,
        actor,
        purpose=purpose,
        withdrawn_on=withdrawn_on.date() if withdrawn_on else None,
        reason=reason,
    )
    line = _("{case}: {consent} withdrawn (state {state})").format(
        case=case_id, consent=consent_id, state=case.state
    )
    print_written(casework, case, actor, line, as_json=as_json)


@click.command()
@click.option("--to", "recipient", metavar="PARTNER", help="Only disclosures to this partner.")
@click.option("--case", "case_id", help="Only disclosures of this case.")
@click.option("--since", type=DATE, help="From this day (Danish time, inclusive).")
@click.option("--until", type=DATE, help="Before this day (Danish time, exclusive).")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def disclosures(
    obj: Context,
    recipient: str | None,
    case_id: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """List disclosures, oldest first: what went to whom, when, and on what basis (audited)."""
    casework = obj.casework()
    entries = casework.disclosures(
        actor,
        purpose=purpose,
        recipient=recipient,
        case_id=case_id,
        since=start_of_day(since),
        until=start_of_day(until),
    )
    if as_json:
        echo_json(
            [
                {**plain(entry), "citation": citation(casework.registry, entry.legal_basis)}
                for entry in entries
            ]
        )
        return
    print_table(disclosures_table(entries, casework.registry))
