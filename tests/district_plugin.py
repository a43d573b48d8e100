"""A second municipality for the district tests: Hjørring Kommune, next to Aalborg's plugin.

TEST DATA. The municipality (Hjørring, code 860, Nordjyllands Politikreds) is real;
its cards, roles, partners and grants here are invented for the tests and are not
Hjørring's procedures. Every id is in the ``hjoerring.`` namespace. It has its own
situation with the same name as Aalborg's (``radicalisation``, namespaced), age
bands that overlap Aalborg's, two cards and a mentor track, and a district-wide
role: the police liaison, who may read and note on the cases of every municipality
of the police district, seeing the subject only.
"""

from __future__ import annotations

from typing import Any

import ssp_core
from ssp_core import hookimpl
from ssp_core.plugins import (
    AgeBand,
    Applicability,
    DisclosureProfile,
    FactSpec,
    Grant,
    GuardSpec,
    Labels,
    LegalBasis,
    Municipality,
    Partner,
    RetentionRule,
    Role,
    Situation,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowKind,
)

NS = "hjoerring"
CONSULTANT = f"{NS}.ssp_consultant"
FRONTLINE = f"{NS}.frontline_worker"
MENTOR = f"{NS}.mentor"
LIAISON = f"{NS}.police_liaison"
ADMINISTRATOR = f"{NS}.administrator"
ROLES = (CONSULTANT, FRONTLINE, MENTOR, LIAISON, ADMINISTRATOR)
SITUATION = f"{NS}.radicalisation"
CARD_UNDER_18 = f"{NS}.radicalisation_under_18"
CARD_FROM_18 = f"{NS}.radicalisation_from_18"
TRACK = f"{NS}.mentor_track"
POLICE = f"{NS}.police"
MOSQUE = f"{NS}.mosque"


def L(text: str) -> Labels:  # noqa: N802
    """Return test labels (Danish and English)."""
    return Labels(da=f"{text} (da)", en=text)


def card(workflow_id: str, band: str) -> WorkflowDefinition:
    """Return one of Hjørring's cards: the national three steps, then an intervention."""
    return WorkflowDefinition(
        id=workflow_id,
        version=1,
        kind=WorkflowKind.ACTION_CARD,
        labels=L(f"card {workflow_id}"),
        initial="received",
        states=(
            StateSpec("received", L("concern received and described"), step=1),
            StateSpec("analysis", L("analysis of the person's situation"), step=2),
            StateSpec("assessment", L("overall assessment"), step=3),
            StateSpec("intervention", L("intervention")),
            StateSpec("closed", L("closed"), final=True),
        ),
        transitions=(
            TransitionSpec(
                "begin_analysis", "received", "analysis", L("analyse"), roles=(CONSULTANT,)
            ),
            TransitionSpec("assess", "analysis", "assessment", L("assess"), roles=(CONSULTANT,)),
            TransitionSpec(
                "intervene",
                "assessment",
                "intervention",
                L("intervene"),
                guards=("parents_informed",),
                roles=(CONSULTANT,),
            ),
            TransitionSpec(
                "close",
                ("received", "analysis", "assessment", "intervention"),
                "closed",
                L("close"),
                roles=(CONSULTANT,),
                requires_reason=True,
            ),
        ),
        facts=(
            FactSpec("parents_involved", L("parents involved")),
            FactSpec("parents_not_involved", L("parents not involved"), requires_detail=True),
        ),
        guards=(
            GuardSpec(
                "parents_informed",
                L("parents informed"),
                any_of=("parents_involved", "parents_not_involved"),
            ),
        ),
        deadlines=(ssp_core.plugins.DeadlineRule("received", 3, L("within 3 business days")),),
        applies_to=Applicability(SITUATION, band),
    )


MENTOR_TRACK = WorkflowDefinition(
    id=TRACK,
    version=1,
    kind=WorkflowKind.PREVENTION_TRACK,
    labels=L("mentor track"),
    initial="referral",
    states=(
        StateSpec("referral", L("referral")),
        StateSpec("active", L("active")),
        StateSpec("completed", L("completed"), final=True),
        StateSpec("ended_early", L("ended early"), final=True),
    ),
    transitions=(
        TransitionSpec("start", "referral", "active", L("start"), roles=(CONSULTANT,)),
        TransitionSpec(
            "complete",
            "active",
            "completed",
            L("complete"),
            guards=("sessions_held",),
            roles=(CONSULTANT, MENTOR),
        ),
        TransitionSpec(
            "end_early",
            ("referral", "active"),
            "ended_early",
            L("end early"),
            requires_reason=True,
            roles=(CONSULTANT, MENTOR),
        ),
    ),
    guards=(GuardSpec("sessions_held", L("sessions held"), min_sessions=1),),
    sessions_in=("active",),
)

CARDS = (CARD_UNDER_18, CARD_FROM_18)
EVERY_GROUP = ("subject", "notes", "observations", "identity")


class HjoerringPlugin:
    """Hjørring Kommune's test plugin (entry-point name ``hjoerring``)."""

    plugin_name = NS

    @hookimpl
    def ssp_register_municipalities(self) -> list[Municipality]:
        return [
            Municipality(
                NS,
                Labels(da="Hjørring Kommune", en="Hjørring Municipality"),
                "860",
                police_district="nordjylland",
            )
        ]

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role(role, L(role)) for role in ROLES]

    @hookimpl
    def ssp_register_situations(self) -> list[Situation]:
        return [Situation(SITUATION, L("worry about radicalisation"))]

    @hookimpl
    def ssp_register_age_bands(self) -> list[AgeBand]:
        return [
            AgeBand(f"{NS}.under_18", L("under 18"), 0, 17),
            AgeBand(f"{NS}.from_18", L("18 and over"), 18),
        ]

    @hookimpl
    def ssp_register_partners(self) -> list[Partner]:
        return [
            Partner(POLICE, "police", L("Nordjyllands Politi, Hjørring")),
            Partner(f"{NS}.school", "school", L("a school in Hjørring")),
            Partner(MOSQUE, "mosque", L("a mosque in Hjørring")),
        ]

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        return [
            card(CARD_UNDER_18, f"{NS}.under_18"),
            card(CARD_FROM_18, f"{NS}.from_18"),
            MENTOR_TRACK,
        ]

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return [
            Grant(
                CONSULTANT,
                ["case.*", "disclosure.list", "identity.enrol", "identity.reidentify"],
                field_groups=EVERY_GROUP,
                purposes=["casework", "disclosure", "reidentification"],
            ),
            Grant(
                FRONTLINE,
                ["case.open", "case.read", "case.search", "case.note"],
                workflows=CARDS,
                field_groups=("subject", "notes"),
                purposes=["casework"],
                scope="assigned",
            ),
            Grant(FRONTLINE, ["identity.enrol"], field_groups=("identity",)),
            Grant(
                MENTOR,
                ["case.read", "case.search", "case.fire", "case.note"],
                workflows=[TRACK],
                field_groups=("subject", "notes"),
                purposes=["casework"],
                scope="assigned",
            ),
            Grant(
                LIAISON,
                ["case.read", "case.search", "case.note"],
                field_groups=("subject",),
                purposes=["casework"],
                reach="district",
            ),
            Grant(
                ADMINISTRATOR,
                ["audit.read", "case.search", "disclosure.list", "retention.run"],
                purposes=["audit", "administration", "retention"],
            ),
        ]

    @hookimpl
    def ssp_register_legal_bases(self) -> list[LegalBasis]:
        return [
            LegalBasis(
                f"{NS}.rpl_115",
                L("Retsplejeloven § 115 (test)"),
                citation="Retsplejeloven § 115 (test data)",
                purposes=("disclosure",),
            )
        ]

    @hookimpl
    def ssp_register_disclosure_profiles(self) -> list[DisclosureProfile]:
        return [
            DisclosureProfile("police", ("case", "subject")),
            DisclosureProfile("mosque", ()),
        ]

    @hookimpl
    def ssp_register_retention_rules(self) -> list[RetentionRule]:
        return [
            RetentionRule(f"{NS}.retention.{workflow.rpartition('.')[2]}", workflow, "P5Y")
            for workflow in (*CARDS, TRACK)
        ]


def district_plugins() -> list[Any]:
    """Return the plugins of the two-municipality district: Aalborg's and Hjørring's."""
    import ssp_aalborg.hooks  # noqa: PLC0415 (the Aalborg plugin, registered explicitly)

    return [ssp_aalborg.hooks, HjoerringPlugin()]
