"""``ssp decision-shares``: fit a scenario's decision shares from the store's transitions.

The ways out taken from each state over a period are counted with small counts
suppressed (:meth:`~ssp_core.application.casework.Casework.decision_counts`) and
turned into ``[[decisions]]`` tables for a scenario file
(:func:`ssp_core.simulation.fit.fit_decisions`). A state whose counts are not all
published is listed to be set by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ssp_core.cli.app import Context
from ssp_core.cli.options import DATE, acting, echo_json
from ssp_core.domain.access import RESEARCH
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.files import staged_file
from ssp_core.i18n import _

__all__ = ["decision_shares"]


@click.command("decision-shares")
@click.option("--from", "since", type=DATE, required=True, help="The first day counted.")
@click.option("--to", "until", type=DATE, required=True, help="The last day counted.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A new TOML file for the [[decisions]] tables (default: print them).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the shares and counts as JSON.")
@acting(default_purpose=RESEARCH)
@click.pass_obj
def decision_shares(
    obj: Context,
    since: dt.datetime,
    until: dt.datetime,
    out: Path | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Fit a scenario's decision shares from the transitions of --from to --to.

    Counts from 1 to 4 are never used: a state whose counts are not all published is
    listed to be set by hand. Needs the permission report.evaluate; --purpose
    defaults to research.
    """
    from ssp_core.simulation.fit import decisions_toml, fit_decisions  # noqa: PLC0415

    tables = obj.casework().decision_counts(
        actor, since=since.date(), until=until.date(), purpose=purpose
    )
    fitted = fit_decisions(tables)
    if as_json:
        echo_json(
            {
                "decisions": [
                    {
                        "workflow": d.workflow,
                        "state": d.state,
                        "choices": dict(d.choices),
                        "transitions": fitted.departures[d.workflow, d.state],
                    }
                    for d in fitted.decisions
                ],
                "not_fitted": [
                    {"workflow": n.workflow, "state": n.state, "reason": n.reason}
                    for n in fitted.not_fitted
                ],
            }
        )
        return
    text = decisions_toml(fitted, since.date(), until.date())
    if out is None:
        click.echo(text, nl=False)
        return
    if out.exists():
        raise DataError(_("{out} exists; choose a new file").format(out=out))
    with staged_file(out) as partial:  # the file appears whole, or not at all
        partial.write_text(text, encoding="utf-8")
    click.echo(_("wrote {path}").format(path=out))
