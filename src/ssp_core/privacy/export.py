"""The research export: event-level data under fresh ids, or aggregate tables with suppression.

``ssp export`` (``Casework.research_export``, then :func:`export_research`) writes one of
two things to a new directory,
as CSV or Parquet, with a ``README.txt`` that says what was done:

* **events** (``events.csv``): one row per event, under ids drawn at random for this
  export alone (``E-…`` per case, ``P-…`` per person, so that a person's cases link
  within the export and nowhere else). Times are coarsened to the ISO week, ages to
  bands. Only the columns of :data:`EVENT_COLUMNS` leave: workflow, event type,
  states, trigger, fact and deadline-rule names, the actor's role.
* **tables** (``cases_by_card_age_quarter.csv``, ``track_completion.csv``): counts
  of cases with every marginal total, small cells suppressed by
  :func:`ssp_core.privacy.suppression.suppress` (counts 1 to 4 never published,
  with secondary suppression so that no total gives them away).

Free text, worry signs, observers, consent scopes, pseudonyms, birth dates, CPR
numbers, names, case ids, actor ids, assignees and exact dates or times never leave.
Events are decoded with every personal field withheld; the only personal datum the
export uses is *which cases share a person*, taken from the pseudonym the store
keeps beside each case's wrapped data key (never written out). Erased cases keep
their age band (stored in clear for statistics) but lose their person link.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import secrets
import shutil
import tempfile
import textwrap
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

import attrs

from ssp_core.clock import local_date
from ssp_core.domain import events as ev
from ssp_core.domain.access import RESEARCH, FieldGroup
from ssp_core.domain.people import AgeBand, Subject, SubjectKind
from ssp_core.exceptions import ConfigError, DataError, UnknownId
from ssp_core.extras import parquet
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.suppression import THRESHOLD, TOTAL, CountTable, SuppressedTable, suppress
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.records import CaseQuery, CaseRow, KeyRecord, StoredEvent
from ssp_core.workflows.definition import WorkflowKind

__all__ = [
    "CARD_TABLE",
    "EVENT_COLUMNS",
    "OTHER_AGE",
    "RESEARCH",
    "TABLE_COLUMNS",
    "TRACK_TABLE",
    "UNKNOWN_AGE",
    "AgeBanding",
    "CaseFacts",
    "ExportFormat",
    "ExportKind",
    "ExportResult",
    "age_banding",
    "card_table",
    "case_facts",
    "event_rows",
    "export_research",
    "iso_week",
    "prepare_export",
    "quarter_of",
    "track_table",
    "write_csv",
    "write_parquet",
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

_STR, _INT = "string", "int64"

EVENT_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "case": _STR,
        "person": _STR,
        "seq": _INT,
        "workflow": _STR,
        "workflow_version": _INT,
        "event": _STR,
        "week": _STR,
        "role": _STR,
        "state": _STR,
        "source": _STR,
        "dest": _STR,
        "trigger": _STR,
        "age_band": _STR,
        "situation": _STR,
        "fact": _STR,
        "rule": _STR,
    }
)
"""The columns of the event-level export, with their Parquet types; nothing else leaves."""

TABLE_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {CARD_TABLE: ("card", "age_band", "quarter"), TRACK_TABLE: ("track", "outcome", "year")}
)
"""The dimensions of each aggregate table (each file adds ``count`` and ``suppressed``)."""

_BATCH = 500
_PARQUET_ROWS = 10_000


class ExportKind(StrEnum):
    """What an export holds: event-level data or aggregate tables."""

    EVENTS = "events"
    TABLES = "tables"


class ExportFormat(StrEnum):
    """The file format of an export."""

    CSV = "csv"
    PARQUET = "parquet"


def iso_week(moment: dt.datetime) -> str:
    """Return the ISO week of an aware ``moment`` in Danish local time, e.g. ``2026-W09``."""
    year, week, _ = local_date(moment).isocalendar()
    return f"{year}-W{week:02d}"


def quarter_of(day: dt.date) -> str:
    """Return the calendar quarter of ``day``, e.g. ``2026-Q1``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _band_text(band: AgeBand) -> str:
    upper = "and over" if band.max_age is None else f"to {band.max_age}"
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
            raise ConfigError("an export needs at least one age band")
        ordered = sorted(self.bands, key=lambda band: band.min_age)
        if [b.id for b in ordered] != [b.id for b in self.bands]:
            raise ConfigError("the age bands of an export must be given youngest first")
        for band in self.bands:
            if band.id in (OTHER_AGE, UNKNOWN_AGE, TOTAL):
                raise ConfigError(f"age band id {band.id!r} is reserved in exports")
        for lower, upper in itertools.pairwise(ordered):
            if lower.max_age is None or lower.max_age >= upper.min_age:
                raise ConfigError(
                    f"age bands {lower.id!r} and {upper.id!r} overlap; an export needs "
                    "bands that do not (name them with --age-band)"
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
        """Return the bands as text, e.g. ``under_18: 0 to 17; from_18: 18 and over``."""
        return "; ".join(_band_text(band) for band in self.bands)


def age_banding(registry: Registry, band_ids: Sequence[str] | None = None) -> AgeBanding:
    """Return the export's age bands: those named, or by default those the action cards use.

    The default is the bands named by the ``applies_to`` of the registered action
    cards (for Aalborg: under 18, 18 and over). Raises :class:`UnknownId` for an
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
            if definition.kind is WorkflowKind.ACTION_CARD and definition.applies_to is not None
        }
        if not chosen:
            raise ConfigError(
                "no action card names an age band; name the export's bands with --age-band"
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


def _opening(codec: EventCodec, row: StoredEvent) -> tuple[ev.CaseOpened, int | None]:
    """Return the opening event (personal fields withheld) and the age at the concern.

    The age is kept in clear in a sealed opening; an opening stored unsealed (before
    schema 2) gives it from the birth date, which is read here and nowhere else.
    """
    event = codec.decode(row, readable={FieldGroup.SUBJECT})  # no key: nothing is opened
    if not isinstance(event, ev.CaseOpened):
        raise DataError(f"the first event of case {row.case_id} is not its opening")
    return event, event.age_at_concern


def _allowed(rows: Iterable[CaseRow], workflows: Collection[str] | None) -> list[CaseRow]:
    return [row for row in rows if workflows is None or row.workflow in workflows]


def _kind(registry: Registry, row: CaseRow) -> WorkflowKind | None:
    try:
        return registry.workflow(row.workflow, row.workflow_version).kind
    except UnknownId:
        return None


def case_facts(
    store: CaseStore,
    codec: EventCodec,
    registry: Registry,
    *,
    workflows: Collection[str] | None = None,
) -> list[CaseFacts]:
    """Return the facts the tables count, for every case (on ``workflows`` only, if given).

    Cases on a workflow the registry does not know (its plugin is gone) are left out.
    """
    rows = {row.case_id: row for row in _allowed(store.find_cases(CaseQuery()), workflows)}
    facts: list[CaseFacts] = []
    ids = sorted(rows)
    for start in range(0, len(ids), _BATCH):
        found = store.read_cases(ids[start : start + _BATCH])
        for case_id, events in found.items():
            row = rows[case_id]
            kind = _kind(registry, row)
            if kind is None or not events:
                continue
            opening, age = _opening(codec, events[0])
            facts.append(
                CaseFacts(
                    workflow=row.workflow,
                    kind=kind,
                    opened=local_date(opening.at),
                    age=age,
                    outcome=row.state if row.closed_at is not None else None,
                )
            )
    return facts


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
            if d.kind is kind and (workflows is None or d.id in workflows)
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
    days: list[dt.date] = []
    for fact in facts:
        if fact.kind is not WorkflowKind.ACTION_CARD:
            continue
        band = banding.band_of(fact.age) or UNKNOWN_AGE
        key = (fact.workflow, band, quarter_of(fact.opened))
        counts[key] = counts.get(key, 0) + 1
        days.append(fact.opened)
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
            "quarter": _levels(min(days), max(days), quarter_of),
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
    days: list[dt.date] = []
    for fact in facts:
        if fact.kind is not WorkflowKind.PREVENTION_TRACK:
            continue
        key = (fact.workflow, fact.outcome or OPEN, str(fact.opened.year))
        counts[key] = counts.get(key, 0) + 1
        days.append(fact.opened)
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
            "year": [str(year) for year in range(min(days).year, max(days).year + 1)],
        },
    )
    return suppress(table, threshold)


def _fresh(prefix: str, taken: set[str]) -> str:
    """Return a new random id, unique in this export (48 random bits)."""
    while True:
        made = f"{prefix}{secrets.token_hex(6)}"
        if made not in taken:
            taken.add(made)
            return made


def _event_fields(event: ev.CaseEvent) -> dict[str, object]:
    """Return the exportable fields of one event: names and states, never text or dates."""
    match event:
        case ev.CaseOpened():
            return {"state": event.state, "situation": event.situation}
        case ev.Transitioned():
            return {"trigger": event.trigger, "source": event.source, "dest": event.dest}
        case ev.WorkflowMigrated():
            return {"source": event.source, "dest": event.dest}
        case ev.FactRecorded():
            return {"fact": event.fact}
        case ev.DeadlineExtended() | ev.DeadlineMissed():
            return {"rule": event.rule}
        case _:
            return {}


def event_rows(
    store: CaseStore,
    codec: EventCodec,
    banding: AgeBanding,
    *,
    workflows: Collection[str] | None = None,
) -> tuple[int, Iterator[dict[str, object]]]:
    """Return the number of cases, and the event rows of :data:`EVENT_COLUMNS`.

    Every case gets a fresh random id (``E-`` and 12 hex digits) and every person a
    fresh random id (``P-…``) shared by their cases; cases come in the random order
    of their new ids, each with its events in order (``seq``). Events are decoded
    with every personal field withheld. A case about a group or an environment, or
    whose data key was erased, has no person id.
    """
    cases = _allowed(store.find_cases(CaseQuery()), workflows)
    taken: set[str] = set()
    fresh = {row.case_id: _fresh("E-", taken) for row in cases}
    order = sorted(fresh, key=fresh.__getitem__)

    people: dict[str, str] = {}

    def person_id(pseudonym: str) -> str:
        if pseudonym not in people:
            people[pseudonym] = _fresh("P-", taken)
        return people[pseudonym]

    def rows() -> Iterator[dict[str, object]]:
        for start in range(0, len(order), _BATCH):
            batch = order[start : start + _BATCH]
            found = store.read_cases(batch)
            keys = store.read_keys(batch)
            for case_id in batch:
                stored = found.get(case_id, [])
                record = keys.get(case_id)
                yield from _case_rows(codec, banding, stored, record, fresh[case_id], person_id)

    return len(order), rows()


def _case_rows(  # noqa: PLR0917 (one case's parts)
    codec: EventCodec,
    banding: AgeBanding,
    stored: Sequence[StoredEvent],
    record: KeyRecord | None,
    case: str,
    person_id: Callable[[str], str],
) -> Iterator[dict[str, object]]:
    if not stored:
        return
    opening, age = _opening(codec, stored[0])
    pseudonym = record.subject if record is not None else None
    if pseudonym is None and isinstance(opening.subject, Subject):
        pseudonym = opening.subject.pseudonym  # an opening stored unsealed, before schema 2
    person = person_id(pseudonym) if pseudonym is not None else None
    band = banding.band_of(age) if opening.subject.kind is SubjectKind.PERSON else None
    version = opening.workflow_version
    for seq, row in enumerate(stored, start=1):
        event = codec.decode(row, readable=frozenset())
        if isinstance(event, ev.WorkflowMigrated):
            version = event.to_version
        yield {
            "case": case,
            "person": person,
            "seq": seq,
            "workflow": opening.workflow,
            "workflow_version": version,
            "event": row.topic,
            "week": iso_week(event.at),
            "role": event.role,
            "age_band": band,
            **_event_fields(event),
        }


def _cell(value: object) -> object:
    return "" if value is None else value


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write ``rows`` as CSV (UTF-8, a header, empty for missing); return how many."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
            count += 1
    return count


def write_parquet(
    path: Path, columns: Mapping[str, str], rows: Iterable[Mapping[str, object]]
) -> int:
    """Write ``rows`` as Parquet with the column types of ``columns``; return how many.

    Needs pyarrow (the ``parquet`` extra): without it, :class:`ConfigError`.
    """
    pa, pq = parquet("writing", "write CSV")
    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in columns.items()])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        chunk: list[Mapping[str, object]] = []
        for row in rows:
            chunk.append({name: row.get(name) for name in columns})
            if len(chunk) == _PARQUET_ROWS:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                count += len(chunk)
                chunk = []
        if chunk or count == 0:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count


def _write(
    directory: Path,
    name: str,
    fmt: ExportFormat,
    columns: Mapping[str, str],
    rows: Iterable[Mapping[str, object]],
) -> tuple[str, int]:
    filename = f"{name}.{fmt.value}"
    path = directory / filename
    if fmt is ExportFormat.PARQUET:
        return filename, write_parquet(path, columns, rows)
    return filename, write_csv(path, list(columns), rows)


@attrs.frozen
class ExportResult:
    """What an export wrote: its directory, the data files with their row counts, the README."""

    kind: ExportKind
    format: ExportFormat
    directory: Path
    rows: Mapping[str, int]
    cases: int

    @property
    def files(self) -> tuple[Path, ...]:
        """Return the paths of the data files and the README."""
        return (*(self.directory / name for name in self.rows), self.directory / "README.txt")


_NEVER = (
    "Never included: free text of any kind (notes, reasons, fact details, session notes, "
    "disclosure notes, consent scopes), worry signs, observers and observation texts, "
    "pseudonyms, birth dates, CPR numbers, names, contact details, the store's case ids, "
    "actor ids and assignees, exact dates and times."
)

_IDS = (
    "Identifiers: the ids in the columns 'case' (E-...) and 'person' (P-...) were drawn at "
    "random for this export alone. They are not derived from the store's case ids or "
    "pseudonyms, cannot be linked to them, and differ in every export. The cases of one "
    "person share one person id within this export only. A case about a group or an "
    "environment, or whose personal data were erased, has no person id."
)

_EVENTS_COARSENED = (
    "Coarsened: every time is given as its ISO week in Danish local time ('week', e.g. "
    "2026-W09); ages as bands ('age_band', empty for a group or an environment). The actor "
    "appears only by role. 'seq' numbers a case's events in order."
)

_SUPPRESSION = (
    f"Suppression: every count from 1 to {THRESHOLD - 1} (below the threshold {THRESHOLD}) "
    "is suppressed, and further counts so that no suppressed count can be worked out from "
    "the published counts and totals. A suppressed count is empty and its column "
    "'suppressed' says 'suppressed' (never which kind: that would tell which cells are "
    f"small). Zeros are published. Rows with the level '{TOTAL}' are marginal totals."
)

_TABLES_COARSENED = (
    "Coarsened: cases are counted by the quarter (card table) or the year (track table) of "
    f"their opening, in Danish local time; ages as bands ('{UNKNOWN_AGE}': no age known). A "
    f"track's outcome is the final state it reached, or '{OPEN}'."
)


def _readme(  # noqa: PLR0917 (the parts of one description)
    kind: ExportKind,
    fmt: ExportFormat,
    today: dt.date,
    banding: AgeBanding,
    rows: Mapping[str, int],
    cases: int,
    tables: Mapping[str, SuppressedTable | None],
) -> str:
    what = "event-level data" if kind is ExportKind.EVENTS else "aggregate tables"
    files = "\n".join(f"  {name}: {count} rows" for name, count in rows.items())
    paragraphs = [
        (
            f"SSP research export: {what}.\n"
            f"Exported on {today.isoformat()} (Danish date) as {fmt.value}; {cases} cases."
        ),
        f"Files:\n{files}",
        _wrap(
            f"Age bands (the age at the concern date, or at the opening): {banding.describe()}; "
            f"'{OTHER_AGE}': an age in none of these bands."
        ),
    ]
    if kind is ExportKind.EVENTS:
        paragraphs += [_wrap(_IDS), _wrap(_EVENTS_COARSENED)]
    else:
        audited = ", ".join(
            f"{name} {'yes' if table is not None and table.exact_audit else 'no'}"
            for name, table in tables.items()
        )
        paragraphs += [
            _wrap(f"{_SUPPRESSION} Exact attacker audit: {audited}."),
            _wrap(_TABLES_COARSENED),
        ]
    paragraphs.append(_wrap(_NEVER))
    return "\n\n".join(paragraphs) + "\n"


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=80, break_on_hyphens=False)


def _target(out: Path) -> Path:
    """Check that ``out`` can receive an export: it is missing or an empty directory."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(f"{out} exists and is not an empty directory; choose a new one")
    if not out.parent.is_dir():
        raise DataError(f"the directory {out.parent} does not exist")
    return out


def prepare_export(
    kind: ExportKind | str, fmt: ExportFormat | str, out: Path | str
) -> tuple[ExportKind, ExportFormat, Path]:
    """Check what an export asks for before anything is read: its kind, format and directory.

    Raises :class:`~ssp_core.exceptions.UnknownId` for an unknown kind or format,
    :class:`~ssp_core.exceptions.DataError` if ``out`` is not a new (or empty)
    directory in an existing one, and :class:`~ssp_core.exceptions.ConfigError` for
    Parquet without pyarrow.
    """
    try:
        kind = ExportKind(kind)
    except ValueError:
        raise UnknownId("export kind", str(kind), [k.value for k in ExportKind]) from None
    try:
        fmt = ExportFormat(fmt)
    except ValueError:
        raise UnknownId("export format", str(fmt), [f.value for f in ExportFormat]) from None
    target = _target(Path(out))
    if fmt is ExportFormat.PARQUET:
        parquet("writing", "write CSV")
    return kind, fmt, target


def export_research(
    *,
    registry: Registry,
    store: CaseStore,
    codec: EventCodec,
    kind: ExportKind | str,
    out: Path | str,
    fmt: ExportFormat | str = ExportFormat.CSV,
    banding: AgeBanding | None = None,
    workflows: Collection[str] | None = None,
    today: dt.date,
) -> ExportResult:
    """Write a research export of ``kind`` to the new directory ``out``; return what was written.

    Checks nothing about who asks: ``Casework.research_export`` does. The
    files are written to a temporary directory beside ``out`` and moved into place
    at the end, so ``out`` holds a whole export or nothing. ``workflows`` limits the
    export to cases on these workflows.
    """
    kind, fmt, out = prepare_export(kind, fmt, out)
    banding = banding or age_banding(registry)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        rows: dict[str, int] = {}
        tables: dict[str, SuppressedTable | None] = {}
        if kind is ExportKind.EVENTS:
            cases, events = event_rows(store, codec, banding, workflows=workflows)
            name, count = _write(work, "events", fmt, EVENT_COLUMNS, events)
            rows[name] = count
        else:
            facts = case_facts(store, codec, registry, workflows=workflows)
            cases = len(facts)
            tables[CARD_TABLE] = card_table(facts, registry, banding, workflows=workflows)
            tables[TRACK_TABLE] = track_table(facts, registry, workflows=workflows)
            for table_name, table in tables.items():
                columns = {
                    **dict.fromkeys(TABLE_COLUMNS[table_name], _STR),
                    "count": _INT,
                    "suppressed": _STR,
                }
                published = [
                    {**row, "suppressed": row["suppressed"] or None}  # empty when published
                    for row in (table.rows() if table is not None else [])
                ]
                name, count = _write(work, table_name, fmt, columns, published)
                rows[name] = count
        readme = _readme(kind, fmt, today, banding, rows, cases, tables)
        (work / "README.txt").write_text(readme, encoding="utf-8")
        work.replace(out)  # an empty directory at ``out`` is replaced
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExportResult(kind=kind, format=fmt, directory=out, rows=rows, cases=cases)
