"""``ssp disclose`` and ``ssp disclosures``: share case information lawfully, and list it.

A disclosure names its recipient (a registered partner), its legal basis (plugin
data, e.g. Retsplejeloven § 115), the data categories shared and, for a basis that
rests on consent, the consent's date and scope. The library refuses a disclosure
without a lawful basis or beyond what the recipient's kind may receive; the refusal
is audited and nothing is shared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ssp_core.application.disclosure import DisclosureEntry
from ssp_core.cli.app import Context
from ssp_core.cli.options import DATE, acting, echo_json, plain, start_of_day
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.disclosure import Consent
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.plugins.registry import Registry

__all__ = ["citation", "disclose", "disclosures", "disclosures_table"]


def citation(registry: Registry, legal_basis: str) -> str:
    """Return the provision a legal basis cites (its id if no plugin registers it now)."""
    if legal_basis in registry.legal_bases:
        return registry.legal_bases[legal_basis].citation
    return legal_basis


def disclosures_table(
    entries: Sequence[DisclosureEntry], registry: Registry, title: str | None = None
) -> Table:
    """Return a table of disclosures: what went to whom, when, by whom, on what basis."""
    table = Table(title=title or f"{len(entries)} disclosure(s)")
    table.add_column("case", no_wrap=True)
    table.add_column("when (UTC)", no_wrap=True)
    for column in ("by (role)", "recipient", "legal basis", "purpose", "categories", "consent"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        cells = (
            entry.case_id,
            entry.at.strftime("%Y-%m-%d\n%H:%M"),
            f"{entry.actor}\n({entry.role})",
            entry.recipient,
            f"{citation(registry, entry.legal_basis)}\n[{entry.legal_basis}]",
            entry.purpose,
            ", ".join(entry.categories),
            entry.consent_given_on.isoformat() if entry.consent_given_on else "",
        )
        table.add_row(*(escape(cell) for cell in cells))
    return table


def _consent(given_on: dt.datetime | None, scope: str | None) -> Consent | None:
    if given_on is None and scope is None:
        return None
    if given_on is None or scope is None:
        raise DataError("a consent needs both --consent-date (YYYY-MM-DD) and --consent-scope")
    return Consent(given_on.date(), scope)


@click.command()
@click.argument("case_id")
@click.option("--to", "recipient", required=True, metavar="PARTNER", help="The partner's id.")
@click.option(
    "--basis", "legal_basis", required=True, metavar="BASIS", help="The legal basis's id."
)
@click.option(
    "--category",
    "categories",
    multiple=True,
    required=True,
    type=click.Choice([group.value for group in FieldGroup]),
    help="A data category shared (repeatable).",
)
@click.option("--consent-date", type=DATE, help="When the consent was given (YYYY-MM-DD).")
@click.option("--consent-scope", metavar="TEXT", help="What the consent covers.")
@click.option("--note", help="A note recorded with the disclosure.")
@acting(default_purpose="disclosure")
@click.pass_obj
def disclose(
    obj: Context,
    case_id: str,
    recipient: str,
    legal_basis: str,
    categories: tuple[str, ...],
    consent_date: dt.datetime | None,
    consent_scope: str | None,
    note: str | None,
    actor: Actor,
    purpose: str,
) -> None:
    """Record that CASE_ID's information is disclosed to a partner, on a legal basis.

    Refused (audited, nothing shared) if the basis does not serve the purpose, needs
    a consent not given, or a category is beyond what the recipient's kind may get.
    """
    consent = _consent(consent_date, consent_scope)
    casework = obj.casework()
    shared = casework.disclose(
        case_id,
        actor,
        recipient=recipient,
        legal_basis=legal_basis,
        categories=categories,
        purpose=purpose,
        consent=consent,
        note=note,
    )
    click.echo(
        f"{shared.id}: disclosed {', '.join(dict.fromkeys(categories))} to {recipient} under "
        f"{citation(casework.registry, legal_basis)} (version {shared.version})"
    )


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
    Console(soft_wrap=False).print(disclosures_table(entries, casework.registry))
