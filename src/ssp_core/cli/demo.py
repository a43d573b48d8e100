"""``ssp demo``: a walk through Aalborg's action cards and a mentor track.

Two concerns (about a 16-year-old and a 19-year-old) are each moved through the card
chosen for them, and the older person is offered a mentor track. A teacher asks the
INFO house for advice without naming anyone, after the help tool has shown the INFO
house, and the seed's two civil-society activities are logged on their initiative. The demo prints
each case's history and what each actor may do next, shares the first case lawfully
with the police, shows a disclosure that is refused, and re-identifies a person. It
runs on a virtual clock; the synthetic people are entered into the identity vault
under the municipal key, and their CPR numbers and names are never shown.

The key is the one given (``--key-file``, ``SSP_KEY_FILE`` or ``SSP_KEY``); else, for
an SQLite store, the key file next to the database (``ssp.db.key``), made on the
first run; for a memory store a fresh random key. The cases are written to the case
store (by default the embedded SQLite file), and at the end read back through a
second, independent connection to the store, with the same key.

The module is a little over 600 lines because it is one script, read from top to
bottom as the walk-through it prints.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import attrs
import click
from rich.console import Console
from rich.rule import Rule

from ssp_core.application.casework import Casework
from ssp_core.application.repository import sequential_ids
from ssp_core.cli.app import Context
from ssp_core.cli.disclosure import citation
from ssp_core.cli.guide import print_guide
from ssp_core.cli.render import (
    field_groups,
    history_table,
    in_language,
    inert,
    listing,
    options_table,
    print_table,
    role_name,
    state_name,
)
from ssp_core.clock import VirtualClock, local_date
from ssp_core.domain.access import CASEWORK
from ssp_core.domain.concerns import CatalogueKind, WorrySignScope
from ssp_core.domain.labels import Language
from ssp_core.domain.people import Subject
from ssp_core.domain.roles import Actor
from ssp_core.exceptions import (
    AccessDenied,
    ConfigError,
    DataError,
    DisclosureRefused,
    StoreError,
    TransitionRefused,
)
from ssp_core.i18n import _, current_language, label, ngettext
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys, write_key_file
from ssp_core.store.base import CaseStore
from ssp_core.store.records import AuditAction, AuditQuery, CaseQuery
from ssp_core.store.url import open_store, redact
from ssp_core.text import visible
from ssp_core.workflows.definition import WorkflowKind

__all__ = ["demo", "demo_key", "run_demo"]

_DEMO_ID = re.compile(r"^AAL-[0-9]{4}$")

START = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
"""When the demo's virtual clock starts (a Monday)."""

CONSULTANT = Actor("anne.ssp", "aalborg.ssp_consultant")
POLICE = Actor("bo.politi", "aalborg.police_ssp_coordinator")
TEACHER = Actor("dan.laerer", "aalborg.frontline_worker")
MENTOR = Actor("eva.mentor", "aalborg.mentor")
ACTORS = (CONSULTANT, POLICE, TEACHER, MENTOR)

POLICE_PARTNER = "aalborg.nordjyllands_politi"
MOSQUE_PARTNER = "aalborg.mosque_1"
SECTION_115 = "rpl_115_2"
"""Retsplejeloven § 115, stk. 2: an SSP authority (the municipality) discloses to the police."""


def demo_key(store_url: str, console: Console) -> MunicipalKey:
    """Return the demo's municipal key when none was given: next to an SQLite file, or new.

    For ``sqlite:///ssp.db`` the key file is ``ssp.db.key``: read if it exists, else
    made (readable by its owner only) and announced. A memory store gets a fresh key;
    any other store needs a key given (the library's "no municipal key" error).
    """
    scheme, _sep, rest = store_url.partition("://")
    if scheme == "memory":
        return MunicipalKey.generate()
    if scheme != "sqlite" or not rest.startswith("/") or len(rest) < 2:
        return MunicipalKey.from_env({})  # raises: this store needs a key given
    path = Path(rest[1:] + ".key")
    if path.exists():
        found = MunicipalKey.from_file(path)
        console.print(
            _("Using the municipal key {path} (fingerprint {fingerprint}).").format(
                path=path, fingerprint=found.fingerprint
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return found
    made = write_key_file(path)
    console.print(
        _(
            "Created the municipal key {path} (fingerprint {fingerprint}): keep it secret "
            "and safe, without it the demo's personal data cannot be read; use it with: "
            "export SSP_KEY_FILE={quoted}"
        ).format(path=path, fingerprint=made.fingerprint, quoted=shlex.quote(str(path))),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return made


def _person_signs(registry: Registry) -> tuple[str, list[str]]:
    for catalogue in registry.catalogues.values():
        if catalogue.kind is not CatalogueKind.WORRY_SIGNS:
            continue
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


def _workflow_of_kind(registry: Registry, kind: WorkflowKind) -> str:
    """Return the id of a workflow of ``kind`` (the core's walks, findings, activities)."""
    return next((d.id for d in registry.workflows.values() if d.kind is kind), "")


def _purpose(registry: Registry, purpose: str) -> str:
    """Return a purpose's label in the current language; its id if it is not registered."""
    found = registry.purposes.get(purpose)
    return label(found.labels) if found is not None else purpose


def _say(console: Console, text: str, *, whole: bool = False) -> None:
    """Print a sentence of the walk-through: its text as it reads, never as markup.

    It wraps between words at the console's width; ``whole`` prints it on one line,
    for a line with a path that may be longer than the width (never cut).
    """
    console.print(text, markup=False, highlight=False, soft_wrap=whole)


def _refused(console: Console, text: str) -> None:
    """Print what was refused, in yellow, its text as it reads."""
    console.print(f"[yellow]{inert(text)}[/yellow]", highlight=False)


@attrs.define
class _Scene:
    """What the demo's scenes share."""

    registry: Registry
    casework: Casework
    clock: VirtualClock
    console: Console
    language: Language

    def options(self, case_id: str) -> None:
        """Show what each actor may do next; those whose grants do not cover the case, apart."""
        case = self.casework.case(case_id, CONSULTANT, purpose=CASEWORK)
        rows, barred = [], []
        for actor in ACTORS:
            try:
                rows.append((actor, self.casework.options(case_id, actor)))
            except AccessDenied:
                barred.append(f"{actor.id} ({role_name(self.registry, actor.role)})")
        print_table(options_table(case, rows, registry=self.registry), console=self.console)
        if barred:
            _say(
                self.console,
                _("No access to case {case} under their grants: {actors}").format(
                    case=case_id, actors=", ".join(barred)
                ),
            )

    def history(self, case_id: str) -> None:
        """Show the history of a case."""
        case = self.casework.case(case_id, CONSULTANT, purpose=CASEWORK)
        print_table(history_table(case, self.registry), console=self.console)


def _concern_about_a_16_year_old(scene: _Scene) -> None:
    casework, clock = scene.casework, scene.clock
    catalogue, signs = _person_signs(scene.registry)
    youth = casework.enrol("201109-4017", TEACHER, name="Alex Demo (synthetic)")
    case = casework.open_concern(
        situation="aalborg.radicalisation", subject=youth, concern_date=START.date(), actor=TEACHER
    )
    _say(
        scene.console,
        _(
            "Concern 1: a teacher is worried about a pupil aged {age} "
            "(pseudonym {pseudonym}…); card chosen: {card}"
        ).format(age=youth.age_on(START.date()), pseudonym=youth.pseudonym[:8], card=case.workflow),
    )
    cid = case.id
    casework.record_observation(
        cid,
        catalogue=catalogue,
        sign=signs[0],
        observed_by=_("teacher"),
        observed_on=START.date(),
        text=_("Has stopped seeing old friends; spends breaks alone online."),
        actor=TEACHER,
    )
    casework.add_note(
        cid, _("Teacher called the SSP consultant; the worry is written down."), TEACHER
    )
    resources = [c for c in scene.registry.catalogues.values() if c.kind is CatalogueKind.RESOURCES]
    if resources:  # beside the worry sign, what holds the pupil: never counted
        casework.record_resource(
            cid,
            catalogue=resources[0].id,
            factor=resources[0].levels[0].signs[-1].id,
            observed_by=_("teacher"),
            observed_on=START.date(),
            text=_("Plays in the school band every week."),
            actor=TEACHER,
        )
    # Barnets Lov § 133: the teacher notifies children's services the same day; the card's
    # deadline for it ran from the concern's arrival.
    notify = "children_services_notified"
    due = [d.due for d in casework.deadlines(cid, TEACHER) if d.rule == notify]
    casework.record_fact(cid, notify, TEACHER)
    _say(
        scene.console,
        _(
            "Barnets Lov § 133: the teacher notifies children's services the same day and records "
            "{fact} (due {due}, from the concern's arrival)"
        ).format(fact=notify, due=", ".join(d.isoformat() for d in due)),
    )
    clock.advance(dt.timedelta(hours=3))
    casework.record_fact(cid, "concern_described", CONSULTANT)
    casework.fire(cid, "begin_analysis", CONSULTANT)
    clock.advance(dt.timedelta(days=2))
    casework.record_observation(
        cid,
        catalogue=catalogue,
        sign=signs[1],
        observed_by=_("youth club worker"),
        observed_on=clock.now().date(),
        actor=CONSULTANT,
    )
    casework.fire(cid, "complete_analysis", CONSULTANT)
    try:
        casework.fire(cid, "start_intervention", CONSULTANT)
    except TransitionRefused as refused:
        _refused(scene.console, _("Refused, nothing changed: {reason}").format(reason=refused))
    scene.options(cid)
    casework.record_fact(cid, "parents_involved", CONSULTANT)
    clock.advance(dt.timedelta(days=1))
    casework.fire(cid, "start_intervention", CONSULTANT)
    _disclosures(scene, cid)
    clock.advance(dt.timedelta(days=30))
    casework.fire(cid, "begin_follow_up", CONSULTANT)
    clock.advance(dt.timedelta(days=60))
    casework.fire(cid, "close", CONSULTANT, reason=_("Back in school and club; the family agrees."))
    scene.history(cid)
    _reidentify(scene, cid)


def _disclosures(scene: _Scene, cid: str) -> None:
    """Share the case with the police under § 115, stk. 2; a mosque only with consent."""
    casework = scene.casework
    casework.disclose(
        cid,
        CONSULTANT,
        recipient=POLICE_PARTNER,
        legal_basis=SECTION_115,
        categories=["case", "subject", "notes"],
        purpose="disclosure",
        note=_("Shared for the joint intervention plan."),
    )
    try:  # § 115 is for the authorities of the cooperation: a mosque is not one
        casework.disclose(
            cid,
            CONSULTANT,
            recipient=MOSQUE_PARTNER,
            legal_basis=SECTION_115,
            categories=["case", "notes"],
            purpose="disclosure",
        )
    except DisclosureRefused as refused:
        _refused(
            scene.console, _("Disclosure refused, nothing shared: {reason}").format(reason=refused)
        )
    consent = casework.record_consent(
        cid,
        CONSULTANT,
        given_by=["subject", "custody_holder"],
        recipients=[MOSQUE_PARTNER],
        categories=["case"],
        given_on=scene.clock.now().date(),
        scope=_("The pupil and a parent agree that the imam may know a course is under way."),
    )
    casework.disclose(
        cid,
        CONSULTANT,
        recipient=MOSQUE_PARTNER,
        legal_basis="consent",
        categories=["case"],
        purpose="disclosure",
        consent=consent.id,
    )
    for entry in casework.disclosures(CONSULTANT, purpose=CASEWORK, case_id=cid):
        _say(
            scene.console,
            _(
                "Disclosure register: {day} {actor} ({role}) disclosed {categories} of case "
                "{case} to {recipient} under {basis}, for the purpose: {purpose}"
            ).format(
                day=entry.at.strftime("%Y-%m-%d"),
                actor=entry.actor,
                role=entry.role,
                categories=field_groups(entry.categories),
                case=entry.case_id,
                recipient=entry.recipient,
                basis=citation(scene.registry, entry.legal_basis),
                purpose=_purpose(scene.registry, entry.purpose),
            ),
        )


def _reidentify(scene: _Scene, cid: str) -> None:
    """Re-identify the person behind a case: it succeeds, and the audit log has it."""
    identity = scene.casework.reidentify(cid, CONSULTANT, purpose="reidentification")
    audited = [
        entry
        for entry in scene.casework.store.read_audit(AuditQuery(case_id=cid, actor=CONSULTANT.id))
        if entry.action is AuditAction.REIDENTIFY
    ]
    if not identity.cpr or not audited:
        raise StoreError(_("the re-identification of case {case} was not audited").format(case=cid))
    _say(
        scene.console,
        _(
            "Re-identification: {actor} ({role}) looked up the person behind case {case} in the "
            "identity vault for the purpose: {purpose}; it succeeded and is in the audit log "
            "({at} UTC). The CPR number is not shown here."
        ).format(
            actor=CONSULTANT.id,
            role=CONSULTANT.role,
            case=cid,
            purpose=_purpose(scene.registry, "reidentification"),
            at=audited[-1].at.strftime("%Y-%m-%d %H:%M"),
        ),
    )


def _travel_concern_about_a_19_year_old(scene: _Scene) -> Subject:
    casework, clock = scene.casework, scene.clock
    clock.advance(dt.timedelta(days=1))
    adult = casework.enrol("030806-4121", CONSULTANT, name="Sam Demo (synthetic)")
    case = casework.open_concern(
        situation="aalborg.armed_conflict_travel",
        subject=adult,
        concern_date=clock.now().date(),
        actor=CONSULTANT,
    )
    scene.console.print()
    _say(
        scene.console,
        _(
            "Concern 2: the police learn of plans to travel to a conflict zone and tell the "
            "SSP consultant; person aged {age}; card chosen: {card}"
        ).format(age=adult.age_on(clock.now().date()), card=case.workflow),
    )
    for instruction in casework.view_of(case, CONSULTANT).instructions:
        text = _("At intake: {instruction}").format(instruction=label(instruction.labels))
        scene.console.print(f"  [bold red]{inert(text)}[/bold red]", highlight=False)
    cid = case.id
    # The police screen: only they may record PET and the passport measures.
    casework.record_fact(cid, "police_screening_done", POLICE)
    casework.record_fact(cid, "pet_informed", POLICE)
    casework.record_fact(cid, "passport_measures_considered", POLICE)
    casework.fire(
        cid, "release_to_casework", POLICE, reason=_("No criminal or acute security aspects.")
    )
    casework.record_fact(cid, "concern_described", POLICE)
    casework.fire(cid, "begin_analysis", CONSULTANT)
    casework.fire(cid, "refer_to_info_house", CONSULTANT)
    clock.advance(dt.timedelta(days=3))
    # The INFO house is the SSP consultants and the police SSP coordinator: one of them.
    casework.fire(cid, "info_house_assessed", POLICE, reason=_("Advise a voluntary mentor offer."))
    casework.record_fact(cid, "offer_voluntary_explained", CONSULTANT)
    casework.record_fact(
        cid, "consent_given", CONSULTANT, detail=_("Given in a meeting; scope: a mentor course.")
    )
    scene.options(cid)
    casework.fire(cid, "start_intervention", CONSULTANT)
    scene.history(cid)
    return adult


def _mentor_track(scene: _Scene, person: Subject) -> None:
    casework, clock = scene.casework, scene.clock
    track = casework.open_case(
        workflow="aalborg.mentor",
        subject=person,
        actor=CONSULTANT,
        reason=_("Offered in concern 2"),
    )
    tid = track.id
    scene.console.print()
    _say(
        scene.console,
        _("A mentor track is opened for the same person: {case}").format(case=tid),
    )
    casework.fire(tid, "accept_referral", CONSULTANT)
    casework.assign(tid, MENTOR.id, CONSULTANT)
    casework.record_fact(tid, "participation_voluntary", MENTOR)
    casework.record_fact(tid, "custody_holder_involved", CONSULTANT)
    casework.record_fact(tid, "goals_agreed", MENTOR)
    casework.fire(tid, "start", CONSULTANT)
    for week in range(3):
        clock.advance(dt.timedelta(days=7))
        casework.record_session(
            tid,
            MENTOR,
            held_on=clock.now().date(),
            participants=2,
            note=_("Meeting {n}").format(n=week + 1),
        )
    scene.options(tid)
    casework.fire(tid, "begin_review", MENTOR)
    casework.fire(tid, "complete", CONSULTANT, reason=_("Goals reached: started an education."))
    scene.history(tid)


def _advice_request(scene: _Scene) -> None:
    """Show the help tool's INFO house, then a teacher's advice request it answers."""
    casework, clock, console = scene.casework, scene.clock, scene.console
    console.print(Rule(inert(_("The INFO house: advice without naming anyone"))))
    print_guide(
        Console(soft_wrap=True, highlight=False, file=console.file),
        casework.guide(language=scene.language, sections=["info-house"]),
    )
    asked = casework.advice.ask(
        _(
            "A pupil in 7th grade has started to share videos from an extremist group in class. "
            "What should the school do, and is this a matter for an action card?"
        ),
        TEACHER,
        situation="aalborg.radicalisation",
    )
    due = ", ".join(d.due.isoformat() for d in asked.due)
    _say(
        console,
        _(
            "Advice request {case}: a teacher asks the INFO house without naming the pupil "
            "(`ssp advice ask`); advice due {due}. A CPR number or a pseudonym in the text would "
            "be refused."
        ).format(case=asked.id, due=due),
    )
    clock.advance(dt.timedelta(days=1))
    answered = casework.advice.answer(
        asked.id,
        _(
            "Talk with the pupil and the parents about the videos, note what you see with the "
            "worry-sign guide, and call us again if the worry remains: then we open a concern."
        ),
        POLICE,
    )
    request = casework.advice.request(asked.id, TEACHER)
    state = state_name(scene.registry, answered.workflow, answered.state, answered.workflow_version)
    _say(
        console,
        _(
            "The police SSP coordinator, a member of the INFO house, answers the next day "
            "(state: {state}); the teacher reads the advice: {advice}"
        ).format(state=state, advice=request.advice),
    )
    casework.advice.close(asked.id, CONSULTANT, reason=_("The advice was enough for now."))
    scene.history(asked.id)


def _safety_walks(scene: _Scene) -> None:
    """Put the plugin's example safety walks in the store (once) and list the open findings."""
    casework, registry = scene.casework, scene.registry
    if not registry.example_walks:
        return
    scene.console.print(Rule(inert(_("Safety walks"))))
    for name in registry.example_walks:
        cases = casework.import_walk(name, CONSULTANT)
        if cases:
            found = len(cases) - 1
            _say(
                scene.console,
                ngettext(
                    "Example walk {name}: walk {case} with {n} finding",
                    "Example walk {name}: walk {case} with {n} findings",
                    found,
                ).format(name=name, case=cases[0].id, n=found),
            )
    walks = {w.case_id: w for w in casework.walks(CONSULTANT, purpose=CASEWORK)}
    findings = _workflow_of_kind(registry, WorkflowKind.SAFETY_FINDING)
    rows = []
    for finding in casework.findings(CONSULTANT, purpose=CASEWORK, open_only=True):
        walk = walks.get(finding.walk)
        locality = registry.localities.get(walk.locality) if walk else None
        category = registry.finding_categories.get(finding.category)
        where = label(locality.labels) if locality else finding.locality
        where += f": {finding.place.description}"
        state = state_name(registry, findings, finding.state)
        for due in finding.due:
            state += "\n" + _("due {day}").format(day=due.due.isoformat())
        rows.append(
            (
                inert(finding.case_id),
                inert(where),
                inert(label(category.labels) if category else finding.category),
                inert(state),
            )
        )
    columns = (_("finding"), _("where"), _("category"), _("state"))
    title = _("Open safety-walk findings (`ssp walk findings --open`)")
    print_table(listing(inert(title), columns, rows, ids=columns[:1]), console=scene.console)
    _say(
        scene.console,
        _("Write a walk's report (Markdown, HTML and a map) with:")
        + "\n  `ssp walk report WALK_ID --out reports/`",
    )
    scene.console.print()


def _initiative_activities(scene: _Scene) -> None:
    """Log the seed's civil-society activities (the plugin's examples) and list them.

    The seed gives no dates and no numbers of participants: the dates below are the
    demo's own (a visit two weeks ago, an evening event three weeks ahead), and no number
    is invented.
    """
    casework, console, registry = scene.casework, scene.console, scene.registry
    today = local_date(scene.clock.now())
    examples = {
        "aalborg.imam_visits_skuret": today - dt.timedelta(days=14),
        "aalborg.evening_event_loevvangen": today + dt.timedelta(days=21),
    }
    if not all(name in registry.example_activities for name in examples):
        return
    console.print(Rule(inert(_("Initiative activities: civil society"))))
    for name, day in examples.items():
        casework.activities.import_example(name, CONSULTANT, held_on=day)
    try:
        casework.activities.log(
            "radicalisation_prevention",
            kind="dialogue_meeting",
            held_on=today,
            actor=CONSULTANT,
            description=_("Talked with the boy {cpr} and his friends.").format(cpr="120311-4006"),
        )
    except DataError as refused:
        _refused(console, _("Refused, nothing stored: {reason}").format(reason=refused))
    rows = []
    for found in casework.activities.activities(CONSULTANT, initiative="radicalisation_prevention"):
        kind = registry.activity_kinds.get(found.kind)
        partners = [registry.partners.get(p) for p in found.partners]
        rows.append(
            (
                inert(found.case_id),
                found.held_on.isoformat(),
                inert(label(kind.labels) if kind else found.kind),
                inert(state_name(registry, found.workflow, found.state)),
                inert(", ".join(label(p.labels) for p in partners if p is not None)),
            )
        )
    columns = (_("activity"), _("date"), _("kind"), _("state"), _("partners"))
    title = _("Activities of the radicalisation initiative (`ssp initiative activities`)")
    print_table(listing(inert(title), columns, rows, ids=columns[:2]), console=console)
    _say(
        console,
        _(
            "The goal report counts the held ones per kind and year; the people who took part "
            "are a number, never names. Write it with:"
        )
        + "\n  `ssp evaluate initiative radicalisation_prevention ...`",
    )
    console.print()


def _check_demo_store(store: CaseStore, store_url: str) -> None:
    """Refuse a store that holds anything the demo did not make (issue 15, item 7).

    The demo writes fictitious cases, re-identifications and disclosures; into a store
    with real data they would mix with it. A store is the demo's if every case in it
    has a demo id (``AAL-0001``) and was opened by one of the demo's actors.
    """
    rows = store.find_cases(CaseQuery())
    if not rows:
        return
    ours = {actor.id for actor in ACTORS}
    foreign = [row.case_id for row in rows if not _DEMO_ID.match(row.case_id)]
    if not foreign:
        opened = store.read_cases([row.case_id for row in rows])
        foreign = [cid for cid, events in opened.items() if events[0].actor not in ours]
    if foreign:
        raise ConfigError(
            ngettext(
                "ssp demo writes only into an empty store or one it made itself; {store} holds "
                "{n} case it did not make (e.g. {case}): give the demo a store of its own, e.g. "
                "--store sqlite:///demo.db",
                "ssp demo writes only into an empty store or one it made itself; {store} holds "
                "{n} cases it did not make (e.g. {case}): give the demo a store of its own, e.g. "
                "--store sqlite:///demo.db",
                len(foreign),
            ).format(store=redact(store_url), n=len(foreign), case=visible(sorted(foreign)[0]))
        )


def _read_back(scene: _Scene, store_url: str, case_ids: list[str], key: MunicipalKeys) -> None:
    """Open the store again, independently, and show the demo's cases as stored there."""
    if store_url.startswith("memory:"):
        reader = scene.casework  # a memory store lives only in this object
    else:
        reader = Casework(scene.registry, store=open_store(store_url), key=key, clock=scene.clock)
    try:
        cases = reader.load_cases(case_ids, CONSULTANT, purpose=CASEWORK)
        rows = []
        for case in cases:
            row = reader.store.case_row(case.id)
            stored = reader.store.read_case(case.id)
            state = (
                state_name(scene.registry, case.workflow, row.state, case.workflow_version)
                if row
                else _("(not in the index)")
            )
            rows.append(
                (
                    inert(case.id),
                    inert(case.workflow),
                    inert(state),
                    f"{len(stored)} ({stored[0].position}..{stored[-1].position})",
                )
            )
            if case.events != scene.casework.case(case.id, CONSULTANT, purpose=CASEWORK).events:
                raise StoreError(
                    _("case {case} read back differs from what was written").format(case=case.id)
                )
        columns = (_("case"), _("workflow"), _("state"), _("events"))
        title = _("The demo's cases as stored")
        table = listing(inert(title), columns, rows, ids=(*columns[:2], columns[3]))
        _say(
            scene.console, _("Read back from {store}:").format(store=redact(store_url)), whole=True
        )
        print_table(table, console=scene.console)
        count, stored_in_all = len(cases), reader.store.count_cases()
        read = ngettext(
            "{n} case read back through a new connection; every event is there.",
            "{n} cases read back through a new connection; every event is there.",
            count,
        ).format(n=count)
        held = ngettext(
            "The store holds {n} case in all.", "The store holds {n} cases in all.", stored_in_all
        ).format(n=stored_in_all)
        _say(scene.console, f"{read} {held}")
    finally:
        if reader is not scene.casework:
            reader.close()


def run_demo(
    registry: Registry,
    console: Console,
    language: Language | None = None,
    store_url: str = "memory://",
    key: MunicipalKey | MunicipalKeys | None = None,
) -> Casework:
    """Run the Aalborg walk-through on ``registry``, writing to the store at ``store_url``.

    ``key`` is the municipal key (or keys); if not given, :func:`demo_key` finds or
    makes one. The walk-through is told in ``language`` (default: the current one);
    the texts it writes into the cases (notes, reasons) are in that language too.
    """
    with in_language(language):
        return _run(registry, console, store_url, key)


def _run(
    registry: Registry,
    console: Console,
    store_url: str,
    key: MunicipalKey | MunicipalKeys | None,
) -> Casework:
    needed = ("aalborg.radicalisation_under_18", "aalborg.travel_from_18", "aalborg.mentor")
    missing = [wid for wid in needed if not any(d.id == wid for d in registry.workflows.values())]
    if missing:
        raise ConfigError(
            _(
                "ssp demo needs the Aalborg plugin (missing {missing}); "
                "install it with: pip install -e plugins/ssp-aalborg"
            ).format(missing=", ".join(missing))
        )
    clock = VirtualClock(START)
    store = open_store(store_url)
    try:
        _check_demo_store(store, store_url)
    except BaseException:
        store.close()
        raise
    console.print(Rule(inert(_("ssp demo: Tryg Aalborg"))))
    try:
        keys = MunicipalKeys.of(key) or MunicipalKeys(demo_key(store_url, console))
        fingerprint = keys.for_municipality("aalborg").fingerprint
    except BaseException:
        store.close()
        raise
    scene = _Scene(
        registry=registry,
        casework=Casework(
            registry,
            store=store,
            key=keys,
            clock=clock,
            ids=sequential_ids("AAL-", store.count_cases() + 1),
        ),
        clock=clock,
        console=console,
        language=current_language(),
    )
    _say(
        console,
        _(
            "A virtual clock, Aalborg's municipal key (fingerprint {fingerprint}) and synthetic "
            "people: their CPR numbers and names are sealed in the identity vault and never "
            "shown."
        ).format(fingerprint=fingerprint),
    )
    console.print()
    _say(console, _("Store: {store}").format(store=redact(store_url)), whole=True)
    console.print()
    try:
        before = {row.case_id for row in scene.casework.find(CONSULTANT)}
        _concern_about_a_16_year_old(scene)
        adult = _travel_concern_about_a_19_year_old(scene)
        _mentor_track(scene, adult)
        _advice_request(scene)
        _safety_walks(scene)
        _initiative_activities(scene)
        made = [row.case_id for row in scene.casework.find(CONSULTANT) if row.case_id not in before]
        console.print(Rule(inert(_("Read back"))))
        _read_back(scene, store_url, sorted(made), keys)
    except BaseException:
        scene.casework.close()
        raise
    return scene.casework


@click.command()
@click.pass_obj
def demo(obj: Context) -> None:
    """Walk through Aalborg's action cards and a mentor track, writing to the store.

    Uses the municipal key given (--key-file, SSP_KEY_FILE or SSP_KEY); else, for an
    SQLite store, the key file next to it (ssp.db.key), made on the first run.
    """
    casework = run_demo(
        obj.registry, Console(soft_wrap=False), obj.language, obj.store_url, key=obj.key()
    )
    casework.close()
