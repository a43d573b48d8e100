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

The package is pure Python (standard library and attrs) and deterministic.
``docs/suppression.md`` explains the method with a worked example. This module
holds the two entry points; the tables are in
:mod:`~ssp_core.privacy.suppression.table`, the numbering of their entries in
:mod:`~ssp_core.privacy.suppression.cube`, secondary suppression in
:mod:`~ssp_core.privacy.suppression.protect` and the attacker in
:mod:`~ssp_core.privacy.suppression.audit`.
"""

from __future__ import annotations

import itertools

from ssp_core.privacy.suppression.audit import (
    MAX_SEARCH_STEPS,
    Attack,
    Inconsistent,
    SearchTooLarge,
)
from ssp_core.privacy.suppression.cube import PRIMARY, PUBLISHED, SECONDARY, Cube
from ssp_core.privacy.suppression.protect import (
    EXACT_AUDIT_MAX_ENTRIES,
    EXACT_AUDIT_MAX_STEPS,
    Protector,
)
from ssp_core.privacy.suppression.table import (
    THRESHOLD,
    TOTAL,
    CountTable,
    Knowledge,
    PublishedCell,
    SuppressedTable,
    Suppression,
)

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
    cube = Cube([len(levels) for levels in axes])
    inner = [table.cells.get(key, 0) for key in itertools.product(*axes)]
    values = cube.values(inner)  # the inner entries are in the same order as the product
    status = [PRIMARY if 0 < value < threshold else PUBLISHED for value in values]
    exact = Protector(cube, values, status, threshold, knowledge).run()
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


def _parse(
    published: SuppressedTable,
) -> tuple[Cube, list[int | None], list[int], list[tuple[str, ...]]]:
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
    cube = Cube([len(levels) for levels in axes])
    position = {
        key: n for n, key in enumerate(itertools.product(*([*levels, TOTAL] for levels in axes)))
    }
    known: list[int | None] = [None] * cube.count
    status = [-1] * cube.count
    marks = {Suppression.NONE: PUBLISHED, Suppression.PRIMARY: PRIMARY}
    for cell in published.cells:
        entry = position[cell.key]  # every part is a level seen or TOTAL, so it is there
        if status[entry] != -1:
            raise ValueError(f"entry {cell.key!r} appears twice in the published table")
        status[entry] = marks.get(cell.suppression, SECONDARY)
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
    attack = Attack(cube, known, status, published.threshold, reader)
    attack.most = MAX_SEARCH_STEPS  # the limit of this package: setting it here counts
    try:
        exposed = attack.exposed()
    except SearchTooLarge:
        raise ValueError(
            f"the exact attacker search needs more than {MAX_SEARCH_STEPS:,} steps; "
            "the table is too large for it"
        ) from None
    except Inconsistent as exc:
        where = "" if exc.args[0] is None else f" (the total {keys[exc.args[0]]!r})"
        raise ValueError(f"the published counts and marks contradict each other{where}") from None
    return [keys[entry] for entry in sorted(exposed)]
