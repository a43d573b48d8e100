"""Concerns: worry-sign catalogues, observations, situations and reference texts.

Worry signs are an aid, not a checklist: an :class:`Observation` records which sign
someone saw, when, and in their words. The national assessment weighs worry signs
against the person's resources and protective factors; a catalogue of those
(kind ``resources``) is recorded the same way, beside the signs. Nothing
here counts, weighs or scores signs or factors; the assessment of a concern is made
by people.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.validators import identifier, non_empty_text
from ssp_core.exceptions import UnknownId
from ssp_core.i18n import _

__all__ = [
    "CatalogueKind",
    "Observation",
    "ReferenceText",
    "Situation",
    "Source",
    "WorrySign",
    "WorrySignCatalogue",
    "WorrySignLevel",
    "WorrySignScope",
]


@attrs.frozen
class Source:
    """Where a text or a catalogue comes from.

    Shown in the guide as ``title (publisher, year), p. page <url>``.

    :ivar title: the title of the source document; required, not empty.
    :ivar publisher: who published it, e.g. ``Aalborg Kommune``; may be left out.
    :ivar year: the year of publication, a whole number (e.g. ``2012``); may be left out.
    :ivar page: the page or pages, as text (e.g. ``"8"``); may be left out.
    :ivar url: the address where the source can be read; may be left out.
    """

    title: str = attrs.field(validator=non_empty_text)
    publisher: str | None = None
    year: int | None = None
    page: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        parts = [p for p in (self.publisher, str(self.year) if self.year else None) if p]
        where = f" ({', '.join(parts)})" if parts else ""
        page = f", p. {self.page}" if self.page else ""
        return f"{self.title}{where}{page}"


class CatalogueKind(StrEnum):
    """What a catalogue lists: signs of worry, or a person's resources and protective factors."""

    WORRY_SIGNS = "worry_signs"
    RESOURCES = "resources"


class WorrySignScope(StrEnum):
    """What a group of worry signs is about."""

    PERSON = "person"
    YOUTH_ENVIRONMENT = "youth_environment"
    COMMUNITY = "community"


@attrs.frozen
class WorrySign:
    """One sign of worry, e.g. "breaks with former friends".

    In TOML, one ``[[catalogues.levels.signs]]`` table.

    :ivar id: the sign's id, unique in its catalogue (among its levels' and signs' ids),
        e.g. ``relations.breaks_with_former_friends`` (lower-case letters, digits and
        ``_``, starting with a letter; parts joined by ``.`` or ``-``). An observation
        recorded on a case names it.
    :ivar labels: the sign's text in Danish and English.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class WorrySignLevel:
    """A group of signs in a catalogue, e.g. signs about a young person's relations.

    In TOML, one ``[[catalogues.levels]]`` table.

    :ivar id: the level's id, unique in its catalogue (among its levels' and signs' ids),
        e.g. ``person.relations`` (lower-case letters, digits and ``_``, starting with a
        letter; parts joined by ``.`` or ``-``).
    :ivar labels: the level's heading in Danish and English.
    :ivar scope: what its signs are about: ``person`` (a concrete young person),
        ``youth_environment`` or ``community`` (cities and communities); required.
    :ivar signs: its signs, ``[[catalogues.levels.signs]]`` tables (``WorrySign``); may
        be left out.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    scope: WorrySignScope
    signs: tuple[WorrySign, ...] = ()


@attrs.frozen
class WorrySignCatalogue:
    """A help tool listing worry signs by level, with its source and version.

    With ``kind = "resources"`` it lists a person's resources and protective factors
    instead: they are recorded with
    :class:`~ssp_core.domain.events.ResourceObserved`, shown beside the worry signs,
    and never counted.

    :ivar id: the catalogue's id, e.g. ``aalborg.worry_signs`` (lower-case letters, digits
        and ``_``, starting with a letter; parts joined by ``.`` or ``-``); a municipality's
        plugin names it ``<municipality>.<name>``. Observations name it.
    :ivar version: the catalogue's version, a whole number, 1 or more.
    :ivar labels: its title in Danish and English.
    :ivar source: where the catalogue comes from (a ``Source`` table); required.
    :ivar levels: its groups of signs, ``[[catalogues.levels]]`` tables (``WorrySignLevel``);
        may be left out.
    :ivar guidance: how to use the catalogue, in both languages, shown in the guide above
        its signs; may be left out.
    :ivar kind: what it lists: ``worry_signs`` (the default) or ``resources`` (a person's
        resources and protective factors).
    """

    id: str = attrs.field(validator=identifier)
    version: int = attrs.field(validator=attrs.validators.ge(1))
    labels: Labels
    source: Source
    levels: tuple[WorrySignLevel, ...] = ()
    guidance: Labels | None = None
    kind: CatalogueKind = attrs.field(default=CatalogueKind.WORRY_SIGNS, converter=CatalogueKind)

    def sign(self, sign_id: str) -> tuple[WorrySignLevel, WorrySign]:
        """Return the level and the sign with ``sign_id``; raise :class:`UnknownId` if none."""
        for level in self.levels:
            for sign in level.signs:
                if sign.id == sign_id:
                    return level, sign
        raise UnknownId(
            _("worry sign in catalogue {catalogue}").format(catalogue=repr(self.id)),
            sign_id,
            [s.id for lvl in self.levels for s in lvl.signs],
        )

    def problems(self) -> list[str]:
        """Return what is inconsistent: repeated level or sign ids."""
        seen: set[str] = set()
        found: list[str] = []
        for item in [lvl.id for lvl in self.levels] + [
            s.id for lvl in self.levels for s in lvl.signs
        ]:
            if item in seen:
                found.append(f"catalogue {self.id!r}: id {item!r} appears more than once")
            seen.add(item)
        return found


@attrs.frozen
class Observation:
    """Who saw which worry sign, when, in their own words.

    ``observed_by`` describes the observer (e.g. ``"teacher"`` or an actor id); the
    actor who records the observation is on the event that carries it.
    """

    catalogue: str = attrs.field(validator=identifier)
    sign: str = attrs.field(validator=identifier)
    observed_by: str = attrs.field(validator=non_empty_text)
    observed_on: dt.date
    text: str | None = None


@attrs.frozen
class Situation:
    """A kind of concern that selects an action card, e.g. worry about radicalisation.

    :ivar id: the situation's id, e.g. ``aalborg.radicalisation`` (lower-case letters,
        digits and ``_``, starting with a letter; parts joined by ``.`` or ``-``); a
        municipality's plugin names it ``<municipality>.<name>``. An action card names it
        in ``applies_to.situation``.
    :ivar labels: its name in Danish and English.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels


@attrs.frozen
class ReferenceText:
    """A text shown to users for reference: a definition or a list of risk factors.

    Reference texts are read by people. They are never used as a scoring rule.

    :ivar id: the text's id, e.g. ``aalborg.definition.radicalisation`` (lower-case letters,
        digits and ``_``, starting with a letter; parts joined by ``.`` or ``-``); a
        municipality's plugin names it ``<municipality>.<name>``.
    :ivar labels: its title in Danish and English.
    :ivar source: where the text comes from (a ``Source`` table); required.
    :ivar lead: the sentence before its list, in both languages; may be left out.
    :ivar items: the points of its list, ``[[reference_texts.items]]`` tables, each a
        ``Labels`` (``da``, ``en``); may be left out.
    """

    id: str = attrs.field(validator=identifier)
    labels: Labels
    source: Source
    lead: Labels | None = None
    items: tuple[Labels, ...] = ()
