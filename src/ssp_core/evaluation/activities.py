"""What evaluations count of initiatives' activities: those held per kind and year, and who came.

Reads the case index and each activity's latest
:class:`~ssp_core.domain.events.ActivityLogged` without any key: the strategy, the
initiative, the kind, the date and the counts are readable; the place and the
description are sealed. An activity names no one, so nothing here is about a person;
the goal report still applies its small-cell rule to both tables, as to every count it
shows (see :func:`activity_counts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType

import attrs

from ssp_core.domain.activities import HELD
from ssp_core.domain.events import ActivityLogged
from ssp_core.domain.labels import Labels
from ssp_core.evaluation.measures import catalogue_labels
from ssp_core.evaluation.period import Period
from ssp_core.i18n import N_
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.suppression import THRESHOLD, CountTable, SuppressedTable, suppress
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.scan import index_pass, scan_cases
from ssp_core.workflows.definition import WorkflowKind

__all__ = [
    "ACTIVITY_DIMENSIONS",
    "ACTIVITY_NOTES",
    "ADULTS",
    "AGE_NOT_GIVEN",
    "PARTICIPANT_DIMENSIONS",
    "PARTICIPANT_GROUPS",
    "YOUNG_PEOPLE",
    "ActivityCounts",
    "ActivityFacts",
    "activity_counts",
    "activity_facts",
]

ACTIVITY_DIMENSIONS = ("activity_kind", "year")
"""The dimensions of the activities table: the kind of activity and the year it was held."""

PARTICIPANT_DIMENSIONS = ("participants", "year")
"""The dimensions of the participants table: the age group and the year."""

YOUNG_PEOPLE = "young_people"
"""Participants counted as children or young people."""

ADULTS = "adults"
"""The other participants of an activity whose young people were counted."""

AGE_NOT_GIVEN = "age_not_given"
"""Participants of an activity whose young people were not counted apart."""

PARTICIPANT_GROUPS: Mapping[str, Labels] = MappingProxyType(
    {
        YOUNG_PEOPLE: catalogue_labels(N_("Children and young people")),
        ADULTS: catalogue_labels(N_("Adults")),
        AGE_NOT_GIVEN: catalogue_labels(N_("Age not counted")),
    }
)
"""The age groups of the participants table, in order, with their labels."""

ACTIVITY_NOTES: Mapping[str, Labels] = MappingProxyType(
    {
        "no_workflows": catalogue_labels(
            N_("No activity workflow is registered or covered by the grants for report.evaluate.")
        ),
        "no_activities": catalogue_labels(
            N_("No activity of the initiative is logged as held in the period.")
        ),
        "no_participants": catalogue_labels(
            N_("No numbers of participants are logged for the activities.")
        ),
    }
)
"""Why an initiative's activities show no table, in English and Danish (by key)."""


@attrs.frozen
class ActivityFacts:
    """One activity as evaluations count it: whose, what kind, when, how many, where it stands."""

    workflow: str
    strategy: str
    initiative: str
    kind: str
    held_on: dt.date
    participants: int | None
    young_people: int | None
    state: str


def activity_facts(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
    municipalities: Collection[str] | None = None,
) -> list[ActivityFacts]:
    """Return the facts of every activity in the store (no access check, no key).

    ``workflows`` and ``municipalities`` limit them (``None``: all). Callers check the
    actor's permission first, as the evaluation's use case does. The latest record of
    each activity holds; a case of the workflow without a record is left out, and so
    are activities on a workflow no plugin registers any more.
    """
    rows = index_pass(
        store, municipalities, registry.of_kind(WorkflowKind.INITIATIVE_ACTIVITY, workflows)
    )
    facts: list[ActivityFacts] = []
    for case in scan_cases(store, rows):
        logged = [
            event
            for stored in case.events
            if stored.topic == ActivityLogged.__name__
            and isinstance(event := codec.decode(stored, readable=set()), ActivityLogged)
        ]
        if not logged:
            continue
        last = logged[-1]
        facts.append(
            ActivityFacts(
                workflow=case.row.workflow,
                strategy=last.strategy,
                initiative=last.initiative,
                kind=last.activity_kind,
                held_on=last.held_on,
                participants=last.participants,
                young_people=last.young_people,
                state=case.row.state,
            )
        )
    return facts


@attrs.frozen
class ActivityCounts:
    """An initiative's held activities over a period, as the goal report shows them.

    ``activities`` counts them per kind and year, ``participants`` sums who took part
    per age group (:data:`PARTICIPANT_GROUPS`) and year; both tables are suppressed
    (``None``: nothing to show, and ``note`` says why). ``workflows`` are the activity
    workflows counted.
    """

    strategy: str
    initiative: str
    period: Period
    activities: SuppressedTable | None = None
    participants: SuppressedTable | None = None
    note: Labels | None = None
    workflows: tuple[str, ...] = ()

    def tables(self) -> list[tuple[str, SuppressedTable]]:
        """Return the tables shown, each with a name (``<initiative>.activities``, ...)."""
        return [
            (f"{self.initiative}.{name}", table)
            for name, table in (
                ("activities", self.activities),
                ("participants", self.participants),
            )
            if table is not None
        ]


def _groups(fact: ActivityFacts) -> Iterable[tuple[str, int]]:
    if fact.participants is None:
        return
    if fact.young_people is None:
        yield AGE_NOT_GIVEN, fact.participants
        return
    yield YOUNG_PEOPLE, fact.young_people
    yield ADULTS, fact.participants - fact.young_people


def activity_counts(
    facts: Iterable[ActivityFacts] | None,
    strategy: str,
    initiative: str,
    period: Period,
    *,
    workflows: Collection[str] = (),
    threshold: int = THRESHOLD,
) -> ActivityCounts:
    """Count the activities of one initiative held in ``period``, per kind and year.

    ``facts`` are every activity's (``None``: no activity workflow may be counted).
    Only activities in the state ``held`` with their date in the period count; the
    kinds shown are those held. The participants table sums the numbers logged: the
    children and young people, the adults (the others of an activity whose young
    people were counted) and those whose age was not counted apart; an activity
    logged without a number adds nothing to it.

    Counts of activities are not about persons, but the goal report shows no count
    from 1 to ``threshold - 1`` anywhere: both tables go through
    :func:`~ssp_core.privacy.suppression.suppress` like every other table.
    """
    flows = tuple(sorted(workflows))
    if facts is None:
        return ActivityCounts(
            strategy, initiative, period, note=ACTIVITY_NOTES["no_workflows"], workflows=flows
        )
    held = [
        fact
        for fact in facts
        if fact.strategy == strategy
        and fact.initiative == initiative
        and fact.state == HELD
        and fact.held_on in period
    ]
    if not held:
        return ActivityCounts(
            strategy, initiative, period, note=ACTIVITY_NOTES["no_activities"], workflows=flows
        )
    years = period.years()
    done: dict[tuple[str, ...], int] = {}
    came: dict[tuple[str, ...], int] = {}
    for fact in held:
        year = str(fact.held_on.year)
        done[(fact.kind, year)] = done.get((fact.kind, year), 0) + 1
        for group, count in _groups(fact):
            came[(group, year)] = came.get((group, year), 0) + count
    activities = suppress(
        CountTable(
            ACTIVITY_DIMENSIONS,
            done,
            levels={"activity_kind": sorted({key[0] for key in done}), "year": years},
        ),
        threshold,
    )
    participants = (
        suppress(
            CountTable(
                PARTICIPANT_DIMENSIONS,
                came,
                levels={"participants": list(PARTICIPANT_GROUPS), "year": years},
            ),
            threshold,
        )
        if came
        else None
    )
    return ActivityCounts(
        strategy,
        initiative,
        period,
        activities=activities,
        participants=participants,
        note=None if participants is not None else ACTIVITY_NOTES["no_participants"],
        workflows=flows,
    )
