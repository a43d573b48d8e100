"""The attacker audit: what a reader can work out about the suppressed entries.

:class:`Attack` bounds the suppressed entries of a published table, propagates the
bounds over its equations, and searches exactly for a second value of each
primary-suppressed entry. :func:`~ssp_core.privacy.suppression.exposed_cells` and the
exact audit of :func:`~ssp_core.privacy.suppression.suppress` use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ssp_core.exceptions import Signal
from ssp_core.privacy.suppression.cube import PRIMARY, Cube
from ssp_core.privacy.suppression.table import Knowledge

__all__ = ["MAX_SEARCH_STEPS", "Attack", "Inconsistent", "SearchTooLarge"]

MAX_SEARCH_STEPS = 200_000
"""The most steps (partial assignments tried) :func:`exposed_cells` may take."""

# A count no table reaches: the bound of an entry without a published enclosing total.
_CAP = 10**9


class SearchTooLarge(Signal):
    """The exact attacker search would take more than :data:`MAX_SEARCH_STEPS` steps."""


class _OutOfSteps(Exception):
    """One attempt of the exact attacker search used up the steps it was given."""


class Inconsistent(Signal):
    """The published counts contradict each other (``args[0]``: a total involved, or None)."""


class Attack:
    """What a reader can work out about the suppressed entries of a published table.

    The suppressed entries are unknowns with integer bounds: at least 0 (1 for a
    reader of the rules; for a reader of the marks, 1 to ``threshold - 1`` when
    primary and at least ``threshold`` when secondary) and at most the smallest
    published enclosing total (``_CAP`` if there is none).

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
        cube: Cube,
        known: Sequence[int | None],
        status: Sequence[int],
        threshold: int,
        knowledge: Knowledge,
    ) -> None:
        self.entries = [e for e in range(cube.count) if known[e] is None]
        column = {entry: n for n, entry in enumerate(self.entries)}
        self.primary = [status[e] == PRIMARY for e in self.entries]
        self.lo, self.hi = self._bounds(cube, known, status, threshold, knowledge)
        marks = knowledge is Knowledge.MARKS
        unbounded: set[int] = set()
        for entry in self.entries:
            around = [entry, *cube.ancestors(entry)]
            if cube.is_inner(entry) and all(
                known[a] is None and not (marks and status[a] == PRIMARY) for a in around
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
        cube: Cube,
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
            if knowledge is Knowledge.MARKS and status[entry] == PRIMARY:
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
            raise Inconsistent(self.inconsistent)
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
        the equations to propagate first. Raises ``_OutOfSteps`` when
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

        Raises ``_OutOfSteps`` if that is not enough, and :class:`SearchTooLarge`
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
                raise SearchTooLarge from None
            raise

    def exposed(self, patience: int | None = None) -> list[int]:
        """Return the primary entries whose feasible set holds at most one value.

        With ``patience``, an entry whose other values take more than that many steps
        to find or rule out is reported too (as :func:`suppress` wants it: safe, and
        the search on the table it finally returns gets through without this).
        """
        if self.inconsistent is not None or not all(map(int.__le__, self.lo, self.hi)):
            raise Inconsistent(self.inconsistent)
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
                raise Inconsistent(None)
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
