"""What the police do on Aalborg's travel cards (version 3): PET, passport measures, 112.

The police's screening records, and only the police SSP coordinator may record,
whether PET was informed (or why not) and that measures under the passport act
(pasloven § 2, stk. 1, nr. 4, for a child also nr. 5; § 2 b) were considered or
taken; the screening ends only once both are recorded. It runs against a deadline of
1 Danish business day. While the case is in the screening, an instruction (call the
police on 112 now, 114 if it is not acute) is shown at intake and with every option.
Cases on version 2 (and 1) migrate here, state for state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ssp_aalborg import hooks
from ssp_core import (
    AccessDenied,
    ActionRefused,
    Actor,
    Casework,
    Registry,
    SspError,
    Subject,
    TransitionRefused,
    VirtualClock,
    danish_calendar,
    sequential_ids,
)
from ssp_core.cli.app import Context
from ssp_core.cli.case import case as case_group
from ssp_core.clock import local_date
from ssp_core.domain.events import FactRecorded, Transitioned
from ssp_core.testing import make_registry, pseudonym_for
from ssp_core.workflows.explain import INSTRUCTION

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # a Monday
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
POLICE = Actor("bo", "aalborg.police_ssp_coordinator")
TEACHER = Actor("dan", "aalborg.frontline_worker")
MENTOR = Actor("eva", "aalborg.mentor")
ADMIN = Actor("root", "aalborg.administrator")
ACTORS = (CONSULTANT, POLICE, TEACHER, MENTOR)
POLICE_ROLE = "aalborg.police_ssp_coordinator"
CARDS = ("aalborg.travel_under_18", "aalborg.travel_from_18")
AGE = {"aalborg.travel_under_18": 16, "aalborg.travel_from_18": 24}
POLICE_FACTS = ("pet_informed", "pet_not_informed", "passport_measures_considered",
                "passport_measures_taken")  # fmt: skip
SCREENING = "police_screening"
ACUTE = "acute_departure"
REGISTRY = make_registry(hooks)  # built once and never changed: shared by every example


@pytest.fixture(name="registry")
def _registry(ssp_registry_factory: Callable[..., Registry]) -> Registry:
    return ssp_registry_factory(hooks)


@pytest.fixture(name="casework")
def _casework(registry: Registry) -> Casework:
    return Casework(registry, clock=VirtualClock(T0), ids=sequential_ids())


def person(age: int, on: dt.date | None = None) -> Subject:
    day = on or T0.date()
    return Subject("c" * 32, day.replace(year=day.year - age) - dt.timedelta(days=1))


def concern(casework: Casework, card: str) -> str:
    case = casework.open_concern(
        situation="aalborg.armed_conflict_travel",
        subject=person(AGE[card], local_date(casework.clock.now())),
        concern_date=local_date(casework.clock.now()),
        actor=TEACHER,
    )
    assert (case.workflow, case.workflow_version, case.state) == (card, 3, SCREENING)
    return case.id


# --- the data ---------------------------------------------------------------------------


@pytest.mark.parametrize("card", CARDS)
def test_version_3_declares_the_police_facts_the_instruction_and_the_deadline(
    registry: Registry, card: str
) -> None:
    definition = registry.workflow(card)
    assert definition.version == 3
    for fact in (*POLICE_FACTS, "police_screening_done"):
        assert definition.fact(fact).roles == (POLICE_ROLE,), fact
    assert definition.fact("pet_not_informed").requires_detail
    nr = "nr. 4 og 5" if card.endswith("under_18") else "nr. 4"
    for fact in ("passport_measures_considered", "passport_measures_taken"):
        assert definition.fact(fact).legal_basis == f"Pasloven § 2, stk. 1, {nr}"
    # The instruction: on the screening only, in both languages, with sources.
    shown = {s.id: s.instructions for s in definition.states if s.instructions}
    (instruction,) = shown.pop(SCREENING)
    assert shown == {}
    assert instruction.id == ACUTE
    for text in (instruction.labels.da, instruction.labels.en):
        assert "112" in text and "114" in text
    assert [s.url for s in instruction.sources] == [
        "https://politi.dk/kontakt-politiet/alarm-112",
        "https://rn.dk/da/Sundhed/Akut-sygdom/Naar-du-ringer-112",
    ]
    (deadline,) = [r for r in definition.deadlines if r.state == SCREENING and r.fact is None]
    assert (deadline.days, deadline.business_days) == (1, True)
    assert {m.from_version for m in definition.migrations} == {1, 2}
    # Both ways out of the screening ask for the police's measures.
    for trigger in ("release_to_casework", "hand_to_police"):
        (spec,) = [t for t in definition.transitions if t.trigger == trigger]
        assert spec.source == (SCREENING,)
        assert {"police_screening_done", "pet_decision_recorded",
                "passport_measures_considered"} <= set(spec.guards)  # fmt: skip


# --- police only ------------------------------------------------------------------------


@pytest.mark.parametrize("card", CARDS)
@pytest.mark.parametrize("fact", POLICE_FACTS)
def test_only_the_police_record_their_measures(casework: Casework, card: str, fact: str) -> None:
    case_id = concern(casework, card)
    before = casework.history(case_id, POLICE, purpose="casework")
    for actor in (CONSULTANT, TEACHER):  # roles that may record other facts
        with pytest.raises(ActionRefused) as refused:
            casework.record_fact(case_id, fact, actor, detail="why")
        assert str(refused.value) == (
            f"recording fact {fact!r} requires role {POLICE_ROLE!r} (actor acts as {actor.role!r})"
        )
    with pytest.raises(AccessDenied):  # a mentor has no access to the card at all
        casework.record_fact(case_id, fact, MENTOR, detail="why")
    assert casework.history(case_id, POLICE, purpose="casework") == before
    recorded = casework.record_fact(case_id, fact, POLICE, detail="why")
    assert fact in recorded.facts


@pytest.mark.parametrize("card", CARDS)
def test_the_screening_ends_only_with_pet_and_the_passport_measures_recorded(
    casework: Casework, card: str
) -> None:
    case_id = concern(casework, card)
    casework.record_fact(case_id, "police_screening_done", POLICE)
    with pytest.raises(TransitionRefused) as refused:
        casework.fire(case_id, "release_to_casework", POLICE, reason="Screened.")
    assert {r.guard for r in refused.value.reasons} == {  # type: ignore[attr-defined]
        "pet_decision_recorded",
        "passport_measures_considered",
    }
    with pytest.raises(ActionRefused, match="must be recorded with a detail"):
        casework.record_fact(case_id, "pet_not_informed", POLICE)
    casework.record_fact(case_id, "pet_not_informed", POLICE, detail="No security aspect.")
    with pytest.raises(TransitionRefused, match="passport_measures_considered"):
        casework.fire(case_id, "release_to_casework", POLICE, reason="Screened.")
    casework.record_fact(case_id, "passport_measures_taken", POLICE)  # taken: considered too
    released = casework.fire(case_id, "release_to_casework", POLICE, reason="Screened.")
    assert released.state == "received"


# --- the screening deadline -----------------------------------------------------------------


def test_the_screening_deadline_skips_easter(casework: Casework) -> None:
    # Wednesday 1 April 2026; Maundy Thursday, Good Friday and Easter Monday are holidays.
    clock = casework.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC) - clock.now())
    case_id = concern(casework, "aalborg.travel_from_18")
    deadlines = {d.rule: d.due for d in casework.deadlines(case_id, POLICE)}
    assert deadlines[SCREENING] == dt.date(2026, 4, 7)


@settings(max_examples=40, deadline=None)
@given(
    opened=st.builds(
        lambda day, minutes: (
            dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
        ),
        st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
        st.integers(min_value=0, max_value=24 * 60 - 1),
    ),
    card=st.sampled_from(CARDS),
)
def test_the_screening_is_due_the_next_danish_business_day(opened: dt.datetime, card: str) -> None:
    casework = Casework(REGISTRY, clock=VirtualClock(opened), ids=sequential_ids())
    case_id = concern(casework, card)
    due = {d.rule: d.due for d in casework.deadlines(case_id, POLICE)}[SCREENING]
    day = local_date(opened)  # the Danish date of the concern's arrival
    calendar = danish_calendar()
    assert calendar.is_business_day(due)
    between = [day + dt.timedelta(days=n) for n in range(1, (due - day).days)]
    assert due > day and not any(calendar.is_business_day(d) for d in between)


# --- the whole card at random -------------------------------------------------------------


class TravelCardMachine(RuleBasedStateMachine):
    """Any role does anything on a v3 travel card, as time passes; the rules hold throughout."""

    casework: Casework
    case_id: str
    card: str
    opened: dt.datetime
    clock: VirtualClock

    @initialize(card=st.sampled_from(CARDS), hours=st.integers(min_value=0, max_value=24 * 14))
    def open_concern(self, card: str, hours: int) -> None:
        self.clock = VirtualClock(T0 + dt.timedelta(hours=hours))
        self.casework = Casework(REGISTRY, clock=self.clock, ids=sequential_ids())
        self.card = card
        self.opened = self.clock.now()
        self.case_id = concern(self.casework, card)
        self.facts = [f.id for f in REGISTRY.workflow(card).facts]
        self.triggers = list(REGISTRY.workflow(card).triggers)

    def _history(self) -> tuple[object, ...]:
        return self.casework.history(self.case_id, POLICE, purpose="casework")

    @rule(
        data=st.data(),
        actor=st.sampled_from(ACTORS),
        detail=st.sampled_from([None, "why"]),
    )
    def record_fact(self, data: st.DataObject, actor: Actor, detail: str | None) -> None:
        fact = data.draw(st.sampled_from(self.facts))
        before = self._history()
        try:
            self.casework.record_fact(self.case_id, fact, actor, detail=detail)
        except SspError:
            assert self._history() == before, "a refused fact changed the case"
            return
        if fact in POLICE_FACTS:
            assert actor.role == POLICE_ROLE

    @rule(data=st.data(), actor=st.sampled_from(ACTORS), reason=st.sampled_from([None, "why"]))
    def fire(self, data: st.DataObject, actor: Actor, reason: str | None) -> None:
        trigger = data.draw(st.sampled_from(self.triggers))
        before = self._history()
        try:
            self.casework.fire(self.case_id, trigger, actor, reason=reason)
        except SspError:
            assert self._history() == before, "a refused trigger changed the case"

    @rule(
        fact=st.sampled_from(["police_screening_done", "children_services_notified",
                              *POLICE_FACTS]),
        trigger=st.sampled_from(["release_to_casework", "hand_to_police"]),
    )  # fmt: skip
    def police_screen(self, fact: str, trigger: str) -> None:
        """The police record one of their facts and try to end the screening (often)."""
        # A refusal is fine here (a notification on the 18+ card, which has no such fact; a
        # closed case; a guard not yet satisfied): the invariants check what it may not change.
        with contextlib.suppress(SspError):
            self.casework.record_fact(self.case_id, fact, POLICE, detail="why")
        with contextlib.suppress(SspError):
            self.casework.fire(self.case_id, trigger, POLICE, reason="Screened.")

    @rule(hours=st.integers(min_value=1, max_value=24 * 5))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(dt.timedelta(hours=hours))

    @invariant()
    def police_facts_are_recorded_by_the_police_only(self) -> None:
        for event in self._history():
            if isinstance(event, FactRecorded) and event.fact in POLICE_FACTS:
                assert event.role == POLICE_ROLE

    @invariant()
    def the_screening_ends_only_with_the_police_measures_recorded(self) -> None:
        recorded: set[str] = set()
        for event in self._history():
            if isinstance(event, FactRecorded):
                recorded.add(event.fact)
            elif isinstance(event, Transitioned) and event.source == SCREENING:
                assert event.role == POLICE_ROLE
                assert "police_screening_done" in recorded
                assert recorded & {"pet_informed", "pet_not_informed"}
                assert recorded & {"passport_measures_considered", "passport_measures_taken"}

    @invariant()
    def the_instruction_shows_exactly_while_in_the_screening(self) -> None:
        for actor in (CONSULTANT, POLICE, TEACHER):
            view = self.casework.view(self.case_id, actor)
            screening = view.case.state == SCREENING
            assert [i.id for i in view.instructions] == ([ACUTE] if screening else [])
            for option in view.options:
                notes = [n for n in option.notes if n.code == INSTRUCTION]
                assert len(notes) == (1 if screening else 0)
            assert view.options == self.casework.options(self.case_id, actor)

    @invariant()
    def the_screening_runs_against_one_danish_business_day(self) -> None:
        case = self.casework.case(self.case_id, POLICE, purpose="casework")
        due = {d.rule: d.due for d in case.due}
        if case.state != SCREENING:
            assert SCREENING not in due
            return
        expected = danish_calendar().add_business_days(local_date(self.opened), 1)
        assert due[SCREENING] == expected
        overdue = [row.case_id for row in self.casework.overdue(POLICE)]
        assert (self.case_id in overdue) or local_date(self.clock.now()) <= expected


def test_random_use_of_the_travel_cards_keeps_the_police_rules() -> None:
    run_state_machine_as_test(
        TravelCardMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# --- migration from version 2 -----------------------------------------------------------------


@pytest.mark.parametrize("card", CARDS)
def test_cases_on_version_2_move_to_version_3_state_for_state(
    casework: Casework, card: str
) -> None:
    subject = person(AGE[card])
    screening = casework.open_case(workflow=card, version=2, subject=subject, actor=CONSULTANT)
    released = casework.open_case(workflow=card, version=2, subject=subject, actor=CONSULTANT)
    oldest = casework.open_case(workflow=card, version=1, subject=subject, actor=CONSULTANT)
    assert casework.view(screening.id, POLICE).instructions == ()  # version 2 has none
    for fact in ("police_screening_done", "children_services_notified"):
        if fact in {f.id for f in casework.registry.workflow(card, 2).facts}:
            casework.record_fact(released.id, fact, POLICE)
    casework.fire(released.id, "release_to_casework", POLICE, reason="Screened.")
    due_before = casework.case(screening.id, POLICE, purpose="casework").due
    casework.clock.advance(dt.timedelta(hours=3))  # type: ignore[attr-defined]
    plan = casework.plan_migration(card, ADMIN)
    assert plan.to_version == 3
    assert {(i.case_id, i.from_version, i.source, i.dest) for i in plan.items} == {
        (screening.id, 2, SCREENING, SCREENING),
        (released.id, 2, "received", "received"),
        (oldest.id, 1, SCREENING, SCREENING),
    }
    result = casework.migrate(plan, ADMIN)
    assert set(result.migrated) == {screening.id, released.id, oldest.id}
    moved = casework.view(screening.id, POLICE)
    assert (moved.case.workflow_version, moved.case.state) == (3, SCREENING)
    # The screening keeps its due date (same day of entry) and now shows the instruction.
    kept = {d.rule: d.due for d in due_before}
    assert {d.rule: d.due for d in moved.case.due}[SCREENING] == kept[SCREENING]
    assert [i.id for i in moved.instructions] == [ACUTE]
    # Leaving the screening now asks for the police's measures.
    casework.record_fact(screening.id, "police_screening_done", POLICE)
    with pytest.raises(TransitionRefused, match="pet_decision_recorded"):
        casework.fire(screening.id, "release_to_casework", POLICE, reason="Screened.")
    # A case already released is not sent back, and shows no instruction.
    after = casework.view(released.id, POLICE)
    assert (after.case.workflow_version, after.case.state, after.instructions) == (
        3,
        "received",
        (),
    )


# --- the command line -------------------------------------------------------------------------


def _ssp(casework: Casework, *args: str, language: str = "en") -> tuple[int, str]:
    obj = Context(autoload=False, block=(), language=language, casework=casework)  # type: ignore[arg-type]
    result = CliRunner().invoke(case_group, list(args), obj=obj, env={"COLUMNS": "200"})
    refused = f"error: {result.exception}" if result.exception else ""  # what `ssp` prints
    return result.exit_code, result.output + refused


@pytest.mark.parametrize("language", ["en", "da"])
def test_ssp_shows_the_acute_instruction_at_intake_and_in_case_show(
    casework: Casework, language: str
) -> None:
    instruction = casework.registry.workflow(CARDS[0]).state(SCREENING).instructions[0]
    text = instruction.labels.get(language)  # type: ignore[arg-type]
    teacher = ("--actor", TEACHER.id, "--role", TEACHER.role)
    code, out = _ssp(
        casework, "open", "--situation", "aalborg.armed_conflict_travel", "--pseudonym", pseudonym_for("p-16"),
        "--birth-date", "2010-01-01", *teacher, language=language,
    )  # fmt: skip
    assert code == 0, out
    assert text in " ".join(out.split())
    assert {"da": "kilde: Alarm 112", "en": "source: Alarm 112"}[language] in out
    (row,) = casework.find(POLICE)
    consultant = ("--actor", CONSULTANT.id, "--role", CONSULTANT.role)
    code, shown = _ssp(casework, "show", row.case_id, *consultant, language=language)
    assert code == 0 and text in " ".join(shown.split())
    code, data = _ssp(casework, "show", row.case_id, "--json", *consultant)
    assert [i["id"] for i in json.loads(data)["instructions"]] == [ACUTE]
    # A consultant may not record the police's measures: a clear refusal, nothing changed.
    code, refused = _ssp(casework, "fact", row.case_id, "pet_informed", *consultant)
    assert code != 0 and "requires role 'aalborg.police_ssp_coordinator'" in refused
    assert "pet_informed" not in casework.case(row.case_id, POLICE, purpose="casework").facts
    police = ("--actor", POLICE.id, "--role", POLICE.role)
    for fact in ("police_screening_done", "pet_informed", "passport_measures_considered",
                 "children_services_notified"):  # fmt: skip
        assert _ssp(casework, "fact", row.case_id, fact, *police)[0] == 0
    code, moved = _ssp(
        casework, "fire", row.case_id, "release_to_casework", "--reason", "Screened.", *police
    )
    assert code == 0, moved
    code, shown = _ssp(casework, "show", row.case_id, *consultant, language=language)
    assert code == 0 and text not in " ".join(shown.split()) and "source:" not in shown
