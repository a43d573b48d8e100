"""A plugin that is pure data: TOML files in a package's ``data`` folder, no Python.

A package whose module implements no hook but has a ``data`` folder is read by
:class:`DataPlugin`: every ``*.toml`` file directly in the folder holds arrays of
tables named after what they contribute (``[[roles]]``, ``[[age_bands]]``,
``[[grants]]``, ... see :data:`TABLES`), and every file in ``data/workflows`` is a
workflow or an extension of one (:func:`~ssp_core.loading.load_workflows`). Its
entry point names the package (``vesthavn = "vesthavn_ssp"``); the plugin host wraps
it. What data cannot say (a guard in code, a reaction to an event) needs hooks in
Python, as before.

A table no hook takes is an error naming the file and the tables allowed, so a
misspelt table name is never silently ignored. Nothing is evaluated as code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path
from types import ModuleType
from typing import Any

from ssp_core.domain.access import Grant, Purpose
from ssp_core.domain.activities import ActivityKind, ActivityPlan
from ssp_core.domain.concerns import ReferenceText, Situation, WorrySignCatalogue
from ssp_core.domain.disclosure import DisclosureProfile, LegalBasis
from ssp_core.domain.district import Municipality, PoliceDistrict
from ssp_core.domain.organisation import ActionGroup, Corps, InfoHouse, Partner, PartnerKind
from ssp_core.domain.people import AgeBand
from ssp_core.domain.renames import RenamedId
from ssp_core.domain.retention import RetentionRule
from ssp_core.domain.roles import Role
from ssp_core.domain.strategy import Strategy
from ssp_core.domain.walks import FindingCategory, Locality, WalkPlan
from ssp_core.exceptions import ConfigError
from ssp_core.loading import load_items, load_workflows, table_names
from ssp_core.plugins.spec import hookimpl
from ssp_core.workflows.definition import WorkflowDefinition
from ssp_core.workflows.extension import WorkflowExtension

__all__ = ["TABLES", "DataPlugin", "data_folder", "data_plugin"]

TABLES: dict[str, tuple[str, type[Any]]] = {
    "municipalities": ("ssp_register_municipalities", Municipality),
    "police_districts": ("ssp_register_police_districts", PoliceDistrict),
    "renamed_ids": ("ssp_register_renamed_ids", RenamedId),
    "roles": ("ssp_register_roles", Role),
    "partner_kinds": ("ssp_register_partner_kinds", PartnerKind),
    "partners": ("ssp_register_partners", Partner),
    "corps": ("ssp_register_corps", Corps),
    "info_houses": ("ssp_register_info_houses", InfoHouse),
    "action_groups": ("ssp_register_action_groups", ActionGroup),
    "catalogues": ("ssp_register_catalogues", WorrySignCatalogue),
    "reference_texts": ("ssp_register_reference_texts", ReferenceText),
    "situations": ("ssp_register_situations", Situation),
    "age_bands": ("ssp_register_age_bands", AgeBand),
    "strategies": ("ssp_register_strategy", Strategy),
    "finding_categories": ("ssp_register_finding_categories", FindingCategory),
    "localities": ("ssp_register_localities", Locality),
    "walks": ("ssp_register_example_walks", WalkPlan),
    "activity_kinds": ("ssp_register_activity_kinds", ActivityKind),
    "activities": ("ssp_register_example_activities", ActivityPlan),
    "purposes": ("ssp_register_purposes", Purpose),
    "grants": ("ssp_register_grants", Grant),
    "legal_bases": ("ssp_register_legal_bases", LegalBasis),
    "disclosure_profiles": ("ssp_register_disclosure_profiles", DisclosureProfile),
    "retention_rules": ("ssp_register_retention_rules", RetentionRule),
}
"""The array-of-tables names a data file may hold: the hook each feeds and its type."""


class DataPlugin:
    """The hooks of a plugin that is a folder of TOML files (see the module's text)."""

    def __init__(self, folder: Path, *, name: str) -> None:
        self.folder = folder
        self.plugin_name = name
        """The plugin's name (its entry point's, when found by one)."""

    def files(self) -> list[Path]:
        """Return the data files, in name order; an unknown table in one is an error.

        While the registry is built each file is parsed once, however many hooks ask.
        """
        found = sorted(self.folder.glob("*.toml"))
        for path in found:
            unknown = sorted(table_names(path) - TABLES.keys())
            if unknown:
                raise ConfigError(
                    f"{path}: unknown tables {', '.join(unknown)}; a data file holds arrays "
                    f"of tables named: {', '.join(sorted(TABLES))}"
                )
        return found

    def items(self, table: str) -> list[Any]:
        """Return every item of ``table`` in the data files."""
        _hook, cls = TABLES[table]
        return [
            item
            for path in self.files()
            if table in table_names(path)
            for item in load_items(path, table, cls)
        ]

    @hookimpl
    def ssp_register_workflows(self) -> list[WorkflowDefinition | WorkflowExtension]:
        """Return the workflows and extensions of ``data/workflows``."""
        folder = self.folder / "workflows"
        return load_workflows(folder) if folder.is_dir() else []


def _hook(table: str) -> Callable[[DataPlugin], list[Any]]:
    def contribute(self: DataPlugin) -> list[Any]:
        return self.items(table)

    contribute.__name__ = contribute.__qualname__ = TABLES[table][0]
    contribute.__doc__ = f"Return the ``[[{table}]]`` items of the data files."
    return hookimpl(contribute)


for _table, (_name, _cls) in TABLES.items():
    setattr(DataPlugin, _name, _hook(_table))


def data_folder(package: str | ModuleType) -> Path | None:
    """Return the ``data`` folder of ``package``, or ``None`` if it is no package or has none."""
    module = package if isinstance(package, ModuleType) else importlib.import_module(package)
    if not hasattr(module, "__path__"):
        return None  # a plain module: no folder of its own
    with as_file(files(module) / "data") as folder:
        path = Path(folder)
    return path if path.is_dir() else None


def data_plugin(package: str | ModuleType, *, name: str | None = None) -> DataPlugin:
    """Return the plugin that reads the ``data`` folder of ``package``.

    The plugin host does this itself for a package found by an entry point that
    implements no hook; call it to register such a package explicitly.

    :raises ConfigError: the package has no ``data`` folder.
    """
    module_name = package if isinstance(package, str) else package.__name__
    folder = data_folder(package)
    if folder is None:
        raise ConfigError(
            f"plugin package {module_name!r} has no data folder; put its TOML files in "
            f"{module_name.replace('.', '/')}/data"
        )
    return DataPlugin(folder, name=name or module_name.rsplit(".", 1)[-1])
