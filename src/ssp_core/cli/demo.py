"""``ssp demo``: a walk through Aalborg's action cards and a mentor track.

Two concerns (about a 16-year-old and a 19-year-old) are each moved through the card
chosen for them, and the older person is offered a mentor track. The demo prints
each case's history and what each actor may do next. It runs on a virtual clock and
a fresh random pseudonym key; the CPR numbers are synthetic and are never shown.
"""

from __future__ import annotations

import datetime as dt
import secrets

import click
from rich.console import Console
from rich.rule import Rule

from ssp_core.cli.app import Context
from ssp_core.cli.render import history_table, options_table
from ssp_core.clock import VirtualClock
from ssp_core.domain.concerns import WorrySignScope
from ssp_core.domain.cpr import Pseudonymiser
from ssp_core.domain.labels import Language
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ConfigError, TransitionRefused
from ssp_core.plugins.registry import Registry
from ssp_core.service import Casework, sequential_ids

__all__ = ["demo", "run_demo"]

START = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
"""When the demo's virtual clock starts (a Monday)."""

CONSULTANT = Actor("anne.ssp", "ssp_consultant")
POLICE = Actor("bo.politi", "police_ssp_coordinator")
INFO_HOUSE = Actor("carla.infohus", "info_house_member")
TEACHER = Actor("dan.laerer", "frontline_worker")
MENTOR = Actor("eva.mentor", "mentor")
ACTORS = (CONSULTANT, POLICE, INFO_HOUSE, TEACHER, MENTOR)


def _person_signs(registry: Registry) -> tuple[str, list[str]]:
    for catalogue in registry.catalogues.values():
        signs = [s.id for lvl in catalogue.levels if lvl.scope == WorrySignScope.PERSON for s in lvl.signs]
        if len(signs) >= 2:
            return catalogue.id, signs
    raise ConfigError("the demo needs a worry-sign catalogue with at least two signs about a person")


def run_demo(registry: Registry, console: Console, language: Language = "en") -> Casework:
    """Run the Aalborg walk-through on ``registry``, printing to ``console``; return the casework."""
    needed = ("aalborg.radicalisation_under_18", "aalborg.travel_from_18", "aalborg.mentor")
    missing = [wid for wid in needed if not any(d.id == wid for d in registry.workflows.values())]
    if missing:
        raise ConfigError(
            f"ssp demo needs the Aalborg plugin (missing {', '.join(missing)}); "
            "install it with: pip install -e plugins/ssp-aalborg"
        )
    clock = VirtualClock(START)
    casework = Casework(registry, clock=clock, ids=sequential_ids("AAL-"))
    pseudonyms = Pseudonymiser(secrets.token_bytes(32))
    catalogue, signs = _person_signs(registry)
    hours = dt.timedelta(hours=3)

    console.print(Rule("ssp demo: Tryg Aalborg"))
    console.print(
        "A virtual clock, a fresh random pseudonym key and synthetic CPR numbers; "
        "no CPR number is kept or shown.\n"
    )

    # -- a concern about a 16-year-old ---------------------------------------------------
    youth = pseudonyms.subject("201109-4017")
    case = casework.open_concern(
        situation="radicalisation", subject=youth, concern_date=START.date(), actor=TEACHER
    )
    console.print(
        f"Concern 1: a teacher is worried about a pupil aged {youth.age_on(START.date())} "
        f"(pseudonym {youth.pseudonym[:8]}…); card chosen: [bold]{case.workflow}[/bold]"
    )
    cid = case.id
    casework.record_observation(
        cid, catalogue=catalogue, sign=signs[0], observed_by="teacher", observed_on=START.date(),
        text="Has stopped seeing old friends; spends breaks alone online.", actor=TEACHER,
    )
    casework.add_note(cid, "Teacher called the SSP consultant; the worry is described in writing.", TEACHER)
    clock.advance(hours)
    casework.record_fact(cid, "concern_described", CONSULTANT)
    casework.fire(cid, "begin_analysis", CONSULTANT)
    clock.advance(dt.timedelta(days=2))
    casework.record_observation(
        cid, catalogue=catalogue, sign=signs[1], observed_by="youth club worker",
        observed_on=clock.now().date(), actor=CONSULTANT,
    )
    casework.fire(cid, "complete_analysis", CONSULTANT)
    try:
        casework.fire(cid, "start_intervention", CONSULTANT)
    except TransitionRefused as refused:
        console.print(f"[yellow]Refused, nothing changed:[/yellow] {refused}")
    console.print(options_table(casework.case(cid), [(a, casework.options(cid, a)) for a in ACTORS], language))
    casework.record_fact(cid, "children_services_notified", TEACHER)
    casework.record_fact(cid, "parents_involved", CONSULTANT)
    clock.advance(dt.timedelta(days=1))
    casework.fire(cid, "start_intervention", CONSULTANT)
    clock.advance(dt.timedelta(days=30))
    casework.fire(cid, "begin_follow_up", CONSULTANT)
    clock.advance(dt.timedelta(days=60))
    casework.fire(cid, "close", CONSULTANT, reason="Back in school and club life; the family agrees to close.")
    console.print(history_table(casework.case(cid), registry, language))

    # -- a concern about a 19-year-old, travel card -------------------------------------
    clock.advance(dt.timedelta(days=1))
    adult = pseudonyms.subject("030806-4121")
    case = casework.open_concern(
        situation="armed_conflict_travel", subject=adult, concern_date=clock.now().date(), actor=POLICE
    )
    console.print(
        f"\nConcern 2: the police learn of plans to travel to a conflict zone; person aged "
        f"{adult.age_on(clock.now().date())}; card chosen: [bold]{case.workflow}[/bold]"
    )
    cid = case.id
    casework.record_fact(cid, "police_screening_done", POLICE)
    casework.fire(cid, "release_to_casework", POLICE, reason="No criminal or acute security aspects found.")
    casework.record_fact(cid, "concern_described", POLICE)
    casework.fire(cid, "begin_analysis", CONSULTANT)
    casework.fire(cid, "refer_to_info_house", CONSULTANT)
    clock.advance(dt.timedelta(days=3))
    casework.fire(cid, "info_house_assessed", INFO_HOUSE, reason="Advise a voluntary mentor offer.")
    casework.record_fact(cid, "offer_voluntary_explained", CONSULTANT)
    casework.record_fact(cid, "consent_given", CONSULTANT, detail="Consent given in a meeting; scope: mentor course.")
    console.print(options_table(casework.case(cid), [(a, casework.options(cid, a)) for a in ACTORS], language))
    casework.fire(cid, "start_intervention", CONSULTANT)
    console.print(history_table(casework.case(cid), registry, language))

    # -- a mentor track for the 19-year-old ------------------------------------------------
    track = casework.open_case(workflow="aalborg.mentor", subject=adult, actor=CONSULTANT, reason=f"From case {cid}")
    tid = track.id
    console.print(f"\nA mentor track is opened for the same person: [bold]{tid}[/bold]")
    casework.fire(tid, "accept_referral", CONSULTANT)
    casework.assign(tid, MENTOR.id, CONSULTANT)
    casework.record_fact(tid, "participation_voluntary", MENTOR)
    casework.record_fact(tid, "goals_agreed", MENTOR)
    casework.fire(tid, "start", CONSULTANT)
    for week in range(3):
        clock.advance(dt.timedelta(days=7))
        casework.record_session(tid, MENTOR, held_on=clock.now().date(), participants=2, note=f"Meeting {week + 1}")
    console.print(options_table(casework.case(tid), [(a, casework.options(tid, a)) for a in ACTORS], language))
    casework.fire(tid, "begin_review", MENTOR)
    casework.fire(tid, "complete", CONSULTANT, reason="Goals reached: started an education.")
    console.print(history_table(casework.case(tid), registry, language))
    return casework


@click.command()
@click.pass_obj
def demo(obj: Context) -> None:
    """Walk through Aalborg's action cards and a mentor track (needs the Aalborg plugin)."""
    run_demo(obj.registry, Console(soft_wrap=False), obj.language)
