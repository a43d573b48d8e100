"""Every hook is documented, and every hook is exercised by a test (as datasette checks)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from ssp_core.plugins import spec
from ssp_core.plugins.registry import KINDS
from ssp_core.testing import make_registry
from tests.sample_plugin import SamplePlugin

HOOKS = sorted(
    name for name, _ in inspect.getmembers(spec, inspect.isfunction) if name.startswith("ssp_")
)
TESTS = [
    *Path(__file__).parent.rglob("*.py"),
    *Path(__file__).parents[1].joinpath("plugins").rglob("tests/*.py"),
]


def test_hooks_come_in_families() -> None:
    assert HOOKS
    assert all(re.match(r"ssp_(register|after|before)_[a-z_]+$", name) for name in HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(spec, name)) or ""
    assert len(doc.splitlines()[0]) > 20, "a one-line summary"
    assert ".. versionadded::" in doc
    params = list(inspect.signature(getattr(spec, name)).parameters)
    for param in params:
        assert f":param {param}:" in doc, f"parameter {param} is not documented"
    if name.startswith("ssp_register_"):
        assert ":return:" in doc


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_exercised_by_a_test(name: str) -> None:
    users = [
        path
        for path in TESTS
        if path.name != Path(__file__).name
        and re.search(rf"def {name}\b|{name}=", path.read_text(encoding="utf-8"))
    ]
    assert users, f"no test implements {name}"


@pytest.mark.parametrize("kind", KINDS, ids=[kind.hook for kind in KINDS])
def test_every_registration_hook_reaches_the_registry(kind: object) -> None:
    registry = make_registry(SamplePlugin())
    assert kind.name in registry.contributions_of("sample"), f"{kind.hook} contributed nothing"  # type: ignore[attr-defined]


def test_every_registration_hook_has_a_kind() -> None:
    assert sorted(kind.hook for kind in KINDS) == [
        name for name in HOOKS if name.startswith("ssp_register_")
    ]
