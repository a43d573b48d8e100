"""Names of registered items in a report's language, falling back to the id."""

from __future__ import annotations

from typing import Literal

from ssp_core.domain.labels import Language
from ssp_core.i18n import current_language, label
from ssp_core.plugins.registry import Registry
from ssp_core.workflows.definition import WorkflowKind

__all__ = ["label_of", "state_text"]

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


def state_text(
    registry: Registry,
    state: str,
    *,
    workflow: str | None = None,
    kind: WorkflowKind | None = None,
) -> str:
    """Return how a case's state reads on the command line in the current language.

    English shows the state's id (what commands and ``--json`` use); another language
    shows the state's label from the newest version of ``workflow`` (or of any workflow
    of ``kind``), falling back to the id when no definition names the state.
    """
    if current_language() == "en":
        return state
    if workflow is not None:
        definitions = [d for d in registry.latest_workflows(templates=True) if d.id == workflow]
    else:
        definitions = registry.latest_workflows(kind, templates=True)
    for definition in definitions:
        for spec in definition.states:
            if spec.id == state:
                return label(spec.labels)
    return state
