"""Public names of a package imported on first use (PEP 562), so a package loads light.

A package keeps a table of its public names and the module each is defined in, and
takes its module ``__getattr__`` and ``__dir__`` from :func:`lazy_names`; a name is
imported the first time it is asked for, then kept in the package's namespace.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

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
