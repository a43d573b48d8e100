"""A random stream drawn in blocks: NumPy's generator, without its cost per scalar draw.

A scenario draws one number at a time (a work time, a dwell, a choice), and a NumPy
:class:`~numpy.random.Generator` call costs about a microsecond each. A
:class:`Stream` draws uniforms and standard normals in blocks from one generator and
turns them into the durations a scenario uses (inverse transforms; Marsaglia and
Tsang's gamma through the generator itself). The same seed gives the same numbers,
in the same order, wherever it runs.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["BLOCK", "Stream"]

BLOCK = 1024
"""How many uniforms (or normals) are drawn at a time."""


class Stream:
    """Random numbers of one source, drawn from ``generator`` in blocks."""

    __slots__ = ("_normals", "_uniforms", "generator")

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator
        self._uniforms: list[float] = []
        self._normals: list[float] = []

    def random(self) -> float:
        """Return a uniform number in [0, 1)."""
        if not self._uniforms:
            self._uniforms = self.generator.random(BLOCK).tolist()
        return self._uniforms.pop()

    def normal(self) -> float:
        """Return a standard normal number."""
        if not self._normals:
            self._normals = self.generator.standard_normal(BLOCK).tolist()
        return self._normals.pop()

    def exponential(self, scale: float) -> float:
        """Return an exponential number of mean ``scale``."""
        return -scale * math.log1p(-self.random())

    def lognormal(self, mean: float, sigma: float) -> float:
        """Return ``exp(N(mean, sigma))``."""
        return math.exp(mean + sigma * self.normal())

    def gamma(self, shape: float, scale: float) -> float:
        """Return a gamma number (drawn by the generator itself: it is rare in scenarios)."""
        return float(self.generator.gamma(shape, scale))

    def uniform(self, low: float, high: float) -> float:
        """Return a uniform number in [low, high)."""
        return low + (high - low) * self.random()

    def triangular(self, left: float, mode: float, right: float) -> float:
        """Return a triangular number between ``left`` and ``right`` with its mode at ``mode``."""
        u = self.random()
        width = right - left
        split = (mode - left) / width
        if u < split:
            return left + math.sqrt(u * width * (mode - left))
        return right - math.sqrt((1 - u) * width * (right - mode))
