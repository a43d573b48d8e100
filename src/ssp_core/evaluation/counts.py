"""The count tables of an evaluation, each with its small cells suppressed.

* :func:`concerns_table`: cases per action card, age band and year of opening;
* :func:`track_outcomes_table`: prevention tracks per track, outcome and year
  (the research export's :func:`~ssp_core.privacy.tables.track_table`);
* :func:`findings_table`: safety-walk findings per outcome and year reported.

Every table goes through :func:`ssp_core.privacy.suppression.suppress`: no count
from 1 to 4 is published, nor any count that would let a reader work one out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from ssp_core.plugins.registry import Registry
from ssp_core.privacy.suppression import THRESHOLD, CountTable, SuppressedTable, suppress
from ssp_core.privacy.tables import (
    OPEN,
    OTHER_AGE,
    UNKNOWN_AGE,
    AgeBanding,
    CaseFacts,
    track_table,
)
from ssp_core.walks import FindingFacts
from ssp_core.workflows.definition import WorkflowKind

__all__ = [
    "CONCERN_DIMENSIONS",
    "FINDING_DIMENSIONS",
    "FINDING_OUTCOMES",
    "OPEN",
    "concerns_table",
    "findings_table",
    "track_outcomes_table",
    "workflow_ids",
]

CONCERN_DIMENSIONS = ("card", "age_band", "year")
"""The dimensions of the concerns table."""

FINDING_DIMENSIONS = ("outcome", "year")
"""The dimensions of the safety-walk findings table; the total over outcomes is all reported."""

FINDING_OUTCOMES = ("resolved", "declined")
"""The final states of the core's finding workflow: the outcomes shown unless others are named."""


def workflow_ids(
    registry: Registry, kind: WorkflowKind, workflows: Collection[str] | None = None
) -> list[str]:
    """Return the ids of the registered workflows of ``kind`` (among ``workflows``), sorted."""
    return sorted(
        {
            d.id
            for d in registry.workflows.values()
            if d.kind is kind and not d.template and (workflows is None or d.id in workflows)
        }
    )


def concerns_table(
    facts: Iterable[CaseFacts],
    registry: Registry,
    banding: AgeBanding,
    years: Sequence[str],
    *,
    workflows: Collection[str] | None = None,
    threshold: int = THRESHOLD,
) -> SuppressedTable | None:
    """Return cases per action card, age band (at the concern) and year of opening, suppressed.

    ``facts`` are the cases to count (those of the period); every registered action
    card (on ``workflows``), every band of ``banding`` and every one of ``years`` is
    a level, with zeros where no case is; ``other`` and ``unknown`` ages are added
    when a case falls there. ``None`` if there is no action card at all.
    """
    counts: dict[tuple[str, ...], int] = {}
    for fact in facts:
        if fact.kind is not WorkflowKind.ACTION_CARD:
            continue
        if workflows is not None and fact.workflow not in workflows:
            continue
        key = (fact.workflow, banding.band_of(fact.age) or UNKNOWN_AGE, str(fact.opened.year))
        counts[key] = counts.get(key, 0) + 1
    cards = sorted(
        {*workflow_ids(registry, WorkflowKind.ACTION_CARD, workflows), *(k[0] for k in counts)}
    )
    if not cards or not years:
        return None
    bands = [band.id for band in banding.bands]
    bands += [extra for extra in (OTHER_AGE, UNKNOWN_AGE) if any(k[1] == extra for k in counts)]
    years = sorted({*years, *(key[2] for key in counts)})
    table = CountTable(
        CONCERN_DIMENSIONS, counts, levels={"card": cards, "age_band": bands, "year": years}
    )
    return suppress(table, threshold)


def track_outcomes_table(
    facts: Iterable[CaseFacts],
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
    threshold: int = THRESHOLD,
) -> SuppressedTable | None:
    """Return tracks per track, outcome and year of opening, suppressed (``None``: no track).

    The research export's table (:func:`ssp_core.privacy.tables.track_table`), over
    the tracks in ``facts`` (those opened in the period) on ``workflows`` (all if
    ``None``).
    """
    chosen = [fact for fact in facts if workflows is None or fact.workflow in workflows]
    return track_table(chosen, registry, workflows=workflows, threshold=threshold)


def findings_table(
    findings: Iterable[FindingFacts],
    years: Sequence[str],
    *,
    outcomes: Sequence[str] = FINDING_OUTCOMES,
    areas: Collection[str] = (),
    threshold: int = THRESHOLD,
) -> SuppressedTable | None:
    """Return safety-walk findings per outcome and year reported, suppressed.

    ``findings`` are those of the period; ``areas`` limits them to these localities
    (all if empty). The outcome is the final state a finding reached, or ``open``;
    ``outcomes`` are the final states always shown (the finding workflows' final
    states), then any other seen, then ``open``. The total over the outcomes is the
    number of findings reported. ``None`` if ``years`` is empty.
    """
    counts: dict[tuple[str, ...], int] = {}
    for finding in findings:
        if areas and finding.locality not in areas:
            continue
        key = (finding.outcome or OPEN, str(finding.reported.year))
        counts[key] = counts.get(key, 0) + 1
    if not years:
        return None
    seen = sorted({key[0] for key in counts} - {*outcomes, OPEN})
    levels = [*(o for o in outcomes if o != OPEN), *seen, OPEN]
    table = CountTable(
        FINDING_DIMENSIONS,
        counts,
        levels={"outcome": levels, "year": sorted({*years, *(key[1] for key in counts)})},
    )
    return suppress(table, threshold)
