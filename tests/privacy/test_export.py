"""The research export: what leaves (fresh ids, weeks, bands, suppressed counts) and what never does."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
import re
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import ssp_core
import ssp_core.plugins
from ssp_core import (
    Actor,
    Casework,
    Environment,
    Group,
    MunicipalKey,
    Subject,
    VirtualClock,
)
from ssp_core.cli import main
from ssp_core.cli.app import Context, cli
from ssp_core.cli.export import export as export_command
from ssp_core.domain.cases import Case
from ssp_core.domain.people import age_on
from ssp_core.domain.redaction import RedactedPerson
from ssp_core.exceptions import AccessDenied, ConfigError, DataError, UnknownId
from ssp_core.extras import install_hint
from ssp_core.plugins import Labels
from ssp_core.privacy import export as export_module
from ssp_core.privacy.export import EVENT_COLUMNS, iso_week
from ssp_core.privacy.suppression import TOTAL
from ssp_core.privacy.tables import (
    CARD_TABLE,
    OTHER_AGE,
    TRACK_TABLE,
    AgeBanding,
    age_banding,
    case_facts,
    quarter_of,
)
from ssp_core.store.base import CaseStore
from ssp_core.store.records import AuditAction, AuditQuery, CaseQuery
from tests.store.conftest import NO_POSTGRES, find_postgres_dsn

try:
    import pyarrow.parquet as pq
except ImportError:  # pyarrow is in the test group; without it only CSV is tested
    pq = None

NEEDS_PYARROW = pytest.mark.skipif(pq is None, reason="pyarrow (the parquet extra) is missing")
FORMATS = ["csv", pytest.param("parquet", marks=NEEDS_PYARROW)]

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

ANNE = Actor("anne.k-7731", "aalborg.ssp_consultant")
DAN = Actor("dan.f-5512", "aalborg.frontline_worker")
MONA = Actor("mona.m-4410", "aalborg.mentor")
ADMIN = Actor("adm.o-9920", "aalborg.administrator")
RITA = Actor("rita.r-1188", "aalborg.researcher")
ACTORS = (ANNE, DAN, MONA, ADMIN, RITA)

GROUP = Group("foraeldregruppe_vest_7", Labels("Forældregruppe Vest", "Parents' group West"), 6)
PLACE = Environment("skuret_baggaard_3", Labels("Skuret, baggården", "Skuret, the backyard"))

WEEK = re.compile(r"^\d{4}-W\d{2}$")
ISO_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")
CASE_ID = re.compile(r"^E-[0-9a-f]{12}$")
PERSON_ID = re.compile(r"^P-[0-9a-f]{12}$")


@attrs.define
class World:
    """A store full of synthetic cases, and everything personal that went into it."""

    casework: Casework
    clock: VirtualClock
    secrets: set[str] = attrs.field(factory=set)
    erased: int = 0

    def secret(self, text: str) -> str:
        self.secrets.add(text)
        return text


def cpr_of(birth: dt.date, serial: int) -> str:
    """A synthetic CPR number with the century digit the CPR office uses for ``birth``."""
    digit7 = 4 if birth.year >= 2000 else 1
    return f"{birth:%d%m%y}-{digit7}{serial % 1000:03d}"


def open_concern(world: World, n: int, rnd: random.Random) -> Subject:
    """Enrol a person and open a concern about them, with free text in every field that takes it."""
    casework, secret = world.casework, world.secret
    child = rnd.random() < 0.65
    year = rnd.randint(2009, 2013) if child else rnd.randint(1985, 2000)
    birth = dt.date(year, rnd.randint(1, 12), rnd.randint(1, 28))
    cpr = cpr_of(birth, 100 + n)
    world.secrets.update({cpr, cpr.replace("-", ""), birth.isoformat()})
    name = secret(f"Navn{n:02d} Efternavnsen")
    subject = casework.enrol(cpr, DAN, name=name, contact=secret(f"+45 2{n:07d}"))
    world.secrets.add(subject.pseudonym)
    situation = "aalborg.radicalisation" if rnd.random() < 0.75 else "aalborg.armed_conflict_travel"
    today = world.clock.now().astimezone(COPENHAGEN).date()
    case = casework.open_concern(
        situation=situation,
        subject=subject,
        concern_date=today - dt.timedelta(days=rnd.randint(0, 3)),
        actor=DAN,
        reason=secret(f"Bekymring {n}: {name} taler om at rejse"),
    )
    world.secrets.add(case.id)
    casework.add_note(case.id, secret(f"Notat om {name}, nr. {n}"), ANNE)
    if n % 3 == 0:
        casework.record_observation(
            case.id,
            catalogue="aalborg.worry_signs",
            sign="relations.new_closed_circle",
            observed_by=secret(f"lærer Birgit{n} Sørensen"),
            observed_on=today,
            actor=ANNE,
            text=secret(f"{name} ses med en ny lukket kreds ({n})"),
        )
    if n % 5 == 2:
        consent = casework.record_consent(
            case.id,
            ANNE,
            given_by=["subject", "custody_holder"],
            recipients=["aalborg.nordjyllands_politi"],
            categories=["case", "notes"],
            given_on=today,
            scope=secret(f"Samtykke {n}: må deles med politiet"),
        )
        casework.disclose(
            case.id,
            ANNE,
            recipient="aalborg.nordjyllands_politi",
            legal_basis="consent",
            categories=["case", "notes"],
            purpose="disclosure",
            consent=consent.id,
            note=secret(f"Sendt til politiet om {name}"),
        )
    if n % 11 == 4:
        casework.suspend(case.id, ANNE, reason=secret(f"Pause {n}: indlagt"))
        casework.resume(case.id, ANNE, reason=secret(f"Genoptaget {n}"))
    if n % 13 == 6:
        due = casework.case(case.id, ANNE, purpose="casework").due[0]
        later = due.due + dt.timedelta(days=10)
        casework.extend_deadline(case.id, due.rule, later, ANNE, reason=secret(f"Syg {n}"))
    if situation == "aalborg.radicalisation":
        casework.record_fact(case.id, "concern_described", ANNE, detail=secret(f"Beskrivelse {n}"))
        casework.fire(case.id, "begin_analysis", ANNE)
        if n % 7 == 1:
            casework.fire(case.id, "close_unfounded", ANNE, reason=secret(f"Ubegrundet {n}"))
    return subject


def mentor_track(world: World, n: int, subject: Subject) -> None:
    """A mentor track for a person who also has a concern: completed, declined, or open."""
    casework, secret = world.casework, world.secret
    track = casework.open_case(workflow="aalborg.mentor", subject=subject, actor=ANNE)
    world.secrets.add(track.id)
    if n % 4 == 3:
        return  # stays open
    if n % 4 == 2:
        casework.fire(track.id, "decline_referral", ANNE, reason=secret(f"Afvist {n}"))
        return
    casework.fire(track.id, "accept_referral", ANNE)
    casework.assign(track.id, MONA.id, ANNE, reason=secret(f"Mona passer {n}"))
    casework.record_fact(track.id, "goals_agreed", ANNE)
    casework.record_fact(track.id, "participation_voluntary", ANNE)
    casework.record_fact(track.id, "custody_holder_involved", ANNE)
    casework.fire(track.id, "start", ANNE)
    held_on = world.clock.now().date()
    casework.record_session(
        track.id, MONA, held_on=held_on, participants=2, note=secret(f"Session {n} gik godt")
    )
    casework.fire(track.id, "begin_review", MONA)
    casework.fire(track.id, "complete", ANNE, reason=secret(f"Gennemført {n}"))


def build_world(
    casework: Casework, clock: VirtualClock, *, people: int = 60, erase: bool = True
) -> World:
    """Concerns on all four cards, mentor tracks, group and environment tracks; some erased."""
    world = World(casework, clock)
    rnd = random.Random(20260105)
    world.secrets.update(actor.id for actor in ACTORS)
    world.secrets.update({GROUP.id, PLACE.id, "relations.new_closed_circle"})
    subjects = []
    for n in range(people):
        subjects.append(open_concern(world, n, rnd))
        clock.advance(dt.timedelta(days=4, minutes=rnd.randint(0, 600)))
    # Mentor tracks for some of the same people: their cases link within an export.
    for n, subject in enumerate(subjects[: max(people // 4, 3)]):
        mentor_track(world, n, subject)
        clock.advance(dt.timedelta(days=2))
    for subject in (GROUP, PLACE):
        workflow = "aalborg.parent_coach" if subject is GROUP else "aalborg.dialogue_ambassador"
        track = casework.open_case(workflow=workflow, subject=subject, actor=ANNE)
        world.secrets.add(track.id)
        casework.add_note(track.id, world.secret(f"Gruppenotat {subject.id}"), ANNE)
    casework.record_missed_deadlines(ANNE)
    if erase:
        clock.advance(dt.timedelta(days=400))
        world.erased = len(casework.erase_due(ADMIN).erased)
    return world


@pytest.fixture(scope="module", name="world")
def _world() -> World:
    clock = VirtualClock(START)
    return build_world(Casework(ssp_core.load_registry(), clock=clock), clock)


# -- reading exports back -------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, object]]:
    """Rows of a CSV or Parquet export file, with missing values as None."""
    if path.suffix == ".parquet":
        return list(pq.read_table(path).to_pylist())
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in rows]


def as_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def exported_text(directory: Path) -> str:
    """Every value of every file of an export, as text (Parquet read back, not compressed bytes)."""
    parts = []
    for path in sorted(directory.iterdir()):
        parts.append(path.read_bytes().decode("utf-8", errors="replace"))
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            parts.append(" ".join(table.column_names))
            parts.extend(str(v) for row in table.to_pylist() for v in row.values())
            parts.append(str(pq.read_metadata(path).metadata))
    return "\n".join(parts)


def assert_nothing_personal(world: World, directory: Path) -> None:
    text = exported_text(directory)
    leaked = sorted(secret for secret in world.secrets if secret in text)
    assert leaked == []
    for path in directory.iterdir():
        if path.name != "README.txt" and path.suffix == ".csv":
            assert ISO_DATE.search(path.read_bytes()) is None, path.name


def brute_force_cases(world: World) -> dict[str, Case]:
    """Every case of the store, read in full by the consultant (not through the export)."""
    rows = world.casework.store.find_cases(CaseQuery())
    return {row.case_id: world.casework.case(row.case_id, ANNE, purpose="casework") for row in rows}


def age_of(case: Case) -> int | None:
    if isinstance(case.subject, RedactedPerson):
        return case.subject.age
    if isinstance(case.subject, Subject):
        first = case.events[0]
        day = getattr(first, "concern_date", None) or case.opened_at.date()
        return age_on(case.subject.birth_date, day)
    return None


def band(age: int | None) -> str | None:
    if age is None:
        return None
    return "aalborg.under_18" if age < 18 else "aalborg.from_18"


# -- event-level export ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_event_export_holds_every_event_and_nothing_personal(
    world: World, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "events"
    result = world.casework.research_export(RITA, kind="events", out=out, fmt=fmt)
    assert world.erased > 0  # some cases lost their key: still exported, without a person
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", f"events.{fmt}"]
    rows = read_rows(out / f"events.{fmt}")
    assert result.rows == {f"events.{fmt}": len(rows)}
    assert list(rows[0]) == list(EVENT_COLUMNS)
    stored = world.casework.store.read_log()
    assert len(rows) == len(stored)
    expected = Counter(
        (e.topic, "{}-W{:02d}".format(*e.at.astimezone(COPENHAGEN).isocalendar()[:2]), e.role)
        for e in stored
    )
    assert Counter((r["event"], r["week"], r["role"]) for r in rows) == expected
    assert all(WEEK.match(str(r["week"])) for r in rows)
    assert {r["event"] for r in rows} >= {
        "CaseOpened", "NoteAdded", "FactRecorded", "Transitioned", "ObservationRecorded",
        "Disclosure", "Assigned", "SessionRecorded", "CaseSuspended", "CaseResumed",
        "DeadlineExtended", "DeadlineMissed",
    }  # fmt: skip
    assert_nothing_personal(world, out)
    readme = " ".join((out / "README.txt").read_text(encoding="utf-8").split())
    assert "drawn at random for this export alone" in readme
    assert "ISO week" in readme and "under_18: 0 to 17" in readme


def test_event_rows_carry_names_and_states_but_no_text(world: World, tmp_path: Path) -> None:
    world.casework.research_export(RITA, kind="events", out=tmp_path / "e")
    rows = read_rows(tmp_path / "e" / "events.csv")
    by_event = {str(r["event"]): r for r in rows}
    opened = by_event["CaseOpened"]
    assert opened["state"] and opened["workflow"] and opened["workflow_version"] in {"1", "2", "3"}
    moved = [r for r in rows if r["event"] == "Transitioned"]
    assert {(r["trigger"], r["source"], r["dest"]) for r in moved} >= {
        ("begin_analysis", "received", "analysis"),
        ("complete", "review", "completed"),
    }
    facts = {r["fact"] for r in rows if r["event"] == "FactRecorded"}
    assert facts == {
        "concern_described",
        "goals_agreed",
        "participation_voluntary",
        "custody_holder_involved",
    }
    assert {r["rule"] for r in rows if r["event"] == "DeadlineMissed"} - {None}
    assert {r["rule"] for r in rows if r["event"] == "DeadlineExtended"} <= {
        "received",
        "police_screening",
    }
    assert any(r["event"] == "DeadlineExtended" and r["rule"] for r in rows)
    situations = {r["situation"] for r in rows if r["event"] == "CaseOpened"}
    assert situations == {"aalborg.radicalisation", "aalborg.armed_conflict_travel", None}
    # Events without names or states carry none: a note row is its type, week and role.
    note = next(r for r in rows if r["event"] == "NoteAdded" and r["person"] is not None)
    assert {k for k, v in note.items() if v is not None} == {
        "case", "person", "seq", "workflow", "workflow_version", "event", "week", "role",
        "age_band",
    }  # fmt: skip


@NEEDS_PYARROW
def test_age_bands_and_person_links_match_the_store(world: World, tmp_path: Path) -> None:
    world.casework.research_export(RITA, kind="events", out=tmp_path / "e", fmt="parquet")
    rows = read_rows(tmp_path / "e" / "events.parquet")
    openings = [r for r in rows if r["event"] == "CaseOpened"]
    cases = brute_force_cases(world)
    assert len(openings) == len(cases)
    assert Counter((r["workflow"], r["age_band"]) for r in openings) == Counter(
        (c.workflow, band(age_of(c))) for c in cases.values()
    )
    # The cases of one person share one export person id; erased and group cases have none.
    by_person: dict[str, list[str]] = {}
    for case in cases.values():
        if isinstance(case.subject, Subject):
            by_person.setdefault(case.subject.pseudonym, []).append(case.workflow)
    expected = Counter(tuple(sorted(flows)) for flows in by_person.values())
    exported: dict[object, list[str]] = {}
    for r in openings:
        if r["person"] is not None:
            exported.setdefault(r["person"], []).append(str(r["workflow"]))
    assert Counter(tuple(sorted(flows)) for flows in exported.values()) == expected
    assert any(len(flows) == 2 for flows in exported.values())
    unlinked = [r for r in openings if r["person"] is None]
    assert len(unlinked) == len(cases) - sum(map(len, by_person.values()))
    assert {r["workflow"] for r in unlinked} >= {
        "aalborg.parent_coach",
        "aalborg.dialogue_ambassador",
    }
    assert {r["age_band"] for r in unlinked if r["workflow"] == "aalborg.parent_coach"} == {None}
    # Every row of a case carries the case's person and band; seq numbers its events.
    per_case: dict[object, list[dict[str, object]]] = {}
    for r in rows:
        per_case.setdefault(r["case"], []).append(r)
    for case_rows in per_case.values():
        assert len({(r["person"], r["age_band"], r["workflow"]) for r in case_rows}) == 1
        assert [r["seq"] for r in case_rows] == list(range(1, len(case_rows) + 1))
        assert case_rows[0]["event"] == "CaseOpened"


def test_ids_are_fresh_per_export_and_unlinkable_to_the_store(world: World, tmp_path: Path) -> None:
    world.casework.research_export(RITA, kind="events", out=tmp_path / "a")
    world.casework.research_export(RITA, kind="events", out=tmp_path / "b")
    first, second = (read_rows(tmp_path / n / "events.csv") for n in "ab")
    cases_a, cases_b = ({str(r["case"]) for r in rows} for rows in (first, second))
    people_a, people_b = (
        {str(r["person"]) for r in rows if r["person"]} for rows in (first, second)
    )
    store_ids = {row.case_id for row in world.casework.store.find_cases(CaseQuery())}
    assert len(cases_a) == len(cases_b) == len(store_ids)
    assert cases_a.isdisjoint(cases_b) and people_a.isdisjoint(people_b)
    assert all(CASE_ID.match(c) for c in cases_a | cases_b)
    assert all(PERSON_ID.match(p) for p in people_a | people_b)
    assert not any(s in c or c in s for c in cases_a for s in store_ids)
    # Cases come in the order of their random ids, not in the store's order.
    order = list(dict.fromkeys(str(r["case"]) for r in first))
    assert order == sorted(order)
    opened = [r for r in first if r["event"] == "CaseOpened"]
    store_order = [
        (rows[0].case_id, rows[0].at)
        for rows in world.casework.store.read_cases(store_ids).values()
    ]
    weeks_in_store_order = [iso_week(at) for _, at in sorted(store_order, key=lambda x: x[1])]
    assert [r["week"] for r in opened] != weeks_in_store_order


def test_named_age_bands_and_ages_outside_them(world: World, tmp_path: Path) -> None:
    world.casework.research_export(
        RITA, kind="events", out=tmp_path / "e", age_bands=["aalborg.ssp", "aalborg.ssp_plus"]
    )
    openings = [r for r in read_rows(tmp_path / "e" / "events.csv") if r["event"] == "CaseOpened"]
    cases = brute_force_cases(world)

    def ssp_band(age: int | None) -> str | None:
        if age is None:
            return None
        return (
            "aalborg.ssp"
            if 10 <= age <= 17
            else "aalborg.ssp_plus"
            if 18 <= age <= 25
            else OTHER_AGE
        )

    assert Counter(r["age_band"] for r in openings) == Counter(
        ssp_band(age_of(c)) for c in cases.values()
    )
    assert {"aalborg.ssp", "aalborg.ssp_plus", OTHER_AGE} <= {r["age_band"] for r in openings}
    readme = " ".join((tmp_path / "e" / "README.txt").read_text(encoding="utf-8").split())
    assert "aalborg.ssp: 10 to 17; aalborg.ssp_plus: 18 to 25" in readme


# -- aggregate tables ------------------------------------------------------------------


def brute_force_tables(world: World) -> dict[str, Counter[tuple[str, ...]]]:
    """The inner counts of both tables, from the consultant's full reads of every case."""
    registry = world.casework.registry
    cards: Counter[tuple[str, ...]] = Counter()
    tracks: Counter[tuple[str, ...]] = Counter()
    for case in brute_force_cases(world).values():
        kind = registry.workflow(case.workflow, case.workflow_version).kind.value
        opened = case.opened_at.astimezone(COPENHAGEN).date()
        if kind == "action_card":
            quarter = f"{opened.year}-Q{(opened.month + 2) // 3}"
            cards[case.workflow, band(age_of(case)) or "unknown", quarter] += 1
        elif kind == "prevention_track":
            final = registry.workflow(case.workflow, case.workflow_version).state(case.state).final
            tracks[case.workflow, case.state if final else "open", str(opened.year)] += 1
    return {CARD_TABLE: cards, TRACK_TABLE: tracks}


def total_of(inner: Counter[tuple[str, ...]], key: tuple[str, ...]) -> int:
    return sum(
        count
        for cell, count in inner.items()
        if all(k in (TOTAL, c) for k, c in zip(key, cell, strict=True))
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_tables_equal_brute_force_counts_and_never_publish_small_cells(
    world: World, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "tables"
    result = world.casework.research_export(RITA, kind="tables", out=out, fmt=fmt)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["README.txt", f"{CARD_TABLE}.{fmt}", f"{TRACK_TABLE}.{fmt}"]
    )
    expected = brute_force_tables(world)
    dims = {CARD_TABLE: ("card", "age_band", "quarter"), TRACK_TABLE: ("track", "outcome", "year")}
    for name, inner in expected.items():
        rows = read_rows(out / f"{name}.{fmt}")
        assert result.rows[f"{name}.{fmt}"] == len(rows)
        assert list(rows[0]) == [*dims[name], "count", "suppressed"]
        published = suppressed = small_hidden = 0
        for row in rows:
            key = tuple(str(row[d]) for d in dims[name])
            truth = total_of(inner, key)
            count = as_int(row["count"])
            if count is None:
                assert row["suppressed"] == "suppressed"  # never which kind: that would tell
                suppressed += 1
                small_hidden += 0 < truth < 5
            else:
                assert row["suppressed"] is None
                assert count == truth, (name, key)
                assert count == 0 or count >= 5, (name, key, count)
                published += count > 0
            assert not 0 < truth < 5 or count is None  # every small count is hidden
        assert published > 0 and suppressed > 0 and small_hidden > 0, name
        # Every combination of levels (and totals) is present: zeros are published.
        assert len({tuple(str(r[d]) for d in dims[name]) for r in rows}) == len(rows)
    cards = read_rows(out / f"{CARD_TABLE}.{fmt}")
    assert {r["quarter"] for r in cards} == {"2026-Q1", "2026-Q2", "2026-Q3", TOTAL}
    assert {r["age_band"] for r in cards} == {"aalborg.under_18", "aalborg.from_18", TOTAL}
    outcomes = {r["outcome"] for r in read_rows(out / f"{TRACK_TABLE}.{fmt}")}
    # Every final state of the tracks is a level, also one no case reached (zeros publish).
    assert outcomes == {"completed", "ended_early", "consent_withdrawn", "open", TOTAL}
    assert_nothing_personal(world, out)
    readme = " ".join((out / "README.txt").read_text(encoding="utf-8").split())
    assert "threshold 5" in readme and "from 1 to 4" in readme


def test_the_card_table_counts_erased_cases_by_their_kept_age(world: World) -> None:
    facts = case_facts(world.casework.store, world.casework.codec, world.casework.registry)
    erased = [c for c in brute_force_cases(world).values() if isinstance(c.subject, RedactedPerson)]
    assert erased and all(c.subject.age is not None for c in erased)  # type: ignore[union-attr]
    ages = Counter(f.age for f in facts if f.workflow.startswith("aalborg.radicalisation"))
    assert sum(ages.values()) == sum(
        1 for c in brute_force_cases(world).values() if "aalborg.radicalisation" in c.workflow
    )
    assert None not in ages


# -- who may export --------------------------------------------------------------------


def test_a_mentor_may_not_export_and_the_refusal_is_audited(world: World, tmp_path: Path) -> None:
    store = world.casework.store
    before = len(store.read_audit(AuditQuery(actor=MONA.id)))
    with pytest.raises(AccessDenied, match=r"research\.export"):
        world.casework.research_export(MONA, kind="tables", out=tmp_path / "t", purpose="research")
    with pytest.raises(AccessDenied):
        world.casework.research_export(RITA, kind="events", out=tmp_path / "t", purpose="casework")
    assert not (tmp_path / "t").exists()
    entries = store.read_audit(AuditQuery(actor=MONA.id))[before:]
    assert [(e.action, e.case_id) for e in entries] == [(AuditAction.DENIED, None)]
    assert entries[0].detail is not None and entries[0].detail.startswith("research.export")


def test_an_export_is_audited_without_case_ids(world: World, tmp_path: Path) -> None:
    store = world.casework.store
    before = len(store.read_audit(AuditQuery(actor=RITA.id)))
    world.casework.research_export(RITA, kind="tables", out=tmp_path / "t")
    entries = store.read_audit(AuditQuery(actor=RITA.id))[before:]
    assert [(e.action, e.case_id, e.purpose) for e in entries] == [
        (AuditAction.EXPORT, None, "research")
    ]
    assert entries[0].detail is not None and "tables as csv" in entries[0].detail


class _MentorResearch:
    """A researcher role whose one grant names one workflow: its exports cover only that."""

    plugin_name = "mentor_research"

    @ssp_core.hookimpl
    def ssp_register_roles(self) -> list[ssp_core.plugins.Role]:
        return [ssp_core.plugins.Role("mentor_researcher", ssp_core.plugins.Labels("F", "R"))]

    @ssp_core.hookimpl
    def ssp_register_grants(self) -> list[ssp_core.plugins.Grant]:
        return [
            ssp_core.plugins.Grant(
                "mentor_researcher", ["research.export"], workflows=["aalborg.mentor"]
            )
        ]


def test_the_export_covers_only_the_workflows_granted(tmp_path: Path) -> None:
    registry = ssp_core.load_registry(plugins=[_MentorResearch()])
    casework = Casework(registry, clock=VirtualClock(START))
    subject = casework.enrol("150310-4123", DAN)
    casework.open_concern(
        situation="aalborg.radicalisation", subject=subject, concern_date=START.date(), actor=DAN
    )
    casework.open_case(workflow="aalborg.mentor", subject=subject, actor=ANNE)
    narrow = Actor("rita", "mentor_researcher")
    casework.research_export(narrow, kind="events", out=tmp_path / "e")
    rows = read_rows(tmp_path / "e" / "events.csv")
    assert {r["workflow"] for r in rows} == {"aalborg.mentor"}
    casework.research_export(RITA, kind="events", out=tmp_path / "all")
    everything = read_rows(tmp_path / "all" / "events.csv")
    assert {r["workflow"] for r in everything} == {
        "aalborg.mentor",
        "aalborg.radicalisation_under_18",
    }


# -- options, errors, files ------------------------------------------------------------


def test_an_export_refuses_a_directory_in_use_and_writes_all_or_nothing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("x")
    with pytest.raises(DataError, match="not an empty directory"):
        world.casework.research_export(RITA, kind="events", out=used)
    empty = tmp_path / "empty"
    empty.mkdir()
    world.casework.research_export(RITA, kind="events", out=empty)
    assert (empty / "events.csv").exists()

    def broken(*_: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(export_module, "write_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        world.casework.research_export(RITA, kind="tables", out=tmp_path / "half")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "used"]


def test_parquet_without_pyarrow_is_a_clear_error(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    before = len(world.casework.store.read_audit(AuditQuery(actor=RITA.id)))
    with pytest.raises(ConfigError) as caught:
        world.casework.research_export(RITA, kind="events", out=tmp_path / "p", fmt="parquet")
    assert str(caught.value) == (
        f"writing Parquet needs pyarrow: {install_hint('parquet')} (or write CSV)"
    )
    assert not (tmp_path / "p").exists()
    assert len(world.casework.store.read_audit(AuditQuery(actor=RITA.id))) == before


def test_unknown_kinds_formats_and_bands_are_named(world: World, tmp_path: Path) -> None:
    with pytest.raises(UnknownId, match="export kind 'cases'"):
        world.casework.research_export(RITA, kind="cases", out=tmp_path / "x")
    with pytest.raises(UnknownId, match="export format 'xlsx'"):
        world.casework.research_export(RITA, kind="events", out=tmp_path / "x", fmt="xlsx")
    with pytest.raises(UnknownId, match="age band 'teens'"):
        world.casework.research_export(RITA, kind="events", out=tmp_path / "x", age_bands=["teens"])
    with pytest.raises(ConfigError, match="overlap"):
        world.casework.research_export(
            RITA, kind="events", out=tmp_path / "x", age_bands=["aalborg.under_18", "aalborg.ssp"]
        )
    assert not (tmp_path / "x").exists()


def test_default_bands_are_the_action_cards_bands() -> None:
    banding = age_banding(ssp_core.load_registry())
    assert [b.id for b in banding.bands] == ["aalborg.under_18", "aalborg.from_18"]
    assert banding.band_of(17) == "aalborg.under_18" and banding.band_of(18) == "aalborg.from_18"
    assert banding.band_of(None) is None


AGES = st.integers(min_value=0, max_value=120)
BAND = st.builds(
    lambda lo, width, n: ssp_core.plugins.AgeBand(f"b{n}", Labels("x", "x"), lo, lo + width),
    st.integers(0, 100),
    st.integers(0, 20),
    st.integers(0, 5),
)


@given(st.lists(BAND, min_size=1, max_size=4, unique_by=lambda b: b.id), AGES)
def test_an_age_falls_in_its_band_or_in_other(
    bands: list[ssp_core.plugins.AgeBand], age: int
) -> None:
    ordered = sorted(bands, key=lambda b: b.min_age)
    overlapping = any(
        a.max_age is not None and a.max_age >= b.min_age for a, b in itertools.pairwise(ordered)
    )
    if overlapping:
        with pytest.raises(ConfigError, match="overlap"):
            AgeBanding(tuple(ordered))
        return
    found = AgeBanding(tuple(ordered)).band_of(age)
    holding = [
        b.id for b in ordered if b.min_age <= age <= (10**6 if b.max_age is None else b.max_age)
    ]
    assert found == (holding[0] if holding else OTHER_AGE)


# hypothesis bounds datetimes by naive values
@given(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2040, 1, 1)))  # noqa: DTZ001
def test_the_week_of_an_instant_holds_its_danish_date(moment: dt.datetime) -> None:
    instant = moment.replace(tzinfo=dt.UTC)
    week = iso_week(instant)
    year, number = int(week[:4]), int(week[6:])
    day = instant.astimezone(COPENHAGEN).date()
    assert (
        dt.date.fromisocalendar(year, number, 1) <= day <= dt.date.fromisocalendar(year, number, 7)
    )


def test_weeks_and_quarters_at_their_edges() -> None:
    # Sunday 23:30 UTC is already Monday in Copenhagen: the next ISO week.
    assert iso_week(dt.datetime(2026, 1, 4, 23, 30, tzinfo=dt.UTC)) == "2026-W02"
    assert iso_week(dt.datetime(2026, 1, 4, 22, 30, tzinfo=dt.UTC)) == "2026-W01"
    assert iso_week(dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)) == "2026-W53"
    assert quarter_of(dt.date(2026, 3, 31)) == "2026-Q1"
    assert quarter_of(dt.date(2026, 4, 1)) == "2026-Q2"
    assert quarter_of(dt.date(2026, 12, 31)) == "2026-Q4"


# -- the command line ------------------------------------------------------------------


@NEEDS_PYARROW
def test_the_command_exports_for_a_researcher(world: World, tmp_path: Path) -> None:
    obj = Context(autoload=None, block=(), language="en", casework=world.casework)
    runner = CliRunner()
    result = runner.invoke(
        export_command,
        ["events", "--out", str(tmp_path / "e"), "--format", "parquet", "--actor", RITA.id,
         "--role", RITA.role],
        obj=obj,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"rows to {tmp_path / 'e' / 'events.parquet'}" in result.output
    assert read_rows(tmp_path / "e" / "events.parquet")
    result = runner.invoke(
        export_command,
        ["tables", "--out", str(tmp_path / "t"), "--age-band", "aalborg.ssp", "--age-band", "aalborg.ssp_plus",
         "--actor", RITA.id, "--role", RITA.role],
        obj=obj,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    bands = {r["age_band"] for r in read_rows(tmp_path / "t" / f"{CARD_TABLE}.csv")}
    assert {"aalborg.ssp", "aalborg.ssp_plus", TOTAL} <= bands
    result = runner.invoke(
        export_command,
        ["tables", "--out", str(tmp_path / "m"), "--actor", MONA.id, "--role", MONA.role],
        obj=obj,
    )
    assert isinstance(result.exception, AccessDenied)
    assert not (tmp_path / "m").exists()


@pytest.fixture(name="ssp_export")
def _ssp_export() -> Iterator[None]:
    """``ssp export`` registered in the ``ssp`` group for this test (the lead registers it)."""
    had = "export" in cli.commands
    cli.add_command(export_command)
    yield
    if not had:
        cli.commands.pop("export")


def test_ssp_export_over_a_store_file(
    ssp_export: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = MunicipalKey.generate()
    monkeypatch.setenv("SSP_KEY", key.export_text())
    url = f"sqlite:///{tmp_path / 'ssp.db'}"
    clock = VirtualClock(START)
    casework = Casework(ssp_core.load_registry(), store=url, key=key, clock=clock)
    world = build_world(casework, clock, people=12, erase=False)
    casework.close()
    base = ["--store", url, "export"]
    code = main([*base, "events", "--out", str(tmp_path / "e"), "--actor", RITA.id,
                 "--role", RITA.role])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "wrote" in out and "events.csv" in out
    assert_nothing_personal(world, tmp_path / "e")
    code = main([*base, "tables", "--out", str(tmp_path / "m"), "--actor", MONA.id,
                 "--role", MONA.role])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "research.export" in err


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(name="postgres_url")
def _postgres_url() -> Iterator[str]:
    """A store URL on a fresh schema of the test server, dropped again afterwards."""
    dsn = find_postgres_dsn()
    if dsn is None:
        pytest.skip(NO_POSTGRES)
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql  # noqa: PLC0415

    schema = f"ssp_test_{uuid.uuid4().hex}"
    joiner = "&" if "?" in dsn else "?"
    yield f"{dsn}{joiner}schema={schema}"
    with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@NEEDS_PYARROW
def test_export_from_postgresql(postgres_url: str, tmp_path: Path) -> None:
    from ssp_core.store import open_store  # noqa: PLC0415

    store: CaseStore = open_store(postgres_url)
    clock = VirtualClock(START)
    try:
        casework = Casework(
            ssp_core.load_registry(), store=store, key=MunicipalKey.generate(), clock=clock
        )
        world = build_world(casework, clock, people=16)
        casework.research_export(RITA, kind="events", out=tmp_path / "e", fmt="parquet")
        casework.research_export(RITA, kind="tables", out=tmp_path / "t")
        rows = read_rows(tmp_path / "e" / "events.parquet")
        assert len(rows) == len(store.read_log())
        assert_nothing_personal(world, tmp_path / "e")
        assert_nothing_personal(world, tmp_path / "t")
        expected = brute_force_tables(world)
        for row in read_rows(tmp_path / "t" / f"{TRACK_TABLE}.csv"):
            key = (str(row["track"]), str(row["outcome"]), str(row["year"]))
            count = as_int(row["count"])
            assert count is None or count == total_of(expected[TRACK_TABLE], key)
    finally:
        store.close()
