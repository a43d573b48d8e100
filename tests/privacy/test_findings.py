"""The seven findings of the "lawful by construction" issue, each on SQLite and PostgreSQL.

Each test reproduces one finding through ``Casework`` on a store of the backend and
checks that it is now refused (audited, nothing written) or surfaced. The rules
themselves are tested in depth elsewhere (``test_legal_rules.py``,
``test_card_choice.py``, ``plugins/ssp-aalborg/tests/test_notification.py`` and
``test_voluntary.py``, ``test_coming_of_age.py``); here the point is that they hold on
both stores.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ssp_core import Actor, Casework, DisclosureRefused, Subject, VirtualClock
from ssp_core.exceptions import CardRefused, TransitionRefused
from ssp_core.store.records import AuditAction, AuditQuery
from tests.privacy.conftest import MakeCasework

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
POLICE = Actor("bo", "aalborg.police_ssp_coordinator")
TEACHER = Actor("dan", "aalborg.frontline_worker")
POLICE_PARTNER = "aalborg.nordjyllands_politi"


def _person(casework: Casework, age: int) -> Subject:
    today = casework.clock.now().date()
    return Subject("9" * 32, today.replace(year=today.year - age) - dt.timedelta(days=30))


def _concern(casework: Casework, age: int, situation: str = "aalborg.radicalisation") -> str:
    return casework.open_concern(
        situation=situation,
        subject=_person(casework, age),
        concern_date=casework.clock.now().date(),
        actor=CONSULTANT,
    ).id


def _refused_and_audited(casework: Casework, before: int) -> None:
    """One new DENIED entry; no case was opened or changed since ``before`` events."""
    assert casework.store.max_position() == before
    denied = [e for e in casework.store.read_audit(AuditQuery()) if e.action is AuditAction.DENIED]
    assert denied


def test_finding_1_the_adult_card_is_not_opened_for_a_child(make_casework: MakeCasework) -> None:
    casework = make_casework()
    before = casework.store.max_position()
    with pytest.raises(CardRefused, match="the person is 16"):
        casework.open_case(
            workflow="aalborg.radicalisation_from_18",
            subject=_person(casework, 16),
            actor=TEACHER,
        )
    _refused_and_audited(casework, before)


@pytest.mark.parametrize(
    ("basis", "recipient", "reason"),
    [
        ("barnets_lov_133", POLICE_PARTNER, "a recipient of kind childrens_services"),
        ("barnets_lov_133", "aalborg.mosque_1", "a recipient of kind childrens_services"),
        ("rpl_115_2", "aalborg.mosque_1", "civil society"),
        ("rpl_115_2", "aalborg.skuret", "civil society"),
    ],
)
def test_finding_2_a_basis_reaches_only_its_recipients(
    make_casework: MakeCasework, basis: str, recipient: str, reason: str
) -> None:
    casework = make_casework()
    case_id = _concern(casework, 16)
    before = casework.store.max_position()
    with pytest.raises(DisclosureRefused, match=reason):
        casework.disclose(
            case_id,
            CONSULTANT,
            recipient=recipient,
            legal_basis=basis,
            categories=["case"],
            purpose="disclosure",
        )
    _refused_and_audited(casework, before)


def test_finding_3_the_direction_is_checked(make_casework: MakeCasework) -> None:
    casework = make_casework()
    case_id = _concern(casework, 16)
    before = casework.store.max_position()
    with pytest.raises(DisclosureRefused, match="a discloser acting as police"):
        casework.disclose(
            case_id,
            CONSULTANT,
            recipient=POLICE_PARTNER,
            legal_basis="rpl_115_1_1",
            categories=["case"],
            purpose="disclosure",
        )
    _refused_and_audited(casework, before)
    shared = casework.disclose(
        case_id,
        CONSULTANT,
        recipient=POLICE_PARTNER,
        legal_basis="rpl_115_2",
        categories=["case", "notes"],
        purpose="disclosure",
    )
    assert getattr(shared.events[-1], "legal_basis", None) == "rpl_115_2"


def test_finding_4_civil_society_needs_covering_consent(make_casework: MakeCasework) -> None:
    casework = make_casework()
    case_id = _concern(casework, 20)
    call = {
        "recipient": "aalborg.hometown_association_1",
        "legal_basis": "consent",
        "categories": ["case"],
        "purpose": "disclosure",
    }
    with pytest.raises(DisclosureRefused, match="none was named"):
        casework.disclose(case_id, CONSULTANT, **call)  # type: ignore[arg-type]
    consent = casework.record_consent(
        case_id,
        CONSULTANT,
        given_by=["subject"],
        recipients=["aalborg.hometown_association_1"],
        categories=["case"],
        given_on=casework.clock.now().date(),
        scope="May know that a course is under way.",
    )
    casework.disclose(case_id, CONSULTANT, consent=consent.id, **call)  # type: ignore[arg-type]
    casework.withdraw_consent(case_id, consent.id or "", CONSULTANT)
    with pytest.raises(DisclosureRefused, match="was withdrawn"):
        casework.disclose(case_id, CONSULTANT, consent=consent.id, **call)  # type: ignore[arg-type]


def test_finding_5_no_hand_over_to_the_police_without_the_notification(
    make_casework: MakeCasework, clock: VirtualClock
) -> None:
    casework = make_casework()
    case_id = _concern(casework, 16, "aalborg.armed_conflict_travel")
    for fact in ("police_screening_done", "pet_informed", "passport_measures_considered"):
        casework.record_fact(case_id, fact, POLICE)
    with pytest.raises(TransitionRefused, match="children_services_notified"):
        casework.fire(case_id, "hand_to_police", POLICE, reason="A matter for the police.")
    clock.advance(dt.timedelta(days=7))  # the notification is overdue, and listed so
    assert [row.case_id for row in casework.overdue(CONSULTANT)] == [case_id]
    due = casework.case(case_id, CONSULTANT, purpose="casework").due
    assert "children_services_notified" in {d.rule for d in due}
    casework.record_fact(case_id, "children_services_notified", CONSULTANT)  # late, not never
    ended = casework.fire(case_id, "hand_to_police", POLICE, reason="A matter for the police.")
    assert ended.state == "handed_to_police"


def test_finding_6_consent_is_withdrawn_and_minors_start_with_their_parents(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    track = casework.open_case(
        workflow="aalborg.mentor", subject=_person(casework, 16), actor=CONSULTANT
    )
    casework.fire(track.id, "accept_referral", CONSULTANT)
    casework.assign(track.id, "eva", CONSULTANT)
    casework.record_fact(track.id, "goals_agreed", CONSULTANT)
    with pytest.raises(TransitionRefused, match="voluntary_for_a_minor"):
        casework.fire(track.id, "start", CONSULTANT)
    casework.record_fact(track.id, "participation_voluntary", CONSULTANT)
    casework.record_fact(track.id, "custody_holder_involved", CONSULTANT)
    assert casework.fire(track.id, "start", CONSULTANT).state == "active"
    consent = casework.record_consent(
        track.id,
        CONSULTANT,
        given_by=["subject", "custody_holder"],
        recipients=["aalborg.schools"],
        categories=["case"],
        given_on=casework.clock.now().date(),
        scope="Takes part in the mentor course.",
        participation=True,
    )
    ended = casework.withdraw_consent(track.id, consent.id or "", CONSULTANT, reason="Wants out.")
    assert ended.state == "consent_withdrawn"


def test_finding_7_coming_of_age_is_surfaced(
    make_casework: MakeCasework, clock: VirtualClock
) -> None:
    casework = make_casework()
    case_id = _concern(casework, 17)
    assert casework.view(case_id, CONSULTANT).turns_18_on is None  # not yet
    clock.advance(dt.timedelta(days=366))
    view = casework.view(case_id, CONSULTANT)
    assert view.turns_18_on is not None
    assert view.coming_of_age is not None
    assert view.coming_of_age.statement.en.startswith("turned 18 on")
    listed = casework.coming_of_age(CONSULTANT)
    assert [item.row.case_id for item in listed] == [case_id]
