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

import collections
import csv
import datetime as dt
import itertools
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
from ssp_core.domain.people import Subject, SubjectKind
from ssp_core.exceptions import DataError, UnknownId
from ssp_core.extras import parquet
from ssp_core.files import open_private, private_file
from ssp_core.i18n import N_, _, ngettext
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.fresh_ids import FreshIds
from ssp_core.privacy.suppression import THRESHOLD, TOTAL, SuppressedTable
from ssp_core.privacy.tables import (
    CARD_TABLE,
    OPEN,
    OTHER_AGE,
    TABLE_COLUMNS,
    TRACK_TABLE,
    UNKNOWN_AGE,
    AgeBanding,
    CaseFacts,
    age_banding,
    card_table,
    case_facts,
    opening_of,
    track_table,
)
from ssp_core.store.base import CaseStore
from ssp_core.store.codec import EventCodec
from ssp_core.store.records import KeyRecord, Progress, StoredEvent
from ssp_core.store.scan import SCAN_BATCH, index_pass, scan_ids

__all__ = [
    "EVENT_COLUMNS",
    "ExportFormat",
    "ExportKind",
    "ExportResult",
    "event_rows",
    "export_research",
    "iso_week",
    "prepare_export",
    "write_csv",
    "write_parquet",
]

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
    year, week, _weekday = local_date(moment).isocalendar()
    return f"{year}-W{week:02d}"


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
    ids: FreshIds,
    *,
    workflows: Collection[str] | None = None,
    municipalities: Collection[str] | None = None,
    progress: Progress | None = None,
) -> tuple[int, Iterator[dict[str, object]]]:
    """Return the number of cases, and the event rows of :data:`EVENT_COLUMNS`.

    Every case gets a fresh random id (``E-`` and 12 hex digits) and every person a
    fresh random id (``P-…``) shared by their cases, both kept in ``ids``; cases come
    in the random order of their new ids, each with its events in order (``seq``).
    Events are decoded with every personal field withheld. A case about a group or an
    environment, or whose data key was erased, has no person id. The index and the
    events are read as the rows are written (bounded memory, whatever the size).
    ``progress(done, total)`` is called as the rows are read: after each batch of
    cases, ``total`` the number of cases.
    """
    keep = None if workflows is None else (lambda row: row.workflow in workflows)
    count = ids.add_cases(row.case_id for row in index_pass(store, municipalities, keep))

    def rows() -> Iterator[dict[str, object]]:
        ordered = ids.in_order()
        done = 0
        while batch := list(itertools.islice(ordered, SCAN_BATCH)):
            new_ids = dict(batch)
            for case_id, events, record in scan_ids(store, list(new_ids), keys=True):
                yield from _case_rows(codec, banding, events, record, new_ids[case_id], ids.person)
            done += len(batch)
            if progress is not None:
                progress(min(done, count), count)
        if progress is not None and done == 0:
            progress(0, 0)

    return count, rows()


def _case_rows(  # noqa: PLR0917 (one case's parts)
    codec: EventCodec,
    banding: AgeBanding,
    stored: Sequence[StoredEvent],
    record: KeyRecord | None,
    case: str,
    person_id: Callable[[str], str],
) -> Iterator[dict[str, object]]:
    opening, age = opening_of(codec, stored[0])
    pseudonym = record.subject if record is not None else None
    if pseudonym is None and isinstance(opening.subject, Subject):
        pseudonym = opening.subject.pseudonym  # an opening stored unsealed, before schema 2
    person = person_id(pseudonym) if pseudonym is not None else None
    band = banding.band_of(age) if opening.subject.kind is SubjectKind.PERSON else None
    version = opening.workflow_version
    kept = [row for row in stored if row.topic not in _NOT_EXPORTED]
    for seq, row in enumerate(kept, start=1):
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


_NOT_EXPORTED = frozenset({ev.ComingOfAgeAnnounced.__name__, ev.ResourceObserved.__name__})
"""Event types left out of the event rows: the week a coming of age was announced would
tell the week of a person's 18th birthday, i.e. of their birth; a person's resources and
protective factors are never counted into anything about the person."""


def _cell(value: object) -> object:
    return "" if value is None else value


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write ``rows`` as CSV (UTF-8, a header, empty for missing); return how many."""
    count = 0
    with open_private(path, "w", encoding="utf-8", newline="") as handle:
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
    with pq.ParquetWriter(str(private_file(path)), schema) as writer:
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


_NEVER = N_(
    "Never included: free text of any kind (notes, reasons, fact details, session notes, "
    "disclosure notes, consent scopes), worry signs, observers and observation texts, "
    "pseudonyms, birth dates, CPR numbers, names, contact details, the store's case ids, "
    "actor ids and assignees, exact dates and times."
)

_IDS = N_(
    "Identifiers: the ids in the columns 'case' (E-...) and 'person' (P-...) were drawn at "
    "random for this export alone. They are not derived from the store's case ids or "
    "pseudonyms, cannot be linked to them, and differ in every export. The cases of one "
    "person share one person id within this export only. A case about a group or an "
    "environment, or whose personal data were erased, has no person id."
)

_EVENTS_COARSENED = N_(
    "Coarsened: every time is given as its ISO week in Danish local time ('week', e.g. "
    "2026-W09); ages as bands ('age_band', empty for a group or an environment). The actor "
    "appears only by role. 'seq' numbers a case's events in order. Announcements that a "
    "person came of age are left out (their week would tell the week of a birth)."
)

_SUPPRESSION = N_(
    "Suppression: every count from 1 to {below} (below the threshold {threshold}) is "
    "suppressed, and further counts so that no suppressed count can be worked out from the "
    "published counts and totals. A suppressed count is empty and its column 'suppressed' "
    "says 'suppressed' (never which kind: that would tell which cells are small). Zeros are "
    "published. Rows with the level '{total}' are marginal totals."
)

_TABLES_COARSENED = N_(
    "Coarsened: cases are counted by the quarter (card table) or the year (track table) of "
    "their opening, in Danish local time; ages as bands ('{unknown}': no age known). A "
    "track's outcome is the final state it reached, or '{open}'."
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
    """Return the README of an export, in the current language (columns and ids as they are)."""
    if kind is ExportKind.EVENTS:
        title = _("SSP research export: event-level data.")
    else:
        title = _("SSP research export: aggregate tables.")
    files = "\n".join(
        "  " + ngettext("{name}: {n} row", "{name}: {n} rows", count).format(name=name, n=count)
        for name, count in rows.items()
    )
    exported = _("Exported on {day} (Danish date) as {format}; {cases}.").format(
        day=today.isoformat(),
        format=fmt.value,
        cases=ngettext("{n} case", "{n} cases", cases).format(n=cases),
    )
    paragraphs = [
        f"{title}\n{exported}",
        _("Files:") + f"\n{files}",
        _wrap(
            _(
                "Age bands (the age at the concern date, or at the opening): {bands}; "
                "'{other}': an age in none of these bands."
            ).format(bands=banding.describe(), other=OTHER_AGE)
        ),
    ]
    if kind is ExportKind.EVENTS:
        paragraphs += [_wrap(_(_IDS)), _wrap(_(_EVENTS_COARSENED))]
    else:
        audited = ", ".join(
            _("{table} yes").format(table=name)
            if table is not None and table.exact_audit
            else _("{table} no").format(table=name)
            for name, table in tables.items()
        )
        suppression = _(_SUPPRESSION).format(below=THRESHOLD - 1, threshold=THRESHOLD, total=TOTAL)
        paragraphs += [
            _wrap(
                _("{suppression} Exact attacker audit: {audited}.").format(
                    suppression=suppression, audited=audited
                )
            ),
            _wrap(_(_TABLES_COARSENED).format(unknown=UNKNOWN_AGE, open=OPEN)),
        ]
    paragraphs.append(_wrap(_(_NEVER)))
    return "\n\n".join(paragraphs) + "\n"


def _covered(
    store: CaseStore, workflows: Collection[str] | None, municipalities: Collection[str] | None
) -> int:
    """Count the index rows an export covers (one pass over the index, no event read)."""
    keep = None if workflows is None else (lambda row: row.workflow in workflows)
    return sum(1 for _row in index_pass(store, municipalities, keep))


def _counted(facts: Iterable[CaseFacts], total: int, progress: Progress) -> Iterator[CaseFacts]:
    """Yield ``facts``, calling ``progress`` every batch and at the end with ``(total, total)``.

    A case left out of the facts (no events, a workflow no plugin knows) is counted at
    the end, so the count reaches ``total`` without passing it.
    """
    for done, fact in enumerate(facts, start=1):
        yield fact
        if done % SCAN_BATCH == 0:
            progress(min(done, total), total)
    progress(total, total)


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=80, break_on_hyphens=False)


def _target(out: Path) -> Path:
    """Check that ``out`` can receive an export: it is missing or an empty directory."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DataError(
            _("{path} exists and is not an empty directory; choose a new one").format(path=out)
        )
    if not out.parent.is_dir():
        raise DataError(_("the directory {path} does not exist").format(path=out.parent))
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
    municipalities: Collection[str] | None = None,
    today: dt.date,
    progress: Progress | None = None,
) -> ExportResult:
    """Write a research export of ``kind`` to the new directory ``out``; return what was written.

    Checks nothing about who asks: ``Casework.research_export`` does. The
    files are written to a temporary directory beside ``out`` and moved into place
    at the end, so ``out`` holds a whole export or nothing. ``workflows`` limits the
    export to cases on these workflows, ``municipalities`` to these municipalities'.
    ``progress(done, total)`` is called as the cases are read (``total``: how many
    cases the export covers); it ends at ``(total, total)``.
    """
    kind, fmt, out = prepare_export(kind, fmt, out)
    banding = banding or age_banding(registry)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        rows: dict[str, int] = {}
        tables: dict[str, SuppressedTable | None] = {}
        if kind is ExportKind.EVENTS:
            with FreshIds(out.parent) as ids:
                cases, events = event_rows(
                    store,
                    codec,
                    banding,
                    ids,
                    workflows=workflows,
                    municipalities=municipalities,
                    progress=progress,
                )
                name, count = _write(work, "events", fmt, EVENT_COLUMNS, events)
            rows[name] = count
        else:  # the facts counted once each, with how many cases share them: bounded
            read = case_facts(
                store, codec, registry, workflows=workflows, municipalities=municipalities
            )
            if progress is not None:
                read = _counted(read, _covered(store, workflows, municipalities), progress)
            facts: collections.Counter[CaseFacts] = collections.Counter(read)
            cases = facts.total()
            tables[CARD_TABLE] = card_table(
                facts.elements(), registry, banding, workflows=workflows
            )
            tables[TRACK_TABLE] = track_table(facts.elements(), registry, workflows=workflows)
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
        private_file(work / "README.txt").write_text(readme, encoding="utf-8")
        work.replace(out)  # an empty directory at ``out`` is replaced
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExportResult(kind=kind, format=fmt, directory=out, rows=rows, cases=cases)
