"""The hypothesis stateful test, run against every registered workflow.

"Every registered workflow" is every workflow of the installed plugins (the
entry-point group ``ssp_core``: Aalborg's cards and tracks in this repository's tox
environment) plus the sample plugin's. A template (no case is opened on one) runs
through the workflows made from it.
"""

from __future__ import annotations

import pytest

import ssp_core
import ssp_core.plugins
from ssp_core.testing import run_workflow_machine
from tests.sample_plugin import SamplePlugin

REGISTRY = ssp_core.load_registry(plugins=[SamplePlugin()])
DEFINITIONS = sorted(
    (d for d in REGISTRY.workflows.values() if not d.template), key=lambda d: d.key
)


def test_the_installed_plugins_are_among_them() -> None:
    plugins = {info.name for info in REGISTRY.plugins}
    assert {"builtin", "sample"} <= plugins
    assert len(DEFINITIONS) >= 3


@pytest.mark.parametrize("definition", DEFINITIONS, ids=[d.name for d in DEFINITIONS])
def test_random_use_keeps_every_invariant(definition: ssp_core.plugins.WorkflowDefinition) -> None:
    run_workflow_machine(REGISTRY, definition, max_examples=40, steps=40)


def test_every_template_runs_through_a_workflow_made_from_it() -> None:
    bases: dict[str, str] = {
        d.name: d.extends.name for d in REGISTRY.workflows.values() if d.extends is not None
    }

    def chain(name: str) -> set[str]:
        found = {name}
        while name in bases:
            name = bases[name]
            found.add(name)
        return found

    run = set().union(*(chain(d.name) for d in DEFINITIONS))
    templates = {d.name for d in REGISTRY.workflows.values() if d.template}
    assert templates >= {"core.radicalisation_under_18@1", "core.prevention_track@1"}
    assert templates <= run, sorted(templates - run)
