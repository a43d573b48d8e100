"""Each municipality's action cards give every age one card, checked when the registry loads."""

from __future__ import annotations

import attrs
import pytest

from ssp_core.exceptions import ConfigError
from ssp_core.plugins import AgeBand, WorkflowDefinition, hookimpl
from ssp_core.testing import make_registry
from tests.sample_plugin import L, SamplePlugin, card


class Overlapping(SamplePlugin):
    """The sample, with a card for ages 13 to 19 beside its under-18 and 18+ cards."""

    @hookimpl
    def ssp_register_age_bands(self) -> list[AgeBand]:
        return [*super().ssp_register_age_bands(), AgeBand("sample.teen", L("13-19"), 13, 19)]

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition]:
        return [*super().ssp_register_workflows(), card("sample.teen_card", "sample.teen")]


def without_card(workflow_id: str) -> type[SamplePlugin]:
    """The sample, whose ``workflow_id`` applies to no situation and age: no card."""

    class Without(SamplePlugin):
        @hookimpl
        def ssp_register_workflows(self) -> list[WorkflowDefinition]:
            return [
                attrs.evolve(d, applies_to=None) if d.id == workflow_id else d
                for d in super().ssp_register_workflows()
            ]

    return Without


OnlyYoung = without_card("sample.adult")
OnlyAdult = without_card("sample.young")


def problems(plugin: SamplePlugin) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        make_registry(plugin)
    return [line.removeprefix("  - ") for line in str(caught.value).splitlines()[1:]]


def test_the_sample_cards_cover_every_age_once() -> None:
    registry = make_registry(SamplePlugin())
    assert [registry.select_card("sample.worry", age).id for age in (0, 17, 18, 99)] == [
        "sample.young",
        "sample.young",
        "sample.adult",
        "sample.adult",
    ]


def test_overlapping_age_bands_are_refused_when_the_registry_loads() -> None:
    assert problems(Overlapping()) == [
        (
            "municipality 'sample': action cards sample.young@1 and sample.teen_card@1 both apply "
            "to situation 'sample.worry' at ages 13-17 (age bands 'sample.young' and "
            "'sample.teen'); give each age one card"
        ),
        (
            "municipality 'sample': action cards sample.teen_card@1 and sample.adult@1 both apply "
            "to situation 'sample.worry' at ages 18-19 (age bands 'sample.teen' and "
            "'sample.adult'); give each age one card"
        ),
    ]


def test_ages_without_a_card_are_refused_when_the_registry_loads() -> None:
    assert problems(OnlyYoung()) == [
        (
            "municipality 'sample': no action card applies to situation 'sample.worry' at ages "
            "18+ (the cards: sample.young@1 sample.young 0-17)"
        )
    ]
    assert problems(OnlyAdult()) == [
        (
            "municipality 'sample': no action card applies to situation 'sample.worry' at ages "
            "0-17 (the cards: sample.adult@1 sample.adult 18+)"
        )
    ]
