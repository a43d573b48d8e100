"""The entries of a count table with all its totals, numbered, and its equations.

Suppression and the attacker audit both work on entry numbers: a :class:`Cube`
numbers the inner cells and the totals, and lists the equations (a total and the
entries one level finer that add up to it) that hold between them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

__all__ = ["PRIMARY", "PUBLISHED", "SECONDARY", "Cube"]

PUBLISHED, PRIMARY, SECONDARY = 0, 1, 2
"""The status of an entry: published, suppressed as primary, suppressed as secondary."""


class Cube:
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
        """Return whether ``entry`` is an inner cell (no dimension summed out)."""
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
