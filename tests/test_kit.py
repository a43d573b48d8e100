"""The testing kit checks a plugin by its entry-point name, beside every installed plugin."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator

import attrs
import pytest

import ssp_aalborg.hooks
from ssp_core import hookimpl
from ssp_core.domain.access import Grant
from ssp_core.domain.district import Municipality, Reach
from ssp_core.domain.labels import Labels
from ssp_core.domain.roles import Role
from ssp_core.exceptions import NewerTemplateWarning
from ssp_core.testing import PluginContract, make_registry, wall_problems
from ssp_core.workflows.definition import WorkflowRef
from ssp_core.workflows.extension import WorkflowExtension

L = Labels(da="x", en="x")


class Neighbour:
    """A municipality's plugin whose grant gives its role Aalborg's workflow (a breach)."""

    plugin_name = "neighbour"

    def __init__(self, *grant_workflows: str, reach: Reach = Reach.MUNICIPALITY) -> None:
        self.grant_workflows = grant_workflows
        self.reach = reach

    @hookimpl
    def ssp_register_municipalities(self) -> list[Municipality]:
        return [Municipality("neighbour", L, code="998", police_district="nordjylland")]

    @hookimpl
    def ssp_register_roles(self) -> list[Role]:
        return [Role("neighbour.consultant", L)]

    @hookimpl
    def ssp_register_grants(self) -> list[Grant]:
        return [
            Grant(
                role="neighbour.consultant",
                operations=("case.read",),
                workflows=self.grant_workflows,
                reach=self.reach,
            )
        ]


def test_a_plugin_naming_another_municipality_s_ids_is_reported_by_place() -> None:
    registry = make_registry(ssp_aalborg.hooks, Neighbour("aalborg.mentor"))
    assert wall_problems(registry, "neighbour") == [
        (
            "grant 'neighbour.consultant:case.read:aalborg.mentor': workflows[0] names 'aalborg.mentor', "
            "municipality 'aalborg''s; a municipality's plugin names only its own ids "
            "(neighbour.*) and shared ones"
        )
    ]
    assert wall_problems(registry, "ssp_aalborg.hooks") == []
    alone = make_registry(ssp_aalborg.hooks, Neighbour("core.advice_request"))
    assert wall_problems(alone, "neighbour") == []


def test_a_district_wide_grant_may_name_a_neighbour_s_workflows() -> None:
    agreed = Neighbour("aalborg.mentor", reach=Reach.DISTRICT)
    assert wall_problems(make_registry(ssp_aalborg.hooks, agreed), "neighbour") == []


def test_the_kit_fails_a_breach_beside_the_installed_plugins() -> None:
    class TestNeighbour(PluginContract):
        plugins = (Neighbour("aalborg.mentor"),)

    with pytest.raises(pytest.fail.Exception) as caught:
        TestNeighbour().test_registers_beside_every_installed_plugin()
    assert "workflows[0] names 'aalborg.mentor', municipality 'aalborg''s" in str(caught.value)


def test_the_kit_names_a_plugin_by_its_entry_point() -> None:
    names = {ep.name for ep in importlib.metadata.entry_points(group="ssp_core")}
    assert "aalborg" in names  # the repository's plugin is installed in the test environment

    class TestAalborg(PluginContract):
        entry_point = "aalborg"

    registry = TestAalborg.registry()
    assert [info.name for info in registry.plugins] == ["builtin", "aalborg"]
    TestAalborg().test_registers_cleanly(registry)
    TestAalborg().test_registers_beside_every_installed_plugin()


def test_an_entry_point_not_installed_is_a_clear_failure() -> None:
    class TestAbsent(PluginContract):
        entry_point = "vesthavn_typo"

    with pytest.raises(pytest.fail.Exception) as caught:
        TestAbsent().test_registers_beside_every_installed_plugin()
    message = str(caught.value)
    assert message.startswith(
        "no installed plugin has the entry point 'vesthavn_typo' in the group 'ssp_core'; "
        "installed: "
    )
    assert "aalborg" in message
    assert message.endswith(
        "Install the package (pip install -e .) or check [project.entry-points.ssp_core] in "
        "its pyproject.toml"
    )


def test_a_plugin_that_clashes_with_an_installed_one_fails_naming_both() -> None:
    class Copycat:
        plugin_name = "copycat"

        @hookimpl
        def ssp_register_roles(self) -> list[Role]:
            return [Role("aalborg.ssp_consultant", L)]

    class TestCopycat(PluginContract):
        plugins = (Copycat(),)

    TestCopycat().test_registers_cleanly(make_registry(Copycat()))
    with pytest.raises(pytest.fail.Exception) as caught:
        TestCopycat().test_registers_beside_every_installed_plugin()
    message = str(caught.value)
    assert message.startswith("the plugin does not load beside the installed plugins (")
    assert "aalborg.ssp_consultant" in message and "copycat" in message


class Pinned:
    """A plugin whose card extends version 1 of a template that has a version 2."""

    plugin_name = "pinned"

    def __init__(self, *workflows: object) -> None:
        self.workflows = workflows

    @hookimpl
    def ssp_register_workflows(self) -> Iterator[object]:
        yield from self.workflows


def test_a_card_pinned_to_an_older_template_passes_with_a_warning() -> None:
    from tests.sample_plugin import SamplePlugin  # noqa: PLC0415

    sample = SamplePlugin()
    national = make_registry(sample).workflow("core.radicalisation_under_18")
    older = attrs.evolve(national, id="sample.template", version=1)
    newer = attrs.evolve(national, id="sample.template", version=2)
    pinned = WorkflowExtension(
        id="sample.pinned",
        version=1,
        extends=WorkflowRef("sample.template", 1),
        rename_roles={"consultant": "sample.consultant", "police": "sample.police"},
    )

    class TestPinned(PluginContract):
        plugins = (sample, Pinned(older, newer, pinned))

    registry = make_registry(*TestPinned.plugins)
    with pytest.warns(NewerTemplateWarning) as warned:
        TestPinned().test_workflows_survive_random_use(registry)
    assert [str(w.message) for w in warned] == [
        (
            "sample.pinned@1 extends sample.template@1, and sample.template@2 exists: to follow "
            "it, register version 2 extending it"
        )
    ]
