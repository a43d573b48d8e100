"""A small plugin used by the core's tests: two cards, a track, roles, bands, a catalogue."""

from __future__ import annotations

import datetime as dt

import attrs

import ssp_core
import ssp_core.domain.events
import ssp_core.plugins
import ssp_core.workflows.engine
from ssp_core import hookimpl
from ssp_core.plugins import (
    AgeBand,
    Applicability,
    FactSpec,
    GuardSpec,
    Labels,
    Role,
    Situation,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
    WorkflowKind,
)


def L(text: str) -> Labels:  # noqa: N802
    return Labels(da=f"{text} (da)", en=text)


ACUTE = ssp_core.plugins.Instruction(
    "acute", L("call 112 now"), sources=[ssp_core.plugins.Source("sample source")]
)


def card(workflow_id: str, band: str, *, version: int = 1) -> WorkflowDefinition:
    return WorkflowDefinition(
        id=workflow_id,
        version=version,
        kind=WorkflowKind.ACTION_CARD,
        labels=L(f"card {workflow_id}"),
        initial="received",
        states=(
            StateSpec("received", L("received"), step=1),
            StateSpec("assessment", L("assessment"), step=3, instructions=(ACUTE,)),
            StateSpec("intervention", L("intervention")),
            StateSpec("closed", L("closed"), final=True),
        ),
        transitions=(
            TransitionSpec(
                "assess", "received", "assessment", L("assess"), roles=("sample.consultant",)
            ),
            TransitionSpec(
                "intervene",
                "assessment",
                "intervention",
                L("intervene"),
                guards=("parents_informed", "notified"),
                roles=("sample.consultant",),
            ),
            TransitionSpec(
                "close",
                ("received", "assessment", "intervention"),
                "closed",
                L("close"),
                requires_reason=True,
            ),
        ),
        facts=(
            FactSpec("notified", L("notified"), legal_basis="Barnets Lov § 133"),
            FactSpec("parents_involved", L("parents involved")),
            FactSpec("parents_not_involved", L("parents not involved"), requires_detail=True),
            FactSpec("police_only", L("police only"), roles=("sample.police",)),
        ),
        guards=(
            GuardSpec(
                "parents_informed",
                L("parents informed"),
                any_of=("parents_involved", "parents_not_involved"),
            ),
            GuardSpec("notified", L("children's services notified"), all_of=("notified",)),
        ),
        deadlines=(ssp_core.plugins.DeadlineRule("received", 2, L("within 2 business days")),),
        applies_to=Applicability("sample.worry", band),
    )


TRACK = WorkflowDefinition(
    id="sample.track",
    version=1,
    kind=WorkflowKind.PREVENTION_TRACK,
    labels=L("track"),
    initial="referral",
    states=(
        StateSpec("referral", L("referral")),
        StateSpec("active", L("active")),
        StateSpec("completed", L("completed"), final=True),
        StateSpec("ended_early", L("ended early"), final=True),
    ),
    transitions=(
        TransitionSpec("start", "referral", "active", L("start"), guards=("assigned",)),
        TransitionSpec(
            "complete",
            "active",
            "completed",
            L("complete"),
            guards=("sessions_held", "sample.even_sessions"),
        ),
        TransitionSpec(
            "end_early", ("referral", "active"), "ended_early", L("end early"), requires_reason=True
        ),
    ),
    guards=(
        GuardSpec("assigned", L("assigned"), assigned=True),
        GuardSpec("sessions_held", L("sessions"), min_sessions=1),
    ),
    subjects=(
        ssp_core.plugins.SubjectKind.PERSON,
        ssp_core.plugins.SubjectKind.GROUP,
        ssp_core.plugins.SubjectKind.ENVIRONMENT,
    ),
    sessions_in=("active",),
)


@attrs.define
class SamplePlugin:
    """The sample plugin; ``events`` collects what ssp_after_case_event saw."""

    plugin_name = "sample"
    events: list[ssp_core.domain.events.CaseEvent] = attrs.Factory(list)
    missed: list[tuple[str, str, dt.date]] = attrs.Factory(list)
    loaded: list[ssp_core.Registry] = attrs.Factory(list)

    @hookimpl
    def ssp_register_police_districts(self) -> list[ssp_core.plugins.PoliceDistrict]:
        return [ssp_core.plugins.PoliceDistrict("sample_district", L("sample district"))]

    @hookimpl
    def ssp_register_municipalities(self) -> list[ssp_core.plugins.Municipality]:
        # The sample is one municipality: everything it contributes is its own.
        return [
            ssp_core.plugins.Municipality(
                "sample", L("sample municipality"), "999", police_district="sample_district"
            )
        ]

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role(r, L(r)) for r in ("sample.consultant", "sample.police", "sample.teacher")]

    @hookimpl
    def ssp_register_situations(self) -> list[Situation]:
        return [Situation("sample.worry", L("worry"))]

    @hookimpl
    def ssp_register_renamed_ids(self) -> list[ssp_core.plugins.RenamedId]:
        # Before 0.2 the sample's ids were plain; histories that hold them still read.
        return [
            ssp_core.plugins.RenamedId("situation", "worry", "sample.worry", since="0.2"),
            ssp_core.plugins.RenamedId("role", "consultant", "sample.consultant", since="0.2"),
        ]

    @hookimpl
    def ssp_register_age_bands(self) -> list[AgeBand]:
        return [
            AgeBand("sample.young", L("under 18"), 0, 17),
            AgeBand("sample.adult", L("18+"), 18),
        ]

    @hookimpl
    def ssp_register_catalogues(self) -> list[ssp_core.plugins.WorrySignCatalogue]:
        return [
            ssp_core.plugins.WorrySignCatalogue(
                id="sample.signs",
                version=1,
                labels=L("signs"),
                source=ssp_core.plugins.Source("Sample help tool"),
                levels=(
                    ssp_core.plugins.WorrySignLevel(
                        "relations",
                        L("relations"),
                        ssp_core.plugins.WorrySignScope.PERSON,
                        (ssp_core.plugins.WorrySign("new_circle", L("new circle of friends")),),
                    ),
                ),
            )
        ]

    @hookimpl
    def ssp_register_partner_kinds(self) -> list[ssp_core.plugins.PartnerKind]:
        return [
            ssp_core.plugins.PartnerKind("sample.sample_kind", L("a sample kind")),
            ssp_core.plugins.PartnerKind("sample.sample_agency", L("a sample agency")),
        ]

    @hookimpl
    def ssp_register_partners(self) -> list[ssp_core.plugins.Partner]:
        return [
            ssp_core.plugins.Partner(
                "sample.club", "sample.sample_kind", L("a club"), locality="Sampleby"
            ),
            ssp_core.plugins.Partner("sample.school", "school", L("a school")),
            ssp_core.plugins.Partner("sample.agency", "sample.sample_agency", L("an agency")),
        ]

    @hookimpl
    def ssp_register_corps(self) -> list[ssp_core.plugins.Corps]:
        return [
            ssp_core.plugins.Corps(
                "sample.corps", L("corps"), ssp_core.plugins.CorpsOrientation.BOTH, "sample.track"
            )
        ]

    @hookimpl
    def ssp_register_info_houses(self) -> list[ssp_core.plugins.InfoHouse]:
        return [
            ssp_core.plugins.InfoHouse(
                "sample.house",
                L("house"),
                staffing=(ssp_core.plugins.StaffPosition("sample.consultant", 2),),
            )
        ]

    @hookimpl
    def ssp_register_action_groups(self) -> list[ssp_core.plugins.ActionGroup]:
        return [
            ssp_core.plugins.ActionGroup(
                "sample.group", L("group"), areas=(ssp_core.plugins.ResourceArea("law", L("law")),)
            )
        ]

    @hookimpl
    def ssp_register_reference_texts(self) -> list[ssp_core.plugins.ReferenceText]:
        return [
            ssp_core.plugins.ReferenceText(
                "sample.definition", L("definition"), ssp_core.plugins.Source("A report", year=2012)
            )
        ]

    @hookimpl
    def ssp_register_strategy(self) -> list[ssp_core.plugins.Strategy]:
        goal = ssp_core.plugins.Goal("safer", L("safer"))
        initiative = ssp_core.plugins.Initiative(
            "walks", L("walks"), goals=("safer",), workflows=("sample.track",)
        )
        return [
            ssp_core.plugins.Strategy(
                "sample.strategy", L("strategy"), goals=(goal,), initiatives=(initiative,)
            )
        ]

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        return [card("sample.young", "sample.young"), card("sample.adult", "sample.adult"), TRACK]

    @hookimpl
    def ssp_register_guards(self) -> list[ssp_core.plugins.Guard]:
        return [
            ssp_core.plugins.Guard(
                "sample.even_sessions",
                L("an even number of sessions"),
                lambda case: case.sessions % 2 == 0,
            )
        ]

    @hookimpl
    def ssp_register_grants(self) -> list[ssp_core.plugins.Grant]:
        # Consultants and the police may do anything; a teacher may open concerns and
        # work on them, but not disclose, re-identify, read the audit log or erase.
        every_group = [g.value for g in ssp_core.plugins.FieldGroup]
        return [
            ssp_core.plugins.Grant("sample.consultant", ["*"], field_groups=every_group),
            ssp_core.plugins.Grant("sample.police", ["*"], field_groups=every_group),
            ssp_core.plugins.Grant(
                "sample.teacher",
                [
                    "case.open",
                    "case.read",
                    "case.search",
                    "case.observe",
                    "case.note",
                    "case.fact",
                    "case.fire",
                    "case.export",
                    "identity.enrol",
                ],
                field_groups=["subject", "notes", "observations"],
                purposes=["casework"],
            ),
        ]

    @hookimpl
    def ssp_register_purposes(self) -> list[ssp_core.plugins.Purpose]:
        return [ssp_core.plugins.Purpose("sample.training", L("training new staff on real cases"))]

    @hookimpl
    def ssp_register_retention_rules(self) -> list[ssp_core.plugins.RetentionRule]:
        # The cards keep a closed case five years; the track keeps one that ended early
        # one year (a rule for an outcome beats the workflow's general rule).
        # sample.adult has no rule: its closed cases are reported, never erased.
        return [
            ssp_core.plugins.RetentionRule("sample.young", "sample.young", "P1825D"),
            ssp_core.plugins.RetentionRule("sample.track", "sample.track", "P1825D"),
            ssp_core.plugins.RetentionRule(
                "sample.track.ended_early", "sample.track", "P365D", outcome="ended_early"
            ),
        ]

    @hookimpl
    def ssp_register_legal_bases(self) -> list[ssp_core.plugins.LegalBasis]:
        return [
            ssp_core.plugins.LegalBasis(
                "sample.rpl_115", L("rpl_115"), "Retsplejeloven § 115, stk. 1, nr. 1"
            ),
            ssp_core.plugins.LegalBasis(
                "sample.consent", L("consent"), "GDPR art. 6(1)(a)", requires_consent=True
            ),
        ]

    @hookimpl
    def ssp_register_disclosure_profiles(self) -> list[ssp_core.plugins.DisclosureProfile]:
        return [
            ssp_core.plugins.DisclosureProfile(
                "sample.sample_agency", ["case", "subject", "notes", "observations"]
            ),
            ssp_core.plugins.DisclosureProfile("sample.sample_kind", ["case"]),
        ]

    @hookimpl
    def ssp_after_case_event(self, event: ssp_core.domain.events.CaseEvent) -> None:
        self.events.append(event)

    @ssp_core.hookimpl
    def ssp_after_deadline_missed(
        self, case: ssp_core.Case, deadline: ssp_core.workflows.engine.Deadline
    ) -> None:
        self.missed.append((case.id, deadline.rule, deadline.due))

    @hookimpl
    def ssp_after_registry_loaded(self, registry: ssp_core.Registry) -> None:
        self.loaded.append(registry)

    @hookimpl
    def ssp_register_localities(self) -> list[ssp_core.plugins.Locality]:
        return [
            ssp_core.plugins.Locality(
                "sample.sample_town",
                ssp_core.plugins.Labels(da="Prøveby", en="Sample town"),
                ssp_core.Coordinates(57.05, 9.92),
            ),
            ssp_core.plugins.Locality(
                "sample.sample_village", ssp_core.plugins.Labels(da="Prøvelandsby", en="Village")
            ),
        ]

    @hookimpl
    def ssp_register_finding_categories(self) -> list[ssp_core.plugins.FindingCategory]:
        return [
            ssp_core.plugins.FindingCategory(
                "sample.sample_bench", ssp_core.plugins.Labels(da="Bænk", en="Bench")
            )
        ]

    @hookimpl
    def ssp_register_example_walks(self) -> list[ssp_core.plugins.WalkPlan]:
        return [
            ssp_core.plugins.WalkPlan(
                "sample.sample_walk",
                "sample.sample_town",
                dt.date(2025, 5, 6),
                participants=("sample.club",),
                citizens=3,
                topics=("lighting", "sample.sample_bench"),
                findings=(
                    ssp_core.plugins.FindingPlan(
                        ssp_core.Place("By the station", ssp_core.Coordinates(57.051, 9.921)),
                        "lighting",
                        "A dark corner by the bicycle racks.",
                        responsible="sample.agency",
                        outcome="resolved",
                    ),
                    ssp_core.plugins.FindingPlan(
                        ssp_core.Place("The square"),
                        "sample.sample_bench",
                        "The bench faces a wall.",
                        outcome="declined",
                        reason="Private ground.",
                    ),
                    ssp_core.plugins.FindingPlan(
                        ssp_core.Place("Path to school", ssp_core.Coordinates(57.049, 9.918)),
                        "safe_movement",
                        "Hedges hide the path.",
                        responsible="sample.club",
                    ),
                ),
            )
        ]

    @hookimpl
    def ssp_register_activity_kinds(self) -> list[ssp_core.plugins.ActivityKind]:
        return [
            ssp_core.plugins.ActivityKind(
                "sample.street_football", ssp_core.plugins.Labels(da="Gadefodbold", en="Football")
            )
        ]

    @hookimpl
    def ssp_register_example_activities(self) -> list[ssp_core.plugins.ActivityPlan]:
        return [
            ssp_core.plugins.ActivityPlan(
                "sample.football_evening",
                "sample.strategy",
                "walks",
                "sample.street_football",
                held_on=dt.date(2025, 5, 7),
                partners=("sample.club",),
                locality="sample.sample_town",
                participants=14,
                young_people=12,
                description="Football on the square, then a talk about safe ways home.",
            )
        ]
