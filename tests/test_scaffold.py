"""``ssp plugin new``: a plugin package that passes the test kit unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ssp_core.cli import main
from ssp_core.exceptions import DataError
from ssp_core.plugins.scaffold import new_plugin

DISTRICTS = ["nordjylland", "syd_og_soenderjylland"]


def new_vesthavn(folder: Path) -> int:
    """Run ``ssp plugin new vesthavn`` into ``folder``; return the exit status."""
    args = ["--code", "999", "--police-district", "nordjylland", "--dir", str(folder)]
    return main(["plugin", "new", "vesthavn", *args])


def test_a_new_plugin_passes_the_kit_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "ssp-vesthavn"
    written = new_plugin(
        folder, "vesthavn", code="999", police_district="nordjylland", districts=DISTRICTS
    )
    assert folder / "src" / "ssp_vesthavn" / "data" / "workflows" / "travel_from_18.toml" in (
        written
    )
    installed(folder)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def installed(folder: Path) -> None:
    """Make the package importable with its entry points, as ``pip install -e`` would.

    The metadata pip writes (a ``.dist-info`` folder with ``entry_points.txt``) is made
    from the package's own ``pyproject.toml``, so its entry point is the one tested.
    """
    project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = folder / "src" / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    points = project["entry-points"]["ssp_core"]
    (info / "entry_points.txt").write_text(
        "[ssp_core]\n" + "".join(f"{name} = {value}\n" for name, value in points.items()),
        encoding="utf-8",
    )


def test_quotes_in_a_name_are_written_as_toml_text(tmp_path: Path) -> None:
    new_plugin(
        tmp_path / "p",
        "oe_by",
        code="123",
        police_district="nordjylland",
        name_da='Ø-by "Syd" Kommune',
    )
    text = (tmp_path / "p" / "src" / "ssp_oe_by" / "data" / "oe_by.toml").read_text("utf-8")
    assert 'labels = { da = "Ø-by \\"Syd\\" Kommune", en = "Oe By Municipality" }' in text


@pytest.mark.parametrize(
    ("municipality", "code", "district", "message"),
    [
        (
            "Vesthavn",
            "999",
            "nordjylland",
            (
                "municipality id 'Vesthavn' is not allowed: use 2 to 40 lowercase letters, digits "
                "and underscores, starting with a letter (e.g. vesthavn)"
            ),
        ),
        (
            "vesthavn",
            "99",
            "nordjylland",
            "municipality code '99' is not allowed: use 3 digits (e.g. 851)",
        ),
        (
            "vesthavn",
            "999",
            "vestjylland",
            "unknown police district 'vestjylland'; known: nordjylland, syd_og_soenderjylland",
        ),
    ],
)
def test_bad_arguments_are_named_and_nothing_is_written(
    tmp_path: Path, municipality: str, code: str, district: str, message: str
) -> None:
    with pytest.raises(DataError) as caught:
        new_plugin(
            tmp_path / "p", municipality, code=code, police_district=district, districts=DISTRICTS
        )
    assert str(caught.value) == message
    assert not (tmp_path / "p").exists()


def test_a_folder_in_use_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    code = new_vesthavn(tmp_path)
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == f"error: {tmp_path} exists and is not an empty folder; choose a new one"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_the_command_lists_what_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new"
    code = new_vesthavn(target)
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0] == f"wrote 10 files to {target}"
    assert [p.name for p in tmp_path.iterdir()] == ["new"]  # nothing left of the staging
    assert "  src/ssp_vesthavn/data/vesthavn.toml" in out.splitlines()
