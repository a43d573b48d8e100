"""Refusals and error messages come out in the language of the context they are made in.

Each refusal is made once under ``language("da")`` (exact Danish, and no English word
left, checked with :func:`tests.english.english_words`) and once outside the block
(English, as every other test reads it). Ids (cases, triggers, roles, partners) stay
as they are in both languages.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Callable, Iterator

import pytest

import ssp_core
from ssp_core import Actor, Casework, MunicipalKey, Registry, Subject, VirtualClock
from ssp_core.domain.cpr import birth_date_from_cpr, normalise_cpr
from ssp_core.exceptions import (
    AccessDenied,
    DataError,
    DisclosureRefused,
    InvalidCpr,
    SspError,
    TransitionRefused,
    UnknownId,
)
from ssp_core.i18n import language
from tests.english import english_words, summary

CONSULTANT = Actor("anne", "aalborg.ssp_consultant")
MENTOR = Actor("eva", "aalborg.mentor")
TEACHER = Actor("dan", "aalborg.frontline_worker")


@pytest.fixture(name="aalborg", scope="module")
def _aalborg() -> Registry:
    registry = ssp_core.load_registry()
    assert "aalborg.mentor@1" in registry.workflows, "the ssp-aalborg plugin is not installed"
    return registry


@pytest.fixture(name="casework")
def _casework(aalborg: Registry, tmp_path: pathlib.Path, clock: VirtualClock) -> Iterator[Casework]:
    casework = Casework(
        aalborg,
        store=f"sqlite:///{tmp_path / 'messages.db'}",
        key=MunicipalKey.generate(),
        clock=clock,
        ids=ssp_core.sequential_ids(),
    )
    yield casework
    casework.close()


@pytest.fixture(name="case_id")
def _case_id(casework: Casework) -> str:
    today = casework.clock.now().date()
    subject = Subject("9" * 32, today.replace(year=today.year - 16) - dt.timedelta(days=30))
    return casework.open_concern(
        situation="aalborg.radicalisation", subject=subject, concern_date=today, actor=CONSULTANT
    ).id


def message(error: type[SspError], call: Callable[[], object], lang: str) -> str:
    """Return the message of the error ``call`` raises when made under ``lang``."""
    with language(lang), pytest.raises(error) as raised:
        call()
    return str(raised.value)


def danish(error: type[SspError], call: Callable[[], object]) -> str:
    """Return the Danish message of the error ``call`` raises; it holds no English word."""
    text = message(error, call, "da")
    found = english_words(text)
    assert not found, summary(found)
    return text


def test_a_guard_refusal_names_the_guard_and_its_danish_label(
    casework: Casework, case_id: str
) -> None:
    def fire() -> object:
        return casework.fire(case_id, "begin_analysis", CONSULTANT)

    assert danish(TransitionRefused, fire) == (
        f"handlingen 'begin_analysis' er afvist for sag {case_id} i tilstanden 'received': "
        "betingelsen 'concern_described' er ikke opfyldt (Bekymringen er beskrevet)"
    )
    assert message(TransitionRefused, fire, "en") == (
        f"trigger 'begin_analysis' refused for case {case_id} in state 'received': "
        "guard 'concern_described' not satisfied (The concern is described)"
    )


def test_a_trigger_from_the_wrong_state_is_refused_in_danish(
    casework: Casework, case_id: str
) -> None:
    def fire() -> object:
        return casework.fire(case_id, "start_intervention", CONSULTANT)

    assert danish(TransitionRefused, fire) == (
        f"handlingen 'start_intervention' er afvist for sag {case_id} i tilstanden "
        "'received': forkert tilstand 'received' (tilladt fra: assessment)"
    )
    assert "wrong state 'received'" in message(TransitionRefused, fire, "en")


def test_the_options_explain_in_danish_and_their_json_stays_english(
    casework: Casework, case_id: str
) -> None:
    with language("da"):
        options = {o.trigger: o for o in casework.options(case_id, CONSULTANT)}
        reasons = [r.message for r in options["refer_to_info_house"].reasons]
    assert reasons == ["forkert tilstand 'received' (tilladt fra: analysis, assessment)"]
    assert options["refer_to_info_house"].to_dict()["reasons"][0]["message"] == (
        "wrong state 'received' (allowed from: analysis, assessment)"
    )


def test_no_access_under_the_grants_is_said_in_danish(casework: Casework, case_id: str) -> None:
    def read() -> object:
        return casework.case(case_id, MENTOR, purpose="casework")

    assert danish(AccessDenied, read) == (
        "eva (aalborg.mentor) må ikke udføre case.read: sagen findes ikke, eller rollen "
        "har ikke adgang til den"
    )
    assert message(AccessDenied, read, "en") == (
        "eva (aalborg.mentor) may not case.read: there is no such case, or it is not one "
        "this role may reach"
    )


def test_a_disclosure_to_civil_society_is_refused_with_the_rule_it_lacks(
    casework: Casework, case_id: str
) -> None:
    def disclose() -> object:
        return casework.disclose(
            case_id,
            CONSULTANT,
            recipient="aalborg.mosque_1",
            legal_basis="rpl_115_2",
            categories=["case"],
            purpose="disclosure",
        )

    assert danish(DisclosureRefused, disclose) == (
        "Retsplejeloven § 115, stk. 2 tillader ikke denne videregivelse til aalborg.mosque_1; "
        "den nærmeste regel, nr. 1, kræver: en modtager af typen childrens_services, "
        "municipal_service, police, school, social_services (ikke mosque); aalborg.mosque_1 "
        "hører til civilsamfundet (mosque): kun personens registrerede samtykke kan dække "
        "videregivelsen"
    )
    english = message(DisclosureRefused, disclose, "en")
    assert english.startswith(
        "Retsplejeloven § 115, stk. 2 does not allow this disclosure to aalborg.mosque_1; "
        "its closest rule, 1 ("
    )


def test_a_disclosure_without_a_named_consent_is_refused_in_danish(
    casework: Casework, case_id: str
) -> None:
    def disclose() -> object:
        return casework.disclose(
            case_id,
            CONSULTANT,
            recipient="aalborg.hometown_association_1",
            legal_basis="consent",
            categories=["case"],
            purpose="disclosure",
        )

    assert danish(DisclosureRefused, disclose).endswith(
        "kræver: personens samtykke, registreret på sagen og angivet (intet blev angivet)"
    )
    assert message(DisclosureRefused, disclose, "en").endswith("(none was named)")


def test_a_cpr_number_typed_as_a_case_id_is_refused_without_repeating_it(
    casework: Casework,
) -> None:
    def read() -> object:
        return casework.case("0101901234", CONSULTANT, purpose="casework")

    text = danish(DataError, read)
    assert text == (
        "et sags-id er aldrig noget, der ligner et CPR-nummer (DDMMÅÅ-SSSS); det angivne id "
        "er ikke slået op"
    )
    assert "0101901234" not in text
    assert message(DataError, read, "en").startswith("a case id is never something shaped")


def test_an_unknown_trigger_and_fact_keep_their_ids(casework: Casework, case_id: str) -> None:
    trigger = danish(UnknownId, lambda: casework.fire(case_id, "nope", CONSULTANT))
    assert trigger.startswith(
        "ukendt handling i aalborg.radicalisation_under_18@2 'nope'; kendte: "
    )
    assert "start_intervention" in trigger
    fact = danish(UnknownId, lambda: casework.record_fact(case_id, "nofact", CONSULTANT))
    assert fact.startswith("ukendt faktum i aalborg.radicalisation_under_18@2 'nofact'; kendte: ")
    assert message(UnknownId, lambda: casework.fire(case_id, "nope", CONSULTANT), "en").startswith(
        "unknown trigger of aalborg.radicalisation_under_18@2 'nope'; known: "
    )


def test_a_cpr_number_in_an_advice_request_is_refused_in_danish(casework: Casework) -> None:
    def ask() -> object:
        return casework.advice.ask("En elev (010190-1234) virker bekymret.", TEACHER)

    text = danish(DataError, ask)
    assert text.startswith(
        "feltet »spørgsmål« indeholder noget, der ligner et CPR-nummer (DDMMÅÅ-SSSS); "
        "en rådgivningsanmodning nævner ingen ved navn"
    )
    assert "010190" not in text
    assert message(DataError, ask, "en").startswith(
        "the question contains something shaped like a CPR number"
    )


def test_a_deadline_extension_needs_a_written_reason_in_danish(
    casework: Casework, case_id: str
) -> None:
    rule = casework.case(case_id, CONSULTANT, purpose="casework").due[0].rule
    later = casework.clock.now().date() + dt.timedelta(days=90)

    def extend() -> object:
        return casework.extend_deadline(case_id, rule, later, CONSULTANT, reason=" ")

    assert danish(ssp_core.ActionRefused, extend) == (
        "at forlænge en frist kræver en skriftlig begrundelse"
    )
    assert message(ssp_core.ActionRefused, extend, "en") == (
        "extending a deadline requires a written reason"
    )


def test_a_malformed_cpr_number_is_described_in_danish() -> None:
    assert danish(InvalidCpr, lambda: normalise_cpr("12345")) == (
        "et CPR-nummer består af 10 cifre, skrevet DDMMÅÅ-SSSS eller DDMMÅÅSSSS (fik 5 tegn)"
    )
    assert danish(InvalidCpr, lambda: birth_date_from_cpr("3213901234")) == (
        "de første seks cifre i et CPR-nummer skal være en gyldig dato DDMMÅÅ"
    )
    assert message(InvalidCpr, lambda: normalise_cpr("12345"), "en") == (
        "a CPR number must be 10 digits, written DDMMYY-SSSS or DDMMYYSSSS (got 5 characters)"
    )


def test_the_language_is_the_one_of_the_context_the_error_is_made_in(
    casework: Casework, case_id: str
) -> None:
    with language("da"), pytest.raises(TransitionRefused) as raised:
        casework.fire(case_id, "start_intervention", CONSULTANT)
    # Shown later, outside the block, the message stays as it was made.
    assert str(raised.value).startswith("handlingen 'start_intervention' er afvist")
    assert raised.value.reasons[0].to_dict()["message"] == (
        "wrong state 'received' (allowed from: assessment)"
    )


def test_a_consent_without_the_custody_holder_is_refused_in_danish(
    casework: Casework, case_id: str
) -> None:
    def record() -> object:
        return casework.record_consent(
            case_id,
            CONSULTANT,
            given_by=["subject"],
            recipients=["aalborg.hometown_association_1"],
            categories=["case"],
            given_on=casework.clock.now().date(),
            scope="Må vide, at et forløb er i gang.",
        )

    assert danish(DataError, record) == (
        "et samtykke for en person på 16 år gives af personen selv og indehaveren af "
        "forældremyndigheden; mangler: custody_holder"
    )
    assert message(DataError, record, "en") == (
        "a consent for a subject aged 16 is given by the subject and the custody holder; "
        "missing: custody_holder"
    )


def test_a_coming_of_age_in_the_future_is_refused_in_danish(casework: Casework) -> None:
    later = casework.clock.now().date() + dt.timedelta(days=3)

    def record() -> object:
        return casework.record_coming_of_age(CONSULTANT, on=later)

    today = casework.clock.now().date().isoformat()
    assert danish(DataError, record) == (
        "en 18-års-dag kan først registreres, når den er indtruffet; "
        f"{later.isoformat()} ligger efter i dag ({today})"
    )
    assert message(DataError, record, "en").startswith(
        "a coming of age can be recorded only once it has happened"
    )


def test_the_coming_of_age_statement_is_made_from_the_catalogue() -> None:
    from ssp_core.domain.coming_of_age import ComingOfAge  # noqa: PLC0415

    statement = ComingOfAge(dt.date(2026, 5, 1), "aalborg.radicalisation_under_18", turned=True)
    assert statement.statement.da == (
        "fyldte 18 år den 2026-05-01, under denne sag; actioncardet forbliver "
        "aalborg.radicalisation_under_18"
    )
    assert statement.statement.en == (
        "turned 18 on 2026-05-01, during this case; the card stays aalborg.radicalisation_under_18"
    )


def test_the_audit_log_keeps_a_danish_refusal_in_english(casework: Casework, case_id: str) -> None:
    from ssp_core.store.records import AuditAction, AuditQuery  # noqa: PLC0415

    with language("da"):
        with pytest.raises(DisclosureRefused):
            casework.disclose(
                case_id,
                CONSULTANT,
                recipient="aalborg.mosque_1",
                legal_basis="rpl_115_2",
                categories=["case"],
                purpose="disclosure",
            )
        with pytest.raises(AccessDenied):
            casework.fire(case_id, "close_unfounded", MENTOR, reason="Ingen grund.")
    denied = [
        entry.detail or ""
        for entry in casework.store.read_audit(AuditQuery())
        if entry.action is AuditAction.DENIED
    ]
    assert any(
        d.startswith("case.disclose: Retsplejeloven § 115, stk. 2 does not allow") for d in denied
    )
    assert not [d for d in denied if english_words(d) == [] and "afvist" in d]
    assert all("tillader ikke" not in d and "sagen findes ikke" not in d for d in denied)


def test_the_upgrade_plan_of_an_older_store_is_made_under_danish_too(
    aalborg: Registry, tmp_path: pathlib.Path
) -> None:
    from ssp_core.application import plan_upgrade  # noqa: PLC0415
    from ssp_core.store.sqlite import SQLITE_MIGRATIONS, SqliteStore  # noqa: PLC0415

    path = tmp_path / "old.db"
    SqliteStore(path, migrations=SQLITE_MIGRATIONS[:5]).close()
    admin = Actor("root", "aalborg.administrator")
    with language("da"):
        plan = plan_upgrade(f"sqlite:///{path}", admin, registry=aalborg)
    assert plan.note is not None
    assert plan.note.endswith("; planlæg derefter igen")
    english = plan_upgrade(f"sqlite:///{path}", admin, registry=aalborg)
    assert english.note is not None
    assert english.note.endswith("; then plan again")
