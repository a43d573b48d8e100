"""Two municipalities in one store: the walls between them, cell by cell and as a property.

The world is Aalborg's plugin and a second municipality of the same police district
(``tests.district``: Hjørring, test data), loaded together.

The **matrix** is role x operation x {own municipality, other municipality}. Each
cell is a real call through :class:`ssp_core.Casework` by an actor of its own, on a
concern the actor is assigned to (so that only the wall can refuse it):

* ``own``: the call on a concern of the actor's own municipality must end as the
  same call ends in a deployment of that municipality alone (the second
  municipality takes nothing away and adds nothing);
* ``other``: the call on a concern of the other municipality is refused, except the
  cells of :data:`ACROSS` (written by hand from the grants: the district-wide police
  liaison). A refusal raises :class:`~ssp_core.AccessDenied` that names neither the
  case nor its municipality, changes nothing in the store, and is audited once; a
  search does not list the other municipality's case.

The **property** runs any sequence of operations by both municipalities' staff and
checks that nothing one municipality's staff get back (reads, lists, the audit log,
disclosures, exports, error messages) holds the other's case ids or personal data,
except what the district-wide grant shows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import pathlib
from collections import Counter
from collections.abc import Callable, Iterator

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssp_core
from ssp_core import (
    AccessDenied,
    Actor,
    CaseQuery,
    Casework,
    MunicipalKey,
    Registry,
    Subject,
    VirtualClock,
)
from ssp_core.exceptions import DataError
from ssp_core.plugins import StateSpec, TransitionSpec, WorkflowDefinition, WorkflowKind
from ssp_core.store.records import AuditAction, AuditEntry, AuditQuery
from ssp_core.testing import make_registry, pseudonym_for
from tests.district import district_plugins
from tests.privacy.conftest import Backend

TODAY = dt.date(2026, 3, 2)


class hj:  # noqa: N801 (the ids of the Hjørring test plugin, read like a module)
    """The ids of :mod:`tests.district.hjoerring` these tests use."""

    CONSULTANT = "hjoerring.ssp_consultant"
    FRONTLINE = "hjoerring.frontline_worker"
    MENTOR = "hjoerring.mentor"
    LIAISON = "hjoerring.police_liaison"
    ADMINISTRATOR = "hjoerring.administrator"
    ROLES = (CONSULTANT, FRONTLINE, MENTOR, LIAISON, ADMINISTRATOR)
    SITUATION = "hjoerring.radicalisation"
    CARD_UNDER_18 = "hjoerring.radicalisation_under_18"
    TRACK = "hjoerring.mentor"
    POLICE = "hjoerring.police"

    @staticmethod
    def L(text: str) -> ssp_core.plugins.Labels:  # noqa: N802
        return ssp_core.plugins.Labels(da=f"{text} (da)", en=text)


AALBORG_ROLES = (
    "aalborg.ssp_consultant",
    "aalborg.police_ssp_coordinator",
    "aalborg.partner_contact",
    "aalborg.frontline_worker",
    "aalborg.mentor",
    "aalborg.researcher",
    "aalborg.administrator",
)
HJOERRING_ROLES = hj.ROLES
HOME = {**dict.fromkeys(AALBORG_ROLES, "aalborg"), **dict.fromkeys(HJOERRING_ROLES, "hjoerring")}
CONSULTANT = {
    "aalborg": Actor("aal-consultant", "aalborg.ssp_consultant"),
    "hjoerring": Actor("hj-consultant", hj.CONSULTANT),
}
SITUATION = {"aalborg": "aalborg.radicalisation", "hjoerring": hj.SITUATION}
POLICE = {"aalborg": "aalborg.nordjyllands_politi", "hjoerring": hj.POLICE}
SCHOOL = {"aalborg": "aalborg.schools", "hjoerring": "hjoerring.school"}
POLICE_ROLES = {"aalborg.police_ssp_coordinator", hj.LIAISON}
"""The roles that act as the police: they disclose to a school under § 115, stk. 1, nr. 1."""
OTHER = {"aalborg": "hjoerring", "hjoerring": "aalborg"}

ACROSS = {(hj.LIAISON, "case.read"), (hj.LIAISON, "case.search"), (hj.LIAISON, "case.note")}
"""The (role, operation) cells allowed on the other municipality's case."""


def purpose_for(role: str, operation: str) -> str:
    """Return a purpose the role's grants allow for the operation (casework if none)."""
    if role == "aalborg.researcher":
        return "research"
    if operation == "identity.reidentify":
        return "reidentification"
    if operation == "case.disclose":
        return "disclosure"
    return "casework"


@attrs.frozen
class Concern:
    """A concern set up for a cell: its municipality, id and the CPR number behind it."""

    municipality: str
    case_id: str
    cpr: str


def cprs() -> Iterator[str]:
    """Yield distinct CPR numbers of people born in March 2011 (15 years old in 2026)."""
    for n in itertools.count():
        yield f"{n % 28 + 1:02d}0311-4{n // 28:03d}"


@attrs.define
class World:
    """A store with both municipalities, their consultants, and fresh CPR numbers."""

    casework: Casework
    tmp: pathlib.Path
    numbers: Iterator[str] = attrs.field(factory=cprs)

    def concern(self, municipality: str, assignee: str) -> Concern:
        """Open a concern in ``municipality`` (by its consultant), assigned to ``assignee``."""
        cw, consultant = self.casework, CONSULTANT[municipality]
        cpr = next(self.numbers)
        case = cw.open_for_person(
            cpr,
            actor=consultant,
            situation=SITUATION[municipality],
            concern_date=TODAY,
            name=f"Person of {municipality}",
        )
        cw.add_note(case.id, f"note of {municipality}", consultant)
        cw.record_fact(case.id, "concern_described", consultant)  # both cards wait for it
        cw.assign(case.id, assignee, consultant)
        return Concern(municipality, case.id, cpr)


def _open(w: World, actor: Actor, c: Concern, purpose: str) -> object:
    subject = Subject(pseudonym_for(f"p-{next(w.numbers)}"), dt.date(2011, 3, 1))
    return w.casework.open_concern(
        situation=SITUATION[c.municipality],
        subject=subject,
        concern_date=TODAY,
        actor=actor,
        purpose=purpose,
        municipality=c.municipality,
    )


def _search(w: World, actor: Actor, c: Concern, purpose: str) -> object:
    rows = w.casework.find(actor, CaseQuery(), purpose=purpose)
    if c.case_id not in [row.case_id for row in rows]:
        raise AccessDenied(actor.id, actor.role, "case.search", "not listed")
    return rows


CALLS: dict[str, Callable[[World, Actor, Concern, str], object]] = {
    "case.open": _open,
    "case.read": lambda w, a, c, p: w.casework.case(c.case_id, a, purpose=p),
    "case.search": _search,
    "case.fire": lambda w, a, c, p: w.casework.fire(c.case_id, "begin_analysis", a, purpose=p),
    "case.fact": lambda w, a, c, p: w.casework.record_fact(
        c.case_id, "parents_involved", a, purpose=p
    ),
    "case.note": lambda w, a, c, p: w.casework.add_note(c.case_id, "a note", a, purpose=p),
    "case.assign": lambda w, a, c, p: w.casework.assign(c.case_id, "someone", a, purpose=p),
    "case.hold": lambda w, a, c, p: w.casework.suspend(c.case_id, a, reason="why", purpose=p),
    "case.export": lambda w, a, c, p: w.casework.export(c.case_id, a, purpose=p),
    "case.disclose": lambda w, a, c, p: w.casework.disclose(
        c.case_id,
        a,
        recipient=(SCHOOL if a.role in POLICE_ROLES else POLICE)[c.municipality],
        legal_basis="rpl_115_1_1" if a.role in POLICE_ROLES else "rpl_115_2",
        categories=["case"],
        purpose=p,
    ),
    "identity.reidentify": lambda w, a, c, p: w.casework.reidentify(c.case_id, a, purpose=p),
}
"""Each operation on one case, as a user calls it (a search refused = the case not listed)."""


@pytest.fixture(name="district", scope="module")
def _district() -> Registry:
    return make_registry(*district_plugins())


@pytest.fixture(name="alone", scope="module")
def _alone() -> dict[str, Registry]:
    aalborg, hjoerring_plugin = district_plugins()
    return {"aalborg": make_registry(aalborg), "hjoerring": make_registry(hjoerring_plugin)}


def _casework(registry: Registry, url: str, key: MunicipalKey, clock: VirtualClock) -> Casework:
    return Casework(registry, store=url, key=key, clock=clock, ids=ssp_core.sequential_ids())


def _snapshot(cw: Casework, case_id: str) -> tuple[object, ...]:
    rows = cw.store.find_cases(CaseQuery())
    return rows, cw.store.read_case(case_id), cw.store.read_keys([r.case_id for r in rows])


def _outcome(w: World, actor: Actor, operation: str, concern: Concern) -> str | AccessDenied:
    """Perform one cell; return "allowed", or the refusal after checking it changed nothing."""
    cw = w.casework
    before = _snapshot(cw, concern.case_id)
    audit_before = Counter(cw.store.read_audit(AuditQuery(actor=actor.id)))
    try:
        CALLS[operation](w, actor, concern, purpose_for(actor.role, operation))
    except AccessDenied as denied:
        assert _snapshot(cw, concern.case_id) == before, "a refused call changed the store"
        new: list[AuditEntry] = list(
            (Counter(cw.store.read_audit(AuditQuery(actor=actor.id))) - audit_before).elements()
        )
        if operation != "case.search":
            assert [e.action for e in new] == [AuditAction.DENIED], new
        return denied
    return "allowed"


ROLES = (*AALBORG_ROLES, *HJOERRING_ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix_of_roles_operations_and_municipalities(  # noqa: PLR0917 (fixtures)
    role: str,
    district: Registry,
    alone: dict[str, Registry],
    backend: Backend,
    clock: VirtualClock,
    key: MunicipalKey,
    tmp_path: pathlib.Path,
) -> None:
    home = HOME[role]
    together = World(_casework(district, backend.new_url(), key, clock), tmp_path)
    single = World(_casework(alone[home], backend.new_url(), key, clock), tmp_path)
    failures = []
    try:
        for index, operation in enumerate(CALLS):
            actor = Actor(f"{role}-{index}", role)
            # own municipality: as in a deployment of that municipality alone
            expected = _outcome(single, actor, operation, single.concern(home, actor.id))
            got = _outcome(together, actor, operation, together.concern(home, actor.id))
            if isinstance(expected, str) != isinstance(got, str):
                failures.append(f"{role} x {operation} on own: {got} (alone: {expected})")
            # other municipality: refused unless the district-wide grant covers it
            other = together.concern(OTHER[home], actor.id)
            got = _outcome(together, actor, operation, other)
            allowed = (role, operation) in ACROSS
            allowed_any = any(cell[0] == role for cell in ACROSS)
            if allowed != isinstance(got, str):
                failures.append(f"{role} x {operation} on other: {got} (intended: {allowed})")
            elif isinstance(got, AccessDenied) and operation != "case.search" and not allowed_any:
                text = str(got)
                if other.case_id in text or (home == "aalborg" and "hjoerring" in text):
                    failures.append(f"{role} x {operation}: refusal names the other: {text}")
    finally:
        together.casework.close()
        single.casework.close()
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_both_municipalities_roles(district: Registry) -> None:
    assert set(ROLES) <= set(district.roles)
    assert {district.role_home(role) for role in ROLES} == {"aalborg", "hjoerring"}
    assert all(district.role_home(role) == HOME[role] for role in ROLES)


# --- the property: nothing crosses a wall -----------------------------------------------

STAFF = {
    "aalborg": [
        Actor("aal-consultant", "aalborg.ssp_consultant"),
        Actor("aal-admin", "aalborg.administrator"),
        Actor("aal-front", "aalborg.frontline_worker"),
    ],
    "hjoerring": [
        Actor("hj-consultant", hj.CONSULTANT),
        Actor("hj-admin", hj.ADMINISTRATOR),
        Actor("hj-front", hj.FRONTLINE),
    ],
}
LIAISON = Actor("hj-liaison", hj.LIAISON)

operations = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "open",
                "note",
                "read",
                "find",
                "audit",
                "disclosures",
                "reidentify",
                "retention",
                "history",
            ]
        ),
        st.sampled_from(["aalborg", "hjoerring"]),
        st.integers(0, 2),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=25,
)


def _secret(municipality: str, n: int) -> str:
    return f"SECRET-{municipality}-{n}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=operations)
def test_no_output_of_one_municipalitys_staff_holds_the_others_data(
    steps: list[tuple[str, str, int, int]], district: Registry
) -> None:
    cw = Casework(
        district,
        clock=VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)),
        ids=ssp_core.sequential_ids(),
    )
    cases: dict[str, list[str]] = {"aalborg": [], "hjoerring": []}
    numbers = cprs()
    secrets: dict[str, list[str]] = {"aalborg": [], "hjoerring": []}
    cpr_of: dict[str, list[str]] = {"aalborg": [], "hjoerring": []}

    def check(municipality: str, actor: Actor, output: object) -> None:
        text = repr(output)
        other = OTHER[municipality]
        for secret in secrets[other]:
            assert secret not in text, f"{actor} got {secret}"
        for cpr in cpr_of[other]:
            assert cpr.replace("-", "") not in text and cpr not in text, f"{actor} got a CPR"
        if actor.role != hj.LIAISON:
            for case_id in cases[other]:
                assert f"'{case_id}'" not in text, f"{actor} got case id {case_id}"

    for n, (what, municipality, who, pick) in enumerate(steps):
        actor = STAFF[municipality][who] if what != "history" else LIAISON
        acting_for = municipality if what != "history" else "hjoerring"
        consultant = CONSULTANT[municipality]
        everyone = cases["aalborg"] + cases["hjoerring"]
        target = everyone[pick % len(everyone)] if everyone else "no-such-case"
        try:
            if what == "open":
                cpr = next(numbers)
                secret = _secret(municipality, n)
                case = cw.open_for_person(
                    cpr,
                    actor=consultant,
                    situation=SITUATION[municipality],
                    concern_date=TODAY,
                    name=secret,
                )
                cw.add_note(case.id, secret, consultant)
                cases[municipality].append(case.id)
                secrets[municipality].append(secret)
                cpr_of[municipality].append(cpr)
                continue
            if what == "note":
                output: object = cw.add_note(target, "a note", actor)
            elif what in ("read", "history"):
                output = cw.history(target, actor, purpose="casework")
            elif what == "find":
                output = cw.find(actor, purpose="casework")
            elif what == "audit":
                output = cw.audit_log(actor, purpose="audit")
            elif what == "disclosures":
                output = cw.disclosures(actor, purpose="disclosure")
            elif what == "reidentify":
                output = cw.reidentify(target, actor, purpose="reidentification")
            else:
                output = cw.retention_due(actor, purpose="retention")
        except (AccessDenied, DataError, ssp_core.CaseNotFound, ssp_core.UnknownId) as refused:
            output = str(refused)
            if target in output and target in cases[OTHER[acting_for]]:
                raise AssertionError(
                    f"{actor}'s refusal repeats case id {target}: {output}"
                ) from None
            output = output.replace(target, "")  # the id the actor gave, if theirs
        check(acting_for, actor, output)
    cw.close()


def test_the_liaison_reads_the_other_municipalitys_subject_but_not_its_notes(
    district: Registry,
) -> None:
    cw = Casework(district, clock=VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)))
    case = cw.open_for_person(
        "010311-4000",
        actor=CONSULTANT["aalborg"],
        situation="aalborg.radicalisation",
        concern_date=TODAY,
        name="Anne",
    )
    cw.add_note(case.id, "what the school saw", CONSULTANT["aalborg"])
    read = cw.case(case.id, LIAISON, purpose="casework")
    assert read.subject == case.subject
    assert "what the school saw" not in repr(cw.history(case.id, LIAISON, purpose="casework"))
    with pytest.raises(AccessDenied):
        cw.reidentify(case.id, LIAISON, purpose="reidentification")
    assert [row.case_id for row in cw.find(LIAISON, purpose="casework")] == [case.id]


def test_a_concern_opened_without_a_municipality_needs_one_named_by_a_district_wide_role(
    district: Registry,
) -> None:
    cw = Casework(district, clock=VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)))
    subject = Subject(pseudonym_for("p-1"), dt.date(2011, 3, 1))
    opened = cw.open_concern(
        situation=hj.SITUATION, subject=subject, concern_date=TODAY, actor=CONSULTANT["hjoerring"]
    )
    assert opened.municipality == "hjoerring"
    assert opened.workflow == hj.CARD_UNDER_18
    with pytest.raises(DataError, match="no action card of municipality 'aalborg'"):
        cw.open_concern(
            situation=hj.SITUATION, subject=subject, concern_date=TODAY, actor=CONSULTANT["aalborg"]
        )
    with pytest.raises(DataError, match="workflow hjoerring.mentor is municipality"):
        cw.open_case(workflow=hj.TRACK, subject=subject, actor=CONSULTANT["aalborg"])
    with pytest.raises(ssp_core.UnknownId, match="municipality"):
        cw.open_case(
            workflow=hj.TRACK,
            subject=subject,
            actor=CONSULTANT["hjoerring"],
            municipality="thisted",
        )


# --- a case moves to another municipality ----------------------------------------------

SHARED_TRACK = WorkflowDefinition(
    id="shared.track",
    version=1,
    kind=WorkflowKind.PREVENTION_TRACK,
    labels=hj.L("a track every municipality runs"),
    initial="active",
    states=(StateSpec("active", hj.L("active")), StateSpec("ended", hj.L("ended"), final=True)),
    transitions=(TransitionSpec("end", "active", "ended", hj.L("end")),),
)


class SharedPlugin:
    """A plugin of no municipality: its track is shared by every municipality."""

    plugin_name = "shared"

    @ssp_core.hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        return [SHARED_TRACK]


@pytest.fixture(name="moving")
def _moving(backend: Backend, clock: VirtualClock, key: MunicipalKey) -> Iterator[Casework]:
    registry = make_registry(*district_plugins(SharedPlugin()))
    casework = _casework(registry, backend.new_url(), key, clock)
    yield casework
    casework.close()


def test_a_case_on_a_shared_workflow_moves_and_its_walls_move_with_it(moving: Casework) -> None:
    cw = moving
    aalborg, hjoerring = CONSULTANT["aalborg"], CONSULTANT["hjoerring"]
    case = cw.open_for_person("010311-4001", actor=aalborg, workflow="shared.track", name="Bo")
    assert case.municipality == "aalborg"
    with pytest.raises(AccessDenied):
        cw.case(case.id, hjoerring, purpose="casework")
    moved = cw.move_case(
        case.id, "hjoerring", aalborg, legal_basis="consent", reason="the family moved"
    )
    assert moved.municipality == "hjoerring"
    (row,) = [r for r in cw.store.find_cases(CaseQuery()) if r.case_id == case.id]
    assert row.municipality == "hjoerring"
    read = cw.history(case.id, hjoerring, purpose="casework")
    assert type(read[-1]).__name__ == "MovedToMunicipality"
    assert "the family moved" in repr(read[-1])
    before = cw.store.read_case(case.id)
    with pytest.raises(AccessDenied) as refused:
        cw.case(case.id, aalborg, purpose="casework")
    assert case.id not in str(refused.value) and "hjoerring" not in str(refused.value)
    assert cw.store.read_case(case.id) == before
    denied = cw.store.read_audit(AuditQuery(actor=aalborg.id, case_id=case.id))
    assert denied[-1].action is AuditAction.DENIED
    assert [r.case_id for r in cw.find(hjoerring, purpose="casework")] == [case.id]
    assert case.id not in [r.case_id for r in cw.find(aalborg, purpose="casework")]


def test_a_move_needs_a_shared_workflow_a_known_basis_and_a_reason(moving: Casework) -> None:
    cw = moving
    aalborg = CONSULTANT["aalborg"]
    card = cw.open_for_person(
        "010311-4002", actor=aalborg, situation="aalborg.radicalisation", concern_date=TODAY
    )
    track = cw.open_for_person("010311-4003", actor=aalborg, workflow="shared.track")
    before = cw.store.read_cases([card.id, track.id])
    with pytest.raises(DataError, match="only a case on a shared workflow moves"):
        cw.move_case(card.id, "hjoerring", aalborg, legal_basis="consent", reason="moved")
    with pytest.raises(ssp_core.UnknownId, match="municipality"):
        cw.move_case(track.id, "thisted", aalborg, legal_basis="consent", reason="moved")
    with pytest.raises(DataError, match="unknown legal basis 'nope'"):
        cw.move_case(track.id, "hjoerring", aalborg, legal_basis="nope", reason="moved")
    with pytest.raises(DataError, match="needs a written reason"):
        cw.move_case(track.id, "hjoerring", aalborg, legal_basis="consent", reason="  ")
    with pytest.raises(DataError, match="already municipality 'aalborg''s"):
        cw.move_case(track.id, "aalborg", aalborg, legal_basis="consent", reason="moved")
    with pytest.raises(AccessDenied):
        cw.move_case(
            track.id, "hjoerring", CONSULTANT["hjoerring"], legal_basis="consent", reason="moved"
        )
    assert cw.store.read_cases([card.id, track.id]) == before


# --- counts and exports per municipality and for the district --------------------------


def test_exports_cover_the_municipalities_within_reach(
    moving: Casework, tmp_path: pathlib.Path
) -> None:
    cw = moving
    for n, municipality in enumerate(["aalborg", "aalborg", "hjoerring"]):
        cw.open_for_person(
            f"{n + 1:02d}0311-4100",
            actor=CONSULTANT[municipality],
            situation=SITUATION[municipality],
            concern_date=TODAY,
        )
    researcher = Actor("res", "aalborg.researcher")
    result = cw.research_export(researcher, kind="events", out=tmp_path / "all")
    assert result.cases == 2  # Aalborg's researcher: Aalborg's cases only
    own = cw.research_export(
        researcher, kind="events", out=tmp_path / "own", municipalities=["aalborg"]
    )
    assert own.cases == 2
    with pytest.raises(AccessDenied, match="reach municipalities aalborg; not hjoerring"):
        cw.research_export(
            researcher, kind="events", out=tmp_path / "other", municipalities=["hjoerring"]
        )
    assert not (tmp_path / "other").exists()
    (entry,) = [
        e for e in cw.store.read_audit(AuditQuery(actor="res")) if e.action is AuditAction.DENIED
    ]
    assert "not hjoerring" in (entry.detail or "")
    with pytest.raises(ssp_core.UnknownId, match="municipality"):
        cw.research_export(researcher, kind="events", out=tmp_path / "x", municipalities=["x"])


# --- stores written before 0.2 ----------------------------------------------------------


def test_the_upgrade_fills_old_rows_from_their_workflow_and_a_lone_municipality(
    district: Registry, alone: dict[str, Registry]
) -> None:
    from ssp_core.application.admin import backfill_municipalities  # noqa: PLC0415
    from ssp_core.store.memory import MemoryStore  # noqa: PLC0415
    from ssp_core.store.records import CaseRow, Commit  # noqa: PLC0415

    def old_store() -> MemoryStore:
        store = MemoryStore()
        at = dt.datetime(2025, 3, 2, 9, tzinfo=dt.UTC)
        rows = [
            CaseRow("card", "aalborg.mentor", 1, "referral", None, at, None, None, False),
            CaseRow("walk", "core.safety_walk", 1, "planned", None, at, None, None, False),
            CaseRow("theirs", hj.TRACK, 1, "referral", None, at, None, None, False),
        ]
        store.append(Commit(events=[], cases=rows))
        return store

    def municipalities(store: MemoryStore) -> dict[str, str | None]:
        return {row.case_id: row.municipality for row in store.find_cases(CaseQuery())}

    store = old_store()
    assert backfill_municipalities(store, district) == 2
    assert municipalities(store) == {"card": "aalborg", "walk": None, "theirs": "hjoerring"}
    assert backfill_municipalities(store, district) == 0  # only where none is
    store = old_store()
    assert backfill_municipalities(store, alone["aalborg"]) == 2  # the walk is Aalborg's
    assert municipalities(store)["walk"] == "aalborg"


def test_a_case_moving_to_a_municipality_with_another_key_is_rewrapped_in_the_move(
    backend: Backend, clock: VirtualClock
) -> None:
    from ssp_core.exceptions import ConfigError  # noqa: PLC0415
    from ssp_core.privacy.keys import MunicipalKeys  # noqa: PLC0415
    from ssp_core.privacy.sealing import Keyring  # noqa: PLC0415

    keys = MunicipalKeys(MunicipalKey.generate(), {"hjoerring": MunicipalKey.generate()})
    assert keys.default is not None
    registry = make_registry(*district_plugins(SharedPlugin()))
    url = backend.new_url()
    cw = Casework(registry, store=url, key=keys, clock=clock)
    only = Casework(registry, store=url, key=MunicipalKeys(own=keys.own), clock=clock)
    try:
        aalborg, hjoerring = CONSULTANT["aalborg"], CONSULTANT["hjoerring"]
        track = cw.open_for_person("010311-4004", actor=aalborg, workflow="shared.track")
        before = cw.store.read_case(track.id)
        record = cw.store.read_keys([track.id])[track.id]
        assert record.key_id == keys.default.fingerprint
        cw.move_case(track.id, "hjoerring", aalborg, legal_basis="consent", reason="moved")
        after = cw.store.read_keys([track.id])[track.id]
        assert after.key_id == keys.own["hjoerring"].fingerprint
        assert Keyring(keys.own["hjoerring"]).open_case_key(after) == Keyring(
            keys.default
        ).open_case_key(record)
        assert cw.store.read_case(track.id)[: len(before)] == before  # the events as they were
        # Hjørring's key alone reads the case now.
        moved = only.case(track.id, hjoerring, purpose="casework")
        assert moved.municipality == "hjoerring"
        # A receiving municipality without a key: refused, nothing written.
        back = cw.open_for_person("010311-4006", actor=aalborg, workflow="shared.track")
        lonely = Casework(registry, store=url, key=MunicipalKeys(own=keys.own), clock=clock)
        stored = cw.store.read_case(back.id), cw.store.read_keys([back.id])
        with pytest.raises(ConfigError, match="no municipal key for municipality 'aalborg'"):
            lonely.move_case(back.id, "hjoerring", aalborg, legal_basis="consent", reason="x")
        assert (cw.store.read_case(back.id), cw.store.read_keys([back.id])) == stored
        lonely.close()
    finally:
        only.close()
        cw.close()
