from __future__ import annotations

import datetime as dt
import os
import pathlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings

import ssp_core
from tests import sample_plugin

pytest_plugins = ["ssp_core.testing"]

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _store_in_tmp(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """No test writes the embedded store of the working directory: ``SSP_STORE`` points to tmp.

    Nor does a developer's running ``ssp server`` run a test's commands
    (``tests/test_server.py`` starts its own).
    """
    path = tmp_path / "ssp.db"
    monkeypatch.setenv("SSP_STORE", f"sqlite:///{path}")
    monkeypatch.setenv("SSP_SERVER", "off")  # a developer's ssp server serves no test's ssp
    return path


@pytest.fixture(name="sample")
def _sample() -> sample_plugin.SamplePlugin:
    return sample_plugin.SamplePlugin()


@pytest.fixture(name="registry")
def _registry(
    ssp_registry_factory: Callable[..., ssp_core.Registry], sample: sample_plugin.SamplePlugin
) -> ssp_core.Registry:
    """The built-ins and the sample plugin only."""
    return ssp_registry_factory(sample)


@pytest.fixture(name="clock")
def _clock() -> ssp_core.VirtualClock:
    return ssp_core.VirtualClock(T0)


@pytest.fixture(name="casework")
def _casework(registry: ssp_core.Registry, clock: ssp_core.VirtualClock) -> ssp_core.Casework:
    return ssp_core.Casework(registry, clock=clock, ids=ssp_core.sequential_ids("T-"))
