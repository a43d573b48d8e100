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
    """A point in WGS84 degrees (as GPS and GeoJSON use): latitude north, longitude east.

    :ivar latitude: degrees north, a number from -90 to 90 (south of the equator is negative).
    :ivar longitude: degrees east, a number from -180 to 180 (west of Greenwich is negative).
    """

    latitude: float = attrs.field(converter=float, validator=_in_range(-90.0, 90.0))
    longitude: float = attrs.field(converter=float, validator=_in_range(-180.0, 180.0))

    def geojson(self) -> list[float]:
        """Return the point as GeoJSON orders it: ``[longitude, latitude]``."""
        return [self.longitude, self.latitude]


@attrs.frozen
class Place:
    """Where a finding is: a description anyone on the walk would recognise, and maybe a point.

    :ivar description: where the finding is, in words anyone on the walk would recognise
        (non-empty text). It is not sealed: whoever may read the finding sees it.
    :ivar coordinates: the point, as an inline table ``{ latitude = ..., longitude = ... }``
        (see ``Coordinates``); left out, the finding is left out of maps and GeoJSON.
    """

    description: str = attrs.field(validator=non_empty_text)
    coordinates: Coordinates | None = None


@attrs.frozen
class FindingCategory:
    """A kind of finding on a safety walk, e.g. lighting, or (from a plugin) a fire pond.

    :ivar id: the category's id, unique in the deployment, e.g. ``aalborg.fire_pond``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by ``.``
        or ``-``); in a municipality's plugin it starts with the municipality's id and a dot.
    :ivar labels: its name in Danish and English.
    :ivar description: a longer explanation in both languages, if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    description: Labels | None = None


@attrs.frozen
class Locality:
    """A part of the municipality walks are held in, e.g. a village or a housing area.

    :ivar id: the locality's id, unique in the deployment, e.g. ``aalborg.gandrup``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by ``.``
        or ``-``); in a municipality's plugin it starts with the municipality's id and a dot.
    :ivar labels: its name in Danish and English.
    :ivar centre: a point at its centre, as an inline table
        ``{ latitude = 57.05, longitude = 10.1975 }`` (see ``Coordinates``); optional.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    centre: Coordinates | None = None


def _non_negative(inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DataError(f"{type(inst).__name__}.{attr.name} must be 0 or more, got {value!r}")


@attrs.frozen
class FindingPlan:
    """A finding of an example walk, as a plugin ships it (see :class:`WalkPlan`).

    :ivar place: where it is: an inline table with ``description`` and, optionally,
        ``coordinates`` (see ``Place``), e.g. ``{ description = "The tunnel" }``.
    :ivar category: the id of a registered finding category: the core's (e.g. ``lighting``)
        or a plugin's (``aalborg.fire_pond``).
    :ivar description: what was found (non-empty text); sealed like a note.
    :ivar responsible: the id of the registered partner who follows the finding up; left out,
        no one is responsible yet.
    :ivar outcome: how the follow-up ended: ``resolved`` (needs ``responsible``) or
        ``declined`` (needs ``reason``); left out, the finding stays open (assigned to
        ``responsible`` if one is given).
    :ivar reason: why the finding was declined (sealed like a note); required with
        ``outcome = "declined"`` and used only then.
    """

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
    turns one into a walk case and finding cases.

    :ivar id: the walk's id, unique in the deployment, e.g. ``aalborg.gandrup_2016``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by ``.``
        or ``-``); in a municipality's plugin it starts with the municipality's id and a dot.
        A walk is imported once per id: importing it again does nothing.
    :ivar locality: the id of the registered locality the walk is held in.
    :ivar held_on: the day of the walk, a TOML date (``2016-09-13``; not a date-time). A walk
        dated after the day it is imported is only planned: no findings, not closed.
    :ivar participants: an array of the ids of the registered partners that took part; left
        out, none.
    :ivar citizens: how many citizens took part, a whole number of 0 or more (default 0);
        citizens are counted, never named.
    :ivar topics: an array of the ids of the registered finding categories the walk was
        about; left out, none.
    :ivar note: a free text about the walk, sealed like a note; optional.
    :ivar findings: what the walk found, as ``[[walks.findings]]`` tables after the walk's
        table (see ``FindingPlan``); left out, none.
    """

    id: str = attrs.field(validator=identifier)
    locality: str = attrs.field(validator=identifier)
    held_on: dt.date
    participants: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    citizens: int = attrs.field(default=0, validator=_non_negative)
    topics: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    note: str | None = None
    findings: tuple[FindingPlan, ...] = attrs.field(default=(), converter=tuple)
