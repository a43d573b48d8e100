"""Initiative activities: logged, held or cancelled, read and imported, naming no one.

The flows run on SQLite and PostgreSQL (``make_casework``); the raw bytes of the store
prove that the free texts of an activity are sealed. No field of an activity takes a
person, and a text shaped like a CPR number or a pseudonym is refused anywhere on one.
A hypothesis state machine drives activities through every path against a model.
"""

from __future__ import annotations

import datetime as dt
import string
import typing

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import ssp_core
from ssp_core import AccessDenied, Actor, Casework, MunicipalKey, VirtualClock
from ssp_core.application.activities import Activity, InitiativeActivities
from ssp_core.domain.activities import ActivityPlan, headcount_problem
from ssp_core.domain.events import ActivityLogged, CaseEvent, FactRecorded, Transitioned
from ssp_core.domain.people import CaseSubject, Unnamed
from ssp_core.domain.redaction import WITHHELD, RedactedPerson
from ssp_core.evaluation.activities import activity_facts
from ssp_core.exceptions import (
    ActionRefused,
    ConfigError,
    DataError,
    TransitionRefused,
    UnknownId,
)
from ssp_core.store.records import AuditAction, AuditQuery
from tests.district import district_registry
from tests.privacy.conftest import Backend, MakeCasework, holds

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
POLICE = Actor("bo", "aalborg.police_ssp_coordinator")
AMBASSADOR = Actor("dina", "aalborg.dialogue_ambassador")
OTHER_AMBASSADOR = Actor("dirk", "aalborg.dialogue_ambassador")
TEACHER = Actor("dan", "aalborg.frontline_worker")
MENTOR = Actor("eva", "aalborg.mentor")
RESEARCHER = Actor("rita", "aalborg.researcher")
INITIATIVE = "radicalisation_prevention"
TODAY = dt.date(2026, 3, 2)  # the clock of the root conftest
DESCRIPTION = "The imam talked with the young people and the staff about the summer."
PLACE = "The big hall of the youth centre"
CPR = "201109-4017"
REGISTRY = ssp_core.load_registry()


def _log(casework: Casework, actor: Actor = CONSULTANT, **given: typing.Any) -> ssp_core.Case:
    arguments: dict[str, typing.Any] = {"kind": "visit", "held_on": dt.date(2026, 2, 24)}
    arguments.update(given)
    return casework.activities.log(INITIATIVE, actor=actor, **arguments)


def test_an_activity_held_is_logged_in_one_commit_and_its_texts_are_sealed(
    make_casework: MakeCasework, backend: Backend
) -> None:
    url = backend.new_url()
    casework = make_casework(url=url)
    before = casework.store.max_position()
    case = _log(
        casework,
        partners=["aalborg.mosque_1", "aalborg.skuret", "aalborg.skuret"],
        locality="aalborg.loevvangen",
        place=PLACE,
        participants=23,
        young_people=18,
        description=DESCRIPTION,
    )
    assert isinstance(case.subject, Unnamed)
    assert case.state == "held"
    assert [type(e) for e in case.events[1:]] == [ActivityLogged, FactRecorded, Transitioned]
    assert casework.store.max_position() == before + 4  # opened, logged, fact, held: one commit
    activity = casework.activities.activity(case.id, CONSULTANT)
    assert activity == Activity(
        case_id=case.id,
        workflow="core.initiative_activity",
        state="held",
        strategy="aalborg.tryg_aalborg",
        initiative=INITIATIVE,
        kind="visit",
        held_on=dt.date(2026, 2, 24),
        partners=("aalborg.mosque_1", "aalborg.skuret"),
        locality="aalborg.loevvangen",
        place=PLACE,
        participants=23,
        young_people=18,
        description=DESCRIPTION,
        source=None,
        logged_by="anne",
        logged_at=case.opened_at,
        municipality="aalborg",
    )
    raw = backend.raw(url)
    assert not holds(raw, DESCRIPTION) and not holds(raw, PLACE)  # sealed like notes
    assert holds(raw, "aalborg.loevvangen")  # ids, dates and counts stay readable
    assert casework.store.read_keys([case.id])[case.id].subject is None  # no person's key
    # The facts evaluations count are read without any key.
    (fact,) = activity_facts(casework.store, casework.services.codec, casework.registry)
    assert (fact.kind, fact.participants, fact.young_people, fact.state) == (
        "visit",
        23,
        18,
        "held",
    )


def test_a_planned_activity_is_held_on_its_day_or_cancelled(
    make_casework: MakeCasework, clock: VirtualClock
) -> None:
    casework = make_casework()
    evening = _log(
        casework, kind="evening_event", held_on=dt.date(2026, 3, 19), description=DESCRIPTION
    )
    assert evening.state == "planned"
    with pytest.raises(DataError, match="count the participants when it is held"):
        _log(casework, held_on=dt.date(2026, 3, 19), participants=3)
    with pytest.raises(ActionRefused, match="planned for 2026-03-19; it is marked held on"):
        casework.activities.hold(evening.id, POLICE, participants=40)
    with pytest.raises(TransitionRefused, match="took_place_recorded"):
        casework.fire(evening.id, "hold", CONSULTANT)  # never by hand
    clock.advance(dt.timedelta(days=17))
    held = casework.activities.hold(evening.id, POLICE, participants=40, young_people=15)
    assert held.state == "held"
    activity = casework.activities.activity(evening.id, CONSULTANT)
    assert (activity.participants, activity.young_people) == (40, 15)
    assert activity.description == DESCRIPTION  # the new record keeps the texts
    assert activity.logged_by == "anne"
    with pytest.raises(ActionRefused, match="only a planned activity is cancelled"):
        casework.activities.cancel(evening.id, CONSULTANT, reason="rain")
    talk = _log(casework, kind="talk", held_on=dt.date(2026, 4, 30))
    cancelled = casework.activities.cancel(talk.id, CONSULTANT, reason="The school closed.")
    assert cancelled.state == "cancelled"
    with pytest.raises(ActionRefused, match="only a planned activity is marked held"):
        casework.activities.hold(talk.id, CONSULTANT)
    with pytest.raises(DataError, match="say why"):
        casework.activities.cancel(
            _log(casework, held_on=dt.date(2026, 5, 1)).id, POLICE, reason=" "
        )


def test_no_field_of_an_activity_takes_a_person() -> None:
    people = (CaseSubject, RedactedPerson)
    for field in attrs.fields(ActivityLogged):
        assert field.name not in {"subject", "person", "name", "cpr", "pseudonym"}
        if field.name in {f.name for f in attrs.fields(CaseEvent)}:
            continue
        hints = typing.get_type_hints(ActivityLogged)[field.name]
        assert not any(kind in str(hints) for kind in ("Subject", "Group", "Environment"))
        assert hints not in people
    plan_fields = {f.name for f in attrs.fields(ActivityPlan)}
    assert not plan_fields & {"subject", "person", "people", "name", "cpr", "pseudonym"}
    import inspect  # noqa: PLC0415

    parameters = set(inspect.signature(InitiativeActivities.log).parameters)
    assert not parameters & {"subject", "person", "people", "name", "names", "cpr", "pseudonym"}


@pytest.mark.parametrize(
    "text",
    [
        f"The boy {CPR} came too.",
        "CPR 2011094017 was there.",
        "Same as 0123456789abcdef0123456789ABCDEF?",
    ],
)
def test_a_cpr_number_or_pseudonym_anywhere_is_refused(
    make_casework: MakeCasework, text: str
) -> None:
    casework = make_casework()
    before = casework.store.max_position()
    for field in ("description", "place"):
        with pytest.raises(DataError, match="an activity names no one") as refused:
            _log(casework, **{field: text})
        assert "4017" not in str(refused.value) and "abcdef" not in str(refused.value)
    assert casework.store.max_position() == before
    planned = _log(casework, held_on=dt.date(2026, 4, 1)).id
    written = casework.store.max_position()
    subject = casework.pseudonymiser.subject(CPR)
    for attempt in (
        lambda: casework.activities.cancel(planned, CONSULTANT, reason=text),
        lambda: casework.add_note(planned, text, CONSULTANT),
        lambda: casework.add_note(planned, f"see {subject.pseudonym}", CONSULTANT),
        lambda: casework.fire(planned, "cancel", CONSULTANT, reason=text),
    ):
        with pytest.raises(DataError, match="names no one"):
            attempt()
    assert casework.store.max_position() == written
    # No API of an activity takes a person: its workflow takes cases about no one.
    with pytest.raises(DataError, match="takes cases about unnamed, not a person"):
        casework.open_case(workflow="core.initiative_activity", subject=subject, actor=CONSULTANT)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.text(string.ascii_letters + " ,.æøå", max_size=30),
    after=st.text(string.ascii_letters + " ,.æøå", max_size=30),
    born=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    serial=st.from_regex(r"\A[ -]?[0-9]{4}\Z"),
    field=st.sampled_from(["description", "place"]),
)
def test_any_cpr_shaped_text_in_an_activity_is_refused_and_never_quoted(
    before: str, after: str, born: dt.date, serial: str, field: str
) -> None:
    number = f"{born:%d%m%y}{serial}"  # CPR-shaped: a real day and month first
    casework = Casework(REGISTRY, clock=VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)))
    with pytest.raises(DataError) as refused:
        _log(casework, **{field: f"{before} {number} {after}"})
    assert number not in str(refused.value)
    assert casework.store.max_position() == 0
    assert _log(casework, **{field: f"{before} {after} x"}).state == "held"


@given(
    participants=st.one_of(st.none(), st.integers(-3, 60)),
    young=st.one_of(st.none(), st.integers(-3, 60)),
)
def test_a_head_count_is_whole_numbers_with_the_young_among_the_participants(
    participants: int | None, young: int | None
) -> None:
    problem = headcount_problem(participants, young)
    fine = (participants is None or participants >= 0) and (
        young is None or (young >= 0 and participants is not None and young <= participants)
    )
    assert (problem is None) == fine
    assert headcount_problem(True, None) is not None
    assert headcount_problem(2.0, None) is not None


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"kind": "picnic"}, UnknownId, "unknown activity kind 'picnic'"),
        ({"partners": ["aalborg.nobody"]}, UnknownId, "unknown partner 'aalborg.nobody'"),
        ({"locality": "aalborg.atlantis"}, UnknownId, "unknown locality 'aalborg.atlantis'"),
        ({"participants": -1}, DataError, "participants is a whole number of 0 or more"),
        ({"young_people": 4}, DataError, "give the participants too"),
        ({"participants": 3, "young_people": 4}, DataError, "they cannot be more"),
        ({"held_on": dt.datetime(2026, 2, 1, tzinfo=dt.UTC)}, DataError, "a calendar date"),
        ({"strategy": "aalborg.nope"}, UnknownId, "unknown strategy 'aalborg.nope'"),
        ({"workflow": "core.safety_walk"}, DataError, "not an initiative_activity workflow"),
    ],
)
def test_bad_input_is_named_and_nothing_is_stored(
    make_casework: MakeCasework,
    arguments: dict[str, typing.Any],
    error: type[Exception],
    message: str,
) -> None:
    casework = make_casework()
    with pytest.raises(error, match=message):
        _log(casework, **arguments)
    with pytest.raises(UnknownId, match="unknown initiative of aalborg.tryg_aalborg 'nope'; known"):
        casework.activities.log("nope", kind="visit", held_on=TODAY, actor=CONSULTANT)
    assert casework.store.max_position() == 0


def test_who_may_log_and_read_activities(make_casework: MakeCasework) -> None:
    casework = make_casework()
    mine = _log(casework, AMBASSADOR, kind="dialogue_meeting", participants=9, young_people=9)
    _log(casework, OTHER_AMBASSADOR, kind="dialogue_meeting")
    police = _log(casework, POLICE, kind="evening_event", held_on=dt.date(2026, 4, 9))
    # A dialogue ambassador sees the activities they logged; the secretariat sees all.
    assert [a.case_id for a in casework.activities.activities(AMBASSADOR)] == [mine.id]
    assert len(casework.activities.activities(CONSULTANT)) == 3
    assert len(casework.activities.activities(POLICE)) == 3
    assert casework.activities.cancel(police.id, POLICE, reason="Too few signed up.").state == (
        "cancelled"
    )
    before = casework.store.max_position()
    denied = 0
    for actor in (TEACHER, MENTOR, RESEARCHER):
        with pytest.raises(AccessDenied):
            _log(casework, actor)
        with pytest.raises(AccessDenied):
            casework.activities.activity(mine.id, actor)
        denied += 2
    with pytest.raises(AccessDenied):
        casework.activities.activity(mine.id, OTHER_AMBASSADOR)
    assert casework.store.max_position() == before
    entries = casework.store.read_audit(AuditQuery())
    assert sum(e.action is AuditAction.DENIED for e in entries) == denied + 1


LOGGERS = {
    "aalborg.ssp_consultant": "all",
    "aalborg.police_ssp_coordinator": "all",
    "aalborg.dialogue_ambassador": "own",
    "aalborg.parent_coach": "own",
}
"""Aalborg's roles that may log activities, and which they read: all, or those they logged."""


@pytest.mark.parametrize("role", sorted(r for r in REGISTRY.roles if r.startswith("aalborg.")))
def test_every_aalborg_role_logs_and_reads_activities_as_granted(
    make_casework: MakeCasework, role: str
) -> None:
    casework = make_casework()
    other = _log(casework, kind="aalborg.parent_group_meeting", participants=11)
    actor = Actor("someone", role)
    reach = LOGGERS.get(role)
    if reach is None:
        with pytest.raises(AccessDenied):
            _log(casework, actor)
        with pytest.raises(AccessDenied):
            casework.activities.activity(other.id, actor)
        assert casework.store.max_position() == 4
        return
    mine = _log(casework, actor, held_on=dt.date(2026, 3, 9))
    assert mine.state == "planned"
    seen = {a.case_id for a in casework.activities.activities(actor)}
    assert seen == ({other.id, mine.id} if reach == "all" else {mine.id})
    assert casework.activities.cancel(mine.id, actor, reason="Moved.").state == "cancelled"


def test_a_reader_without_notes_sees_no_texts(clock: VirtualClock) -> None:
    class Reader:
        @ssp_core.hookimpl
        def ssp_register_grants(self) -> list[ssp_core.plugins.Grant]:
            return [
                ssp_core.plugins.Grant(
                    role="aalborg.mentor",
                    operations=("case.read", "case.search"),
                    workflows="core.initiative_activity",
                )
            ]

    casework = Casework(ssp_core.load_registry(plugins=[Reader()]), clock=clock)
    case = _log(casework, place=PLACE, description=DESCRIPTION, participants=12)
    activity = casework.activities.activity(case.id, MENTOR)
    assert (activity.place, activity.description) == (WITHHELD, WITHHELD)
    assert (activity.kind, activity.participants) == ("visit", 12)


def test_the_seeds_examples_are_imported_once_with_a_date_given(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    examples = casework.registry.example_activities
    assert set(examples) == {"aalborg.imam_visits_skuret", "aalborg.evening_event_loevvangen"}
    for plan in examples.values():  # the seed gives neither dates nor counts
        assert plan.held_on is None and plan.participants is None
    with pytest.raises(DataError, match="has no date .its source gives none"):
        casework.activities.import_example("aalborg.imam_visits_skuret", CONSULTANT)
    visit = casework.activities.import_example(
        "aalborg.imam_visits_skuret", CONSULTANT, held_on=dt.date(2026, 2, 10)
    )
    assert visit is not None and visit.state == "held"
    evening = casework.activities.import_example(
        "aalborg.evening_event_loevvangen", CONSULTANT, held_on=dt.date(2026, 3, 12)
    )
    assert evening is not None and evening.state == "planned"
    again = casework.activities.import_example(
        "aalborg.imam_visits_skuret", CONSULTANT, held_on=dt.date(2026, 2, 10)
    )
    assert again is None
    found = casework.activities.activities(CONSULTANT, initiative=INITIATIVE)
    assert [(a.source, a.kind, a.locality, a.participants) for a in found] == [
        ("aalborg.imam_visits_skuret", "visit", "aalborg.loevvangen", None),
        ("aalborg.evening_event_loevvangen", "evening_event", "aalborg.loevvangen", None),
    ]
    assert found[0].partners == ("aalborg.mosque_1", "aalborg.skuret")
    assert "Example data from the seed" in (found[0].description or "")
    dated = attrs.evolve(examples["aalborg.imam_visits_skuret"], id="aalborg.x", held_on=TODAY)
    with pytest.raises(DataError, match="is dated 2026-03-02; leave the date out"):
        casework.activities.import_example(dated, CONSULTANT, held_on=dt.date(2026, 1, 1))
    assert casework.activities.activities(
        CONSULTANT, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31)
    ) == [found[1]]


def test_an_example_activity_must_name_what_is_registered() -> None:
    class Broken:
        @ssp_core.hookimpl
        def ssp_register_example_activities(self) -> list[ActivityPlan]:
            return [
                ActivityPlan(
                    "aalborg.broken",
                    "aalborg.tryg_aalborg",
                    "no_such_initiative",
                    "picnic",
                    partners=("aalborg.nobody",),
                    locality="aalborg.atlantis",
                ),
                ActivityPlan("aalborg.lost", "aalborg.no_strategy", INITIATIVE, "visit"),
            ]

    with pytest.raises(ConfigError) as refused:
        ssp_core.load_registry(plugins=[Broken()])
    message = str(refused.value)
    for part in (
        "has no initiative 'no_such_initiative'",
        "unknown activity kind 'picnic'",
        "unknown partner 'aalborg.nobody'",
        "unknown locality 'aalborg.atlantis'",
        "example activity 'aalborg.lost' from plugin",
        "unknown strategy 'aalborg.no_strategy'",
    ):
        assert part in message
    with pytest.raises(DataError, match="example activity 'aalborg.x': young people are counted"):
        ActivityPlan("aalborg.x", "aalborg.tryg_aalborg", INITIATIVE, "visit", young_people=3)


def test_activities_stay_behind_their_municipalitys_walls(clock: VirtualClock) -> None:
    registry = district_registry()
    casework = Casework(registry, clock=clock)
    hjoerring = Actor("hanne", "hjoerring.ssp_consultant")
    visit = _log(casework, CONSULTANT)
    assert visit.municipality == "aalborg"
    # Hjørring has no strategy of its own, and may not log under Aalborg's.
    with pytest.raises(ConfigError, match="no plugin contributes a strategy of hjoerring"):
        _log(casework, hjoerring)
    with pytest.raises(DataError, match="belongs to municipality 'aalborg'; an activity of"):
        _log(casework, hjoerring, strategy="aalborg.tryg_aalborg")
    # Aalborg's activities are behind Aalborg's wall.
    assert casework.activities.activities(hjoerring) == []
    with pytest.raises(AccessDenied):
        casework.activities.activity(visit.id, hjoerring)
    assert [a.case_id for a in casework.activities.activities(CONSULTANT)] == [visit.id]


class ActivityMachine(RuleBasedStateMachine):
    """Log, hold, cancel and fire by hand; the model says where each activity stands."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
        self.casework = Casework(
            REGISTRY, clock=self.clock, key=KEY, ids=ssp_core.sequential_ids("A-")
        )
        self.model: dict[str, tuple[str, dt.date, int | None]] = {}

    def today(self) -> dt.date:
        return self.clock.now().date()

    def _ids(self, state: str) -> list[str]:
        return sorted(i for i, (s, _, _) in self.model.items() if s == state)

    @rule(
        days=st.integers(-30, 30),
        kind=st.sampled_from(["visit", "evening_event", "aalborg.parent_group_meeting"]),
        count=st.one_of(st.none(), st.integers(0, 40)),
        actor=st.sampled_from([CONSULTANT, POLICE, AMBASSADOR]),
    )
    def log(self, days: int, kind: str, count: int | None, actor: Actor) -> None:
        day = self.today() + dt.timedelta(days=days)
        if day > self.today() and count is not None:
            with pytest.raises(DataError):
                _log(self.casework, actor, kind=kind, held_on=day, participants=count)
            return
        case = _log(self.casework, actor, kind=kind, held_on=day, participants=count)
        self.model[case.id] = ("held" if day <= self.today() else "planned", day, count)

    @precondition(lambda self: self._ids("planned"))
    @rule(data=st.data(), count=st.one_of(st.none(), st.integers(0, 40)))
    def hold(self, data: st.DataObject, count: int | None) -> None:
        activity = data.draw(st.sampled_from(self._ids("planned")))
        _, day, before = self.model[activity]
        before_position = self.casework.store.max_position()
        if day > self.today():
            with pytest.raises(ActionRefused):
                self.casework.activities.hold(activity, CONSULTANT, participants=count)
            assert self.casework.store.max_position() == before_position
            return
        self.casework.activities.hold(activity, CONSULTANT, participants=count)
        self.model[activity] = ("held", day, before if count is None else count)

    @precondition(lambda self: self._ids("planned"))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        activity = data.draw(st.sampled_from(self._ids("planned")))
        self.casework.activities.cancel(activity, POLICE, reason="It rained.")
        _, day, count = self.model[activity]
        self.model[activity] = ("cancelled", day, count)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), trigger=st.sampled_from(["hold", "cancel"]))
    def fire_by_hand(self, data: st.DataObject, trigger: str) -> None:
        """By hand, an activity is never marked held; only a planned one is cancelled."""
        activity = data.draw(st.sampled_from(sorted(self.model)))
        state, day, count = self.model[activity]
        before = self.casework.store.max_position()
        if trigger == "cancel" and state == "planned":
            self.casework.fire(activity, "cancel", CONSULTANT, reason="Called off.")
            self.model[activity] = ("cancelled", day, count)
            return
        with pytest.raises((TransitionRefused, ActionRefused)):
            self.casework.fire(activity, trigger, CONSULTANT, reason="By hand.")
        assert self.casework.store.max_position() == before

    @rule(days=st.integers(1, 20))
    def time_passes(self, days: int) -> None:
        self.clock.advance(dt.timedelta(days=days))

    @invariant()
    def each_activity_stands_as_the_model_says(self) -> None:
        found = self.casework.activities.activities(CONSULTANT)
        assert {a.case_id: (a.state, a.held_on, a.participants) for a in found} == self.model
        assert all(a.held_on <= self.today() for a in found if a.state == "held")
        facts = activity_facts(self.casework.store, self.casework.services.codec, REGISTRY)

        def key(item: tuple[str, dt.date, int | None]) -> tuple[str, dt.date, int]:
            state, held_on, participants = item
            return (state, held_on, -1 if participants is None else participants)

        assert sorted(((f.state, f.held_on, f.participants) for f in facts), key=key) == sorted(
            self.model.values(), key=key
        )


KEY = MunicipalKey.generate()
TestActivityWorkflow = ActivityMachine.TestCase
TestActivityWorkflow.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
