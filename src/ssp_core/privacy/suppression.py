"""Small-cell suppression for the aggregate tables of research exports.

A research export publishes counts of cases by a few dimensions (action card, age
band, quarter, ...) with every marginal total. No count from 1 to ``threshold - 1``
may be published, and no published count may let a reader work such a count out.
:func:`suppress` turns a :class:`CountTable` into a :class:`SuppressedTable`:

* **Primary suppression** hides every entry (inner cell or marginal total) with
  ``0 < count < threshold``. Zeros are published.
* **Secondary suppression** then repeats, until every check passes:

  a. the *line rule*: in every equation (a total and the entries one level finer
     that add up to it) the number of suppressed entries is 0 or at least 2;
  b. the *algebraic audit*: no suppressed entry is determined by the published
     counts through the equations (exact integer elimination);
  c. the *bounds audit*: bound propagation over the equations, with the bounds a
     reader knows, pins no primary-suppressed entry;
  d. the *exact audit*, for tables of at most :data:`EXACT_AUDIT_MAX_ENTRIES`
     entries: the attacker search of :func:`exposed_cells` finds nothing.

  Each failed check suppresses one more entry: the smallest non-zero published
  entry of an equation holding the leaking entry. Only non-zero entries are ever
  suppressed.

What the reader knows is a :class:`Knowledge` level. By default the table is
protected against a reader who knows the rules (a suppressed count is at least 1,
since zeros are published) and the published rows do not say why an entry is
suppressed: the primary/secondary marks would give counts away (see
:class:`Knowledge`).

The module is pure Python (standard library and attrs) and deterministic.
``docs/suppression.md`` explains the method with a worked example.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType

import attrs

__all__ = [
    "EXACT_AUDIT_MAX_ENTRIES",
    "EXACT_AUDIT_MAX_STEPS",
    "MAX_SEARCH_STEPS",
    "THRESHOLD",
    "TOTAL",
    "CountTable",
    "Knowledge",
    "PublishedCell",
    "SuppressedTable",
    "Suppression",
    "exposed_cells",
    "suppress",
]

THRESHOLD = 5
"""Counts from 1 to ``THRESHOLD - 1`` are never published."""

TOTAL = "Total"
"""The level published for a dimension that is summed out (reserved: no level may use it)."""

MAX_SEARCH_STEPS = 200_000
"""The most steps (partial assignments tried) :func:`exposed_cells` may take."""

EXACT_AUDIT_MAX_ENTRIES = 250
"""Tables of at most this many entries (inner cells and totals) get the exact audit."""

EXACT_AUDIT_MAX_STEPS = 20_000
"""The most steps :func:`suppress` spends on exact audits of one table, all rounds together."""

_RESERVED_COLUMNS = ("count", "suppressed")
_NONE, _PRIMARY, _SECONDARY = 0, 1, 2
# Steps the exact audit of suppress spends on one entry before suppressing more instead.
_PATIENCE = 500
# A count no table reaches: the bound of an entry without a published enclosing total.
_CAP = 10**9


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


class _Cube:
    """The entries of a table with all its totals, indexed in publication order.

    An entry is a tuple of coordinates, coordinate ``sizes[i]`` standing for
    :data:`TOTAL`; entries are numbered in mixed radix, the last dimension fastest.
    """

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = tuple(sizes)
        self.radix = tuple(size + 1 for size in self.sizes)
        self.strides: tuple[int, ...] = tuple(
            math.prod(self.radix[i + 1 :]) for i in range(len(self.radix))
        )
        self.count = math.prod(self.radix)
        self.coords = list(itertools.product(*(range(r) for r in self.radix)))
        self._ancestors: dict[int, list[int]] = {}
        self.coarseness = [
            sum(c == size for c, size in zip(coords, self.sizes, strict=True))
            for coords in self.coords
        ]
        # An equation: a total and the entries one level finer along one dimension.
        self.equations: list[tuple[int, tuple[int, ...]]] = []
        self.equations_of: list[list[int]] = [[] for _ in range(self.count)]
        for entry, coords in enumerate(self.coords):
            for dim, size in enumerate(self.sizes):
                if coords[dim] == size:
                    start = entry - size * self.strides[dim]
                    parts = tuple(start + level * self.strides[dim] for level in range(size))
                    number = len(self.equations)
                    self.equations.append((entry, parts))
                    self.equations_of[entry].append(number)
                    for part in parts:
                        self.equations_of[part].append(number)
        self.grand_total = self.count - 1

    def is_inner(self, entry: int) -> bool:
        return self.coarseness[entry] == 0

    def ancestors(self, entry: int) -> list[int]:
        """Return the entries that enclose ``entry`` (more dimensions summed out)."""
        if entry in self._ancestors:
            return self._ancestors[entry]
        coords = self.coords[entry]
        free = [dim for dim, size in enumerate(self.sizes) if coords[dim] != size]
        found = [
            entry + sum((self.sizes[d] - coords[d]) * self.strides[d] for d in dims)
            for n in range(1, len(free) + 1)
            for dims in itertools.combinations(free, n)
        ]
        self._ancestors[entry] = found
        return found

    def values(self, inner: Sequence[int]) -> list[int]:
        """Return the count of every entry, given the inner counts in entry order."""
        values = [0] * self.count
        inner_iter = iter(inner)
        for entry in range(self.count):
            if self.coarseness[entry] == 0:
                values[entry] = next(inner_iter)
        for dim, size in enumerate(self.sizes):
            stride = self.strides[dim]
            for entry, coords in enumerate(self.coords):
                if coords[dim] == size and all(
                    coords[d] != self.sizes[d] for d in range(dim + 1, len(self.sizes))
                ):
                    start = entry - size * stride
                    values[entry] = sum(values[start + level * stride] for level in range(size))
        return values


def suppress(
    table: CountTable,
    threshold: int = THRESHOLD,
    *,
    knowledge: Knowledge = Knowledge.RULES,
) -> SuppressedTable:
    """Return the table with all totals, its small counts and their protectors suppressed.

    Primary suppression hides every entry (inner cell or total) with
    ``0 < count < threshold``; zero counts are published (a zero beside a single
    suppressed entry is handled by the line rule). Secondary suppression then repeats
    the line rule, the algebraic audit, the bounds audit and, for tables of at most
    :data:`EXACT_AUDIT_MAX_ENTRIES` entries, the exact audit of :func:`exposed_cells`,
    suppressing one more non-zero entry each time a check fails, until every check
    passes. When the exact audit passes, ``result.exact_audit`` is true and
    ``exposed_cells(result) == []`` is guaranteed; it is false for larger tables, or
    when the exact audits would take more than :data:`EXACT_AUDIT_MAX_STEPS` steps,
    and the result then rests on the algebraic and bounds audits.

    ``knowledge`` is the reader to protect against (see :class:`Knowledge`);
    protection against one level is protection against the levels below it. The
    default, ``Knowledge.RULES``, publishes no primary/secondary marks.
    ``Knowledge.MARKS`` publishes them, needs about half as many secondary
    suppressions again, and cannot be had for many sparse tables (a suppressed total
    of 4 over four suppressed parts tells that each part is 1): then
    :class:`ValueError` is raised.

    ``threshold`` must be at least 2, and at least 3 for ``Knowledge.MARKS``
    (with 2 the mark "primary" alone would reveal the count 1).
    """
    knowledge = Knowledge(knowledge)
    least = 3 if knowledge is Knowledge.MARKS else 2
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < least:
        raise ValueError(
            f"threshold must be an integer of at least {least} for knowledge "
            f"{knowledge.value!r}, not {threshold!r}"
        )
    axes = table.axes()
    cube = _Cube([len(levels) for levels in axes])
    inner = [table.cells.get(key, 0) for key in itertools.product(*axes)]
    values = cube.values(inner)  # the inner entries are in the same order as the product
    status = [_PRIMARY if 0 < value < threshold else _NONE for value in values]
    exact = _Protector(cube, values, status, threshold, knowledge).run()
    kinds = (Suppression.NONE, Suppression.PRIMARY, Suppression.SECONDARY)
    cells = tuple(
        PublishedCell(
            key=tuple(
                axes[dim][c] if c < cube.sizes[dim] else TOTAL
                for dim, c in enumerate(cube.coords[entry])
            ),
            count=None if status[entry] else values[entry],
            suppression=kinds[status[entry]],
        )
        for entry in range(cube.count)
    )
    return SuppressedTable(
        dimensions=table.dimensions,
        cells=cells,
        threshold=threshold,
        knowledge=knowledge,
        exact_audit=exact,
    )


class _Protector:
    """The secondary suppression loop of :func:`suppress` (changes ``status`` in place)."""

    def __init__(
        self,
        cube: _Cube,
        values: list[int],
        status: list[int],
        threshold: int,
        knowledge: Knowledge,
    ) -> None:
        self.cube = cube
        self.values = values
        self.status = status
        self.threshold = threshold
        self.knowledge = knowledge

    def run(self) -> bool:
        """Suppress until every audit passes; return whether the exact audit passed."""
        exact = self.cube.count <= EXACT_AUDIT_MAX_ENTRIES
        self.steps_left = EXACT_AUDIT_MAX_STEPS
        while True:
            self.line_rule()
            leaks = self.determined()
            if not leaks:
                leaks = self.pinned()
            if not leaks and exact:
                try:
                    leaks = self.exposed()
                except _SearchTooLarge:
                    exact = False
            if not leaks:
                return exact
            self.protect(leaks)

    def candidate_order(self, entry: int) -> tuple[int, int, int, int]:
        # The grand total last; then the smallest count, the finest entry, the first.
        return (
            entry == self.cube.grand_total,
            self.values[entry],
            self.cube.coarseness[entry],
            entry,
        )

    def line_rule(self) -> None:
        status, values = self.status, self.values
        changed = True
        while changed:
            changed = False
            for total, parts in self.cube.equations:
                hidden = (status[total] != _NONE) + sum(status[p] != _NONE for p in parts)
                if hidden != 1:
                    continue
                open_parts = [p for p in parts if status[p] == _NONE and values[p] > 0]
                chosen = min(open_parts, key=self.candidate_order) if open_parts else total
                status[chosen] = _SECONDARY
                changed = True

    def determined(self) -> list[int]:
        unknowns = [e for e in range(self.cube.count) if self.status[e] != _NONE]
        column = {entry: n for n, entry in enumerate(unknowns)}
        rows: list[dict[int, int]] = []
        for total, parts in self.cube.equations:
            row = {column[p]: 1 for p in parts if p in column}
            if total in column:
                row[column[total]] = -1
            if row:
                rows.append(row)
        return sorted(unknowns[n] for n in _determined_columns(rows))

    def attack(self) -> _Attack:
        known = [None if s != _NONE else v for s, v in zip(self.status, self.values, strict=True)]
        return _Attack(self.cube, known, self.status, self.threshold, self.knowledge)

    def pinned(self) -> list[int]:
        return self.attack().pinned_by_bounds()

    def exposed(self) -> list[int]:
        attack = self.attack()
        attack.most = self.steps_left
        try:
            return attack.exposed(patience=_PATIENCE)
        finally:
            self.steps_left -= attack.steps

    def protect(self, leaks: list[int]) -> None:
        """Suppress one more entry for each leak, skipping leaks already helped this round."""
        status = self.status
        added: set[int] = set()
        order = sorted(leaks, key=lambda e: (status[e] != _PRIMARY, e))
        for leak in order:
            near = {m for eq in self.cube.equations_of[leak] for m in self._members(eq)}
            if added and not near.isdisjoint(added):
                continue
            chosen = self.nearest_candidate(leak)
            if chosen is None:
                break  # nothing is left to suppress
            status[chosen] = _SECONDARY
            added.add(chosen)
        if not added:
            raise ValueError(
                "cannot protect the table: every non-zero entry is already suppressed "
                "and a suppressed count can still be worked out"
            )

    def _members(self, equation: int) -> tuple[int, ...]:
        total, parts = self.cube.equations[equation]
        return (total, *parts)

    def nearest_candidate(self, leak: int) -> int | None:
        """Return the best published non-zero entry in the equations nearest to ``leak``."""
        seen = {leak}
        frontier = [leak]
        while frontier:
            candidates: set[int] = set()
            further: list[int] = []
            for entry in frontier:
                for equation in self.cube.equations_of[entry]:
                    for member in self._members(equation):
                        if self.status[member] == _NONE:
                            if self.values[member] > 0:
                                candidates.add(member)
                        elif member not in seen:
                            seen.add(member)
                            further.append(member)
            if candidates:
                return min(candidates, key=self.candidate_order)
            frontier = sorted(further)
        for entry in range(self.cube.count):  # a separate part of the table, as a last resort
            if self.status[entry] == _NONE and self.values[entry] > 0:
                candidates.add(entry)
        return min(candidates, key=self.candidate_order) if candidates else None


def _combine(target: dict[int, int], source: dict[int, int], column: int) -> dict[int, int]:
    """Return ``target`` with ``column`` eliminated by ``source``, in lowest integer terms."""
    a, b = target[column], source[column]
    combined = {c: v * b for c, v in target.items()}
    for c, v in source.items():
        combined[c] = combined.get(c, 0) - v * a
    combined = {c: v for c, v in combined.items() if v}
    divisor = math.gcd(*combined.values()) if combined else 1
    if divisor > 1:
        combined = {c: v // divisor for c, v in combined.items()}
    return combined


def _determined_columns(rows: Iterable[dict[int, int]]) -> set[int]:
    """Return the columns whose unit vector lies in the row space of ``rows``.

    Exact sparse Gauss-Jordan elimination over the integers: every pivot row holds
    its pivot and free columns only, so a column is determined exactly when it is a
    pivot column whose row has no free column left.
    """
    pivot_rows: dict[int, dict[int, int]] = {}
    occurs: dict[int, set[int]] = {}  # free column -> pivot columns whose rows hold it
    for original in sorted(rows, key=len):
        row = dict(original)
        for column in [c for c in row if c in pivot_rows]:
            row = _combine(row, pivot_rows[column], column)
        if not row:
            continue
        pivot = min(row, key=lambda c: (len(occurs.get(c, ())), c))
        for other in sorted(occurs.pop(pivot, set())):
            before = pivot_rows[other]
            after = _combine(before, row, pivot)
            for c in before.keys() - after.keys():
                if c != pivot:  # the new pivot's own entry in occurs is gone already
                    occurs[c].discard(other)
            for c in after.keys() - before.keys():
                occurs.setdefault(c, set()).add(other)
            pivot_rows[other] = after
        pivot_rows[pivot] = row
        for c in row:
            if c != pivot:
                occurs.setdefault(c, set()).add(pivot)
    return {pivot for pivot, row in pivot_rows.items() if len(row) == 1}


class _SearchTooLarge(Exception):
    """The exact attacker search would take more than :data:`MAX_SEARCH_STEPS` steps."""


class _OutOfSteps(Exception):
    """One attempt of the exact attacker search used up the steps it was given."""


class _Inconsistent(Exception):
    """The published counts contradict each other (``args[0]``: a total involved, or None)."""


class _Attack:
    """What a reader can work out about the suppressed entries of a published table.

    The suppressed entries are unknowns with integer bounds: at least 0 (1 for a
    reader of the rules; for a reader of the marks, 1 to ``threshold - 1`` when
    primary and at least ``threshold`` when secondary) and at most the smallest
    published enclosing total (:data:`_CAP` if there is none).

    Some unknowns are *unbounded*: the inner cells with no published enclosing total
    (for a reader of the marks, no primary one either), and every entry over such a
    cell. Adding 1 to all those cells changes no published count and breaks no bound,
    so each unbounded entry takes infinitely many values; and since those entries
    have only lower bounds, they never restrict the others. They are left out of the
    equations, which then say exactly what can be known about the other unknowns.
    Each equation reads ``sum(parts) - total == constant`` over its unknowns.
    """

    def __init__(
        self,
        cube: _Cube,
        known: Sequence[int | None],
        status: Sequence[int],
        threshold: int,
        knowledge: Knowledge,
    ) -> None:
        self.entries = [e for e in range(cube.count) if known[e] is None]
        column = {entry: n for n, entry in enumerate(self.entries)}
        self.primary = [status[e] == _PRIMARY for e in self.entries]
        self.lo, self.hi = self._bounds(cube, known, status, threshold, knowledge)
        marks = knowledge is Knowledge.MARKS
        unbounded: set[int] = set()
        for entry in self.entries:
            around = [entry, *cube.ancestors(entry)]
            if cube.is_inner(entry) and all(
                known[a] is None and not (marks and status[a] == _PRIMARY) for a in around
            ):
                unbounded.update(column[a] for a in around)
        self.unbounded = [n in unbounded for n in range(len(self.entries))]
        # Equation number n: sum of self.parts[n] - self.totals[n] == self.constants[n],
        # self.totals[n] being -1 when the total is published; self.terms[n] lists both.
        self.parts: list[list[int]] = []
        self.totals: list[int] = []
        self.terms: list[list[int]] = []
        self.constants: list[int] = []
        self.inconsistent: int | None = None  # a total whose published parts miss it
        for total, parts in cube.equations:
            unknown_parts = [column[p] for p in parts if p in column]
            unknown_total = column.get(total, -1)
            constant = (known[total] or 0) - sum(known[p] or 0 for p in parts)
            if unknown_total in unbounded:  # then all is free: no part bounds the total
                continue
            if unknown_parts or unknown_total >= 0:
                self.parts.append(unknown_parts)
                self.totals.append(unknown_total)
                self.terms.append(unknown_parts + [unknown_total] * (unknown_total >= 0))
                self.constants.append(constant)
            elif constant != 0 and self.inconsistent is None:
                self.inconsistent = total
        self.of: list[list[int]] = [[] for _ in self.entries]
        for number, terms in enumerate(self.terms):
            for var in terms:
                self.of[var].append(number)
        self.steps = 0
        self.most = MAX_SEARCH_STEPS  # the steps this attack may take in all
        self.limit = self.most  # the steps the current attempt may take

    def _bounds(
        self,
        cube: _Cube,
        known: Sequence[int | None],
        status: Sequence[int],
        threshold: int,
        knowledge: Knowledge,
    ) -> tuple[list[int], list[int]]:
        """Return the least and the most value of each unknown, before any equation."""
        cap = max(_CAP, 2 * sum(v for v in known if v is not None))
        lows: list[int] = []
        highs: list[int] = []
        for entry in self.entries:
            enclosing = [v for v in (known[a] for a in cube.ancestors(entry)) if v is not None]
            high = min(enclosing, default=cap)
            low = 0 if knowledge is Knowledge.PLAIN else 1
            if knowledge is Knowledge.MARKS and status[entry] == _PRIMARY:
                high = min(high, threshold - 1)
            elif knowledge is Knowledge.MARKS:
                low = threshold
            lows.append(low)
            highs.append(high)
        return lows, highs

    def holds(self, number: int, values: Sequence[int]) -> bool:
        """Return whether equation ``number`` holds for the given values of the unknowns."""
        total = self.totals[number]
        return (
            sum(map(values.__getitem__, self.parts[number])) - (values[total] if total >= 0 else 0)
            == self.constants[number]
        )

    def propagate(self, lo: list[int], hi: list[int], queue: Iterable[int]) -> bool:
        """Tighten the bounds towards bounds consistency; return False if infeasible.

        Stops (returning True) after a number of equation visits proportional to the
        system: bounds can shrink by small steps for long, and any bounds reached are
        valid.
        """
        pending = list(queue)
        waiting = set(pending)
        changed: list[int] = []
        visits = 20 * len(self.terms) + 1000
        while pending:
            visits -= 1
            if visits < 0:
                return True
            number = pending.pop()
            waiting.discard(number)
            parts, total = self.parts[number], self.totals[number]
            low = sum(map(lo.__getitem__, parts))
            high = sum(map(hi.__getitem__, parts))
            if total >= 0:
                low -= hi[total]
                high -= lo[total]
            # How far the sum may still move down and up from the constant.
            down, up = self.constants[number] - low, high - self.constants[number]
            if down < 0 or up < 0:
                return False
            # A part may rise by at most ``down`` over its least value and fall by at
            # most ``up`` below its most; the total the other way round.
            moves = [(var, down, up) for var in parts]
            if total >= 0:
                moves.append((total, up, down))
            for var, rise, fall in moves:
                old_lo, old_hi = lo[var], hi[var]
                if old_hi - old_lo > rise:
                    hi[var] = old_lo + rise
                    changed.append(var)
                if old_hi - old_lo > fall:
                    lo[var] = old_hi - fall
                    changed.append(var)
            for var in changed:
                if lo[var] > hi[var]:
                    return False
                for other in self.of[var]:
                    if other not in waiting:
                        waiting.add(other)
                        pending.append(other)
            changed.clear()
        return True

    def pinned_by_bounds(self) -> list[int]:
        """Return the primary entries that bound propagation alone pins to one value."""
        lo, hi = list(self.lo), list(self.hi)
        if not all(map(int.__le__, lo, hi)) or not self.propagate(lo, hi, range(len(self.terms))):
            raise _Inconsistent(self.inconsistent)
        return [e for n, e in enumerate(self.entries) if self.primary[n] and lo[n] == hi[n]]

    def components(self) -> list[tuple[list[int], list[int]]]:
        """Return the unknowns and equations of each part of the system (no shared unknown)."""
        parent = list(range(len(self.entries)))

        def root(var: int) -> int:
            while parent[var] != var:
                parent[var] = parent[parent[var]]
                var = parent[var]
            return var

        for terms in self.terms:
            first = root(terms[0])
            for var in terms[1:]:
                parent[root(var)] = first
        variables: dict[int, list[int]] = {}
        for var in range(len(self.entries)):
            variables.setdefault(root(var), []).append(var)
        equations: dict[int, list[int]] = {}
        for number, terms in enumerate(self.terms):
            equations.setdefault(root(terms[0]), []).append(number)
        return [(found, equations.get(key, [])) for key, found in variables.items()]

    def solve(
        self,
        lo: list[int],
        hi: list[int],
        queue: Iterable[int],
        component: tuple[list[int], list[int]],
        *,
        high_first: bool = False,
    ) -> list[int] | None:
        """Return bounds fixing the component's unknowns to a feasible assignment, or None.

        Depth first, splitting the narrowest domain in two (the lower half first,
        unless ``high_first``), with bound propagation at every step; ``queue`` holds
        the equations to propagate first. Raises :class:`_OutOfSteps` when
        ``self.limit`` steps are used up.
        """
        variables, equations = component
        self.steps += 1
        if self.steps > self.limit:
            raise _OutOfSteps
        if not self.propagate(lo, hi, queue):
            return None
        best, width = -1, -1
        for var in variables:
            span = hi[var] - lo[var]
            if span > 0 and (best < 0 or span < width):
                best, width = var, span
        if best < 0:
            return lo if all(self.holds(n, lo) for n in equations) else None
        middle = (lo[best] + hi[best]) // 2
        halves = [(lo[best], middle), (middle + 1, hi[best])]
        for low, high in reversed(halves) if high_first else halves:
            lo2, hi2 = list(lo), list(hi)
            lo2[best], hi2[best] = low, high
            found = self.solve(lo2, hi2, self.of[best], component, high_first=high_first)
            if found is not None:
                return found
        return None

    def attempt(
        self,
        var: int,
        low: int,
        high: int,
        component: tuple[list[int], list[int]],
        *,
        steps: int,
        high_first: bool = False,
    ) -> list[int] | None:
        """Search with ``var`` kept to ``low..high``, within ``steps`` more steps.

        Raises :class:`_OutOfSteps` if that is not enough, and :class:`_SearchTooLarge`
        if ``self.most`` steps would be exceeded in all.
        """
        lo, hi = list(self.lo), list(self.hi)
        lo[var], hi[var] = max(low, lo[var]), min(high, hi[var])
        if lo[var] > hi[var]:
            return None
        self.limit = min(self.steps + steps, self.most)
        try:
            return self.solve(lo, hi, component[1], component, high_first=high_first)
        except _OutOfSteps:
            if self.steps >= self.most:
                raise _SearchTooLarge from None
            raise

    def exposed(self, patience: int | None = None) -> list[int]:
        """Return the primary entries whose feasible set holds at most one value.

        With ``patience``, an entry whose other values take more than that many steps
        to find or rule out is reported too (as :func:`suppress` wants it: safe, and
        the search on the table it finally returns gets through without this).
        """
        if self.inconsistent is not None or not all(map(int.__le__, self.lo, self.hi)):
            raise _Inconsistent(self.inconsistent)
        exposed: list[int] = []
        for component in self.components():
            variables = component[0]
            primaries = [v for v in variables if self.primary[v] and not self.unbounded[v]]
            if not primaries:
                continue
            # Two solutions, one low and one high, settle most entries at once.
            first, everything = variables[0], self.most
            solution = self.attempt(
                first, self.lo[first], self.hi[first], component, steps=everything
            )
            if solution is None:
                raise _Inconsistent(None)
            other = self.attempt(
                first, self.lo[first], self.hi[first], component, steps=everything, high_first=True
            )
            seen = {v: {solution[v], (other or solution)[v]} for v in variables}
            exposed += [
                self.entries[v]
                for v in primaries
                if len(seen[v]) < 2
                and not self.alternative(v, solution[v], component, seen, patience)
            ]
        return exposed

    def alternative(
        self,
        var: int,
        value: int,
        component: tuple[list[int], list[int]],
        seen: dict[int, set[int]],
        patience: int | None,
    ) -> bool:
        """Return whether ``var`` can take a value other than ``value``; note what is seen.

        The two sides (below and above ``value``) are searched in turn with a doubling
        step allowance, so that a side that is hard to rule out does not hold up an
        easy answer on the other. Past ``patience`` steps the answer is False.
        """
        sides = [(self.lo[var], value - 1), (value + 1, self.hi[var])]
        open_sides = [(low, high) for low, high in sides if low <= high]
        steps = 64
        start = self.steps
        while open_sides:
            if patience is not None and self.steps - start > patience:
                return False
            for side in list(open_sides):
                try:
                    found = self.attempt(var, side[0], side[1], component, steps=steps)
                except _OutOfSteps:
                    continue
                if found is None:
                    open_sides.remove(side)
                    continue
                for n in component[0]:
                    seen[n].add(found[n])
                return True
            steps *= 2
        return False


def _parse(
    published: SuppressedTable,
) -> tuple[_Cube, list[int | None], list[int], list[tuple[str, ...]]]:
    """Return the cube, the published counts, the marks and the keys of a published table."""
    dims = len(published.dimensions)
    axes: list[list[str]] = [[] for _ in range(dims)]
    for cell in published.cells:
        if len(cell.key) != dims:
            raise ValueError(
                f"entry {cell.key!r} has {len(cell.key)} parts, but the table has "
                f"{dims} dimensions {published.dimensions!r}"
            )
        for dim, level in enumerate(cell.key):
            if level != TOTAL and level not in axes[dim]:
                axes[dim].append(level)
    if any(not levels for levels in axes):
        raise ValueError("the published table has a dimension without levels")
    cube = _Cube([len(levels) for levels in axes])
    position = {
        key: n for n, key in enumerate(itertools.product(*([*levels, TOTAL] for levels in axes)))
    }
    known: list[int | None] = [None] * cube.count
    status = [-1] * cube.count
    marks = {Suppression.NONE: _NONE, Suppression.PRIMARY: _PRIMARY}
    for cell in published.cells:
        entry = position[cell.key]  # every part is a level seen or TOTAL, so it is there
        if status[entry] != -1:
            raise ValueError(f"entry {cell.key!r} appears twice in the published table")
        status[entry] = marks.get(cell.suppression, _SECONDARY)
        known[entry] = cell.count
    missing = [key for key, n in position.items() if status[n] == -1]
    if missing:
        raise ValueError(f"the published table lacks the entry {missing[0]!r}")
    return cube, known, status, list(position)


def exposed_cells(
    published: SuppressedTable, knowledge: Knowledge | None = None
) -> list[tuple[str, ...]]:
    """Return the keys of the primary-suppressed entries a reader can work out exactly.

    The reader knows the published counts, the equations (every total is the sum of
    the entries one level finer along any of its summed-out dimensions) and what
    ``knowledge`` says (see :class:`Knowledge`; by default ``published.knowledge``,
    the reader the table was protected against). An entry is exposed when exactly
    one value of it fits all of this.

    The keys come in publication order. The search is exact, with no need of the
    true counts: each suppressed entry is an integer between its least value and its
    smallest published enclosing total. An inner cell with no published enclosing
    total (for ``Knowledge.MARKS``, no primary one either), and every entry over
    such a cell, takes infinitely many values (add 1 to all such cells) and
    restricts nothing else, so it is set aside; every other entry is then bounded,
    and a depth-first search with bound propagation looks for a second value of
    each primary entry. It raises :class:`ValueError` if it would take more than
    :data:`MAX_SEARCH_STEPS` steps, if the published counts contradict each other,
    or if ``published`` is not a complete table.
    """
    cube, known, status, keys = _parse(published)
    reader = published.knowledge if knowledge is None else Knowledge(knowledge)
    attack = _Attack(cube, known, status, published.threshold, reader)
    try:
        exposed = attack.exposed()
    except _SearchTooLarge:
        raise ValueError(
            f"the exact attacker search needs more than {MAX_SEARCH_STEPS:,} steps; "
            "the table is too large for it"
        ) from None
    except _Inconsistent as exc:
        where = "" if exc.args[0] is None else f" (the total {keys[exc.args[0]]!r})"
        raise ValueError(f"the published counts and marks contradict each other{where}") from None
    return [keys[entry] for entry in sorted(exposed)]
