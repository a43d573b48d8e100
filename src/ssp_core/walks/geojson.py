"""Findings as GeoJSON (RFC 7946): one point feature per finding that has coordinates.

GeoJSON goes to map tools and sometimes to the public, so a feature carries the
place, the category, the state and who follows it up, but not the finding's
description unless asked for: descriptions are free text and may name people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ssp_core.domain.labels import Language
from ssp_core.plugins.registry import Registry
from ssp_core.walks.labels import label_of
from ssp_core.walks.views import Finding

__all__ = ["findings_geojson"]


def findings_geojson(
    findings: Iterable[Finding],
    registry: Registry,
    *,
    language: Language = "en",
    descriptions: bool = False,
) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of the findings with coordinates.

    Positions are ``[longitude, latitude]`` in WGS84, as RFC 7946 requires.
    Findings without coordinates are counted in the collection's
    ``without_coordinates`` member (a foreign member, which readers ignore).
    """
    features: list[dict[str, Any]] = []
    missing = 0
    for finding in findings:
        point = finding.place.coordinates
        if point is None:
            missing += 1
            continue
        properties: dict[str, Any] = {
            "finding": finding.case_id,
            "walk": finding.walk,
            "locality": finding.locality,
            "locality_label": label_of(registry, "localities", finding.locality, language),
            "place": finding.place.description,
            "category": finding.category,
            "category_label": label_of(registry, "finding_categories", finding.category, language),
            "state": finding.state,
            "responsible": finding.responsible,
            "responsible_label": (
                None
                if finding.responsible is None
                else label_of(registry, "partners", finding.responsible, language)
            ),
            "reported": finding.reported_at.date().isoformat(),
            "due": min((d.due for d in finding.due), default=None),
        }
        if properties["due"] is not None:
            properties["due"] = properties["due"].isoformat()
        if descriptions:
            properties["description"] = finding.description
        features.append(
            {
                "type": "Feature",
                "id": finding.case_id,
                "geometry": {"type": "Point", "coordinates": point.geojson()},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features, "without_coordinates": missing}
