"""Coming of age: a person under 18 at the concern who turns 18 while the case is open.

The case keeps its card; the view, the options and ``ssp case coming-of-age`` say
so, within the walls and grants, to readers of the ``subject`` field group only; the
``ssp_after_coming_of_age`` hook hears of each case once.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ssp_core
from ssp_core import Actor, Casework, Subject, VirtualClock
from ssp_core.cli import main
from ssp_core.clock import local_date
from ssp_core.domain.cases import Case
from ssp_core.domain.coming_of_age import ComingOfAge, coming_of_age, earliest_18th_birthday
from ssp_core.domain.events import CaseOpened, ComingOfAgeAnnounced
from ssp_core.domain.people import age_on, turns_age_on
from ssp_core.exceptions import DataError
from ssp_core.plugins import Grant, Role, WorkflowDefinition, hookimpl
from ssp_core.privacy.keys import write_key_file
from ssp_core.store.records import AuditAction, AuditQuery
from ssp_core.testing import pseudonym_for
from tests.district import district_registry
from tests.sample_plugin import L, SamplePlugin

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
HJ_CONSULTANT = Actor("hanne", "hjoerring.ssp_consultant")
LIAISON = Actor("lars", "hjoerring.police_liaison")
FRONTLINE = Actor("dan", "aalborg.frontline_worker")
OTHER_FRONTLINE = Actor("dorte", "aalborg.frontline_worker")
ADMIN = Actor("adm", "aalborg.administrator")
CARD = "aalborg.radicalisation_under_18"


@attrs.define
class AgeWatcher:
    """A plugin that hears of every coming of age."""

    plugin_name = "agewatch"
    heard: list[tuple[str, dt.date, str]] = attrs.Factory(list)

    @hookimpl
    def ssp_after_coming_of_age(
        self, case: Case, on: dt.date, definition: WorkflowDefinition
    ) -> None:
        self.heard.append((case.id, on, definition.id))


@pytest.fixture(name="watcher")
def _watcher() -> AgeWatcher:
    return AgeWatcher()


@pytest.fixture(name="clock")
def _clock() -> VirtualClock:
    return VirtualClock(T0)


@pytest.fixture(name="casework")
def _casework(watcher: AgeWatcher, clock: VirtualClock) -> Casework:
    return Casework(district_registry(watcher), clock=clock, ids=ssp_core.sequential_ids("A-"))


def _concern(
    casework: Casework,
    born: dt.date,
    *,
    actor: Actor = CONSULTANT,
    on: dt.date = dt.date(2026, 3, 1),
    situation: str = "aalborg.radicalisation",
) -> Case:
    return casework.open_concern(
        situation=situation,
        subject=Subject(pseudonym_for(f"p-{born.isoformat()}"), born),
        concern_date=on,
        actor=actor,
    )


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


# -- the 18th birthday -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "eighteen"),
    [
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1)),  # a common year: 1 March (Danish practice)
        (dt.date(2004, 2, 29), dt.date(2022, 3, 1)),
        (dt.date(2012, 2, 29), dt.date(2030, 3, 1)),
        (dt.date(2010, 2, 28), None),
        (dt.date(2010, 3, 1), None),
        (dt.date(2008, 12, 31), None),
        (dt.date(2009, 1, 1), None),
    ],
)
def test_the_18th_birthday(born: dt.date, eighteen: dt.date | None) -> None:
    expected = eighteen or born.replace(year=born.year + 18)
    assert turns_age_on(born, 18) == expected
    assert Subject(pseudonym_for("p"), born).turns_on(18) == expected
    # dateutil's relativedelta would say 28 February; Python's replace() refuses it.
    assert age_on(born, expected) == 18
    assert age_on(born, expected - dt.timedelta(days=1)) == 17


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(DataError, match="0 or more"):
        turns_age_on(dt.date(2010, 1, 1), -1)


BIRTHS = st.dates(dt.date(1990, 1, 1), dt.date(2025, 12, 31)) | st.sampled_from(
    [dt.date(y, 2, 29) for y in (2000, 2004, 2008, 2012)]
    + [dt.date(y, 12, 31) for y in (2007, 2008)]
    + [dt.date(y, 1, 1) for y in (2008, 2009)]
)


@given(born=BIRTHS, years=st.integers(0, 40))
def test_turns_age_on_agrees_with_age_on(born: dt.date, years: int) -> None:
    day = turns_age_on(born, years)
    assert age_on(born, day) == years
    if years:
        assert age_on(born, day - dt.timedelta(days=1)) == years - 1


def _opening(born: dt.date, concern: dt.date, *, workflow: str = CARD) -> Case:
    at = _at(concern)
    return Case.open(
        CaseOpened(
            case_id="C-1",
            version=1,
            at=at,
            actor="anne",
            role="aalborg.ssp_consultant",
            workflow=workflow,
            workflow_version=1,
            state="received",
            subject=Subject(pseudonym_for("p"), born),
            concern_date=concern,
        )
    )


@given(
    born=BIRTHS,
    concern=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
    today=st.dates(dt.date(2000, 1, 1), dt.date(2045, 12, 31)),
    closed_after=st.none() | st.integers(0, 4000),
)
def test_turns_18_on_is_shown_iff_under_18_at_concern_and_reached_while_open(
    born: dt.date, concern: dt.date, today: dt.date, closed_after: int | None
) -> None:
    if concern < born or today < concern:
        return
    case = _opening(born, concern)
    closed_on = None if closed_after is None else concern + dt.timedelta(days=closed_after)
    if closed_on is not None and closed_on > today:
        closed_on = today
    found = coming_of_age(case, until=today, today=today, closed_on=closed_on)
    birthday = turns_age_on(born, 18)
    last = today if closed_on is None else closed_on
    assert (found is not None) == (age_on(born, concern) < 18 and birthday <= last)
    if found is not None:
        assert found.turns_18_on == birthday
        assert found.turned
        assert found.closed == (closed_on is not None)
        assert concern < birthday  # it happened during the case, after the concern


@given(born=BIRTHS, concern=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
def test_the_readable_bound_never_passes_the_birthday(born: dt.date, concern: dt.date) -> None:
    if concern < born:
        return
    bound = earliest_18th_birthday(_opening(born, concern).opening)
    if age_on(born, concern) >= 18:
        assert bound is None
    else:
        assert bound is not None
        assert concern <= bound <= turns_age_on(born, 18)


def test_the_statement_says_the_card_stays() -> None:
    turned = ComingOfAge(dt.date(2026, 5, 3), CARD, turned=True)
    assert turned.statement.en == (
        "turned 18 on 2026-05-03, during this case; the card stays aalborg.radicalisation_under_18"
    )
    assert "fyldte 18 år den 2026-05-03" in turned.statement.da
    assert turned.statement.en.startswith("turned")
    ahead = attrs.evolve(turned, turned=False)
    assert ahead.statement.en.startswith("turns 18 on 2026-05-03")
    track = attrs.evolve(turned, workflow="aalborg.mentor", card=False)
    assert track.statement.en.endswith("it stays on aalborg.mentor")
    closed = attrs.evolve(turned, closed=True)
    assert "while this case was open" in closed.statement.en


# -- the case view and the options -----------------------------------------------------


def _allowed(
    options: tuple[ssp_core.TriggerOption, ...],
) -> list[tuple[str, bool, tuple[str, ...]]]:
    return [(o.trigger, o.allowed, tuple(r.code for r in o.reasons)) for o in options]


def test_the_view_says_when_the_person_turned_18_and_the_rules_stay(
    casework: Casework, clock: VirtualClock
) -> None:
    case = _concern(casework, dt.date(2008, 5, 3))  # 17 on the concern date
    casework.record_fact(case.id, "concern_described", CONSULTANT)
    before = casework.view(case.id, CONSULTANT)
    assert before.coming_of_age is None and before.turns_18_on is None
    assert all(not o.notes for o in before.options)

    clock.set(_at(dt.date(2026, 5, 3)))
    after = casework.view(case.id, CONSULTANT)
    assert after.turns_18_on == dt.date(2026, 5, 3)
    assert after.coming_of_age is not None
    assert after.coming_of_age.statement.en == (
        "turned 18 on 2026-05-03, during this case; the card stays aalborg.radicalisation_under_18"
    )
    # The options say so; which triggers are allowed, and why not, is unchanged.
    assert _allowed(after.options) == _allowed(before.options)
    assert {n.code for o in after.options for n in o.notes} == {"came_of_age"}
    assert casework.options(case.id, CONSULTANT) == after.options
    assert after.options[0].to_dict()["notes"][0]["code"] == "came_of_age"
    # The card stays, and its rules work as before.
    moved = casework.fire(case.id, "begin_analysis", CONSULTANT)
    assert (moved.workflow, moved.workflow_version, moved.state) == (
        CARD,
        case.workflow_version,
        "analysis",
    )


def test_the_view_of_a_closed_case_says_it_only_if_it_happened_while_open(
    casework: Casework, clock: VirtualClock
) -> None:
    early = _concern(casework, dt.date(2008, 5, 3))
    late = _concern(casework, dt.date(2008, 4, 1))
    clock.set(_at(dt.date(2026, 4, 15)))
    for case in (early, late):
        casework.fire(case.id, "close_unfounded", CONSULTANT, reason="not substantiated")
    clock.set(_at(dt.date(2026, 6, 1)))
    assert casework.view(early.id, CONSULTANT).coming_of_age is None  # 18 after closing
    seen = casework.view(late.id, CONSULTANT).coming_of_age
    assert seen is not None and seen.closed and seen.turns_18_on == dt.date(2026, 4, 1)
    assert all(not o.notes for o in casework.view(late.id, CONSULTANT).options)


def test_nothing_is_said_of_an_adult_or_a_group(casework: Casework, clock: VirtualClock) -> None:
    adult = _concern(casework, dt.date(2000, 1, 1))
    track = casework.open_case(
        workflow="aalborg.dialogue_ambassador",
        subject=ssp_core.Environment("aalborg.youth", L("youth")),
        actor=CONSULTANT,
    )
    clock.advance(dt.timedelta(days=800))
    assert casework.view(adult.id, CONSULTANT).coming_of_age is None
    assert casework.view(track.id, CONSULTANT).coming_of_age is None
    assert casework.coming_of_age(CONSULTANT, within=10_000) == []


# -- a reader without the subject field group ------------------------------------------


@attrs.define
class WithClerk(SamplePlugin):
    """The sample plugin with a clerk who reads cases without the subject field group."""

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [*super().ssp_register_roles(), Role("sample.clerk", L("clerk"))]

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return [
            *super().ssp_register_grants(),
            Grant(
                "sample.clerk",
                ["case.read", "case.search", "case.deadlines"],
                field_groups=["notes"],
                purposes=["casework"],
            ),
        ]


def test_a_reader_without_the_subject_group_learns_no_date(
    ssp_registry_factory: object, clock: VirtualClock
) -> None:
    registry = ssp_core.testing.make_registry(WithClerk())
    casework = Casework(registry, clock=clock)
    consultant, clerk = Actor("c", "sample.consultant"), Actor("k", "sample.clerk")
    case = casework.open_concern(
        situation="sample.worry",
        subject=Subject(pseudonym_for("p"), dt.date(2008, 3, 10)),
        concern_date=dt.date(2026, 3, 1),
        actor=consultant,
    )
    clock.set(_at(dt.date(2026, 3, 20)))
    assert casework.view(case.id, consultant).turns_18_on == dt.date(2026, 3, 10)
    view = casework.view(case.id, clerk)
    assert view.coming_of_age is None and view.turns_18_on is None
    assert all(not o.notes for o in view.options)
    assert casework.coming_of_age(clerk, within=365) == []
    assert casework.record_coming_of_age(clerk) == []  # it cannot know: nothing recorded
    assert _ids(casework.coming_of_age(consultant)) == [case.id]


# -- the list --------------------------------------------------------------------------


def _ids(items: list[ssp_core.application.ComingOfAgeRow]) -> list[str]:
    return [item.row.case_id for item in items]


def test_the_list_shows_who_turned_and_who_turns_18_soonest_first(
    casework: Casework, clock: VirtualClock
) -> None:
    turned = _concern(casework, dt.date(2008, 3, 1) + dt.timedelta(days=10))  # 2008-03-11
    soon = _concern(casework, dt.date(2008, 4, 20))
    later = _concern(casework, dt.date(2008, 9, 1))
    young = _concern(casework, dt.date(2013, 1, 1))
    _concern(casework, dt.date(2000, 1, 1))  # 26: never listed
    clock.set(_at(dt.date(2026, 4, 1)))
    assert _ids(casework.coming_of_age(CONSULTANT)) == [turned.id]
    within = casework.coming_of_age(CONSULTANT, within=30)
    assert _ids(within) == [turned.id, soon.id]
    assert [i.coming_of_age.turned for i in within] == [True, False]
    assert within[1].coming_of_age.turns_18_on == dt.date(2026, 4, 20)
    assert _ids(casework.coming_of_age(CONSULTANT, within=365)) == [turned.id, soon.id, later.id]
    assert young.id not in _ids(casework.coming_of_age(CONSULTANT, within=4 * 365))
    assert young.id in _ids(casework.coming_of_age(CONSULTANT, within=5 * 365))
    with pytest.raises(DataError, match="0 days or more"):
        casework.coming_of_age(CONSULTANT, within=-1)


def test_the_list_is_audited_and_opens_only_candidates(
    casework: Casework, clock: VirtualClock
) -> None:
    turned = _concern(casework, dt.date(2008, 3, 11))
    young = _concern(casework, dt.date(2014, 1, 1))
    adult = _concern(casework, dt.date(2000, 1, 1))
    clock.set(_at(dt.date(2026, 4, 1)))
    casework.coming_of_age(CONSULTANT, purpose="casework")
    entries = casework.store.read_audit(AuditQuery(actor=CONSULTANT.id))
    searches = [e for e in entries if e.action is AuditAction.SEARCH]
    assert searches and "coming of age" in (searches[-1].detail or "")
    opened = {e.case_id for e in entries if e.action is AuditAction.LOAD}
    # Only the case whose readable age at the concern let its person be 18 by now.
    assert opened == {turned.id}
    assert young.id not in opened and adult.id not in opened


def test_the_list_keeps_to_the_walls_grants_and_purposes(
    casework: Casework, clock: VirtualClock
) -> None:
    aalborg = _concern(casework, dt.date(2008, 3, 11))
    hjoerring = _concern(
        casework, dt.date(2008, 3, 12), actor=HJ_CONSULTANT, situation="hjoerring.radicalisation"
    )
    own = _concern(casework, dt.date(2008, 3, 13), actor=FRONTLINE)
    clock.set(_at(dt.date(2026, 4, 1)))
    # Each municipality's staff see their own cases only.
    assert _ids(casework.coming_of_age(CONSULTANT)) == [aalborg.id, own.id]
    assert _ids(casework.coming_of_age(HJ_CONSULTANT)) == [hjoerring.id]
    # The district-wide police liaison reaches both.
    assert _ids(casework.coming_of_age(LIAISON)) == [aalborg.id, hjoerring.id, own.id]
    # A frontline worker sees the concerns they opened or are assigned, no others.
    assert _ids(casework.coming_of_age(FRONTLINE)) == [own.id]
    assert _ids(casework.coming_of_age(OTHER_FRONTLINE)) == []
    # The administrator may search but not read a birth date.
    assert casework.coming_of_age(ADMIN) == []
    # A purpose the grants do not cover is refused, and the refusal audited.
    with pytest.raises(ssp_core.AccessDenied):
        casework.coming_of_age(CONSULTANT, purpose="research")


# -- the announcement and the hook -----------------------------------------------------


def test_the_hook_hears_of_each_case_once(
    casework: Casework, clock: VirtualClock, watcher: AgeWatcher
) -> None:
    first = _concern(casework, dt.date(2008, 3, 11))
    second = _concern(casework, dt.date(2008, 5, 1))
    other = _concern(
        casework, dt.date(2008, 3, 12), actor=HJ_CONSULTANT, situation="hjoerring.radicalisation"
    )
    clock.set(_at(dt.date(2026, 4, 1)))
    with pytest.raises(DataError, match="after today"):
        casework.record_coming_of_age(CONSULTANT, on=dt.date(2026, 4, 2))
    recorded = casework.record_coming_of_age(CONSULTANT)
    assert [(c.id, c.workflow) for c, _ in recorded] == [(first.id, CARD)]
    assert watcher.heard == [(first.id, dt.date(2026, 3, 11), CARD)]
    assert casework.record_coming_of_age(CONSULTANT) == []  # a second run: nothing new
    assert len(watcher.heard) == 1
    history = casework.history(first.id, CONSULTANT, purpose="casework")
    assert isinstance(history[-1], ComingOfAgeAnnounced)
    assert [i.announced for i in casework.coming_of_age(CONSULTANT)] == [True]

    clock.set(_at(dt.date(2026, 5, 2)))
    casework.record_coming_of_age(CONSULTANT)
    casework.record_coming_of_age(CONSULTANT)
    assert watcher.heard == [
        (first.id, dt.date(2026, 3, 11), CARD),
        (second.id, dt.date(2026, 5, 1), CARD),
    ]
    casework.record_coming_of_age(HJ_CONSULTANT)
    assert watcher.heard[-1][0] == other.id and len(watcher.heard) == 3
    # The card and its state are as they were.
    assert casework.case(first.id, CONSULTANT, purpose="casework").state == "received"


def test_the_announcement_is_not_in_the_research_export(
    casework: Casework, clock: VirtualClock, tmp_path: pathlib.Path
) -> None:
    _concern(casework, dt.date(2008, 3, 11))
    clock.set(_at(dt.date(2026, 4, 1)))
    assert casework.record_coming_of_age(CONSULTANT)
    out = tmp_path / "e"
    casework.research_export(Actor("r", "aalborg.researcher"), kind="events", out=out)
    text = (out / "events.csv").read_text(encoding="utf-8")
    assert "ComingOfAgeAnnounced" not in text
    assert "CaseOpened" in text


# -- the command line ------------------------------------------------------------------


def test_the_command_line_lists_shows_and_records(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "municipal.key"
    write_key_file(key)
    monkeypatch.setenv("SSP_KEY_FILE", str(key))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    acting = ["--actor", "anne", "--role", "aalborg.ssp_consultant"]

    def ssp(*args: str) -> str:
        code = main(["--store", url, *args, *acting])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    today = local_date(dt.datetime.now(dt.UTC))
    eighteen = today - dt.timedelta(days=10)
    if (eighteen.month, eighteen.day) == (2, 29):
        eighteen -= dt.timedelta(days=1)
    born = eighteen.replace(year=eighteen.year - 18)
    concern = today - dt.timedelta(days=40)
    opened = json.loads(
        ssp(
            "case", "open", "--situation", "aalborg.radicalisation", "--pseudonym", pseudonym_for("P1"),
            "--birth-date", born.isoformat(), "--concern-date", concern.isoformat(), "--json",
        )
    )  # fmt: skip
    case_id, day = opened["id"], eighteen.isoformat()
    assert opened["workflow"] == CARD
    listed = json.loads(ssp("case", "coming-of-age", "--json"))
    assert [c["case"] for c in listed["cases"]] == [case_id]
    assert listed["cases"][0]["turns_18_on"] == day
    assert (
        json.loads(ssp("case", "coming-of-age", "--on", concern.isoformat(), "--json"))["cases"]
        == []
    )
    shown = json.loads(ssp("case", "show", case_id, "--json"))
    assert shown["turns_18_on"] == day
    assert shown["coming_of_age"]["statement"]["en"].startswith(f"turned 18 on {day}")
    assert all(o["notes"] for o in shown["options"])
    text = ssp("case", "show", case_id)
    assert f"turned 18 on {day}, during this case" in " ".join(text.split())
    assert "note:" in text
    assert f"recorded: {case_id} came of age on {day}" in ssp("case", "coming-of-age", "--record")
    again = json.loads(ssp("case", "coming-of-age", "--record", "--json"))
    assert again["recorded"] == [] and again["cases"][0]["announced"] is True
    table = ssp("case", "coming-of-age", "--within", "30")
    assert "1 case(s)" in table and "announced" in table
    assert "came of age" in ssp("case", "history", case_id)
