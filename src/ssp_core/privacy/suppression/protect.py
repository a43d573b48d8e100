"""Secondary suppression: suppress more entries until no suppressed count leaks.

:class:`Protector` runs the line rule, the algebraic audit (exact integer
elimination, here), the bounds audit and the exact audit of
:mod:`ssp_core.privacy.suppression.audit` in turn, suppressing one more entry each
time one of them finds a leak.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ssp_core.privacy.suppression.audit import Attack, SearchTooLarge
from ssp_core.privacy.suppression.cube import PRIMARY, PUBLISHED, SECONDARY, Cube
from ssp_core.privacy.suppression.table import Knowledge

__all__ = ["EXACT_AUDIT_MAX_ENTRIES", "EXACT_AUDIT_MAX_STEPS", "Protector"]

EXACT_AUDIT_MAX_ENTRIES = 250
"""Tables of at most this many entries (inner cells and totals) get the exact audit."""

EXACT_AUDIT_MAX_STEPS = 20_000
"""The most steps :func:`suppress` spends on exact audits of one table, all rounds together."""

# Steps the exact audit of suppress spends on one entry before suppressing more instead.
_PATIENCE = 500


class Protector:
    """The secondary suppression loop of :func:`suppress` (changes ``status`` in place)."""

    def __init__(
        self,
        cube: Cube,
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
                except SearchTooLarge:
                    exact = False
            if not leaks:
                return exact
            self.protect(leaks)

    def candidate_order(self, entry: int) -> tuple[int, int, int, int]:
        """Return the sort key of an entry to suppress: the least is chosen."""
        # The grand total last; then the smallest count, the finest entry, the first.
        return (
            entry == self.cube.grand_total,
            self.values[entry],
            self.cube.coarseness[entry],
            entry,
        )

    def line_rule(self) -> None:
        """Suppress more until no equation has exactly one suppressed entry (the line rule)."""
        status, values = self.status, self.values
        changed = True
        while changed:
            changed = False
            for total, parts in self.cube.equations:
                hidden = (status[total] != PUBLISHED) + sum(status[p] != PUBLISHED for p in parts)
                if hidden != 1:
                    continue
                open_parts = [p for p in parts if status[p] == PUBLISHED and values[p] > 0]
                chosen = min(open_parts, key=self.candidate_order) if open_parts else total
                status[chosen] = SECONDARY
                changed = True

    def determined(self) -> list[int]:
        """Return the suppressed entries the published counts determine (the algebraic audit)."""
        unknowns = [e for e in range(self.cube.count) if self.status[e] != PUBLISHED]
        column = {entry: n for n, entry in enumerate(unknowns)}
        rows: list[dict[int, int]] = []
        for total, parts in self.cube.equations:
            row = {column[p]: 1 for p in parts if p in column}
            if total in column:
                row[column[total]] = -1
            if row:
                rows.append(row)
        return sorted(unknowns[n] for n in _determined_columns(rows))

    def attack(self) -> Attack:
        """Return the attacker of the table as it would be published now."""
        known = [
            None if s != PUBLISHED else v for s, v in zip(self.status, self.values, strict=True)
        ]
        return Attack(self.cube, known, self.status, self.threshold, self.knowledge)

    def pinned(self) -> list[int]:
        """Return the primary entries bound propagation pins (the bounds audit)."""
        return self.attack().pinned_by_bounds()

    def exposed(self) -> list[int]:
        """Return the primary entries the exact audit exposes, within the steps left."""
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
        order = sorted(leaks, key=lambda e: (status[e] != PRIMARY, e))
        for leak in order:
            near = {m for eq in self.cube.equations_of[leak] for m in self._members(eq)}
            if added and not near.isdisjoint(added):
                continue
            chosen = self.nearest_candidate(leak)
            if chosen is None:
                break  # nothing is left to suppress
            status[chosen] = SECONDARY
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
                        if self.status[member] == PUBLISHED:
                            if self.values[member] > 0:
                                candidates.add(member)
                        elif member not in seen:
                            seen.add(member)
                            further.append(member)
            if candidates:
                return min(candidates, key=self.candidate_order)
            frontier = sorted(further)
        for entry in range(self.cube.count):  # a separate part of the table, as a last resort
            if self.status[entry] == PUBLISHED and self.values[entry] > 0:
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
