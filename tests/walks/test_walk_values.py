"""The values of safety walks: coordinates, places, categories and walk plans."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ssp_core
from ssp_core import ConfigError, Coordinates, DataError, Place
from ssp_core.plugins import FindingPlan, WalkPlan
from tests.sample_plugin import SamplePlugin


@given(
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_any_wgs84_point_is_accepted_and_given_to_geojson_lon_first(lat: float, lon: float) -> None:
    point = Coordinates(lat, lon)
    assert point.geojson() == [lon, lat]


def _a_latitude(text: str) -> bool:
    """Tell whether a text is a number in the latitude range (float() takes " 0", "1e1")."""
    try:
        return -90 <= float(text) <= 90
    except ValueError:
        return False


@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).filter(
            lambda x: not (-90 <= x <= 90) or math.isnan(x)
        ),
        st.text(max_size=3).filter(lambda text: not _a_latitude(text)),
        st.none(),
    )
)
def test_a_latitude_outside_wgs84_is_refused_naming_the_range(lat: object) -> None:
    with pytest.raises((DataError, TypeError, ValueError)) as raised:
        Coordinates(lat, 10.0)  # type: ignore[arg-type]
    if isinstance(raised.value, DataError):
        assert "from -90 to 90 (WGS84 degrees)" in str(raised.value)


def test_a_longitude_outside_wgs84_is_refused() -> None:
    with pytest.raises(DataError, match=r"longitude must be a number from -180 to 180"):
        Coordinates(57.0, 181.0)


def test_a_place_needs_a_description() -> None:
    with pytest.raises(DataError, match="description must be a non-empty text"):
        Place("   ")


def test_a_walk_plan_counts_citizens_from_zero() -> None:
    with pytest.raises(DataError, match="citizens must be 0 or more"):
        WalkPlan("w", "town", dt.date(2025, 1, 1), citizens=-1)


def _registry_with(walk: WalkPlan) -> ssp_core.Registry:
    class Extra:
        @ssp_core.hookimpl
        def ssp_register_example_walks(self) -> list[WalkPlan]:
            return [walk]

    return ssp_core.load_registry(autoload=False, plugins=[SamplePlugin(), Extra()])


@pytest.mark.parametrize(
    ("walk", "problem"),
    [
        (WalkPlan("w", "atlantis", dt.date(2025, 1, 1)), "unknown locality 'atlantis'"),
        (
            WalkPlan("w", "sample.sample_town", dt.date(2025, 1, 1), participants=["nobody"]),
            "unknown partner 'nobody'",
        ),
        (
            WalkPlan("w", "sample.sample_town", dt.date(2025, 1, 1), topics=["graffiti"]),
            "unknown finding category 'graffiti'",
        ),
        (
            WalkPlan(
                "w",
                "sample.sample_town",
                dt.date(2025, 1, 1),
                findings=[FindingPlan(Place("x"), "lighting", "d", outcome="resolved")],
            ),
            "finding 1 is resolved but has no responsible partner",
        ),
        (
            WalkPlan(
                "w",
                "sample.sample_town",
                dt.date(2025, 1, 1),
                findings=[FindingPlan(Place("x"), "lighting", "d", outcome="declined")],
            ),
            "finding 1 is declined without a reason",
        ),
        (
            WalkPlan(
                "w",
                "sample.sample_town",
                dt.date(2025, 1, 1),
                findings=[FindingPlan(Place("x"), "lighting", "d", outcome="fixed")],
            ),
            "outcome 'fixed' is not one of resolved, declined",
        ),
    ],
)
def test_example_walks_are_checked_against_the_registry(walk: WalkPlan, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        _registry_with(walk)


def test_the_core_knows_the_eight_categories_of_crime_prevention_by_design() -> None:
    registry = ssp_core.load_registry(autoload=False)
    assert list(registry.finding_categories) == [
        "eyes_on_the_street",
        "overview",
        "safe_movement",
        "lighting",
        "ownership",
        "places_to_stay",
        "maintenance",
        "physical_protection",
    ]
    assert {d.id for d in registry.latest_workflows()} == {
        "core.safety_walk",
        "core.safety_finding",
        "core.advice_request",
        "core.initiative_activity",
    }


def test_aalborg_ships_the_seeds_three_walks() -> None:
    registry = ssp_core.load_registry()
    walks = {walk.locality: walk for walk in registry.example_walks.values()}
    assert set(walks) == {
        "aalborg.romdrup_klarup",
        "aalborg.grindsted_uggerhalne",
        "aalborg.gandrup",
    }
    # Participants and topics as the seed's presentation notes give them.
    assert walks["aalborg.romdrup_klarup"].citizens == 2
    assert "aalborg.noevling_if" in walks["aalborg.romdrup_klarup"].participants
    assert walks["aalborg.romdrup_klarup"].topics == ("aalborg.traffic_safety",)
    assert set(walks["aalborg.grindsted_uggerhalne"].topics) == {
        "aalborg.fire_pond",
        "aalborg.plantings",
        "lighting",
        "aalborg.traffic_safety",
    }
    assert walks["aalborg.gandrup"].participants == ("aalborg.grindsted_samraad",)
    assert {"aalborg.traffic_safety", "aalborg.fire_pond", "aalborg.plantings"} <= set(
        registry.finding_categories
    )
    assert registry.finding_categories.contributor("aalborg.fire_pond") == "aalborg"
