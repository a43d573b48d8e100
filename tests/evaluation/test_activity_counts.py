"""The goal report counts each initiative's held activities: per kind and year, and who came."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

import ssp_core
from ssp_core import AccessDenied, Actor, Casework, Registry, VirtualClock
from ssp_core.evaluation import Evaluation, render
from ssp_core.evaluation.activities import (
    ADULTS,
    AGE_NOT_GIVEN,
    YOUNG_PEOPLE,
    ActivityFacts,
    activity_counts,
)
from ssp_core.evaluation.period import Period
from ssp_core.evaluation.plots import HIDDEN
from ssp_core.evaluation.report import count_table
from ssp_core.plugins import Grant
from ssp_core.privacy.suppression import TOTAL, exposed_cells
from ssp_core.store.records import AuditAction, AuditQuery
from tests.evaluation.scenario import EVE

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
TEACHER = Actor("dan", "aalborg.frontline_worker")
RADICALISATION = "radicalisation_prevention"
STRATEGY = "aalborg.tryg_aalborg"
KINDS = ("visit", "evening_event", "dialogue_meeting")


@pytest.fixture(name="logged", scope="module")
def _logged(aalborg: Registry) -> tuple[Casework, Counter[tuple[str, str]], Counter[str]]:
    """Activities over 2024-2025, and what the tables must show (the true counts)."""
    clock = VirtualClock(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    casework = Casework(aalborg, clock=clock, ids=ssp_core.sequential_ids("V-"))
    held: Counter[tuple[str, str]] = Counter()
    came: Counter[str] = Counter()
    for n in range(40):
        day = dt.date(2024, 1, 3) + dt.timedelta(days=17 * n)
        kind = KINDS[0] if n % 5 else KINDS[1 + (n // 5) % 2]  # few evening events, meetings
        young = None if n % 4 == 0 else 6
        count = None if n % 10 == 9 else 10 + n % 7
        if count is None:
            young = None
        casework.activities.log(
            RADICALISATION,
            kind=kind,
            held_on=day,
            actor=CONSULTANT,
            partners=["aalborg.skuret"],
            participants=count,
            young_people=young,
        )
        held[(kind, str(day.year))] += 1
        if count is not None and young is not None:
            came[YOUNG_PEOPLE] += young
            came[ADULTS] += count - young
        elif count is not None:
            came[AGE_NOT_GIVEN] += count
    # Not counted: another initiative's, a cancelled one, one planned, one outside the period.
    casework.activities.log(
        "children_youth_wellbeing", kind="seminar", held_on=dt.date(2024, 5, 2), actor=CONSULTANT
    )
    planned = casework.activities.log(
        RADICALISATION, kind="visit", held_on=dt.date(2026, 2, 2), actor=CONSULTANT
    )
    cancelled = casework.activities.log(
        RADICALISATION, kind="visit", held_on=dt.date(2026, 2, 3), actor=CONSULTANT
    )
    casework.activities.cancel(cancelled.id, CONSULTANT, reason="Snow.")
    casework.activities.log(
        RADICALISATION, kind="visit", held_on=dt.date(2023, 12, 1), actor=CONSULTANT
    )
    assert planned.state == "planned"
    return casework, held, came


def _evaluation(casework: Casework) -> Evaluation:
    return casework.evaluate(
        EVE,
        initiative=RADICALISATION,
        since=dt.date(2024, 1, 1),
        until=dt.date(2026, 12, 31),
    )


def test_held_activities_are_counted_per_kind_and_year_small_counts_hidden(
    logged: tuple[Casework, Counter[tuple[str, str]], Counter[str]],
) -> None:
    casework, held, came = logged
    evaluation = _evaluation(casework)
    (result,) = evaluation.initiatives
    found = result.activities
    assert found is not None and found.activities is not None and found.participants is not None
    assert found.workflows == ("core.initiative_activity",)
    table = found.activities
    assert table.dimensions == ("activity_kind", "year")
    published = {cell.key: cell.count for cell in table.cells}
    assert {key[1] for key in published} == {"2024", "2025", "2026", TOTAL}
    for key, count in held.items():
        assert published[key] in (count, None)  # a published count is the true one
        if count < 5:
            assert published[key] is None
    assert all(count is None or count == 0 or count >= 5 for count in published.values())
    assert published[(TOTAL, TOTAL)] == sum(held.values()) == 40
    assert published[("visit", TOTAL)] == 32
    assert published[(TOTAL, "2026")] == 0  # the planned and the cancelled ones count not
    assert exposed_cells(table) == []
    people = {cell.key: cell.count for cell in found.participants.cells}
    assert people[(TOTAL, TOTAL)] == sum(came.values())
    for group, total in came.items():
        assert people[(group, TOTAL)] in (total, None)
    assert people[(YOUNG_PEOPLE, TOTAL)] == came[YOUNG_PEOPLE]
    # The tables are those of the evaluation, shown in the report as published.
    names = [name for name, _ in evaluation.tables()]
    assert f"{RADICALISATION}.activities" in names and f"{RADICALISATION}.participants" in names
    for lang in ("da", "en"):
        markdown = render(evaluation, lang=lang).markdown
        assert count_table(table, evaluation.labels, lang) in markdown
        assert count_table(found.participants, evaluation.labels, lang) in markdown
    english = render(evaluation, lang="en").markdown
    assert "#### Activities held (Gennemførte aktiviteter)" in english
    assert "| Visit | " in english and "| Children and young people | " in english
    assert HIDDEN in english
    assert "| Besøg | " in render(evaluation, lang="da").markdown


def test_the_counts_use_case_gives_the_reports_tables_audited(
    logged: tuple[Casework, Counter[tuple[str, str]], Counter[str]],
) -> None:
    casework, _, _ = logged
    counts = casework.activities.counts(
        CONSULTANT, RADICALISATION, since=dt.date(2024, 1, 1), until=dt.date(2026, 12, 31)
    )
    (result,) = _evaluation(casework).initiatives
    assert counts == result.activities
    entries = casework.store.read_audit(AuditQuery(actor=CONSULTANT.id))
    assert any(
        e.action is AuditAction.EXPORT and "activity counts of aalborg.tryg_aalborg" in e.detail
        for e in entries
    )
    with pytest.raises(AccessDenied):
        casework.activities.counts(TEACHER, RADICALISATION, term="2022-2025")
    term = casework.activities.counts(CONSULTANT, RADICALISATION, term="2022-2025")
    assert term.period == Period.of_term("2022-2025")
    assert term.activities is not None
    assert {c.key[1] for c in term.activities.cells} == {"2022", "2023", "2024", "2025", TOTAL}


def test_an_initiative_without_activities_says_so(
    logged: tuple[Casework, Counter[tuple[str, str]], Counter[str]],
) -> None:
    casework, _, _ = logged
    evaluation = casework.evaluate(EVE, term="2022-2025")
    by_id = {r.initiative.id: r.activities for r in evaluation.initiatives}
    nightlife = by_id["safe_nightlife"]
    assert nightlife is not None and nightlife.activities is None
    assert nightlife.note is not None and "No activity" in nightlife.note.en
    seminar = by_id["children_youth_wellbeing"]
    assert seminar is not None and seminar.participants is None  # logged without a number
    assert seminar.note is not None and "No numbers of participants" in seminar.note.en
    assert (
        "No activity of the initiative is logged as held" in render(evaluation, lang="en").markdown
    )


def test_a_grant_that_names_other_workflows_counts_no_activity(
    logged: tuple[Casework, Counter[tuple[str, str]], Counter[str]], aalborg: Registry
) -> None:
    class Narrow:
        @ssp_core.hookimpl
        def ssp_register_roles(self) -> list[ssp_core.plugins.Role]:
            return [ssp_core.plugins.Role("narrow", ssp_core.plugins.Labels("Smal", "Narrow"))]

        @ssp_core.hookimpl
        def ssp_register_grants(self) -> list[Grant]:
            return [
                Grant(
                    role="narrow",
                    operations=("report.evaluate",),
                    purposes=("research",),
                    workflows=("aalborg.mentor",),
                )
            ]

    casework, _, _ = logged
    narrow = Casework(
        ssp_core.load_registry(plugins=[Narrow()]),
        store=casework.store,
        clock=casework.clock,
    )
    counts = narrow.activities.counts(
        Actor("nina", "narrow"), RADICALISATION, since=dt.date(2024, 1, 1), until=TODAY
    )
    assert counts.activities is None and counts.workflows == ()
    assert counts.note is not None and "No activity workflow" in counts.note.en


TODAY = dt.date(2026, 1, 5)


def test_counting_is_a_pure_function_of_the_facts() -> None:
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))

    def fact(kind: str, day: dt.date, state: str = "held", **given: object) -> ActivityFacts:
        values: dict[str, object] = {"participants": 7, "young_people": None}
        values.update(given)
        return ActivityFacts(
            "core.initiative_activity", STRATEGY, RADICALISATION, kind, day, state=state, **values
        )

    facts = [fact("visit", dt.date(2025, 3, d)) for d in range(1, 8)]
    facts += [fact("visit", dt.date(2025, 3, 9), state="planned")]
    facts += [fact("visit", dt.date(2024, 12, 31))]
    counts = activity_counts(facts, STRATEGY, RADICALISATION, period)
    assert counts.activities is not None and counts.participants is not None
    assert {c.key: c.count for c in counts.activities.cells} == {
        ("visit", "2025"): 7,
        ("visit", TOTAL): 7,
        (TOTAL, "2025"): 7,
        (TOTAL, TOTAL): 7,
    }
    people = {c.key: c.count for c in counts.participants.cells}
    assert people[(AGE_NOT_GIVEN, "2025")] == 49
    assert people[(YOUNG_PEOPLE, "2025")] == people[(ADULTS, "2025")] == 0
    assert activity_counts(None, STRATEGY, RADICALISATION, period).note is not None
    other = activity_counts(facts, STRATEGY, "safe_nightlife", period)
    assert other.activities is None
