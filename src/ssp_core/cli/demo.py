"""``ssp demo``: a walk through Aalborg's action cards and a mentor track.

Two concerns (about a 16-year-old and a 19-year-old) are each moved through the card
chosen for them, and the older person is offered a mentor track. The demo prints
each case's history and what each actor may do next. It runs on a virtual clock and
a fresh random pseudonym key; the CPR numbers are synthetic and are never shown.

The cases are written to the case store (by default the embedded SQLite file), and
at the end read back through a second, independent connection to the store.
"""

from __future__ import annotations

import datetime as dt
import secrets

import attrs
import click
from rich.console import Console
from rich.rule import Rule
from rich.table import Table

from ssp_core.cli.app import Context
from ssp_core.cli.render import history_table, options_table
from ssp_core.clock import VirtualClock
from ssp_core.domain.concerns import WorrySignScope
from ssp_core.domain.cpr import Pseudonymiser
from ssp_core.domain.labels import Language
from ssp_core.domain.people import Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import ConfigError, StoreError, TransitionRefused
from ssp_core.plugins.registry import Registry
from ssp_core.service import Casework, sequential_ids
from ssp_core.store.url import open_store, redact

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
        signs = [
            s.id
            for lvl in catalogue.levels
            if lvl.scope == WorrySignScope.PERSON
            for s in lvl.signs
        ]
        if len(signs) >= 2:
            return catalogue.id, signs
    raise ConfigError(
        "the demo needs a worry-sign catalogue with at least two signs about a person"
    )


@attrs.define
class _Scene:
    """What the demo's scenes share."""

    registry: Registry
    casework: Casework
    clock: VirtualClock
    pseudonyms: Pseudonymiser
    console: Console
    language: Language

    def options(self, case_id: str) -> None:
        case = self.casework.case(case_id, CONSULTANT)
        rows = [(actor, self.casework.options(case_id, actor)) for actor in ACTORS]
        self.console.print(options_table(case, rows, self.language))

    def history(self, case_id: str) -> None:
        case = self.casework.case(case_id, CONSULTANT)
        self.console.print(history_table(case, self.registry, self.language))


def _concern_about_a_16_year_old(scene: _Scene) -> None:
    casework, clock = scene.casework, scene.clock
    catalogue, signs = _person_signs(scene.registry)
    youth = scene.pseudonyms.subject("201109-4017")
    case = casework.open_concern(
        situation="radicalisation", subject=youth, concern_date=START.date(), actor=TEACHER
    )
    scene.console.print(
        f"Concern 1: a teacher is worried about a pupil aged {youth.age_on(START.date())} "
        f"(pseudonym {youth.pseudonym[:8]}…); card chosen: [bold]{case.workflow}[/bold]"
    )
    cid = case.id
    casework.record_observation(
        cid,
        catalogue=catalogue,
        sign=signs[0],
        observed_by="teacher",
        observed_on=START.date(),
        text="Has stopped seeing old friends; spends breaks alone online.",
        actor=TEACHER,
    )
    casework.add_note(cid, "Teacher called the SSP consultant; the worry is written down.", TEACHER)
    clock.advance(dt.timedelta(hours=3))
    casework.record_fact(cid, "concern_described", CONSULTANT)
    casework.fire(cid, "begin_analysis", CONSULTANT)
    clock.advance(dt.timedelta(days=2))
    casework.record_observation(
        cid,
        catalogue=catalogue,
        sign=signs[1],
        observed_by="youth club worker",
        observed_on=clock.now().date(),
        actor=CONSULTANT,
    )
    casework.fire(cid, "complete_analysis", CONSULTANT)
    try:
        casework.fire(cid, "start_intervention", CONSULTANT)
    except TransitionRefused as refused:
        scene.console.print(f"[yellow]Refused, nothing changed:[/yellow] {refused}")
    scene.options(cid)
    casework.record_fact(cid, "children_services_notified", TEACHER)
    casework.record_fact(cid, "parents_involved", CONSULTANT)
    clock.advance(dt.timedelta(days=1))
    casework.fire(cid, "start_intervention", CONSULTANT)
    clock.advance(dt.timedelta(days=30))
    casework.fire(cid, "begin_follow_up", CONSULTANT)
    clock.advance(dt.timedelta(days=60))
    casework.fire(cid, "close", CONSULTANT, reason="Back in school and club; the family agrees.")
    scene.history(cid)


def _travel_concern_about_a_19_year_old(scene: _Scene) -> Subject:
    casework, clock = scene.casework, scene.clock
    clock.advance(dt.timedelta(days=1))
    adult = scene.pseudonyms.subject("030806-4121")
    case = casework.open_concern(
        situation="armed_conflict_travel",
        subject=adult,
        concern_date=clock.now().date(),
        actor=POLICE,
    )
    scene.console.print(
        f"\nConcern 2: the police learn of plans to travel to a conflict zone; person aged "
        f"{adult.age_on(clock.now().date())}; card chosen: [bold]{case.workflow}[/bold]"
    )
    cid = case.id
    casework.record_fact(cid, "police_screening_done", POLICE)
    casework.fire(
        cid, "release_to_casework", POLICE, reason="No criminal or acute security aspects."
    )
    casework.record_fact(cid, "concern_described", POLICE)
    casework.fire(cid, "begin_analysis", CONSULTANT)
    casework.fire(cid, "refer_to_info_house", CONSULTANT)
    clock.advance(dt.timedelta(days=3))
    casework.fire(cid, "info_house_assessed", INFO_HOUSE, reason="Advise a voluntary mentor offer.")
    casework.record_fact(cid, "offer_voluntary_explained", CONSULTANT)
    casework.record_fact(
        cid, "consent_given", CONSULTANT, detail="Given in a meeting; scope: a mentor course."
    )
    scene.options(cid)
    casework.fire(cid, "start_intervention", CONSULTANT)
    scene.history(cid)
    return adult


def _mentor_track(scene: _Scene, person: Subject) -> None:
    casework, clock = scene.casework, scene.clock
    track = casework.open_case(
        workflow="aalborg.mentor", subject=person, actor=CONSULTANT, reason="Offered in concern 2"
    )
    tid = track.id
    scene.console.print(f"\nA mentor track is opened for the same person: [bold]{tid}[/bold]")
    casework.fire(tid, "accept_referral", CONSULTANT)
    casework.assign(tid, MENTOR.id, CONSULTANT)
    casework.record_fact(tid, "participation_voluntary", MENTOR)
    casework.record_fact(tid, "goals_agreed", MENTOR)
    casework.fire(tid, "start", CONSULTANT)
    for week in range(3):
        clock.advance(dt.timedelta(days=7))
        casework.record_session(
            tid, MENTOR, held_on=clock.now().date(), participants=2, note=f"Meeting {week + 1}"
        )
    scene.options(tid)
    casework.fire(tid, "begin_review", MENTOR)
    casework.fire(tid, "complete", CONSULTANT, reason="Goals reached: started an education.")
    scene.history(tid)


def _read_back(scene: _Scene, store_url: str, case_ids: list[str]) -> None:
    """Open the store again, independently, and show the demo's cases as stored there."""
    if store_url.startswith("memory:"):
        reader = scene.casework  # a memory store lives only in this object
    else:
        reader = Casework(scene.registry, store=open_store(store_url), clock=scene.clock)
    try:
        cases = reader.load_cases(case_ids, CONSULTANT)
        rows = [reader.store.case_row(case.id) for case in cases]
        table = Table(title=f"Read back from {redact(store_url)}")
        for column in ("case", "workflow", "state", "events", "positions"):
            table.add_column(column)
        for case, row in zip(cases, rows, strict=True):
            stored = reader.store.read_case(case.id)
            positions = f"{stored[0].position}..{stored[-1].position}"
            state = row.state if row else "(not in the index)"
            table.add_row(case.id, case.workflow, state, str(len(stored)), positions)
            if case.events != scene.casework.case(case.id, CONSULTANT).events:
                raise StoreError(f"case {case.id} read back differs from what was written")
        scene.console.print(table)
        scene.console.print(
            f"{len(cases)} cases read back through a new connection; every event is there, "
            f"and the store holds {reader.store.count_cases()} case(s) in all."
        )
    finally:
        if reader is not scene.casework:
            reader.close()


def run_demo(
    registry: Registry,
    console: Console,
    language: Language = "en",
    store_url: str = "memory://",
) -> Casework:
    """Run the Aalborg walk-through on ``registry``, writing to the store at ``store_url``."""
    needed = ("aalborg.radicalisation_under_18", "aalborg.travel_from_18", "aalborg.mentor")
    missing = [wid for wid in needed if not any(d.id == wid for d in registry.workflows.values())]
    if missing:
        raise ConfigError(
            f"ssp demo needs the Aalborg plugin (missing {', '.join(missing)}); "
            "install it with: pip install -e plugins/ssp-aalborg"
        )
    clock = VirtualClock(START)
    store = open_store(store_url)
    scene = _Scene(
        registry=registry,
        casework=Casework(
            registry, store=store, clock=clock, ids=sequential_ids("AAL-", store.count_cases() + 1)
        ),
        clock=clock,
        pseudonyms=Pseudonymiser(secrets.token_bytes(32)),
        console=console,
        language=language,
    )
    console.print(Rule("ssp demo: Tryg Aalborg"))
    console.print(
        "A virtual clock, a fresh random pseudonym key and synthetic CPR numbers; "
        "no CPR number is kept or shown.\n"
    )
    console.print(f"Store: {redact(store_url)}\n")
    before = {row.case_id for row in scene.casework.find(CONSULTANT)}
    _concern_about_a_16_year_old(scene)
    adult = _travel_concern_about_a_19_year_old(scene)
    _mentor_track(scene, adult)
    made = [row.case_id for row in scene.casework.find(CONSULTANT) if row.case_id not in before]
    console.print(Rule("Read back"))
    _read_back(scene, store_url, sorted(made))
    return scene.casework


@click.command()
@click.pass_obj
def demo(obj: Context) -> None:
    """Walk through Aalborg's action cards and a mentor track, writing to the store."""
    casework = run_demo(obj.registry, Console(soft_wrap=False), obj.language, obj.store_url)
    casework.close()
