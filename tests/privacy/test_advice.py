"""Advice requests to the INFO house: naming no one, answered by its members, turned into concerns.

The flows run on SQLite and PostgreSQL (``make_casework``); the raw bytes of the
store prove that no pseudonym or CPR number is linked to a request until it becomes a
concern, and then only on the concern's own case. A hypothesis state machine drives
the workflow through every path against a model.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import ssp_aalborg.hooks
import ssp_core
from ssp_core import AccessDenied, Actor, Casework, MunicipalKey, Subject, VirtualClock
from ssp_core.application.advice import AdviceRequest
from ssp_core.domain.advice import check_unnamed, naming_problem
from ssp_core.domain.events import AdviceRequested, OpenedFromAdvice
from ssp_core.domain.labels import Labels
from ssp_core.domain.organisation import InfoHouse, StaffPosition
from ssp_core.domain.people import Unnamed
from ssp_core.domain.redaction import WITHHELD
from ssp_core.exceptions import ActionRefused, DataError, TransitionRefused, UnknownId
from ssp_core.store.records import AuditAction, AuditQuery, CaseQuery
from ssp_core.testing import make_registry, pseudonym_for
from tests.district import hjoerring
from tests.privacy.conftest import Backend, MakeCasework, holds

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
POLICE = Actor("bo", "aalborg.police_ssp_coordinator")
TEACHER = Actor("dan", "aalborg.frontline_worker")
OTHER_TEACHER = Actor("dora", "aalborg.frontline_worker")
CONTACT = Actor("imam", "aalborg.partner_contact")
MENTOR = Actor("eva", "aalborg.mentor")
CPR = "201109-4017"
QUESTION = "A pupil in 8th grade talks about travelling to a country at war this summer."


def _subject(casework: Casework) -> Subject:
    return casework.pseudonymiser.subject(CPR)


def test_a_teacher_asks_and_the_info_house_answers(make_casework: MakeCasework) -> None:
    casework = make_casework()
    opened = casework.advice.ask(QUESTION, TEACHER, situation="aalborg.armed_conflict_travel")
    assert isinstance(opened.subject, Unnamed)
    assert opened.state == "asked"
    (due,) = opened.due
    assert due.rule == "advice"
    # 5 business days from Monday 2 March 2026 (the clock): Monday 9 March.
    assert due.due == dt.date(2026, 3, 9)
    request = casework.advice.request(opened.id, TEACHER)
    assert request.question == QUESTION
    assert request.asker_kind == "aalborg.frontline_worker"
    assert request.info_house == "aalborg.info_house"
    assert request.municipality == "aalborg"
    casework.advice.answer(opened.id, "Talk with the pupil's parents; call us again.", POLICE)
    answered = casework.advice.request(opened.id, TEACHER)
    assert answered.state == "answered" and answered.due == ()
    assert answered.advice == "Talk with the pupil's parents; call us again."
    casework.advice.close(opened.id, CONSULTANT)
    closed = casework.advice.request(opened.id, TEACHER)
    assert closed.outcome == "closed"
    # The asker sees their own requests only; the INFO house sees all of them.
    casework.advice.ask("Worried about a group of young men at the station.", OTHER_TEACHER)
    assert [r.case_id for r in casework.advice.requests(TEACHER)] == [opened.id]
    assert len(casework.advice.requests(CONSULTANT)) == 2
    assert len(casework.advice.requests(CONSULTANT, open_only=True)) == 1


def test_only_the_info_houses_members_act_on_a_request(make_casework: MakeCasework) -> None:
    casework = make_casework()
    request = casework.advice.ask(QUESTION, CONTACT).id
    before = casework.store.max_position()
    for actor in (TEACHER, CONTACT, MENTOR):
        with pytest.raises(AccessDenied):
            casework.advice.answer(request, "advice", actor)
    with pytest.raises(AccessDenied):
        casework.advice.request(request, OTHER_TEACHER)
    assert casework.store.max_position() == before
    denied = [e for e in casework.store.read_audit(AuditQuery()) if e.action is AuditAction.DENIED]
    assert len(denied) == 4
    # A partner's contact person asks as their role: counted as such, never named.
    assert casework.advice.request(request, CONTACT).asker_kind == "aalborg.partner_contact"


def test_a_member_by_grant_but_not_by_staffing_is_refused(
    aalborg: ssp_core.Registry, clock: VirtualClock
) -> None:
    class Helpers:
        @ssp_core.hookimpl
        def ssp_register_grants(self) -> list[ssp_core.plugins.Grant]:
            return [
                ssp_core.plugins.Grant(
                    role="aalborg.mentor",
                    operations=("case.fire", "case.read", "case.fact"),
                    workflows=("core.advice_request",),
                    field_groups=("notes",),
                )
            ]

    registry = ssp_core.load_registry(plugins=[Helpers()])
    casework = Casework(registry, clock=clock)
    request = casework.advice.ask(QUESTION, TEACHER).id
    with pytest.raises(ActionRefused, match=r"only the members of aalborg.info_house act on"):
        casework.advice.answer(request, "advice", MENTOR)
    assert casework.advice.request(request, CONSULTANT).state == "asked"


@pytest.mark.parametrize(
    "text",
    [
        "The boy, 201109-4017, says he will travel.",
        "CPR 2011094017 was mentioned.",
        "The boy (201109 4017) says he will travel.",
        "Is this the same as case person 0123456789abcdef0123456789ABCDEF?",
    ],
)
def test_no_cpr_number_or_pseudonym_can_be_attached(make_casework: MakeCasework, text: str) -> None:
    casework = make_casework()
    before = casework.store.max_position()
    with pytest.raises(DataError, match="an advice request names no one") as refused:
        casework.advice.ask(text, TEACHER)
    assert "4017" not in str(refused.value) and "abcdef" not in str(refused.value)
    assert casework.store.max_position() == before
    request = casework.advice.ask(QUESTION, TEACHER).id
    written = casework.store.max_position()
    pseudonym = _subject(casework).pseudonym
    for attempt in (
        lambda: casework.advice.answer(request, text, CONSULTANT),
        lambda: casework.advice.refer_to_police(request, CONSULTANT, reason=text),
        lambda: casework.add_note(request, text, CONSULTANT),
        lambda: casework.add_note(request, f"see {pseudonym}", CONSULTANT),
        lambda: casework.fire(request, "withdraw", CONSULTANT, reason=text),
    ):
        with pytest.raises(DataError, match="names no one"):
            attempt()
    assert casework.store.max_position() == written
    # No API of a request takes a person: its subject is always Unnamed.
    with pytest.raises(DataError, match="takes cases about unnamed, not a person"):
        casework.open_case(
            workflow="core.advice_request", subject=_subject(casework), actor=CONSULTANT
        )


def test_the_link_to_a_person_is_only_on_the_concern(
    make_casework: MakeCasework, backend: Backend
) -> None:
    url = backend.new_url()
    casework = make_casework(url=url)
    request = casework.advice.ask(QUESTION, TEACHER).id
    casework.advice.answer(request, "Involve the parents, then tell us.", CONSULTANT)
    subject = _subject(casework)
    raw = backend.raw(url)
    assert not holds(raw, subject.pseudonym)
    assert not holds(raw, QUESTION)  # sealed like a note
    concern = casework.advice.open_concern(
        request,
        situation="aalborg.armed_conflict_travel",
        subject=subject,
        concern_date=dt.date(2026, 3, 2),
        actor=POLICE,
    )
    assert concern.workflow == "aalborg.travel_under_18"  # 16 on the concern date
    assert isinstance(concern.events[1], OpenedFromAdvice)
    assert concern.events[1].advice_request == request
    after = casework.advice.request(request, CONSULTANT)
    assert (after.state, after.concern) == ("became_concern", concern.id)
    # The request's own events and key row name no person; the concern's do (sealed).
    rows = casework.store.read_case(request)
    assert not any(subject.pseudonym in repr(row) for row in rows)
    keys = casework.store.read_keys([request, concern.id])
    assert keys[request].subject is None
    assert keys[concern.id].subject == subject.pseudonym
    assert CPR not in backend.raw(url).decode("utf-8", "replace")
    # The asker sees that it became a concern, not the concern itself.
    mine = casework.advice.request(request, TEACHER)
    assert mine.concern == concern.id
    with pytest.raises(AccessDenied):
        casework.case(concern.id, TEACHER, purpose="casework")


def test_a_concern_is_opened_and_linked_in_one_commit_or_not_at_all(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    request = casework.advice.ask(QUESTION, TEACHER).id
    before = casework.store.max_position()
    # A frontline worker may not open the card from the request: nothing is written.
    with pytest.raises(AccessDenied):
        casework.advice.open_concern(
            request,
            situation="aalborg.radicalisation",
            subject=_subject(casework),
            concern_date=dt.date(2026, 3, 2),
            actor=TEACHER,
        )
    # A situation with no card: refused before anything is written.
    with pytest.raises(UnknownId):
        casework.advice.open_concern(
            request,
            situation="aalborg.no_such_situation",
            subject=_subject(casework),
            concern_date=dt.date(2026, 3, 2),
            actor=CONSULTANT,
        )
    assert casework.store.max_position() == before
    assert casework.advice.request(request, CONSULTANT).state == "asked"
    assert len(casework.find(CONSULTANT, CaseQuery())) == 1


def test_the_link_cannot_be_forged_by_hand(make_casework: MakeCasework) -> None:
    casework = make_casework()
    request = casework.advice.ask(QUESTION, TEACHER).id
    with pytest.raises(ActionRefused, match="recorded by the library when it happens"):
        casework.record_fact(request, "concern_opened", CONSULTANT, detail="C-9999")
    with pytest.raises(TransitionRefused):
        casework.fire(request, "open_concern", CONSULTANT)
    with pytest.raises(TransitionRefused):
        casework.fire(request, "answer", CONSULTANT)  # no advice written down yet
    closed = casework.advice.refer_to_police(request, CONSULTANT, reason="a crime was described")
    assert closed.state == "referred_to_police"
    with pytest.raises(ActionRefused, match="cannot become a concern"):
        casework.advice.open_concern(
            request,
            situation="aalborg.radicalisation",
            subject=_subject(casework),
            concern_date=dt.date(2026, 3, 2),
            actor=CONSULTANT,
        )


def test_a_reader_without_notes_sees_no_question(clock: VirtualClock) -> None:
    class Reader:
        @ssp_core.hookimpl
        def ssp_register_grants(self) -> list[ssp_core.plugins.Grant]:
            return [
                ssp_core.plugins.Grant(
                    role="aalborg.mentor", operations="case.read", workflows="core.advice_request"
                )
            ]

    casework = Casework(ssp_core.load_registry(plugins=[Reader()]), clock=clock)
    request = casework.advice.ask(QUESTION, TEACHER).id
    case = casework.case(request, MENTOR, purpose="casework")
    asked = case.events[1]
    assert isinstance(asked, AdviceRequested)
    assert asked.question == WITHHELD
    assert asked.asker_kind == "aalborg.frontline_worker"


@given(
    before=st.text(string.ascii_letters + " ,.", max_size=30),
    after=st.text(string.ascii_letters + " ,.", max_size=30),
    born=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    serial=st.integers(0, 9999),
    dash=st.sampled_from(["-", "", " "]),
    hexes=st.from_regex(r"\A[0-9a-fA-F]{32}\Z"),
)
def test_any_cpr_or_pseudonym_shape_is_found_and_never_quoted(  # noqa: PLR0917 (drawn values)
    before: str, after: str, born: dt.date, serial: int, dash: str, hexes: str
) -> None:
    digits = f"{born:%d%m%y}{dash}{serial:04d}"
    for needle in (digits, hexes):
        text = f"{before} {needle} {after}"
        problem = naming_problem(text)
        assert problem is not None
        with pytest.raises(DataError) as refused:
            check_unnamed(text, "question")
        assert needle not in str(refused.value)
    assert naming_problem(f"{before} {after}") is None
    assert naming_problem(f"{before} order 9913{serial:06d} {after}") is None  # no month 13


def test_item_3_an_id_factory_that_makes_a_cpr_shaped_case_id_is_refused(
    aalborg: ssp_core.Registry, clock: VirtualClock
) -> None:
    ids = iter(["Q-1", "Q-0101101234"])  # the concern's id would look like a CPR number
    casework = Casework(aalborg, clock=clock, ids=lambda: next(ids))
    request = casework.advice.ask(QUESTION, TEACHER).id
    with pytest.raises(DataError, match="never something shaped like a CPR number") as refused:
        casework.advice.open_concern(
            request,
            situation="aalborg.radicalisation",
            subject=_subject(casework),
            concern_date=dt.date(2026, 3, 2),
            actor=CONSULTANT,
        )
    assert "0101101234" not in str(refused.value)
    assert casework.advice.request(request, CONSULTANT).concern is None  # nothing written
    assert [row.case_id for row in casework.store.find_cases(CaseQuery())] == ["Q-1"]


class AdviceMachine(RuleBasedStateMachine):
    """Drive advice requests through every path; the model says where each must stand."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
        self.casework = Casework(
            REGISTRY, clock=self.clock, key=KEY, ids=ssp_core.sequential_ids("A-")
        )
        self.model: dict[str, str] = {}
        self.concerns: dict[str, str] = {}
        self.people = 0

    def _ids(self, *states: str) -> list[str]:
        return sorted(i for i, s in self.model.items() if s in states)

    @rule(asker=st.sampled_from([TEACHER, CONTACT, POLICE, CONSULTANT]))
    def ask(self, asker: Actor) -> None:
        opened = self.casework.advice.ask(QUESTION, asker)
        self.model[opened.id] = "asked"

    @precondition(lambda self: self._ids("asked"))
    @rule(data=st.data(), member=st.sampled_from([POLICE, CONSULTANT]))
    def answer(self, data: st.DataObject, member: Actor) -> None:
        request = data.draw(st.sampled_from(self._ids("asked")))
        self.casework.advice.answer(request, "Talk to the parents.", member)
        self.model[request] = "answered"

    @precondition(lambda self: self._ids("answered"))
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        request = data.draw(st.sampled_from(self._ids("answered")))
        self.casework.advice.close(request, POLICE)
        self.model[request] = "closed"

    @precondition(lambda self: self._ids("asked", "answered"))
    @rule(data=st.data())
    def refer(self, data: st.DataObject) -> None:
        request = data.draw(st.sampled_from(self._ids("asked", "answered")))
        self.casework.advice.refer_to_police(request, CONSULTANT, reason="a crime")
        self.model[request] = "referred_to_police"

    @precondition(lambda self: self._ids("asked", "answered"))
    @rule(data=st.data(), age=st.integers(12, 40))
    def concern(self, data: st.DataObject, age: int) -> None:
        request = data.draw(st.sampled_from(self._ids("asked", "answered")))
        self.people += 1
        day = dt.date(2026, 3, 2)
        subject = Subject(pseudonym_for(f"{self.people:032x}"), day.replace(year=day.year - age))
        opened = self.casework.advice.open_concern(
            request,
            situation="aalborg.radicalisation",
            subject=subject,
            concern_date=day,
            actor=CONSULTANT,
        )
        self.model[request] = "became_concern"
        self.concerns[request] = opened.id

    @precondition(lambda self: self.model)
    @rule(data=st.data(), trigger=st.sampled_from(["answer", "close", "open_concern"]))
    def fire_by_hand(self, data: st.DataObject, trigger: str) -> None:
        """Firing by hand never skips the advice or forges a concern."""
        request = data.draw(st.sampled_from(sorted(self.model)))
        before = self.casework.store.max_position()
        state = self.model[request]
        if trigger == "close" and state == "answered":
            self.casework.fire(request, "close", CONSULTANT)
            self.model[request] = "closed"
            return
        with pytest.raises((TransitionRefused, ActionRefused)):
            self.casework.fire(request, trigger, CONSULTANT)
        assert self.casework.store.max_position() == before

    @precondition(lambda self: self._ids("asked"))
    @rule(days=st.integers(1, 20))
    def time_passes(self, days: int) -> None:
        self.clock.advance(dt.timedelta(days=days))

    @invariant()
    def each_request_stands_as_the_model_says(self) -> None:
        found = {r.case_id: r for r in self.casework.advice.requests(CONSULTANT)}
        assert {i: r.state for i, r in found.items()} == self.model
        for request_id, request in found.items():
            assert isinstance(request, AdviceRequest)
            assert bool(request.due) == (request.state == "asked")
            assert request.concern == self.concerns.get(request_id)
            assert self.casework.store.read_keys([request_id])[request_id].subject is None


REGISTRY = ssp_core.load_registry()
KEY = MunicipalKey.generate()
TestAdviceWorkflow = AdviceMachine.TestCase
TestAdviceWorkflow.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip


def test_requests_are_counted_per_asker_outcome_and_quarter(
    aalborg: ssp_core.Registry,
) -> None:
    from ssp_core.privacy.suppression import TOTAL  # noqa: PLC0415

    clock = VirtualClock(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    casework = Casework(aalborg, clock=clock, ids=ssp_core.sequential_ids("A-"))
    asked: Counter[tuple[str, str, str]] = Counter()
    for week in range(20):  # January to May 2026: two quarters
        for asker, outcome in ((TEACHER, "closed"), (CONTACT, "open"), (POLICE, "closed")):
            if asker is POLICE and week % 4:
                continue  # the police ask seldom: their cells are small
            request = casework.advice.ask(QUESTION, asker).id
            if outcome == "closed":
                casework.advice.answer(request, "Advice.", CONSULTANT)
                casework.advice.close(request, CONSULTANT)
            quarter = f"2026-Q{(clock.now().month - 1) // 3 + 1}"
            kind = aalborg.roles[asker.role].acts_as or asker.role
            asked[(kind, outcome, quarter)] += 1
        clock.advance(dt.timedelta(days=7))
    evaluation = casework.evaluate(
        CONSULTANT,
        initiative="radicalisation_prevention",
        since=dt.date(2026, 1, 1),
        until=dt.date(2026, 6, 30),
    )
    table = evaluation.indicators["advice_requests"].counts
    assert table is not None
    assert table.dimensions == ("asker", "outcome", "quarter")
    published = {cell.key: cell.count for cell in table.cells}
    for key, count in asked.items():
        assert published[key] in (count, None)  # a published count is the true one
        if count < 5:
            assert published[key] is None  # small cells are hidden
    assert published[(TOTAL, TOTAL, TOTAL)] == sum(asked.values())
    assert published[("aalborg.frontline_worker", "closed", TOTAL)] == 20
    assert published[(TOTAL, "closed", "2026-Q1")] == 17
    assert published[("aalborg.partner_contact", "open", TOTAL)] == 20


class _HjoerringHouse:
    """Hjørring's test plugin with an INFO house of the whole police district, and its grants."""

    plugin_name = "hjoerring"

    def __init__(self) -> None:
        for name in hjoerring.__all__:
            if name.startswith("ssp_register_") and name != "ssp_register_grants":
                setattr(self, name, getattr(hjoerring, name))

    @ssp_core.hookimpl
    def ssp_register_grants(self) -> list[ssp_core.plugins.Grant]:
        own = list(hjoerring.ssp_register_grants())
        return [
            *own,
            ssp_core.plugins.Grant(
                role="hjoerring.police_liaison",
                operations=("case.read", "case.search", "case.fire", "case.fact"),
                workflows="core.advice_request",
                field_groups="notes",
                reach="district",
            ),
        ]

    @ssp_core.hookimpl
    def ssp_register_info_houses(self) -> list[InfoHouse]:
        return [
            InfoHouse(
                id="hjoerring.info_house",
                labels=Labels("Infohuset i Nordjylland (test)", "The North Jutland Infohus (test)"),
                staffing=(
                    StaffPosition("hjoerring.police_liaison", 1),
                    StaffPosition("hjoerring.ssp_consultant", 1),
                ),
                reach="district",
            )
        ]


def test_a_district_info_house_serves_every_municipality_of_the_district(
    clock: VirtualClock,
) -> None:
    registry = make_registry(ssp_aalborg.hooks, _HjoerringHouse(), autoload=False)
    casework = Casework(registry, clock=clock, ids=ssp_core.sequential_ids("D-"))
    serving = {
        m: [h.id for h in casework.advice.houses_serving(m)] for m in ("aalborg", "hjoerring")
    }
    assert serving == {
        "aalborg": ["aalborg.info_house", "hjoerring.info_house"],
        "hjoerring": ["hjoerring.info_house"],
    }
    with pytest.raises(DataError, match="name the INFO house to ask; those serving aalborg"):
        casework.advice.ask(QUESTION, TEACHER)
    request = casework.advice.ask(QUESTION, TEACHER, info_house="hjoerring.info_house").id
    assert casework.advice.request(request, CONSULTANT).municipality == "aalborg"
    # Aalborg's police coordinator is a member of Aalborg's house, not of the district's.
    with pytest.raises(ActionRefused, match="only the members of hjoerring.info_house"):
        casework.advice.answer(request, "Advice.", POLICE)
    liaison = Actor("hj-liaison", "hjoerring.police_liaison")
    casework.advice.answer(request, "Advice from the district's Infohus.", liaison)
    assert casework.advice.request(request, TEACHER).advice == "Advice from the district's Infohus."
    # A house that does not serve the asker's municipality cannot be asked.
    hj_teacher = Actor("hj-front", "hjoerring.frontline_worker")
    with pytest.raises(DataError, match="does not serve hjoerring"):
        casework.advice.ask(QUESTION, hj_teacher, info_house="aalborg.info_house")
