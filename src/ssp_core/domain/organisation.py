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

    :ivar id: the kind's id, e.g. ``mosque`` or ``aalborg.sports_hall``
        (lower-case letters, digits and ``_``, starting with a letter; parts joined by
        ``.`` or ``-``); a municipality's plugin names its own ``<municipality>.<name>``.
    :ivar labels: its name in Danish and English.
    :ivar authority: ``true`` for a public authority; left out (``false``), the kind is civil
        society: a disclosure to it needs the person's recorded consent, and a legal
        basis's rule that names it as recipient must require consent.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    authority: bool = False


@attrs.frozen
class Partner:
    """A partner in the cooperation: an authority, an association, a club, a school, ...

    :ivar id: the partner's id, e.g. ``aalborg.skuret`` (lower-case letters, digits and
        ``_``, starting with a letter; parts joined by ``.`` or ``-``); a municipality's
        plugin names it ``<municipality>.<name>``. Disclosures, safety walks and
        activities name it.
    :ivar kind: the id of a registered partner kind (the core's, e.g. ``police``,
        ``school``, ``mosque``, or a plugin's own); a disclosure to the partner follows
        the rules and the disclosure profile of its kind.
    :ivar labels: its name in Danish and English.
    :ivar locality: the area the partner belongs to, as free text (e.g. ``Løvvangen``),
        shown in the guide; not a locality id. Left out: none.
    :ivar description: a longer explanation in both languages, if any.
    :ivar source: where the data about the partner come from (a ``Source`` table), if
        the data say.
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

    :ivar id: the corps' id, e.g. ``aalborg.mentor_corps`` (lower-case letters, digits and
        ``_``, starting with a letter; parts joined by ``.`` or ``-``); a municipality's
        plugin names it ``<municipality>.<name>``.
    :ivar labels: its name in Danish and English.
    :ivar orientation: whom the corps works with: ``individual`` (single persons),
        ``group`` (groups) or ``both``; required.
    :ivar track: the id of the prevention-track workflow the corps runs, e.g.
        ``aalborg.mentor``; a registered workflow.
    :ivar description: a longer explanation in both languages, if any.
    :ivar source: where the data about the corps come from (a ``Source`` table), if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    orientation: CorpsOrientation
    track: str = attrs.field(validator=identifier)
    description: Labels | None = None
    source: Source | None = None


@attrs.frozen
class StaffPosition:
    """Positions of one role in a unit, e.g. two SSP consultants.

    In TOML, one ``[[info_houses.staffing]]`` table.

    :ivar role: the id of a registered role, e.g. ``aalborg.ssp_consultant``; the people
        who hold it are members of the INFO house.
    :ivar count: how many positions of the role there are: a whole number, 1 or more.
    :ivar employer: who employs them, as free text (e.g. ``Nordjyllands Politi``), shown
        in the guide; may be left out.
    """

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

    :ivar id: the house's id, e.g. ``aalborg.info_house`` (lower-case letters, digits and
        ``_``, starting with a letter; parts joined by ``.`` or ``-``); a municipality's
        plugin names it ``<municipality>.<name>``.
    :ivar labels: its name in Danish and English.
    :ivar established: the year the house was established (a whole number, e.g. ``2011``),
        shown in the guide; may be left out.
    :ivar staffing: its positions, ``[[info_houses.staffing]]`` tables (``StaffPosition``):
        only people acting in these roles act on its advice requests. Left out: no
        members.
    :ivar tasks: what the house does, each a ``Labels`` table in Danish and English,
        listed in the guide; may be left out.
    :ivar network: the network the house works with, in both languages, if any.
    :ivar source: where the data about the house come from (a ``Source`` table), if any.
    :ivar reach: whom it serves: ``municipality`` (the default: the plugin's own
        municipality) or ``district`` (every municipality of that one's police district).
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
    """An area of specialised knowledge that the action group can bring in.

    In TOML, one ``[[action_groups.areas]]`` table.

    :ivar id: the area's id, e.g. ``mental_health`` (lower-case letters, digits and ``_``,
        starting with a letter; parts joined by ``.`` or ``-``).
    :ivar labels: its name in Danish and English.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class ActionGroup:
    """The action group: resource persons with specialised knowledge, called in on cases.

    :ivar id: the group's id, e.g. ``aalborg.action_group`` (lower-case letters, digits and
        ``_``, starting with a letter; parts joined by ``.`` or ``-``); a municipality's
        plugin names it ``<municipality>.<name>``.
    :ivar labels: its name in Danish and English.
    :ivar areas: its areas of knowledge, ``[[action_groups.areas]]`` tables
        (``ResourceArea``); may be left out.
    :ivar description: a longer explanation in both languages, if any.
    :ivar source: where the data about the group come from (a ``Source`` table), if any.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    areas: tuple[ResourceArea, ...] = ()
    description: Labels | None = None
    source: Source | None = None
