"""The core's own contributions, registered through the same hooks as any plugin.

The core knows the common kinds of partner in Danish crime-prevention work. Other
data (roles, cards, tracks, catalogues) is municipal and comes from plugins.
"""

from __future__ import annotations

from ssp_core.domain.access import Purpose
from ssp_core.domain.labels import Labels
from ssp_core.domain.organisation import PartnerKind
from ssp_core.plugins.spec import hookimpl

__all__ = ["PARTNER_KINDS", "PURPOSES", "ssp_register_partner_kinds", "ssp_register_purposes"]

PARTNER_KINDS: tuple[PartnerKind, ...] = (
    PartnerKind("mosque", Labels(da="Moské", en="Mosque")),
    PartnerKind("hometown_association", Labels(da="Hjemstavnsforening", en="Hometown association")),
    PartnerKind("youth_centre", Labels(da="Ungecenter", en="Youth centre")),
    PartnerKind("youth_club", Labels(da="Ungdomsklub", en="Youth club")),
    PartnerKind("school", Labels(da="Skole", en="School")),
    PartnerKind("police", Labels(da="Politi", en="Police")),
    PartnerKind("social_services", Labels(da="Socialforvaltning", en="Social services")),
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
    PartnerKind("emergency_service", Labels(da="Beredskab", en="Emergency service")),
    PartnerKind("municipal_service", Labels(da="Kommunal forvaltning", en="Municipal service")),
    PartnerKind("citizens", Labels(da="Borgere", en="Citizens")),
)
"""The kinds of partner every installation knows; plugins add more."""


@hookimpl
def ssp_register_partner_kinds() -> tuple[PartnerKind, ...]:
    """Register the common partner kinds."""
    return PARTNER_KINDS


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
