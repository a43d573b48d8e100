"""A scenario written in Python: Aalborg's radicalisation cards under rising demand.

The same scenario a TOML file holds (see ``examples/scenarios/aalborg.toml``), built
from ``ssp_core.simulation.scenario``'s attrs classes: concerns arrive at random on
weekdays (fewer in school holidays), two to five SSP consultants handle them on
Danish business days, and a sweep doubles and triples the demand. Each arm runs
five replications with the same random numbers (common random numbers); the
script prints the mean days from concern to first action, with its 95 % interval,
and the consultants' utilisation. Decision shares are aggregate example values,
never anything about a person.
"""

from __future__ import annotations

import datetime as dt

from ssp_core.simulation.experiment import run_experiment
from ssp_core.simulation.scenario import (
    Arrivals,
    Decision,
    Distribution,
    DistributionKind,
    Dwell,
    Scenario,
    Staff,
    Sweep,
    Work,
)

CONSULTANT = "aalborg.ssp_consultant"
POLICE = "aalborg.police_ssp_coordinator"


def _shares(workflow: str) -> tuple[Decision, ...]:
    """Example decision shares at each decision point of one radicalisation card."""
    adult = workflow.endswith("from_18")
    assessment = (
        {"start_intervention": 0.4, "close_unfounded": 0.3, "close_declined": 0.1, "hand_over": 0.2}
        if adult
        else {"start_intervention": 0.5, "close_unfounded": 0.35, "hand_over": 0.15}
    )
    return (
        Decision(workflow, "received", {"begin_analysis": 0.9, "close_unfounded": 0.1}),
        Decision(workflow, "analysis", {"complete_analysis": 0.75, "close_unfounded": 0.25}),
        Decision(workflow, "assessment", assessment),
        Decision(workflow, "intervention", {"begin_follow_up": 0.9, "hand_over": 0.1}),
        Decision(workflow, "follow_up", {"close": 0.85, "resume_intervention": 0.15}),
    )


def scenario(seed: int = 11) -> Scenario:
    """Return the scenario: a year from January 2027, with a sweep over demand."""
    return Scenario(
        name="Radicalisation concerns under rising demand",
        objective="How long does a concern wait for its first action as demand rises?",
        start=dt.date(2027, 1, 4),
        horizon_days=365,
        warmup_days=28,
        seed=seed,
        school_holidays=((dt.date(2027, 6, 26), dt.date(2027, 8, 8)),),
        arrivals=(
            Arrivals(
                "aalborg.radicalisation",
                "aalborg.frontline_worker",
                per_week=1.5,
                school_holidays=0.4,
                ages=(13, 22),
            ),
        ),
        staff=(
            Staff(CONSULTANT, 2, absence=0.08),
            Staff(POLICE, 1, absence=0.08),
        ),
        decisions=_shares("aalborg.radicalisation_under_18")
        + _shares("aalborg.radicalisation_from_18"),
        work=(
            Work("complete_analysis", Distribution(DistributionKind.LOGNORMAL, 5.0, sd=2.5)),
            Work("begin_analysis", Distribution(DistributionKind.LOGNORMAL, 2.0, sd=1.0)),
        ),
        dwell=(
            Dwell("analysis", Distribution(DistributionKind.TRIANGULAR, 5.0, low=1.0, high=15.0)),
            Dwell("intervention", Distribution(DistributionKind.GAMMA, 60.0, sd=20.0)),
            Dwell("follow_up", Distribution(DistributionKind.GAMMA, 30.0, sd=10.0)),
        ),
        sweeps=(Sweep("arrivals:aalborg.radicalisation", (2.0, 3.0)),),
    )


def run(replications: int = 5, seed: int = 11) -> dict[str, tuple[float, float, float]]:
    """Run every arm; return per arm (mean days to first action, half-width, utilisation)."""
    experiment = run_experiment(scenario(seed), replications=replications, workers=1)
    result = {}
    for arm in experiment.results.arms:
        days = experiment.summary(arm, "days_to_first_action")
        busy = experiment.summary(arm, "utilisation", CONSULTANT)
        result[arm] = (days.mean, days.half_width, busy.mean)
    return result


def main() -> None:
    for arm, (days, half_width, busy) in run().items():
        line = f"{arm}: {days:.2f} ± {half_width:.2f} days to first action"
        print(f"{line}, consultants {busy:.0%} busy")


if __name__ == "__main__":
    main()
