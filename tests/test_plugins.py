from __future__ import annotations

import importlib.metadata
import sys
import types
from collections.abc import Iterator

import attrs
import pytest

import ssp_core
import ssp_core.plugins
from ssp_core import ConfigError, PluginError, hookimpl, override
from ssp_core.plugins import Labels, Role, manager
from ssp_core.plugins.manager import create_plugin_host
from ssp_core.testing import make_registry
from tests.sample_plugin import SamplePlugin, card

L = Labels(da="x", en="x")


class FakeEntryPoint:
    """Stands in for an installed distribution's entry point."""

    def __init__(self, name: str, module: str) -> None:
        self.name = name
        self.value = module
        self.group = "ssp_core"
        self.dist = types.SimpleNamespace(version="9.9")

    def load(self) -> object:
        return importlib.import_module(self.value)


@pytest.fixture(name="entry_points")
def _entry_points(monkeypatch: pytest.MonkeyPatch) -> list[FakeEntryPoint]:
    installed: list[FakeEntryPoint] = []

    def fake(*, group: str) -> list[FakeEntryPoint]:
        assert group == "ssp_core"
        return installed

    monkeypatch.setattr(manager.importlib.metadata, "entry_points", fake)
    monkeypatch.delenv(manager.AUTOLOAD_ENV, raising=False)
    monkeypatch.delenv(manager.BLOCK_ENV, raising=False)
    return installed


def module(name: str, **hooks: object) -> types.ModuleType:
    mod = types.ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(mod, hook_name, hookimpl(function))  # type: ignore[arg-type]
    sys.modules[name] = mod
    return mod


@pytest.fixture(autouse=True)
def _forget_fake_modules() -> Iterator[None]:
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("fake_"):
            del sys.modules[name]


def test_nothing_loads_at_import_time() -> None:
    assert importlib.metadata.entry_points  # the real function, untouched by import of ssp_core
    host = create_plugin_host(autoload=False)
    assert [p.name for p in host.plugins] == ["builtin"]


def test_entry_points_are_loaded_with_name_and_version(entry_points: list[FakeEntryPoint]) -> None:
    module("fake_roles", ssp_register_roles=lambda: [Role("r1", L)])
    entry_points.append(FakeEntryPoint("fakeroles", "fake_roles"))
    registry = ssp_core.load_registry()
    info = {p.name: p for p in registry.plugins}["fakeroles"]
    assert (info.version, info.module, info.hooks) == ("9.9", "fake_roles", ("ssp_register_roles",))
    assert registry.contributions_of("fakeroles") == {"role": ["r1"]}
    assert registry.roles.contributor("r1") == "fakeroles"


def test_autoload_can_be_switched_off(
    entry_points: list[FakeEntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    module("fake_roles", ssp_register_roles=lambda: [Role("r1", L)])
    entry_points.append(FakeEntryPoint("fakeroles", "fake_roles"))
    assert "r1" not in ssp_core.load_registry(autoload=False).roles
    monkeypatch.setenv(manager.AUTOLOAD_ENV, "1")
    assert "r1" not in ssp_core.load_registry().roles
    assert "r1" in ssp_core.load_registry(autoload=True).roles


def test_named_plugins_can_be_blocked(
    entry_points: list[FakeEntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    module("fake_roles", ssp_register_roles=lambda: [Role("r1", L)])
    entry_points.append(FakeEntryPoint("fakeroles", "fake_roles"))
    assert "r1" not in ssp_core.load_registry(block=["fakeroles"]).roles
    monkeypatch.setenv(manager.BLOCK_ENV, " other , fakeroles")
    assert "r1" not in ssp_core.load_registry().roles
    no_builtins = ssp_core.load_registry(block=["builtin", "fakeroles"])
    assert len(no_builtins.partner_kinds) == 0
    sample = SamplePlugin()
    assert (
        "sample.consultant"
        not in ssp_core.load_registry(autoload=False, block=["sample"], plugins=[sample]).roles
    )


def test_a_plugin_that_fails_to_import_is_named(entry_points: list[FakeEntryPoint]) -> None:
    entry_points.append(FakeEntryPoint("broken", "fake_does_not_exist"))
    with pytest.raises(
        PluginError,
        match=r'error importing plugin "broken" \(fake_does_not_exist\): ModuleNotFoundError',
    ) as info:
        ssp_core.load_registry()
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_a_plugin_raising_in_a_hook_is_named_with_the_hook() -> None:
    def explode() -> list[Role]:
        raise RuntimeError("data file missing")

    bad = module("fake_exploding", ssp_register_roles=explode)
    with pytest.raises(
        PluginError,
        match="plugin 'fake_exploding' failed in hook ssp_register_roles: RuntimeError: data file missing",
    ):
        make_registry(bad)


def test_a_misspelled_hook_fails_loudly() -> None:
    bad = module("fake_typo", ssp_register_rolez=lambda: [])  # noqa: PIE807 (hookimpl needs a function)
    with pytest.raises(PluginError, match="fake_typo"):
        create_plugin_host(autoload=False, plugins=[bad])


def test_a_hook_with_an_unknown_argument_is_invalid() -> None:
    bad = module("fake_args", ssp_after_case_event=lambda case, colour: None)
    with pytest.raises(PluginError, match="plugin 'fake_args' is invalid"):
        create_plugin_host(autoload=False, plugins=[bad])


def test_two_plugins_with_the_same_name_are_refused() -> None:
    with pytest.raises(PluginError, match="two plugins are named 'sample'"):
        create_plugin_host(autoload=False, plugins=[SamplePlugin(), SamplePlugin()])


def test_a_duplicate_id_names_both_plugins() -> None:
    one = module("fake_one", ssp_register_roles=lambda: [Role("aalborg.mentor", L)])
    two = module("fake_two", ssp_register_roles=lambda: [Role("aalborg.mentor", L)])
    with pytest.raises(
        PluginError, match="role 'aalborg.mentor' is contributed by both 'fake_one' and 'fake_two'"
    ):
        make_registry(one, two)


def test_a_duplicate_workflow_version_names_both_plugins() -> None:
    other = module(
        "fake_cards", ssp_register_workflows=lambda: [card("sample.young", "sample.young")]
    )
    with pytest.raises(
        PluginError,
        match="workflow 'sample.young@1' is contributed by both 'sample' and 'fake_cards'",
    ):
        make_registry(SamplePlugin(), other)


def test_an_override_replaces_on_purpose_whatever_the_order() -> None:
    better = Role("sample.consultant", Labels(da="SSP-konsulent", en="SSP consultant"))
    first = module("fake_override", ssp_register_roles=lambda: [override(better)])
    for plugins in ([SamplePlugin(), first], [first, SamplePlugin()]):
        registry = make_registry(*plugins)
        assert registry.roles["sample.consultant"] is better
        assert registry.roles.contributor("sample.consultant") == "fake_override"
    twice = module("fake_override_2", ssp_register_roles=lambda: [override(better)])
    with pytest.raises(
        PluginError, match="contributed by both 'fake_override' and 'fake_override_2'"
    ):
        make_registry(first, twice)


def test_a_new_workflow_version_is_not_a_duplicate() -> None:
    newer = module(
        "fake_v2", ssp_register_workflows=lambda: [card("sample.young", "sample.young", version=2)]
    )
    registry = make_registry(SamplePlugin(), newer)
    assert registry.workflow("sample.young").version == 2
    assert registry.workflow("sample.young", 1).version == 1
    assert registry.select_card("sample.worry", 12).version == 2
    with pytest.raises(
        ssp_core.UnknownId, match="unknown version of workflow sample.young '7'; known: 1, 2"
    ):
        registry.workflow("sample.young", 7)


def test_wrong_types_from_a_hook_are_named() -> None:
    bad = module("fake_types", ssp_register_roles=lambda: ["aalborg.mentor"])
    with pytest.raises(
        PluginError,
        match="plugin 'fake_types' returned a str from ssp_register_roles; expected Role",
    ):
        make_registry(bad)


def test_an_invalid_workflow_names_the_definition_and_the_plugin() -> None:
    broken = attrs.evolve(card("fake.card", "sample.young"), initial="nowhere")
    bad = module("fake_broken_card", ssp_register_workflows=lambda: [broken])
    with pytest.raises(ConfigError) as info:
        make_registry(SamplePlugin(), bad)
    message = str(info.value)
    assert "workflow fake.card@1 from plugin 'fake_broken_card'" in message
    assert "initial state 'nowhere' is not a declared state" in message


def test_cross_references_are_checked() -> None:
    stray = module(
        "fake_stray",
        ssp_register_partners=lambda: [ssp_core.plugins.Partner("p.one", "submarine", L)],
        ssp_register_corps=lambda: [
            ssp_core.plugins.Corps(
                "c.one", L, ssp_core.plugins.CorpsOrientation.BOTH, "no.such.track"
            )
        ],
        ssp_register_info_houses=lambda: [
            ssp_core.plugins.InfoHouse(
                "h.one", L, staffing=(ssp_core.plugins.StaffPosition("ghost", 2),)
            )
        ],
        ssp_register_strategy=lambda: [
            ssp_core.plugins.Strategy(
                "s.one",
                L,
                initiatives=(
                    ssp_core.plugins.Initiative(
                        "i.one", L, goals=("g.none",), workflows=("w.none",)
                    ),
                ),
            )
        ],
        ssp_register_workflows=lambda: [
            attrs.evolve(
                card("fake.card2", "elderly"),
                applies_to=ssp_core.plugins.Applicability("dream", "elderly"),
            )
        ],
    )
    with pytest.raises(ConfigError) as info:
        make_registry(SamplePlugin(), stray)
    message = str(info.value)
    for expected in (
        "partner 'p.one' from plugin 'fake_stray': unknown partner kind 'submarine'",
        "corps 'c.one' from plugin 'fake_stray': its track names unknown workflow 'no.such.track'",
        "INFO house 'h.one' from plugin 'fake_stray': staffing names unknown role 'ghost'",
        "strategy 's.one' from plugin 'fake_stray': initiative 'i.one' names unknown goal 'g.none'",
        "initiative 'i.one' names unknown workflow 'w.none'",
        "workflow fake.card2@1 from plugin 'fake_stray': applies_to names unknown situation 'dream'",
        "applies_to names unknown age band 'elderly'",
    ):
        assert expected in message


def test_an_after_registry_loaded_hook_can_refuse_the_registry() -> None:
    def refuse(registry: ssp_core.Registry) -> None:
        if "aalborg.mentor" not in registry.roles:
            raise ConfigError("this installation needs a mentor role")

    picky = module("fake_picky", ssp_after_registry_loaded=refuse)
    with pytest.raises(
        PluginError,
        match="plugin 'fake_picky' failed in hook ssp_after_registry_loaded: ConfigError: this installation needs a mentor role",
    ):
        make_registry(picky)
    sample = SamplePlugin()
    registry = make_registry(sample)
    assert sample.loaded == [registry]


def test_contributions_hook_names_are_checked() -> None:
    host = create_plugin_host(autoload=False)
    with pytest.raises(PluginError, match="not a registration hook"):
        host.contributions("ssp_after_case_event")
    assert host.plugin_manager.project_name == "ssp_core"


def test_card_selection_by_situation_and_age() -> None:
    registry = make_registry(SamplePlugin())
    assert registry.select_card("sample.worry", 17).id == "sample.young"
    assert registry.select_card("sample.worry", 18).id == "sample.adult"
    with pytest.raises(ssp_core.UnknownId, match="unknown situation 'joy'; known: sample.worry"):
        registry.select_card("joy", 30)
    overlapping = module(
        "fake_overlap", ssp_register_workflows=lambda: [card("fake.also_young", "sample.young")]
    )
    with pytest.raises(ConfigError) as caught:  # refused when the registry loads
        make_registry(SamplePlugin(), overlapping)
    assert str(caught.value).splitlines()[1:] == [
        (
            "  - municipality 'sample': action cards fake.also_young@1 and sample.young@1 both "
            "apply to situation 'sample.worry' at ages 0-17 (age bands 'sample.young' and "
            "'sample.young'); give each age one card"
        )
    ]
    gap = module(
        "fake_gap", ssp_register_age_bands=lambda: [ssp_core.plugins.AgeBand("teen", L, 13, 19)]
    )
    only_teens = make_registry(SamplePlugin(), gap, block=[])
    assert only_teens.select_card("sample.worry", 30).id == "sample.adult"


def test_the_same_plugin_loaded_twice_is_named(entry_points: list[FakeEntryPoint]) -> None:
    mod = module("fake_twice", ssp_register_roles=lambda: [Role("r2", L)])
    entry_points.append(FakeEntryPoint("twice", "fake_twice"))
    with pytest.raises(
        PluginError, match="plugin 'fake_twice' \\(explicit\\) is already loaded as 'twice'"
    ):
        ssp_core.load_registry(plugins=[mod])
