"""``ssp walk``: plan safety walks, record and follow up their findings, and report on them.

A walk and each of its findings are cases: they are audited and have deadlines like
any case, and ``ssp case history`` shows them. Findings move on with ``assign``
(a responsible partner is named), ``resolve`` and ``decline`` (with a reason).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.table import Table

from ssp_core.cli.app import CommandGroup, Context
from ssp_core.cli.options import (
    DATE,
    JSON_OPTION,
    PERSONAL_TEXT,
    acting,
    echo_json,
    plain,
    print_written,
)
from ssp_core.cli.render import inert, listing, print_table
from ssp_core.clock import local_date
from ssp_core.domain.roles import Actor
from ssp_core.domain.walks import Coordinates, Place
from ssp_core.exceptions import DataError
from ssp_core.files import private_file
from ssp_core.i18n import _, label
from ssp_core.plugins.registry import Registry
from ssp_core.walks.geojson import findings_geojson
from ssp_core.walks.labels import label_of, state_text
from ssp_core.walks.report import open_findings_report, walk_report
from ssp_core.walks.views import Finding
from ssp_core.workflows.definition import WorkflowKind

__all__ = ["walk"]


@click.group(cls=CommandGroup)
def walk() -> None:
    """Safety walks: plan them, record findings, follow them up, report."""


@walk.command("plan")
@click.option("--locality", required=True, metavar="ID", help="A registered locality.")
@click.option("--date", "held_on", type=DATE, required=True, help="The walk's date (YYYY-MM-DD).")
@click.option(
    "--participant",
    "participants",
    multiple=True,
    metavar="PARTNER",
    help="A partner taking part (repeatable).",
)
@click.option("--citizens", type=click.IntRange(min=0), default=0, help="Citizens taking part.")
@click.option("--topic", "topics", multiple=True, metavar="CATEGORY", help="A topic (repeatable).")
@click.option("--note", type=PERSONAL_TEXT, help="A note on the plan.")
@JSON_OPTION
@acting
@click.pass_obj
def plan(
    obj: Context,
    locality: str,
    held_on: dt.datetime,
    participants: tuple[str, ...],
    citizens: int,
    topics: tuple[str, ...],
    note: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Plan a safety walk in a locality, with its participants and topics."""
    casework = obj.casework(create=True)
    case = casework.plan_walk(
        locality=locality,
        held_on=held_on.date(),
        participants=participants,
        citizens=citizens,
        topics=topics,
        note=note,
        actor=actor,
        purpose=purpose,
    )
    line = _("{case}: walk planned in {locality} on {date}").format(
        case=case.id,
        locality=label_of(casework.registry, "localities", locality, obj.language),
        date=held_on.date().isoformat(),
    )
    print_written(casework, case, actor, line, as_json=as_json)


def _trigger_command(name: str, trigger: str, argument: str, doc: str) -> None:
    """Add ``ssp walk NAME ID``: fire ``trigger`` on the walk or finding ID."""

    @JSON_OPTION
    @acting
    @click.pass_obj
    def command(obj: Context, case_id: str, as_json: bool, actor: Actor, purpose: str) -> None:
        casework = obj.casework()
        case = casework.fire(case_id, trigger, actor, purpose=purpose)
        line = f"{case.id}: {state_text(casework.registry, case.state, workflow=case.workflow)}"
        print_written(casework, case, actor, line, as_json=as_json)

    command.__doc__ = doc
    walk.command(name)(click.argument("case_id", metavar=argument)(command))


_trigger_command(
    "held", "hold", "WALK_ID", "Record that WALK_ID took place: findings can now be recorded."
)
_trigger_command(
    "close", "close", "WALK_ID", "Close WALK_ID once its findings are recorded and its report sent."
)
_trigger_command("resolve", "resolve", "FINDING_ID", "Record that FINDING_ID is resolved.")


def _coordinates(lat: float | None, lon: float | None) -> Coordinates | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise DataError(_("give both --lat and --lon (WGS84 degrees), or neither"))
    return Coordinates(lat, lon)


@walk.command("finding")
@click.argument("walk_id")
@click.option(
    "--place",
    type=PERSONAL_TEXT,
    required=True,
    help="Where: a description anyone would recognise.",
)
@click.option("--lat", type=float, help="Latitude in WGS84 degrees (with --lon).")
@click.option("--lon", type=float, help="Longitude in WGS84 degrees (with --lat).")
@click.option("--category", required=True, metavar="CATEGORY", help="A finding category.")
@click.option("--description", type=PERSONAL_TEXT, required=True, help="What was found.")
@click.option("--responsible", metavar="PARTNER", help="The partner to follow it up, if known.")
@JSON_OPTION
@acting
@click.pass_obj
def finding(
    obj: Context,
    walk_id: str,
    place: str,
    lat: float | None,
    lon: float | None,
    category: str,
    description: str,
    responsible: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record a finding of WALK_ID; it is followed up as a case of its own."""
    where = Place(place, _coordinates(lat, lon))
    casework = obj.casework()
    case = casework.record_finding(
        walk_id,
        place=where,
        category=category,
        description=description,
        responsible=responsible,
        actor=actor,
        purpose=purpose,
    )
    line = _("{case}: finding of walk {walk} ({category}), {state}").format(
        case=case.id,
        walk=walk_id,
        category=label_of(casework.registry, "finding_categories", category, obj.language),
        state=state_text(casework.registry, case.state, workflow=case.workflow),
    )
    print_written(casework, case, actor, line, as_json=as_json)


@walk.command("assign")
@click.argument("finding_id")
@click.option("--to", "partner", required=True, metavar="PARTNER", help="The responsible partner.")
@click.option("--reason", type=PERSONAL_TEXT, help="Why this partner (optional).")
@JSON_OPTION
@acting
@click.pass_obj
def assign(
    obj: Context,
    finding_id: str,
    partner: str,
    reason: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Make a partner responsible for FINDING_ID and pass it on."""
    casework = obj.casework()
    case = casework.assign_finding(finding_id, partner, actor, reason=reason, purpose=purpose)
    line = _("{case}: {state}, responsible {partner}").format(
        case=case.id,
        state=state_text(casework.registry, case.state, workflow=case.workflow),
        partner=partner,
    )
    print_written(casework, case, actor, line, as_json=as_json)


@walk.command("decline")
@click.argument("finding_id")
@click.option(
    "--reason", type=PERSONAL_TEXT, required=True, help="Why the finding is not followed up."
)
@JSON_OPTION
@acting
@click.pass_obj
def decline(
    obj: Context, finding_id: str, reason: str, as_json: bool, actor: Actor, purpose: str
) -> None:
    """Decline FINDING_ID, giving the reason."""
    casework = obj.casework()
    case = casework.fire(finding_id, "decline", actor, reason=reason, purpose=purpose)
    line = f"{case.id}: {state_text(casework.registry, case.state, workflow=case.workflow)}"
    print_written(casework, case, actor, line, as_json=as_json)


@walk.command("import")
@click.argument("example", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the cases made as JSON.")
@acting
@click.pass_obj
def import_(obj: Context, example: str | None, as_json: bool, actor: Actor, purpose: str) -> None:
    """Put a registered example walk (all of them without EXAMPLE) into the store."""
    casework = obj.casework(create=True)
    names = [example] if example else list(casework.registry.example_walks)
    made = {name: casework.import_walk(name, actor, purpose=purpose) for name in names}
    if as_json:
        echo_json(
            [
                {
                    "example": name,
                    "walk": cases[0].id if cases else None,
                    "findings": [case.id for case in cases[1:]],
                }
                for name, cases in made.items()
            ]
        )
        return
    if not names:
        click.echo(_("no plugin registers example walks"))
    for name, cases in made.items():
        if cases:
            found = len(cases) - 1
            click.echo(
                _("{example}: walk {walk}, {n} finding(s)").format(
                    example=name, walk=cases[0].id, n=found
                )
            )
        else:
            click.echo(_("{example}: already in the store").format(example=name))


@walk.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@acting
@click.pass_obj
def list_(obj: Context, as_json: bool, actor: Actor, purpose: str) -> None:
    """List safety walks, the earliest first (an audited read)."""
    casework = obj.casework()
    walks = casework.walks(actor, purpose=purpose)
    if as_json:
        echo_json([plain(w) for w in walks])
        return
    language = obj.language
    registry = casework.registry
    rows = []
    for w in walks:
        who = _("{n} partner(s)").format(n=len(w.participants))
        if w.citizens:
            who = _("{partners}, {n} citizen(s)").format(partners=who, n=w.citizens)
        elif not w.participants:
            who = _("{partners} (none)").format(partners=who)
        rows.append(
            (
                inert(w.case_id),
                w.held_on.isoformat(),
                inert(label_of(registry, "localities", w.locality, language)),
                inert(state_text(registry, w.state, workflow=w.workflow)),
                inert(who),
                inert(", ".join(_topic(registry, topic) for topic in w.topics)),
            )
        )
    columns = (_("walk"), _("date"), _("locality"), _("state"), _("participants"), _("topics"))
    print_table(
        listing(
            _("{n} safety walk(s)").format(n=len(walks)),
            columns,
            rows,
            ids=(columns[0], columns[1]),
        )
    )


def _topic(registry: Registry, topic: str) -> str:
    """Return a walk's topic: the label of a registered finding category, else as written."""
    found = registry.finding_categories.get(topic)
    return label(found.labels) if found is not None else topic


def _findings_table(findings: list[Finding], obj: Context, today: dt.date) -> Table:
    """Return the findings as four columns, so the table fits 80 columns.

    The finding's id with its walk's below it; the place with its locality and
    category below; who is responsible; the state with the due date below.
    """
    registry = obj.registry
    rows = []
    for f in findings:
        due = min((d.due for d in f.due), default=None)
        mark = ""
        if due is not None:
            mark = due.isoformat()
            if due < today:
                mark = _("{date} overdue").format(date=mark)
        locality = label_of(registry, "localities", f.locality, obj.language)
        category = label_of(registry, "finding_categories", f.category, obj.language)
        state = state_text(registry, f.state, kind=WorkflowKind.SAFETY_FINDING)
        rows.append(
            (
                f"{inert(f.case_id)}\n({inert(f.walk)})",
                f"{inert(f.place.description)}\n{inert(locality)} · {inert(category)}",
                inert(label_of(registry, "partners", f.responsible, obj.language)),
                f"{inert(state)}\n{mark}" if mark else inert(state),
            )
        )
    columns = (_("finding (walk)"), _("place, locality · category"), _("responsible"), _("state"))
    return listing(
        _("{n} finding(s)").format(n=len(findings)),
        columns,
        rows,
        ids=(columns[0],),
    )


@walk.command("findings")
@click.option("--walk", "walk_id", help="Only the findings of this walk.")
@click.option("--open", "open_only", is_flag=True, help="Only findings still followed up.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the list as findings.md and findings.html into this folder.",
)
@acting
@click.pass_obj
def findings(
    obj: Context,
    walk_id: str | None,
    open_only: bool,
    as_json: bool,
    out: Path | None,
    actor: Actor,
    purpose: str,
) -> None:
    """List findings across walks, e.g. the open ones with their due dates (audited)."""
    casework = obj.casework()
    found = casework.findings(actor, purpose=purpose, walk=walk_id, open_only=open_only)
    today = local_date(casework.clock.now())
    if out is not None:
        report = open_findings_report(found, casework.registry, language=obj.language, today=today)
        md, page = report.write(out, "findings")
        click.echo(_("wrote {markdown} and {html}").format(markdown=md, html=page), err=True)
    if as_json:
        echo_json([plain(f) for f in found])
        return
    print_table(_findings_table(found, obj, today))


@walk.command("report")
@click.argument("walk_id")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder to write the report (Markdown, HTML) and its map (PNG, SVG) into.",
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
@acting
@click.pass_obj
def report(obj: Context, walk_id: str, out: Path, force: bool, actor: Actor, purpose: str) -> None:
    """Write the report of WALK_ID: its plan, its findings and a map of them."""
    if not force and out.is_dir() and any(out.iterdir()):
        raise DataError(
            _(
                "the folder {folder} is not empty: name a new folder, or give --force to write "
                "the report's files into it (files of the same names are replaced)"
            ).format(folder=out)
        )
    casework = obj.casework()
    chosen = [w for w in casework.walks(actor, purpose=purpose) if w.case_id == walk_id]
    if not chosen:
        raise DataError(_("no safety walk {walk!r} that you may read").format(walk=walk_id))
    found = casework.findings(actor, purpose=purpose, walk=walk_id)
    written = walk_report(
        chosen[0],
        found,
        casework.registry,
        out,
        language=obj.language,
        today=local_date(casework.clock.now()),
    )
    md, page = written.write(out, f"walk-{walk_id}")
    for path in (md, page, *written.figures):
        click.echo(str(path))


@walk.command("geojson")
@click.option("--walk", "walk_id", help="Only the findings of this walk.")
@click.option("--open", "open_only", is_flag=True, help="Only findings still followed up.")
@click.option(
    "--descriptions", is_flag=True, help="Include the findings' descriptions (free text)."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: standard output).",
)
@acting
@click.pass_obj
def geojson(
    obj: Context,
    walk_id: str | None,
    open_only: bool,
    descriptions: bool,
    out: Path | None,
    actor: Actor,
    purpose: str,
) -> None:
    """Write the findings with coordinates as GeoJSON, for a map tool."""
    casework = obj.casework()
    found = casework.findings(actor, purpose=purpose, walk=walk_id, open_only=open_only)
    text = json.dumps(
        findings_geojson(
            found, casework.registry, language=obj.language, descriptions=descriptions
        ),
        ensure_ascii=False,
        indent=2,
    )
    if out is None:
        click.echo(text)
    else:
        private_file(out).write_text(text + "\n", encoding="utf-8")
        click.echo(_("wrote {path}").format(path=out), err=True)


@walk.command("categories")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_obj
def categories(obj: Context, as_json: bool) -> None:
    """List the finding categories the plugins register."""
    registry = obj.registry
    found = [
        (cid, category, registry.finding_categories.contributor(cid))
        for cid, category in registry.finding_categories.items()
    ]
    if as_json:
        echo_json(
            [{"id": cid, **plain(category), "plugin": plugin} for cid, category, plugin in found]
        )
        return
    rows = [
        (inert(cid), inert(category.labels.get(obj.language)), inert(plugin))
        for cid, category, plugin in found
    ]
    columns = (_("id"), _("label"), _("from"))
    print_table(listing(_("finding categories"), columns, rows, ids=(columns[0], columns[2])))
