"""A police district with two municipalities, for the tests: Aalborg's plugin and a Hjørring.

:func:`district_registry` builds a registry from the built-ins, Aalborg's plugin
(``ssp_aalborg.hooks``, registered explicitly, no entry points) and the test plugin
:mod:`tests.district.hjoerring`, whose data is invented (see that module).
"""

from __future__ import annotations

import ssp_aalborg.hooks
from ssp_core.plugins import Registry
from ssp_core.testing import make_registry
from tests.district import hjoerring

__all__ = [
    "AALBORG_PLUGIN",
    "HJOERRING_PLUGIN",
    "district_plugins",
    "district_registry",
    "hjoerring",
]

AALBORG_PLUGIN = "ssp_aalborg.hooks"
"""The name Aalborg's plugin has when registered explicitly (its module's name)."""

HJOERRING_PLUGIN = "hjoerring"
"""The name of the Hjørring test plugin (its ``plugin_name``)."""


def district_plugins(*extra: object) -> tuple[object, ...]:
    """Return Aalborg's plugin and the Hjørring test plugin, then ``extra`` plugins."""
    return (ssp_aalborg.hooks, hjoerring, *extra)


def district_registry(*extra: object) -> Registry:
    """Build a registry: the built-ins, Aalborg, Hjørring, then ``extra`` plugins (no autoload)."""
    return make_registry(*district_plugins(*extra), autoload=False)
