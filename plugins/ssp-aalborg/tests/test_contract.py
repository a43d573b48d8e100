"""The contract every plugin meets, from ssp_core's testing kit, run on the Aalborg plugin."""

from __future__ import annotations

from ssp_core.testing import PluginContract


class TestAalborgContract(PluginContract):
    """The kit, on the plugin as installed: its entry point ``aalborg``."""

    entry_point = "aalborg"
