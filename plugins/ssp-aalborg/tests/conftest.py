from __future__ import annotations

pytest_plugins = ["ssp_core.testing"]
