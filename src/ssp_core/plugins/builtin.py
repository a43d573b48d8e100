"""The core's own contributions, registered through the same hooks as any plugin.

The core knows the common kinds of partner in Danish crime-prevention work, the
purposes of processing, the categories of crime prevention by design, the national
legal bases for disclosure, the common kinds of initiative activity, and the workflows
of safety walks and findings, advice requests and initiative activities (legal bases,
activity kinds and workflows as TOML data in ``ssp_core/data``). These are shared by
every municipality, so their ids are not namespaced. Other data (roles, cards, tracks,
catalogues, localities) is municipal and comes from plugins, each in its municipality's
namespace.
"""

from __future__ import annotations

from importlib.resources import as_file, files

from ssp_core.domain.access import Purpose
from ssp_core.domain.activities import ActivityKind
from ssp_core.domain.concerns import WorrySignCatalogue
from ssp_core.domain.disclosure import LegalBasis
from ssp_core.domain.district import PoliceDistrict
from ssp_core.domain.labels import Labels
from ssp_core.domain.organisation import PartnerKind
from ssp_core.domain.walks import FindingCategory
from ssp_core.loading import load_items, load_workflows
from ssp_core.plugins.spec import hookimpl
from ssp_core.workflows.definition import WorkflowDefinition
from ssp_core.workflows.extension import WorkflowExtension
from ssp_core.workflows.guards import Guard, GuardView

__all__ = [
    "FINDING_CATEGORIES",
    "PARTNER_KINDS",
    "POLICE_DISTRICTS",
    "PURPOSES",
    "responsible_named",
    "ssp_register_activity_kinds",
    "ssp_register_catalogues",
    "ssp_register_finding_categories",
    "ssp_register_guards",
    "ssp_register_legal_bases",
    "ssp_register_partner_kinds",
    "ssp_register_police_districts",
    "ssp_register_purposes",
    "ssp_register_workflows",
]

PARTNER_KINDS: tuple[PartnerKind, ...] = (
    PartnerKind("mosque", Labels(da="Moské", en="Mosque")),
    PartnerKind("hometown_association", Labels(da="Hjemstavnsforening", en="Hometown association")),
    PartnerKind("youth_centre", Labels(da="Ungecenter", en="Youth centre")),
    PartnerKind("youth_club", Labels(da="Ungdomsklub", en="Youth club")),
    PartnerKind("school", Labels(da="Skole", en="School"), authority=True),
    PartnerKind("police", Labels(da="Politi", en="Police"), authority=True),
    PartnerKind(
        "social_services", Labels(da="Socialforvaltning", en="Social services"), authority=True
    ),
    PartnerKind("housing_organisation", Labels(da="Boligorganisation", en="Housing organisation")),
    PartnerKind("housing_section", Labels(da="Boligafdeling", en="Housing section")),
    PartnerKind("community_council", Labels(da="Samråd", en="Community council")),
    PartnerKind("residents_association", Labels(da="Borgerforening", en="Residents' association")),
    PartnerKind("sports_club", Labels(da="Idrætsforening", en="Sports club")),
    PartnerKind("scouts", Labels(da="Spejdergruppe", en="Scout group")),
    PartnerKind("business", Labels(da="Erhvervsliv", en="Business")),
    PartnerKind(
        "volunteer_organisation", Labels(da="Frivillig organisation", en="Volunteer organisation")
    ),
    PartnerKind(
        "emergency_service", Labels(da="Beredskab", en="Emergency service"), authority=True
    ),
    PartnerKind(
        "municipal_service",
        Labels(da="Kommunal forvaltning", en="Municipal service"),
        authority=True,
    ),
    PartnerKind(
        "childrens_services",
        Labels(da="Kommunens børne- og familieområde", en="The municipality's children's services"),
        authority=True,
    ),
    PartnerKind("psychiatry", Labels(da="Psykiatrien", en="Psychiatry"), authority=True),
    PartnerKind(
        "prison_and_probation",
        Labels(da="Kriminalforsorgen", en="Prison and Probation Service"),
        authority=True,
    ),
    PartnerKind(
        "self_governing_institution",
        Labels(
            da="Selvejende institution med offentlige opgaver",
            en="Self-governing institution with public tasks",
        ),
        authority=True,
    ),
    PartnerKind("citizens", Labels(da="Borgere", en="Citizens")),
)
"""The kinds of partner every installation knows; plugins add more.

The public authorities among them (``authority=True``: the parties of the SSP, PSP
and KSP cooperations, children's services, the emergency service) are the ones the
national legal bases name; every other kind is civil society.
"""


@hookimpl
def ssp_register_partner_kinds() -> tuple[PartnerKind, ...]:
    """Register the common partner kinds."""
    return PARTNER_KINDS


POLICE_DISTRICTS: tuple[PoliceDistrict, ...] = (
    PoliceDistrict(
        "nordjylland",
        Labels(da="Nordjyllands Politikreds", en="North Jutland Police district"),
        Labels(
            da="Aalborg, Brønderslev, Frederikshavn, Hjørring, Jammerbugt, Læsø, Mariagerfjord, "
            "Rebild og Vesthimmerland kommuner (kilde: politi.dk, Nordjyllands Politi).",
            en="The municipalities of Aalborg, Brønderslev, Frederikshavn, Hjørring, Jammerbugt, "
            "Læsø, Mariagerfjord, Rebild and Vesthimmerland (source: politi.dk, North Jutland "
            "Police).",
        ),
    ),
)
"""The police districts the core knows (only the one verified so far); plugins add more."""


@hookimpl
def ssp_register_police_districts() -> tuple[PoliceDistrict, ...]:
    """Register the police districts the core knows."""
    return POLICE_DISTRICTS


PURPOSES: tuple[Purpose, ...] = (
    Purpose("casework", Labels(da="Sagsbehandling", en="Case handling")),
    Purpose("disclosure", Labels(da="Videregivelse", en="Disclosure to a partner or agency")),
    Purpose("reidentification", Labels(da="Genidentifikation", en="Re-identification")),
    Purpose("research", Labels(da="Forskning og evaluering", en="Research and evaluation")),
    Purpose("audit", Labels(da="Kontrol og tilsyn", en="Audit and supervision")),
    Purpose(
        "retention", Labels(da="Sletning efter slettefrister", en="Erasure under retention rules")
    ),
    Purpose("administration", Labels(da="Administration", en="Administration")),
)
"""The purposes every installation knows; plugins add more."""


@hookimpl
def ssp_register_purposes() -> tuple[Purpose, ...]:
    """Register the common purposes."""
    return PURPOSES


FINDING_CATEGORIES: tuple[FindingCategory, ...] = (
    FindingCategory(
        "eyes_on_the_street",
        Labels(da="Øjne på gaden", en="Eyes on the street"),
        Labels(
            da="Naturlig overvågning: kan man ses og hjælpes af andre?",
            en="Natural surveillance: can people be seen and helped by others?",
        ),
    ),
    FindingCategory(
        "overview",
        Labels(da="Overblik", en="Overview"),
        Labels(
            da="Kan man se, hvor man er, og hvad der er foran en?",
            en="Can people see where they are and what lies ahead?",
        ),
    ),
    FindingCategory(
        "safe_movement",
        Labels(da="Tryg færdsel", en="Safe movement"),
        Labels(
            da="Stier, passager og ruter, man tør bruge, også efter mørkets frembrud.",
            en="Paths, passages and routes people dare to use, also after dark.",
        ),
    ),
    FindingCategory(
        "lighting",
        Labels(da="Belysning", en="Lighting"),
        Labels(da="Lys, der viser vej og ansigter.", en="Light that shows the way and faces."),
    ),
    FindingCategory(
        "ownership",
        Labels(da="Ejerskab", en="Ownership"),
        Labels(
            da="Er det tydeligt, hvem stedet tilhører og hvem der passer på det?",
            en="Is it clear whom the place belongs to and who looks after it?",
        ),
    ),
    FindingCategory(
        "places_to_stay",
        Labels(da="Steder at opholde sig", en="Places to stay"),
        Labels(
            da="Gode steder at være, der trækker liv til området.",
            en="Good places to be that bring life to the area.",
        ),
    ),
    FindingCategory(
        "maintenance",
        Labels(da="Vedligehold", en="Maintenance"),
        Labels(
            da="Hærværk, affald og forfald, der signalerer, at ingen tager sig af stedet.",
            en="Vandalism, litter and decay that signal nobody cares for the place.",
        ),
    ),
    FindingCategory(
        "physical_protection",
        Labels(da="Fysisk beskyttelse", en="Physical protection"),
        Labels(da="Låse, døre, hegn og skalsikring.", en="Locks, doors, fences and the shell."),
    ),
)
"""The categories of crime prevention by design (DOMAIN.md fact 9); plugins add more."""


@hookimpl
def ssp_register_finding_categories() -> tuple[FindingCategory, ...]:
    """Register the categories of crime prevention by design."""
    return FINDING_CATEGORIES


def responsible_named(case: GuardView) -> bool:
    """Tell whether a finding has a responsible partner: named when found, or assigned since."""
    return any(
        (event.kind == "FindingRecorded" and event.fields.get("responsible") is not None)
        or event.kind == "FindingAssigned"
        for event in case.events
    )


@hookimpl
def ssp_register_guards() -> tuple[Guard, ...]:
    """Register the guards of the core's workflows."""
    return (
        Guard(
            "responsible_named",
            Labels(da="En ansvarlig part er udpeget", en="A responsible partner is named"),
            responsible_named,
        ),
    )


@hookimpl
def ssp_register_catalogues() -> list[WorrySignCatalogue]:
    """Register an example catalogue of resources and protective factors (kind ``resources``)."""
    with as_file(files("ssp_core") / "data" / "protective_factors.toml") as path:
        return load_items(path, "catalogues", WorrySignCatalogue)


@hookimpl
def ssp_register_legal_bases() -> list[LegalBasis]:
    """Register the national legal bases: Retsplejeloven § 115, Barnets Lov § 133, consent."""
    with as_file(files("ssp_core") / "data" / "legal_bases.toml") as path:
        return load_items(path, "legal_bases", LegalBasis)


@hookimpl
def ssp_register_activity_kinds() -> list[ActivityKind]:
    """Register the common kinds of initiative activity: visits, evening events, meetings, ..."""
    with as_file(files("ssp_core") / "data" / "activity_kinds.toml") as path:
        return load_items(path, "activity_kinds", ActivityKind)


@hookimpl
def ssp_register_workflows() -> list[WorkflowDefinition | WorkflowExtension]:
    """Register the core's workflows and the templates of the national model.

    The workflows: safety walks and findings, advice requests, activities. The
    templates (no case is opened on them): the four action cards and a prevention
    track, which a municipality's cards and tracks extend.
    """
    data = files("ssp_core") / "data"
    with as_file(data / "workflows") as workflows, as_file(data / "templates") as templates:
        return [*load_workflows(workflows), *load_workflows(templates)]
