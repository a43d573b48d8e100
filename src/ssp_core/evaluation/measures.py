"""The measure kinds an indicator can name, and what each one means (in English and Danish).

The kinds themselves are :class:`~ssp_core.domain.strategy.MeasureKind` (the domain
validates a strategy against them); this module adds the text a report shows for
each: a name, what is measured, and where the numbers come from.
"""

from __future__ import annotations

from types import MappingProxyType

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.strategy import INDEX_MEASURES, MEASURE_PARAMETERS, MeasureKind
from ssp_core.i18n import N_, gettext, language

__all__ = [
    "INDEX_MEASURES",
    "MEASURES",
    "MEASURE_PARAMETERS",
    "Measure",
    "MeasureKind",
    "catalogue_labels",
]


@attrs.frozen
class Measure:
    """What a report says about one measure kind: its name and what it counts."""

    kind: MeasureKind
    labels: Labels
    description: Labels


def catalogue_labels(message: str, /, **values: object) -> Labels:
    """Return an English message of the catalogue with its Danish translation, as labels.

    For fixed report text kept as :class:`~ssp_core.domain.labels.Labels` (a report
    picks the text of its own language): the English is marked with ``N_`` where it is
    written and translated in the catalogue like every other message. ``values`` fill
    its ``{placeholders}`` in both languages.
    """
    with language("da"):
        danish = gettext(message)
    if values:
        return Labels(danish.format(**values), message.format(**values))
    return Labels(danish, message)


def _measure(kind: MeasureKind, name: str, text: str) -> Measure:
    return Measure(kind, catalogue_labels(name), catalogue_labels(text))


MEASURES: MappingProxyType[MeasureKind, Measure] = MappingProxyType(
    {
        measure.kind: measure
        for measure in (
            _measure(
                MeasureKind.SAFETY_INDEX,
                N_("Safety index"),
                N_(
                    "Weighted estimates from the safety survey per area and year, with "
                    "confidence intervals."
                ),
            ),
            _measure(
                MeasureKind.REPORTED_CRIME,
                N_("Reported crime"),
                N_("Reported crimes per 1,000 residents per area and year."),
            ),
            _measure(
                MeasureKind.CONCERNS,
                N_("Concerns"),
                N_(
                    "Cases opened on an action card per card, age band (age at the concern) "
                    "and year of opening."
                ),
            ),
            _measure(
                MeasureKind.TIME_TO_FIRST_ACTION,
                N_("Time to first action"),
                N_(
                    "Days from the concern date (else the opening) to the case's first step "
                    "on its action card: median and quartiles per card and year of opening."
                ),
            ),
            _measure(
                MeasureKind.TRACK_OUTCOMES,
                N_("Track outcomes"),
                N_(
                    "Prevention tracks per track, outcome (final state, or open) and year "
                    "of opening."
                ),
            ),
            _measure(
                MeasureKind.WALK_FINDINGS,
                N_("Safety-walk findings"),
                N_(
                    "Safety-walk findings per outcome (resolved, declined, open) and year "
                    "reported; the total is the number reported."
                ),
            ),
            _measure(
                MeasureKind.ADVICE_REQUESTS,
                N_("Advice requests"),
                N_(
                    "Advice requests to the INFO house per kind of asker (the partner kind "
                    "the asker's role acts as, else the role), outcome and quarter asked. "
                    "A request names no person."
                ),
            ),
        )
    }
)
"""What a report says about each measure kind (English, and Danish from the catalogue)."""
