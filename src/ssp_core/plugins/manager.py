"""Loading plugins, and a typed facade over ``pm.hook``.

:func:`create_plugin_host` is the one factory: it registers the built-ins, then the
plugins found under the entry-point group ``ssp_core`` (unless autoload is off),
then the plugins passed explicitly. Nothing loads at import time.

Autoload can be switched off with ``autoload=False`` or the environment variable
``SSP_DISABLE_PLUGIN_AUTOLOAD=1``; named plugins can be blocked with ``block=`` or
``SSP_BLOCK_PLUGINS=name,name``.

Every hook is called through ``pm.hook.<name>(...)``, so pluggy's rules hold: the
order of registration (last registered, first called), ``tryfirst``/``trylast``,
``wrapper=True`` and ``hookwrapper=True``. pluggy holds, for each plugin, a
proxy (``ssp_core.plugins.proxy``) instead of the plugin: its functions
call the plugin's hook implementations, name the plugin and the hook in errors, and
attribute every contribution to its plugin, also through wrappers
(:meth:`PluginHost.plugin` returns the plugin itself).

The one place the host differs from a plain pluggy call is the reaction hooks
(``ssp_after_*``): every implementation runs even if one fails, wrappers see the
call complete, and the failures are raised together afterwards as one
:class:`~ssp_core.exceptions.PluginError`. The event a reaction is about is stored
already, and one plugin's failure must not silence another's escalation.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import pluggy

from ssp_core.exceptions import PluginError
from ssp_core.plugins import builtin, spec
from ssp_core.plugins.proxy import Attributed, collecting_failures, proxy_plugin
from ssp_core.settings import AUTOLOAD_ENV, BLOCK_ENV

if TYPE_CHECKING:
    import datetime as dt

    from ssp_core.domain.cases import Case
    from ssp_core.domain.events import CaseEvent
    from ssp_core.plugins.registry import Registry
    from ssp_core.workflows.definition import WorkflowDefinition
    from ssp_core.workflows.engine import Deadline

__all__ = [
    "AUTOLOAD_ENV",
    "BLOCK_ENV",
    "BUILTIN_NAME",
    "Contribution",
    "PluginHost",
    "PluginInfo",
    "create_plugin_host",
]

BUILTIN_NAME = "builtin"
"""The name the core's own defaults are registered under."""

T = TypeVar("T")


@attrs.frozen
class PluginInfo:
    """A loaded plugin: its name, where it came from, its version and the hooks it implements."""

    name: str
    module: str
    version: str | None
    hooks: tuple[str, ...]
    source: str


@attrs.frozen
class Contribution(Generic[T]):
    """One item a plugin contributed through a ``ssp_register_*`` hook."""

    plugin: str
    item: T
    override: bool = False


_log = logging.getLogger(__name__)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _plugin_name(plugin: object) -> str:
    explicit = getattr(plugin, "plugin_name", None)
    if isinstance(explicit, str):
        return explicit
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return type(plugin).__name__


class PluginHost:
    """The loaded plugins, with one typed method per hook (keyword arguments only).

    Build it with :func:`create_plugin_host`, which registers a proxy of each plugin
    with ``pm`` (``plugins`` maps each name to the plugin object itself).
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        infos: Mapping[str, PluginInfo],
        plugins: Mapping[str, object] | None = None,
    ) -> None:
        self._pm = pm
        self._infos = dict(infos)
        self._plugins = (
            dict(plugins) if plugins is not None else {name: pm.get_plugin(name) for name in infos}
        )

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """Return the underlying pluggy manager (for advanced use and tests).

        It holds a proxy for each plugin (see :meth:`plugin`). Its ``hook`` calls the
        hooks as pluggy does, with errors naming the plugin, but a reaction hook
        called there stops at the first failure: call reactions through this host.
        """
        return self._pm

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """Return every loaded plugin, in load order."""
        return tuple(self._infos.values())

    def plugin(self, name: str) -> object:
        """Return the plugin object (module or instance) loaded as ``name``.

        :raises PluginError: no plugin of that name is loaded.
        """
        try:
            return self._plugins[name]
        except KeyError:
            known = ", ".join(self._infos) or "none"
            raise PluginError(f"no plugin is named {name!r}; loaded: {known}") from None

    def _collect(self, hook_name: str) -> list[Contribution[Any]]:
        from ssp_core.plugins.registry import Override  # noqa: PLC0415 (registry imports this module)

        results = getattr(self._pm.hook, hook_name)()
        found: list[Contribution[Any]] = []
        for part in results or ():
            if not isinstance(part, Attributed):  # a plugin registered without its proxy
                raise PluginError(
                    f"hook {hook_name} returned {part!r} from an unknown plugin; "
                    "build the host with create_plugin_host"
                )
            for item in part:
                if isinstance(item, Override):
                    found.append(Contribution(part.plugin, item.item, override=True))
                else:
                    found.append(Contribution(part.plugin, item))
        return found

    def reacts(self, hook_name: str) -> bool:
        """Tell whether any plugin implements the ``ssp_after_*`` hook ``hook_name``.

        Asked when the hook is to be called (a plugin may be registered at any time),
        so an event no plugin reacts to costs no call.
        """
        return bool(getattr(self._pm.hook, hook_name).get_hookimpls())

    def _react(self, hook_name: str, **kwargs: Any) -> None:
        with collecting_failures() as failures:
            getattr(self._pm.hook, hook_name)(**kwargs)
        if failures:
            raise PluginError(
                "; ".join(map(str, failures)), hook=hook_name, failures=tuple(failures)
            ) from failures[0].__cause__

    def contributions(self, hook_name: str) -> list[Contribution[Any]]:
        """Call a ``ssp_register_*`` hook by name on every plugin and return what each gave."""
        if not hook_name.startswith("ssp_register_") or not hasattr(spec, hook_name):
            raise PluginError(f"{hook_name!r} is not a registration hook of ssp_core")
        return self._collect(hook_name)

    def after_registry_loaded(self, *, registry: Registry) -> None:
        """Call ``ssp_after_registry_loaded`` on every plugin."""
        self._react("ssp_after_registry_loaded", registry=registry)

    def after_case_event(
        self, *, case: Case, event: CaseEvent, definition: WorkflowDefinition
    ) -> None:
        """Call ``ssp_after_case_event`` on every plugin; failures are reported together."""
        self._react("ssp_after_case_event", case=case, event=event, definition=definition)

    def after_deadline_missed(
        self, *, case: Case, deadline: Deadline, definition: WorkflowDefinition
    ) -> None:
        """Call ``ssp_after_deadline_missed`` on every plugin; failures are reported together."""
        self._react(
            "ssp_after_deadline_missed", case=case, deadline=deadline, definition=definition
        )

    def after_coming_of_age(
        self, *, case: Case, on: dt.date, definition: WorkflowDefinition
    ) -> None:
        """Call ``ssp_after_coming_of_age`` on every plugin; failures are reported together."""
        self._react("ssp_after_coming_of_age", case=case, on=on, definition=definition)


def _distribution_version(entry_point: importlib.metadata.EntryPoint) -> str | None:
    dist = entry_point.dist
    return dist.version if dist is not None else None


def _implements_hooks(pm: pluggy.PluginManager, module: ModuleType) -> bool:
    """Tell whether ``module`` has a function marked as a hook implementation."""
    return any(pm.parse_hookimpl_opts(module, attr) is not None for attr in dir(module))


def _hooks_of(pm: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    return tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))


class _Loader:
    """The plugin manager being built, with what is known about each plugin loaded so far."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(spec.PROJECT)
        self.pm.add_hookspecs(spec)
        self.infos: dict[str, PluginInfo] = {}
        self.plugins: dict[str, object] = {}

    def register(self, plugin: object, *, name: str, version: str | None, source: str) -> None:
        """Register a proxy of ``plugin`` under ``name``, refusing duplicates."""
        if name in self.infos:
            raise PluginError(
                f"two plugins are named {name!r} ({self.infos[name].module} and {source}); "
                "names must be unique"
            )
        other = next((known for known, obj in self.plugins.items() if obj is plugin), None)
        if other is not None:  # e.g. once by entry point and once explicitly
            raise PluginError(
                f"plugin {name!r} ({source}) is already loaded as {other!r}; register it once"
            )
        module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
        hooks = plugin
        if isinstance(plugin, ModuleType) and not _implements_hooks(self.pm, plugin):
            # imported here: only a plugin without hooks needs it (start-up stays small)
            from ssp_core.plugins.datafiles import data_folder, data_plugin  # noqa: PLC0415

            if data_folder(plugin) is not None:  # a package of TOML files, no Python
                hooks = data_plugin(plugin, name=name)
        proxy = proxy_plugin(self.pm, hooks, name)
        try:
            self.pm.register(proxy, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc
        self.plugins[name] = plugin
        self.infos[name] = PluginInfo(
            name=name,
            module=module,
            version=version,
            hooks=_hooks_of(self.pm, proxy),
            source=source,
        )


def create_plugin_host(
    *,
    autoload: bool | None = None,
    block: Iterable[str] = (),
    plugins: Iterable[object] = (),
) -> PluginHost:
    """Build the plugin manager: built-ins, then entry points, then ``plugins``.

    :param autoload: load plugins from the ``ssp_core`` entry-point group; ``None``
        means yes unless ``SSP_DISABLE_PLUGIN_AUTOLOAD`` is set.
    :param block: names of plugins not to load (added to ``SSP_BLOCK_PLUGINS``);
        ``"builtin"`` blocks the core's defaults.
    :param plugins: plugin objects (modules or instances) to register explicitly;
        each is named by its ``plugin_name`` attribute, else its module or class name.
    :raises PluginError: a plugin fails to import, has an invalid or misspelled hook,
        or shares its name with another.
    """
    if autoload is None:
        autoload = not _truthy(os.environ.get(AUTOLOAD_ENV))
    blocked = {name.strip() for name in block if name.strip()}
    blocked |= {name.strip() for name in os.environ.get(BLOCK_ENV, "").split(",") if name.strip()}

    loader = _Loader()
    if BUILTIN_NAME not in blocked:
        loader.register(builtin, name=BUILTIN_NAME, version=None, source="ssp_core")
    if autoload:
        entry_points = sorted(
            importlib.metadata.entry_points(group=spec.PROJECT), key=lambda ep: ep.name
        )
        for entry_point in entry_points:
            if entry_point.name in blocked or entry_point.name in loader.infos:
                continue
            try:
                loaded = entry_point.load()
            except Exception as exc:
                raise PluginError(
                    f'error importing plugin "{entry_point.name}" ({entry_point.value}): '
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            loader.register(
                loaded,
                name=entry_point.name,
                version=_distribution_version(entry_point),
                source=f"entry point {entry_point.value}",
            )
    for plugin in plugins:
        name = _plugin_name(plugin)
        if name in blocked:
            continue
        loader.register(
            plugin,
            name=name,
            version=getattr(plugin, "__version__", None),
            source="explicit",
        )
    try:
        loader.pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = loader.pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(f"plugin {name!r} implements an unknown hook: {exc}") from exc
    for info in loader.infos.values():
        _log.info("plugin %s loaded (%s, version %s)", info.name, info.source, info.version or "-")
    return PluginHost(loader.pm, loader.infos, loader.plugins)
