"""The help tool, readable: worry signs, definitions, organisation, partners and strategy.

:func:`build_guide` gathers what the plugins contribute for people to read (the
worry-sign catalogues, the reference texts such as the definitions of
radicalisation and extremism and the risk factors, the INFO houses, the action
groups, the corps, the partners and the strategies) into a :class:`Guide`: plain,
typed sections of items, every text in one language, every item with its source.
:func:`guide_markdown` writes it as Markdown; :meth:`Guide.to_dict` and
:meth:`Guide.from_dict` turn it into JSON-ready data and back.

The guide holds no personal data (it is the plugins' published data, the same for
everyone), so reading it needs no grant and is not audited.

Worry signs are an aid, never a checklist: the guide shows each catalogue's own
guidance about that first, and counts, weighs or scores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import cattrs

from ssp_core.domain.concerns import CatalogueKind, Source
from ssp_core.domain.labels import Labels, Language
from ssp_core.exceptions import UnknownId
from ssp_core.text import visible

if TYPE_CHECKING:
    from ssp_core.plugins.registry import Contributed, Registry

__all__ = [
    "GUIDE_SECTIONS",
    "Guide",
    "GuideDetail",
    "GuideGroup",
    "GuideItem",
    "GuideSection",
    "build_guide",
    "guide_markdown",
    "visible",
]


@attrs.frozen
class GuideDetail:
    """One named fact about an item, e.g. ``Established: 2011``."""

    name: str
    value: str


@attrs.frozen
class GuideGroup:
    """A titled list within an item: a level of worry signs, the tasks of an INFO house."""

    title: str
    points: tuple[str, ...] = ()
    text: str | None = None


@attrs.frozen
class GuideItem:
    """One thing in the guide, in one language, with where it comes from.

    ``text`` is the item's lead, description or guidance; ``points`` its list (the
    characteristics of a definition, the risk factors); ``groups`` its titled lists;
    ``details`` its named facts. ``source`` is the source the data names (``None``
    if it names none); ``plugin`` the plugin that contributed the item and
    ``municipality`` the municipality it belongs to (``None``: shared by all).
    """

    id: str
    title: str
    plugin: str
    municipality: str | None = None
    source: Source | None = None
    text: str | None = None
    points: tuple[str, ...] = ()
    groups: tuple[GuideGroup, ...] = ()
    details: tuple[GuideDetail, ...] = ()


@attrs.frozen
class GuideSection:
    """One section of the guide: its id (e.g. ``worry-signs``), its title and its items."""

    id: str
    title: str
    items: tuple[GuideItem, ...] = ()


@attrs.frozen
class Guide:
    """The help tool in one language, optionally for one municipality, as sections of items."""

    language: Language
    municipality: str | None
    sections: tuple[GuideSection, ...]

    def section(self, section_id: str) -> GuideSection:
        """Return the section with ``section_id``; :class:`UnknownId` if the guide has none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise UnknownId("guide section", section_id, [s.id for s in self.sections])

    def to_dict(self) -> dict[str, Any]:
        """Return the guide as JSON-ready data (:meth:`from_dict` reads it back)."""
        data: dict[str, Any] = _CONVERTER.unstructure(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Guide:
        """Return the guide that :meth:`to_dict` made ``data`` from."""
        return _CONVERTER.structure(data, cls)


_CONVERTER = cattrs.Converter()


# -- the library's own words -----------------------------------------------------------

_WORDS: dict[str, Labels] = {
    "source": Labels("Kilde", "Source"),
    "contributed": Labels("Data fra plugin", "Data of plugin"),
    "no_source": Labels("ingen kilde angivet i data", "no source given in the data"),
    "shared": Labels("fælles", "shared"),
    "none": Labels("(ingen)", "(none)"),
    "established": Labels("Etableret", "Established"),
    "network": Labels("Netværk", "Network"),
    "staffing": Labels("Bemanding", "Staffing"),
    "tasks": Labels("Opgaver", "Tasks"),
    "areas": Labels("Vidensområder", "Areas of knowledge"),
    "orientation": Labels("Målgruppe", "Works with"),
    "track": Labels("Forløb", "Track"),
    "kind": Labels("Type", "Kind"),
    "locality": Labels("Område", "Area"),
    "goals": Labels("Mål", "Goals"),
    "initiatives": Labels("Indsatser", "Initiatives"),
    "indicators": Labels("Opfølgning: indikatorer", "Follow-up: indicators"),
    "evaluations": Labels("Evalueringer", "Evaluations"),
    "council_terms": Labels("Byrådsperioder", "Council terms"),
    "individual": Labels("enkeltpersoner", "individuals"),
    "group": Labels("grupper", "groups"),
    "both": Labels("enkeltpersoner og grupper", "individuals and groups"),
}


def _word(key: str, language: Language) -> str:
    return _WORDS[key].get(language)


# -- sections ----------------------------------------------------------------------------


def _text(labels: Labels | None, language: Language) -> str | None:
    return labels.get(language) if labels is not None else None


def _worry_signs(registry: Registry, language: Language, item_id: str) -> GuideItem:
    catalogue = registry.catalogues[item_id]
    groups = tuple(
        GuideGroup(
            level.labels.get(language),
            tuple(sign.labels.get(language) for sign in level.signs),
        )
        for level in catalogue.levels
    )
    return GuideItem(
        id=catalogue.id,
        title=catalogue.labels.get(language),
        plugin=registry.catalogues.contributor(item_id),
        source=catalogue.source,
        text=_text(catalogue.guidance, language),
        groups=groups,
    )


def _reference(registry: Registry, language: Language, item_id: str) -> GuideItem:
    found = registry.reference_texts[item_id]
    return GuideItem(
        id=found.id,
        title=found.labels.get(language),
        plugin=registry.reference_texts.contributor(item_id),
        source=found.source,
        text=_text(found.lead, language),
        points=tuple(point.get(language) for point in found.items),
    )


def _role_label(registry: Registry, role: str, language: Language) -> str:
    found = registry.roles.get(role)
    return found.labels.get(language) if found is not None else role


def _info_house(registry: Registry, language: Language, item_id: str) -> GuideItem:
    house = registry.info_houses[item_id]
    details = []
    if house.established is not None:
        details.append(GuideDetail(_word("established", language), str(house.established)))
    if house.network is not None:
        details.append(GuideDetail(_word("network", language), house.network.get(language)))
    staffing = tuple(
        f"{_role_label(registry, position.role, language)}: {position.count}"
        + (f" ({position.employer})" if position.employer else "")
        for position in house.staffing
    )
    groups = [
        GuideGroup(title, points)
        for title, points in (
            (_word("staffing", language), staffing),
            (_word("tasks", language), tuple(task.get(language) for task in house.tasks)),
        )
        if points
    ]
    return GuideItem(
        id=house.id,
        source=house.source,
        title=house.labels.get(language),
        plugin=registry.info_houses.contributor(item_id),
        groups=tuple(groups),
        details=tuple(details),
    )


def _action_group(registry: Registry, language: Language, item_id: str) -> GuideItem:
    group = registry.action_groups[item_id]
    areas = tuple(area.labels.get(language) for area in group.areas)
    return GuideItem(
        id=group.id,
        source=group.source,
        title=group.labels.get(language),
        plugin=registry.action_groups.contributor(item_id),
        text=_text(group.description, language),
        groups=(GuideGroup(_word("areas", language), areas),) if areas else (),
    )


def _corps(registry: Registry, language: Language, item_id: str) -> GuideItem:
    corps = registry.corps[item_id]
    try:
        track = registry.workflow(corps.track).labels.get(language)
    except UnknownId:
        track = corps.track
    return GuideItem(
        id=corps.id,
        source=corps.source,
        title=corps.labels.get(language),
        plugin=registry.corps.contributor(item_id),
        text=_text(corps.description, language),
        details=(
            GuideDetail(_word("orientation", language), _word(corps.orientation.value, language)),
            GuideDetail(_word("track", language), track),
        ),
    )


def _partner(registry: Registry, language: Language, item_id: str) -> GuideItem:
    partner = registry.partners[item_id]
    kind = registry.partner_kinds.get(partner.kind)
    details = [
        GuideDetail(_word("kind", language), kind.labels.get(language) if kind else partner.kind)
    ]
    if partner.locality:
        details.append(GuideDetail(_word("locality", language), partner.locality))
    return GuideItem(
        id=partner.id,
        source=partner.source,
        title=partner.labels.get(language),
        plugin=registry.partners.contributor(item_id),
        text=_text(partner.description, language),
        details=tuple(details),
    )


def _initiative_line(labels: Labels, activities: Sequence[Labels], language: Language) -> str:
    line = labels.get(language)
    if activities:
        line += ": " + "; ".join(activity.get(language) for activity in activities)
    return line


def _strategy(registry: Registry, language: Language, item_id: str) -> GuideItem:
    strategy = registry.strategies[item_id]
    indicators = tuple(
        indicator.labels.get(language)
        + (f" ({indicator.source.get(language)})" if indicator.source else "")
        for indicator in strategy.follow_up.indicators
    )
    candidates = (
        (_word("goals", language), tuple(goal.labels.get(language) for goal in strategy.goals)),
        (
            _word("initiatives", language),
            tuple(
                _initiative_line(i.labels, [a.labels for a in i.activities], language)
                for i in strategy.initiatives
            ),
        ),
        (_word("indicators", language), indicators),
        (
            _word("evaluations", language),
            tuple(e.get(language) for e in strategy.follow_up.evaluations),
        ),
    )
    terms = ", ".join(str(term) for term in strategy.follow_up.terms())
    return GuideItem(
        id=strategy.id,
        source=strategy.source,
        title=strategy.labels.get(language),
        plugin=registry.strategies.contributor(item_id),
        groups=tuple(GuideGroup(title, points) for title, points in candidates if points),
        details=(GuideDetail(_word("council_terms", language), terms),) if terms else (),
    )


_Maker = Callable[["Registry", Language, str], GuideItem]


@attrs.frozen
class _SectionKind:
    id: str
    title: Labels
    attribute: str
    make: _Maker
    keep: Callable[[Any], bool] = lambda _item: True


_SECTIONS: tuple[_SectionKind, ...] = (
    _SectionKind(
        "worry-signs",
        Labels("Bekymringstegn", "Worry signs"),
        "catalogues",
        _worry_signs,
        lambda catalogue: catalogue.kind is CatalogueKind.WORRY_SIGNS,
    ),
    _SectionKind(
        "resources",
        Labels("Ressourcer og beskyttende faktorer", "Resources and protective factors"),
        "catalogues",
        _worry_signs,
        lambda catalogue: catalogue.kind is CatalogueKind.RESOURCES,
    ),
    _SectionKind(
        "reference",
        Labels("Definitioner og risikofaktorer", "Definitions and risk factors"),
        "reference_texts",
        _reference,
    ),
    _SectionKind("info-house", Labels("INFO-huset", "The INFO house"), "info_houses", _info_house),
    _SectionKind(
        "action-group", Labels("Actiongruppen", "The action group"), "action_groups", _action_group
    ),
    _SectionKind("corps", Labels("Korps", "Corps"), "corps", _corps),
    _SectionKind("partners", Labels("Samarbejdspartnere", "Partners"), "partners", _partner),
    _SectionKind("strategy", Labels("Strategi", "Strategy"), "strategies", _strategy),
)

GUIDE_SECTIONS: tuple[str, ...] = tuple(kind.id for kind in _SECTIONS)
"""The ids of the guide's sections, in the order the guide shows them."""


def build_guide(
    registry: Registry,
    *,
    language: Language = "en",
    municipality: str | None = None,
    sections: Iterable[str] = (),
) -> Guide:
    """Return the help tool of ``registry`` in ``language``: the sections asked for, or all.

    :param registry: the loaded plugins' data.
    :param language: ``"da"`` or ``"en"``; every text of the guide is in it.
    :param municipality: show only that municipality's items and the shared ones
        (those of plugins that declare no municipality); ``None``: everything.
    :param sections: ids from :data:`GUIDE_SECTIONS`, in any order (the guide keeps
        its own); none: every section.
    :raises UnknownId: for an unknown section or municipality.

    No personal data is involved, so no grant is needed and nothing is audited.
    """
    wanted = list(dict.fromkeys(sections))
    for section_id in wanted:
        if section_id not in GUIDE_SECTIONS:
            raise UnknownId("guide section", section_id, GUIDE_SECTIONS)
    if municipality is not None:
        registry.municipalities[municipality]  # an unknown municipality raises UnknownId
    built = []
    for kind in _SECTIONS:
        if wanted and kind.id not in wanted:
            continue
        contributed: Contributed[Any] = getattr(registry, kind.attribute)
        items = []
        for item_id in contributed:
            home = registry.home(contributed, item_id)
            if municipality is not None and home not in (None, municipality):
                continue
            if not kind.keep(contributed[item_id]):
                continue
            items.append(attrs.evolve(kind.make(registry, language, item_id), municipality=home))
        built.append(GuideSection(kind.id, kind.title.get(language), tuple(items)))
    return Guide(language=language, municipality=municipality, sections=tuple(built))


# -- Markdown ----------------------------------------------------------------------------


def _md(text: object) -> str:
    from ssp_core.reports.markdown import escape  # noqa: PLC0415 (loaded when used)

    return escape(visible(str(text)))


def _source_line(item: GuideItem, language: Language) -> str:
    source = item.source
    if source is None:
        where = _word("no_source", language)
    elif source.url and source.url.startswith(("https://", "http://")):
        url = re.sub(r"[\s<>]", lambda c: f"%{ord(c[0]):02X}", visible(source.url))
        where = f"[{_md(source)}](<{url}>)"
    else:
        where = _md(f"{source}, {source.url}" if source.url else source)
    home = item.municipality or _word("shared", language)
    plugin = f"{_word('contributed', language)} {_md(item.plugin)} ({_md(home)})"
    return f"*{_word('source', language)}:* {where}. {plugin}."


def guide_markdown(guide: Guide) -> str:
    """Return the guide as Markdown: a heading per section and per item, each with its source.

    Text from the data is escaped (:func:`ssp_core.reports.markdown.escape`), and its
    control characters are written out, so nothing in it becomes markup.
    """
    language = guide.language
    title = Labels("Hjælperedskab", "Help tool").get(language)
    lines = [f"# {title}", ""]
    for section in guide.sections:
        lines += [f"## {_md(section.title)}", ""]
        if not section.items:
            lines += [_word("none", language), ""]
        for item in section.items:
            lines += [f"### {_md(item.title)}", ""]
            if item.text:
                lines += [_md(item.text), ""]
            if item.points:
                lines += [*(f"- {_md(point)}" for point in item.points), ""]
            for detail in item.details:
                lines.append(f"- **{_md(detail.name)}:** {_md(detail.value)}")
            if item.details:
                lines.append("")
            for group in item.groups:
                lines += [f"**{_md(group.title)}**", ""]
                if group.text:
                    lines += [_md(group.text), ""]
                lines += [*(f"- {_md(point)}" for point in group.points), ""]
            lines += [_source_line(item, language), ""]
    return "\n".join(lines).rstrip() + "\n"
