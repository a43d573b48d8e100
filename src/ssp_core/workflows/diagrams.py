"""Render a workflow definition as text, as a Mermaid state diagram, or as JSON-ready data.

The Mermaid output is written here rather than taken from ``transitions``' own
diagram extension: that one needs a model, colours the model's current state as
"active" and does not mark final states, while a definition page wants the labels,
guards and roles of every transition and the ends of the workflow.
"""

from __future__ import annotations

from typing import Any

from ssp_core.domain.labels import Language
from ssp_core.loading import converter
from ssp_core.workflows.definition import WorkflowDefinition

__all__ = ["to_data", "to_mermaid", "to_text"]


def to_data(definition: WorkflowDefinition) -> dict[str, Any]:
    """Return the definition as plain data (the same shape its TOML file has)."""
    data: dict[str, Any] = converter.unstructure(definition)
    return data


def _mermaid_text(text: str) -> str:
    return text.replace('"', "'").replace(":", " -").replace(";", ",").replace("\n", " ")


def to_mermaid(definition: WorkflowDefinition, language: Language = "en") -> str:
    """Return a Mermaid ``stateDiagram-v2`` of the definition, labelled in ``language``."""
    lines = ["stateDiagram-v2"]
    lines.extend(
        f'    state "{_mermaid_text(state.labels.get(language))}" as {_node(state.id)}'
        for state in definition.states
    )
    lines.append(f"    [*] --> {_node(definition.initial)}")
    for source, transition in definition.edges():
        label = transition.trigger
        if transition.guards:
            label += f" [{', '.join(transition.guards)}]"
        if transition.roles:
            label += f" ({', '.join(transition.roles)})"
        lines.append(f"    {_node(source)} --> {_node(transition.dest)}: {_mermaid_text(label)}")
    lines.extend(f"    {_node(state.id)} --> [*]" for state in definition.states if state.final)
    return "\n".join(lines) + "\n"


def _node(state_id: str) -> str:
    return state_id.replace(".", "_").replace("-", "_")


def _from(definition: WorkflowDefinition, part: str) -> list[str]:
    """Say where ``part`` came from, if not from ``definition`` itself."""
    origin = definition.origin(part)
    return [] if origin == definition.name else [f"from {origin}"]


def _heading(definition: WorkflowDefinition, language: Language) -> list[str]:
    """Return the lines before the states: name, kind, template, base, applicability."""
    out = [
        f"{definition.name}  {definition.labels.get(language)}",
        (
            f"kind: {definition.kind.value}; "
            f"subjects: {', '.join(s.value for s in definition.subjects)}"
        ),
    ]
    if definition.template:
        out.append("template: no case is opened on it; a workflow extends it")
    if definition.extends is not None:
        out.append(f"extends: {definition.extends.name}")
    if definition.applies_to is not None:
        out.append(
            f"applies to: situation {definition.applies_to.situation}, "
            f"age band {definition.applies_to.age_band}"
        )
    return out


def to_text(definition: WorkflowDefinition, language: Language = "en") -> str:
    """Return a plain-text description of the definition, for terminals and logs.

    A definition made by extending another says which, and each of its states,
    transitions and facts that came from there says so (``from core.radicalisation_under_18@1``).
    """
    out = _heading(definition, language)
    out.append("states:")
    deadlines = {rule.state: rule for rule in definition.deadlines if rule.fact is None}
    for state in definition.states:
        marks = []
        if state.id == definition.initial:
            marks.append("initial")
        if state.final:
            marks.append("final")
        if state.step is not None:
            marks.append(f"step {state.step}")
        if state.id in deadlines:
            rule = deadlines[state.id]
            unit = "business days" if rule.business_days else "days"
            marks.append(f"deadline {rule.days} {unit}")
        marks += _from(definition, f"state {state.id}")
        suffix = f" [{'; '.join(marks)}]" if marks else ""
        out.append(f"  {state.id}: {state.labels.get(language)}{suffix}")
        out.extend(
            f"    instruction {instruction.id}: {instruction.labels.get(language)}"
            for instruction in state.instructions
        )
    out.append("transitions:")
    for transition in definition.transitions:
        extra = []
        if transition.guards:
            extra.append(f"guards: {', '.join(transition.guards)}")
        if transition.roles:
            extra.append(f"roles: {', '.join(transition.roles)}")
        if transition.requires_reason:
            extra.append("reason required")
        extra += _from(definition, f"transition {transition.trigger}")
        suffix = f" ({'; '.join(extra)})" if extra else ""
        out.append(
            f"  {transition.trigger}: {', '.join(transition.source)} -> {transition.dest}{suffix}"
        )
    if definition.facts:
        out.append("facts:")
        for fact in definition.facts:
            basis = f" [{fact.legal_basis}]" if fact.legal_basis else ""
            detail = " (detail required)" if fact.requires_detail else ""
            roles = f" (roles: {', '.join(fact.roles)})" if fact.roles else ""
            origin = "".join(f" ({text})" for text in _from(definition, f"fact {fact.id}"))
            out.append(f"  {fact.id}: {fact.labels.get(language)}{basis}{detail}{roles}{origin}")
    return "\n".join(out) + "\n"
