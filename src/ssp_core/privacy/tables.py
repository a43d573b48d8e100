"""The research tables: age bands, what is counted of each case, and the suppressed counts.

:func:`case_facts` reads, for every case, what the tables count and nothing
personal but the age at the concern (kept in clear for statistics); :func:`card_table`
counts cases per action card, age band and quarter, :func:`track_table` prevention
tracks per outcome and year, each with its small cells suppressed
(:func:`ssp_core.privacy.suppression.suppress`). The research export writes them
(:mod:`ssp_core.privacy.export`), and evaluations count with them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType

import attrs

from ssp_core.clock import local_date
from ssp_core.domain import events as ev
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.people import AgeBand
from ssp_core.exceptions import ConfigError, DataError, UnknownId
from ssp_core.i18n import _
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.suppression import THRESHOLD, TOTAL, CountTable, SuppressedTable, suppress
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.records import StoredEvent
from ssp_core.store.scan import index_pass, scan_cases
from ssp_core.workflows.definition import WorkflowKind

__all__ = [
    "CARD_TABLE",
    "OPEN",
    "OTHER_AGE",
    "TABLE_COLUMNS",
    "TRACK_TABLE",
    "UNKNOWN_AGE",
    "AgeBanding",
    "CaseFacts",
    "age_banding",
    "card_table",
    "case_facts",
    "opening_of",
    "quarter_of",
    "track_table",
]

OTHER_AGE = "other"
"""The age band of an age that lies in none of the export's bands."""

UNKNOWN_AGE = "unknown"
"""The age band in the tables of a case without a known age (e.g. about a group)."""

OPEN = "open"
"""The outcome of a prevention track that has not reached a final state."""

CARD_TABLE = "cases_by_card_age_quarter"
"""Cases per action card, age band (at the concern) and quarter of the opening."""

TRACK_TABLE = "track_completion"
"""Prevention tracks per workflow, outcome (final state or ``open``) and year of opening."""

TABLE_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {CARD_TABLE: ("card", "age_band", "quarter"), TRACK_TABLE: ("track", "outcome", "year")}
)
"""The dimensions of each aggregate table (each file adds ``count`` and ``suppressed``)."""


def quarter_of(day: dt.date) -> str:
    """Return the calendar quarter of ``day``, e.g. ``2026-Q1``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _band_text(band: AgeBand) -> str:
    upper = (
        _("and over") if band.max_age is None else _("to {max_age}").format(max_age=band.max_age)
    )
    return f"{band.id}: {band.min_age} {upper}"


@attrs.frozen
class AgeBanding:
    """The age bands of an export: non-overlapping, youngest first.

    An age in none of them falls in :data:`OTHER_AGE`; a missing age is
    :data:`UNKNOWN_AGE` (in the tables) or empty (in the event rows).
    """

    bands: tuple[AgeBand, ...]

    def __attrs_post_init__(self) -> None:
        if not self.bands:
            raise ConfigError(_("an export needs at least one age band"))
        ordered = sorted(self.bands, key=lambda band: band.min_age)
        if [b.id for b in ordered] != [b.id for b in self.bands]:
            raise ConfigError(_("the age bands of an export must be given youngest first"))
        for band in self.bands:
            if band.id in (OTHER_AGE, UNKNOWN_AGE, TOTAL):
                raise ConfigError(
                    _("age band id {band} is reserved in exports").format(band=repr(band.id))
                )
        for lower, upper in itertools.pairwise(ordered):
            if lower.max_age is None or lower.max_age >= upper.min_age:
                raise ConfigError(
                    _(
                        "age bands {lower} and {upper} overlap; an export needs "
                        "bands that do not (name them with --age-band)"
                    ).format(lower=repr(lower.id), upper=repr(upper.id))
                )

    def band_of(self, age: int | None) -> str | None:
        """Return the id of the band holding ``age``, :data:`OTHER_AGE`, or ``None`` if unknown."""
        if age is None:
            return None
        for band in self.bands:
            if band.contains(age):
                return band.id
        return OTHER_AGE

    def describe(self) -> str:
        """Return the bands as text in the current language, e.g. ``under_18: 0 to 17; ...``."""
        return "; ".join(_band_text(band) for band in self.bands)


def age_banding(
    registry: Registry,
    band_ids: Sequence[str] | None = None,
    municipalities: Collection[str] | None = None,
) -> AgeBanding:
    """Return the export's age bands: those named, or by default those the action cards use.

    The default is the bands named by the ``applies_to`` of the registered action
    cards (for Aalborg: under 18, 18 and over); with ``municipalities``, of those
    municipalities' cards and the shared ones. Raises :class:`UnknownId` for an
    unknown band and :class:`ConfigError` if the bands overlap or none is found.
    """
    if band_ids:
        for band_id in band_ids:
            if band_id not in registry.age_bands:
                raise UnknownId("age band", band_id, list(registry.age_bands))
        chosen = {band_id: registry.age_bands[band_id] for band_id in band_ids}
    else:
        chosen = {
            definition.applies_to.age_band: registry.age_bands[definition.applies_to.age_band]
            for definition in registry.workflows.values()
            if definition.kind is WorkflowKind.ACTION_CARD
            and definition.applies_to is not None
            and (
                municipalities is None
                or registry.workflow_home(definition.id) in (None, *municipalities)
            )
        }
        if not chosen:
            raise ConfigError(
                _("no action card names an age band; name the export's bands with --age-band")
            )
    return AgeBanding(tuple(sorted(chosen.values(), key=lambda band: (band.min_age, band.id))))


@attrs.frozen
class CaseFacts:
    """What the tables count of one case: nothing personal but its age at the concern.

    ``outcome`` is the final state the case reached, or ``None`` while it is open.
    """

    workflow: str
    kind: WorkflowKind
    opened: dt.date
    age: int | None
    outcome: str | None


def opening_of(codec: EventCodec, row: StoredEvent) -> tuple[ev.CaseOpened, int | None]:
    """Return the opening event (personal fields withheld) and the age at the concern.

    The age is kept in clear in a sealed opening; an opening stored unsealed (before
    schema 2) gives it from the birth date, which is read here and nowhere else.
    """
    event = codec.decode(row, readable={FieldGroup.SUBJECT})  # no key: nothing is opened
    if not isinstance(event, ev.CaseOpened):
        raise DataError(f"the first event of case {row.case_id} is not its opening")
    return event, event.age_at_concern


def case_facts(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
    municipalities: Collection[str] | None = None,
) -> Iterator[CaseFacts]:
    """Yield the facts the tables count, for every case (on ``workflows`` only, if given).

    ``municipalities`` limits them to the cases of these municipalities (``None``: all).

    Cases on a workflow the registry does not know (its plugin is gone) are left out.
    """
    rows = index_pass(
        store, municipalities, None if workflows is None else lambda row: row.workflow in workflows
    )
    for case in scan_cases(store, rows):
        row = case.row
        kind = registry.kind_of(row.workflow, row.workflow_version)
        if kind is None:
            continue
        opening, age = opening_of(codec, case.events[0])
        yield CaseFacts(
            workflow=row.workflow,
            kind=kind,
            opened=local_date(opening.at),
            age=age,
            outcome=row.state if row.closed_at is not None else None,
        )


class _DaySpan:
    """The first and the last of the days counted (none held in between)."""

    def __init__(self) -> None:
        self.first = dt.date.max
        self.last = dt.date.min

    def add(self, day: dt.date) -> None:
        self.first = min(self.first, day)
        self.last = max(self.last, day)


def _levels(first: dt.date, last: dt.date, step: Callable[[dt.date], str]) -> tuple[str, ...]:
    """Return every quarter (or year) from ``first`` to ``last``, by ``step``, in order."""
    seen: list[str] = []
    day = first.replace(day=1)
    while day <= last:
        label = step(day)
        if label not in seen:
            seen.append(label)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return tuple(seen)


def _ids_of(registry: Registry, kind: WorkflowKind, workflows: Collection[str] | None) -> list[str]:
    return sorted(
        {
            d.id
            for d in registry.workflows.values()
            if d.kind is kind and not d.template and (workflows is None or d.id in workflows)
        }
    )


def card_table(
    facts: Iterable[CaseFacts],
    registry: Registry,
    banding: AgeBanding,
    *,
    workflows: Collection[str] | None = None,
    threshold: int = THRESHOLD,
) -> SuppressedTable | None:
    """Return cases per action card, age band and quarter of opening, suppressed.

    Every registered action card and every band of ``banding`` is a level, with
    zeros where no case is; :data:`OTHER_AGE` and :data:`UNKNOWN_AGE` are added
    when a case falls there; the quarters run without gaps from the first case to
    the last. ``None`` if there is no case on an action card.
    """
    counts: dict[tuple[str, ...], int] = {}
    days = _DaySpan()
    for fact in facts:
        if fact.kind is not WorkflowKind.ACTION_CARD:
            continue
        band = banding.band_of(fact.age) or UNKNOWN_AGE
        key = (fact.workflow, band, quarter_of(fact.opened))
        counts[key] = counts.get(key, 0) + 1
        days.add(fact.opened)
    if not counts:
        return None
    cards = sorted(
        {*_ids_of(registry, WorkflowKind.ACTION_CARD, workflows), *(k[0] for k in counts)}
    )
    bands = [band.id for band in banding.bands]
    bands += [extra for extra in (OTHER_AGE, UNKNOWN_AGE) if any(k[1] == extra for k in counts)]
    table = CountTable(
        TABLE_COLUMNS[CARD_TABLE],
        counts,
        levels={
            "card": cards,
            "age_band": bands,
            "quarter": _levels(days.first, days.last, quarter_of),
        },
    )
    return suppress(table, threshold)


def track_table(
    facts: Iterable[CaseFacts],
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
    threshold: int = THRESHOLD,
) -> SuppressedTable | None:
    """Return prevention tracks per workflow, outcome and year of opening, suppressed.

    The outcome is the final state a track reached (for Aalborg ``completed`` or
    ``ended_early``), or :data:`OPEN`. Every registered track and every final state
    of the tracks is a level; the years run without gaps. ``None`` if there is no
    track.
    """
    counts: dict[tuple[str, ...], int] = {}
    days = _DaySpan()
    for fact in facts:
        if fact.kind is not WorkflowKind.PREVENTION_TRACK:
            continue
        key = (fact.workflow, fact.outcome or OPEN, str(fact.opened.year))
        counts[key] = counts.get(key, 0) + 1
        days.add(fact.opened)
    if not counts:
        return None
    tracks = _ids_of(registry, WorkflowKind.PREVENTION_TRACK, workflows)
    finals = [
        state.id
        for definition in registry.workflows.values()
        if definition.id in tracks
        for state in definition.states
        if state.final
    ]
    outcomes = list(dict.fromkeys([*finals, *sorted({k[1] for k in counts} - {OPEN})]))
    table = CountTable(
        TABLE_COLUMNS[TRACK_TABLE],
        counts,
        levels={
            "track": sorted({*tracks, *(k[0] for k in counts)}),
            "outcome": [*(o for o in outcomes if o != OPEN), OPEN],
            "year": [str(year) for year in range(days.first.year, days.last.year + 1)],
        },
    )
    return suppress(table, threshold)
