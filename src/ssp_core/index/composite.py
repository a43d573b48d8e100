"""The composite index: a configurable weighted mean of rescaled measures, 0-100.

The police's safety index combines sub-indices for neighbourhood problems,
perceived safety and reported crime, but its exact formula is not public. The
composite here is a documented, configurable formula of our own and is labelled
:data:`~ssp_core.index.config.NOT_OFFICIAL` wherever it appears.

Each component is rescaled to 0-100 with 100 the safest value: a share ``p`` to
``100 p`` (``better = "higher"``) or ``100 (1 - p)`` (``"lower"``); a mean ``m`` on
the scale ``[lo, hi]`` to ``100 (m - lo) / (hi - lo)`` or ``100 (hi - m) / (hi - lo)``.
The composite is the weighted mean of the rescaled components, weights normalised
to add up to 1; ``problems`` and ``worries`` stand for the equal-weight mean of all
problem or worry item means. Being linear in the measures, the composite is a
:class:`LinearForm` ``offset + sum(coefficient * measure)``, and its interval comes
from the same linearisation (or bootstrap) as the measures'.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs
import numpy as np
import numpy.typing as npt

from ssp_core.exceptions import ConfigError
from ssp_core.i18n import _
from ssp_core.index.config import NOT_OFFICIAL, SHARES, CompositeSpec, IndexConfig

__all__ = ["LinearForm", "formula", "resolve"]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen
class LinearForm:
    """``offset + sum(coefficients[m] * m)`` over measure names ``m``."""

    offset: float
    coefficients: Mapping[str, float]

    def apply(self, values: Mapping[str, FloatArray]) -> FloatArray:
        """Return the form's value for arrays of measure ``values`` (all of one shape)."""
        total = np.full(np.shape(next(iter(values.values()))), self.offset)
        for name, coefficient in self.coefficients.items():
            total = total + coefficient * np.asarray(values[name])
        return total


def _expand(name: str, config: IndexConfig) -> tuple[str, ...] | None:
    """Return the measures a component name stands for; None for an empty group of items."""
    cols = config.columns
    if name in ("problems", "worries"):
        items = cols.problems if name == "problems" else cols.worries
        return tuple(f"{item}_mean" for item in items) or None
    allowed = config.measures()
    if name not in allowed:
        choices = ", ".join((*allowed, "problems", "worries"))
        raise ConfigError(
            _("[[composite.components]] unknown measure {name!r}; allowed: {allowed}").format(
                name=name, allowed=choices
            )
        )
    return (name,)


def _range(measure: str, config: IndexConfig) -> tuple[float, float]:
    if measure in SHARES:
        return 0.0, 1.0
    if measure == "safety_mean":
        return float(config.scale[0]), float(config.scale[1])
    low, high = config.item_scale(measure.removesuffix("_mean"))
    return float(low), float(high)


def resolve(spec: CompositeSpec, config: IndexConfig) -> LinearForm | None:
    """Return the composite as a linear form of the measures, or None when it is disabled.

    Components ``problems`` / ``worries`` without configured items are left out;
    an unknown measure is a :class:`ConfigError`; nothing left at all is one too.
    """
    if not spec.enabled:
        return None
    parts = [(c, _expand(c.measure, config)) for c in spec.components]
    used = [(c, measures) for c, measures in parts if measures]
    if not used:
        raise ConfigError(
            _(
                "[composite]: none of its components has data (no problem or worry items are "
                "configured); name other components or set enabled = false"
            )
        )
    total = sum(c.weight for c, _measures in used)
    offset = 0.0
    coefficients: dict[str, float] = {}
    for component, measures in used:
        share = component.weight / total / len(measures)
        for measure in measures:
            low, high = _range(measure, config)
            span = high - low
            if component.better == "higher":
                slope, base = 100.0 / span, -100.0 * low / span
            else:
                slope, base = -100.0 / span, 100.0 * high / span
            coefficients[measure] = coefficients.get(measure, 0.0) + share * slope
            offset += share * base
    return LinearForm(offset, MappingProxyType(coefficients))


def formula(spec: CompositeSpec, config: IndexConfig) -> str:
    """Return the composite's formula in words, ending with the :data:`NOT_OFFICIAL` note.

    In the current language (:mod:`ssp_core.i18n`); measure names stay as they are.
    """
    if not spec.enabled:
        return _("no composite index")
    parts = []
    used = [c for c in spec.components if _expand(c.measure, config)]
    total = sum(c.weight for c in used)
    for component in used:
        rescale = _("100 = lowest") if component.better == "lower" else _("100 = highest")
        parts.append(f"{component.weight / total:.3g} x {component.measure} ({rescale})")
    return _("{name} = {parts}; 0-100, 100 = safest; {note}").format(
        name=spec.name, parts=" + ".join(parts), note=_(NOT_OFFICIAL)
    )
