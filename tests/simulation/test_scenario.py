"""Scenarios: loaded from TOML with clear errors, checked against the registry, run on the real engines."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssp_core.exceptions import ConfigError
from ssp_core.simulation.engine import registry_for
from ssp_core.simulation.scenario import (
    Arm,
    ArrivalKind,
    Arrivals,
    DeadlineChange,
    Decision,
    Distribution,
    DistributionKind,
    Hold,
    Scenario,
    Staff,
    Sweep,
    load_scenario,
)
from ssp_core.simulation.streams import Stream
from ssp_core.workflows.engine import WorkflowEngine

pytest.importorskip("simpy")

EXAMPLE = Path(__file__).parents[2] / "examples" / "scenarios" / "aalborg.toml"


@pytest.fixture(scope="module")
def example() -> Scenario:
    """The Aalborg example, shortened to 120 days for speed."""
    return attrs.evolve(load_scenario(EXAMPLE), horizon_days=120, warmup_days=14)


def test_the_example_loads_and_fits_the_registry(example: Scenario) -> None:
    example.check(registry_for(example.plugins))
    assert example.arm_names == ("today", "one consultant fewer", "analysis within 7 days")


def test_a_replication_is_the_same_for_the_same_seed_and_index(example: Scenario) -> None:
    first = example.replicate("today", 3)
    again = example.replicate("today", 3)
    other = example.replicate("today", 4)
    assert first == again
    assert first.figures != other.figures
    assert first.transitions > 0


def test_arms_of_one_replication_see_the_same_concerns(example: Scenario) -> None:
    """Common random numbers: staffing and deadlines do not change what arrives."""
    runs = [example.replicate(arm, 1) for arm in example.arm_names]
    concerns = {run.value("concerns") for run in runs}
    cards = {tuple(run.value("concerns", c) for c in ("aalborg.travel_under_18",)) for run in runs}
    assert len(concerns) == 1
    assert len(cards) == 1


def test_every_transition_goes_through_the_workflow_engine(
    example: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    fired: list[str] = []
    original = WorkflowEngine.fire

    def spy(self: WorkflowEngine, *args: object, **kwargs: object) -> object:
        event = original(self, *args, **kwargs)  # type: ignore[arg-type]
        fired.append(event.trigger)
        return event

    monkeypatch.setattr(WorkflowEngine, "fire", spy)
    run = example.replicate("today", 0)
    assert len(fired) == run.transitions > 0
    assert run.value("refused") == 0
    assert run.value("stuck") == 0


def test_without_staff_no_case_gets_a_first_action(example: Scenario) -> None:
    idle = attrs.evolve(
        example,
        arms=(
            Arm("nobody", staff={"aalborg.ssp_consultant": 0, "aalborg.police_ssp_coordinator": 0}),
        ),
    )
    run = idle.replicate("nobody", 0)
    assert run.transitions == 0
    assert math.isnan(run.value("days_to_first_action"))
    assert run.value("open_at_end") > 0
    assert run.value("utilisation", "aalborg.ssp_consultant") == 0.0


def test_a_shorter_deadline_is_missed_at_least_as_often(example: Scenario) -> None:
    rule = "aalborg.radicalisation_under_18/analysis"
    strict = attrs.evolve(
        example,
        arms=(
            Arm("as is"),
            Arm(
                "same day",
                deadlines=(DeadlineChange("aalborg.radicalisation_under_18", "analysis", 0),),
            ),
        ),
    )
    for index in range(3):
        base = strict.replicate("as is", index).value("deadlines_missed", rule)
        tight = strict.replicate("same day", index).value("deadlines_missed", rule)
        assert tight >= base
    assert any(
        strict.replicate("same day", i).value("deadlines_missed", rule)
        > strict.replicate("as is", i).value("deadlines_missed", rule)
        for i in range(3)
    )


def test_a_sweep_makes_an_arm_per_value_and_staff_changes_utilisation(example: Scenario) -> None:
    swept = attrs.evolve(example, sweeps=(Sweep("staff:aalborg.ssp_consultant", (2.0, 8.0)),))
    names = swept.arm_names
    assert names[-2:] == (
        "staff:aalborg.ssp_consultant=2",
        "staff:aalborg.ssp_consultant=8",
    )
    few = swept.replicate(names[-2], 0).value("utilisation", "aalborg.ssp_consultant")
    many = swept.replicate(names[-1], 0).value("utilisation", "aalborg.ssp_consultant")
    assert few > many > 0


def test_replayed_arrivals_open_one_case_per_row_in_the_horizon(tmp_path: Path) -> None:
    rows = ["at,age", "2027-01-05T10:00,15", "2027-01-06,30", "2027-02-01T09:30,", "2030-01-01,16"]
    (tmp_path / "arrivals.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scenario = Scenario(
        name="replay",
        start=dt.date(2027, 1, 4),
        horizon_days=60,
        arrivals=(
            Arrivals(
                "aalborg.radicalisation",
                "aalborg.frontline_worker",
                kind=ArrivalKind.REPLAY,
                file="arrivals.csv",
                ages=(12, 30),
            ),
        ),
        staff=(Staff("aalborg.ssp_consultant", 2), Staff("aalborg.police_ssp_coordinator", 1)),
        decisions=load_scenario(EXAMPLE).decisions,
        folder=str(tmp_path),
    )
    run = scenario.replicate("baseline", 0)
    assert run.value("concerns") == 3  # the row of 2030 is after the horizon
    assert run.value("concerns", "aalborg.radicalisation_under_18") >= 1  # the 15-year-old
    assert run.value("concerns", "aalborg.radicalisation_from_18") >= 1  # the 30-year-old


def test_a_batch_arrives_at_its_hour_on_business_days(example: Scenario) -> None:
    batch = attrs.evolve(
        example,
        arrivals=(
            Arrivals(
                "aalborg.armed_conflict_travel",
                "aalborg.police_ssp_coordinator",
                kind=ArrivalKind.BATCH,
                per_week=20.0,
                at=9.0,
                ages=(15, 30),
            ),
        ),
    )
    run = batch.replicate("today", 0)
    weeks = (batch.horizon_days - batch.warmup_days) / 7
    assert run.value("concerns") == pytest.approx(20 * weeks, rel=0.25)


def test_a_hold_moves_the_deadlines_of_the_held_state(example: Scenario) -> None:
    """A case held in 'received' for 30 days does not miss that state's 2-day deadline."""
    held = attrs.evolve(
        example,
        holds=(Hold("received", 1.0, Distribution(DistributionKind.FIXED, 30.0)),),
    )
    run = held.replicate("today", 0)
    plain = example.replicate("today", 0)
    rule = "aalborg.radicalisation_under_18/received"
    assert run.value("deadlines_missed", rule) <= plain.value("deadlines_missed", rule)
    for card in ("aalborg.radicalisation_under_18", "aalborg.radicalisation_from_18"):
        days = run.value("days_to_first_action", card)
        assert math.isnan(days) or days >= 30  # the travel cards begin in police screening
    assert run.value("days_to_first_action") > plain.value("days_to_first_action")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ('situation = "aalborg.radicalisation"', "unknown situation 'aalborg.nothing'"),
        ("count = 4", "unknown key"),
    ],
)
def test_errors_name_what_is_wrong_and_what_is_allowed(
    tmp_path: Path, change: str, expected: str
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    broken = {
        'situation = "aalborg.radicalisation"': 'situation = "aalborg.nothing"',
        "count = 4": "count = 4\nheadcount = 4",
    }[change]
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(change, broken, 1), encoding="utf-8")

    def load_and_check() -> None:
        scenario = load_scenario(path)
        scenario.check(registry_for(scenario.plugins))

    with pytest.raises(ConfigError, match=expected) as caught:
        load_and_check()
    message = str(caught.value)
    assert "known:" in message or "allowed:" in message


def test_a_decision_point_without_probabilities_is_refused(example: Scenario) -> None:
    lacking = attrs.evolve(
        example,
        decisions=tuple(
            d
            for d in example.decisions
            if (d.workflow, d.state) != ("aalborg.radicalisation_under_18", "analysis")
        ),
    )
    with pytest.raises(
        ConfigError, match=r"state 'analysis' is a decision point.*complete_analysis"
    ):
        lacking.check(registry_for(lacking.plugins))


def test_a_way_out_that_does_not_leave_the_state_is_refused(example: Scenario) -> None:
    wrong = attrs.evolve(
        example,
        decisions=(
            *example.decisions,
            Decision("aalborg.radicalisation_under_18", "received", {"close": 1.0}),
        ),
    )
    with pytest.raises(ConfigError, match=r"'close' does not leave that state; these do"):
        wrong.check(registry_for(wrong.plugins))


def test_staff_missing_for_a_role_is_refused(example: Scenario) -> None:
    alone = attrs.evolve(example, staff=(Staff("aalborg.ssp_consultant", 3),))
    with pytest.raises(ConfigError, match="no staff in those roles"):
        alone.check(registry_for(alone.plugins))


def test_probabilities_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(ValueError, match="add up to"):
        Decision("w", "s", {"a": 0.5, "b": 0.4})


_PROBABILITIES = st.lists(st.floats(0.05, 1.0), min_size=2, max_size=7)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), consultants=st.integers(1, 6))
def test_any_probabilities_keep_every_case_within_the_rules(
    example: Scenario, data: st.DataObject, consultants: int
) -> None:
    """Whatever the shares at each decision point, the engine never refuses a planned step.

    The steps before each way out are read from the guards' data, so every fact,
    assignment and session production requires is recorded before the engine fires.
    """
    decisions = []
    for decision in example.decisions:
        weights = data.draw(
            st.lists(
                st.floats(0.05, 1.0), min_size=len(decision.choices), max_size=len(decision.choices)
            )
        )
        total = math.fsum(weights)
        shares = [w / total for w in weights]
        shares[-1] = 1 - math.fsum(shares[:-1])
        decisions.append(
            Decision(
                decision.workflow, decision.state, dict(zip(decision.choices, shares, strict=True))
            )
        )
    varied = attrs.evolve(
        example,
        horizon_days=60,
        warmup_days=0,
        decisions=tuple(decisions),
        arms=(Arm("varied", staff={"aalborg.ssp_consultant": consultants}),),
    )
    run = varied.replicate("varied", data.draw(st.integers(0, 10_000)))
    assert run.value("refused") == 0
    assert run.value("stuck") == 0
    assert 0 <= run.value("deadline_miss_share") <= 1
    outcomes = sum(f.value for f in run.figures if f.measure == "outcome")
    assert outcomes + run.value("open_at_end") == run.value("concerns")


def test_an_arm_may_open_cases_on_another_workflow_version(example: Scenario) -> None:
    """Version 1 of the under-18 card has no deadline for the notification; version 2 has."""
    rule = ("deadlines_missed", "aalborg.radicalisation_under_18/children_services_notified")
    older = attrs.evolve(
        example,
        arms=(Arm("now"), Arm("v1", versions={"aalborg.radicalisation_under_18": 1})),
    )
    now, v1 = (older.replicate(arm, 0) for arm in ("now", "v1"))
    keys = {(f.measure, f.group) for f in now.figures}
    assert rule in keys
    assert rule not in {(f.measure, f.group) for f in v1.figures}
    assert v1.value("refused") == 0
    assert v1.value("concerns") == now.value("concerns")
    missing = attrs.evolve(
        example, arms=(Arm("v9", versions={"aalborg.radicalisation_under_18": 9}),)
    )
    with pytest.raises(ConfigError, match="no workflow aalborg.radicalisation_under_18 version 9"):
        missing.check(registry_for(missing.plugins))


@st.composite
def _distributions(draw: st.DrawFn) -> Distribution:
    kind = draw(st.sampled_from(list(DistributionKind)))
    mean = draw(st.floats(0.0, 50.0))
    if kind in (DistributionKind.LOGNORMAL, DistributionKind.GAMMA):
        sd = draw(st.one_of(st.just(0.0), st.floats(0.001, 20.0)))
        return Distribution(kind, max(mean, 0.01), sd=sd)
    if kind in (DistributionKind.UNIFORM, DistributionKind.TRIANGULAR):
        low, high = sorted(draw(st.lists(st.floats(0.0, 50.0), min_size=2, max_size=2)))
        mode = draw(st.floats(low, high)) if kind is DistributionKind.TRIANGULAR else mean
        return Distribution(kind, mode, low=low, high=high)
    return Distribution(kind, mean)


@settings(max_examples=200, deadline=None)
@given(distribution=_distributions(), seed=st.integers(0, 2**32 - 1))
def test_a_sampler_draws_the_numbers_sample_draws(distribution: Distribution, seed: int) -> None:
    drawn, sampled = Stream(np.random.default_rng(seed)), Stream(np.random.default_rng(seed))
    sampler = distribution.sampler()
    values = [sampler(sampled) for _ in range(20)]
    assert values == [distribution.sample(drawn) for _ in range(20)]
    assert all(math.isfinite(v) and v >= 0 for v in values)


@pytest.mark.parametrize("kind", [DistributionKind.GAMMA, DistributionKind.LOGNORMAL])
@pytest.mark.parametrize(("mean", "sd"), [(1.0, 1e-300), (1e-300, 1.0)])
def test_an_sd_too_far_from_its_mean_is_refused(
    kind: DistributionKind, mean: float, sd: float
) -> None:
    with pytest.raises(ValueError, match="sd / mean between"):
        Distribution(kind, mean, sd=sd)
