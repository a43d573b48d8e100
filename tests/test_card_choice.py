"""The card choice is enforced: an action card named directly is checked like a concern.

``open_case``, ``open_for_person`` and ``ssp case open --workflow`` apply the rule
``open_concern`` applies when it chooses a card: the person's age on the concern date
must lie in the card's age band, and a situation named must be the card's. Outside
the band the opening is refused (audited as denied, nothing written) unless the
actor's role is granted ``case.open_outside_band`` and a written reason is given.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ssp_core
from ssp_core import AccessDenied, Actor, CardRefused, Casework, DataError, Subject, VirtualClock
from ssp_core.cli import main
from ssp_core.domain.events import CaseOpened
from ssp_core.privacy.keys import write_key_file
from ssp_core.store.records import AuditAction, AuditQuery, CaseQuery
from ssp_core.testing import pseudonym_for
from ssp_core.workflows.definition import WorkflowKind

START = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
TODAY = START.date()
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
TEACHER = Actor("dan", "aalborg.frontline_worker")
POLICE = Actor("per", "aalborg.police_ssp_coordinator")
REGISTRY = ssp_core.load_registry()
CARDS = sorted(d.id for d in REGISTRY.latest_workflows(WorkflowKind.ACTION_CARD))
ADULT_CARD = "aalborg.radicalisation_from_18"
CHILD_CARD = "aalborg.radicalisation_under_18"
SIXTEEN = Subject(pseudonym_for("p-16"), dt.date(2009, 11, 20))  # 16 on TODAY
REASON = "placed in an adult institution; agreed with children's services"


def casework() -> Casework:
    return Casework(REGISTRY, clock=VirtualClock(START))


def born(age: int, on: dt.date = TODAY) -> dt.date:
    """Return a birth date that makes a person ``age`` on ``on`` (birthday a week before)."""
    day = on - dt.timedelta(days=7)
    return day.replace(year=day.year - age)


def denials(work: Casework, actor: Actor) -> list[str]:
    entries = work.store.read_audit(AuditQuery(actor=actor.id))
    return [e.detail or "" for e in entries if e.action is AuditAction.DENIED]


def test_a_sixteen_year_old_cannot_be_opened_on_the_adult_card() -> None:
    work = casework()
    with pytest.raises(CardRefused) as refused:
        work.open_case(workflow=ADULT_CARD, subject=SIXTEEN, actor=TEACHER)
    message = str(refused.value)
    assert "aalborg.radicalisation_from_18@2" in message
    assert "'aalborg.from_18' (18 and over)" in message
    assert "the card for age 16 is aalborg.radicalisation_under_18" in message
    assert "p-16" not in message  # the person is never named
    assert work.store.find_cases(CaseQuery()) == []
    assert denials(work, TEACHER) == [f"case.open: {message.split('; a role', maxsplit=1)[0]}"]


def test_the_consultant_too_needs_the_override_and_says_so() -> None:
    work = casework()
    with pytest.raises(CardRefused, match="case.open_outside_band may open it"):
        work.open_case(workflow=ADULT_CARD, subject=SIXTEEN, actor=CONSULTANT, reason=REASON)
    assert work.store.find_cases(CaseQuery()) == []


def test_the_override_opens_the_card_with_the_reason_recorded_and_audited() -> None:
    work = casework()
    case = work.open_case(
        workflow=ADULT_CARD, subject=SIXTEEN, actor=CONSULTANT, outside_band=True, reason=REASON
    )
    assert case.workflow == ADULT_CARD
    opening = case.events[0]
    assert isinstance(opening, CaseOpened)
    assert opening.reason is not None
    assert "outside the card's age band aalborg.from_18" in opening.reason
    assert "case.open_outside_band" in opening.reason and REASON in opening.reason
    assert opening.situation == "aalborg.radicalisation" and opening.concern_date == TODAY
    entries = work.store.read_audit(AuditQuery(actor=CONSULTANT.id, case_id=case.id))
    assert any(
        e.action is AuditAction.WRITE and (e.detail or "").startswith("case.open_outside_band")
        for e in entries
    )


def test_the_override_needs_a_written_reason() -> None:
    work = casework()
    for reason in (None, "  "):
        with pytest.raises(CardRefused, match="needs a written reason"):
            work.open_case(
                workflow=ADULT_CARD,
                subject=SIXTEEN,
                actor=CONSULTANT,
                outside_band=True,
                reason=reason,
            )
    assert work.store.find_cases(CaseQuery()) == []
    assert len(denials(work, CONSULTANT)) == 2


@pytest.mark.parametrize("actor", [TEACHER, POLICE])
def test_the_override_needs_a_granted_role(actor: Actor) -> None:
    work = casework()
    with pytest.raises(AccessDenied) as denied:
        work.open_case(
            workflow=ADULT_CARD, subject=SIXTEEN, actor=actor, outside_band=True, reason=REASON
        )
    assert denied.value.operation == "case.open_outside_band"
    assert work.store.find_cases(CaseQuery()) == []
    assert [d.split(":")[0] for d in denials(work, actor)] == ["case.open_outside_band"]


def test_a_wrong_situation_is_refused_even_with_the_override() -> None:
    work = casework()
    with pytest.raises(CardRefused, match="is for situation 'aalborg.radicalisation'") as refused:
        work.open_case(
            workflow=CHILD_CARD,
            subject=SIXTEEN,
            actor=CONSULTANT,
            situation="aalborg.armed_conflict_travel",
            outside_band=True,
            reason=REASON,
        )
    assert "the card for it is aalborg.travel_under_18" in str(refused.value)
    assert work.store.find_cases(CaseQuery()) == []


def test_the_age_counts_on_the_concern_date() -> None:
    work = casework()
    turned_18_last_week = Subject(pseudonym_for("p-18"), born(18))
    with pytest.raises(CardRefused):
        work.open_case(workflow=CHILD_CARD, subject=turned_18_last_week, actor=TEACHER)
    case = work.open_case(
        workflow=CHILD_CARD,
        subject=turned_18_last_week,
        actor=TEACHER,
        concern_date=TODAY - dt.timedelta(days=30),
    )
    assert case.workflow == CHILD_CARD
    with pytest.raises(DataError, match="in the future"):
        work.open_case(
            workflow=CHILD_CARD,
            subject=SIXTEEN,
            actor=TEACHER,
            concern_date=TODAY + dt.timedelta(days=1),
        )


def test_a_track_is_no_action_card() -> None:
    work = casework()
    assert work.open_case(workflow="aalborg.mentor", subject=SIXTEEN, actor=CONSULTANT)
    with pytest.raises(DataError, match="not an action card"):
        work.open_case(
            workflow="aalborg.mentor",
            subject=SIXTEEN,
            actor=CONSULTANT,
            situation="aalborg.radicalisation",
        )


def test_open_for_person_refuses_before_anyone_is_enrolled() -> None:
    work = casework()
    cpr = "201109-4017"  # 16 on TODAY
    with pytest.raises(CardRefused):
        work.open_for_person(cpr, actor=TEACHER, workflow=ADULT_CARD)
    assert work.store.read_identity(work.pseudonymiser.pseudonym(cpr)) is None
    assert work.store.find_cases(CaseQuery()) == []
    case = work.open_for_person(
        cpr, actor=CONSULTANT, workflow=ADULT_CARD, outside_band=True, reason=REASON
    )
    assert case.workflow == ADULT_CARD


@given(age=st.integers(min_value=0, max_value=40), card=st.sampled_from(CARDS))
def test_open_case_succeeds_without_override_iff_the_age_is_in_the_band(
    age: int, card: str
) -> None:
    work = casework()
    definition = REGISTRY.workflow(card)
    assert definition.applies_to is not None
    inside = REGISTRY.age_bands[definition.applies_to.age_band].contains(age)
    subject = Subject(pseudonym_for(f"p-{age}"), born(age))
    try:
        case = work.open_case(workflow=card, subject=subject, actor=TEACHER)
    except CardRefused:
        assert not inside
        assert work.store.find_cases(CaseQuery()) == []
    else:
        assert inside
        assert case.workflow == card
        # the same card the concern would have chosen
        chosen = REGISTRY.select_card(definition.applies_to.situation, age, "aalborg")
        assert chosen.id == card


# --- the command line --------------------------------------------------------------------


@pytest.fixture(name="ssp")
def _ssp(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    key = tmp_path / "municipal.key"
    write_key_file(key)
    monkeypatch.setenv("SSP_KEY_FILE", str(key))
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--store", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.url = url  # type: ignore[attr-defined]
    return run


OPEN_ADULT = (
    "case", "open", "--workflow", ADULT_CARD, "--pseudonym", pseudonym_for("p-16"),
    "--birth-date", "2009-11-20", "--concern-date", "2026-03-02",
)  # fmt: skip


def test_the_cli_refuses_the_adult_card_for_a_child_in_one_line(ssp) -> None:  # type: ignore[no-untyped-def]
    code, out, err = ssp(*OPEN_ADULT, "--actor", "dan", "--role", "aalborg.frontline_worker")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: action card ")
    assert "aalborg.from_18" in err and "aalborg.radicalisation_under_18" in err
    store = ssp_core.open_store(ssp.url)
    assert store.find_cases(CaseQuery()) == []
    denied = [e for e in store.read_audit(AuditQuery()) if e.action is AuditAction.DENIED]
    assert len(denied) == 1 and denied[0].actor == "dan"


def test_the_cli_override_needs_the_flag_the_role_and_a_reason(ssp) -> None:  # type: ignore[no-untyped-def]
    consultant = ("--actor", "anne", "--role", "aalborg.ssp_consultant")
    teacher = ("--actor", "dan", "--role", "aalborg.frontline_worker")
    code, _, err = ssp(*OPEN_ADULT, "--outside-band", "--reason", REASON, *teacher)
    assert code == 1 and "may not case.open_outside_band" in err
    code, _, err = ssp(*OPEN_ADULT, "--outside-band", *consultant)
    assert code == 1 and "needs a written reason" in err
    code, out, err = ssp(*OPEN_ADULT, "--outside-band", "--reason", REASON, "--json", *consultant)
    assert code == 0, err
    assert json.loads(out)["workflow"] == ADULT_CARD
