"""Organisation: partners, the prevention corps, the INFO house and the action group."""

from __future__ import annotations

from enum import StrEnum

import attrs

from ssp_core.domain.concerns import Source
from ssp_core.domain.district import Reach
from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier

__all__ = [
    "ActionGroup",
    "Corps",
    "CorpsOrientation",
    "InfoHouse",
    "Partner",
    "PartnerKind",
    "ResourceArea",
    "StaffPosition",
]


@attrs.frozen
class PartnerKind:
    """A kind of partner (mosque, hometown association, school, ...): open data.

    The core registers the common kinds; a plugin adds its own. ``authority``: a
    public authority (school, police, social services, ...); every other kind is
    civil society and receives personal data only under covering consent.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    authority: bool = False


@attrs.frozen
class Partner:
    """A partner in the cooperation: an authority, an association, a club, a school, ...

    ``kind`` is the id of a registered :class:`PartnerKind`; ``locality`` names the
    area the partner belongs to, if any (e.g. ``Løvvangen``); ``source``, where the
    data about it come from, if the data say.
    """

    id: str = attrs.field(validator=identifier)
    kind: str = attrs.field(validator=identifier)
    labels: Labels
    locality: str | None = None
    description: Labels | None = None
    source: Source | None = None


class CorpsOrientation(StrEnum):
    """Whom a corps works with: single persons, groups, or both."""

    INDIVIDUAL = "individual"
    GROUP = "group"
    BOTH = "both"


@attrs.frozen
class Corps:
    """A corps of trained volunteers or staff (mentors, parent coaches, dialogue ambassadors).

    ``track`` is the id of the prevention-track workflow the corps runs.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    orientation: CorpsOrientation
    track: str = attrs.field(validator=identifier)
    description: Labels | None = None
    source: Source | None = None


@attrs.frozen
class StaffPosition:
    """Positions of one role in a unit, e.g. two SSP consultants."""

    role: str = attrs.field(validator=identifier)
    count: int = attrs.field(validator=attrs.validators.ge(1))
    employer: str | None = None


@attrs.frozen
class InfoHouse:
    """An INFO house: the forum where police and municipality assess concerns together.

    It advises and assesses; it makes no authority decisions. It is not a role of its
    own: its members are the people who hold the roles of its ``staffing`` (in
    Aalborg, the two SSP consultants and the police SSP coordinator). It serves the
    municipality whose plugin registers it, or with ``reach = "district"`` every
    municipality of that municipality's police district; a house registered by a
    plugin of no municipality serves every one.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    established: int | None = None
    staffing: tuple[StaffPosition, ...] = ()
    tasks: tuple[Labels, ...] = ()
    network: Labels | None = None
    source: Source | None = None
    reach: Reach = attrs.field(default=Reach.MUNICIPALITY, converter=Reach)

    @property
    def member_roles(self) -> tuple[str, ...]:
        """Return the roles whose holders are the house's members, in the order staffed."""
        return tuple(dict.fromkeys(position.role for position in self.staffing))


@attrs.frozen
class ResourceArea:
    """An area of specialised knowledge that the action group can bring in."""

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class ActionGroup:
    """The action group: resource persons with specialised knowledge, called in on cases."""

    id: str = attrs.field(validator=identifier)
    labels: Labels
    areas: tuple[ResourceArea, ...] = ()
    description: Labels | None = None
    source: Source | None = None
