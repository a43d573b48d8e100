"""``ssp audit``: who read or wrote which case, in which role, for what, and when."""

from __future__ import annotations

import datetime as dt

import click

from ssp_core.cli.app import Context
from ssp_core.cli.options import DATE, acting, echo_json, start_of_day
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.domain.roles import Actor
from ssp_core.i18n import N_, _, ngettext
from ssp_core.store.records import AuditQuery

__all__ = ["audit"]

_ACTIONS = {
    "write": N_("write"),
    "load": N_("load"),
    "search": N_("search"),
    "export": N_("export"),
    "admin": N_("admin"),
    "denied": N_("denied"),
    "reidentify": N_("reidentify"),
    "erase": N_("erase"),
    "enrol": N_("enrol"),
    "rewrap": N_("rewrap"),
}
"""What the table calls each kind of audit entry (English; shown translated; JSON keeps ids)."""


@click.command()
@click.option("--case", "case_id", help="Only entries about this case.")
@click.option("--by", "by_actor", help="Only entries by this actor id.")
@click.option("--since", type=DATE, help="From this day (Danish time, inclusive).")
@click.option("--until", type=DATE, help="Before this day (Danish time, exclusive).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many entries.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def audit(
    obj: Context,
    case_id: str | None,
    by_actor: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Query the audit log by case, actor or period (reading it is audited too)."""
    query = AuditQuery(
        case_id=case_id,
        actor=by_actor,
        since=start_of_day(since),
        until=start_of_day(until),
        limit=limit,
    )
    entries = obj.casework().audit_log(actor, query, purpose=purpose)
    if as_json:
        echo_json(entries)
        return
    rows = [
        (
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            *(
                inert(value or "")
                for value in (
                    entry.actor,
                    entry.role,
                    entry.purpose,
                    _(_ACTIONS.get(entry.action.value, entry.action.value)),
                    entry.case_id,
                    entry.detail,
                )
            ),
        )
        for entry in entries
    ]
    ids = (_("at (UTC)"), _("actor"), _("role"), _("purpose"), _("action"), _("case"))
    columns = (*ids, _("detail"))
    count = len(entries)
    title = ngettext("{n} audit entry", "{n} audit entries", count).format(n=count)
    print_table(listing(title, columns, rows, ids=ids))
