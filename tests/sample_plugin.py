"""A small plugin used by the core's tests: two cards, a track, roles, bands, a catalogue."""

from __future__ import annotations

import datetime as dt

import attrs

import ssp_core
from ssp_core import (
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
    hookimpl,
)


def L(text: str) -> Labels:  # noqa: N802
    return Labels(da=f"{text} (da)", en=text)


def card(workflow_id: str, band: str, *, version: int = 1) -> WorkflowDefinition:
    return WorkflowDefinition(
        id=workflow_id,
        version=version,
        kind=WorkflowKind.ACTION_CARD,
        labels=L(f"card {workflow_id}"),
        initial="received",
        states=(
            StateSpec("received", L("received"), step=1),
            StateSpec("assessment", L("assessment"), step=3),
            StateSpec("intervention", L("intervention")),
            StateSpec("closed", L("closed"), final=True),
        ),
        transitions=(
            TransitionSpec("assess", "received", "assessment", L("assess"), roles=("consultant",)),
            TransitionSpec(
                "intervene",
                "assessment",
                "intervention",
                L("intervene"),
                guards=("parents_informed", "notified"),
                roles=("consultant",),
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
            FactSpec("police_only", L("police only"), roles=("police",)),
        ),
        guards=(
            GuardSpec(
                "parents_informed",
                L("parents informed"),
                any_of=("parents_involved", "parents_not_involved"),
            ),
            GuardSpec("notified", L("children's services notified"), all_of=("notified",)),
        ),
        deadlines=(ssp_core.DeadlineRule("received", 2, L("within 2 business days")),),
        applies_to=Applicability("worry", band),
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
            guards=("sessions_held", "even_sessions"),
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
        ssp_core.SubjectKind.PERSON,
        ssp_core.SubjectKind.GROUP,
        ssp_core.SubjectKind.ENVIRONMENT,
    ),
    sessions_in=("active",),
)


@attrs.define
class SamplePlugin:
    """The sample plugin; ``events`` collects what ssp_after_case_event saw."""

    plugin_name = "sample"
    events: list[ssp_core.CaseEvent] = attrs.Factory(list)
    missed: list[tuple[str, str, dt.date]] = attrs.Factory(list)
    loaded: list[ssp_core.Registry] = attrs.Factory(list)

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role(r, L(r)) for r in ("consultant", "police", "teacher")]

    @hookimpl
    def ssp_register_situations(self) -> list[Situation]:
        return [Situation("worry", L("worry"))]

    @hookimpl
    def ssp_register_age_bands(self) -> list[AgeBand]:
        return [AgeBand("young", L("under 18"), 0, 17), AgeBand("adult", L("18+"), 18)]

    @hookimpl
    def ssp_register_catalogues(self) -> list[ssp_core.WorrySignCatalogue]:
        return [
            ssp_core.WorrySignCatalogue(
                id="sample.signs",
                version=1,
                labels=L("signs"),
                source=ssp_core.Source("Sample help tool"),
                levels=(
                    ssp_core.WorrySignLevel(
                        "relations",
                        L("relations"),
                        ssp_core.WorrySignScope.PERSON,
                        (ssp_core.WorrySign("new_circle", L("new circle of friends")),),
                    ),
                ),
            )
        ]

    @hookimpl
    def ssp_register_partner_kinds(self) -> list[ssp_core.PartnerKind]:
        return [
            ssp_core.PartnerKind("sample_kind", L("a sample kind")),
            ssp_core.PartnerKind("sample_agency", L("a sample agency")),
        ]

    @hookimpl
    def ssp_register_partners(self) -> list[ssp_core.Partner]:
        return [
            ssp_core.Partner("sample.club", "sample_kind", L("a club"), locality="Sampleby"),
            ssp_core.Partner("sample.school", "school", L("a school")),
            ssp_core.Partner("sample.agency", "sample_agency", L("an agency")),
        ]

    @hookimpl
    def ssp_register_corps(self) -> list[ssp_core.Corps]:
        return [
            ssp_core.Corps(
                "sample.corps", L("corps"), ssp_core.CorpsOrientation.BOTH, "sample.track"
            )
        ]

    @hookimpl
    def ssp_register_info_houses(self) -> list[ssp_core.InfoHouse]:
        return [
            ssp_core.InfoHouse(
                "sample.house", L("house"), staffing=(ssp_core.StaffPosition("consultant", 2),)
            )
        ]

    @hookimpl
    def ssp_register_action_groups(self) -> list[ssp_core.ActionGroup]:
        return [
            ssp_core.ActionGroup(
                "sample.group", L("group"), areas=(ssp_core.ResourceArea("law", L("law")),)
            )
        ]

    @hookimpl
    def ssp_register_reference_texts(self) -> list[ssp_core.ReferenceText]:
        return [
            ssp_core.ReferenceText(
                "sample.definition", L("definition"), ssp_core.Source("A report", year=2012)
            )
        ]

    @hookimpl
    def ssp_register_strategy(self) -> list[ssp_core.Strategy]:
        goal = ssp_core.Goal("safer", L("safer"))
        initiative = ssp_core.Initiative(
            "walks", L("walks"), goals=("safer",), workflows=("sample.track",)
        )
        return [
            ssp_core.Strategy(
                "sample.strategy", L("strategy"), goals=(goal,), initiatives=(initiative,)
            )
        ]

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        return [card("sample.young", "young"), card("sample.adult", "adult"), TRACK]

    @hookimpl
    def ssp_register_guards(self) -> list[ssp_core.Guard]:
        return [
            ssp_core.Guard(
                "even_sessions",
                L("an even number of sessions"),
                lambda case: case.sessions % 2 == 0,
            )
        ]

    @hookimpl
    def ssp_register_grants(self) -> list[ssp_core.Grant]:
        # Consultants and the police may do anything; a teacher may open concerns and
        # work on them, but not disclose, re-identify, read the audit log or erase.
        every_group = [g.value for g in ssp_core.FieldGroup]
        return [
            ssp_core.Grant("consultant", ["*"], field_groups=every_group),
            ssp_core.Grant("police", ["*"], field_groups=every_group),
            ssp_core.Grant(
                "teacher",
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
    def ssp_register_purposes(self) -> list[ssp_core.Purpose]:
        return [ssp_core.Purpose("sample.training", L("training new staff on real cases"))]

    @hookimpl
    def ssp_register_retention_rules(self) -> list[ssp_core.RetentionRule]:
        # The cards keep a closed case five years; the track keeps one that ended early
        # one year (a rule for an outcome beats the workflow's general rule).
        # sample.adult has no rule: its closed cases are reported, never erased.
        return [
            ssp_core.RetentionRule("sample.young", "sample.young", "P1825D"),
            ssp_core.RetentionRule("sample.track", "sample.track", "P1825D"),
            ssp_core.RetentionRule(
                "sample.track.ended_early", "sample.track", "P365D", outcome="ended_early"
            ),
        ]

    @hookimpl
    def ssp_register_legal_bases(self) -> list[ssp_core.LegalBasis]:
        return [
            ssp_core.LegalBasis(
                "sample.rpl_115", L("rpl_115"), "Retsplejeloven § 115, stk. 1, nr. 1"
            ),
            ssp_core.LegalBasis(
                "sample.consent", L("consent"), "GDPR art. 6(1)(a)", requires_consent=True
            ),
        ]

    @hookimpl
    def ssp_register_disclosure_profiles(self) -> list[ssp_core.DisclosureProfile]:
        return [
            ssp_core.DisclosureProfile(
                "sample_agency", ["case", "subject", "notes", "observations"]
            ),
            ssp_core.DisclosureProfile("sample_kind", ["case"]),
        ]

    @hookimpl
    def ssp_after_case_event(self, event: ssp_core.CaseEvent) -> None:
        self.events.append(event)

    @ssp_core.hookimpl
    def ssp_after_deadline_missed(self, case: ssp_core.Case, deadline: ssp_core.Deadline) -> None:
        self.missed.append((case.id, deadline.rule, deadline.due))

    @hookimpl
    def ssp_after_registry_loaded(self, registry: ssp_core.Registry) -> None:
        self.loaded.append(registry)

    @hookimpl
    def ssp_register_localities(self) -> list[ssp_core.Locality]:
        return [
            ssp_core.Locality(
                "sample_town",
                ssp_core.Labels(da="Prøveby", en="Sample town"),
                ssp_core.Coordinates(57.05, 9.92),
            ),
            ssp_core.Locality("sample_village", ssp_core.Labels(da="Prøvelandsby", en="Village")),
        ]

    @hookimpl
    def ssp_register_finding_categories(self) -> list[ssp_core.FindingCategory]:
        return [ssp_core.FindingCategory("sample_bench", ssp_core.Labels(da="Bænk", en="Bench"))]

    @hookimpl
    def ssp_register_example_walks(self) -> list[ssp_core.WalkPlan]:
        return [
            ssp_core.WalkPlan(
                "sample_walk",
                "sample_town",
                dt.date(2025, 5, 6),
                participants=("sample.club",),
                citizens=3,
                topics=("lighting", "sample_bench"),
                findings=(
                    ssp_core.FindingPlan(
                        ssp_core.Place("By the station", ssp_core.Coordinates(57.051, 9.921)),
                        "lighting",
                        "A dark corner by the bicycle racks.",
                        responsible="sample.agency",
                        outcome="resolved",
                    ),
                    ssp_core.FindingPlan(
                        ssp_core.Place("The square"),
                        "sample_bench",
                        "The bench faces a wall.",
                        outcome="declined",
                        reason="Private ground.",
                    ),
                    ssp_core.FindingPlan(
                        ssp_core.Place("Path to school", ssp_core.Coordinates(57.049, 9.918)),
                        "safe_movement",
                        "Hedges hide the path.",
                        responsible="sample.club",
                    ),
                ),
            )
        ]
