"""The measure kinds an indicator can name, and what each one means (in Danish and English).

The kinds themselves are :class:`~ssp_core.domain.strategy.MeasureKind` (the domain
validates a strategy against them); this module adds the text a report shows for
each: a name, what is measured, and where the numbers come from.
"""

from __future__ import annotations

from types import MappingProxyType

import attrs

from ssp_core.domain.labels import Labels
from ssp_core.domain.strategy import INDEX_MEASURES, MEASURE_PARAMETERS, MeasureKind

__all__ = ["INDEX_MEASURES", "MEASURES", "MEASURE_PARAMETERS", "Measure", "MeasureKind"]


@attrs.frozen
class Measure:
    """What a report says about one measure kind: its name and what it counts."""

    kind: MeasureKind
    labels: Labels
    description: Labels


def _measure(kind: MeasureKind, name: tuple[str, str], text: Labels) -> Measure:
    return Measure(kind, Labels(*name), text)


MEASURES: MappingProxyType[MeasureKind, Measure] = MappingProxyType(
    {
        measure.kind: measure
        for measure in (
            _measure(
                MeasureKind.SAFETY_INDEX,
                ("Tryghedsindeks", "Safety index"),
                Labels(
                    da=(
                        "Vægtede estimater fra tryghedsundersøgelsen pr. område og år, med "
                        "konfidensinterval."
                    ),
                    en=(
                        "Weighted estimates from the safety survey per area and year, with "
                        "confidence intervals."
                    ),
                ),
            ),
            _measure(
                MeasureKind.REPORTED_CRIME,
                ("Anmeldt kriminalitet", "Reported crime"),
                Labels(
                    da="Anmeldte forbrydelser pr. 1.000 indbyggere pr. område og år.",
                    en="Reported crimes per 1,000 residents per area and year.",
                ),
            ),
            _measure(
                MeasureKind.CONCERNS,
                ("Bekymringer", "Concerns"),
                Labels(
                    da=(
                        "Sager oprettet på et actioncard pr. actioncard, aldersgruppe (alder ved "
                        "bekymringen) og år for oprettelsen."
                    ),
                    en=(
                        "Cases opened on an action card per card, age band (age at the concern) "
                        "and year of opening."
                    ),
                ),
            ),
            _measure(
                MeasureKind.TIME_TO_FIRST_ACTION,
                ("Tid til første handling", "Time to first action"),
                Labels(
                    da=(
                        "Dage fra bekymringsdatoen (ellers oprettelsen) til sagens første skridt "
                        "på actioncardet: median og kvartiler pr. actioncard og år for oprettelsen."
                    ),
                    en=(
                        "Days from the concern date (else the opening) to the case's first step "
                        "on its action card: median and quartiles per card and year of opening."
                    ),
                ),
            ),
            _measure(
                MeasureKind.TRACK_OUTCOMES,
                ("Forløbenes udfald", "Track outcomes"),
                Labels(
                    da=(
                        "Forebyggende forløb pr. forløbstype, udfald (sluttilstand, eller åbent) "
                        "og år for oprettelsen."
                    ),
                    en=(
                        "Prevention tracks per track, outcome (final state, or open) and year "
                        "of opening."
                    ),
                ),
            ),
            _measure(
                MeasureKind.WALK_FINDINGS,
                ("Fund fra tryghedsvandringer", "Safety-walk findings"),
                Labels(
                    da=(
                        "Fund fra tryghedsvandringer pr. udfald (løst, afvist, åbent) og år for "
                        "fundet; totalen er antallet af fund."
                    ),
                    en=(
                        "Safety-walk findings per outcome (resolved, declined, open) and year "
                        "reported; the total is the number reported."
                    ),
                ),
            ),
            _measure(
                MeasureKind.ADVICE_REQUESTS,
                ("Henvendelser om råd", "Advice requests"),
                Labels(
                    da=(
                        "Henvendelser til INFO-huset om råd pr. spørger (den slags samarbejds"
                        "partner, spørgerens rolle handler som, ellers rollen), udfald og kvartal "
                        "for henvendelsen. En henvendelse nævner ingen person."
                    ),
                    en=(
                        "Advice requests to the INFO house per kind of asker (the partner kind "
                        "the asker's role acts as, else the role), outcome and quarter asked. "
                        "A request names no person."
                    ),
                ),
            ),
        )
    }
)
"""What a report says about each measure kind."""
