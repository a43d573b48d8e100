"""The host calls hooks as pluggy does: same order, same wrappers, same results, attributed."""

from __future__ import annotations

import types
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

import pluggy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_core import PluginError, hookimpl, override
from ssp_core.plugins import Labels, PartnerKind, spec
from ssp_core.plugins.manager import Contribution, PluginHost, create_plugin_host
from ssp_core.plugins.registry import Override

# Reaction hooks take a case, an event and a definition; these plugins only log.
CASE: Any = object()
EVENT: Any = object()
DEFINITION: Any = object()

OPTIONS: dict[str, dict[str, bool]] = {
    "plain": {},
    "tryfirst": {"tryfirst": True},
    "trylast": {"trylast": True},
    "wrapper": {"wrapper": True},
    "hookwrapper": {"hookwrapper": True},
    "tryfirst_wrapper": {"wrapper": True, "tryfirst": True},
    "trylast_hookwrapper": {"hookwrapper": True, "trylast": True},
}
MARKERS = tuple(OPTIONS)


def owner(item: object) -> str:
    """Items are 'plugin.what'; the plugin that made an item is its prefix."""
    text = item.item if isinstance(item, Override) else item
    assert isinstance(text, str)
    return text.split(".", 1)[0]


def partners_impl(name: str, marker: str, log: list[str]) -> Callable[..., Any]:
    """An implementation of ssp_register_partners, in the style its marker asks for."""
    if OPTIONS[marker].get("wrapper"):

        def wrap(self: object) -> Generator[None, list[Any], list[Any]]:
            log.append(f"{name}:before")
            result = yield
            log.append(f"{name}:after")
            return [*result, [f"{name}.added"]]  # a new-style wrapper may change the result

        return wrap
    if OPTIONS[marker].get("hookwrapper"):

        def old_wrap(self: object) -> Generator[None, pluggy.Result[list[Any]], None]:
            log.append(f"{name}:before")
            outcome = yield
            log.append(f"{name}:after")
            outcome.force_result([*outcome.get_result(), (f"{name}.forced",)])

        return old_wrap

    def lazy() -> Iterator[str]:
        yield f"{name}.lazy"  # the host consumes it during the call, pluggy's caller after

    def contribute(self: object) -> Iterable[Any]:
        log.append(name)
        if marker == "tryfirst":
            return lazy()  # contributions may be generated lazily
        if marker == "trylast":
            return (f"{name}.partner", override(f"{name}.override"))
        return [f"{name}.partner"]

    return contribute


def reaction_impl(name: str, marker: str, log: list[str]) -> Callable[..., Any]:
    """An implementation of ssp_after_case_event (taking fewer arguments than the hook)."""
    if OPTIONS[marker].get("wrapper") or OPTIONS[marker].get("hookwrapper"):

        def wrap(self: object, event: object) -> Generator[None, Any, Any]:
            assert event is EVENT
            log.append(f"{name}:before")
            result = yield
            log.append(f"{name}:after")
            return result

        return wrap

    def react(self: object, case: object, event: object) -> None:
        assert (case, event) == (CASE, EVENT)
        log.append(name)

    return react


def make_plugin(name: str, marker: str, log: list[str]) -> object:
    """A plugin object whose two hooks carry the options of ``marker``."""
    mark = hookimpl(**OPTIONS[marker])
    namespace = {
        "plugin_name": name,
        "ssp_register_partners": mark(partners_impl(name, marker, log)),
        "ssp_after_case_event": mark(reaction_impl(name, marker, log)),
    }
    return type(f"Plugin_{name}", (), namespace)()


def plain_pluggy(plugins: list[object]) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(spec.PROJECT)
    pm.add_hookspecs(spec)
    for plugin in plugins:
        pm.register(plugin, name=plugin.plugin_name)  # type: ignore[attr-defined]
    return pm


def host_of(*plugins: object) -> PluginHost:
    return create_plugin_host(autoload=False, block=("builtin",), plugins=plugins)


def expected_contributions(results: list[Iterable[Any]]) -> list[Contribution[Any]]:
    """What pluggy's own results amount to, attributed by the plugin named in each item."""
    return [
        Contribution(owner(item), item.item, override=True)
        if isinstance(item, Override)
        else Contribution(owner(item), item)
        for part in results
        for item in part
    ]


def calls_of_pluggy(plugins: list[object], log: list[str]) -> tuple[list[str], Any, list[str]]:
    pm = plain_pluggy(plugins)
    log.clear()
    results = pm.hook.ssp_register_partners()
    contributions = expected_contributions(results)  # consumes lazy results, as the host does
    registering = list(log)
    log.clear()
    pm.hook.ssp_after_case_event(case=CASE, event=EVENT, definition=DEFINITION)
    return registering, contributions, list(log)


def calls_of_host(plugins: list[object], log: list[str]) -> tuple[list[str], Any, list[str]]:
    host = host_of(*plugins)
    log.clear()
    contributions = host.contributions("ssp_register_partners")
    registering = list(log)
    log.clear()
    host.after_case_event(case=CASE, event=EVENT, definition=DEFINITION)
    return registering, contributions, list(log)


def test_every_marker_is_called_in_pluggys_order() -> None:
    log: list[str] = []
    markers = ["plain", "tryfirst", "trylast", "wrapper", "hookwrapper", "tryfirst_wrapper"]
    plugins = [
        make_plugin(name, marker, log) for name, marker in zip("abcdef", markers, strict=True)
    ]
    plugins.append(make_plugin("g", "plain", log))

    registering, contributions, reacting = calls_of_host(plugins, log)

    # Last registered, first called; tryfirst before, trylast after; wrappers around all.
    assert registering == [
        "f:before",
        "e:before",
        "d:before",
        "b",
        "g",
        "a",
        "c",
        "d:after",
        "e:after",
        "f:after",
    ]
    assert reacting == [
        "f:before",
        "e:before",
        "d:before",
        "b",
        "g",
        "a",
        "c",
        "d:after",
        "e:after",
        "f:after",
    ]
    assert contributions == [
        Contribution("b", "b.lazy"),
        Contribution("g", "g.partner"),
        Contribution("a", "a.partner"),
        Contribution("c", "c.partner"),
        Contribution("c", "c.override", override=True),
        Contribution("d", "d.added"),
        Contribution("e", "e.forced"),
        Contribution("f", "f.added"),
    ]
    assert (registering, contributions, reacting) == calls_of_pluggy(plugins, log)


@settings(max_examples=50, deadline=None)
@given(
    markers=st.lists(st.sampled_from(MARKERS), min_size=1, max_size=6),
    data=st.data(),
)
def test_any_mix_of_markers_and_order_is_called_as_pluggy_calls_it(
    markers: list[str], data: st.DataObject
) -> None:
    log: list[str] = []
    plugins = [make_plugin(f"p{index}", marker, log) for index, marker in enumerate(markers)]
    plugins = data.draw(st.permutations(plugins), label="registration order")
    assert calls_of_host(plugins, log) == calls_of_pluggy(plugins, log)


def module(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """A plugin module; a hook given as ``(function, options)`` carries options."""
    mod = types.ModuleType(f"order_{name}")
    mod.plugin_name = name  # type: ignore[attr-defined]
    for hook_name, function in hooks.items():
        setattr(mod, hook_name, hookimpl(function))
    return mod


def marked(options: dict[str, bool], function: Callable[..., Any]) -> Callable[..., Any]:
    return hookimpl(**options)(function)  # type: ignore[no-any-return]


def test_a_tryfirst_implementation_runs_first() -> None:
    log: list[str] = []
    first = make_plugin("first", "tryfirst", log)
    others = [make_plugin(name, "plain", log) for name in ("one", "two")]
    for plugins in ([first, *others], [*others, first], [others[0], first, others[1]]):
        host_of(*plugins).after_case_event(case=CASE, event=EVENT, definition=DEFINITION)
        assert log[0] == "first"
        log.clear()


def test_a_wrapper_can_drop_another_plugins_contribution() -> None:
    def drop_other(*_: object) -> Generator[None, list[list[str]], list[list[str]]]:
        result = yield
        return [part for part in result if "other.partner" not in part]

    def drop_in_place(*_: object) -> Generator[None, list[list[str]], list[list[str]]]:
        result = yield
        for part in result:
            part[:] = [item for item in part if item != "kept.unwanted"]
        return result

    kept = module("kept", ssp_register_partners=lambda: ["kept.partner", "kept.unwanted"])
    other = module("other", ssp_register_partners=lambda: ["other.partner"])
    dropper = types.SimpleNamespace(
        plugin_name="dropper",
        ssp_register_partners=marked({"wrapper": True}, drop_other),
    )
    filterer = types.SimpleNamespace(
        plugin_name="filterer",
        ssp_register_partners=marked({"wrapper": True, "trylast": True}, drop_in_place),
    )
    plugins = [kept, other, dropper, filterer]
    contributions = host_of(*plugins).contributions("ssp_register_partners")
    assert contributions == [Contribution("kept", "kept.partner")]
    assert contributions == expected_contributions(
        plain_pluggy(plugins).hook.ssp_register_partners()
    )


def test_what_a_wrapper_adds_is_attributed_to_the_wrapper() -> None:
    def add(*_: object) -> Generator[None, list[Any], list[Any]]:
        result = yield
        return [*result, ("adder.one", "adder.two")]

    def force(*_: object) -> Generator[None, pluggy.Result[list[Any]], None]:
        outcome = yield
        outcome.force_result([["forcer.one"], *outcome.get_result()])

    plugins = [
        module("base", ssp_register_partners=lambda: ["base.partner"]),
        types.SimpleNamespace(
            plugin_name="adder", ssp_register_partners=marked({"wrapper": True}, add)
        ),
        types.SimpleNamespace(
            plugin_name="forcer", ssp_register_partners=marked({"hookwrapper": True}, force)
        ),
    ]
    contributions = host_of(*plugins).contributions("ssp_register_partners")
    assert [(c.plugin, c.item) for c in contributions] == [
        ("forcer", "forcer.one"),
        ("base", "base.partner"),
        ("adder", "adder.one"),
        ("adder", "adder.two"),
    ]
    assert contributions == expected_contributions(
        plain_pluggy(plugins).hook.ssp_register_partners()
    )


def fail(message: str) -> Callable[..., Any]:
    def failing(*_: object) -> Any:
        raise ValueError(message)

    return failing


def test_an_error_names_the_plugin_and_the_hook() -> None:
    bad = module("bad", ssp_register_partners=fail("no partners file"))
    with pytest.raises(
        PluginError,
        match="^plugin 'bad' failed in hook ssp_register_partners: ValueError: no partners file$",
    ) as info:
        host_of(bad).contributions("ssp_register_partners")
    assert isinstance(info.value.__cause__, ValueError)


def test_an_error_in_lazy_contributions_names_the_plugin_and_the_hook() -> None:
    def lazy() -> Iterator[str]:
        yield "lazy.partner"
        raise ValueError("row 3 is broken")

    bad = module("lazy", ssp_register_partners=lazy)
    with pytest.raises(
        PluginError,
        match="^plugin 'lazy' failed in hook ssp_register_partners: ValueError: row 3 is broken$",
    ):
        host_of(bad).contributions("ssp_register_partners")


def test_an_error_passing_through_a_wrapper_still_names_its_plugin() -> None:
    seen: list[BaseException] = []

    def watch(*_: object) -> Generator[None, Any, Any]:
        try:
            return (yield)
        except PluginError as exc:
            seen.append(exc)
            raise

    def broken_teardown(*_: object) -> Generator[None, Any, Any]:
        yield
        raise KeyError("lost")

    bad = module("bad", ssp_register_partners=fail("no partners file"))
    watcher = types.SimpleNamespace(
        plugin_name="watcher", ssp_register_partners=marked({"wrapper": True}, watch)
    )
    with pytest.raises(PluginError, match="^plugin 'bad' failed in hook ssp_register_partners"):
        host_of(bad, watcher).contributions("ssp_register_partners")
    assert len(seen) == 1  # the wrapper saw the error, as pluggy throws it in

    breaker = types.SimpleNamespace(
        plugin_name="breaker", ssp_register_partners=marked({"wrapper": True}, broken_teardown)
    )
    good = module("good", ssp_register_partners=lambda: ["good.partner"])
    with pytest.raises(
        PluginError,
        match="^plugin 'breaker' failed in hook ssp_register_partners: KeyError: 'lost'$",
    ):
        host_of(good, breaker).contributions("ssp_register_partners")


def test_a_wrapper_that_does_not_yield_is_named() -> None:
    def no_yield(*_: object) -> Generator[None, Any, Any]:
        if False:
            yield
        return []

    lazy = types.SimpleNamespace(
        plugin_name="lazy", ssp_register_partners=marked({"wrapper": True}, no_yield)
    )
    with pytest.raises(
        PluginError, match="plugin 'lazy' failed in hook ssp_register_partners: .*did not yield"
    ):
        host_of(lazy).contributions("ssp_register_partners")


def test_a_failing_reaction_does_not_stop_the_others() -> None:
    log: list[str] = []

    def react(name: str) -> Callable[..., None]:
        def reaction(event: object) -> None:
            log.append(name)

        return reaction

    def react_then_fail(name: str, message: str) -> Callable[..., None]:
        def reaction(event: object) -> None:
            log.append(name)
            raise RuntimeError(message)

        return reaction

    def watch(*_: object) -> Generator[None, Any, Any]:
        result = yield  # reactions' failures are collected, never thrown in here
        log.append(f"watcher saw {result!r}")
        return result

    plugins = [
        module("first", ssp_after_case_event=react("first")),
        module("grumpy", ssp_after_case_event=react_then_fail("grumpy", "partner system offline")),
        module("third", ssp_after_case_event=react("third")),
        module("broken", ssp_after_case_event=react_then_fail("broken", "no mail server")),
        types.SimpleNamespace(
            plugin_name="watcher", ssp_after_case_event=marked({"wrapper": True}, watch)
        ),
    ]
    with pytest.raises(PluginError) as info:
        host_of(*plugins).after_case_event(case=CASE, event=EVENT, definition=DEFINITION)
    assert log == ["broken", "third", "grumpy", "first", "watcher saw []"]
    assert str(info.value) == (
        "plugin 'broken' failed in hook ssp_after_case_event: RuntimeError: no mail server; "
        "plugin 'grumpy' failed in hook ssp_after_case_event: RuntimeError: partner system offline"
    )
    assert isinstance(info.value.__cause__, RuntimeError)
    assert str(info.value.__cause__) == "no mail server"


def test_a_failing_reaction_wrapper_does_not_stop_the_others() -> None:
    log: list[str] = []

    def fail_before(*_: object) -> Generator[None, Any, Any]:
        raise RuntimeError("setup failed")
        yield  # pragma: no cover

    def fail_after(*_: object) -> Generator[None, Any, Any]:
        yield
        raise RuntimeError("teardown failed")

    def watch(*_: object) -> Generator[None, Any, Any]:
        log.append("outer:before")
        result = yield
        log.append("outer:after")
        return result

    plugins = [
        module("plain", ssp_after_case_event=lambda event: log.append("plain")),
        types.SimpleNamespace(
            plugin_name="before", ssp_after_case_event=marked({"wrapper": True}, fail_before)
        ),
        types.SimpleNamespace(
            plugin_name="after", ssp_after_case_event=marked({"hookwrapper": True}, fail_after)
        ),
        types.SimpleNamespace(
            plugin_name="outer",
            ssp_after_case_event=marked({"wrapper": True, "tryfirst": True}, watch),
        ),
    ]
    host = host_of(*plugins)
    with pytest.raises(PluginError) as info:
        host.after_case_event(case=CASE, event=EVENT, definition=DEFINITION)
    assert log == ["outer:before", "plain", "outer:after"]
    assert "plugin 'before' failed in hook ssp_after_case_event: RuntimeError: setup failed" in str(
        info.value
    )
    assert (
        "plugin 'after' failed in hook ssp_after_case_event: RuntimeError: teardown failed"
        in str(info.value)
    )


def test_reactions_called_through_pluggy_directly_stop_at_the_first_failure() -> None:
    bad = module("bad", ssp_after_case_event=fail("offline"))
    host = host_of(bad)
    with pytest.raises(PluginError, match="^plugin 'bad' failed in hook ssp_after_case_event"):
        host.plugin_manager.hook.ssp_after_case_event(case=CASE, event=EVENT, definition=DEFINITION)


def test_the_host_names_and_keeps_the_real_plugins() -> None:
    log: list[str] = []
    plugin = make_plugin("real", "wrapper", log)
    host = create_plugin_host(autoload=False, plugins=[plugin])
    assert host.plugin("real") is plugin
    assert [(info.name, info.hooks) for info in host.plugins] == [
        (
            "builtin",
            (
                "ssp_register_activity_kinds",
                "ssp_register_catalogues",
                "ssp_register_finding_categories",
                "ssp_register_guards",
                "ssp_register_legal_bases",
                "ssp_register_partner_kinds",
                "ssp_register_police_districts",
                "ssp_register_purposes",
                "ssp_register_workflows",
            ),
        ),
        ("real", ("ssp_after_case_event", "ssp_register_partners")),
    ]
    assert host.plugins[1].module == __name__
    with pytest.raises(PluginError, match="no plugin is named 'ghost'; loaded: builtin, real"):
        host.plugin("ghost")


def test_the_built_ins_run_after_the_plugins_unless_marked() -> None:
    kind = PartnerKind("club", Labels(da="Klub", en="Club"))
    late = module("late", ssp_register_partner_kinds=lambda: [kind])
    early = types.SimpleNamespace(
        plugin_name="early",
        ssp_register_partner_kinds=marked({"trylast": True}, lambda: [kind]),
    )
    host = create_plugin_host(autoload=False, plugins=[late, early])
    contributors = [c.plugin for c in host.contributions("ssp_register_partner_kinds")]
    assert list(dict.fromkeys(contributors)) == ["late", "builtin", "early"]


def test_an_implementation_may_be_named_otherwise_with_specname() -> None:
    plugin = types.SimpleNamespace(
        plugin_name="renamed",
        partners_from_file=hookimpl(specname="ssp_register_partners")(lambda: ["renamed.one"]),
    )
    host = host_of(plugin)
    assert host.plugins[0].hooks == ("ssp_register_partners",)
    assert host.contributions("ssp_register_partners") == [Contribution("renamed", "renamed.one")]
