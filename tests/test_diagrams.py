from __future__ import annotations

import attrs

from ssp_core.plugins import Labels
from ssp_core.workflows.diagrams import to_data, to_mermaid, to_text
from tests.sample_plugin import TRACK, card


def test_mermaid_has_every_state_edge_start_and_end() -> None:
    definition = card("x.card", "sample.young")
    text = to_mermaid(definition)
    assert text.startswith("stateDiagram-v2\n")
    for state in definition.states:
        assert f'state "{state.labels.en}" as {state.id}' in text
    for source, transition in definition.edges():
        assert f"{source} --> {transition.dest}: {transition.trigger}" in text
    assert "[*] --> received" in text
    assert "closed --> [*]" in text
    assert "intervene [parents_informed, notified] (sample.consultant)" in text
    assert 'state "received (da)" as received' in to_mermaid(definition, "da")


def test_mermaid_escapes_what_would_break_it() -> None:
    definition = card("x.card", "sample.young")
    tricky = attrs.evolve(
        definition.states[0],
        labels=Labels(da='Trin 1: "modtaget"; ny', en='Step 1: "received"; new'),
    )
    text = to_mermaid(attrs.evolve(definition, states=(tricky, *definition.states[1:])))
    assert "state \"Step 1 - 'received', new\" as received" in text


def test_text_shows_marks_guards_roles_reasons_and_facts() -> None:
    text = to_text(card("x.card", "sample.young"))
    assert "received: received [initial; step 1; deadline 2 business days]" in text
    assert "closed: closed [final]" in text
    assert (
        "intervene: assessment -> intervention (guards: parents_informed, notified; roles: sample.consultant)"
        in text
    )
    assert "close: received, assessment, intervention -> closed (reason required)" in text
    assert "notified: notified [Barnets Lov § 133]" in text
    assert "parents_not_involved: parents not involved (detail required)" in text
    assert "applies to: situation sample.worry, age band sample.young" in text


def test_data_has_the_toml_shape() -> None:
    data = to_data(TRACK)
    assert data["id"] == "sample.track"
    assert data["subjects"] == ["person", "group", "environment"]
    assert data["transitions"][0]["source"] == ["referral"]
