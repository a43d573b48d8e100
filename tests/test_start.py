"""The library starts fast: importing it, and ``ssp --help``, load none of the heavy parts.

Each check runs in a fresh interpreter (``sys.modules`` of the test process is full
of everything the other tests imported) and lists what the run loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "matplotlib",
    "numpy",
    "markdown",
    "cryptography.hazmat",
    "psycopg",
    "pyarrow",
    "holidays",
    "statsmodels",
)
"""Packages no start may load: plotting, numerics, Markdown, OpenSSL bindings, drivers."""


def loaded_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; return the heavy packages it left in sys.modules."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted({h for h in heavy for m in sys.modules "
        "if m == h or m.startswith(h + '.')})))"
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, a program of the test's own)
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_ssp_core_loads_nothing_heavy() -> None:
    assert loaded_after("import ssp_core") == []


def test_ssp_help_loads_nothing_heavy() -> None:
    code = (
        "import contextlib, io\n"
        "from ssp_core.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert main(['--help']) == 0\n"
        "assert 'Commands:' in out.getvalue()"
    )
    assert loaded_after(code) == []


def test_ssp_help_imports_no_command() -> None:
    # the help formatter (helptext, which translates the page) is the one module it loads
    code = (
        "import contextlib, io, sys\n"
        "from ssp_core.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        "commands = [m for m in sys.modules if m.startswith('ssp_core.cli.') and m not in "
        "('ssp_core.cli.app', 'ssp_core.cli.entry', 'ssp_core.cli.helptext')]\n"
        "assert not commands, commands\n"
        "assert 'ssp_core.application' not in sys.modules"
    )
    loaded_after(code)


def test_the_console_script_loads_only_the_standard_library_before_it_knows_if_served() -> None:
    code = (
        "import sys\n"
        "from ssp_core.cli.served import run_served\n"
        "ours = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('click', 'rich', 'attrs', 'attr', 'cattrs', 'pluggy', 'transitions'))\n"
        "assert not ours, ours\n"
        "mine = sorted(m for m in sys.modules if m.startswith('ssp_core'))\n"
        "assert mine == ['ssp_core', 'ssp_core.cli', 'ssp_core.cli.served', 'ssp_core.lazy'], mine"
    )
    assert loaded_after(code) == []


def test_the_casework_facade_loads_no_plotting_numerics_or_drivers() -> None:
    loaded = loaded_after("from ssp_core import Casework, load_registry\nCasework")
    assert loaded == []


@pytest.mark.parametrize("name", ["Casework", "AccessDenied", "load_registry", "hookimpl"])
def test_public_names_resolve_on_first_use(name: str) -> None:
    import ssp_core  # noqa: PLC0415 (the module under test)

    assert getattr(ssp_core, name) is getattr(ssp_core, name)
    assert name in dir(ssp_core)


def test_every_public_name_resolves_and_is_documented() -> None:
    import ssp_core  # noqa: PLC0415

    for name in ssp_core.__all__:
        value = getattr(ssp_core, name)
        if name != "__version__" and not name.isupper():
            assert (getattr(value, "__doc__", None) or "").strip(), f"{name} has no docstring"


def test_a_name_of_0_1_still_resolves_with_a_warning() -> None:
    import ssp_core  # noqa: PLC0415
    from ssp_core.domain.events import CaseOpened  # noqa: PLC0415

    with pytest.warns(DeprecationWarning, match=r"import it from ssp_core\.domain\.events"):
        assert ssp_core.CaseOpened is CaseOpened  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no attribute 'Nonsense'"):
        ssp_core.Nonsense  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize(
    "first",
    ["import ssp_core.store.codec", "from ssp_core.store.codec import EventCodec", "pass"],
)
def test_a_public_name_that_is_also_a_submodule_names_the_object_whatever_came_first(
    first: str,
) -> None:
    """``from ssp_core.store import codec`` is the default codec, also once its module is loaded."""
    probe = (
        f"{first}\n"
        "from ssp_core.store import codec, EventCodec\n"
        "import ssp_core.store, ssp_core.store.codec as module_too\n"
        "import sys\n"
        "from ssp_core.store.codec import codec as the_codec\n"
        "assert isinstance(codec, EventCodec), codec\n"
        "assert ssp_core.store.codec is codec is the_codec\n"
        "assert sys.modules['ssp_core.store.codec'].EventCodec is EventCodec\n"
        "print('ok')"
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, a program of the test's own)
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_the_package_and_its_metadata_agree_on_the_version() -> None:
    import tomllib  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    import ssp_core  # noqa: PLC0415

    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert ssp_core.__version__ == declared
