"""Safety walks: read models, reports, GeoJSON and the facts evaluations count.

Walks and findings are cases (workflows of kind ``safety_walk`` and
``safety_finding``), planned and followed up through
:class:`~ssp_core.application.casework.Casework`; this package reads them back.
"""

from ssp_core.walks.facts import FindingFacts, finding_facts
from ssp_core.walks.views import Finding, Walk

__all__ = ["Finding", "FindingFacts", "Walk", "finding_facts"]
