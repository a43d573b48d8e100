"""Names of registered items in a report's language, falling back to the id."""

from __future__ import annotations

from typing import Literal

from ssp_core.domain.labels import Language
from ssp_core.plugins.registry import Registry

__all__ = ["label_of"]

_NONE = "\N{EN DASH}"


def label_of(
    registry: Registry,
    kind: Literal["localities", "partners", "finding_categories"],
    item_id: str | None,
    language: Language,
) -> str:
    """Return the label of a registered locality, partner or category; its id if unknown.

    ``None`` (nobody named yet) reads as a dash.
    """
    if item_id is None:
        return _NONE
    found = getattr(registry, kind).get(item_id)
    return found.labels.get(language) if found is not None else item_id
