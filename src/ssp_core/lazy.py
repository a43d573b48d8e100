"""Public names of a package imported on first use (PEP 562), so a package loads light.

A package keeps a table of its public names and the module each is defined in, and
takes its module ``__getattr__`` and ``__dir__`` from :func:`lazy_names`; a name is
imported the first time it is asked for, then kept in the package's namespace.

A public name may also be the name of a submodule (``codec`` of ``ssp_core.store`` is
the default codec, and ``ssp_core.store.codec`` the module). Importing a submodule sets the
package's attribute of its name to the module, so a package with such a name
refuses that: the name keeps meaning its public object, whichever was imported
first (the module stays in ``sys.modules``, where ``from … import`` finds it).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any, ClassVar

__all__ = ["lazy_names"]


def lazy_names(
    package: str,
    public: Mapping[str, str],
    namespace: MutableMapping[str, Any],
    exported: Sequence[str],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of ``package``.

    :param package: the package's name, for the error of an unknown name.
    :param public: each public name and the module it is defined in.
    :param namespace: the package's ``globals()``, where an imported name is kept.
    :param exported: the package's ``__all__``.
    """
    shadowed = frozenset(name for name, module in public.items() if module == f"{package}.{name}")
    if shadowed:
        holder = sys.modules[package]
        holder.__class__ = type(
            "PublicFirst", (_PublicFirst,), {"shadowed": shadowed, "__module__": __name__}
        )

    def getattr_(name: str) -> Any:
        module = public.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *exported})

    return getattr_, dir_


class _PublicFirst(types.ModuleType):
    """A package whose public names are not replaced by the submodules of the same name."""

    shadowed: ClassVar[frozenset[str]] = frozenset()

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.shadowed and isinstance(value, types.ModuleType):
            return  # the import system naming a submodule: the public object keeps the name
        super().__setattr__(name, value)
