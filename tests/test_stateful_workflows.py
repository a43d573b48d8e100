"""The hypothesis stateful test, run against every registered workflow.

"Every registered workflow" is every workflow of the installed plugins (the
entry-point group ``ssp_core``: Aalborg's cards and tracks in this repository's tox
environment) plus the sample plugin's.
"""

from __future__ import annotations

import pytest

import ssp_core
import ssp_core.plugins
from ssp_core.testing import run_workflow_machine
from tests.sample_plugin import SamplePlugin

REGISTRY = ssp_core.load_registry(plugins=[SamplePlugin()])
DEFINITIONS = sorted(REGISTRY.workflows.values(), key=lambda d: d.key)


def test_the_installed_plugins_are_among_them() -> None:
    plugins = {info.name for info in REGISTRY.plugins}
    assert {"builtin", "sample"} <= plugins
    assert len(DEFINITIONS) >= 3


@pytest.mark.parametrize("definition", DEFINITIONS, ids=[d.name for d in DEFINITIONS])
def test_random_use_keeps_every_invariant(definition: ssp_core.plugins.WorkflowDefinition) -> None:
    run_workflow_machine(REGISTRY, definition, max_examples=40, steps=40)
