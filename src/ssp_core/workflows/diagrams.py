"""Render a workflow definition as text, as a Mermaid state diagram, or as JSON-ready data.

The Mermaid output is written here rather than taken from ``transitions``' own
diagram extension: that one needs a model, colours the model's current state as
"active" and does not mark final states, while a definition page wants the labels,
guards and roles of every transition and the ends of the workflow.

Labels are shown in ``language`` (default: the current language,
:func:`ssp_core.i18n.language`), and so is the fixed text of :func:`to_text`;
ids (states, triggers, guards, roles) stay as they are. A Mermaid diagram has no
fixed text of its own: its states carry their labels, its edges their ids.
"""

from __future__ import annotations

from typing import Any

from ssp_core.domain.labels import Language
from ssp_core.i18n import _, current_language, ngettext
from ssp_core.i18n import language as _language
from ssp_core.loading import converter
from ssp_core.workflows.definition import DeadlineRule, WorkflowDefinition

__all__ = ["to_data", "to_mermaid", "to_text"]


def to_data(definition: WorkflowDefinition) -> dict[str, Any]:
    """Return the definition as plain data (the same shape its TOML file has)."""
    data: dict[str, Any] = converter.unstructure(definition)
    return data


def _mermaid_text(text: str) -> str:
    return text.replace('"', "'").replace(":", " -").replace(";", ",").replace("\n", " ")


def to_mermaid(definition: WorkflowDefinition, language: Language | None = None) -> str:
    """Return a Mermaid ``stateDiagram-v2`` of the definition, labelled in ``language``.

    ``language`` defaults to the current language.
    """
    language = language or current_language()
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
    return [] if origin == definition.name else [_("from {origin}").format(origin=origin)]


def _heading(definition: WorkflowDefinition, language: Language) -> list[str]:
    """Return the lines before the states: name, kind, template, base, applicability."""
    out = [
        f"{definition.name}  {definition.labels.get(language)}",
        _("kind: {kind}; subjects: {subjects}").format(
            kind=definition.kind.value,
            subjects=", ".join(s.value for s in definition.subjects),
        ),
    ]
    if definition.template:
        out.append(_("template: no case is opened on it; a workflow extends it"))
    if definition.extends is not None:
        out.append(_("extends: {name}").format(name=definition.extends.name))
    if definition.applies_to is not None:
        out.append(
            _("applies to: situation {situation}, age band {age_band}").format(
                situation=definition.applies_to.situation,
                age_band=definition.applies_to.age_band,
            )
        )
    return out


def to_text(definition: WorkflowDefinition, language: Language | None = None) -> str:
    """Return a plain-text description of the definition, for terminals and logs.

    A definition made by extending another says which, and each of its states,
    transitions and facts that came from there says so (``from core.radicalisation_under_18@1``).
    ``language`` (default: the current language) is the language of labels and fixed text.
    """
    chosen = language or current_language()
    with _language(chosen):
        return _text(definition, chosen)


def _deadline(rule: DeadlineRule) -> str:
    if rule.business_days:
        text = ngettext("deadline {n} business day", "deadline {n} business days", rule.days)
    else:
        text = ngettext("deadline {n} day", "deadline {n} days", rule.days)
    return text.format(n=rule.days)


def _text(definition: WorkflowDefinition, language: Language) -> str:
    out = _heading(definition, language)
    out.append(_("states:"))
    deadlines = {rule.state: rule for rule in definition.deadlines if rule.fact is None}
    for state in definition.states:
        marks = []
        if state.id == definition.initial:
            marks.append(_("initial"))
        if state.final:
            marks.append(_("final"))
        if state.step is not None:
            marks.append(_("step {step}").format(step=state.step))
        if state.id in deadlines:
            marks.append(_deadline(deadlines[state.id]))
        marks += _from(definition, f"state {state.id}")
        suffix = f" [{'; '.join(marks)}]" if marks else ""
        out.append(f"  {state.id}: {state.labels.get(language)}{suffix}")
        out.extend(
            "    "
            + _("instruction {id}: {label}").format(
                id=instruction.id, label=instruction.labels.get(language)
            )
            for instruction in state.instructions
        )
    out.append(_("transitions:"))
    for transition in definition.transitions:
        extra = []
        if transition.guards:
            extra.append(_("guards: {guards}").format(guards=", ".join(transition.guards)))
        if transition.roles:
            extra.append(_("roles: {roles}").format(roles=", ".join(transition.roles)))
        if transition.requires_reason:
            extra.append(_("reason required"))
        extra += _from(definition, f"transition {transition.trigger}")
        suffix = f" ({'; '.join(extra)})" if extra else ""
        out.append(
            f"  {transition.trigger}: {', '.join(transition.source)} -> {transition.dest}{suffix}"
        )
    if definition.facts:
        out.append(_("facts:"))
        for fact in definition.facts:
            basis = f" [{fact.legal_basis}]" if fact.legal_basis else ""
            required = _("detail required")
            detail = f" ({required})" if fact.requires_detail else ""
            who = _("roles: {roles}").format(roles=", ".join(fact.roles))
            roles = f" ({who})" if fact.roles else ""
            origin = "".join(f" ({text})" for text in _from(definition, f"fact {fact.id}"))
            out.append(f"  {fact.id}: {fact.labels.get(language)}{basis}{detail}{roles}{origin}")
    return "\n".join(out) + "\n"
