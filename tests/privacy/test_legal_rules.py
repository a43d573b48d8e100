"""The legal rules of disclosure, as relations: every combination the data can express.

The expectations are written here from the law (``docs/legal-sources.md``), not read
from the TOML data, so a wrong edit of the data fails this test:

* Retsplejeloven § 115, stk. 1, nr. 1-3: the police disclose to the other authorities
  of the SSP, PSP and KSP cooperation, never the other way round;
* stk. 2: an authority of a cooperation discloses to the police and to the other
  authorities of the same cooperation;
* Barnets Lov § 133: any public authority notifies the children's services of the
  child's own municipality, about a child under 18, and nobody else;
* consent: to any partner the person's recorded, unwithdrawn consent names, for the
  field groups it covers, given under 18 by the young person and a custody holder.

Civil society (every kind that is not an authority) receives nothing without such a
consent, and no recipient receives a field group beyond its kind's disclosure
profile. ``test_every_combination`` checks discloser kind x recipient x basis x
subject age x field group x consent state against these expectations, with the
reason of each refusal; the stateful test checks that no sequence of calls through
``Casework`` ever stores a disclosure the rules refuse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import ssp_core
from ssp_core import Actor, Casework, DisclosureRefused, VirtualClock
from ssp_core.domain.access import FieldGroup
from ssp_core.domain.disclosure import Consent
from ssp_core.domain.events import ConsentGiven, ConsentWithdrawn, Disclosure
from ssp_core.exceptions import DataError
from ssp_core.privacy.disclosure import DisclosureRequest, judge_disclosure

REGISTRY = ssp_core.load_registry()
TODAY = dt.date(2026, 3, 2)

SSP = {"school", "social_services", "childrens_services", "municipal_service"}
PSP = {"psychiatry", "social_services", "childrens_services", "municipal_service"}
KSP = {"prison_and_probation", "social_services", "childrens_services", "municipal_service"}
INSTITUTION = "self_governing_institution"
AUTHORITIES = SSP | PSP | KSP | {"police", "emergency_service", INSTITUTION}
"""The public authorities among the core's partner kinds."""

PAIRS: dict[str, set[tuple[str, str]]] = {
    "rpl_115_1_1": {("police", r) for r in SSP},
    "rpl_115_1_2": {("police", r) for r in PSP},
    "rpl_115_1_3": {("police", r) for r in KSP},
    "rpl_115_2": {(d, r) for coop in (SSP, PSP, KSP) for d in coop for r in coop | {"police"}},
    # stk. 3: a self-governing institution brought into a cooperation, both ways
    "rpl_115_3": {
        *((d, INSTITUTION) for d in SSP | PSP | KSP | {"police"}),
        *((INSTITUTION, r) for r in SSP | PSP | KSP | {"police", INSTITUTION}),
    },
    "barnets_lov_133": {(d, "childrens_services") for d in AUTHORITIES - {INSTITUTION}},
    "consent": {
        (d, r) for d in AUTHORITIES for r in REGISTRY.partner_kinds if r != "aalborg.sports_hall"
    },
}
"""Per basis, the (discloser kind, recipient kind) relations the law allows."""

DISCLOSERS = sorted(AUTHORITIES | {"mosque", "citizens"})
"""Every kind a discloser could act as: the authorities, and two that are none."""

RECIPIENTS = sorted({partner.kind: pid for pid, partner in REGISTRY.partners.items()}.items())
"""One Aalborg partner of each kind the data has: (kind, partner id)."""

AGES = {"aalborg.under_18": 16, "aalborg.from_18": 20}
GROUPS = list(FieldGroup)
CONSENT_STATES = ("none", "covering", "withdrawn", "other_recipient", "no_custody_holder")


def _consent(state: str, recipient: str, age: int) -> tuple[Consent | None, dt.date | None]:
    """The consent (and its withdrawal day) of a consent state, for ``recipient``."""
    if state == "none":
        return None, None
    givers = ["subject"] if state == "no_custody_holder" else ["subject", "custody_holder"]
    covers = "aalborg.someone_else" if state == "other_recipient" else recipient
    consent = Consent(TODAY, "told", givers, [covers], list(FieldGroup), id="consent-1")
    withdrawn = TODAY if state == "withdrawn" else None
    if state == "no_custody_holder" and age >= 18:
        return consent, None  # an adult consents alone: this consent covers
    return consent, withdrawn


def _covering(state: str, age: int) -> bool:
    return state == "covering" or (state == "no_custody_holder" and age >= 18)


CONSENT_LACKS = {
    "none": "none was named",
    "withdrawn": "was withdrawn",
    "other_recipient": "does not cover",
    "no_custody_holder": "not given by the custody holder",
}
"""What a refusal says for each consent state that does not cover the disclosure."""


def _expected(combination: tuple[str, str, str, str, str, FieldGroup, str]) -> str | None:
    """Return ``None`` if the law allows the disclosure, else a phrase its refusal must hold."""
    basis, discloser, kind, recipient, band, group, state = combination
    age = AGES[band]
    profile = REGISTRY.disclosure_profile(kind, "aalborg")
    checks = [
        # the closest rule lacks a discloser or a recipient kind
        ((discloser, kind) not in PAIRS[basis], "needs: a"),
        (basis == "barnets_lov_133" and age >= 18, "a subject aged 0 to 17"),
        (
            (basis == "consent" or kind not in AUTHORITIES) and not _covering(state, age),
            CONSENT_LACKS.get(state, ""),
        ),
        (profile is None, "has no disclosure profile"),
        (profile is not None and group not in profile.field_groups, "may never receive"),
    ]
    assert REGISTRY.home(REGISTRY.partners, recipient) == "aalborg"  # § 133's own municipality
    return next((reason for failed, reason in checks if failed), None)


def _combinations() -> Iterator[tuple[str, str, str, str, str, FieldGroup, str]]:
    for basis, discloser, (kind, recipient), band, group, state in itertools.product(
        PAIRS, DISCLOSERS, RECIPIENTS, AGES, GROUPS, CONSENT_STATES
    ):
        yield basis, discloser, kind, recipient, band, group, state


def test_every_combination_is_allowed_or_refused_as_the_law_says() -> None:
    checked = allowed = 0
    for combination in _combinations():
        basis, discloser, _kind, recipient, band, group, state = combination
        age = AGES[band]
        consent, withdrawn = _consent(state, recipient, age)
        request = DisclosureRequest(
            discloser_kind=discloser,
            recipient=recipient,
            legal_basis=basis,
            purpose="disclosure",
            categories=(group.value,),
            municipality="aalborg",
            workflow_kind="action_card",
            age=age,
            today=TODAY,
            consent=consent,
            withdrawn_on=withdrawn,
        )
        expected = _expected(combination)
        where = (basis, discloser, recipient, band, group.value, state)
        if expected is None:
            judgement = judge_disclosure(REGISTRY, request)
            assert judgement.groups == (group,), where
            allowed += 1
        else:
            with pytest.raises(DisclosureRefused) as refused:
                judge_disclosure(REGISTRY, request)
            assert expected in str(refused.value), (where, str(refused.value))
        checked += 1
    assert checked == len(PAIRS) * len(DISCLOSERS) * len(RECIPIENTS) * 2 * 5 * 5
    assert 0 < allowed < checked


@pytest.mark.parametrize(
    ("basis", "discloser", "recipient", "reason"),
    [
        # The finding of the issue: § 133 to the police, a hometown association, a mosque.
        (
            "barnets_lov_133",
            "municipal_service",
            "aalborg.nordjyllands_politi",
            "childrens_services",
        ),
        ("barnets_lov_133", "school", "aalborg.hometown_association_1", "childrens_services"),
        ("barnets_lov_133", "police", "aalborg.mosque_1", "childrens_services"),
        # § 115 to a mosque and to the youth centre: not parties of the cooperation.
        ("rpl_115_2", "municipal_service", "aalborg.mosque_1", "civil society"),
        ("rpl_115_1_1", "police", "aalborg.skuret", "civil society"),
        # PSP and KSP for a school: not a party of those cooperations.
        ("rpl_115_1_2", "police", "aalborg.schools", "psychiatry"),
        ("rpl_115_1_3", "police", "aalborg.schools", "prison_and_probation"),
        # The direction: the municipality may not use the police's subsection.
        ("rpl_115_1_1", "municipal_service", "aalborg.nordjyllands_politi", "acting as police"),
    ],
)
def test_the_findings_of_the_issue_are_refused_with_their_reason(
    basis: str, discloser: str, recipient: str, reason: str
) -> None:
    request = DisclosureRequest(
        discloser_kind=discloser,
        recipient=recipient,
        legal_basis=basis,
        purpose="disclosure",
        categories=("case",),
        municipality="aalborg",
        workflow_kind="action_card",
        age=16,
        today=TODAY,
    )
    with pytest.raises(DisclosureRefused, match=reason):
        judge_disclosure(REGISTRY, request)


# --- through the API: no sequence of calls stores an unlawful disclosure -----------------

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
POLICE = Actor("bo", "aalborg.police_ssp_coordinator")
PARTNERS = [
    "aalborg.nordjyllands_politi",
    "aalborg.schools",
    "aalborg.social_services",
    "aalborg.childrens_services",
    "aalborg.mosque_1",
    "aalborg.hometown_association_1",
    "aalborg.skuret",
]
CIVIL = {"aalborg.mosque_1", "aalborg.hometown_association_1", "aalborg.skuret"}


class DisclosureMachine(RuleBasedStateMachine):
    """Consultants and the police record consents, withdraw them and disclose, at random."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
        self.casework = Casework(REGISTRY, clock=self.clock)
        self.cases: list[str] = []
        self.consents: list[tuple[int, Consent]] = []
        self.disclosed = 0
        for cpr in ("150611-4321", "020202-4899"):  # a 14-year-old and a 24-year-old
            subject = self.casework.enrol(cpr, CONSULTANT)
            opened = self.casework.open_concern(
                situation="aalborg.radicalisation",
                subject=subject,
                concern_date=self.clock.now().date(),
                actor=CONSULTANT,
            )
            self.cases.append(opened.id)

    @rule(
        case=st.integers(0, 1),
        givers=st.sets(st.sampled_from(["subject", "custody_holder"]), min_size=1),
        recipients=st.sets(st.sampled_from(PARTNERS), min_size=1, max_size=3),
        groups=st.sets(st.sampled_from([g.value for g in FieldGroup]), min_size=1),
    )
    def give_consent(
        self, case: int, givers: set[str], recipients: set[str], groups: set[str]
    ) -> None:
        # A giver missing for the subject's age is refused, and nothing is recorded.
        with contextlib.suppress(DataError):
            given = self.casework.record_consent(
                self.cases[case],
                CONSULTANT,
                given_by=sorted(givers),
                recipients=sorted(recipients),
                categories=sorted(groups),
                given_on=self.clock.now().date(),
                scope="told",
            )
            self.consents.append((case, given))

    @rule(case=st.integers(0, 1), number=st.integers(1, 4))
    def withdraw(self, case: int, number: int) -> None:
        with contextlib.suppress(DataError):  # no such consent, or withdrawn already
            self.casework.withdraw_consent(self.cases[case], f"consent-{number}", CONSULTANT)

    @rule(
        case=st.integers(0, 1),
        police=st.booleans(),
        recipient=st.sampled_from(PARTNERS),
        basis=st.sampled_from(sorted(PAIRS)),
        groups=st.sets(st.sampled_from([g.value for g in FieldGroup]), min_size=1, max_size=2),
        consent=st.none() | st.integers(1, 4).map(lambda n: f"consent-{n}"),
    )
    def disclose(self, **asked: object) -> None:
        self._disclose(**asked)  # type: ignore[arg-type]

    @precondition(lambda self: self.consents)
    @rule(data=st.data(), police=st.booleans(), extra=st.integers(0, 3).map(lambda n: n == 0))
    def disclose_under_a_consent(self, data: st.DataObject, police: bool, extra: bool) -> None:
        case, given = data.draw(st.sampled_from(self.consents))
        groups = set(data.draw(st.sets(st.sampled_from([g.value for g in given.field_groups]))))
        if data.draw(st.booleans()):
            groups = {"case"}  # all that civil society may ever receive (its profile)
        if extra or not groups:
            groups.add(data.draw(st.sampled_from([g.value for g in FieldGroup])))
        self._disclose(
            case=case,
            police=police,
            recipient=data.draw(st.sampled_from(given.recipients)),
            basis="consent",
            groups=groups,
            consent=given.id,
        )

    def _disclose(
        self,
        *,
        case: int,
        police: bool,
        recipient: str,
        basis: str,
        groups: set[str],
        consent: str | None,
    ) -> None:
        with contextlib.suppress(DisclosureRefused):
            self.casework.disclose(
                self.cases[case],
                POLICE if police else CONSULTANT,
                recipient=recipient,
                legal_basis=basis,
                categories=sorted(groups),
                purpose="disclosure",
                consent=consent,
            )
            self.disclosed += 1
        self.clock.advance(dt.timedelta(hours=1))

    @invariant()
    def every_stored_disclosure_is_lawful(self) -> None:
        for case_id in self.cases:
            events = self.casework.history(case_id, CONSULTANT, purpose="casework")
            consents: dict[str, Consent] = {}
            withdrawn: set[str] = set()
            for event in events:
                if isinstance(event, ConsentGiven) and event.consent.id:
                    consents[event.consent.id] = event.consent
                elif isinstance(event, ConsentWithdrawn):
                    withdrawn.add(event.consent_id)
                elif isinstance(event, Disclosure):
                    kind = REGISTRY.partners[event.recipient].kind
                    if event.legal_basis == "barnets_lov_133":
                        assert kind == "childrens_services", event
                    if event.recipient in CIVIL or event.legal_basis == "consent":
                        given = event.consent
                        assert given is not None and given.id in consents, event
                        assert given.id not in withdrawn, event
                        assert event.recipient in given.recipients, event
                        assert set(event.categories) <= {g.value for g in given.field_groups}
                        assert "subject" in given.given_by

    def teardown(self) -> None:
        self.casework.close()


TestDisclosureMachine = DisclosureMachine.TestCase
TestDisclosureMachine.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --- the table of every rule in docs/privacy.md is the data ---------------------------

DOCS = Path(__file__).parents[2] / "docs" / "privacy.md"
TABLE_START = "<!-- rules: generated from the legal bases; tests/privacy/test_legal_rules.py -->"
TABLE_END = "<!-- end of rules -->"


def rules_table(registry: ssp_core.Registry) -> str:
    """Return the Markdown table of every rule of every legal basis of ``registry``."""
    lines = [
        "| Basis | Rule | Discloser (acts as) | Recipient | Subject | Field groups | Consent |",
        "|---|--:|---|---|---|---|---|",
    ]
    for basis in registry.legal_bases.values():
        for number, allowed in enumerate(basis.rules, start=1):
            low = allowed.min_age if allowed.min_age is not None else 0
            subject = (
                f"aged {low}-{allowed.max_age}"
                if allowed.max_age is not None
                else (f"aged {low}+" if allowed.min_age is not None else "anyone")
            )
            if allowed.same_municipality:
                subject += "; recipient of the case's municipality"
            consent = allowed.consent or basis.requires_consent
            cells = (
                f"{basis.citation} (`{basis.id}`)",
                str(number),
                ", ".join(allowed.disclosers),
                ", ".join(allowed.recipients),
                subject,
                ", ".join(g.value for g in allowed.field_groups),
                "covering, unwithdrawn" if consent else "no (civil society: always)",
            )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_the_table_in_the_docs_is_every_rule_of_the_data() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(TABLE_START) + len(TABLE_START)
    table = text[start : text.index(TABLE_END)].strip()
    assert table == rules_table(REGISTRY), "regenerate the table: see rules_table()"
