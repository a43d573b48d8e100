"""Issue 15, item 12: what the library writes is readable by its owner only, whatever the umask.

The command line runs with the mask 077; an embedding system runs with its own, here
the usual 022, under which a file made the plain way is readable by every local user.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from ssp_core.evaluation.plots import save
from ssp_core.files import open_private, private_file, private_folder
from ssp_core.reports.markdown import Report


@pytest.fixture(autouse=True)
def _open_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_item_12_reports_and_figures_are_the_owners_only(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "term"
    md, page = Report("A report", "# A report\n\nText.").write(folder, "report")
    assert (mode(md), mode(page)) == (0o600, 0o600)
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    figure = Figure()
    figure.add_subplot().bar(["a"], [1])
    png, svg = save(figure, tmp_path / "figures", "bars")
    assert (mode(png), mode(svg)) == (0o600, 0o600)
    assert png.stat().st_size > 0 and svg.stat().st_size > 0


def test_item_12_the_helpers_keep_an_existing_files_mode_and_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert private_folder(shared) == shared and mode(shared) == 0o755  # left as it was
    kept = shared / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o644)
    private_file(kept)
    assert mode(kept) == 0o644 and kept.read_text() == ""  # emptied, mode kept
    with open_private(shared / "new.csv", "w", encoding="utf-8") as handle:
        handle.write("a,b\n")
    assert mode(shared / "new.csv") == 0o600
    plain = shared / "plain.txt"
    plain.write_text("x")  # the plain way, for contrast: readable by all under 022
    assert mode(plain) == 0o644
