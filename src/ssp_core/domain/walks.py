"""Safety walks: localities, places, finding categories and the plan of a walk.

A safety walk (tryghedsvandring) takes partners and citizens through a locality to
find what makes it feel unsafe. The walk and each of its findings are cases in the
case store, on workflows of kind ``safety_walk`` and ``safety_finding``; what is
here is the data they carry. Categories come from crime prevention by design
(DOMAIN.md fact 9) and plugins add their own, such as traffic safety or a fire pond.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier, non_empty_text
from ssp_core.exceptions import DataError

__all__ = [
    "Coordinates",
    "FindingCategory",
    "FindingPlan",
    "Locality",
    "Place",
    "WalkPlan",
]


def _in_range(low: float, high: float) -> Any:
    def check(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise DataError(
                f"{type(inst).__name__}.{attr.name} must be a number from {low:g} to {high:g} "
                f"(WGS84 degrees), got {value!r}"
            )

    return check


@attrs.frozen
class Coordinates:
    """A point in WGS84 degrees (as GPS and GeoJSON use): latitude north, longitude east."""

    latitude: float = attrs.field(converter=float, validator=_in_range(-90.0, 90.0))
    longitude: float = attrs.field(converter=float, validator=_in_range(-180.0, 180.0))

    def geojson(self) -> list[float]:
        """Return the point as GeoJSON orders it: ``[longitude, latitude]``."""
        return [self.longitude, self.latitude]


@attrs.frozen
class Place:
    """Where a finding is: a description anyone on the walk would recognise, and maybe a point."""

    description: str = attrs.field(validator=non_empty_text)
    coordinates: Coordinates | None = None


@attrs.frozen
class FindingCategory:
    """A kind of finding on a safety walk, e.g. lighting, or (from a plugin) a fire pond."""

    id: str = attrs.field(validator=identifier)
    labels: Labels
    description: Labels | None = None


@attrs.frozen
class Locality:
    """A part of the municipality walks are held in, e.g. a village or a housing area."""

    id: str = attrs.field(validator=identifier)
    labels: Labels
    centre: Coordinates | None = None


def _non_negative(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DataError(f"{type(inst).__name__}.{attr.name} must be 0 or more, got {value!r}")


@attrs.frozen
class FindingPlan:
    """A finding of an example walk, as a plugin ships it (see :class:`WalkPlan`)."""

    place: Place
    category: str = attrs.field(validator=identifier)
    description: str = attrs.field(validator=non_empty_text)
    responsible: str | None = None
    outcome: str | None = None
    reason: str | None = None


@attrs.frozen
class WalkPlan:
    """A safety walk as data: where and when, who takes part, the topics, and its findings.

    Plugins ship walks such as the seed's three as example data
    (``ssp_register_example_walks``); :meth:`ssp_core.application.casework.Casework.import_walk`
    turns one into a walk case and finding cases. ``participants`` are partner ids;
    citizens take part by count only. ``outcome`` of a finding, if given, is how its
    follow-up ended (``resolved`` or ``declined``).
    """

    id: str = attrs.field(validator=identifier)
    locality: str = attrs.field(validator=identifier)
    held_on: dt.date
    participants: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    citizens: int = attrs.field(default=0, validator=_non_negative)
    topics: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    note: str | None = None
    findings: tuple[FindingPlan, ...] = attrs.field(default=(), converter=tuple)
