"""The use cases the application layer added when rules left the command line.

``Casework.open_for_person`` (enrol a person and open a case about them) refuses
before anyone is enrolled; ``view`` and ``view_of`` agree with ``options`` and
``deadlines``; ``describe_store`` and ``upgrade_store_at`` work on a store URL with
the injected clock.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssp_core
from ssp_core import (
    AccessDenied,
    Actor,
    Casework,
    ConfigError,
    DataError,
    MunicipalKey,
    VirtualClock,
)
from ssp_core.application import describe_store, upgrade_store_at
from ssp_core.store import open_store
from ssp_core.store.base import SCHEMA_VERSION
from ssp_core.store.records import AuditAction, AuditQuery

START = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
CPR = "201109-4017"  # born 2009-11-20: 16 on the start day
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
TEACHER = Actor("dan", "aalborg.frontline_worker")
MENTOR = Actor("eva", "aalborg.mentor")
ADMIN = Actor("root", "aalborg.administrator")
REGISTRY = ssp_core.load_registry()


def casework(**kwargs: object) -> Casework:
    return Casework(REGISTRY, clock=VirtualClock(START), **kwargs)  # type: ignore[arg-type]


def enrolled(work: Casework) -> bool:
    subject = work.pseudonymiser.pseudonym(CPR)
    return work.store.read_identity(subject) is not None


def test_a_person_is_enrolled_and_a_concern_opened_in_one_call() -> None:
    work = casework()
    case = work.open_for_person(CPR, actor=TEACHER, situation="aalborg.radicalisation", name="Alex")
    assert case.workflow == "aalborg.radicalisation_under_18"
    assert enrolled(work)
    identity = work.reidentify(case.id, CONSULTANT, purpose="reidentification")
    assert identity.cpr == CPR.replace("-", "") and identity.name == "Alex"
    track = work.open_for_person(CPR, actor=CONSULTANT, workflow="aalborg.mentor")
    assert track.workflow == "aalborg.mentor"


@pytest.mark.parametrize(
    ("options", "actor", "error", "message"),
    [
        (
            {
                "situation": "aalborg.radicalisation",
                "concern_date": START.date() + dt.timedelta(days=1),
            },
            TEACHER,
            DataError,
            "is in the future",
        ),
        ({"situation": "aalborg.radicalisation"}, MENTOR, AccessDenied, "may not case.open"),
        ({"workflow": "core.safety_walk"}, CONSULTANT, DataError, "not a person"),
        ({"situation": "nonsense"}, CONSULTANT, DataError, "nonsense"),
        ({}, CONSULTANT, DataError, "either a situation"),
        (
            {"situation": "aalborg.radicalisation", "workflow": "aalborg.mentor"},
            CONSULTANT,
            DataError,
            "either a situation",
        ),
    ],
)
def test_a_refused_opening_enrols_nobody(
    options: dict[str, object], actor: Actor, error: type[Exception], message: str
) -> None:
    work = casework()
    with pytest.raises(error, match=message):
        work.open_for_person(CPR, actor=actor, **options)  # type: ignore[arg-type]
    assert not enrolled(work)
    assert work.store.find_cases(ssp_core.CaseQuery()) == []


def test_without_a_key_the_number_is_never_asked_for(tmp_path: Path) -> None:
    work = Casework(REGISTRY, store=f"sqlite:///{tmp_path / 's.db'}", clock=VirtualClock(START))

    def ask() -> str:
        raise AssertionError("the CPR number was asked for without a key")

    with pytest.raises(ConfigError, match="no municipal key"):
        work.open_for_person(ask, actor=TEACHER, situation="aalborg.radicalisation")
    work.close()


def test_the_refusal_is_audited_once() -> None:
    work = casework()
    with pytest.raises(AccessDenied):
        work.open_for_person(CPR, actor=MENTOR, situation="aalborg.radicalisation")
    denied = [
        e for e in work.store.read_audit(AuditQuery(actor=MENTOR.id))
        if e.action is AuditAction.DENIED
    ]  # fmt: skip
    assert len(denied) == 1 and denied[0].detail is not None
    assert denied[0].detail.startswith("case.open")
    assert CPR not in repr(denied) and CPR.replace("-", "") not in repr(denied)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([CONSULTANT, TEACHER, MENTOR]))
def test_a_view_is_the_case_its_deadlines_and_options(actor: Actor) -> None:
    work = casework()
    case = work.open_for_person(CPR, actor=TEACHER, situation="aalborg.radicalisation")
    work.record_fact(case.id, "concern_described", CONSULTANT)
    try:
        view = work.view(case.id, actor)
    except AccessDenied:
        with pytest.raises(AccessDenied):
            work.options(case.id, actor)
        return
    assert view.case.events == work.case(case.id, actor, purpose="casework").events
    assert view.deadlines == work.deadlines(case.id, actor)
    assert view.options == work.options(case.id, actor)
    assert work.view_of(view.case, actor) == view


def test_describe_and_upgrade_a_store_by_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    open_store(url).close()
    info = describe_store(url)
    assert (info.schema_version, info.cases, info.events) == (SCHEMA_VERSION, 0, 0)
    done = upgrade_store_at(url, ADMIN, registry=REGISTRY, clock=VirtualClock(START))
    assert not done.upgraded and done.schema_version == SCHEMA_VERSION
    with pytest.raises(AccessDenied, match="store.upgrade"):
        upgrade_store_at(url, CONSULTANT, registry=REGISTRY)


def test_the_facades_parts_are_the_parts_its_use_cases_share() -> None:
    work = casework(key=MunicipalKey.generate())
    assert work.store is work.services.store and work.registry is work.services.registry
    assert work.clock is work.services.clock and work.policy is work.services.policy
