"""Casework over a store: deadlines that are real, suspension, audit, migration, persistence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import ssp_core
from ssp_core import (
    Actor,
    Casework,
    DataError,
    Subject,
    TransitionRefused,
    VirtualClock,
    hookimpl,
)
from ssp_core.domain.events import (
    CaseResumed,
    CaseSuspended,
    DeadlineExtended,
    DeadlineMissed,
    WorkflowMigrated,
)
from ssp_core.exceptions import ConfigError
from ssp_core.loading import structure
from ssp_core.store import AuditAction, AuditQuery, CaseQuery, Commit, open_store
from ssp_core.store.projection import case_row
from ssp_core.testing import pseudonym_for
from ssp_core.workflows.definition import (
    Applicability,
    DeadlineRule,
    MigrationSpec,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowKind,
)
from ssp_core.workflows.engine import ActionRefused
from ssp_core.workflows.validation import definition_problems
from tests.sample_plugin import L, SamplePlugin, card

CONSULTANT = Actor("anne", "sample.consultant")
TEACHER = Actor("dan", "sample.teacher")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def born(day: dt.date, years: int) -> Subject:
    return Subject(pseudonym_for("p-0123456789"), day.replace(year=day.year - years))


def open_young(casework: Casework, clock: VirtualClock) -> ssp_core.Case:
    today = clock.now().date()
    return casework.open_concern(
        situation="sample.worry", subject=born(today, 15), concern_date=today, actor=TEACHER
    )


# -- deadlines --------------------------------------------------------------------------


def test_due_dates_are_stored_with_the_event_and_in_the_index(
    casework: Casework, clock: VirtualClock
) -> None:
    case = open_young(casework, clock)
    (opened,) = casework.history(case.id, CONSULTANT, purpose="casework")
    assert [(d.rule, d.due) for d in opened.due] == [("received", dt.date(2026, 3, 4))]
    row = casework.store.case_row(case.id)
    assert row is not None and row.next_due == dt.date(2026, 3, 4)
    casework.fire(case.id, "assess", CONSULTANT)  # assessment has no deadline
    row = casework.store.case_row(case.id)
    assert row is not None and row.next_due is None
    assert casework.deadlines(case.id, CONSULTANT) == ()


def test_business_days_skip_danish_public_holidays(
    registry: ssp_core.Registry,
) -> None:
    # Opened Wednesday 1 April 2026: Maundy Thursday, Good Friday and Easter Monday are closed.
    clock = VirtualClock(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC))
    casework = Casework(registry, clock=clock)
    case = open_young(casework, clock)
    assert [d.due for d in casework.deadlines(case.id, CONSULTANT)] == [dt.date(2026, 4, 8)]


def test_overdue_cases_are_one_index_query_and_misses_are_escalated_once(
    registry: ssp_core.Registry, clock: VirtualClock, sample: SamplePlugin
) -> None:
    casework = Casework(registry, clock=clock, ids=ssp_core.sequential_ids("T-"))
    late = open_young(casework, clock)
    moved = open_young(casework, clock)
    casework.fire(moved.id, "assess", CONSULTANT)
    assert casework.overdue(CONSULTANT, on=dt.date(2026, 3, 4)) == []  # due that day: not late
    overdue = casework.overdue(CONSULTANT, on=dt.date(2026, 3, 5))
    assert [row.case_id for row in overdue] == [late.id]
    clock.set(dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC))
    recorded = casework.record_missed_deadlines(CONSULTANT)
    assert [(c.id, d.rule, d.due, d.missed) for c, d in recorded] == [
        (late.id, "received", dt.date(2026, 3, 4), True)
    ]
    assert sample.missed == [(late.id, "received", dt.date(2026, 3, 4))]
    assert isinstance(casework.history(late.id, CONSULTANT, purpose="casework")[-1], DeadlineMissed)
    assert casework.record_missed_deadlines(CONSULTANT) == []  # once only
    assert sample.missed == [(late.id, "received", dt.date(2026, 3, 4))]
    # Still overdue (recording a miss does not make it go away), until the case moves on.
    assert [row.case_id for row in casework.overdue(CONSULTANT)] == [late.id]
    casework.fire(late.id, "assess", CONSULTANT)
    assert casework.overdue(CONSULTANT) == []


def test_suspension_stops_deadlines_and_triggers_and_resuming_moves_the_due_dates(
    casework: Casework, clock: VirtualClock
) -> None:
    case = open_young(casework, clock)  # Monday 2 March, due Wednesday 4 March
    with pytest.raises(ActionRefused, match="requires a written reason"):
        casework.suspend(case.id, CONSULTANT, reason="  ")
    casework.suspend(case.id, CONSULTANT, reason="The family has moved abroad for a month.")
    with pytest.raises(TransitionRefused) as refused:
        casework.fire(case.id, "assess", CONSULTANT)
    assert [r.code for r in refused.value.reasons] == ["on_hold"]
    row = casework.store.case_row(case.id)
    assert row is not None and row.on_hold and row.next_due is None
    assert casework.overdue(CONSULTANT, on=dt.date(2026, 3, 20)) == []
    with pytest.raises(ActionRefused, match="already on hold"):
        casework.suspend(case.id, CONSULTANT, reason="again")
    clock.set(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC))  # five business days later
    casework.resume(case.id, CONSULTANT, reason="Back home.")
    assert [d.due for d in casework.deadlines(case.id, CONSULTANT)] == [dt.date(2026, 3, 11)]
    events = casework.history(case.id, CONSULTANT, purpose="casework")
    assert isinstance(events[-2], CaseSuspended) and isinstance(events[-1], CaseResumed)
    with pytest.raises(ActionRefused, match="not on hold"):
        casework.resume(case.id, CONSULTANT)
    casework.fire(case.id, "assess", CONSULTANT)


def test_extending_a_deadline_needs_a_later_date_and_a_reason(
    casework: Casework, clock: VirtualClock
) -> None:
    case = open_young(casework, clock)
    with pytest.raises(ActionRefused, match="past 2026-03-04"):
        casework.extend_deadline(case.id, "received", dt.date(2026, 3, 3), CONSULTANT, reason="x")
    with pytest.raises(ActionRefused, match="no running deadline 'nope'; running: received"):
        casework.extend_deadline(case.id, "nope", dt.date(2026, 3, 9), CONSULTANT, reason="x")
    with pytest.raises(ActionRefused, match="written reason"):
        casework.extend_deadline(case.id, "received", dt.date(2026, 3, 9), CONSULTANT, reason="")
    version = casework.case(case.id, CONSULTANT, purpose="casework").version
    assert version == 1  # refusals wrote nothing
    casework.extend_deadline(
        case.id, "received", dt.date(2026, 3, 9), CONSULTANT, reason="Waiting for the school."
    )
    last = casework.history(case.id, CONSULTANT, purpose="casework")[-1]
    assert isinstance(last, DeadlineExtended) and last.due == dt.date(2026, 3, 9)
    row = casework.store.case_row(case.id)
    assert row is not None and row.next_due == dt.date(2026, 3, 9)


def test_deadline_rules_need_distinct_ids_within_a_workflow() -> None:
    base = card("sample.young", "sample.young")
    twice = WorkflowDefinition(
        **{
            **{f: getattr(base, f) for f in ("id", "version", "kind", "labels", "initial")},
            "states": base.states,
            "transitions": base.transitions,
            "deadlines": (
                DeadlineRule("received", 2, L("a")),
                DeadlineRule("received", 5, L("b")),
            ),
        }
    )
    assert any(
        "deadline 'received' is declared more than once" in p for p in definition_problems(twice)
    )


# -- audit ------------------------------------------------------------------------------------


def test_every_read_and_write_is_audited_with_actor_role_purpose_and_time(
    casework: Casework, clock: VirtualClock
) -> None:
    case = open_young(casework, clock)
    clock.advance(dt.timedelta(minutes=5))
    # Purposes are registered ids: the core's, and the sample plugin's own.
    casework.case(case.id, CONSULTANT, purpose="sample.training")
    casework.find(CONSULTANT, CaseQuery(workflow="sample.young"), purpose="administration")
    casework.export(case.id, CONSULTANT, purpose="disclosure")
    entries = casework.store.read_audit(AuditQuery(case_id=None))
    assert [(e.actor, e.role, e.purpose, e.action, e.case_id) for e in entries] == [
        ("dan", "sample.teacher", "casework", AuditAction.WRITE, case.id),
        ("anne", "sample.consultant", "sample.training", AuditAction.LOAD, case.id),
        ("anne", "sample.consultant", "administration", AuditAction.SEARCH, None),
        ("anne", "sample.consultant", "disclosure", AuditAction.EXPORT, case.id),
    ]
    assert entries[0].at == MONDAY and entries[1].at == MONDAY + dt.timedelta(minutes=5)
    assert entries[0].detail == "CaseOpened"
    assert entries[2].detail == "workflow=sample.young"
    by_teacher = casework.audit_log(CONSULTANT, AuditQuery(actor="dan"), purpose="audit")
    assert [e.actor for e in by_teacher] == ["dan"]
    assert casework.store.read_audit(AuditQuery(since=MONDAY + dt.timedelta(minutes=1)))[
        0
    ].purpose == ("sample.training")


def test_a_refused_write_is_not_stored(casework: Casework, clock: VirtualClock) -> None:
    case = open_young(casework, clock)
    before = casework.store.max_position()
    with pytest.raises(TransitionRefused):
        casework.fire(case.id, "intervene", CONSULTANT)
    with pytest.raises(DataError):
        casework.add_note(case.id, "   ", CONSULTANT)
    assert casework.store.max_position() == before
    assert casework.case(case.id, CONSULTANT, purpose="casework").version == 1


# -- persistence -------------------------------------------------------------------------------


def test_cases_outlive_the_casework_on_sqlite(
    registry: ssp_core.Registry, clock: VirtualClock, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    key = ssp_core.MunicipalKey.generate()  # a store that outlives the process needs the key
    first = Casework(registry, store=url, key=key, clock=clock, ids=ssp_core.sequential_ids("P-"))
    case = open_young(first, clock)
    first.record_fact(case.id, "notified", TEACHER)
    first.fire(case.id, "assess", CONSULTANT)
    written = first.history(case.id, CONSULTANT, purpose="casework")
    first.close()
    second = Casework(registry, store=url, key=key, clock=clock)
    again = second.case(case.id, CONSULTANT, purpose="casework")
    assert again.events == written
    assert again.state == "assessment" and again.facts == frozenset({"notified"})
    engine = registry.engine_for(again)
    assert second.store.case_row(case.id) == case_row(again, engine.definition.final_states)
    (loaded,) = second.load_cases([case.id], CONSULTANT, purpose="casework")
    assert loaded.events == written
    with pytest.raises(ssp_core.AccessDenied, match="there is no such case"):
        second.load_cases([case.id, "P-404"], CONSULTANT, purpose="casework")
    second.close()
    keyless = Casework(registry, store=url, clock=clock)  # no default key for a file
    with pytest.raises(ConfigError, match="no municipal key"):
        keyless.case(case.id, CONSULTANT, purpose="casework")
    keyless.close()


# -- workflow versions and migration -----------------------------------------------------------


def young_v2() -> WorkflowDefinition:
    return WorkflowDefinition(
        id="sample.young",
        version=2,
        kind=WorkflowKind.ACTION_CARD,
        labels=L("card sample.young, version 2"),
        initial="received",
        states=(
            StateSpec("received", L("received")),
            StateSpec("analysis", L("analysis")),
            StateSpec("closed", L("closed"), final=True),
        ),
        transitions=(
            TransitionSpec("analyse", "received", "analysis", L("analyse")),
            TransitionSpec("close", ("received", "analysis"), "closed", L("close")),
        ),
        deadlines=(DeadlineRule("analysis", 3, L("within 3 business days")),),
        migrations=(MigrationSpec(1, {"assessment": "analysis"}),),
        # a new version of a card keeps applying where the old one did (checked at load)
        applies_to=Applicability("sample.worry", "sample.young"),
    )


class Version2:
    plugin_name = "version2"

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        return [young_v2()]


def test_plan_then_migrate_running_cases_one_event_each(clock: VirtualClock) -> None:
    registry = ssp_core.testing.make_registry(SamplePlugin(), Version2())
    casework = Casework(registry, clock=clock, ids=ssp_core.sequential_ids("M-"))
    v1 = registry.engine("sample.young", 1)
    subject = born(clock.now().date(), 15)

    def open_v1() -> str:
        return casework.open_case(
            workflow="sample.young", version=1, subject=subject, actor=TEACHER
        ).id

    waiting, assessed, intervening, closed = open_v1(), open_v1(), open_v1(), open_v1()
    casework.fire(assessed, "assess", CONSULTANT)
    casework.fire(intervening, "assess", CONSULTANT)
    casework.record_fact(intervening, "notified", TEACHER)
    casework.record_fact(intervening, "parents_involved", TEACHER)
    casework.fire(intervening, "intervene", CONSULTANT)
    casework.fire(closed, "close", CONSULTANT, reason="No substance.")
    fresh = casework.open_case(workflow="sample.young", subject=subject, actor=TEACHER).id
    assert (
        casework.case(fresh, CONSULTANT, purpose="casework").workflow_version == 2
    )  # newest by default

    plan = casework.plan_migration("sample.young", CONSULTANT)
    assert plan.to_version == 2
    assert {(i.case_id, i.source, i.dest) for i in plan.items} == {
        (waiting, "received", "received"),
        (assessed, "assessment", "analysis"),
        (intervening, "intervention", None),
    }
    (stuck,) = plan.unmappable
    assert "'intervention' of version 1 has no counterpart" in (stuck.problem or "")
    before = casework.store.max_position()
    assert casework.store.max_position() == before  # planning changes nothing

    clock.advance(dt.timedelta(hours=1))
    # A note added since the plan does not matter; a case that moved on does.
    casework.add_note(assessed, "noted after planning", CONSULTANT)
    casework.fire(waiting, "assess", CONSULTANT)
    result = casework.migrate(plan, CONSULTANT)
    assert result.migrated == (assessed,)
    assert dict(result.skipped) == {
        waiting: "changed since the plan was made; plan again",
        intervening: stuck.problem,
    }
    moved = casework.case(assessed, CONSULTANT, purpose="casework")
    last = moved.last_event
    assert isinstance(last, WorkflowMigrated)
    assert (last.from_version, last.to_version, last.source, last.dest) == (
        1,
        2,
        "assessment",
        "analysis",
    )
    assert (moved.workflow_version, moved.state) == (2, "analysis")
    assert [d.rule for d in registry.engine_for(moved).deadlines(moved)] == ["analysis"]
    casework.fire(assessed, "close", CONSULTANT)  # it now runs on version 2
    row = casework.store.case_row(assessed)
    assert row is not None and row.workflow_version == 2 and row.closed_at is not None
    # A second plan picks up the case that moved on; a version-1 engine refuses a moved case.
    again = casework.plan_migration("sample.young", CONSULTANT)
    assert {(i.case_id, i.source, i.dest) for i in again.movable} == {
        (waiting, "assessment", "analysis")
    }
    with pytest.raises(DataError, match="runs on sample.young@2"):
        v1.options(moved, CONSULTANT)


def test_migration_tables_load_from_toml_and_are_validated() -> None:
    spec = structure({"from_version": 1, "states": {"old": "new"}}, MigrationSpec, where="x.toml")
    assert spec.target("old") == "new" and spec.target("other") is None
    with pytest.raises(ConfigError, match="x.toml"):
        structure({"from_version": 1, "states": {"old": 3}}, MigrationSpec, where="x.toml")
    bad = WorkflowDefinition(
        **{
            **{
                f: getattr(young_v2(), f)
                for f in ("id", "kind", "labels", "initial", "states", "transitions")
            },
            "version": 2,
            "migrations": (MigrationSpec(2, {"a": "nowhere"}),),
        }
    )
    problems = definition_problems(bad)
    assert any("must come from an older version than 2" in p for p in problems)
    assert any("maps 'a' to unknown state 'nowhere'" in p for p in problems)


def test_memory_and_sqlite_give_the_same_answers(
    registry: ssp_core.Registry, tmp_path: Path
) -> None:
    results = []
    key = ssp_core.MunicipalKey.generate()
    for url in ("memory://", f"sqlite:///{tmp_path / 'same.db'}"):
        clock = VirtualClock(MONDAY)
        casework = Casework(
            registry,
            store=open_store(url),
            key=key,
            clock=clock,
            ids=ssp_core.sequential_ids("S-"),
        )
        a = open_young(casework, clock)
        open_young(casework, clock)
        casework.fire(a.id, "assess", CONSULTANT)
        casework.assign(a.id, "anne", CONSULTANT)
        results.append(
            (
                casework.find(CONSULTANT),
                casework.find(CONSULTANT, CaseQuery(assignee="anne")),
                casework.overdue(CONSULTANT, on=dt.date(2026, 3, 10)),
                [e.position for e in casework.store.read_log()],
            )
        )
        casework.close()
    assert results[0] == results[1]


def test_a_search_is_described_in_the_audit_log_by_its_filters() -> None:
    assert CaseQuery().describe() == "all cases"
    assert CaseQuery(workflow_version=0, limit=0).describe() == "workflow_version=0, limit=0"
    assert CaseQuery(open_only=True, due_before=dt.date(2026, 3, 5)).describe() == (
        "due_before=2026-03-05, open_only=True"
    )


def test_reads_need_a_registered_role_too(casework: Casework, clock: VirtualClock) -> None:
    case = open_young(casework, clock)
    wizard = Actor("merlin", "wizard")
    for read in (
        lambda: casework.case(case.id, wizard, purpose="casework"),
        lambda: casework.find(wizard),
        lambda: casework.export(case.id, wizard, purpose="casework"),
        lambda: casework.audit_log(wizard, purpose="audit"),
        lambda: casework.load_cases([case.id], wizard, purpose="casework"),
    ):
        with pytest.raises(ssp_core.UnknownId, match="unknown role 'wizard'"):
            read()
    # ... and a registered purpose: "curiosity" is none.
    for read in (
        lambda: casework.case(case.id, CONSULTANT, purpose="curiosity"),
        lambda: casework.find(CONSULTANT, purpose="curiosity"),
        lambda: casework.export(case.id, CONSULTANT, purpose="curiosity"),
        lambda: casework.audit_log(CONSULTANT, purpose="curiosity"),
        lambda: casework.load_cases([case.id], CONSULTANT, purpose="curiosity"),
    ):
        with pytest.raises(ssp_core.UnknownId, match="unknown purpose 'curiosity'"):
            read()
    # Every refusal is audited (issue 15, item 10), the unknown role and purpose too.
    audit = casework.store.read_audit(AuditQuery())
    merlin = [e for e in audit if e.actor == "merlin"]
    assert merlin and all(
        e.action is AuditAction.DENIED and (e.detail or "").endswith("unknown role") for e in merlin
    )
    curious = [e for e in audit if e.purpose == "curiosity"]
    assert curious and all(
        e.action is AuditAction.DENIED and (e.detail or "").endswith("unknown purpose")
        for e in curious
    )


def test_a_note_writes_its_event_alone_and_the_index_stays_a_replay(
    casework: Casework, clock: VirtualClock
) -> None:
    case = open_young(casework, clock)
    statements: list[Commit] = []
    append = casework.store.append

    def spy(commit: Commit) -> tuple[int, ...]:
        statements.append(commit)
        return append(commit)

    casework.store.append = spy  # type: ignore[method-assign]
    casework.add_note(case.id, "A call with the school.", CONSULTANT)
    casework.assign(case.id, "anne", CONSULTANT)
    assert [(len(c.events), len(c.cases)) for c in statements] == [(1, 0), (1, 1)]
    loaded = casework.case(case.id, CONSULTANT, purpose="casework")
    engine = casework.registry.engine_for(loaded)
    assert casework.store.case_row(case.id) == case_row(loaded, engine.definition.final_states)
