"""A researcher's scenario on a virtual clock: many concerns, counted in aggregate.

Concerns arrive over a year; each is analysed and either closed or moved to an
intervention after the required facts are recorded. The script reports counts per
card and the time from concern to intervention, per card, never anything about a
single person. The random choices stand in for human decisions; nothing here
scores anyone.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import statistics
from collections import Counter

import ssp_core
import ssp_core.domain.cpr

CONSULTANT = ssp_core.Actor("consultant", "aalborg.ssp_consultant")
POLICE = ssp_core.Actor("police", "aalborg.police_ssp_coordinator")
TEACHER = ssp_core.Actor("teacher", "aalborg.frontline_worker")


def synthetic_cpr(rng: random.Random, today: dt.date) -> str:
    """A synthetic CPR number for someone aged 12 to 24 today (2000s births: digit 7 is 4)."""
    born = today - dt.timedelta(days=rng.randint(12 * 365, 24 * 365))
    return f"{born:%d%m%y}4{rng.randint(0, 999):03d}"


def run(concerns: int = 200, seed: int = 7) -> dict[str, object]:
    """Run the scenario and return aggregate figures."""
    rng = random.Random(seed)
    registry = ssp_core.load_registry()
    clock = ssp_core.VirtualClock(dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC))
    casework = ssp_core.Casework(registry, clock=clock)
    pseudonyms = ssp_core.domain.cpr.Pseudonymiser(secrets.token_bytes(32))
    per_card: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    days_to_intervention: dict[str, list[int]] = {}
    for _ in range(concerns):
        clock.advance(dt.timedelta(hours=rng.randint(8, 60)))
        situation = rng.choice(
            ["aalborg.radicalisation", "aalborg.radicalisation", "aalborg.armed_conflict_travel"]
        )
        subject = pseudonyms.subject(synthetic_cpr(rng, clock.now().date()))
        case = casework.open_concern(
            situation=situation, subject=subject, concern_date=clock.now().date(), actor=TEACHER
        )
        per_card[case.workflow] += 1
        opened = clock.now()
        if case.state == "police_screening":
            casework.record_fact(case.id, "police_screening_done", POLICE)
            casework.record_fact(case.id, "pet_informed", POLICE)
            casework.record_fact(case.id, "passport_measures_considered", POLICE)
            casework.fire(case.id, "release_to_casework", POLICE, reason="Screened.")
        casework.record_fact(case.id, "concern_described", CONSULTANT)
        casework.fire(case.id, "begin_analysis", CONSULTANT)
        casework.fire(case.id, "complete_analysis", CONSULTANT)
        if rng.random() < 0.6:
            casework.fire(case.id, "close_unfounded", CONSULTANT, reason="Not substantiated.")
            outcomes["closed unfounded"] += 1
            continue
        clock.advance(dt.timedelta(days=rng.randint(1, 10)))
        facts = {o.trigger: o for o in casework.options(case.id, CONSULTANT)}
        if case.workflow.endswith("_under_18"):
            casework.record_fact(case.id, "children_services_notified", TEACHER)
            casework.record_fact(case.id, "parents_involved", CONSULTANT)
        else:
            casework.record_fact(case.id, "offer_voluntary_explained", CONSULTANT)
            casework.record_fact(case.id, "consent_given", CONSULTANT, detail="Given in writing.")
        assert not facts["start_intervention"].allowed  # the guards held it back until now
        casework.fire(case.id, "start_intervention", CONSULTANT)
        outcomes["intervention"] += 1
        days = (clock.now() - opened).days
        days_to_intervention.setdefault(case.workflow, []).append(days)
    return {
        "cases per card": dict(sorted(per_card.items())),
        "outcomes": dict(outcomes),
        "median days to intervention": {
            card: statistics.median(days) for card, days in sorted(days_to_intervention.items())
        },
    }


def main() -> None:
    for name, value in run().items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
