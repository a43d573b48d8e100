"""``ssp case observe`` and ``ssp case resource``: who saw which worry sign, or which resource.

Both record an observation (``case.observe``): the catalogue item, who saw it, the day,
and their own words (sealed in the ``observations`` field group). Worry signs and
resources are shown side by side by ``ssp case show`` and never counted.
"""

from __future__ import annotations

import datetime as dt

import click
from rich.console import Console

from ssp_core.application.reads import CaseView
from ssp_core.cli.app import Context
from ssp_core.cli.options import DATE, JSON_OPTION, PERSONAL_TEXT, acting, print_written
from ssp_core.cli.render import inert
from ssp_core.clock import local_date
from ssp_core.domain.concerns import CatalogueKind, Observation
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import DataError
from ssp_core.i18n import N_, _, label
from ssp_core.plugins.registry import Registry

__all__ = ["observations_lines", "observe_command", "resource_command"]


_CATALOGUE_KINDS = {
    CatalogueKind.WORRY_SIGNS: N_("worry signs"),
    CatalogueKind.RESOURCES: N_("resources"),
}
"""What a catalogue holds, by kind (English; shown translated)."""


def _only_catalogue(registry: Registry, kind: CatalogueKind, named: str | None) -> str:
    """Return the catalogue named, or the only registered one of ``kind``."""
    if named is not None:
        return named
    found = [c.id for c in registry.catalogues.values() if c.kind is kind]
    if len(found) != 1:
        if found:
            text = _("name the catalogue with --catalogue; of {kind}: {catalogues}")
        else:
            text = _("name the catalogue with --catalogue; of {kind}: none is registered")
        raise DataError(
            text.format(kind=_(_CATALOGUE_KINDS.get(kind, kind.value)), catalogues=", ".join(found))
        )
    return found[0]


def _label(registry: Registry, observation: Observation) -> str:
    catalogue = registry.catalogues.get(observation.catalogue)
    for level in catalogue.levels if catalogue is not None else ():
        for sign in level.signs:
            if sign.id == observation.sign:
                return label(sign.labels)
    return observation.sign


def observations_lines(view: CaseView, registry: Registry) -> list[str]:
    """Return the lines (rich markup, text inert) listing worry signs and resources side by side.

    They are in the current language.
    """
    lines = []
    for title, seen in (
        (_("worry signs seen:"), view.worry_signs_seen),
        (_("resources and protective factors seen:"), view.resources_seen),
    ):
        if not seen:
            continue
        lines.append(f"  {inert(title)}")
        for obs in seen:
            values = {
                "sign": _label(registry, obs),
                "who": obs.observed_by,
                "day": obs.observed_on.isoformat(),
                "text": obs.text or "",
            }
            line = (
                _("{sign} (seen by {who} on {day}): {text}")
                if obs.text
                else _("{sign} (seen by {who} on {day})")
            )
            lines.append(f"    • {inert(line.format(**values))}")
    return lines


def _record(
    obj: Context,
    case_id: str,
    kind: CatalogueKind,
    item: str,
    catalogue: str | None,
    observed_by: str,
    on: dt.datetime | None,
    text: str | None,
    actor: Actor,
    purpose: str,
    *,
    as_json: bool = False,
) -> None:
    casework = obj.casework()
    chosen = _only_catalogue(casework.registry, kind, catalogue)
    day = on.date() if on is not None else local_date(casework.clock.now())
    if kind is CatalogueKind.WORRY_SIGNS:
        case = casework.record_observation(
            case_id, catalogue=chosen, sign=item, observed_by=observed_by, observed_on=day,
            actor=actor, text=text, purpose=purpose,
        )  # fmt: skip
    else:
        case = casework.record_resource(
            case_id, catalogue=chosen, factor=item, observed_by=observed_by, observed_on=day,
            actor=actor, text=text, purpose=purpose,
        )  # fmt: skip
    if as_json:
        print_written(casework, case, actor, "", as_json=True)
        return
    Console(soft_wrap=True, highlight=False).print(
        inert(
            _(
                "recorded on {case} (version {version}); it is an aid for people to weigh, "
                "never counted"
            ).format(case=case.id, version=case.version)
        )
    )


_OPTIONS = (
    click.option("--catalogue", help="The catalogue (default: the only one registered)."),
    click.option("--by", "observed_by", required=True, help="Who saw it, e.g. 'teacher'."),
    click.option("--on", "on", type=DATE, help="The day it was seen (default today)."),
    click.option("--text", type=PERSONAL_TEXT, help="What they saw, in their own words (sealed)."),
    JSON_OPTION,
)


def _with_options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


@click.command("observe")
@click.argument("case_id")
@click.option("--sign", "item", required=True, help="The worry sign's id in the catalogue.")
@_with_options
@acting
@click.pass_obj
def observe_command(
    obj: Context,
    case_id: str,
    item: str,
    catalogue: str | None,
    observed_by: str,
    on: dt.datetime | None,
    text: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record who saw which worry sign on CASE_ID, when, in their own words."""
    _record(
        obj, case_id, CatalogueKind.WORRY_SIGNS, item, catalogue, observed_by, on, text, actor,
        purpose, as_json=as_json,
    )  # fmt: skip


@click.command("resource")
@click.argument("case_id")
@click.option("--factor", "item", required=True, help="The resource or protective factor's id.")
@_with_options
@acting
@click.pass_obj
def resource_command(
    obj: Context,
    case_id: str,
    item: str,
    catalogue: str | None,
    observed_by: str,
    on: dt.datetime | None,
    text: str | None,
    as_json: bool,
    actor: Actor,
    purpose: str,
) -> None:
    """Record who saw which resource or protective factor on CASE_ID, when, in their words."""
    _record(
        obj, case_id, CatalogueKind.RESOURCES, item, catalogue, observed_by, on, text, actor,
        purpose, as_json=as_json,
    )  # fmt: skip
