"""Fixtures of the evaluation tests: Aalborg's data with a role granted report.evaluate."""

from __future__ import annotations

import datetime as dt

import pytest

import ssp_core
from ssp_core import Casework, Registry, VirtualClock
from ssp_core.testing import make_registry
from tests.evaluation.scenario import EvaluatorPlugin

START = dt.datetime(2021, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(name="aalborg", scope="session")
def _aalborg() -> Registry:
    """The installed plugins (Aalborg Kommune's data) and the evaluator role."""
    registry = make_registry(EvaluatorPlugin(), autoload=True)
    assert "aalborg.mentor@1" in registry.workflows, "the ssp-aalborg plugin is not installed"
    return registry


@pytest.fixture(name="clock")
def _clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture(name="casework")
def _casework(aalborg: Registry, clock: VirtualClock) -> Casework:
    return Casework(aalborg, clock=clock, ids=ssp_core.sequential_ids("E-"))
