"""Lawful disclosure: shared only where a rule of its basis covers it, within the profile, listed.

The SSP consultant (who acts as a municipal authority) discloses to the police under
Retsplejeloven § 115, stk. 2; the police coordinator to the municipality under
stk. 1, nr. 1. Aalborg's profiles: the police and social services may receive
everything; mosques, hometown associations and youth centres only that a case
exists (``case``), and only under the person's recorded consent; a kind of partner
without a profile (e.g. a housing section) receives nothing. Every refusal writes
no event and is audited as ``DENIED``; ``disclosures()`` lists what went to whom, on
what basis, but never the note or the consent's scope, which are sealed in the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import ssp_core
from ssp_core import (
    AccessDenied,
    Actor,
    Casework,
    DisclosureRefused,
    MunicipalKey,
    Subject,
    VirtualClock,
    hookimpl,
)
from ssp_core.domain.events import Disclosure, NoteAdded
from ssp_core.domain.redaction import WITHHELD
from ssp_core.plugins import Grant, Labels, Role
from ssp_core.store.records import AuditAction, AuditQuery
from tests.conftest import T0
from tests.privacy.conftest import Backend, MakeCasework, holds

TODAY = T0.date()
CONSULTANT = Actor("consultant-1", "aalborg.ssp_consultant")
POLICE_COORDINATOR = Actor("police-1", "aalborg.police_ssp_coordinator")
POLICE = "aalborg.nordjyllands_politi"
SOCIAL = "aalborg.social_services"
MOSQUE = "aalborg.mosque_1"
HOUSING_SECTION = "aalborg.grindsted_uggerhalne_afdelingsbestyrelse"
NOTE = "the police were told in the meeting of 2 March"
SCOPE = "the family agrees to sharing with social services"


def _concern(casework: Casework, cpr: str = "150611-4321") -> str:
    subject = casework.enrol(cpr, CONSULTANT, name="Some Person")
    case = casework.open_concern(
        situation="aalborg.radicalisation", subject=subject, concern_date=TODAY, actor=CONSULTANT
    )
    return case.id


def _consent(casework: Casework, case_id: str, recipients: list[str], categories: list[str]) -> str:
    """Record the pupil's and a parent's consent covering ``recipients``; return its id."""
    consent = casework.record_consent(
        case_id,
        CONSULTANT,
        given_by=["subject", "custody_holder"],
        recipients=recipients,
        categories=categories,
        given_on=TODAY,
        scope=SCOPE,
    )
    assert consent.id is not None
    return consent.id


def _refused(
    casework: Casework,
    case_id: str,
    actor: Actor,
    *,
    error: type[Exception],
    match: str,
    call: Callable[[], object],
) -> None:
    """``call`` raises ``error``, writes no event, and adds one DENIED entry for the actor."""
    events = casework.store.read_case(case_id)
    audit = casework.store.read_audit(AuditQuery(actor=actor.id))
    with pytest.raises(error, match=match):
        call()
    assert casework.store.read_case(case_id) == events
    new = [e for e in casework.store.read_audit(AuditQuery(actor=actor.id)) if e not in audit]
    assert [(e.action, e.case_id) for e in new] == [(AuditAction.DENIED, case_id)]
    assert (new[0].detail or "").startswith("case.disclose")


def _disclose(
    casework: Casework, case_id: str, *, actor: Actor = CONSULTANT, **changes: object
) -> Callable[[], object]:
    """Return a call disclosing to the police under § 115, stk. 2, with a note, but for ``changes``."""
    return _disclosure(casework, case_id, actor, changes)


def _disclosure(
    casework: Casework, case_id: str, actor: Actor, changes: dict[str, object]
) -> Callable[[], object]:
    arguments: dict[str, object] = {
        "recipient": POLICE,
        "legal_basis": "rpl_115_2",
        "categories": ["case", "subject", "notes"],
        "purpose": "disclosure",
        "note": NOTE,
    }
    arguments.update(changes)
    return lambda: casework.disclose(case_id, actor, **arguments)  # type: ignore[arg-type]


def test_the_police_may_receive_notes_under_section_115(
    backend: Backend, make_casework: MakeCasework
) -> None:
    url = backend.new_url()
    casework = make_casework(url=url)
    case_id = _concern(casework)
    case = _disclose(casework, case_id)()
    event = case.events[-1]  # type: ignore[attr-defined]
    assert isinstance(event, Disclosure)
    assert (event.recipient, event.legal_basis, event.purpose, event.rule) == (
        POLICE,
        "rpl_115_2",
        "disclosure",
        1,
    )
    assert event.categories == ("case", "subject", "notes")
    assert event.note == NOTE
    # The police coordinator discloses to the municipality under stk. 1, nr. 1.
    _disclose(
        casework,
        case_id,
        actor=POLICE_COORDINATOR,
        recipient=SOCIAL,
        legal_basis="rpl_115_1_1",
        purpose="casework",
        note=None,
    )()
    # A partner of civil society may learn that a case exists, under consent only.
    mosque = _consent(casework, case_id, [MOSQUE], ["case"])
    _disclose(
        casework,
        case_id,
        recipient=MOSQUE,
        legal_basis="consent",
        categories=["case"],
        consent=mosque,
        note=None,
    )()
    # Consent is a basis when it is recorded and covers the recipient and the data.
    social = _consent(casework, case_id, [SOCIAL], ["case", "subject", "identity"])
    _disclose(
        casework,
        case_id,
        recipient=SOCIAL,
        legal_basis="consent",
        categories=["case", "subject", "identity"],
        consent=social,
        note=None,
    )()
    stored = casework.case(case_id, CONSULTANT, purpose="casework").events
    assert sum(isinstance(e, Disclosure) for e in stored) == 4
    # The note and the consent's scope are sealed: not in the store as written.
    raw = backend.raw(url)
    assert not holds(raw, NOTE)
    assert not holds(raw, SCOPE)
    assert holds(raw, "rpl_115_2")  # what went where, on what basis, stays readable


REFUSALS: list[tuple[dict[str, object], str]] = [
    # Civil society: § 115 does not reach it; consent must cover it.
    ({"recipient": MOSQUE, "categories": ["case"]}, "only the person's recorded consent"),
    ({"recipient": MOSQUE, "categories": ["case", "notes"]}, "a recipient of kind"),
    # Within a covering consent, the profile of the kind still limits what goes.
    (
        {
            "recipient": MOSQUE,
            "legal_basis": "consent",
            "consent": "consent-1",
            "categories": ["case", "notes"],
        },
        "mosque may never receive notes",
    ),
    (
        {
            "recipient": MOSQUE,
            "legal_basis": "consent",
            "consent": "consent-1",
            "categories": ["identity"],
        },
        "never receive identity",
    ),
    (
        {
            "recipient": HOUSING_SECTION,
            "legal_basis": "consent",
            "consent": "consent-1",
            "categories": ["case"],
        },
        "'housing_section' has no disclosure profile",
    ),
    # Consent: none named, one not recorded, one not covering, one withdrawn.
    ({"legal_basis": "consent"}, "none was named"),
    ({"legal_basis": "consent", "consent": "consent-9"}, "no consent 'consent-9' is recorded"),
    (
        {"recipient": SOCIAL, "legal_basis": "consent", "consent": "consent-1"},
        "consent-1 does not cover aalborg.social_services",
    ),
    (
        {"recipient": SOCIAL, "legal_basis": "consent", "consent": "consent-2"},
        "consent-2 was withdrawn",
    ),
    # Direction: stk. 1, nr. 1 is the police's; § 133 goes to children's services only.
    ({"legal_basis": "rpl_115_1_1"}, "a discloser acting as police"),
    ({"legal_basis": "barnets_lov_133"}, "a recipient of kind childrens_services"),
    ({"legal_basis": "rpl_999"}, "unknown legal basis 'rpl_999'"),
    ({"purpose": "reidentification"}, "does not allow disclosure for purpose"),
    ({"recipient": "aalborg.nobody"}, "unknown recipient"),
    ({"categories": ["diagnoses"]}, "unknown data category"),
    ({"categories": []}, "at least one data category"),
]
"""Changes to a lawful disclosure (to the police, under § 115) that make it unlawful."""

WITHOUT_DISCLOSE: list[tuple[str, list[str]]] = [
    ("aalborg.partner_contact", ["identity"]),
    ("aalborg.partner_contact", ["case"]),
    ("aalborg.frontline_worker", ["case"]),
    ("aalborg.mentor", ["case"]),
    ("aalborg.administrator", ["case"]),
    ("aalborg.researcher", ["case"]),
]
"""Roles that may not disclose at all, with what they try to disclose."""


def test_an_unlawful_disclosure_is_refused_and_audited(make_casework: MakeCasework) -> None:
    casework = make_casework()
    case_id = _concern(casework)
    everything = ["case", "subject", "notes", "observations", "identity"]
    assert _consent(casework, case_id, [MOSQUE, HOUSING_SECTION], everything) == "consent-1"
    assert _consent(casework, case_id, [SOCIAL], everything) == "consent-2"
    casework.withdraw_consent(case_id, "consent-2", CONSULTANT, reason="changed their mind")
    for changes, match in REFUSALS:
        call = _disclosure(casework, case_id, CONSULTANT, changes)
        _refused(casework, case_id, CONSULTANT, error=DisclosureRefused, match=match, call=call)
    assert casework.disclosures(CONSULTANT, purpose="disclosure") == []


def test_a_role_without_case_disclose_discloses_nothing(make_casework: MakeCasework) -> None:
    casework = make_casework()
    case_id = _concern(casework)
    for role, categories in WITHOUT_DISCLOSE:
        actor = Actor(f"{role}-1", role)
        call = _disclose(casework, case_id, actor=actor, categories=categories, purpose="casework")
        _refused(casework, case_id, actor, error=AccessDenied, match=r"case\.disclose", call=call)


def test_the_police_coordinator_discloses_on_action_cards_only(
    make_casework: MakeCasework,
) -> None:
    casework = make_casework()
    subject = casework.enrol("150611-4321", CONSULTANT)
    track = casework.open_case(workflow="aalborg.mentor", subject=subject, actor=CONSULTANT)
    call = _disclose(casework, track.id, actor=POLICE_COORDINATOR)
    _refused(
        casework,
        track.id,
        POLICE_COORDINATOR,
        error=AccessDenied,
        match="there is no such case, or it is not one this role may reach",
        call=call,
    )


class _Liaison:
    """A role that may disclose, but whose grants show it no notes and no identity."""

    plugin_name = "privacy_test_liaison"

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role("school_liaison", Labels("Skolekontakt", "School liaison"), acts_as="school")]

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return [
            Grant(
                "school_liaison",
                ["case.read", "case.disclose"],
                field_groups=["subject"],
                purposes=["disclosure"],
            )
        ]


def test_a_category_beyond_the_actors_grants_is_refused(
    backend: Backend, clock: VirtualClock, key: MunicipalKey
) -> None:
    registry = ssp_core.load_registry(plugins=[_Liaison()])
    casework = Casework(registry, store=backend.new_url(), key=key, clock=clock)
    try:
        case_id = _concern(casework)
        casework.add_note(case_id, "a note the liaison may not read", CONSULTANT)
        liaison = Actor("liaison-1", "school_liaison")
        read = casework.case(case_id, liaison, purpose="disclosure")
        assert [e.text for e in read.events if isinstance(e, NoteAdded)] == [WITHHELD]
        assert isinstance(read.subject, Subject)  # the subject group is granted
        for categories, shown in ((["case", "notes"], "notes"), (["identity"], "identity")):
            call = _disclose(casework, case_id, actor=liaison, categories=categories)
            _refused(
                casework,
                case_id,
                liaison,
                error=DisclosureRefused,
                match=f"may not disclose {shown}",
                call=call,
            )
        case = _disclose(
            casework, case_id, actor=liaison, categories=["case", "subject"], note=None
        )()
        assert case.events[-1].categories == ("case", "subject")  # type: ignore[attr-defined]
    finally:
        casework.close()


def test_disclosures_lists_what_went_to_whom_on_what_basis(
    make_casework: MakeCasework, clock: VirtualClock
) -> None:
    casework = make_casework()
    first = _concern(casework, "150611-4321")
    second = _concern(casework, "020212-4876")
    _disclose(casework, first)()
    clock.advance(dt.timedelta(days=1))
    consent = _consent(casework, second, [SOCIAL, MOSQUE], ["case", "identity", "notes"])
    _disclose(
        casework,
        second,
        recipient=SOCIAL,
        legal_basis="consent",
        categories=["case", "identity"],
        consent=consent,
    )()
    _disclose(
        casework,
        second,
        recipient=MOSQUE,
        legal_basis="consent",
        categories=["case"],
        consent=consent,
        note=None,
    )()
    _refused(
        casework,
        second,
        CONSULTANT,
        error=DisclosureRefused,
        match="consent-1 does not cover subject",
        call=_disclose(casework, second, recipient=MOSQUE, legal_basis="consent", consent=consent),
    )
    entries = casework.disclosures(CONSULTANT, purpose="disclosure")
    assert [(e.case_id, e.recipient, e.legal_basis, e.categories) for e in entries] == [
        (first, POLICE, "rpl_115_2", ("case", "subject", "notes")),
        (second, SOCIAL, "consent", ("case", "identity")),
        (second, MOSQUE, "consent", ("case",)),
    ]
    assert [e.consent_given_on for e in entries] == [None, TODAY, TODAY]
    assert {(e.actor, e.role, e.purpose) for e in entries} == {
        (CONSULTANT.id, CONSULTANT.role, "disclosure")
    }
    assert [e.at for e in entries] == [T0, T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=1)]
    assert NOTE not in repr(entries)
    assert SCOPE not in repr(entries)
    # Filters: by recipient, by case, by period.
    by_recipient = casework.disclosures(CONSULTANT, purpose="disclosure", recipient=SOCIAL)
    assert [e.recipient for e in by_recipient] == [SOCIAL]
    assert [
        e.recipient for e in casework.disclosures(CONSULTANT, purpose="disclosure", case_id=second)
    ] == [SOCIAL, MOSQUE]
    assert [
        e.case_id
        for e in casework.disclosures(
            CONSULTANT, purpose="disclosure", until=T0 + dt.timedelta(hours=1)
        )
    ] == [first]
    assert (
        casework.disclosures(CONSULTANT, purpose="disclosure", case_id=first, recipient=MOSQUE)
        == []
    )
    # Listing is for the roles that may (the administrator and the police too), audited.
    admin = Actor("admin-1", "aalborg.administrator")
    assert len(casework.disclosures(admin, purpose="administration")) == 3
    assert len(casework.disclosures(POLICE_COORDINATOR, purpose="disclosure")) == 3
    listed = casework.store.read_audit(AuditQuery(actor=admin.id))
    assert [e.action for e in listed] == [AuditAction.SEARCH]
    with pytest.raises(AccessDenied, match=r"disclosure\.list"):
        casework.disclosures(Actor("contact-1", "aalborg.partner_contact"), purpose="casework")
