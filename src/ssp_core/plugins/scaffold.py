"""``ssp plugin new``: a working plugin package for a municipality, made from the templates.

:func:`new_plugin` writes a package of TOML files only (read by
:mod:`ssp_core.plugins.datafiles`): the municipality, three roles, the two age bands
that pick a card, two situations, the four action cards and a mentor track made from
the core's templates of the national model, a grant for the SSP consultant, and a test
that runs the test kit (:class:`ssp_core.testing.PluginContract`). It installs and
passes the kit unchanged; the municipality then edits the data (its deadlines, its
partners, its own steps) and keeps the kit passing.

Nothing is written if the folder exists and is not empty, or an argument is not
acceptable; the error says which and what is allowed.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path
from string import Template

from ssp_core.exceptions import DataError
from ssp_core.i18n import _

__all__ = ["new_plugin"]

_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")
_CODE = re.compile(r"[0-9]{3}")

_PYPROJECT = """\
[project]
name = "ssp-$dist"
version = "0.1.0"
description = "ssp_core plugin of $name_en"
requires-python = ">=3.11"
dependencies = ["ssp-core"]

[project.optional-dependencies]
test = ["pytest>=8", "hypothesis>=6.100"]

# The entry point's name is the plugin's name; it names the package, which holds no
# hooks: the core reads the TOML files in its data folder.
[project.entry-points.ssp_core]
$m = "ssp_$m"

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/ssp_$m"]
"""

_README = """\
# ssp-$dist

The ssp_core plugin of $name_en, made with `ssp plugin new`. It is TOML files only, in
`src/ssp_$m/data`: edit them (see the plugin guide, docs/plugins.md of ssp_core), then
run the kit:

    pip install -e .[test]
    pytest
"""

_INIT = '''"""The ssp_core plugin of $name_en: TOML files in ``data/``, read by the core."""
'''

_DATA = """\
# $name_en: made by `ssp plugin new`. Replace the example values with your own.

[[municipalities]]
id = "$m"
labels = { da = $name_da_q, en = $name_en_q }
code = "$code"
police_district = "$district"

[[roles]]
id = "$m.ssp_consultant"
acts_as = "municipal_service"
labels = { da = "SSP-konsulent", en = "SSP consultant" }

[[roles]]
id = "$m.police_ssp_officer"
acts_as = "police"
labels = { da = "Politiets SSP-medarbejder", en = "Police SSP officer" }

[[roles]]
id = "$m.mentor"
labels = { da = "Mentor", en = "Mentor" }

# The bands that pick a card must give every age from 0 up one card.
[[age_bands]]
id = "$m.under_18"
labels = { da = "Under 18 år", en = "Under 18" }
min_age = 0
max_age = 17

[[age_bands]]
id = "$m.from_18"
labels = { da = "18 år og derover", en = "18 and over" }
min_age = 18

[[situations]]
id = "$m.radicalisation"
labels = { da = "Bekymring for radikalisering", en = "Worry about radicalisation" }

[[situations]]
id = "$m.armed_conflict_travel"
labels = { da = "Ud- eller hjemrejse fra væbnet konflikt", en = "Travel to or from armed conflict" }

# Everything not granted is refused.
[[grants]]
role = "$m.ssp_consultant"
operations = ["case.*"]
workflows = ["*"]
field_groups = ["subject", "notes", "observations"]
purposes = ["casework"]
"""

_CARD = """\
# The national template $template@1, as $name_en's card. Add your own steps with
# [[add.states]] and [[add.transitions]], your deadlines with [[add.deadlines]].
id = "$m.$card"
version = 1
extends = { id = "$template", version = 1 }

[applies_to]
situation = "$m.$situation"
age_band = "$m.$band"

[rename_roles]
consultant = "$m.ssp_consultant"
police = "$m.police_ssp_officer"
"""

_TRACK = """\
# The core's template of a track with a corps member, as $name_en's mentor track.
id = "$m.mentor"
version = 1
extends = { id = "core.prevention_track", version = 1 }
labels = { da = "Mentorforløb", en = "Mentor track" }

[rename_roles]
consultant = "$m.ssp_consultant"
member = "$m.mentor"
"""

_TEST = '''"""The test kit of ssp_core, run on this plugin."""

from ssp_core.plugins.datafiles import data_plugin
from ssp_core.testing import PluginContract, make_registry

PLUGIN = data_plugin("ssp_$m", name="$m")


class TestPlugin(PluginContract):
    """The kit: alone and beside every installed plugin, and each workflow used at random."""

    entry_point = "$m"


def test_every_age_gets_a_card() -> None:
    registry = make_registry(PLUGIN)
    for situation in ("$m.radicalisation", "$m.armed_conflict_travel"):
        assert registry.select_card(situation, 15, "$m").applies_to is not None
        assert registry.select_card(situation, 40, "$m").applies_to is not None
'''

_CARDS = (
    ("radicalisation_under_18", "radicalisation", "under_18"),
    ("radicalisation_from_18", "radicalisation", "from_18"),
    ("travel_under_18", "armed_conflict_travel", "under_18"),
    ("travel_from_18", "armed_conflict_travel", "from_18"),
)


def _check(
    municipality: str, code: str, police_district: str, districts: Collection[str] | None
) -> None:
    if not _ID.fullmatch(municipality):
        raise DataError(
            f"municipality id {municipality!r} is not allowed: use 2 to 40 lowercase letters, "
            "digits and underscores, starting with a letter (e.g. vesthavn)"
        )
    if not _CODE.fullmatch(code):
        raise DataError(f"municipality code {code!r} is not allowed: use 3 digits (e.g. 851)")
    if districts is not None and police_district not in districts:
        raise DataError(
            f"unknown police district {police_district!r}; known: {', '.join(sorted(districts))}"
        )


def new_plugin(
    folder: Path,
    municipality: str,
    *,
    code: str,
    police_district: str,
    name_da: str | None = None,
    name_en: str | None = None,
    districts: Collection[str] | None = None,
) -> list[Path]:
    """Write a new plugin package for ``municipality`` into ``folder``; return the files.

    ``districts`` are the police districts known (from the registry), if given.

    :raises DataError: the folder is not empty, or an argument is not acceptable;
        nothing is written then.
    """
    _check(municipality, code, police_district, districts)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise DataError(
            _("{folder} exists and is not an empty folder; choose a new one").format(folder=folder)
        )
    title = municipality.replace("_", " ").title()
    da = name_da or f"{title} Kommune"
    en = name_en or f"{title} Municipality"
    values = {
        "m": municipality,
        "dist": municipality.replace("_", "-"),
        "code": code,
        "district": police_district,
        "name_en": en,
        "name_da_q": json.dumps(da, ensure_ascii=False),
        "name_en_q": json.dumps(en, ensure_ascii=False),
    }
    package = Path("src") / f"ssp_{municipality}"
    files = {
        Path("pyproject.toml"): _PYPROJECT,
        Path("README.md"): _README,
        package / "__init__.py": _INIT,
        package / "data" / f"{municipality}.toml": _DATA,
        package / "data" / "workflows" / "mentor.toml": _TRACK,
        Path("tests") / "test_plugin.py": _TEST,
    }
    for card, situation, band in _CARDS:
        files[package / "data" / "workflows" / f"{card}.toml"] = Template(_CARD).safe_substitute(
            card=card, situation=situation, band=band, template=f"core.{card}"
        )
    # Written into a new folder beside the target and renamed into place, so a failure
    # halfway leaves no half-written plugin.
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for path, text in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(Template(text).substitute(values), encoding="utf-8")
        if folder.exists():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder / path for path in files]
