"""The whole role x operation matrix of Aalborg's grants: every cell performed and checked.

``GRID`` is the intended policy, written by hand from ``privacy.toml`` as a reviewer
reads it (it is not computed from the grants). Each cell is performed through the
public :class:`ssp_core.Casework` API by an actor of its own, in one of three
contexts:

* ``a``: an action card (``aalborg.radicalisation_under_18``) opened by an SSP
  consultant and assigned to no one;
* ``b``: a mentor track (``aalborg.mentor``) assigned to the acting actor;
* ``c``: a mentor track assigned to someone else.

A cell lists the contexts in which the operation is allowed (``-``: none). An
allowed cell must not raise :class:`~ssp_core.AccessDenied` and is audited; a
refused one raises it naming the operation and the role, changes neither the
case's events, its key nor the case index, and adds exactly one ``DENIED`` audit
entry for the actor.
"""

from __future__ import annotations

import datetime as dt
import itertools
import pathlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from ssp_core import (
    AccessDenied,
    Actor,
    CaseQuery,
    Casework,
    MunicipalKey,
    Subject,
    VirtualClock,
    hookimpl,
    load_registry,
)
from ssp_core.domain.access import OPERATIONS
from ssp_core.domain.events import ObservationRecorded
from ssp_core.domain.redaction import WITHHELD
from ssp_core.exceptions import DataError, MovedSincePlan, UnknownId
from ssp_core.plugins import Grant, Labels, Role
from ssp_core.store.records import AuditAction, AuditEntry, AuditQuery
from tests.privacy.conftest import Backend, MakeCasework

COLUMNS = {
    "open": "case.open",
    "ovrd": "case.open_outside_band",
    "read": "case.read",
    "srch": "case.search",
    "fire": "case.fire",
    "fact": "case.fact",
    "obsv": "case.observe",
    "note": "case.note",
    "asgn": "case.assign",
    "move": "case.move",
    "hold": "case.hold",
    "extd": "case.extend",
    "ddln": "case.deadlines",
    "migr": "case.migrate",
    "expt": "case.export",
    "disc": "case.disclose",
    "dlst": "disclosure.list",
    "enrl": "identity.enrol",
    "reid": "identity.reidentify",
    "corr": "identity.correct",
    "audt": "audit.read",
    "retn": "retention.run",
    "rsch": "research.export",
    "eval": "report.evaluate",
    "seal": "store.seal",
    "upgr": "store.upgrade",
    "rotk": "key.rotate",
}

GRID = """
role                            open ovrd read srch fire fact obsv note asgn move hold extd ddln migr expt disc dlst enrl reid corr audt retn rsch eval seal upgr rotk
aalborg.ssp_consultant          abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  abc  -    -    -    abc  -    -    -
aalborg.police_ssp_coordinator  a    -    a    a    a    a    a    a    a    -    a    a    -    -    a    a    abc  abc  a    a    -    -    -    -    -    -    -
aalborg.frontline_worker        a    -    -    a    -    -    -    -    -    -    -    -    -    -    -    -    -    abc  -    -    -    -    -    -    -    -    -
aalborg.partner_contact         -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
aalborg.mentor                  -    -    b    bc   b    b    -    b    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
aalborg.parent_coach            -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
aalborg.dialogue_ambassador     -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
aalborg.researcher              -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    abc  abc  -    -    -
aalborg.administrator           -    -    -    abc  -    -    -    -    -    -    -    -    abc  abc  -    -    abc  -    -    -    abc  abc  -    -    abc  abc  abc
"""
"""The intended policy: per role and operation, the contexts (a, b, c) where it is allowed."""

ASSIGNED_ONLY = {
    "aalborg.frontline_worker",
    "aalborg.mentor",
    "aalborg.parent_coach",
    "aalborg.dialogue_ambassador",
}
"""The roles whose case work covers only their own cases (a search lists only those)."""

CONTEXTS = "abc"
TODAY = dt.date(2026, 3, 2)
ACTION_CARD = "aalborg.radicalisation_under_18"
MENTOR = "aalborg.mentor"
POLICE = "aalborg.nordjyllands_politi"
POLICE_COORDINATOR = "aalborg.police_ssp_coordinator"
CONSULTANT = Actor("consultant", "aalborg.ssp_consultant")


def intended() -> dict[str, dict[str, str]]:
    """Return GRID as role -> operation -> allowed contexts ("" for none)."""
    lines = [line.split() for line in GRID.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    table: dict[str, dict[str, str]] = {}
    for role, *cells in rows:
        assert len(cells) == len(header), f"row {role} has {len(cells)} cells"
        table[role] = {
            COLUMNS[name]: "" if cell == "-" else cell
            for name, cell in zip(header, cells, strict=True)
        }
    return table


INTENDED = intended()


def cprs() -> Iterator[str]:
    """Yield distinct CPR numbers of people born in March 2011 (15 years old in 2026)."""
    for n in itertools.count():
        yield f"{n % 28 + 1:02d}0311-4{n // 28:03d}"


def purpose_for(role: str, operation: str) -> str:
    """Return a purpose the role's grants allow for the operation (casework if none)."""
    if role == "aalborg.researcher":
        return "research"
    if role == "aalborg.administrator":
        return {"audit.read": "audit", "retention.run": "retention"}.get(
            operation, "administration"
        )
    return {
        "identity.reidentify": "reidentification",
        "case.disclose": "disclosure",
        "disclosure.list": "disclosure",
        "report.evaluate": "research",
    }.get(operation, "casework")


@attrs.frozen
class Context:
    """The case a cell acts on, and what the operations need to know of it."""

    name: str
    case_id: str
    workflow: str
    cpr: str
    state: str
    rule: str
    due: dt.date


@attrs.define
class World:
    """A store with Aalborg's data, a consultant who sets cases up, and fresh CPR numbers.

    A context's case is kept for the next cell until an allowed cell changes its
    state, assignee, hold or deadlines; a refused cell changes nothing (checked).
    """

    casework: Casework
    tmp: pathlib.Path
    consultant: Actor = CONSULTANT
    numbers: Iterator[str] = attrs.field(factory=cprs)
    kept: dict[tuple[str, str], Context] = attrs.field(factory=dict)

    def subject(self, name: str = "Test Person") -> tuple[str, Subject]:
        cpr = next(self.numbers)
        return cpr, self.casework.enrol(cpr, self.consultant, name=name)

    def context(self, name: str, actor: Actor) -> Context:
        """Return the case of context ``name`` for ``actor``: kept, or set up anew."""
        kept = self.kept.get((name, actor.id))
        if kept is None:
            kept = self.kept[name, actor.id] = self.new_context(name, actor)
        return kept

    def discard(self, name: str, actor: Actor) -> None:
        """Set up a new case for the next cell of this context."""
        self.kept.pop((name, actor.id), None)

    def new_context(self, name: str, actor: Actor) -> Context:
        """Set up the case of context ``name`` for ``actor`` (as the consultant)."""
        cw, consultant = self.casework, self.consultant
        cpr, subject = self.subject()
        if name == "a":
            case = cw.open_concern(
                situation="aalborg.radicalisation",
                subject=subject,
                concern_date=TODAY,
                actor=consultant,
                reason="what was seen",
            )
            case = cw.record_fact(case.id, "concern_described", consultant)
        else:
            case = cw.open_case(workflow=MENTOR, subject=subject, actor=consultant)
            cw.fire(case.id, "accept_referral", consultant)
            owner = actor.id if name == "b" else "mentor-someone-else"
            case = cw.assign(case.id, owner, consultant)
        due = case.due[0]  # the state's own deadline (an action card's § 133 one follows)
        return Context(name, case.id, case.workflow, cpr, case.state, due.rule, due.due)


def _open(w: World, actor: Actor, ctx: Context, purpose: str) -> object:
    _, subject = w.subject()
    if ctx.name == "a":
        return w.casework.open_concern(
            situation="aalborg.radicalisation",
            subject=subject,
            concern_date=TODAY,
            actor=actor,
            purpose=purpose,
        )
    return w.casework.open_case(workflow=MENTOR, subject=subject, actor=actor, purpose=purpose)


def _open_outside_band(w: World, actor: Actor, _ctx: Context, purpose: str) -> object:
    # The 18+ card for a 15-year-old: only a role granted the override, with a reason.
    _, subject = w.subject()
    return w.casework.open_case(
        workflow="aalborg.radicalisation_from_18",
        subject=subject,
        actor=actor,
        outside_band=True,
        reason="placed in an adult setting; agreed with children's services",
        purpose=purpose,
    )


def _fire(w: World, actor: Actor, ctx: Context, purpose: str) -> object:
    # Triggers the workflow allows every role that may fire here: begin_analysis
    # (consultant, police, INFO house) and end_early (consultant, mentor).
    trigger = "begin_analysis" if ctx.name == "a" else "end_early"
    case = w.casework.fire(ctx.case_id, trigger, actor, reason="why", purpose=purpose)
    assert case.state == ("analysis" if ctx.name == "a" else "ended_early")
    return case


def _migrate(w: World, actor: Actor, ctx: Context, purpose: str) -> object:
    # Aalborg has version 1 only: a permitted move is refused as planned too late.
    with pytest.raises(MovedSincePlan):
        w.casework.migrate_case(
            ctx.case_id, 1, ctx.state, actor, expected_state=ctx.state, purpose=purpose
        )
    return None


def _move(w: World, actor: Actor, ctx: Context, purpose: str) -> object:
    # Aalborg is the only municipality here: a permitted move is refused as no move.
    with pytest.raises(DataError, match="is already municipality 'aalborg''s"):
        w.casework.move_case(
            ctx.case_id, "aalborg", actor, legal_basis="consent", reason="moved", purpose=purpose
        )
    return None


def _enrol(w: World, actor: Actor, _ctx: Context, purpose: str) -> object:
    cpr = next(w.numbers)
    pseudonym = w.casework.pseudonymiser.pseudonym(cpr)
    try:
        return w.casework.enrol(cpr, actor, name="Enrolled Person", purpose=purpose)
    except AccessDenied:
        assert w.casework.store.read_identity(pseudonym) is None
        raise


def _reidentify(w: World, actor: Actor, ctx: Context, purpose: str) -> object:
    identity = w.casework.reidentify(ctx.case_id, actor, purpose=purpose)
    assert identity.cpr == ctx.cpr.replace("-", "")
    return identity


def _research_export(w: World, actor: Actor, _ctx: Context, purpose: str) -> object:
    out = w.tmp / f"export-{next(w.numbers)}"
    try:
        return w.casework.research_export(actor, kind="tables", out=out, purpose=purpose)
    except AccessDenied:
        assert not out.exists(), "a refused export wrote files"
        raise


def _rotate(w: Any, a: Actor, c: Any, p: str) -> Any:
    """Rotate Aalborg's key: its first own key, written to a folder of the test's own."""
    folder = w.tmp / "keys"
    folder.mkdir(exist_ok=True)
    return w.casework.rotate_key(a, "aalborg", key_dir=folder, purpose=p)


OPERATION_CALLS: dict[str, Callable[[World, Actor, Context, str], object]] = {
    "case.open": _open,
    "case.open_outside_band": _open_outside_band,
    "case.read": lambda w, a, c, p: w.casework.case(c.case_id, a, purpose=p),
    "case.search": lambda w, a, c, p: w.casework.find(a, CaseQuery(workflow=c.workflow), purpose=p),
    "case.fire": _fire,
    "case.fact": lambda w, a, c, p: w.casework.record_fact(
        c.case_id, "parents_involved" if c.name == "a" else "participation_voluntary", a, purpose=p
    ),
    "case.observe": lambda w, a, c, p: w.casework.record_observation(
        c.case_id,
        catalogue="aalborg.worry_signs",
        sign="relations.new_closed_circle",
        observed_by="a teacher",
        observed_on=TODAY,
        actor=a,
        text="what was seen",
        purpose=p,
    ),
    "case.note": lambda w, a, c, p: w.casework.add_note(c.case_id, "a note", a, purpose=p),
    "case.assign": lambda w, a, c, p: w.casework.assign(c.case_id, "someone", a, purpose=p),
    "case.move": _move,
    "case.hold": lambda w, a, c, p: w.casework.suspend(c.case_id, a, reason="why", purpose=p),
    "case.extend": lambda w, a, c, p: w.casework.extend_deadline(
        c.case_id, c.rule, c.due + dt.timedelta(days=7), a, reason="why", purpose=p
    ),
    "case.deadlines": lambda w, a, c, p: w.casework.record_missed_deadlines(a, purpose=p),
    "case.migrate": _migrate,
    "case.export": lambda w, a, c, p: w.casework.export(c.case_id, a, purpose=p),
    "case.disclose": lambda w, a, c, p: w.casework.disclose(
        c.case_id,
        a,
        # The police disclose to the municipality (stk. 1, nr. 1), the municipality to
        # the police (stk. 2): each role discloses in its own direction.
        recipient="aalborg.social_services" if a.role == POLICE_COORDINATOR else POLICE,
        legal_basis="rpl_115_1_1" if a.role == POLICE_COORDINATOR else "rpl_115_2",
        categories=["case"],
        purpose=p,
    ),
    "disclosure.list": lambda w, a, c, p: w.casework.disclosures(a, purpose=p),
    "identity.enrol": _enrol,
    "identity.reidentify": _reidentify,
    "identity.correct": lambda w, a, c, p: w.casework.correct_identity(
        c.case_id, a, name="Corrected Name", contact=None, purpose=p
    ),
    "audit.read": lambda w, a, c, p: w.casework.audit_log(a, purpose=p),
    "retention.run": lambda w, a, c, p: w.casework.retention_due(a, purpose=p),
    "research.export": _research_export,
    "report.evaluate": lambda w, a, c, p: w.casework.evaluate(a, term="2026-2029", purpose=p),
    "store.seal": lambda w, a, c, p: w.casework.seal_unsealed(a, purpose=p),
    "store.upgrade": lambda w, a, c, p: w.casework.upgrade_store(a, purpose=p),
    # Only the administrator may rotate (a first own key for Aalborg, in the test's folder).
    "key.rotate": _rotate,
}

UNAUDITED_WHEN_ALLOWED = {"case.migrate", "case.move", "store.seal"}
"""Allowed cells that change nothing: a migration planned too late, nothing to seal."""
CHANGES_THE_CASE = {"case.fire", "case.assign", "case.hold", "case.extend"}
"""Allowed cells after which the context's case is set up anew."""


def test_the_grid_covers_every_role_and_every_operation(aalborg: Any) -> None:
    assert set(INTENDED) == set(aalborg.roles)
    assert set(COLUMNS.values()) == set(OPERATIONS)
    assert set(OPERATION_CALLS) == set(OPERATIONS)


def _snapshot(cw: Casework, ctx: Context) -> tuple[object, ...]:
    rows = cw.store.find_cases(CaseQuery())
    return (
        rows,
        cw.store.read_case(ctx.case_id),
        cw.store.read_keys([row.case_id for row in rows]),
    )


def _new_audit(cw: Casework, actor: Actor, before: Counter[AuditEntry]) -> list[AuditEntry]:
    return list((Counter(cw.store.read_audit(AuditQuery(actor=actor.id))) - before).elements())


def _check_cell(w: World, role: str, operation: str, ctx_name: str) -> None:
    allowed = ctx_name in INTENDED[role][operation]
    actor = Actor(f"{role}.{ctx_name}", role)
    ctx = w.context(ctx_name, actor)
    purpose = purpose_for(role, operation)
    cw = w.casework
    before = _snapshot(cw, ctx)
    audit_before = Counter(cw.store.read_audit(AuditQuery(actor=actor.id)))
    try:
        result = OPERATION_CALLS[operation](w, actor, ctx, purpose)
    except AccessDenied as denied:
        assert not allowed, f"refused, but intended allowed: {denied}"
        assert denied.operation == operation
        assert denied.role == role
        assert operation in str(denied)
        assert role in str(denied)
        assert _snapshot(cw, ctx) == before, "a refused call changed the store"
        new = _new_audit(cw, actor, audit_before)
        assert [e.action for e in new] == [AuditAction.DENIED], f"audit after refusal: {new}"
        assert new[0].role == role
        assert operation in (new[0].detail or "")
        return
    except BaseException:
        w.discard(ctx_name, actor)
        raise
    if operation in CHANGES_THE_CASE:
        w.discard(ctx_name, actor)
    assert allowed, "allowed, but intended refused"
    new = _new_audit(cw, actor, audit_before)
    assert all(e.action is not AuditAction.DENIED for e in new), new
    if operation not in UNAUDITED_WHEN_ALLOWED:
        assert new, "an allowed call left no audit entry"
    if operation == "case.search":
        listed = ctx.case_id in [row.case_id for row in result]  # type: ignore[attr-defined]
        assert listed == (role not in ASSIGNED_ONLY or ctx_name == "b"), (
            f"the search {'lists' if listed else 'misses'} the context's case"
        )
        assert all(row.workflow == ctx.workflow for row in result)  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", list(INTENDED))
def test_every_cell_of_the_matrix(
    role: str, make_casework: MakeCasework, tmp_path: pathlib.Path
) -> None:
    world = World(make_casework(), tmp_path)
    failures = []
    for operation, ctx_name in itertools.product(OPERATIONS, CONTEXTS):
        try:
            _check_cell(world, role, operation, ctx_name)
        except AssertionError as failure:
            intent = "allowed" if ctx_name in INTENDED[role][operation] else "refused"
            failures.append(f"{role} x {operation} on {ctx_name} ({intent}): {failure}")
    assert not failures, "\n".join(failures)


# --- the reads behind the matrix ----------------------------------------------------------


def _track(world: World, assignee: str | None) -> str:
    cw, consultant = world.casework, world.consultant
    _, subject = world.subject()
    case = cw.open_case(workflow=MENTOR, subject=subject, actor=consultant)
    if assignee is not None:
        cw.assign(case.id, assignee, consultant)
    return case.id


def test_a_corps_member_finds_only_their_assigned_cases(
    make_casework: MakeCasework, tmp_path: pathlib.Path
) -> None:
    world = World(make_casework(), tmp_path)
    mine = {_track(world, "mentor-1"), _track(world, "mentor-1")}
    _track(world, "mentor-2")
    _track(world, None)
    world.context("a", Actor("nobody", "aalborg.frontline_worker"))
    mentor = Actor("mentor-1", "aalborg.mentor")
    assert {row.case_id for row in world.casework.find(mentor)} == mine
    assert {row.case_id for row in world.casework.find(mentor, CaseQuery(workflow=MENTOR))} == mine
    assert world.casework.find(Actor("mentor-3", "aalborg.mentor")) == []
    assert len(world.casework.find(world.consultant)) == 5


def test_a_researcher_reads_no_single_case(
    make_casework: MakeCasework, tmp_path: pathlib.Path
) -> None:
    world = World(make_casework(), tmp_path)
    ctx = world.context("a", world.consultant)
    researcher = Actor("researcher-1", "aalborg.researcher")
    cw = world.casework
    for call in (
        lambda: cw.case(ctx.case_id, researcher, purpose="research"),
        lambda: cw.load_cases([ctx.case_id], researcher, purpose="research"),
        lambda: cw.export(ctx.case_id, researcher, purpose="research"),
        lambda: cw.history(ctx.case_id, researcher, purpose="research"),
        lambda: cw.find(researcher, purpose="research"),
    ):
        with pytest.raises(AccessDenied):
            call()
    denied = cw.store.read_audit(AuditQuery(actor=researcher.id))
    assert [e.action for e in denied] == [AuditAction.DENIED] * 5


def test_a_mentor_reads_the_notes_of_their_track_but_no_worry_signs(
    make_casework: MakeCasework, tmp_path: pathlib.Path
) -> None:
    world = World(make_casework(), tmp_path)
    cw, consultant = world.casework, world.consultant
    mentor = Actor("mentor-1", "aalborg.mentor")
    track = _track(world, mentor.id)
    cw.add_note(track, "the note the mentor may read", consultant)
    cw.record_observation(
        track,
        catalogue="aalborg.worry_signs",
        sign="relations.new_closed_circle",
        observed_by="the consultant",
        observed_on=TODAY,
        actor=consultant,
        text="a worry sign the mentor may not see",
    )
    case = cw.case(track, mentor, purpose="casework")
    assert "the note the mentor may read" in [getattr(e, "text", None) for e in case.events]
    assert isinstance(case.subject, Subject)
    (seen,) = [e for e in case.events if isinstance(e, ObservationRecorded)]
    assert seen.observation.text == WITHHELD
    assert seen.observation.observed_by == WITHHELD
    assert seen.observation.sign == "withheld"
    full = cw.case(track, consultant, purpose="casework")
    (shown,) = [e for e in full.events if isinstance(e, ObservationRecorded)]
    assert shown.observation.text == "a worry sign the mentor may not see"
    # An action card is not the mentor's to read at all, observations or not.
    ctx = world.context("a", mentor)
    with pytest.raises(AccessDenied):
        cw.case(ctx.case_id, mentor, purpose="casework")


def test_the_info_house_is_its_members_and_not_a_role(
    make_casework: MakeCasework, tmp_path: pathlib.Path
) -> None:
    world = World(make_casework(), tmp_path)
    house = world.casework.registry.info_houses["aalborg.info_house"]
    assert house.member_roles == ("aalborg.ssp_consultant", "aalborg.police_ssp_coordinator")
    ctx = world.context("a", world.consultant)
    before = world.casework.store.max_position()
    retired = Actor("info-1", "aalborg.info_house_member")
    with pytest.raises(UnknownId, match="unknown role 'aalborg.info_house_member'"):
        world.casework.case(ctx.case_id, retired, purpose="casework")
    assert world.casework.store.max_position() == before


def test_a_frontline_worker_sees_the_concern_they_opened_but_not_another(
    make_casework: MakeCasework, tmp_path: pathlib.Path
) -> None:
    world = World(make_casework(), tmp_path)
    cw = world.casework
    worker = Actor("worker-1", "aalborg.frontline_worker")
    _, subject = world.subject()
    own = cw.open_concern(
        situation="aalborg.radicalisation",
        subject=subject,
        concern_date=TODAY,
        actor=worker,
        reason="what I saw",
    )
    cw.add_note(own.id, "my note", worker)
    other = world.context("a", Actor("worker-2", "aalborg.frontline_worker"))
    read = cw.case(own.id, worker, purpose="casework")
    assert [getattr(e, "text", None) for e in read.events][-1] == "my note"
    assert read.events[0].reason == "what I saw"  # type: ignore[attr-defined]
    with pytest.raises(AccessDenied):
        cw.case(other.case_id, worker, purpose="casework")
    with pytest.raises(AccessDenied):
        cw.add_note(other.case_id, "not mine", worker)
    # The grant covers the concerns the worker opened or is assigned: a search lists
    # the one they opened, and not the other.
    assert [row.case_id for row in cw.find(worker)] == [own.id]


class _CardClerk:
    """A role whose grants for case-less operations name one workflow only."""

    plugin_name = "privacy_test_card_clerk"

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role("card_clerk", Labels("Actioncard-sekretær", "Action-card clerk"))]

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return [
            Grant(
                "card_clerk",
                ["case.search", "disclosure.list", "retention.run"],
                workflows=[ACTION_CARD],
                purposes=["casework", "disclosure", "retention"],
            )
        ]


@pytest.fixture(name="clerk_world")
def _clerk_world(
    backend: Backend, key: MunicipalKey, tmp_path: pathlib.Path
) -> Iterator[tuple[Casework, str, str]]:
    """A closed action card and a closed mentor track, each disclosed, both due for erasure."""
    registry = load_registry(plugins=[_CardClerk()])
    clock = VirtualClock(dt.datetime.combine(TODAY, dt.time(9), dt.UTC))
    casework = Casework(registry, store=backend.new_url(), key=key, clock=clock)
    try:
        world = World(casework, tmp_path)
        card = world.context("a", CONSULTANT).case_id
        track = _track(world, "mentor-1")
        for case_id in (card, track):
            casework.disclose(
                case_id,
                CONSULTANT,
                recipient=POLICE,
                legal_basis="rpl_115_2",
                categories=["case"],
                purpose="disclosure",
            )
        casework.fire(card, "close_unfounded", CONSULTANT, reason="unfounded")
        casework.fire(track, "decline_referral", CONSULTANT, reason="declined")
        clock.advance(dt.timedelta(days=2000))
        yield casework, card, track
    finally:
        casework.close()


CLERK = Actor("clerk-1", "card_clerk")


def test_a_grant_for_one_workflow_searches_only_it(
    clerk_world: tuple[Casework, str, str],
) -> None:
    casework, card, _ = clerk_world
    assert [row.case_id for row in casework.find(CLERK)] == [card]


def test_a_grant_for_one_workflow_lists_only_its_disclosures(
    clerk_world: tuple[Casework, str, str],
) -> None:
    casework, card, _ = clerk_world
    listed = casework.disclosures(CLERK, purpose="disclosure")
    assert [entry.case_id for entry in listed] == [card]


def test_a_grant_for_one_workflow_plans_and_erases_only_it(
    clerk_world: tuple[Casework, str, str],
) -> None:
    casework, card, track = clerk_world
    due, _ = casework.retention_due(CLERK)
    assert [item.case_id for item in due] == [card]
    report = casework.erase_due(CLERK)
    assert [item.case_id for item in report.erased] == [card]
    assert casework.store.read_keys([track]) != {}
