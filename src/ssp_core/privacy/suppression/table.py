"""The tables of small-cell suppression: the counts given and the table published.

:class:`CountTable` holds the counts to publish, :class:`SuppressedTable` the table
ready to publish (every inner cell and marginal total, as :class:`PublishedCell`),
:class:`Knowledge` what its reader knows and :class:`Suppression` why an entry is
hidden. Building and checking them is all this module does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

import attrs

__all__ = [
    "THRESHOLD",
    "TOTAL",
    "CountTable",
    "Knowledge",
    "PublishedCell",
    "SuppressedTable",
    "Suppression",
]

THRESHOLD = 5
"""Counts from 1 to ``THRESHOLD - 1`` are never published."""

TOTAL = "Total"
"""The level published for a dimension that is summed out (reserved: no level may use it)."""

_RESERVED_COLUMNS = ("count", "suppressed")


class Suppression(StrEnum):
    """Whether, and why, a published entry is suppressed."""

    NONE = ""
    PRIMARY = "primary"
    SECONDARY = "secondary"


class Knowledge(StrEnum):
    """What a reader of a published table knows besides its counts and equations.

    Each level includes the one before. ``PLAIN``: counts are non-negative
    integers. ``RULES``: also that zeros are always published and never suppressed,
    so a suppressed count is at least 1. ``MARKS``: also the primary/secondary
    marks, so a primary count is 1 to ``threshold - 1`` and a secondary one at least
    ``threshold``.

    The marks give much away: a primary total of 4 over four primary parts makes
    every part 1, whatever else is suppressed, and a primary count beside a
    secondary one under a published total of 6 is 1. Protecting against ``MARKS``
    takes about half as many secondary suppressions again as ``RULES`` and is often
    impossible for sparse tables.
    """

    PLAIN = "plain"
    RULES = "rules"
    MARKS = "marks"


def _dimensions(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValueError(f"dimensions must be a sequence of names, not the string {value!r}")
    return tuple(value)


def _cells(value: Mapping[tuple[str, ...], int]) -> Mapping[tuple[str, ...], int]:
    return MappingProxyType(dict(value))


def _levels(value: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    levels: dict[str, tuple[str, ...]] = {}
    for name, values in value.items():
        if isinstance(values, str):
            raise ValueError(
                f"the levels of dimension {name!r} must be a sequence, not the string {values!r}"
            )
        levels[name] = tuple(values)
    return MappingProxyType(levels)


def _key(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _check_level(level: object, where: str) -> None:
    if not isinstance(level, str):
        raise ValueError(f"{where}: level {level!r} is not a string")
    if level == TOTAL:
        raise ValueError(f"{where}: the level {TOTAL!r} is reserved for totals")


def _check_dimensions(dimensions: tuple[str, ...]) -> None:
    if not dimensions:
        raise ValueError("a count table needs at least one dimension")
    for name in dimensions:
        if not isinstance(name, str) or not name:
            raise ValueError(f"dimension name {name!r} is not a non-empty string")
        if name in _RESERVED_COLUMNS:
            raise ValueError(
                f"dimension name {name!r} is reserved for a column of the published rows"
            )
    if len(set(dimensions)) != len(dimensions):
        raise ValueError(f"dimension names repeat in {dimensions!r}")


def _check_levels(dimensions: tuple[str, ...], levels: Mapping[str, tuple[str, ...]]) -> None:
    for name, declared in levels.items():
        if name not in dimensions:
            raise ValueError(
                f"unknown dimension {name!r} in levels; the dimensions are {dimensions!r}"
            )
        for level in declared:
            _check_level(level, f"levels of dimension {name!r}")
        if len(set(declared)) != len(declared):
            raise ValueError(f"the levels of dimension {name!r} repeat: {declared!r}")


def _check_cell(
    dimensions: tuple[str, ...], levels: Mapping[str, tuple[str, ...]], key: object, count: object
) -> None:
    if not isinstance(key, tuple):
        raise ValueError(f"key {key!r} is not a tuple of levels")
    if len(key) != len(dimensions):
        raise ValueError(
            f"key {key!r} has {len(key)} parts, but the table has "
            f"{len(dimensions)} dimensions {dimensions!r}"
        )
    for name, level in zip(dimensions, key, strict=True):
        _check_level(level, f"key {key!r}")
        if name in levels and level not in levels[name]:
            raise ValueError(
                f"key {key!r}: unknown level {level!r} of dimension {name!r}; "
                f"the declared levels are {levels[name]!r}"
            )
    if isinstance(count, bool) or not isinstance(count, int):
        raise ValueError(f"count {count!r} of key {key!r} is not an integer")
    if count < 0:
        raise ValueError(f"negative count {count} for key {key!r}")


@attrs.frozen
class CountTable:
    """Counts by the values of some dimensions, e.g. (card, age band, quarter) -> cases.

    ``cells`` maps a key, one level per dimension in the order of ``dimensions``, to
    its count. The published table has every combination of the levels seen in the
    keys (or declared in ``levels``); a combination missing from ``cells`` counts 0.
    To publish a level with no cases at all, declare it in ``levels`` or give one of
    its keys with count 0.

    ``levels`` optionally gives the levels of some dimensions in publication order
    (e.g. age bands youngest first); every key must then use a declared level. The
    levels of the other dimensions are the ones seen in the keys, sorted.

    Raises :class:`ValueError` naming what was wrong: no dimensions, a repeated or
    reserved dimension name, a key with the wrong number of parts, a count that is
    not an integer or is negative, the reserved level :data:`TOTAL`, an unknown
    dimension in ``levels``, or a level not among the declared ones.
    """

    dimensions: tuple[str, ...] = attrs.field(converter=_dimensions)
    cells: Mapping[tuple[str, ...], int] = attrs.field(converter=_cells)
    levels: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_levels
    )

    def __attrs_post_init__(self) -> None:
        _check_dimensions(self.dimensions)
        _check_levels(self.dimensions, self.levels)
        if not self.cells and not all(name in self.levels for name in self.dimensions):
            raise ValueError("a count table needs at least one cell (or declared levels)")
        for key, count in self.cells.items():
            _check_cell(self.dimensions, self.levels, key, count)
        for name, declared in zip(self.dimensions, self.axes(), strict=True):
            if not declared:
                raise ValueError(f"dimension {name!r} has no levels")

    def axes(self) -> tuple[tuple[str, ...], ...]:
        """Return the levels of each dimension, in publication order."""
        axes: list[tuple[str, ...]] = []
        for position, name in enumerate(self.dimensions):
            if name in self.levels:
                axes.append(self.levels[name])
            else:
                axes.append(tuple(sorted({key[position] for key in self.cells})))
        return tuple(axes)


@attrs.frozen
class PublishedCell:
    """One entry of a published table: an inner cell or a marginal total.

    ``key`` has one level per dimension, :data:`TOTAL` where the dimension is summed
    out. ``count`` is ``None`` exactly when the entry is suppressed.
    """

    key: tuple[str, ...] = attrs.field(converter=_key)
    count: int | None
    suppression: Suppression = attrs.field(converter=Suppression)

    def __attrs_post_init__(self) -> None:
        if (self.count is None) != (self.suppression is not Suppression.NONE):
            raise ValueError(
                f"entry {self.key!r}: the count must be None exactly when it is suppressed "
                f"(count {self.count!r}, suppression {self.suppression.value!r})"
            )
        if self.count is not None and (
            isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0
        ):
            raise ValueError(f"entry {self.key!r}: count {self.count!r} is not a count")


def _published_cells(value: Iterable[PublishedCell]) -> tuple[PublishedCell, ...]:
    return tuple(value)


@attrs.frozen
class SuppressedTable:
    """A table ready to publish: every inner cell and every marginal total.

    ``cells`` holds the inner cells and the totals over every subset of the
    dimensions (the grand total included), in a stable order: the levels of each
    dimension in publication order, :data:`TOTAL` after them, the last dimension
    varying fastest. ``knowledge`` is what the table is protected against: no
    primary-suppressed count can be worked out by a reader who knows that much
    (and :meth:`rows` publishes the primary/secondary marks only if that includes
    them). ``exact_audit`` is true when :func:`suppress` ran the exact attacker
    search of :func:`exposed_cells` on this table and it found no exposed entry;
    otherwise only the algebraic and bounds audits ran.
    """

    dimensions: tuple[str, ...] = attrs.field(converter=_dimensions)
    cells: tuple[PublishedCell, ...] = attrs.field(converter=_published_cells)
    threshold: int
    knowledge: Knowledge = attrs.field(default=Knowledge.RULES, converter=Knowledge)
    exact_audit: bool = False

    def rows(self) -> list[dict[str, object]]:
        """Return one dict per entry: each dimension, ``"count"`` and ``"suppressed"``.

        ``"count"`` is the count, or ``None`` when suppressed. ``"suppressed"`` is
        ``""``, ``"primary"`` or ``"secondary"`` when the table was protected against
        readers who know these marks (``knowledge`` is ``Knowledge.MARKS``);
        otherwise it is ``""`` or ``"suppressed"``, since the marks would let a reader
        work suppressed counts out.
        """
        marks = self.knowledge is Knowledge.MARKS
        rows: list[dict[str, object]] = []
        for cell in self.cells:
            row: dict[str, object] = dict(zip(self.dimensions, cell.key, strict=True))
            row["count"] = cell.count
            if marks or cell.suppression is Suppression.NONE:
                row["suppressed"] = cell.suppression.value
            else:
                row["suppressed"] = "suppressed"
            rows.append(row)
        return rows
