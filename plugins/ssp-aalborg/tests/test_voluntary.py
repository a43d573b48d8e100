"""Voluntary work stays voluntary: consent can be withdrawn, and minors start with their parents.

Version 2 of Aalborg's 18+ cards and of the mentor and parent-coach tracks ends a
case in ``consent_withdrawn`` when the person withdraws a consent that covered taking
part; no disclosure rests on that consent afterwards. A mentor track for someone
under 18 becomes active only once the young person was told it is voluntary and the
custody holder is involved, or the reason why not is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from ssp_aalborg import hooks
from ssp_core import Actor, Casework, DisclosureRefused, Registry, Subject, VirtualClock
from ssp_core.application import sequential_ids
from ssp_core.exceptions import TransitionRefused

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
MENTOR = Actor("eva", "aalborg.mentor")
SOCIAL = "aalborg.social_services"


@pytest.fixture(name="casework")
def _casework(ssp_registry_factory: Callable[..., Registry]) -> Casework:
    return Casework(ssp_registry_factory(hooks), clock=VirtualClock(T0), ids=sequential_ids())


def person(age: int) -> Subject:
    return Subject("c" * 32, T0.date().replace(year=T0.year - age) - dt.timedelta(days=1))


def _consent(casework: Casework, case_id: str, *, participation: bool) -> str:
    consent = casework.record_consent(
        case_id,
        CONSULTANT,
        given_by=["subject"],
        recipients=[SOCIAL],
        categories=["case", "notes"],
        given_on=T0.date(),
        scope="Agrees to the mentor course and to the social services knowing.",
        participation=participation,
    )
    assert consent.id is not None
    return consent.id


@pytest.mark.parametrize("card", ["aalborg.radicalisation_from_18", "aalborg.travel_from_18"])
def test_withdrawing_consent_ends_an_18_plus_intervention(casework: Casework, card: str) -> None:
    case = casework.open_case(workflow=card, subject=person(24), actor=CONSULTANT)
    assert case.workflow_version == (3 if card == "aalborg.travel_from_18" else 2)
    if case.state == "police_screening":
        police = Actor("bo", "aalborg.police_ssp_coordinator")
        for fact in ("police_screening_done", "pet_informed", "passport_measures_considered"):
            casework.record_fact(case.id, fact, police)
        casework.fire(case.id, "release_to_casework", police, reason="Screened.")
    casework.record_fact(case.id, "concern_described", CONSULTANT)
    casework.fire(case.id, "begin_analysis", CONSULTANT)
    casework.fire(case.id, "complete_analysis", CONSULTANT)
    casework.record_fact(case.id, "offer_voluntary_explained", CONSULTANT)
    casework.record_fact(case.id, "consent_given", CONSULTANT, detail="In writing.")
    casework.fire(case.id, "start_intervention", CONSULTANT)
    sharing = _consent(casework, case.id, participation=False)
    taking_part = _consent(casework, case.id, participation=True)
    # Withdrawing the consent to share with social services stops the sharing only.
    casework.withdraw_consent(case.id, sharing, CONSULTANT, reason="no more sharing")
    assert casework.case(case.id, CONSULTANT, purpose="casework").state == "intervention"
    # Withdrawing the consent to take part ends the intervention, in a state that says so.
    ended = casework.withdraw_consent(case.id, taking_part, CONSULTANT, reason="wants out")
    assert ended.state == "consent_withdrawn"
    last = ended.events[-1]
    assert getattr(last, "reason", None) == (
        f"consent {taking_part} to taking part was withdrawn: wants out"
    )
    for consent in (sharing, taking_part):
        with pytest.raises(DisclosureRefused, match=f"{consent} was withdrawn"):
            casework.disclose(
                case.id,
                CONSULTANT,
                recipient=SOCIAL,
                legal_basis="consent",
                categories=["case"],
                purpose="disclosure",
                consent=consent,
            )


def test_a_refused_withdrawal_changes_nothing(casework: Casework) -> None:
    track = casework.open_case(workflow="aalborg.mentor", subject=person(20), actor=CONSULTANT)
    consent = _consent(casework, track.id, participation=True)
    casework.fire(track.id, "accept_referral", CONSULTANT)
    before = casework.history(track.id, CONSULTANT, purpose="casework")
    police = Actor("bo", "aalborg.police_ssp_coordinator")
    with pytest.raises(Exception, match="may not"):
        casework.withdraw_consent(track.id, consent, police)
    assert casework.history(track.id, CONSULTANT, purpose="casework") == before


@pytest.mark.parametrize(("age", "needs_parents"), [(16, True), (17, True), (18, False)])
def test_a_mentor_track_for_a_minor_starts_with_voluntariness_and_parents(
    casework: Casework, age: int, *, needs_parents: bool
) -> None:
    track = casework.open_case(workflow="aalborg.mentor", subject=person(age), actor=CONSULTANT)
    assert track.workflow_version == 2
    casework.fire(track.id, "accept_referral", CONSULTANT)
    casework.assign(track.id, MENTOR.id, CONSULTANT)
    casework.record_fact(track.id, "goals_agreed", CONSULTANT)
    if needs_parents:
        with pytest.raises(TransitionRefused, match="voluntary_for_a_minor"):
            casework.fire(track.id, "start", CONSULTANT)
        casework.record_fact(track.id, "participation_voluntary", CONSULTANT)
        with pytest.raises(TransitionRefused, match="voluntary_for_a_minor"):
            casework.fire(track.id, "start", CONSULTANT)
        with pytest.raises(Exception, match="detail"):
            casework.record_fact(track.id, "custody_holder_not_involved", CONSULTANT)
        casework.record_fact(
            track.id, "custody_holder_not_involved", CONSULTANT, detail="Placed outside home."
        )
    started = casework.fire(track.id, "start", CONSULTANT)
    assert started.state == "active"
