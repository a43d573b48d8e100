"""The stand-in the plugin host registers with pluggy for each plugin.

pluggy orders and calls every hook; a :class:`PluginProxy` only adds what the host
needs around each implementation of one plugin. For every hook implementation of the
plugin (as pluggy's ``PluginManager.parse_hookimpl_opts`` finds it) the proxy holds
a function with the same name, the same hookimpl options and, through
``functools.wraps``, the same signature, which calls the plugin's function and:

* raises an error as a :class:`~ssp_core.exceptions.PluginError` naming the plugin and
  the hook, chained to the error;
* for a ``ssp_register_*`` hook, turns the result (a list, a tuple, a generator) into an
  :class:`Attributed` list that remembers the plugin, so contributions keep their
  author whatever wrappers do with the list of results;
* for a ``ssp_after_*`` hook called inside :func:`collecting_failures`, collects the
  error instead of raising it, and lets pluggy go on as if the implementation had
  returned nothing (a wrapper: as if it had passed the call through unchanged).

A wrapper (``wrapper=True`` or ``hookwrapper=True``) is proxied by a generator that
delegates to the plugin's generator with ``yield from``, so pluggy's send and throw
reach it as they would without the proxy.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextvars import ContextVar
from types import TracebackType
from typing import Any, cast, final

import attrs
import pluggy

from ssp_core.exceptions import PluginError
from ssp_core.plugins import spec

__all__ = ["Attributed", "PluginProxy", "collecting_failures", "proxy_plugin"]

_MARKER = f"{spec.PROJECT}_impl"  # the attribute pluggy.HookimplMarker sets on a function

_failures: ContextVar[list[PluginError] | None] = ContextVar("ssp_core_failures", default=None)


class Attributed(list[Any]):
    """The items one plugin returned from a ``ssp_register_*`` hook, with the plugin's name."""

    __slots__ = ("plugin",)

    def __init__(self, plugin: str, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.plugin = plugin

    def __repr__(self) -> str:
        return f"Attributed({self.plugin!r}, {super().__repr__()})"


@contextlib.contextmanager
def collecting_failures() -> Iterator[list[PluginError]]:
    """Collect, instead of raising them, the failures of ``ssp_after_*`` hooks called inside.

    :return: the list the failures are added to, each a ``PluginError`` whose
        ``__cause__`` is the plugin's error.
    """
    failures: list[PluginError] = []
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


@final
class PluginProxy:
    """What pluggy holds for a plugin: one proxied function per hook implementation.

    Its ``repr`` is the plugin's, so pluggy's messages name the plugin.
    """

    def __init__(self, plugin: object, functions: Mapping[str, Callable[..., object]]) -> None:
        self.__dict__.update(functions)
        self.__plugin = plugin

    def __repr__(self) -> str:
        return repr(self.__plugin)


@attrs.frozen
class _Hook:
    """One plugin's implementation of one hook: names its errors and its results."""

    plugin: str
    name: str

    def fail(self, exc: Exception) -> None:
        """Raise ``exc`` as a PluginError naming plugin and hook, or collect it (reactions)."""
        error = PluginError(
            f"plugin {self.plugin!r} failed in hook {self.name}: {type(exc).__name__}: {exc}",
            plugin=self.plugin,
            hook=self.name,
        )
        failures = _failures.get()
        if failures is None or not self.name.startswith("ssp_after_"):
            raise error from exc
        error.__cause__ = exc
        failures.append(error)

    def attribute(self, results: object) -> object:
        """Return a registration hook's results, each attributed (to this plugin if it is new)."""
        if results is None or not self.name.startswith("ssp_register_"):
            return results
        return [
            part if isinstance(part, Attributed) else Attributed(self.plugin, part)
            for part in cast("Iterable[Any]", results)
        ]


class _Delegate:
    """Iterates a wrapper's generator under ``yield from``, noting what passes through."""

    def __init__(self, generator: Generator[object, object, object]) -> None:
        self._generator = generator
        self.started = False
        self.sent: object = None
        self.thrown: BaseException | None = None

    def __iter__(self) -> _Delegate:
        return self

    def __next__(self) -> object:
        return self.send(None)

    def send(self, value: object) -> object:
        """Send ``value`` (the hook's result, or pluggy's outcome) into the wrapper."""
        if self.started:
            self.sent = value
        return self._step(lambda: self._generator.send(value))

    def throw(
        self,
        typ: type[BaseException] | BaseException,
        val: object = None,
        tb: TracebackType | None = None,  # noqa: ARG002 (the traceback is the exception's own)
    ) -> object:
        """Throw another implementation's error into the wrapper."""
        error = val if isinstance(val, BaseException) else typ
        if isinstance(error, type):  # throw(type) without a value
            error = error()
        self.thrown = error
        return self._step(lambda: self._generator.throw(error))

    def close(self) -> None:
        """Close the wrapper's generator."""
        self._generator.close()

    def _step(self, step: Callable[[], object]) -> object:
        try:
            value = step()
        except StopIteration:
            if not self.started:
                raise RuntimeError("the wrapper did not yield") from None
            raise
        if self.started:
            self._generator.close()
            raise RuntimeError("the wrapper yielded a second time")
        self.started = True
        return value


def _implementation(function: Callable[..., object], hook: _Hook) -> Callable[..., object]:
    @functools.wraps(function)
    def proxied(*args: object, **kwargs: object) -> object:
        try:
            result = function(*args, **kwargs)
            if result is not None and hook.name.startswith("ssp_register_"):
                return Attributed(hook.plugin, cast("Iterable[Any]", result))
        except Exception as exc:  # noqa: BLE001 (raised by hook.fail, or collected for a reaction)
            hook.fail(exc)
            return None
        return result

    return proxied


def _wrapper(
    function: Callable[..., Generator[object, object, object]], hook: _Hook, *, old_style: bool
) -> Callable[..., Generator[object, object, object]]:
    @functools.wraps(function)
    def proxied(*args: object, **kwargs: object) -> Generator[object, object, object]:
        inner = _Delegate(function(*args, **kwargs))
        try:
            result = yield from inner
            if not old_style:
                return hook.attribute(result)
            if isinstance(inner.sent, pluggy.Result) and inner.sent.exception is None:
                inner.sent.force_result(hook.attribute(inner.sent.get_result()))
        except Exception as exc:
            if exc is inner.thrown:
                raise  # another implementation's error, passed on by the wrapper
            hook.fail(exc)
            # collected: go on as if the wrapper had passed the call through unchanged
            if not inner.started:
                sent = yield None
                return None if old_style else sent
            if inner.thrown is not None:
                raise inner.thrown from None
            return None if old_style else inner.sent
        return None

    return proxied


def proxy_plugin(pm: pluggy.PluginManager, plugin: object, name: str) -> PluginProxy:
    """Return the proxy to register with ``pm`` for ``plugin`` named ``name``."""
    functions: dict[str, Callable[..., object]] = {}
    for attr in dir(plugin):
        opts = pm.parse_hookimpl_opts(plugin, attr)
        if opts is None:
            continue
        function = getattr(plugin, attr)
        hook = _Hook(name, opts.get("specname") or attr)
        wraps = opts.get("wrapper") or opts.get("hookwrapper")
        proxied: Callable[..., object]
        if wraps and inspect.isgeneratorfunction(function):
            proxied = _wrapper(function, hook, old_style=bool(opts.get("hookwrapper")))
        else:  # pluggy itself refuses a wrapper that is not a generator function
            proxied = _implementation(function, hook)
        setattr(proxied, _MARKER, dict(opts))
        functions[attr] = proxied
    return PluginProxy(plugin, functions)
