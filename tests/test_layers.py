"""The layers import one way, nobody reaches into another module's private names, and
every error class lives in the error hierarchy (in the spirit of ``test_hooks.py``);
only a :class:`~ssp_core.exceptions.Signal`, which never leaves its package, may live
beside the code that raises and catches it.

The imports are read from the source of ``src/ssp_core`` with :mod:`ast`: those at
module level, inside functions, and under ``TYPE_CHECKING`` alike. The layers are
the ones ``docs/architecture.md`` draws.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import ssp_core
from ssp_core.exceptions import Signal

SRC = Path(ssp_core.__file__).parent

LAYERS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    # layer: (the modules in it, the layers below it that it may import)
    "foundation": (
        ("ssp_core.exceptions", "ssp_core.clock", "ssp_core.settings", "ssp_core.extras", "ssp_core.lazy", "ssp_core.text",
         "ssp_core.files",
         "ssp_core.cipher",
         "ssp_core.i18n", "ssp_core.progress",
         "ssp_core.reports"),
        frozenset(),
    ),
    "domain": (("ssp_core.domain",), frozenset({"foundation"})),
    "workflows": (("ssp_core.workflows", "ssp_core.loading"), frozenset({"domain", "foundation"})),
    "store": (("ssp_core.store",), frozenset({"domain", "foundation"})),
    "plugins": (("ssp_core.plugins",), frozenset({"workflows", "domain", "foundation"})),
    "index": (("ssp_core.index",), frozenset({"workflows", "foundation"})),
    "privacy": (
        ("ssp_core.privacy",),
        frozenset({"plugins", "store", "workflows", "domain", "foundation"}),
    ),
    "walks": (
        ("ssp_core.walks",),
        frozenset({"plugins", "store", "workflows", "domain", "foundation"}),
    ),
    "evaluation": (
        ("ssp_core.evaluation",),
        frozenset({"privacy", "walks", "index", "plugins", "store", "workflows", "domain",
                   "foundation"}),
    ),
    "application": (
        ("ssp_core.application",),
        frozenset({"evaluation", "privacy", "walks", "index", "plugins", "store", "workflows",
                   "domain", "foundation"}),
    ),
    "simulation": (
        ("ssp_core.simulation",),
        frozenset({"application", "evaluation", "privacy", "walks", "index", "plugins", "store",
                   "workflows", "domain", "foundation"}),
    ),
    "cli": (
        ("ssp_core.cli",),
        frozenset({"simulation", "application", "evaluation", "privacy", "walks", "index", "plugins", "store",
                   "workflows", "domain", "foundation"}),
    ),
    "testing": (
        ("ssp_core.testing",),
        frozenset({"application", "privacy", "plugins", "store", "workflows", "domain",
                   "foundation"}),
    ),
}  # fmt: skip
"""Every layer, bottom up: its modules, and the layers it may import besides itself."""

SURFACE = "ssp_core"
"""The package's own ``__init__``: the public surface, which may name every layer but cli."""


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def layer_of(module: str) -> str | None:
    for layer, (prefixes, _) in LAYERS.items():
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return layer
    return None


def imports_of(module: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """Return every import of ssp_core in a module: (line, module imported, names taken)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{target}" if target else base
            names = tuple(alias.name for alias in node.names)
            if target.startswith("ssp_core"):
                found.append((node.lineno, target, names))
        elif isinstance(node, ast.Import):
            found.extend(
                (node.lineno, alias.name, ())
                for alias in node.names
                if alias.name.startswith("ssp_core")
            )
    return found


def test_every_module_is_in_a_layer() -> None:
    loose = [m for m in MODULES if m != SURFACE and layer_of(m) is None]
    assert not loose, f"modules in no layer (add them to LAYERS and docs/architecture.md): {loose}"


def test_the_layers_form_a_ladder() -> None:
    order = list(LAYERS)
    for layer, (_, below) in LAYERS.items():
        assert all(order.index(other) < order.index(layer) for other in below), layer


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != SURFACE))
def test_imports_run_down_the_layers(module: str) -> None:
    layer = layer_of(module)
    assert layer is not None
    allowed = LAYERS[layer][1] | {layer}
    upward = []
    for line, target, names in imports_of(module):
        targets = [target] if target != "ssp_core" else [f"ssp_core.{name}" for name in names]
        for imported in targets:
            other = layer_of(imported)
            if imported == SURFACE or other is None:
                upward.append(f"line {line}: {imported} (the public surface; import the module)")
            elif other not in allowed:
                upward.append(f"line {line}: {imported} (layer {other})")
    assert not upward, f"{module} (layer {layer}) imports up or sideways: {upward}"


def test_the_public_surface_names_no_cli() -> None:
    assert not [t for _, t, _ in imports_of(SURFACE) if layer_of(t) in {"cli", "testing"}]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_takes_another_modules_private_names(module: str) -> None:
    private = [
        f"line {line}: {name} from {target}"
        for line, target, names in imports_of(module)
        for name in names
        if name.startswith("_") and not name.startswith("__") and name != "_"  # _: gettext
    ]
    assert not private, f"{module}: {private}"
    assert "noqa: SLF001" not in MODULES[module].read_text(encoding="utf-8"), (
        f"{module} reaches into another object's private names (give the piece a public home)"
    )


def test_every_error_class_is_in_the_error_hierarchy() -> None:
    strays = []
    for info in pkgutil.walk_packages(ssp_core.__path__, "ssp_core."):
        module = importlib.import_module(info.name)
        for name, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, BaseException)
                and not issubclass(value, Signal)
                and value.__module__ == info.name
                and not name.startswith("_")
                and info.name != "ssp_core.exceptions"
            ):
                strays.append(f"{info.name}.{name}")
    assert not strays, f"error classes outside ssp_core.exceptions: {strays}"


def test_the_layer_test_sees_an_upward_import(tmp_path: Path) -> None:
    """The test above can fail: an import of the application from the store is caught."""
    MODULES["ssp_core.store.fake"] = tmp_path / "fake.py"
    MODULES["ssp_core.store.fake"].write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ssp_core.application.casework import Casework\n"
        "from ssp_core.privacy.keys import _derive\n",
        encoding="utf-8",
    )
    try:
        with pytest.raises(AssertionError, match=r"line 3: ssp_core.application.casework"):
            test_imports_run_down_the_layers("ssp_core.store.fake")
        with pytest.raises(AssertionError, match="_derive"):
            test_no_module_takes_another_modules_private_names("ssp_core.store.fake")
    finally:
        del MODULES["ssp_core.store.fake"]
